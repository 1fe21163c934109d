/**
 * Searching many date shards at once. A search whose first page shows it holds more than a
 * page is split into smaller date ranges (sized from how dense that page was) that are
 * searched concurrently; a single day with more than a page is paged through. Pages come
 * out as they arrive, each saying what became of its search, so that the store can record
 * every step and an interrupted run resumes where it stopped.
 * @module
 */
import {
  civilDate,
  type DateRange,
  dayNumber,
  EARLIEST,
  formatDate,
  fromDayNumber,
  parseDate,
} from "../../core/dates.ts";
import { type LibraryClient, PAGE_SIZE, type SearchResult } from "./client.ts";
import { creationMs, type MediaItem } from "./media_item.ts";

/**
 * A search still to finish: the days left to search (both ends included, newest first), or
 * the whole library when `range` is undefined. Recorded as a checkpoint so that an
 * interrupted run's next run picks it up where it stopped.
 */
export interface OpenSearch {
  key: string;
  range?: DateRange;
}

/** One page of a search and what it means for that search. */
export interface SearchPage {
  search: OpenSearch;
  items: MediaItem[];
  /**
   * `more`: further pages follow (its days narrow to those not yet passed); `done`: the search
   * is complete; `split`: the rest of its days are searched as these smaller searches instead.
   */
  outcome: { kind: "more" } | { kind: "done" } | { kind: "split"; searches: OpenSearch[] };
}

/** The days still to search once a page with `items` of `search` is saved (pages come newest first). */
export function narrowed(search: OpenSearch, items: readonly MediaItem[]): OpenSearch {
  if (items.length === 0) return search;
  const reached = civilDate(Math.min(...items.map(creationMs)));
  const endDate = search.range && dayNumber(search.range.endDate) < dayNumber(reached)
    ? search.range.endDate
    : reached;
  return { key: search.key, range: { startDate: search.range?.startDate ?? EARLIEST, endDate } };
}

/** A search as a checkpoint value: `{start, end}` as `YYYY-MM-DD`, both empty for the whole library. */
export function encodeSearch(search: OpenSearch): { key: string; value: string } {
  const { range } = search;
  return {
    key: search.key,
    value: JSON.stringify({
      start: range ? formatDate(range.startDate) : "",
      end: range ? formatDate(range.endDate) : "",
    }),
  };
}

/** The search recorded as a checkpoint by {@link encodeSearch}. */
export function decodeSearch({ key, value }: { key: string; value: string }): OpenSearch {
  const { start, end } = JSON.parse(value) as { start: string; end: string };
  return { key, range: start === "" ? undefined : { startDate: parseDate(start), endDate: parseDate(end) } };
}

/** Searches in flight at once. */
export const SEARCH_CONCURRENCY = 16;
/** Most parts one search is split into at a time. */
const MAX_PARTS = 32;

interface Task {
  search: OpenSearch;
  pageToken?: string;
}

/**
 * Pages of all `searches`, split and run `concurrency` at a time, in the order they arrive.
 * The consumer must record each page (its outcome included) before asking for the next.
 */
export async function* shardedSearch(
  library: LibraryClient,
  searches: readonly OpenSearch[],
  concurrency = SEARCH_CONCURRENCY,
): AsyncGenerator<SearchPage> {
  const queue: Task[] = searches.map((search) => ({ search }));
  const running = new Map<Promise<Settled>, Task>();
  type Settled = { task: Task; result?: SearchResult; error?: unknown };
  for (;;) {
    while (running.size < concurrency && queue.length > 0) {
      const task = queue.shift()!;
      const promise: Promise<Settled> = library.searchPage(task.search.range, task.pageToken).then(
        (result) => ({ task, result }),
        (error) => ({ task, error }),
      );
      running.set(promise, task);
    }
    if (running.size === 0) return;
    const settled = await Promise.race(running.keys());
    running.delete([...running.entries()].find(([, task]) => task === settled.task)![0]);
    if (settled.error !== undefined) throw settled.error;
    const { task: { search }, result } = settled as Required<Settled>;
    if (!result.nextPageToken) {
      yield { search, items: result.items, outcome: { kind: "done" } };
      continue;
    }
    const parts = splitRest(search.range, result.items);
    if (parts) {
      const searches = parts.map((range) => ({ key: crypto.randomUUID(), range }));
      yield { search, items: result.items, outcome: { kind: "split", searches } };
      queue.push(...searches.map((part) => ({ search: part })));
    } else {
      yield { search, items: result.items, outcome: { kind: "more" } };
      queue.push({ search, pageToken: result.nextPageToken });
    }
  }
}

/**
 * The days of `range` not covered by `items` (its newest page), cut into parts expected to
 * hold about a page each, or undefined when they are a single day (or the page was empty).
 * The parts are contiguous and oldest first; the oldest day of the page is searched again, as
 * it may hold more items than the page showed. Exported for its unit test; callers use
 * {@link shardedSearch}.
 */
export function splitRest(
  range: DateRange | undefined,
  items: readonly MediaItem[],
): DateRange[] | undefined {
  if (items.length === 0) return undefined;
  const times = items.map(creationMs);
  const first = dayNumber(range?.startDate ?? EARLIEST);
  const last = dayNumber(civilDate(Math.min(...times)));
  const newest = range ? dayNumber(range.endDate) : dayNumber(civilDate(Math.max(...times)));
  const restDays = last - first + 1;
  if (restDays <= 1) return undefined;
  const density = items.length / Math.max(1, newest - last + 1);
  const parts = Math.min(MAX_PARTS, restDays, Math.max(2, Math.ceil((restDays * density) / PAGE_SIZE)));
  return Array.from({ length: parts }, (_, i) => {
    const start = first + Math.floor((restDays * i) / parts);
    const end = first + Math.floor((restDays * (i + 1)) / parts) - 1;
    return { startDate: fromDayNumber(start), endDate: fromDayNumber(end) };
  });
}
