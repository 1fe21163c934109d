/**
 * The Library API as a {@link Source}: sharded date searches into the store (each page with
 * the resume point it reaches), then fresh download URLs from batchGet for pending items.
 * @module
 */
import type { DateRange } from "../../core/dates.ts";
import type { ItemBatch, NewItem, Store } from "../../core/store.ts";
import { fetchMedia, mediaAnswer } from "../../google/http.ts";
import { TransientError } from "../../core/retry.ts";
import { ItemError, type PlacedRow, type Skipped, type Source, type Transfer } from "../../core/source.ts";
import type { LibraryClient } from "./client.ts";
import { creationMs, isVideo, type MediaItem } from "./media_item.ts";
import { searchRanges } from "./search_ranges.ts";
import { decodeSearch, encodeSearch, narrowed, type SearchPage, shardedSearch } from "./sharded_search.ts";

/** Options of {@link librarySource}. */
export interface LibrarySourceOptions {
  /** Which days to search: a range, `"all"`, or by default the incremental ranges. */
  dates?: DateRange | "all";
  now: () => number;
  fetch?: typeof fetch;
}

/** The Library API source, reached through `client`. */
export function librarySource(client: LibraryClient, options: LibrarySourceOptions): Source {
  return {
    name: "library",
    async *index(store: Store): AsyncGenerator<ItemBatch> {
      const now = options.now();
      // Searches are recorded before they start and as they progress: an interrupted one resumes.
      // The window is computed from items dated up to tomorrow: one photo from a camera set to
      // 2031 must not stop the "newer than the newest" search.
      const planned = searchRanges(options.dates, store.knownSpan("library", now + 86_400_000), now);
      store.updateCheckpoints("library", {
        put: planned.map((range) => encodeSearch({ key: crypto.randomUUID(), range })),
      });
      const searches = store.checkpoints("library").map(decodeSearch);
      for await (const page of shardedSearch(client, searches)) {
        yield { source: "library", items: page.items.map(toNewItem), checkpoint: checkpointOf(page) };
      }
    },
    async prepare(rows) {
      const answers = await client.batchGet(rows.map((row) => row.id));
      return answers.map((answer, index): Transfer | Skipped => {
        const row = rows[index];
        if ("error" in answer) return { row, skip: "failed", reason: answer.error };
        const status = answer.item.mediaMetadata?.video?.status;
        if (isVideo(answer.item) && status !== undefined && status !== "READY") {
          return { row, skip: "deferred", reason: `video not ready (${status}); a later run downloads it` };
        }
        return mediaTransfer(row, answer.item, client, options.fetch ?? fetch);
      });
    },
  };
}

/** What the store keeps of an item: everything but the short-lived `baseUrl`. */
function toNewItem(item: MediaItem): NewItem {
  const { baseUrl: _, ...kept } = item;
  return {
    id: item.id,
    source: "library",
    filename: item.filename ?? "",
    createdMs: creationMs(item),
    isVideo: isVideo(item),
    json: JSON.stringify(kept),
  };
}

/** The checkpoint change a page brings: its search narrowed, finished, or split into parts. */
function checkpointOf({ search, items, outcome }: SearchPage) {
  switch (outcome.kind) {
    case "more":
      return { put: [encodeSearch(narrowed(search, items))] };
    case "done":
      return { remove: [search.key] };
    case "split":
      return { remove: [search.key], put: outcome.searches.map(encodeSearch) };
  }
}

/**
 * Downloading an item's bytes from its `baseUrl` (`=d` photos, `=dv` videos). An expired URL
 * is renewed by the next attempt, with one batchGet call: the transfer's retries are the only
 * retry layer around it.
 */
function mediaTransfer(
  row: PlacedRow,
  first: MediaItem,
  client: LibraryClient,
  fetcher: typeof fetch,
): Transfer {
  let item: MediaItem | undefined = first;
  const suffix = isVideo(first) ? "=dv" : "=d";
  return {
    row,
    async open(signal) {
      if (!item) {
        const [answer] = await client.batchGet([row.id], { once: true });
        if ("error" in answer) throw new ItemError(answer.error);
        item = answer.item;
      }
      const response = await fetchMedia(fetcher, item.baseUrl + suffix, { signal });
      if (response.status === 403 || response.status === 404) {
        // The baseUrl expired: the next attempt, at once, asks for a fresh one.
        await response.body?.cancel();
        item = undefined;
        throw new TransientError(`download URL expired (HTTP ${response.status})`, { retryAfterMs: 0 });
      }
      return await mediaAnswer(response);
    },
  };
}
