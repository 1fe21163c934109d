/**
 * What the second pass of a Takeout import goes through: the media files the catalog found,
 * less the trash (unless asked for), by archive; and the entries earlier runs imported, which
 * are skipped without being read.
 * @module
 */
import type { Store } from "../../core/store.ts";
import type { Catalog, MediaPlan } from "./catalog.ts";

/** The media files to import. */
export interface ImportPlan {
  /** In the catalog's order. */
  wanted: MediaPlan[];
  /** For each archive (by its index among the inputs), its wanted media files by entry path. */
  archives: Map<string, MediaPlan>[];
  /** Media files left out as trash. */
  trashed: number;
  /** Checkpoints ({@link doneKey}) of the entries imported before. */
  done: ReadonlySet<string>;
}

/** Plan the import of `catalog`'s media files from `archiveCount` archives. */
export function planImport(
  catalog: Catalog,
  store: Store,
  options: { archiveCount: number; includeTrashed: boolean },
): ImportPlan {
  const wanted = catalog.media.filter((media) => options.includeTrashed || !media.sidecar?.data.trashed);
  const archives = Array.from({ length: options.archiveCount }, () => new Map<string, MediaPlan>());
  for (const media of wanted) archives[media.entry.archive].set(media.entry.path, media);
  return {
    wanted,
    archives,
    trashed: catalog.media.length - wanted.length,
    done: new Set(store.checkpoints("takeout").map((checkpoint) => checkpoint.key)),
  };
}

/**
 * The checkpoint recording that an archive's entry was imported: the archive's file name, the
 * entry's path and size (JSON: SQLite text stops at a NUL).
 */
export function doneKey(archiveName: string, path: string, size: number): string {
  return JSON.stringify([archiveName, path, size]);
}
