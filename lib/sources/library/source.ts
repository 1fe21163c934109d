/**
 * The Library API as a {@link Source}: sharded date searches into the store (each page with
 * the resume point it reaches), then fresh download URLs from batchGet for pending items.
 * @module
 */
import { type DateRange, FALLBACK_CAPTURE_MS, undatedItem } from "../../core/dates.ts";
import { itemFileName } from "../../core/names.ts";
import type { NewItem, Store } from "../../core/store.ts";
import { fetchMedia, mediaAnswer } from "../../google/http.ts";
import { TransientError } from "../../core/retry.ts";
import {
  type IndexBatch,
  ItemError,
  type PlacedRow,
  type Skipped,
  type Source,
  type Transfer,
} from "../../core/source.ts";
import type { LibraryClient } from "./client.ts";
import { creationMs, isVideo, type MediaItem } from "./media_item.ts";
import { searchRanges, spanDays } from "./search_ranges.ts";
import { decodeSearch, encodeSearch, type SearchPage, shardedSearch } from "./sharded_search.ts";

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
    async *index(store: Store): AsyncGenerator<IndexBatch> {
      const now = options.now();
      // Searches are recorded before they start and as they progress: an interrupted one resumes.
      // The window is computed from items dated up to tomorrow: one photo from a camera set to
      // 2031 must not stop the "newer than the newest" search (which finds such items too).
      const planned = searchRanges(options.dates, store.knownSpan("library", now + 86_400_000), now);
      store.updateCheckpoints("library", {
        put: planned.map((span) => encodeSearch({ key: crypto.randomUUID(), ...spanDays(span) })),
      });
      const searches = store.checkpoints("library").map(decodeSearch);
      for await (const pages of shardedSearch(client, searches, { now: options.now })) {
        const items = pages.flatMap((page) => page.items);
        yield {
          source: "library",
          items: items.map(toNewItem),
          checkpoint: checkpointOf(pages),
          warnings: items.filter((item) => creationMs(item) === undefined).map((item) =>
            undatedItem(item.id, item.filename ?? "", "creationTime", item.mediaMetadata?.creationTime)
          ),
        };
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

/**
 * What the store keeps of an item: everything but the short-lived `baseUrl`; its capture time, or
 * 1970-01-01 when it has none (the batch warns of it).
 */
function toNewItem(item: MediaItem): NewItem {
  const { baseUrl: _, ...kept } = item;
  return {
    id: item.id,
    source: "library",
    filename: itemFileName(item.filename ?? "", item.id, item.mimeType),
    createdMs: creationMs(item) ?? FALLBACK_CAPTURE_MS,
    isVideo: isVideo(item),
    json: JSON.stringify(kept),
  };
}

/**
 * The checkpoint change pages bring: each one's search narrowed, finished, or split into shards
 * (a search paged from both ends may be narrowed and finished in one batch: finished it stays).
 */
function checkpointOf(pages: readonly SearchPage[]) {
  const remove = new Set<string>();
  const put: { key: string; value: string }[] = [];
  for (const { search, outcome } of pages) {
    if (outcome.kind === "more") {
      put.push(encodeSearch(outcome.search), ...(outcome.added ?? []).map(encodeSearch));
    } else remove.add(search.key);
    if (outcome.kind === "split") put.push(...outcome.searches.map(encodeSearch));
  }
  return { remove: [...remove], put: put.filter(({ key }) => !remove.has(key)) };
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
