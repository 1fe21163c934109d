/**
 * Searching the library's days in about one call per page of items, many calls at once.
 *
 * The whole library is asked for its newest page (without a date filter: Google shows
 * future-dated items only to unfiltered searches, newest first) and its oldest page at once:
 * where the library starts, and how dense it is at both ends. The days between are cut into
 * shards expected to hold the same number of pages, the density interpolated between the ends.
 * A shard is searched newest first (with an explicit `orderBy`: Google documents an order only
 * with a date filter), and once its first page shows more than a page left, oldest first too,
 * until the two meet. A search that is not the whole library (an incremental range, `--dates`)
 * starts newest first and decides from its first page: page on, ask for its oldest page, or cut
 * into shards. Near the end of a run, searches that fall idle take over the middle of a shard
 * that still holds pages.
 *
 * Pages come out as they arrive, each saying what became of its search (narrowed, done, or cut
 * into shards), so that the store records every step with the page's items: an interrupted run
 * resumes where it stopped, and no day that a finished shard covered is searched again.
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
import { PageTokens } from "../../google/page_tokens.ts";
import { creationMs, type MediaItem } from "./media_item.ts";

const DAY_MS = 86_400_000;
/** The earliest day a date filter takes, as a day number. */
export const FIRST_DAY: number = dayNumber(EARLIEST);

/**
 * A search still to finish: the days from `start` to `end` (day numbers, both included), or to
 * the end of time when `end` is undefined (future-dated items included). Recorded as a
 * checkpoint, so that an interrupted run's next run picks it up where it stopped.
 */
export interface OpenSearch {
  key: string;
  start: number;
  end?: number;
}

/** One page of a search and what it means for that search. */
export interface SearchPage {
  search: OpenSearch;
  items: MediaItem[];
  /**
   * `more`: further pages follow; the days still to search are `search`'s (narrowed to those not
   * yet passed), and those of the `added` shards that took over part of them; `done`: the search
   * is complete; `split`: the rest of its days are searched as these shards instead.
   */
  outcome:
    | { kind: "more"; search: OpenSearch; added?: OpenSearch[] }
    | { kind: "done" }
    | { kind: "split"; searches: OpenSearch[] };
}

/** A search as a checkpoint value: `{start, end}` as `YYYY-MM-DD`; `""` for the earliest day and for no end. */
export function encodeSearch(search: OpenSearch): { key: string; value: string } {
  return {
    key: search.key,
    value: JSON.stringify({
      start: search.start <= FIRST_DAY ? "" : formatDate(fromDayNumber(search.start)),
      end: search.end === undefined ? "" : formatDate(fromDayNumber(search.end)),
    }),
  };
}

/** The search recorded as a checkpoint by {@link encodeSearch}. */
export function decodeSearch({ key, value }: { key: string; value: string }): OpenSearch {
  const { start, end } = JSON.parse(value) as { start: string; end: string };
  return {
    key,
    start: start === "" ? FIRST_DAY : dayNumber(parseDate(start)),
    ...(end === "" ? {} : { end: dayNumber(parseDate(end)) }),
  };
}

/** Searches in flight at once. */
export const SEARCH_CONCURRENCY = 16;
/** Turns of the event loop that the answers arriving together are gathered over before they are recorded. */
const MAX_TURNS = 4;
/** Shards one search is cut into, per search in flight, for a big library (each paged from both ends). */
const SHARDS_PER_LANE = 1.5;
/** Fewest pages a shard is planned to hold. */
const MIN_SHARD_PAGES = 4;
/** Pages left that a search pages through rather than cutting into shards, when it was not planned. */
const CONTINUE_PAGES = 3;
/** Rest longer than this, reaching back to the earliest day, is worth an oldest-first page to find the library's start. */
const PROBE_DAYS = 366;

