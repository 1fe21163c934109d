/**
 * HTTP with Google: `fetch` that gives up on a silent server (no response headers, or no body
 * bytes, for a whole idle period), and Google's error answers turned into the errors photosync
 * acts on (retry, stop for the daily quota, or a one-line final error).
 * @module
 */
import { AuthError, ExitCode, PhotosyncError, UsageError } from "../core/errors.ts";
import { ApiError } from "./api_error.ts";
import { StalledError } from "../core/idle_watchdog.ts";
import { retryAfterMs, TransientError } from "../core/retry.ts";
import { ItemError } from "../core/source.ts";
import { fetchFailure } from "../core/fetch_failure.ts";

/**
 * The error to throw for a request that could not be sent: not allowed by Deno's permissions
 * (final: one line saying which host), or a network failure (worth another try).
 */
export function requestError(url: string, error: unknown, what: string): Error {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new UsageError(
      `photosync may not connect to ${
        new URL(url).host
      }: the permissions it runs with do not allow that host`,
      { cause: error },
    );
  }
  // Deno's fetch refuses the Fetch standard's "bad ports" (6000, 10080, 6665–6669, …) before any
  // connection: no later try can pass, so this is final (it was retried for about a minute).
  const blocked = error instanceof TypeError
    ? /Requests to port (\d+) are blocked/.exec(error.message)
    : null;
  if (blocked) {
    return new UsageError(
      `${what}: port ${blocked[1]} is one that fetch refuses to connect to (a "bad port" of the Fetch ` +
        `standard, as in browsers): serve it on another port`,
      { cause: error },
    );
  }
  return new TransientError(`${what}: ${fetchFailure(error)}`, { cause: error });
}

/** Options of {@link fetchWithIdleTimeout}. */
export interface IdleFetchOptions {
  fetch?: typeof fetch;
  /** Abort when nothing arrives for this long. */
  idleMs: number;
  /** The run's stop: aborts the request (and the reading of its body) with its reason. */
  signal?: AbortSignal;
  /**
   * The body as a byte stream that a reader may read into a buffer of its own (`getReader({ mode:
   * "byob" })`), passed through to the network's body: no buffer made per chunk (see `range_read.ts`).
   */
  byob?: boolean;
}

/**
 * Like `fetch`, but the request (and later the reading of its body) is aborted with a
 * {@link StalledError} when nothing arrives for `idleMs`, or with `signal`'s reason.
 */
