/**
 * Room for XMP sidecars: a file an earlier photosync named at 252–255 bytes (names are cut at 251 since,
 * so that `<name>.xmp` fits in 255) can have no sidecar beside it. In a folder with `--xmp`, each such
 * file photosync placed, here as recorded, is renamed to the name the item maps to now, in the way a
 * corrected date moves a file (`Placer.move`: by the collision rule, never over a file; album links and an
 * edited sidecar follow), before the sidecars are written.
 * @module
 */
import { leavesRoomForXmp } from "./names.ts";
import { UnsafePathError } from "./output_tree.ts";
import { Placer, type PlacerOptions } from "./place.ts";

/** Whether the file name at the end of `path` leaves room for its sidecar's `.xmp`. */
const fits = (path: string) => leavesRoomForXmp(path.slice(path.lastIndexOf("/") + 1));

/**
 * Rename every placed file whose name leaves no room for its XMP sidecar to the name its item maps to now;
 * returns how many were renamed. Where each file is is noted first (`Store.refileFrom`, as for a corrected
 * date): a run stopped after the new name was claimed, before the file followed (`kill -9`), leaves the
 * next run (this pass, or `sync`'s and `pick`'s re-filing) to take it from there. A file not here (gone,
 * or stored elsewhere: a CI job's folder) is left as recorded (a note of another's kept), and so is one whose
 * way is blocked (a folder on the way is a link or a file: said in one line, tried again next run).
 */
export async function fitNamesForXmp(options: PlacerOptions): Promise<number> {
  const { store, tree, logger } = options;
  // Begun by a stopped run: the note names where the file was (its row may name the new path already).
  const begun = new Map<string, string>();
  for (const { id, was } of store.pendingRefiles()) if (was !== undefined && !fits(was)) begun.set(id, was);
  const found: { id: string; path: string }[] = [];
  for (const row of store.downloaded()) {
    if (!row.path || row.size === null || fits(row.path) || begun.has(row.id)) continue;
    if (tree.holds(row.path, row.size)) found.push({ id: row.id, path: row.path });
  }
  for (const { id, path } of found) {
    store.refileFrom(id, path);
    begun.set(id, path);
  }
  if (begun.size === 0) return 0;
  using placer = new Placer(options);
  let renamed = 0;
  for (const [id, was] of begun) {
    const row = store.item(id);
    if (row?.status === "downloaded" && row.path) {
      let to: string | undefined;
      try {
        to = await placer.move(id, new Date(row.createdMs), was);
      } catch (error) {
        if (!(error instanceof UnsafePathError)) throw error;
        logger.warn(`${was} not renamed to leave room for its XMP sidecar: ${error.message}`);
        continue;
      }
      // Not here (see `Placer.move`): left as recorded, and the note stays, for whoever brings the file back
      // (a download again, a Takeout entry read again: see `refileRedated`, `Committer.keepsFileOf`).
      if (to === undefined) continue;
      if (to !== was) {
        logger.event(`renamed ${was} -> ${to} (its name left no room for its XMP sidecar)`);
        renamed++;
      }
    }
    store.refiled(id);
  }
  if (renamed > 0) {
    logger.info(
      `renamed ${renamed} ${
        renamed === 1 ? "file" : "files"
      } whose name an earlier photosync cut at 252-255 ` +
        "bytes, leaving no room for an XMP sidecar beside it",
    );
  }
  return renamed;
}
