/**
 * Retrying transient failures with exponential backoff and jitter.
 * @module
 */
import { setTimeout as abortableSleep } from "node:timers/promises";

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
  /** Sleep (replaceable to make tests and benchmarks fast). */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry. */
  onRetry?: (error: TransientError, delayMs: number, attempt: number) => void;
  /** Once aborted, no attempt starts, a failure is not retried and the wait ends: the signal's reason is thrown. */
  signal?: AbortSignal;
}

/**
 * Run `fn`, retrying when it throws {@link TransientError}; any other error ends at once.
 * Rejects with `RangeError`, without calling `fn`, when `attempts` is not a whole number of at
 * least 1.
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
  const { signal } = options;
  const sleep = options.sleep ?? ((ms) => abortableSleep(ms, undefined, { signal }));
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      signal?.throwIfAborted();
      if (!(error instanceof TransientError) || attempt >= attempts) throw error;
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      const delay = error.retryAfterMs !== undefined
        ? Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS)
        : Math.round(backoff / 2 + Math.random() * backoff / 2);
      options.onRetry?.(error, delay, attempt);
      await sleep(delay).catch((failure) => {
        signal?.throwIfAborted();
        throw failure;
      });
    }
  }
}

/**
 * Parse a `Retry-After` header (seconds or an HTTP date) into milliseconds: a negative delay
 * or a past date is 0, a header that is neither undefined.
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
 * ```
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
