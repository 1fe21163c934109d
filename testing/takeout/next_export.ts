/**
 * The next full export of a library: what Takeout sends when a year's schedule ends and a new one starts (a
 * new baseline). It holds every file of the earlier export, byte for byte at the same paths, plus what was
 * uploaded since; so an import that already has the earlier export needs to fetch only the new files.
 * @module
 */
import { generateTakeout } from "./export.ts";
import type { TakeoutExport } from "./model.ts";

/** Options of {@linkcode nextFullExport}. */
export interface NextExportOptions {
  /** When the new export was made, ISO 8601; after the earlier one. */
  exportedAt: string;
  /** About how many items were uploaded since (their album copies and extras are left out). */
  count: number;
  /** PRNG seed of the new items; default 2. */
  seed?: number;
  /** Smallest and largest photo size of the new items (as for `generateTakeout`). */
  minSize?: number;
  maxSize?: number;
}

/**
 * `earlier`'s files, albums and extras, stamped `exportedAt`, with new items in the year folders of the
 * year before the new export (none at a path `earlier` has).
 */
export function nextFullExport(earlier: TakeoutExport, options: NextExportOptions): TakeoutExport {
  const exportedMs = Date.parse(options.exportedAt);
  if (!(exportedMs > earlier.exportedMs)) {
    throw new RangeError(`the next export must come after ${new Date(earlier.exportedMs).toISOString()}`);
  }
  const since = generateTakeout({
    seed: options.seed ?? 2,
    count: options.count,
    specials: false,
    language: earlier.language,
    fromYear: new Date(exportedMs).getUTCFullYear() - 1,
    exportedAt: options.exportedAt,
    minSize: options.minSize,
    maxSize: options.maxSize,
  });
  const paths = new Set(earlier.files.map((file) => file.path));
  const added = since.files.filter((file) =>
    !file.copyOf && !file.trashed && file.albums.length === 0 && !paths.has(file.path)
  );
  return {
    ...earlier,
    exportedMs: since.exportedMs,
    files: [...earlier.files, ...added],
  };
}