/** Options of {@link shardedSearch}. */
export interface ShardedSearchOptions {
  /** The clock (epoch ms) deciding which days are in the future. */
  now: () => number;
  /** Searches in flight at once (default {@link SEARCH_CONCURRENCY}). */
  concurrency?: number;
}

/** A search being run, with what its pages showed. */
interface Shard {
  search: OpenSearch;
  /** Items per day near `end`, from a newest-first page. */
  top?: number;
  /** Items per day near `start`, from an oldest-first page. */
  bottom?: number;
  /** It pages through to its end: no further cut. */
  committed?: boolean;
  /** Expected pages left: the longest goes first. */
  left: number;
  /** Paged from both ends at once: its newest-first and oldest-first searches meet in the middle. */
  paired?: boolean;
  /** The oldest creation time its newest-first pages showed: it saw every later item. */
  newestChainReached?: number;
  /** The newest creation time its oldest-first pages showed: it saw every earlier item. */
  oldestChainReached?: number;
  /** Complete (a page of its other end may still arrive). */
  done?: boolean;
  /** The latest task of each end, queued or in flight. */
  newest?: Task;
  oldest?: Task;
}

/** One page to ask for: a search's newest-first or oldest-first query. */
interface Task {
  shard: Shard;
  oldestFirst: boolean;
  /** Without a date filter (future-dated items are only found so). */
  unfiltered: boolean;
  /** The query's days, fixed at its first page: a page token is good for its own query only. */
  range?: DateRange;
  /** The same as day numbers. */
  days?: { start: number; end: number };
  pageToken?: string;
  /** The tokens its query's pages gave (shared by the tasks that page on): one given again is a loop. */
  tokens?: PageTokens;
}

/**
 * Pages of all `searches`, cut into shards and run `concurrency` at a time, in the order they
 * arrive: each yield holds the pages that arrived since the last one. The consumer must record
 * them (their outcomes included) before asking for more.
 */
