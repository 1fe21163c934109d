/**
 * The exports in a store: its files told apart by Google's part names (`parts.ts`:
 * `takeout-20251110T101010Z-001.zip`, `takeout-…Z-3-001.zip`, `.tgz`), grouped by export stamp,
 * oldest first; an export whose numbered parts have a gap (Drive delivery still running) says
 * which parts it waits for.
 * @module
 */
import { archivePart, missingParts } from "../parts.ts";
import type { RemoteFile, RemoteStore } from "./remote_store.ts";

/** One export found in a store. */
export interface StoreExport {
  /** Its time stamp (`20251110T101010Z`). */
  stamp: string;
  /** Its parts, by name. */
  parts: RemoteFile[];
  /** The names of the parts below the highest one seen that are not there (yet). */
  missing: string[];
}

/**
 * The exports in `store`, oldest first. A name found twice (a copy in another folder) counts once:
 * the newest file of that name.
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
 * ]);
 * assert.deepEqual(exports.map((e) => [e.stamp, e.parts.length, e.missing]), [
 *   ["20251110T101010Z", 1, []],
 *   ["20260110T101010Z", 2, ["takeout-20260110T101010Z-3-002.zip"]],
 * ]);
 * ```
 */
export function groupExports(files: Iterable<RemoteFile>): StoreExport[] {
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
      missingParts(numbers).map((n) => `takeout-${name}-${String(n).padStart(3, "0")}${extension}`)
    );
    return { stamp, parts, missing };
  });
}

/** The exports in `store` (see {@link groupExports}). */
export async function storeExports(store: RemoteStore, signal?: AbortSignal): Promise<StoreExport[]> {
  const files: RemoteFile[] = [];
  for await (const file of store.list(signal)) files.push(file);
  return groupExports(files);
}

function extensionOf(name: string): string {
  return /\.tar\.gz$/i.test(name) ? ".tar.gz" : name.slice(name.lastIndexOf("."));
}
