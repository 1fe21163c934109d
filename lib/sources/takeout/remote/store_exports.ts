/**
 * The exports in a store: its files told apart by Google's part names (`parts.ts`:
 * `takeout-20251110T101010Z-001.zip`, `takeout-…Z-3-001.zip`, `.tgz`), grouped by export stamp,
 * oldest first; an export whose numbered parts have a gap (Drive delivery still running) says
 * which parts it waits for, until the delivery has clearly ended without them ({@link stalledGap}:
 * a part lost, never to come), and one that may still lack its last parts says so
 * ({@link unfinishedDelivery}).
 * @module
 */
import { archivePart, missingParts, stampMs } from "../parts.ts";
import type { RemoteFile, RemoteStore } from "./remote_store.ts";

/** One export found in a store. */
export interface StoreExport {
  /** Its time stamp (`20251110T101010Z`). */
  stamp: string;
  /** Its parts, by name. */
  parts: RemoteFile[];
  /** The names of the parts below the highest one seen that are not there (yet). */
  missing: string[];
  /** Set when parts are `missing` and the delivery has ended without them: see {@link stalledGap}. */
  stalled?: StalledGap;
  /** Set when no part is missing below the highest, but more may follow: see {@link unfinishedDelivery}. */
  unfinished?: UnfinishedDelivery;
}

/** Why an export without a gap in its parts may still be arriving. */
export interface UnfinishedDelivery {
  /** The part(s) that may come next: the one after each full-size highest part. */
  next: string[];
  /** When the newest of its parts came into the store (epoch ms). */
  newestMs: number;
  /** From when on, no later part having come, the export is taken as it is (epoch ms). */
  untilMs: number;
}

/** An export with a gap in its parts whose delivery has ended: the missing parts will not come. */
export interface StalledGap {
  /** When the newest of its parts came into the store (epoch ms), or, in a store that gives no times, its stamp's time. */
  newestMs: number;
}

/**
 * How long after its newest part an export whose highest part is full-size is taken as possibly
 * still arriving: Drive delivery writes an export's parts one after another within minutes to
 * hours, so a day without a new part means the delivery has finished.
 */
export const DELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * In a store that gives no file times, how long after its time stamp an export with a gap is taken
 * as delivered without the missing parts: Takeout delivers an export within days of its stamp, and
 * keeps its download links a week.
 */
export const STAMP_WINDOW_MS = 7 * DELIVERY_WINDOW_MS;

/**
 * How much smaller than the smallest other part of its series a highest part may be and still
 * count as full-size. Takeout fills every part but the last to the export's split size (1 to
 * 50 GB); a part ends before the file that would overflow it, so full parts differ by up to a
 * file's size, a few per cent with photos and videos of a few hundred MB.
 */
export const FULL_PART_TOLERANCE = 0.05;

/**
 * The exports in `store`, oldest first, as seen at `nowMs` (the clock, epoch ms: see
 * {@link unfinishedDelivery}). A name found twice (a copy in another folder) counts once: the
 * newest file of that name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupExports } from "./store_exports.ts";
 * const file = (name: string) => ({ id: name, name, location: name, size: 1 });
 * const exports = groupExports([
 *   file("takeout-20260110T101010Z-3-001.zip"),
 *   file("takeout-20260110T101010Z-3-003.zip"),
 *   file("takeout-20251110T101010Z-001.tgz"),
 *   file("notes.txt"),
 * ], Date.UTC(2026, 11, 5));
 * assert.deepEqual(exports.map((e) => [e.stamp, e.parts.length, e.missing]), [
 *   ["20251110T101010Z", 1, []],
 *   ["20260110T101010Z", 2, ["takeout-20260110T101010Z-3-002.zip"]],
 * ]);
 * ```
 */
export function groupExports(files: Iterable<RemoteFile>, nowMs: number): StoreExport[] {
  const byName = new Map<string, RemoteFile>();
  for (const file of files) {
    if (!archivePart(file.name)) continue;
    const other = byName.get(file.name);
    if (!other || (file.modifiedMs ?? 0) > (other.modifiedMs ?? 0)) byName.set(file.name, file);
  }
  const byStamp = new Map<string, RemoteFile[]>();
  for (const file of byName.values()) {
    const { stamp } = archivePart(file.name)!;
    byStamp.set(stamp, [...byStamp.get(stamp) ?? [], file]);
  }
  return [...byStamp.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([stamp, parts]) => {
    parts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const series = new Map<string, { numbers: number[]; extension: string }>();
    for (const file of parts) {
      const part = archivePart(file.name)!;
      const entry = series.get(part.series) ?? { numbers: [], extension: extensionOf(file.name) };
      entry.numbers.push(part.number);
      series.set(part.series, entry);
    }
    const missing = [...series.entries()].flatMap(([name, { numbers, extension }]) =>
      missingParts(numbers).map((n) => partName(name, n, extension))
    );
    const unfinished = missing.length === 0 ? unfinishedDelivery(parts, nowMs) : undefined;
    const stalled = missing.length > 0 ? stalledGap(stamp, parts, nowMs) : undefined;
    return { stamp, parts, missing, ...(unfinished ? { unfinished } : {}), ...(stalled ? { stalled } : {}) };
  });
}

/** The exports in `store` at `nowMs` (see {@link groupExports}). */
export async function storeExports(
  store: RemoteStore,
  nowMs: number,
  signal?: AbortSignal,
): Promise<StoreExport[]> {
  const files: RemoteFile[] = [];
  for await (const file of store.list(signal)) files.push(file);
  return groupExports(files, nowMs);
}