export async function* shardedSearch(
  library: LibraryClient,
  searches: readonly OpenSearch[],
  options: ShardedSearchOptions,
): AsyncGenerator<SearchPage[]> {
  const concurrency = options.concurrency ?? SEARCH_CONCURRENCY;
  const queue: Task[] = [];
  const enqueue = (task: Task) => {
    task.shard[task.oldestFirst ? "oldest" : "newest"] = task;
    // Longest expected work first: its chain of pages is the run's critical path.
    const at = queue.findIndex((queued) => queued.shard.left < task.shard.left);
    queue.splice(at < 0 ? queue.length : at, 0, task);
  };
  const today = () => dayNumber(civilDate(options.now()));
  for (const search of searches) {
    const shard: Shard = { search, left: Infinity };
    enqueue({ shard, oldestFirst: false, unfiltered: reachesToday(search, today()) });
    // The whole library: where it starts (and how dense it is there) is asked at once.
    if (search.start <= FIRST_DAY && search.end === undefined) {
      shard.paired = true;
      enqueue({ shard, oldestFirst: true, unfiltered: false });
    }
  }
  type Settled = { task: Task; result: SearchResult } | { task: Task; error: unknown };
  const ready: Settled[] = [];
  let running = 0;
  let wake: (() => void) | undefined;
  /** Start queued tasks up to the limit. */
  const fill = () => {
    while (running < concurrency && queue.length > 0) {
      const task = queue.shift()!;
      if (task.pageToken === undefined && !task.unfiltered) {
        const { start, end = today() } = task.shard.search;
        task.days = { start, end: Math.min(end, today()) };
        task.range = { startDate: fromDayNumber(task.days.start), endDate: fromDayNumber(task.days.end) };
      }
      running++;
      library.searchPage(task.range, task.pageToken, task.oldestFirst ? "oldest" : "newest")
        .then((result): Settled => ({ task, result }), (error): Settled => ({ task, error }))
        .then((settled) => {
          running--;
          ready.push(settled);
          wake?.();
        });
    }
  };
  let failure: { error: unknown } | undefined;
  fill();
  while (running > 0 || ready.length > 0) {
    if (ready.length === 0) await new Promise<void>((resolve) => wake = resolve);
    const pages: SearchPage[] = [];
    for (let turns = 0; ready.length > 0 && turns < MAX_TURNS && !failure; turns++) {
      handle(ready.splice(0), pages);
      // Answers of one round come in a few milliseconds apart: let those on their way in be
      // read too, and their next requests go out, before the consumer records the pages.
      if (running > 0 && !failure) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // The pages that arrived before a failure are recorded first: a stop keeps them.
    yield pages;
    if (failure) throw failure.error;
  }

  /** Process answers: their pages into `pages`, their next tasks queued and started. */
  function handle(arrived: Settled[], pages: SearchPage[]) {
    for (const [index, settled] of arrived.entries()) {
      if ("error" in settled) {
        failure ??= { error: settled.error };
        return;
      }
      const { task, result } = settled;
      const { shard } = task;
      const search = shard.search;
      try {
        task.tokens ??= new PageTokens(describeQuery(task));
        task.tokens.next(result.nextPageToken);
      } catch (error) {
        failure ??= { error };
        return;
      }
      // Searches that nothing queued (or about to be) will keep busy: near the end of a run.
      const idle = concurrency - running - queue.length - (arrived.length - index - 1);
      const step = next(task, result, today(), idle);
      switch (step.kind) {
        case "done":
          pages.push({ search, items: result.items, outcome: { kind: "done" } });
          break;
        case "more": {
          shard.search = step.search;
          const added = step.added?.map((part) => part.search);
          pages.push({ search, items: result.items, outcome: { kind: "more", search: step.search, added } });
          step.tasks.forEach(enqueue);
          break;
        }
        case "split": {
          shard.done = true;
          const shards = step.parts.map((part) => planned({ key: crypto.randomUUID(), ...part }, step.pages));
          const searches = shards.map((part) => part.search);
          pages.push({ search, items: result.items, outcome: { kind: "split", searches } });
          shards.forEach((part) => enqueue({ shard: part, oldestFirst: false, unfiltered: false }));
          break;
        }
      }
      // The next requests go out before the consumer records these pages: the network waits for no one.
      fill();
    }
  }
}

type Step =
  | { kind: "done" }
  | { kind: "more"; search: OpenSearch; tasks: Task[]; added?: Shard[] }
  | { kind: "split"; parts: { start: number; end: number }[]; pages: number };

/** A task's query in words: `searching the library, 2020-01-01 to 2020-03-01 newest first`. */
function describeQuery(task: Task): string {
  const days = task.range
    ? `${formatDate(task.range.startDate)} to ${formatDate(task.range.endDate)}`
    : "all days";
  return `searching the library, ${days} ${task.oldestFirst ? "oldest" : "newest"} first`;
}

/** Whether a search reaches today or later: its newest days are found only unfiltered. */
function reachesToday(search: OpenSearch, today: number): boolean {
  return search.end === undefined || search.end >= today;
}

/** A shard of a cut, expected to hold `pages` pages, paged through to its end. */
function planned(search: OpenSearch, pages: number): Shard {
  return { search, left: pages, committed: true };
}

/**
 * The days of `search` still to search once a page of its `items` in that `order` is saved, or
 * undefined when none are left (an unfiltered page reached past its first day). Pages come in
 * order of creation time, so the days before the page's last item (newest first: the days after
 * it) were passed; the day of that item may hold more. Items without a readable creation time
 * say nothing about which days were passed.
 */
export function narrowed(
  search: OpenSearch,
  items: readonly MediaItem[],
  order: "newest" | "oldest",
): OpenSearch | undefined {
  const times = creationTimes(items);
  if (times.length === 0) return search;
  if (order === "oldest") {
    const reached = dayOf(Math.max(...times));
    if (search.end !== undefined && reached > search.end) return undefined;
    return { ...search, start: Math.max(search.start, reached) };
  }
  const reached = dayOf(Math.min(...times));
  if (reached < search.start) return undefined;
  return { ...search, end: Math.min(search.end ?? Infinity, reached) };
}

/**
 * The days of `search` left once a query over `days` (undefined: unfiltered, every day) ended,
 * or undefined when none are left.
 */
function unsearched(
  search: OpenSearch,
  days: { start: number; end: number } | undefined,
): OpenSearch | undefined {
  if (!days || (search.end !== undefined && search.end <= days.end)) return undefined;
  return { ...search, start: Math.max(search.start, days.end + 1) };
}

/** What a page means for its search, and what to ask next; `idle` searches could run beside. */
function next(task: Task, result: SearchResult, today: number, idle: number): Step {
  const { shard } = task;
  if (shard.done) return { kind: "done" };
  const times = creationTimes(result.items);
  if (times.length > 0 && task.oldestFirst) {
    shard.oldestChainReached = Math.max(shard.oldestChainReached ?? -Infinity, ...times);
  } else if (times.length > 0) {
    shard.newestChainReached = Math.min(shard.newestChainReached ?? Infinity, ...times);
  }
  const rest = result.nextPageToken
    ? narrowed(shard.search, result.items, task.oldestFirst ? "oldest" : "newest")
    : unsearched(shard.search, task.days);
  // Paged from both ends, a search is complete once the ends passed each other: every item is
  // later than the oldest the newest-first pages showed, or earlier than the newest the
  // oldest-first pages showed (items of the very same time may lie on either side unseen).
  const met = shard.paired && shard.oldestChainReached! > shard.newestChainReached!;
  if (!rest || met) {
    shard.done = true;
    return { kind: "done" };
  }
  if (!result.nextPageToken) {
    // A filtered query ended short of the future-dated days: the newest-first one beside it
    // (unfiltered) finds them, or a new one does.
    const other = shard.paired && !task.unfiltered;
    shard.paired = false;
    return {
      kind: "more",
      search: rest,
      tasks: other ? [] : [{ shard, oldestFirst: false, unfiltered: true }],
    };
  }
  const continued: Step & { kind: "more" } = {
    kind: "more",
    search: rest,
    tasks: [{ ...task, pageToken: result.nextPageToken }],
  };
  // Still among future-dated items (or today's), which only an unfiltered search finds: page on.
  if (task.unfiltered && reachesToday(rest, today)) return continued;
  const perDay = density(times.filter((time) => dayOf(time) < today), task.oldestFirst ? "newest" : "oldest");
  if (shard.committed) {
    shard.left = Math.max(0, shard.left - 1);
    const left = perDay === undefined
      ? Infinity
      : estimate(rest.start, rest.end!, perDay, perDay) / PAGE_SIZE;
    if (idle >= 2 && perDay !== undefined) {
      const shared = shareRest(task, rest as Required<OpenSearch>, continued, idle, perDay);
      if (shared !== continued) return shared;
    }
    // More than a page left after a shard's first page (or searches idle): page it from the
    // other end too. An empty or one-page shard costs a single search.
    if (!shard.paired && left >= 1 && (task.pageToken === undefined || idle > 0)) {
      shard.paired = true;
      continued.tasks.push({ shard, oldestFirst: !task.oldestFirst, unfiltered: false });
    }
    return continued;
  }
  if (task.oldestFirst) shard.bottom = perDay ?? shard.bottom;
  else shard.top = perDay ?? shard.top;
  return decide(task, rest as Required<OpenSearch>, continued);
}

/**
 * Near the end of a run searches fall idle while a shard still holds pages: the middle of its
 * days goes to new shards (paged from both ends) for them, sized so that all end together; its
 * own searches keep the ends (the newest days, and the oldest when it is paged from both ends),
 * each stopping where its part ends.
 */
function shareRest(
  task: Task,
  rest: Required<OpenSearch>,
  continued: Step & { kind: "more" },
  idle: number,
  perDay: number,
): Step {
  const { shard } = task;
  const pages = estimate(rest.start, rest.end, perDay, perDay) / PAGE_SIZE;
  const paired = shard.paired === true;
  const ends = paired ? 2 : 1;
  // A middle shard has two searches: it takes twice an end's share.
  const middle = Math.min(Math.floor(idle / 2), Math.floor((pages - ends) / 2));
  if (middle < 1 || rest.end - rest.start + 1 < middle + ends) return continued;
  const share = pages / (ends + 2 * middle);
  const [oldestEnd, newestEnd] = [paired || task.oldestFirst, paired || !task.oldestFirst];
  const sizes = [
    ...(oldestEnd ? [share] : []),
    ...Array(middle).fill(2 * share),
    ...(newestEnd ? [share] : []),
  ];
  const parts = cutAt(rest.start, rest.end, perDay, perDay, sizes);
  if (parts.length < sizes.length) return continued;
  const oldestPart = oldestEnd ? parts.shift() : undefined;
  const newestPart = newestEnd ? parts.pop() : undefined;
  const added: Shard[] = [];
  const tasks = [...continued.tasks];
  if (paired) {
    // The other end's search, queued or in flight, goes on as a shard of its own.
    const other = task.oldestFirst ? shard.newest! : shard.oldest!;
    const moved = planned(
      { key: crypto.randomUUID(), ...(task.oldestFirst ? newestPart! : oldestPart!) },
      share,
    );
    moved[other.oldestFirst ? "oldest" : "newest"] = other;
    other.shard = moved;
    added.push(moved);
    shard.paired = false;
  }
  // What the other end reached no longer bounds this shard's days.
  shard[task.oldestFirst ? "newestChainReached" : "oldestChainReached"] = undefined;
  for (const part of parts) {
    const piece = planned({ key: crypto.randomUUID(), ...part }, 2 * share);
    added.push(piece);
    tasks.push({ shard: piece, oldestFirst: false, unfiltered: false });
  }
  const own = task.oldestFirst ? oldestPart! : newestPart!;
  shard.left = share;
  return { kind: "more", search: { ...rest, ...own }, tasks, added };
}

/**
 * After a page of a search not yet committed to paging through: page on (from both ends when
 * there is more than a page), ask for its oldest page (to find where the library starts), or cut
 * the rest into shards.
 */
function decide(task: Task, rest: Required<OpenSearch>, continued: Step & { kind: "more" }): Step {
  const { shard } = task;
  const days = rest.end - rest.start + 1;
  const perDay = shard.top ?? shard.bottom;
  const commit = (pages: number): Step => {
    shard.committed = true;
    shard.left = pages;
    if (pages >= 1.5 && !shard.paired) {
      shard.paired = true;
      continued.tasks.push({ shard, oldestFirst: !task.oldestFirst, unfiltered: false });
    }
    return continued;
  };
  // One day left (a burst): page it from both ends. A page within one day of many tells no
  // density: page on until one does.
  if (days <= 1) return commit(Infinity);
  // Paged from both ends to find where the library starts: page on until both ends were seen.
  if (shard.paired && (shard.top === undefined || shard.bottom === undefined)) return continued;
  if (perDay === undefined) return continued;
  const [bottom, top] = [shard.bottom ?? perDay, shard.top ?? perDay];
  const pages = estimate(rest.start, rest.end, bottom, top) / PAGE_SIZE;
  if (
    !task.oldestFirst && shard.bottom === undefined && rest.start <= FIRST_DAY && days > PROBE_DAYS &&
    pages > CONTINUE_PAGES
  ) {
    return { kind: "more", search: rest, tasks: [{ shard, oldestFirst: true, unfiltered: false }] };
  }
  if (pages <= CONTINUE_PAGES) return commit(pages);
  const cut = cutShards(rest.start, rest.end, bottom, top, pages);
  return cut.parts.length > 1 ? { kind: "split", ...cut } : commit(pages);
}

/** Expected items on the days `start`..`end` when the density runs linearly from `bottom` to `top` items per day. */
function estimate(start: number, end: number, bottom: number, top: number): number {
  return ((end - start + 1) * (bottom + top)) / 2;
}

/**
 * The days `start`..`end` cut into contiguous shards (oldest first) expected to hold about the
 * same number of pages, the density running linearly from `bottom` (at `start`) to `top` (at
 * `end`) items per day: {@link SHARDS_PER_LANE} per search in flight for a big library (each is
 * paged from both ends, so that the searches in flight stay busy and end together), of
 * {@link MIN_SHARD_PAGES} pages at least. Exported for its unit test.
 */
export function cutShards(
  start: number,
  end: number,
  bottom: number,
  top: number,
  pages = estimate(start, end, bottom, top) / PAGE_SIZE,
): { parts: { start: number; end: number }[]; pages: number } {
  const count = Math.max(
    1,
    Math.min(Math.round(SHARDS_PER_LANE * SEARCH_CONCURRENCY), Math.floor(pages / MIN_SHARD_PAGES)),
  );
  const parts = cutAt(start, end, bottom, top, Array(count).fill(pages / count));
  return { parts, pages: pages / parts.length };
}

/**
 * The days `start`..`end` cut into contiguous parts (oldest first) expected to hold `sizes`
 * pages each, the density running linearly from `bottom` to `top` items per day; the last takes
 * what is left. Fewer parts when the days run out.
 */
function cutAt(
  start: number,
  end: number,
  bottom: number,
  top: number,
  sizes: readonly number[],
): { start: number; end: number }[] {
  const days = end - start + 1;
  const parts: { start: number; end: number }[] = [];
  let partStart = start;
  let held = 0;
  for (let day = start; day <= end && parts.length < sizes.length - 1; day++) {
    const perDay = days === 1 ? top : bottom + ((top - bottom) * (day - start)) / (days - 1);
    // A day goes to the part that it fills the less.
    if (held > 0 && (held + perDay / 2) > sizes[parts.length] * PAGE_SIZE) {
      parts.push({ start: partStart, end: day - 1 });
      partStart = day;
      held = 0;
    }
    held += perDay;
  }
  parts.push({ start: partStart, end });
  return parts;
}

/**
 * Items per day shown by a page's creation times (ms), measured near its `edge`: the page's
 * count over its time span, a burst day counted as an ordinary one. Undefined when the page
 * spans too little to tell.
 */
export function density(times: readonly number[], edge: "oldest" | "newest"): number | undefined {
  if (times.length < 2) return undefined;
  const sorted = [...times].sort((a, b) => a - b);
  // The half of the page nearest the edge: the days beyond it are what the density is for.
  const half = edge === "oldest"
    ? sorted.slice(0, Math.ceil(sorted.length / 2))
    : sorted.slice(sorted.length >> 1);
  const span = (half[half.length - 1] - half[0]) / DAY_MS;
  if (span < 1) return undefined;
  const perDay = new Map<number, number>();
  for (const time of half) perDay.set(dayOf(time), (perDay.get(dayOf(time)) ?? 0) + 1);
  const counts = [...perDay.values()].sort((a, b) => a - b);
  const median = counts[counts.length >> 1];
  const excess = counts.reduce((sum, count) => sum + Math.max(0, count - 3 * median), 0);
  return Math.max(half.length - 1 - excess, 1) / span;
}

/** The creation times (ms) of the items that have a readable one. */
function creationTimes(items: readonly MediaItem[]): number[] {
  const times: number[] = [];
  for (const item of items) {
    const ms = creationMs(item);
    if (ms !== undefined) times.push(ms);
  }
  return times;
}

function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
