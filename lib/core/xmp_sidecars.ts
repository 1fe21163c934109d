/**
 * XMP sidecars in the output tree: `<file name>.xmp` next to each placed file (`IMG_1.jpg.xmp`),
 * written at the end of a run of a folder that has `--xmp`, from what `sync.db` knows. The media
 * bytes are never touched. One pass over the placed items writes the missing sidecars and
 * rewrites those whose content changed (a newer export, a re-sync, an album found later); an
 * `.xmp` file photosync did not write is never replaced.
 * @module
 */
import { createHash } from "node:crypto";
import { FileSystemError, type OutputTree } from "./output_tree.ts";
import type { Logger } from "./logger.ts";
import type { Store } from "./store.ts";
import { isOwnXmp, renderXmp, withSharedFields, xmpFieldsOf } from "./xmp.ts";

/** The sidecar's path of the file at `path` (relative, `/`-separated): `IMG_1.jpg` → `IMG_1.jpg.xmp`. */
export const xmpPathOf = (path: string): string => `${path}.xmp`;

/** The file whose sidecar the path would be (`IMG_1.jpg.xmp` → `IMG_1.jpg`), or undefined for no `.xmp`. */
export const xmpOwnerOf = (path: string): string | undefined =>
  path.endsWith(".xmp") ? path.slice(0, -".xmp".length) : undefined;

/** What {@link writeXmpSidecars} did. */
export interface XmpResult {
  /** Sidecars written: new or rewritten. */
  written: number;
  /** Sidecars left as they were: an `.xmp` photosync did not write is in the way. */
  foreign: number;
}

/**
 * Under which `sync.db` keeps, in a folder whose earlier files are stored elsewhere, the digest of each
 * sidecar it wrote (as resume points of this pseudo-source, keyed by item id): the sidecar is not there to
 * compare with.
 */
const WRITTEN = "xmp";

/**
 * Write the XMP sidecar of every placed item whose sidecar is missing or says something else than
 * `sync.db` now does. Items whose file is not there are passed over (a later run places them); in a
 * folder whose earlier files are stored elsewhere (`OutputTree.filesElsewhere`: a CI job's), the sidecar
 * of an item stored there is written when it says something else than the one last written (a later
 * export's date or description), and listed with the run's new files, for the job to store it too.
 * A full disk stops the pass (a {@link FileSystemError}); another failure to write one sidecar is
 * logged and the pass goes on.
 */
export async function writeXmpSidecars(
  { store, tree, logger, onFile }: {
    store: Store;
    tree: OutputTree;
    logger: Logger;
    /** Told of each sidecar written (relative path): a run's new files (`--new-files`) include them. */
    onFile?: (path: string) => void;
  },
): Promise<XmpResult> {
  const result: XmpResult = { written: 0, foreign: 0 };
  // Looked up per item only where digests are kept (a folder that ever had its files elsewhere).
  const lookup = tree.filesElsewhere || store.hasCheckpoints(WRITTEN)
    ? store.checkpointLookup(WRITTEN)
    : undefined;
  const written = (id: string) => lookup?.(id);
  /**
   * Digests of the sidecars written, to record: in a folder whose files are stored elsewhere, and, where one was
   * recorded so before, in any (a run without `--files-elsewhere` rewrote it: the next run with it compares).
   */
  const digests: { key: string; value: string }[] = [];
  const record = () => store.updateCheckpoints(WRITTEN, { put: digests.splice(0) });
  try {
    for (const row of store.downloaded()) {
      if (!row.path || row.size === null) continue;
      const here = tree.holds(row.path, row.size);
      if (!here && !(tree.filesElsewhere && tree.keeps(row.path, row.size))) continue;
      const path = xmpPathOf(row.path);
      // With what the items sharing its file (the same bytes from another source) know: their albums too.
      let fields = xmpFieldsOf(row, [...new Set(store.albumsOfFile(row.id).map((album) => album.title))]);
      for (const sharer of store.itemsSharing(row.id)) fields = withSharedFields(fields, xmpFieldsOf(sharer));
      const text = renderXmp(fields);
      const recorded = written(row.id);
      const digest = tree.filesElsewhere || recorded !== undefined
        ? createHash("sha256").update(text).digest("hex").slice(0, 16)
        : undefined;
      // A sidecar stored elsewhere is compared by its digest; one here, by its text (it may be gone).
      if (!here && recorded === digest) continue;
      const wrote = () => {
        if (digest === undefined || recorded === digest) return;
        digests.push({ key: row.id, value: digest });
        if (digests.length >= 1000) record();
      };
      if (tree.occupied(path)) {
        const was = await tree.readSmall(path);
        if (was === text) {
          wrote();
          continue;
        }
        if (was === undefined || !isOwnXmp(was)) {
          result.foreign++;
          logger.verbose(`kept ${path} (not photosync's): no XMP sidecar written for ${row.path}`);
          continue;
        }
      }
      try {
        await tree.writeSmall(path, text);
        wrote();
        result.written++;
        onFile?.(path);
      } catch (error) {
        if (error instanceof FileSystemError && /disk is full/.test(error.message)) throw error;
        logger.warn(`no XMP sidecar for ${row.path}: ${(error as Error).message}`);
      }
    }
  } finally {
    if (digests.length > 0) record();
    await tree.removeTemp();
  }
  if (result.written > 0) {
    logger.info(`${result.written} XMP ${result.written === 1 ? "sidecar" : "sidecars"} written`);
  }
  return result;
}

/** Remove the sidecar photosync wrote for item `id` next to its file at `path` (moved or removed); any other stays. */
export async function removeXmpSidecar(tree: OutputTree, path: string, id: string): Promise<void> {
  const xmp = xmpPathOf(path);
  if (!tree.occupied(xmp)) return;
  const text = await tree.readSmall(xmp);
  if (text !== undefined && isOwnXmp(text, id)) await tree.remove(xmp);
}
