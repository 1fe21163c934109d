/**
 * Which export and which numbered part an archive is, by the name Google gives it:
 * `takeout-20251110T101010Z-001.zip`, or with one more (undocumented) number before the part,
 * `takeout-20251110T101010Z-2-001.zip`; the same names without an extension for an extracted
 * part, and with the counter a browser adds to a part downloaded again (`-001 (1).zip`,
 * `-001(1).zip`): a 50 GB part often is. Archives of one export share the time stamp.
 * @module
 */

const PART_NAME = /^takeout-(\d{8}T\d{6}Z)(-\d+)?-(\d{3,})(?: ?\(\d+\))?(?:\.zip|\.tgz|\.tar\.gz)?$/i;

/** The export and part an archive's file name says it is. */
export interface ArchivePart {
  /** The export's time stamp (`20251110T101010Z`): the archives of one export. */
  stamp: string;
  /** The numbered series the part belongs to: the stamp, and the extra number if there is one. */
  series: string;
  /** The part's number (1 for `-001`). */
  number: number;
}

/**
 * The export and part of an archive named `name` (a file name), or undefined for another name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { archivePart } from "./parts.ts";
 * assert.deepEqual(archivePart("takeout-20251110T101010Z-003.zip"), {
 *   stamp: "20251110T101010Z",
 *   series: "20251110T101010Z",
 *   number: 3,
 * });
 * assert.equal(archivePart("photos.zip"), undefined);
 * ```
 */
export function archivePart(name: string): ArchivePart | undefined {
  const match = PART_NAME.exec(name);
  if (!match) return undefined;
  const stamp = match[1].toUpperCase();
  return { stamp, series: `${stamp}${match[2] ?? ""}`, number: Number(match[3]) };
}

/**
 * The export each archive named in `names` belongs to: its stamp; for a name Google did not give
 * (an extracted `Takeout` folder, a renamed archive), the stamp of the others when they are all of
 * one export, else "".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportStamps } from "./parts.ts";
 * assert.deepEqual(exportStamps(["takeout-20251110T101010Z-001.zip", "Takeout"]), [
 *   "20251110T101010Z",
 *   "20251110T101010Z",
 * ]);
 * ```
 */
export function exportStamps(names: readonly string[]): string[] {
  const stamps = names.map((name) => archivePart(name)?.stamp);
  const distinct = new Set(stamps.filter((stamp) => stamp !== undefined));
  const only = distinct.size === 1 ? [...distinct][0] : "";
  return stamps.map((stamp) => stamp ?? only);
}

/** The part numbers below the highest of `seen` that are not in it, ascending. */
export function missingParts(seen: Iterable<number>): number[] {
  const numbers = new Set(seen);
  const highest = Math.max(0, ...numbers);
  return Array.from({ length: highest }, (_, i) => i + 1).filter((n) => !numbers.has(n));
}

/**
 * `inputs` in the order exports apply: oldest export first (by the time stamp in their names,
 * see {@link exportStamps}), then by name (Google numbers the parts), then by path; whatever
 * order they were given in. Archives of no known export (stamp "") come first. Every source
 * (local, Drive, WebDAV) imports in this order, so that a baseline is placed before its
 * increments and a re-run or resumed import names every file the same way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inExportOrder } from "./parts.ts";
 * const given = [
 *   { name: "takeout-20260110T080000Z-001.zip", path: "/a/takeout-20260110T080000Z-001.zip" },
 *   { name: "takeout-20251110T101010Z-002.zip", path: "/z/takeout-20251110T101010Z-002.zip" },
 *   { name: "takeout-20251110T101010Z-001.zip", path: "/z/takeout-20251110T101010Z-001.zip" },
 * ];
 * assert.deepEqual(inExportOrder(given).map((input) => input.name), [
 *   "takeout-20251110T101010Z-001.zip",
 *   "takeout-20251110T101010Z-002.zip",
 *   "takeout-20260110T080000Z-001.zip",
 * ]);
 * ```
 */
export function inExportOrder<T extends { readonly name: string; readonly path?: string }>(
  inputs: readonly T[],
): T[] {
  const stamps = exportStamps(inputs.map((input) => input.name));
  const keyed = inputs.map((input, i) => ({ input, key: [stamps[i], input.name, input.path ?? ""] }));
  keyed.sort((a, b) => {
    for (let k = 0; k < a.key.length; k++) {
      if (a.key[k] !== b.key[k]) return a.key[k] < b.key[k] ? -1 : 1;
    }
    return 0;
  });
  return keyed.map(({ input }) => input);
}

/** The instant (epoch ms) of an export's time stamp (`20251110T101010Z`), or undefined for another text. */
export function stampMs(stamp: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return Number.isNaN(ms) ? undefined : ms;
}
