/**
 * Writing a source's batches into the store, one transaction each, as they arrive.
 * @module
 */
import type { Logger } from "./logger.ts";
import { Placer, type PlacerOptions } from "./place.ts";
import type { ItemChanges, Store } from "./store.ts";
import { UnsafePathError } from "./output_tree.ts";
import { DOWNLOADABLE_SOURCES, type Source } from "./source.ts";

/**
 * Index everything `source` yields into `store`, saying each batch's warnings (once a run); returns how
 * many items were added and changed.
 * Once `signal` aborts, no further batch is taken (those written stay) and its reason is thrown.
 */
export async function ingest(
  store: Store,
  source: Source,
  logger: Logger,
  signal?: AbortSignal,
): Promise<ItemChanges> {
  const total: ItemChanges = { added: 0, updated: 0, others: 0 };
  // Searches may list an item twice (days at their edges are searched again): said once.
  const warned = new Set<string>();
  signal?.throwIfAborted();
  for await (const batch of source.index(store)) {
    signal?.throwIfAborted();
    for (const warning of batch.warnings ?? []) {
      if (!warned.has(warning)) logger.warn(warning);
      warned.add(warning);
    }
    // A remote source's metadata never holds the local time its download's bytes told: it stays.
    const { added, updated, others } = store.saveBatch(batch, { keepLocalTime: true, noteRefiles: true });
    total.added += added;
    total.updated += updated;
    total.others += others;
    // Progress only: a line per page (most of them, or all, unchanged or empty) tells nothing.
    logger.progress({ indexed: total.added + total.updated });
    if (added + updated > 0) {
      logger.verbose(`indexed ${batch.items.length} items: ${added} new, ${updated} changed`);
    }
  }
  return total;
}

/** What {@link refileRedated} did. */
export interface Refiled {
  /** Files moved to their corrected day. */
  moved: number;
  /** Files that could not be moved (a folder on the way is a link or a file): left where they are, tried again next run. */
  failed: number;
}

/**
 * Move the files of the items whose capture time changed (a date corrected in Google Photos: noted by
 * `Store.saveBatch`, also by a run stopped before it moved them) to the folder it maps to now, with it
 * as their mtime; album links and XMP sidecars follow (`Placer.move`: by the collision rule, never
 * over a file). A file another source's item holds (the same bytes, stored once) moves with that
 * item, which takes the date too. A Library or picked item's file that is not in the folder is fetched
 * again (pending, at no path: it goes to its new day), never recorded where no file is.
 *
 * Where the file is is noted before the move (`Store.refileFrom`): a run stopped between the claim of
 * the new path and the file's move leaves the next run to take it from there, not to fetch it again
 * (nor to find it gone, when the item was deleted in Google Photos since) and leave it untracked. A
 * folder on the way that is a link or a file fails that item only, with the reason: it stays where it
 * is, noted still.
 */
export async function refileRedated(
  options: PlacerOptions & {
    /** Items whose move failed earlier in the run (added to): not tried, nor warned of, again. */
    notMoved?: Set<string>;
  },
): Promise<Refiled> {
  const { store, notMoved = new Set() } = options;
  const notes = store.pendingRefiles().filter(({ id }) => !notMoved.has(id));
  const result: Refiled = { moved: 0, failed: 0 };
  if (notes.length === 0) return result;
  using placer = new Placer(options);
  for (const { id, was: noted } of notes) {
    let row = store.item(id);
    const holder = row?.fileOf ? store.item(row.fileOf) : undefined;
    if (row && holder && holder.createdMs !== row.createdMs) {
      store.setCreatedMs(holder.id, row.createdMs);
      row = store.item(holder.id);
    }
    if (row?.status === "downloaded" && row.path) {
      // The first move's start is what counts: a later run's row may name the path claimed then.
      const was = noted ?? row.path;
      if (noted === undefined) store.refileFrom(id, was);
      // One photo, one date: the items sharing the file take it too (see `shared_date.ts`). Before the move: the
      // note goes as the file arrives (see `Placer.move`), and a run stopped after that would not come back here.
      for (const sharer of store.itemsSharing(row.id)) store.setCreatedMs(sharer.id, row.createdMs);
      let path: string | undefined;
      try {
        path = await placer.move(row.id, new Date(row.createdMs), was);
      } catch (error) {
        if (!(error instanceof UnsafePathError)) throw error;
        options.logger.warn(`${was} not moved to its corrected date: ${error.message}`);
        notMoved.add(id);
        result.failed++;
        continue;
      }
      if (path !== undefined) {
        options.logger.event(`re-dated ${path}`);
        result.moved++;
      } else if (DOWNLOADABLE_SOURCES.has(row.source)) {
        // Not in this folder (deleted; or a CI job's, which holds only its run's new files): recorded
        // there no longer, it is fetched again, to its new day. Named where it was looked for: a resumed
        // move's row names the path claimed for it, where the file never was.
        store.refetch(row.id);
        options.logger.event(`${was} is not here: to be downloaded again to its corrected date`);
      } else {
        // A Takeout import's file, which only its archive brings back: noted still, moved once it is here.
        continue;
      }
    }
    store.refiled(id);
  }
  return result;
}
