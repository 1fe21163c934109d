/**
 * The ranged requests of one run, shared by all its zips (`ranged_zip.ts`): how many run at once,
 * which goes first, and whether the import is waiting on the network.
 *
 * - At most {@link RangeFetchesOptions.large} requests for large spans and
 *   {@link RangeFetchesOptions.small} for small ones (sidecars) run at once. A request waits its turn
 *   by its order: the plan it belongs to (an earlier plan first: the catalog's, then the import's
 *   zips in the order they are imported), then its place in the file. So the span the reader needs
 *   next is fetched first instead of sharing the connection with every span of every part (with all
 *   fetched at once, 12 spans of 3 parts in the benchmark, the one being read came at a fraction of the
 *   speed and the import waited for it).
 * - A reader that waits for bytes of a large span is said ({@link RangeFetches.waiting}); when
 *   readers waited over half of each of the last two periods of {@link PERIOD_MS}, the import is
 *   {@link RangeFetches.networkBound}: spans fetched ahead then run on into spool files, so that
 *   several connections fill what one cannot; otherwise they wait with a small window each, and
 *   nothing is written twice.
 * - Every request's timing is told ({@link RangeFetches.request}): what the link carries a millisecond and
 *   how long a request waits for its first byte, whose product ({@link RangeFetches.bandwidthDelay}) is
 *   what a request costs in bytes: `ranged_zip.ts` joins wanted entries into one span only where fewer
 *   bytes lie between them.
 * @module
 */

/** How long a stretch of reading is judged at once (network-bound or not). */
export const PERIOD_MS = 250;
/**
 * The share of a period readers waited that, two periods in a row, makes the import network-bound.
 * Less is not the network's doing alone: readers also wait while the thread that takes the bytes
 * in is busy (in the benchmark, with the network far faster than the import, readers waited a
 * third to a half of the first second and a tenth after it).
 */
const WAITED_SHARE = 0.5;
/** Periods in a row over {@link WAITED_SHARE} that make the import network-bound. */
const PERIODS_OVER = 2;
/** How long readers wait without a break before the periods are judged as they end (see `waiting`). */
const STALLED_MS = 1_000;

/** First-byte waits kept for {@link RangeFetches.bandwidthDelay} (the latest). */
const LATENCIES_KEPT = 64;

/** How many requests of each kind run at once, and the clock (tests give their own). */
export interface RangeFetchesOptions {
  /** Requests for large spans at once (default 4). */
  large?: number;
  /** Requests for small spans (a sidecar or a few) at once (default 32). */
  small?: number;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
  /**
   * The link's {@link RangeFetches.bandwidthDelay} until this run's requests tell one: an earlier run's,
   * for a run that reads nothing before its first plan (the directories kept, `pass_memory.ts`).
   */
  bandwidthDelay?: number;
}

/**
 * One request's timing, as its reader sees it (`range_read.ts`): made as the request is sent, told when
 * the reader begins to wait for the next bytes and when they come.
 */
export interface RequestTiming {
  /** The reader asks for the next bytes. */
  waiting(): void;
  /** `count` bytes came (the first time: the request's first bytes). */
  received(count: number): void;
  /** The request is over (read to its end, broken, cancelled); more calls of any kind do nothing. */
  ended(): void;
}

/** Where a request stands in line: its plan's rank ({@link RangeFetches.rank}), then its first byte. */
export type FetchOrder = readonly [rank: number, start: number];

interface Waiter {
  order: FetchOrder;
  go: () => void;
}

/** One kind's slots: `free` of them, then a line kept in order. */
class Slots {
  #free: number;
  readonly #line: Waiter[] = [];

  constructor(count: number) {
    this.#free = count;
  }

