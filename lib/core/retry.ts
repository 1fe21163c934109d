/**
 * Retrying transient failures with exponential backoff and jitter.
 * @module
 */

/** A failure worth another try; `retryAfterMs` comes from a `Retry-After` header. */
export class TransientError extends Error {
  readonly retryAfterMs?: number;
  constructor(message: string, options?: ErrorOptions & { retryAfterMs?: number }) {
    super(message, options);
    this.name = "TransientError";
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The longest `Retry-After` obeyed; a longer one is cut to this. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** Backoff settings. */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts?: number;
  /** First delay; doubled on each retry. */
  baseDelayMs?: number;
  /** Longest single delay. */
  maxDelayMs?: number;
  /** Sleep (replaceable to make tests and benchmarks fast); it should end early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each retry. */
  onRetry?: (error: TransientError, delayMs: number, attempt: number) => void;
  /**
   * The run's stop: once aborted, no attempt starts, a backoff sleep ends at once, and
   * `withRetry` rejects with its reason, whatever the attempt in flight threw.
   */
  signal?: AbortSignal;
}

/**
 * Wait `ms` milliseconds; rejects with `signal`'s reason as soon as it aborts (as
 * denoland/std's `async/delay` does).
 *
 * @example Usage
 * ```ts
 * import { delay } from "./retry.ts";
 * import assert from "node:assert/strict";
 *
 * const stop = new AbortController();
 * const waiting = delay(60_000, stop.signal);
 * stop.abort(new Error("stop"));
 * await assert.rejects(waiting, /stop/);
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/**
 * Run `fn`, retrying when it throws {@link TransientError}; any other error ends at once, and
 * so does `signal` aborting (with its reason). Rejects with `RangeError`, without calling `fn`,
 * when `attempts` is not a whole number of at least 1.
 *
 * @example Usage
 * ```ts
 * import { TransientError, withRetry } from "./retry.ts";
 * import assert from "node:assert/strict";
 *
 * let calls = 0;
 * const answer = await withRetry(() => {
 *   calls++;
 *   return calls < 3 ? Promise.reject(new TransientError("busy")) : Promise.resolve("ok");
 * }, { attempts: 5, sleep: () => Promise.resolve() });
 * assert.equal(answer, "ok");
 * assert.equal(calls, 3);
 * ```
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  // Checked up front, as std's async/retry does: otherwise 0 would still call `fn` once, NaN
  // would retry for ever and 2.5 would quietly mean 3.
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`withRetry: attempts must be a whole number of at least 1, not ${attempts}`);
  }
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? delay;
  const { signal } = options;
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      // Whatever the attempt threw (often the abort itself, seen as a broken request), the run is stopping.
      signal?.throwIfAborted();
      if (!(error instanceof TransientError) || attempt >= attempts) throw error;
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      const wait = error.retryAfterMs !== undefined
        ? Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS)
        : Math.round(backoff / 2 + Math.random() * backoff / 2);
      options.onRetry?.(error, wait, attempt);
      await sleep(wait, signal);
    }
  }
}

/**
 * Parse a `Retry-After` header (seconds or an HTTP date) into milliseconds; undefined for a header
 * that is neither, and for no wait at all (0, a negative delay, a past date): a server that answers every
 * try with 429 and `Retry-After: 0` would otherwise have the run use up its tries within a second, so
 * the backoff applies then.
 *
 * @example Usage
 * ```ts
 * import { retryAfterMs } from "./retry.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(retryAfterMs("120"), 120_000);
 * const now = Date.parse("2015-10-21T07:27:00Z");
 * assert.equal(retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", now), 60_000);
 * assert.equal(retryAfterMs("soon"), undefined);
 * assert.equal(retryAfterMs("0"), undefined);
 * ```
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return ms > 0 ? ms : undefined;
}
