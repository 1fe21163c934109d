/**
 * HTTP with Google: `fetch` that gives up on a silent server (no response headers, or no body
 * bytes, for a whole idle period), and Google's error answers turned into the errors photosync
 * acts on (retry, stop for the daily quota, or a one-line final error).
 * @module
 */
import { ApiError, AuthError, ExitCode, PhotosyncError, UsageError } from "../core/errors.ts";
import { StalledError } from "../core/idle_watchdog.ts";
import { retryAfterMs, TransientError } from "../core/retry.ts";
import { ItemError } from "../core/source.ts";

/**
 * The error to throw for a request that could not be sent: not allowed by Deno's permissions
 * (final: one line saying which host), or a network failure (worth another try).
 */
export function requestError(url: string, error: unknown, what: string): Error {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new UsageError(
      `photosync may not connect to ${
        new URL(url).host
      }: its permissions allow Google's hosts and 127.0.0.1 only`,
      { cause: error },
    );
  }
  return new TransientError(`${what}: ${(error as Error).message}`, { cause: error });
}

/** Options of {@link fetchWithIdleTimeout}. */
export interface IdleFetchOptions {
  fetch?: typeof fetch;
  /** Abort when nothing arrives for this long. */
  idleMs: number;
}

/**
 * Like `fetch`, but the request (and later the reading of its body) is aborted with a
 * {@link StalledError} when nothing arrives for `idleMs` (or with the reason of `init.signal`).
 */
export async function fetchWithIdleTimeout(
  url: string,
  init: RequestInit,
  options: IdleFetchOptions,
): Promise<Response> {
  const idle = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new StalledError(options.idleMs)), options.idleMs);
  };
  // The caller's signal (an interruption) aborts the request too.
  const signal = init.signal ? AbortSignal.any([idle.signal, init.signal]) : idle.signal;
  arm();
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { ...init, signal });
  } catch (error) {
    clearTimeout(timer);
    throw signal.aborted ? signal.reason : error;
  }
  if (!response.body) {
    clearTimeout(timer);
    return response;
  }
  arm();
  const watched = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        arm();
        controller.enqueue(chunk);
      },
      flush() {
        clearTimeout(timer);
      },
      cancel() {
        clearTimeout(timer);
      },
    }),
    { signal },
  );
  // Stop the timer when the reader gives up early, too.
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  return new Response(watched, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
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

/** Turn an error response into the error to throw: transient (retry), quota, or final. */
export async function apiError(response: Response): Promise<Error> {
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
    // Exit code 4 (authorisation), as the README's table says for "run again with --creds".
    return new AuthError(
      `Google refused access (${response.status} ${status}: ${message}); run photosync with --creds=FILE to authorise again`,
      { cause: new ApiError(response.status, status, message) },
    );
  }
  return new ApiError(response.status, status, message);
}

/**
 * Ask for media bytes at `url`, as stored: a transparently decoded body would not match
 * `Content-Length`. A request that cannot be sent becomes the error {@link requestError} gives.
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
 * The body of a media answer and its size when known. An error answer becomes the daily-quota
 * stop, a {@link TransientError} (429, 5xx) or an {@link ItemError} (the item stays pending).
 */
export async function mediaBody(
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
  const length = response.headers.get("content-length");
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  return { body: response.body, size: length === null || encoded ? undefined : Number(length) };
}