  take(order: FetchOrder, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        order,
        go: () => {
          signal?.removeEventListener("abort", abort);
          resolve(this.#releaser());
        },
      };
      const abort = () => {
        const at = this.#line.indexOf(waiter);
        if (at >= 0) this.#line.splice(at, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", abort, { once: true });
      // Few wait at once (the spans ahead of each zip): a sorted insert is enough.
      let at = this.#line.length;
      while (at > 0 && before(order, this.#line[at - 1].order)) at--;
      this.#line.splice(at, 0, waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#line.shift();
      if (next) next.go();
      else this.#free++;
    };
  }
}

function before(a: FetchOrder, b: FetchOrder): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * One run's ranged requests.
 *
 * @example Requests go in order of their plan, then of their place in the file
 * ```ts
 * import assert from "node:assert/strict";
 * import { RangeFetches } from "./range_fetches.ts";
 *
 * const fetches = new RangeFetches({ large: 1 });
 * const first = await fetches.slot("large", [fetches.rank(), 0]);
 * const later = fetches.rank();
 * const started: string[] = [];
 * const b = fetches.slot("large", [later, 0]).then((release) => (started.push("later plan"), release));
 * const a = fetches.slot("large", [0, 500]).then((release) => (started.push("first plan"), release));
 * first();
 * (await a)();
 * (await b)();
 * assert.deepEqual(started, ["first plan", "later plan"]);
 * ```
 */
export class RangeFetches {
  readonly #large: Slots;
  readonly #small: Slots;
  readonly #now: () => number;
  readonly #assumed?: number;
  #ranks = 0;
  /** Readers waiting for bytes now, since when one has been, and for how long in this period. */
  #waiting = 0;
  #waitingSince = 0;
  #waited = 0;
  #periodStart: number;
  /** Periods in a row readers waited over {@link WAITED_SHARE} of. */
  #over = 0;
  #bound = false;
  readonly #wakes = new Set<() => void>();
  /** While readers have waited a while: judges each period as it ends (see {@link waiting}). */
  #judge?: ReturnType<typeof setTimeout>;
  /**
   * The link: bytes that came after a request's first, and the time some reader waited for such bytes
   * (the union over requests: two requests at once share the link), counted from when that began.
   */
  #linkBytes = 0;
  #linkMs = 0;
  #linkWaiting = 0;
  #linkSince = 0;
  /** The latest requests' waits for their first bytes, and those bytes. */
  readonly #latencies: { ms: number; bytes: number }[] = [];

  constructor(options: RangeFetchesOptions = {}) {
    const { large = 4, small = 32 } = options;
    for (const [name, value] of Object.entries({ large, small })) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
      }
    }
    this.#large = new Slots(large);
    this.#small = new Slots(small);
    this.#now = options.now ?? (() => performance.now());
    this.#assumed = options.bandwidthDelay;
    this.#periodStart = this.#now();
  }

  /** The rank of a plan made now: its requests go after those of every plan made before. */
  rank(): number {
    return ++this.#ranks;
  }

