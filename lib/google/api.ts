/**
 * Calling a Google JSON API (the Library API, the Picker API): the access token (refreshed once
 * when a 401 refuses it), one retry layer per request, idle timeouts, the run's stop, and
 * Google's error answers turned into the errors photosync acts on.
 * @module
 */
import { ApiError } from "./api_error.ts";
import { type RetryOptions, TransientError, withRetry } from "../core/retry.ts";
import { apiError, fetchWithIdleTimeout, keptFailing, requestError } from "./http.ts";
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
  /** The run's stop: ends every request and backoff sleep of these calls at once, with its reason. */
  signal?: AbortSignal;
}

/** How one call is made. */
export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** One attempt (its caller retries); otherwise the call is retried here. */
  once?: boolean;
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
  readonly #signal?: AbortSignal;

  constructor(options: GoogleApiOptions) {
    this.tokens = options.tokens;
    this.#apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? {};
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.#signal = options.signal;
  }

  /**
   * `method path`, retried here (one retry layer per request) unless `once`; the answer's JSON
   * (an empty answer is `{}`). When the retries run out, one line says that Google kept failing.
   */
  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const attempt = () => this.#attempt<T>(method, path, options);
    if (options.once) return await attempt();
    try {
      return await withRetry(attempt, { ...this.#retry, signal: this.#signal });
    } catch (error) {
      if (error instanceof TransientError) {
        throw keptFailing(path.replace(/^\/v1\//, "").split("?")[0], error);
      }
      throw error;
    }
  }

  async #attempt<T>(method: string, path: string, { body, refused }: CallOptions): Promise<T> {
    const url = this.#apiUrl + path;
    const signal = this.#signal;
    const response = await sendWithToken(this.tokens, async (token) => {
      try {
        return await fetchWithIdleTimeout(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        }, { fetch: this.#fetch, idleMs: this.#idleTimeoutMs, signal });
      } catch (error) {
        signal?.throwIfAborted();
        throw requestError(url, error, `cannot reach ${this.#apiUrl}`);
      }
    });
    if (!response.ok) {
      const error = await apiError(response, this.tokens.renew);
      const answer = error instanceof ApiError ? error : error.cause;
      throw (answer instanceof ApiError && refused?.(answer)) || error;
    }
    try {
      const text = await response.text();
      return (text ? JSON.parse(text) : {}) as T;
    } catch (error) {
      signal?.throwIfAborted();
      throw new TransientError(`broken answer from ${path}: ${(error as Error).message}`, { cause: error });
    }
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
