/**
 * Calling a Google JSON API (the Library API, the Picker API): the access token (refreshed once
 * when a 401 refuses it), retries of transient failures, idle timeouts and Google's error
 * answers turned into the errors photosync acts on.
 * @module
 */
import { ApiError } from "../core/errors.ts";
import { type RetryOptions, TransientError, withRetry } from "../core/retry.ts";
import { apiError, fetchWithIdleTimeout, requestError } from "./http.ts";
import type { TokenSource } from "./oauth.ts";

/** Options of {@link GoogleApi}. */
export interface GoogleApiOptions {
  tokens: TokenSource;
  /** The API's root, e.g. `https://photoslibrary.googleapis.com`. */
  apiUrl: string;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** Give up on a request that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
}

/** One call's body and the signal that interrupts it. */
export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Interrupts the call (and its retries) with the signal's reason. */
  signal?: AbortSignal;
  /** The final error to throw, instead of retrying, for an error answer that another try will not mend. */
  refused?: (error: ApiError) => Error | undefined;
}

/** A Google JSON API reached through `fetch` at its root. */
export class GoogleApi {
  readonly tokens: TokenSource;
  readonly #apiUrl: string;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryOptions;
  readonly #idleTimeoutMs: number;

  constructor(options: GoogleApiOptions) {
    this.tokens = options.tokens;
    this.#apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? {};
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  /** `method path` with retries; the answer's JSON (an empty answer is `{}`). */
  call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const { body, signal } = options;
    const url = this.#apiUrl + path;
    return withRetry(async () => {
      const response = await sendWithToken(this.tokens, async (token) => {
        try {
          return await fetchWithIdleTimeout(url, {
            method,
            signal,
            headers: {
              authorization: `Bearer ${token}`,
              ...(body === undefined ? {} : { "content-type": "application/json" }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
          }, { fetch: this.#fetch, idleMs: this.#idleTimeoutMs });
        } catch (error) {
          signal?.throwIfAborted();
          throw requestError(url, error, `cannot reach ${this.#apiUrl}`);
        }
      });
      if (!response.ok) {
        const error = await apiError(response);
        const answer = error instanceof ApiError ? error : error.cause;
        throw (answer instanceof ApiError && options.refused?.(answer)) || error;
      }
      try {
        const text = await response.text();
        return (text ? JSON.parse(text) : {}) as T;
      } catch (error) {
        signal?.throwIfAborted();
        throw new TransientError(`broken answer from ${path}: ${(error as Error).message}`, { cause: error });
      }
    }, { ...this.#retry, signal });
  }
}

/**
 * Send a request with the current access token; when a 401 refuses it, the token is refreshed
 * (once for all the requests it refused) and the request sent once more.
 */
export async function sendWithToken(
  tokens: TokenSource,
  send: (token: string) => Promise<Response>,
): Promise<Response> {
  const token = await tokens.accessToken();
  const response = await send(token);
  if (response.status !== 401) return response;
  await response.body?.cancel();
  return await send(await tokens.accessToken(token));
}