  /**
   * Wait for a slot of `kind` (its turn by `order`); call the function it gives once the request is
   * done (more calls do nothing). Rejects with `signal`'s reason when it aborts first.
   */
  slot(kind: "large" | "small", order: FetchOrder, signal?: AbortSignal): Promise<() => void> {
    return (kind === "large" ? this.#large : this.#small).take(order, signal);
  }

  /**
   * A reader began waiting for bytes of a large span; call the function it gives when it stops. Once
   * readers have waited {@link STALLED_MS} without a break, each period is judged as it ends, not only
   * when something calls in: every reader may be waiting for a span whose request waits for a slot,
   * every slot held by a span fetched ahead with a full window, which runs on only once the import is
   * judged network-bound (see {@link onNetworkBound}). Judged only when called, that stood still for
   * good. (Judged so from the first wait, an import turned network-bound too eagerly: spans spooled
   * that waited well before, the Drive bench 1.16x instead of 0.9x–1.0x and its peak RSS 205 MB.)
   */
  waiting(): () => void {
    this.#tally();
    if (this.#waiting++ === 0) {
      this.#waitingSince = this.#now();
      const judge = () => {
        this.#tally();
        this.#judge = setTimeout(judge, PERIOD_MS);
      };
      this.#judge = setTimeout(judge, STALLED_MS);
    }
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#tally();
      if (--this.#waiting === 0) {
        clearTimeout(this.#judge);
        this.#judge = undefined;
      }
    };
  }

  /**
   * Whether readers waited for bytes over half of each of the last two periods: the network is
   * slower than the import, and spans fetched ahead should not wait for it.
   */
  get networkBound(): boolean {
    this.#tally();
    return this.#bound;
  }

  /**
   * Call `wake` once the import becomes network-bound (at once if it is); the function it gives
   * takes that back.
   */
  onNetworkBound(wake: () => void): () => void {
    if (this.networkBound) {
      wake();
      return () => {};
    }
    this.#wakes.add(wake);
    return () => this.#wakes.delete(wake);
  }

  /**
   * A request is sent now: tell its reads to what it gives. Its first bytes' wait is a round trip (and
   * the store's time to answer); the bytes after come at the link's pace while its reader waits for them.
   */
  request(): RequestTiming {
    const sent = this.#now();
    let first = true;
    let waiting = false;
    let ended = false;
    /** The reader stops waiting: the time counts when bytes came (a request ended meanwhile brought none). */
    const stopWaiting = (counted: boolean) => {
      if (!waiting) return;
      waiting = false;
      if (first) return;
      if (--this.#linkWaiting === 0 && counted) this.#linkMs += this.#now() - this.#linkSince;
    };
    return {
      waiting: () => {
        if (ended || waiting) return;
        waiting = true;
        if (!first && this.#linkWaiting++ === 0) this.#linkSince = this.#now();
      },
      received: (count) => {
        if (ended) return;
        if (first) {
          this.#latencies.push({ ms: this.#now() - sent, bytes: count });
          if (this.#latencies.length > LATENCIES_KEPT) this.#latencies.shift();
          waiting = false;
          first = false;
          return;
        }
        this.#linkBytes += count;
        stopWaiting(true);
      },
      ended: () => {
        stopWaiting(false);
        ended = true;
      },
    };
  }

  /**
   * The link's bandwidth-delay product in bytes: the bytes it carries in the time a request waits for its
   * first byte. Fetching fewer bytes than this takes less time than another request's round trip. The
   * pace is all bytes after requests' first over the time readers waited for them; the wait is the least
   * of the latest requests' (the others also waited behind other requests' bytes), less the time its
   * first bytes took to come at that pace (a server that paces its answers, as `rclone --bwlimit` does,
   * sends the first bytes once they are paid for). Until some request's bytes told a pace, the one given
   * ({@link RangeFetchesOptions.bandwidthDelay}), if any; `Infinity` when they came faster than the clock
   * tells.
   */
  get bandwidthDelay(): number | undefined {
    if (this.#linkBytes === 0 || this.#latencies.length === 0) return this.#assumed;
    if (this.#linkMs <= 0) return Infinity;
    const perMs = this.#linkBytes / this.#linkMs;
    let latency = Infinity;
    for (const { ms, bytes } of this.#latencies) latency = Math.min(latency, Math.max(0, ms - bytes / perMs));
    return perMs * latency;
  }

  /** Count the waiting up to now; when a period has ended, judge it. */
  #tally(): void {
    const now = this.#now();
    if (this.#waiting > 0) {
      this.#waited += now - this.#waitingSince;
      this.#waitingSince = now;
    }
    const elapsed = now - this.#periodStart;
    if (elapsed < PERIOD_MS) return;
    this.#over = this.#waited > elapsed * WAITED_SHARE ? this.#over + 1 : 0;
    this.#bound = this.#over >= PERIODS_OVER;
    this.#waited = 0;
    this.#periodStart = now;
    if (!this.#bound) return;
    const wakes = [...this.#wakes];
    this.#wakes.clear();
    for (const wake of wakes) wake();
  }
}