export async function fetchWithIdleTimeout(
  url: string,
  init: RequestInit,
  options: IdleFetchOptions,
): Promise<Response> {
  // One controller for both causes: a listener on the stop rather than `AbortSignal.any`, whose signal
  // Deno may collect while only the request refers to it (the abort would never arrive).
  const request = new AbortController();
  const stop = options.signal;
  const onStop = () => request.abort(stop!.reason);
  if (stop?.aborted) request.abort(stop.reason);
  else stop?.addEventListener("abort", onStop, { once: true });
  // One timer for the whole request, not one per chunk (a body comes in thousands): each chunk only
  // notes the time, and the timer, when it fires, sleeps again for what is left of the idle period.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = performance.now();
  const check = () => {
    const idle = performance.now() - active;
    if (idle >= options.idleMs) request.abort(new StalledError(options.idleMs));
    else timer = setTimeout(check, options.idleMs - idle);
  };
  const done = () => {
    clearTimeout(timer);
    timer = undefined;
    stop?.removeEventListener("abort", onStop);
  };
  const signal = request.signal;
  timer = setTimeout(check, options.idleMs);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { ...init, signal });
  } catch (error) {
    done();
    throw signal.aborted ? signal.reason : error;
  }
  if (!response.body) {
    done();
    return response;
  }
  active = performance.now();
  // The body read through, chunk by chunk as the reader asks (no pipe, no second queue). An abort fails
  // the read waiting here itself, and cancels the body (closing the connection): Deno's fetch hears the
  // request's signal through one that follows it only weakly, which a garbage collection takes once the
  // answer is in, and then an abort no longer reaches the body (a stalled read would wait for ever).
  const body = response.body;
  let reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader | undefined;
  let failRead: ((reason: unknown) => void) | undefined;
  const onAbort = () => {
    done();
    failRead?.(signal.reason);
    (reader ?? body).cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener("abort", onAbort, { once: true });
  /** The body's next chunk, read into `view` when given (a reader's own buffer). */
  const read = async (view?: ArrayBufferView) => {
    try {
      signal.throwIfAborted();
      return await new Promise<ReadableStreamReadResult<Uint8Array>>((resolve, reject) => {
        failRead = reject;
        // A reader's buffer goes to the body's own BYOB reader; the body is read one way throughout.
        reader ??= view && options.byob ? body.getReader({ mode: "byob" }) : body.getReader();
        const next = reader instanceof ReadableStreamBYOBReader
          ? reader.read(
            view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(64 * 1024),
          )
          : reader.read();
        (next as Promise<ReadableStreamReadResult<Uint8Array>>).then(resolve, reject);
      });
    } catch (error) {
      done();
      throw signal.aborted ? signal.reason : error;
    } finally {
      failRead = undefined;
    }
  };
  const watched = options.byob
    ? new ReadableStream({
      type: "bytes",
      async pull(controller) {
        const request = controller.byobRequest;
        const result = await read(request?.view ?? undefined);
        if (result.done) {
          done();
          controller.close();
          // The reader's buffer, given back (empty).
          if (request && result.value) request.respondWithNewView(result.value);
          else request?.respond(0);
          return;
        }
        active = performance.now();
        if (request && reader instanceof ReadableStreamBYOBReader) request.respondWithNewView(result.value);
        else controller.enqueue(result.value);
      },
      async cancel(reason) {
        done();
        await (reader ?? body).cancel(reason);
      },
    }, { highWaterMark: 0 })
    : new ReadableStream<Uint8Array>({
      async pull(controller) {
        const result = await read();
        if (result.done) {
          done();
          return controller.close();
        }
        active = performance.now();
        controller.enqueue(result.value);
      },
      async cancel(reason) {
        done();
        await (reader ?? body).cancel(reason);
      },
    }, { highWaterMark: 0 });
  return new Response(watched, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * The bytes of a media response as stored. A server may encode the body although photosync
 * asks for `identity`: then it is decoded here, and its length on the wire, not the decoded
 * one, is checked against `Content-Length` (a short body errors). Returns the size the
 * decoded bytes must have, when known.
 */
export function mediaBody(response: Response & { body: ReadableStream<Uint8Array<ArrayBuffer>> }): {
  body: ReadableStream<Uint8Array>;
  size?: number;
} {
  const header = response.headers.get("content-length");
  const length = header === null ? undefined : Number(header);
  const encoding = (response.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return { body: response.body, size: length };
  const format = ({ gzip: "gzip", "x-gzip": "gzip", deflate: "deflate", br: "brotli" } as const)[
    encoding as "gzip"
  ];
  if (!format) {
    response.body.cancel().catch(() => {});
    throw new TransientError(
      `download came with Content-Encoding ${encoding}, which photosync cannot decode`,
    );
  }
  let received = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, BufferSource>({
      transform(chunk, controller) {
        received += chunk.length;
        controller.enqueue(chunk);
      },
      flush(controller) {
        if (length !== undefined && received !== length) {
          controller.error(new Error(`${encoding} body cut short: ${received} of ${length} bytes`));
        }
      },
    }),
  );
  return { body: counted.pipeThrough(new DecompressionStream(format)) };
}

/** Retries of a request to Google ran out: one line saying so (exit 1). */
export function keptFailing(what: string, error: TransientError): PhotosyncError {
  return new PhotosyncError(
    `Google kept failing (${what}: ${error.message}); progress is saved: run photosync again later`,
    { cause: error },
  );
}

/** The daily quota is used up: retrying today is pointless. */
export class QuotaExhaustedError extends PhotosyncError {
  constructor(message: string, now = Date.now()) {
    const resume = nextPacificMidnight(now);
    const hours = Math.max(1, Math.round((resume.getTime() - now) / 3_600_000));
    super(
      `Google's daily quota for this project is used up (${message.slice(0, 120)}); progress is saved: ` +
        `run photosync again after midnight Pacific Time (${
          resume.toISOString().slice(0, 16)
        }Z, in about ${hours} h)`,
      { exitCode: ExitCode.quota },
    );
    this.name = "QuotaExhaustedError";
  }
}

/** The per-day quota error in a 429 answer's text, or undefined. */
export function quotaError(httpStatus: number, text: string): QuotaExhaustedError | undefined {
  if (httpStatus !== 429) return undefined;
  let message = text;
  try {
    message = JSON.parse(text).error?.message ?? text;
  } catch {
    // Not JSON: look at the raw text.
  }
  return /per day/i.test(message) ? new QuotaExhaustedError(message) : undefined;
}

/**
 * When Google's daily quotas reset: the next midnight in America/Los_Angeles.
 *
 * @example Usage
 * ```ts
 * import { nextPacificMidnight } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * const next = (iso: string) => nextPacificMidnight(Date.parse(iso)).toISOString();
 * // 08:00Z in winter (PST), 07:00Z in summer (PDT).
 * assert.equal(next("2026-01-15T20:00:00Z"), "2026-01-16T08:00:00.000Z");
 * assert.equal(next("2026-07-01T12:00:00Z"), "2026-07-02T07:00:00.000Z");
 * ```
 */
export function nextPacificMidnight(now: number): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Los_Angeles",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      hourCycle: "h23",
    }).formatToParts(now).map((part) => [part.type, Number(part.value)]),
  );
  // Midnight after today in Pacific Time is 07:00 or 08:00 UTC, by daylight saving time.
  for (const offsetHours of [7, 8]) {
    const candidate = Date.UTC(parts.year, parts.month - 1, parts.day + 1, offsetHours);
    const hour = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Los_Angeles",
      hour: "numeric",
      hourCycle: "h23",
    }).format(candidate);
    if (Number(hour) === 0) return new Date(candidate);
  }
  return new Date(Date.UTC(parts.year, parts.month - 1, parts.day + 1, 8));
}

