/**
 * Writing a source's batches into the store, one transaction each, as they arrive.
 * @module
 */
import type { Logger } from "./logger.ts";
import type { ItemChanges, Store } from "./store.ts";
import type { Source } from "./source.ts";

/**
 * Index everything `source` yields into `store`; returns how many items were added and changed.
 * Once `signal` aborts, no further batch is taken (those written stay) and its reason is thrown.
 */
export async function ingest(
  store: Store,
  source: Source,
  logger: Logger,
  signal?: AbortSignal,
): Promise<ItemChanges> {
  const total: ItemChanges = { added: 0, updated: 0 };
  signal?.throwIfAborted();
  for await (const batch of source.index(store)) {
    signal?.throwIfAborted();
    // A remote source's metadata never holds the local time its download's bytes told: it stays.
    const { added, updated } = store.saveBatch(batch, { keepLocalTime: true });
    total.added += added;
    total.updated += updated;
    // Progress only: a line per page (most of them, or all, unchanged or empty) tells nothing.
    logger.progress({ indexed: total.added + total.updated });
    if (added + updated > 0) {
      logger.verbose(`indexed ${batch.items.length} items: ${added} new, ${updated} changed`);
    }
  }
  return total;
}
