/**
 * What the second pass of a Takeout import goes through: the media files the catalog found,
 * less the trash (unless asked for), by archive and entry path. Each entry has its own plan: an
 * archive may hold one path twice.
 * @module
 */
import type { Catalog, MediaPlan } from "./catalog.ts";

/** The media files to import. */
export interface ImportPlan {
  /** In the catalog's order. */
  wanted: MediaPlan[];
  /**
   * For each archive (by its index among the inputs), its wanted media files by entry path: the
   * plans of the entries of one path in the archive's order (the catalog's).
   */
  archives: Map<string, MediaPlan[]>[];
  /** Media files left out as trash. */
  trashed: number;
}

/** Plan the import of `catalog`'s media files from `archiveCount` archives. */
export function planImport(
  catalog: Catalog,
  options: { archiveCount: number; includeTrashed: boolean },
): ImportPlan {
  const wanted = catalog.media.filter((media) => options.includeTrashed || !media.sidecar?.data.trashed);
  const archives = Array.from({ length: options.archiveCount }, () => new Map<string, MediaPlan[]>());
  for (const media of wanted) {
    const byPath = archives[media.entry.archive];
    const plans = byPath.get(media.entry.path);
    if (plans) plans.push(media);
    else byPath.set(media.entry.path, [media]);
  }
  return { wanted, archives, trashed: catalog.media.length - wanted.length };
}
