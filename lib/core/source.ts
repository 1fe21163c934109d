/**
 * The interface of the sources that index, then transfer (`library`, `picker`): batches of
 * items for the shared store, and the bytes of pending items for the shared transfer pool
 * (`transfer.ts`). Takeout does not implement it: its bytes are already at hand, so its
 * importer (`lib/sources/takeout/import.ts`) stages each archive entry into the temporary folder
 * itself, over an `ArchiveSource` (local today; Drive or WebDAV would be one more). Both ways end
 * in the one shared place and record step (`place.ts`): checked path, collision rule, never over
 * a file photosync did not write, mtime, move into place, the `sync.db` row, album links.
 * @module
 */
import type { ItemBatch, ItemRow, SourceName, Store } from "./store.ts";

/**
 * A batch a source indexes: the items, the resume point, and what the run should say of them (one line
 * each: an item whose capture time is no date, say), which `ingest` says as warnings.
 */
export interface IndexBatch extends ItemBatch {
  warnings?: readonly string[];
}

/** A pending item whose path under the output directory is settled. */
export type PlacedRow = ItemRow & { path: string };

/** How to get one pending item's bytes. */
export interface Transfer {
  row: PlacedRow;
  /**
   * Open the bytes. Throws `TransientError` for a failure worth another try (the transfer
   * retries), `ItemError` to leave the item pending with a note, anything else to stop.
   */
  open(signal: AbortSignal): Promise<{ body: ReadableStream<Uint8Array>; size?: number }>;
}

/** A pending item that cannot be transferred now: `failed` (Google will not give it) or `deferred`. */
export interface Skipped {
  row: PlacedRow;
  skip: "failed" | "deferred";
  reason: string;
}

/** A source of media items. */
export interface Source {
  readonly name: SourceName;
  /**
   * New and changed items in batches, each carrying the resume point it reaches (and its warnings). The caller
   * writes each batch (in one transaction) before asking for the next; the store is passed
   * for reading the source's own checkpoints and what it already holds.
   */
  index(store: Store): AsyncIterable<IndexBatch>;
  /**
   * Turn a batch of pending rows into transfers (e.g. fetch fresh download URLs). Called for
   * a few batches ahead of the workers that drain them.
   */
  prepare(rows: readonly PlacedRow[]): Promise<(Transfer | Skipped)[]>;
}

/** The item could not be transferred this time; it stays pending with the message as a note. */
export class ItemError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ItemError";
  }
}

/**
 * The sources whose items a run can download again (a sync: the Library's by a fresh URL, picked ones while
 * their URLs last); a Takeout import's come back only from their archive.
 */
export const DOWNLOADABLE_SOURCES: ReadonlySet<string> = new Set(["library", "picker"]);