/**
 * Whether the parts of one export (no gap in their numbers) may be a delivery still running, seen
 * at `nowMs`: part names carry no total, so an export caught between two parts looks whole. Takeout
 * fills every part but the last to the export's split size, so the last is normally smaller than
 * the others; a highest part as large as the others (at least the smallest other part of its
 * series, less {@link FULL_PART_TOLERANCE}) is likely followed by more. Delivery writes the parts
 * within a short time, so this holds only while the newest part (by the later of its creation and
 * modification times) is less than {@link DELIVERY_WINDOW_MS} away from `nowMs`; after that the
 * delivery has finished, and a full-size last part is just that. A series of one part is never
 * held (there is nothing to compare it with), nor are parts whose store gives no times.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unfinishedDelivery } from "./store_exports.ts";
 * const part = (n: number, size: number) => {
 *   const name = `takeout-20251110T101010Z-00${n}.zip`;
 *   return { id: name, name, location: name, size, createdMs: Date.UTC(2025, 10, 10, 12) };
 * };
 * const twoFull = [part(1, 2_000), part(2, 1_990)];
 * assert.deepEqual(unfinishedDelivery(twoFull, Date.UTC(2025, 10, 10, 14))?.next, [
 *   "takeout-20251110T101010Z-003.zip",
 * ]);
 * assert.equal(unfinishedDelivery(twoFull, Date.UTC(2025, 10, 12)), undefined);
 * assert.equal(unfinishedDelivery([part(1, 2_000), part(2, 700)], Date.UTC(2025, 10, 10, 14)), undefined);
 * ```
 */
export function unfinishedDelivery(
  parts: readonly RemoteFile[],
  nowMs: number,
): UnfinishedDelivery | undefined {
  const newestMs = newestPartMs(parts);
  if (newestMs === undefined) return undefined;
  // Either way: a clock or a store a day or more off is no delivery under way.
  if (Math.abs(nowMs - newestMs) >= DELIVERY_WINDOW_MS) return undefined;
  const series = new Map<string, { number: number; file: RemoteFile }[]>();
  for (const file of parts) {
    const part = archivePart(file.name);
    if (!part) continue;
    series.set(part.series, [...series.get(part.series) ?? [], { number: part.number, file }]);
  }
  const next: string[] = [];
  for (const [name, members] of series) {
    if (members.length < 2) continue;
    members.sort((a, b) => a.number - b.number);
    const highest = members[members.length - 1];
    const smallest = Math.min(...members.slice(0, -1).map(({ file }) => file.size));
    if (highest.file.size >= smallest * (1 - FULL_PART_TOLERANCE)) {
      next.push(partName(name, highest.number + 1, extensionOf(highest.file.name)));
    }
  }
  return next.length === 0 ? undefined : { next, newestMs, untilMs: newestMs + DELIVERY_WINDOW_MS };
}

/**
 * Whether the delivery of an export whose numbered parts have a gap has ended, seen at `nowMs`: by
 * the rule of {@link unfinishedDelivery}, a delivery writes its parts within a day, so once its newest
 * part (the later of creation and modification times) is {@link DELIVERY_WINDOW_MS} or more away
 * from `nowMs`, a part still missing was lost (a delivery that failed half-way, a part deleted) and
 * will not come. A store that gives no times: {@link STAMP_WINDOW_MS} after the export's stamp.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stalledGap } from "./store_exports.ts";
 * const part = (n: number) => {
 *   const name = `takeout-20251110T101010Z-00${n}.zip`;
 *   return { id: name, name, location: name, size: 1, createdMs: Date.UTC(2025, 10, 10, 12) };
 * };
 * assert.equal(stalledGap("20251110T101010Z", [part(1), part(3)], Date.UTC(2025, 10, 10, 18)), undefined);
 * assert.deepEqual(stalledGap("20251110T101010Z", [part(1), part(3)], Date.UTC(2025, 10, 12)), {
 *   newestMs: Date.UTC(2025, 10, 10, 12),
 * });
 * ```
 */
export function stalledGap(
  stamp: string,
  parts: readonly RemoteFile[],
  nowMs: number,
): StalledGap | undefined {
  const newestMs = newestPartMs(parts);
  if (newestMs !== undefined) {
    return Math.abs(nowMs - newestMs) >= DELIVERY_WINDOW_MS ? { newestMs } : undefined;
  }
  const stampedMs = stampMs(stamp);
  return stampedMs !== undefined && nowMs - stampedMs >= STAMP_WINDOW_MS
    ? { newestMs: stampedMs }
    : undefined;
}

/** The file name of part `number` of `series` (`20251110T101010Z`, `20251110T101010Z-3`). */
function partName(series: string, number: number, extension: string): string {
  return `takeout-${series}-${String(number).padStart(3, "0")}${extension}`;
}

function extensionOf(name: string): string {
  return /\.tar\.gz$/i.test(name) ? ".tar.gz" : name.slice(name.lastIndexOf("."));
}

/** When the newest of `parts` came into the store (the later of its creation and modification), if it says. */
function newestPartMs(parts: readonly RemoteFile[]): number | undefined {
  const times = parts.flatMap((file) => [file.createdMs, file.modifiedMs])
    .filter((ms): ms is number => ms !== undefined);
  return times.length === 0 ? undefined : Math.max(...times);
}
