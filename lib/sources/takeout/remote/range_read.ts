/**
 * One byte range of a store's file as one stream that survives broken bodies: when a body breaks
 * (a reset, a body cut short), the range is asked again from the byte where it broke, under the
 * shared retry rules (`core/retry.ts`). A store retries a request that fails before its body
 * starts itself (see `RemoteStore.read`); this resumes the bodies.
 * @module
 */
import { PhotosyncError } from "../../../core/errors.ts";
import { type RetryOptions, TransientError, withRetry } from "../../../core/retry.ts";
import type { RemoteFile, RemoteStore } from "./remote_store.ts";

/** How a range is read: the run's stop, and the backoff between resumes (tests make it short). */
export interface RangeReadOptions {
  signal?: AbortSignal;
  /** Backoff between resumes of a broken body (default: `withRetry`'s, 6 attempts in a row without progress). */
  retry?: Omit<RetryOptions, "signal">;
  /** Told of every byte received (for the bytes fetched in a run). */
  onBytes?: (count: number) => void;
}

/**
 * A store read failed for good (the network, the store's answers): the run stops with this one
 * line, and the next run resumes. Never a "damaged archive": the archive was not seen.
 */
export class RemoteReadError extends PhotosyncError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RemoteReadError";
  }
}

/**
 * Bytes `start` to `end` (exclusive) of `file` in `store`, streamed; a body that breaks is asked
 * for again from where it broke, up to the retry rules' attempts in a row without a byte between.
 * The stream errors with the store's own error ({@link RemoteReadError}, `AuthError`, …) when it
 * gives up, or with the stop's reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRange } from "./range_read.ts";
 * const data = new TextEncoder().encode("0123456789");
 * const file = { id: "f", name: "f", location: "f", size: 10 };
 * const store = {
 *   description: "memory",
 *   async *list() {},
 *   read: (_f: unknown, start: number, end: number) =>
 *     Promise.resolve(new Response(data.slice(start, end)).body!),
 * };
 * const text = await new Response(readRange(store, file, 2, 6)).text();
 * assert.equal(text, "2345");
 * ```
 */
export function readRange(
  store: RemoteStore,
  file: RemoteFile,
  start: number,
  end: number,
  options: RangeReadOptions = {},
): ReadableStream<Uint8Array> {
  const { signal } = options;
  let at = start;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const next = async (): Promise<Uint8Array | undefined> => {
    if (at >= end) return undefined;
    if (!reader) reader = (await store.read(file, at, end, signal)).getReader();
    let read;
    try {
      read = await reader.read();
    } catch (error) {
      reader = undefined;
      throw new TransientError(`${file.location}: the transfer broke at byte ${at}`, { cause: error });
    }
    if (read.done) {
      reader = undefined;
      throw new TransientError(`${file.location}: the transfer ended at byte ${at} of ${end}`);
    }
    let chunk = read.value;
    if (chunk.length > end - at) chunk = chunk.subarray(0, end - at);
    return chunk;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk;
      try {
        // Most reads succeed at once: the retry loop is entered only once one failed (it costs a few
        // promises per chunk, and a body comes in thousands of chunks), that failure its first attempt.
        let failed: { error: unknown } | undefined;
        try {
          chunk = await next();
        } catch (error) {
          failed = { error };
        }
        if (failed) {
          chunk = await withRetry(() => {
            const first = failed;
            failed = undefined;
            return first ? Promise.reject(first.error) : next();
          }, { attempts: 6, ...options.retry, signal });
        }
      } catch (error) {
        signal?.throwIfAborted();
        if (error instanceof TransientError) {
          throw new RemoteReadError(`${error.message}; run photosync again to go on`, { cause: error });
        }
        throw error;
      }
      if (chunk === undefined) {
        controller.close();
        await reader?.cancel().catch(() => {});
        return;
      }
      at += chunk.length;
      options.onBytes?.(chunk.length);
      controller.enqueue(chunk);
    },
    async cancel(reason) {
      await reader?.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

/**
 * Bytes `start` to `end` of `file`, whole: for the few small reads of a zip's directory.
 */
export async function readBytes(
  store: RemoteStore,
  file: RemoteFile,
  start: number,
  end: number,
  options: RangeReadOptions = {},
): Promise<Uint8Array> {
  const bytes = new Uint8Array(end - start);
  let filled = 0;
  for await (const chunk of readRange(store, file, start, end, options)) {
    bytes.set(chunk, filled);
    filled += chunk.length;
  }
  return bytes;
}
