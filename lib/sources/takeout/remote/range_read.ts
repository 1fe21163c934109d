/**
 * One byte range of a store's file as one stream that survives broken bodies: when a body breaks
 * (a reset, a body cut short), the range is asked again from the byte where it broke, under the
 * shared retry rules (`core/retry.ts`). A store retries a request that fails before its body
 * starts itself (see `RemoteStore.read`); this resumes the bodies.
 * @module
 */
import { PhotosyncError } from "../../../core/errors.ts";
import { type RetryOptions, TransientError, withRetry } from "../../../core/retry.ts";
import type { RequestTiming } from "./range_fetches.ts";
import type { RemoteFile, RemoteStore } from "./remote_store.ts";

/** How a range is read: the run's stop, and the backoff between resumes (tests make it short). */
export interface RangeReadOptions {
  signal?: AbortSignal;
  /** Backoff between resumes of a broken body (default: `withRetry`'s, 6 attempts in a row without progress). */
  retry?: Omit<RetryOptions, "signal">;
  /** Told of every byte received (for the bytes fetched in a run). */
  onBytes?: (count: number) => void;
  /** Called as each request is sent (a resume too): told when its reader waits for bytes and when they come. */
  onRequest?: () => RequestTiming;
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
  const chunks = rangeChunks(store, file, start, end, options);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await chunks.next();
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
    cancel: (reason) => chunks.cancel(reason),
  }, { highWaterMark: 0 });
}

/**
 * Bytes read at once into a {@link rangeChunks} buffer: Deno's fetch gives about 64 KB a chunk, in a new
 * buffer each; read into one buffer, 300 MB came in 2,000 reads instead of 5,000, with no buffer made.
 */
const BYOB_CHUNK = 256 * 1024;

/** {@link readRange}'s chunks one call at a time, for a reader that needs no stream. */
export interface RangeChunks {
  /**
   * The next chunk, or `undefined` at the range's end; rejects as {@link readRange}'s stream errors.
   * With `reuse`, the chunk is valid only until the next call (its buffer is read into again).
   */
  next(): Promise<Uint8Array | undefined>;
  /** Stop reading: the body is cancelled. */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * {@link readRange} without the stream around it, for a large span's fetch (`ranged_zip.ts`), which
 * copies each chunk where it goes before it asks for the next. With `reuse`, a store's body that is a
 * byte stream (WebDAV's) is read into one buffer of {@link BYOB_CHUNK} bytes again and again: no buffer
 * made per network chunk, fewer and larger chunks, a stream layer less (see BENCHMARKS.md).
 */
export function rangeChunks(
  store: RemoteStore,
  file: RemoteFile,
  start: number,
  end: number,
  options: RangeReadOptions & { reuse?: boolean } = {},
): RangeChunks {
  const { signal } = options;
  let at = start;
  let reader: {
    read(): Promise<ReadableStreamReadResult<Uint8Array>>;
    cancel(reason?: unknown): Promise<void>;
  } | undefined;
  let buffer: Uint8Array | undefined;
  let timing: RequestTiming | undefined;
  const open = (body: ReadableStream<Uint8Array>) => {
    if (options.reuse) {
      let byob: ReadableStreamBYOBReader | undefined;
      try {
        byob = body.getReader({ mode: "byob" });
      } catch {
        // Not a byte stream: read as it comes.
      }
      if (byob) {
        return {
          read: async () => {
            // Made at the first read, and again after a read that failed (it took the buffer with it). A
            // range smaller than a chunk (a sidecar) gets a buffer of its size.
            if (!buffer || buffer.byteLength === 0) {
              buffer = new Uint8Array(Math.min(BYOB_CHUNK, end - start));
            }
            const read = await byob.read(buffer.subarray(0, Math.min(buffer.length, end - at)));
            if (read.value) buffer = new Uint8Array(read.value.buffer);
            return read as ReadableStreamReadResult<Uint8Array>;
          },
          cancel: (reason?: unknown) => byob.cancel(reason),
        };
      }
    }
    return body.getReader();
  };
  const next = async (): Promise<Uint8Array | undefined> => {
    if (at >= end) return undefined;
    if (!reader) {
      timing?.ended();
      timing = options.onRequest?.();
      timing?.waiting();
      try {
        reader = open(await store.read(file, at, end, signal));
      } catch (error) {
        timing?.ended();
        throw error;
      }
    }
    timing?.waiting();
    let read;
    try {
      read = await reader.read();
    } catch (error) {
      reader = undefined;
      timing?.ended();
      throw new TransientError(`${file.location}: the transfer broke at byte ${at}`, { cause: error });
    }
    if (read.done) {
      reader = undefined;
      timing?.ended();
      throw new TransientError(`${file.location}: the transfer ended at byte ${at} of ${end}`);
    }
    timing?.received(read.value.length);
    let chunk = read.value;
    if (chunk.length > end - at) chunk = chunk.subarray(0, end - at);
    return chunk;
  };
  return {
    async next() {
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
        timing?.ended();
        await reader?.cancel().catch(() => {});
        reader = undefined;
        return undefined;
      }
      at += chunk.length;
      options.onBytes?.(chunk.length);
      return chunk;
    },
    async cancel(reason) {
      timing?.ended();
      await reader?.cancel(reason).catch(() => {});
    },
  };
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