/**
 * Turn an error response into the error to throw: transient (retry), quota, or final. `renew`: what to do
 * when Google refuses the access token (401, 403), as its token source says (`TokenSource.renew`, oauth.ts).
 */
export async function apiError(response: Response, renew: string): Promise<Error> {
  const text = await response.text().catch(() => "");
  const quota = quotaError(response.status, text);
  if (quota) return quota;
  let status = response.statusText;
  let message = text.slice(0, 200);
  try {
    const error = JSON.parse(text).error;
    if (error?.status) status = error.status;
    if (error?.message) message = error.message;
  } catch {
    // Not Google's JSON error shape: keep the raw text.
  }
  if (response.status === 429 || response.status >= 500) {
    return new TransientError(`HTTP ${response.status} ${status}: ${message}`, {
      retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
      cause: new ApiError(response.status, status, message),
    });
  }
  if (response.status === 401 || response.status === 403) {
    // Exit code 4 (authorisation), with the command that authorises this scope again for this folder.
    return new AuthError(
      `Google refused access (${response.status} ${status}: ${message}); ${renew}`,
      { cause: new ApiError(response.status, status, message) },
    );
  }
  return new ApiError(response.status, status, message);
}

/**
 * Ask for media bytes at `url`, as stored (`identity`; {@link mediaBody} decodes what comes
 * encoded all the same). A request that cannot be sent, a stall or the run's stop alike, becomes
 * the error {@link requestError} gives: the transfer's retry tells them apart.
 */
export async function fetchMedia(
  fetcher: typeof fetch,
  url: string,
  init: { signal: AbortSignal; headers?: Record<string, string> },
): Promise<Response> {
  try {
    return await fetcher(url, {
      signal: init.signal,
      headers: { ...init.headers, "accept-encoding": "identity" },
    });
  } catch (error) {
    throw requestError(url, error, "download failed");
  }
}

/**
 * The bytes of a media answer, through {@link mediaBody}, and their size when known. An error
 * answer becomes the daily-quota stop, a {@link TransientError} (429, 5xx) or an
 * {@link ItemError} (the item stays pending).
 */
export async function mediaAnswer(
  response: Response,
): Promise<{ body: ReadableStream<Uint8Array>; size?: number }> {
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => "");
    const quota = quotaError(response.status, text);
    if (quota) throw quota;
    const error = `download failed: HTTP ${response.status}`;
    if (response.status === 429 || response.status >= 500) {
      throw new TransientError(error, { retryAfterMs: retryAfterMs(response.headers.get("retry-after")) });
    }
    throw new ItemError(error);
  }
  return mediaBody(response as Response & { body: ReadableStream<Uint8Array<ArrayBuffer>> });
}
