/**
 * Which export and which numbered part an archive is, by the name Google gives it:
 * `takeout-20251110T101010Z-001.zip`, or with one more (undocumented) number before the part,
 * `takeout-20251110T101010Z-2-001.zip`; the same names without an extension for an extracted
 * part. Archives of one export share the time stamp.
 * @module
 */

const PART_NAME = /^takeout-(\d{8}T\d{6}Z)(-\d+)?-(\d{3,})(?:\.zip|\.tgz|\.tar\.gz)?$/i;

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
