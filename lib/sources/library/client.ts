/**
 * Client of the Photos Library API: paged search as an async generator, batchGet, get.
 * @module
 */
import { apiError, fetchWithIdleTimeout, requestError } from "../../google/http.ts";
import type { DateRange } from "../../core/dates.ts";
import type { MediaItem } from "./media_item.ts";
import type { TokenSource } from "../../google/oauth.ts";
import { type RetryOptions, TransientError, withRetry } from "../../core/retry.ts";

/** Google's Library API root; `PHOTOSYNC_API_URL` replaces it (e.g. with the emulator). */
export const GOOGLE_API_URL = "https://photoslibrary.googleapis.com";

/** Items per search page: the API's maximum. */
export const PAGE_SIZE = 100;
/** Ids per batchGet call: the API's maximum. */
export const BATCH_SIZE = 50;

/** A page of search results. */
export interface SearchResult {
  items: MediaItem[];
  /** Present when more pages follow. */
  nextPageToken?: string;
}

/** One answer of batchGet: the item, or why Google would not give it. */
export type BatchResult = { id: string; item: MediaItem } | { id: string; error: string };

/** Options of {@link LibraryClient}. */
export interface LibraryClientOptions {
  tokens: TokenSource;
  apiUrl?: string;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** Give up on a request that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
}

/** The Library API, reached through `fetch` at `apiUrl`. */
export class LibraryClient {
  readonly #tokens: TokenSource;
  readonly #apiUrl: string;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryOptions;
  readonly #idleTimeoutMs: number;

  constructor(options: LibraryClientOptions) {
    this.#tokens = options.tokens;
    this.#apiUrl = (options.apiUrl ?? GOOGLE_API_URL).replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? {};
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  /**
   * One page of `mediaItems:search`, archived items included. `range` limits the search to those
   * days, in the `order` of creation (sent as `orderBy`: Google documents an order only with a
   * date filter); without it the whole library is searched, newest first (the default order),
   * future-dated items included.
   */
  async searchPage(
    range: DateRange | undefined,
    pageToken?: string,
    order: "newest" | "oldest" = "newest",
  ): Promise<SearchResult> {
    const filters = { includeArchivedMedia: true, ...(range ? { dateFilter: { ranges: [range] } } : {}) };
    const orderBy = order === "oldest" ? "MediaMetadata.creation_time" : "MediaMetadata.creation_time desc";
    const page = await this.#call<{ mediaItems?: MediaItem[]; nextPageToken?: string }>(
      "POST",
      "/v1/mediaItems:search",
      { pageSize: PAGE_SIZE, filters, ...(range ? { orderBy } : {}), ...(pageToken ? { pageToken } : {}) },
    );
    return { items: page.mediaItems ?? [], nextPageToken: page.nextPageToken || undefined };
  }

  /** Fresh metadata (and `baseUrl`s) for up to {@link BATCH_SIZE} ids, in request order. */
  async batchGet(ids: readonly string[]): Promise<BatchResult[]> {
    const query = new URLSearchParams(ids.map((id) => ["mediaItemIds", id]));
    const answer = await this.#call<{
      mediaItemResults?: { mediaItem?: MediaItem; status?: { code?: number; message?: string } }[];
    }>("GET", `/v1/mediaItems:batchGet?${query}`);
    const results = answer.mediaItemResults ?? [];
    return ids.map((id, index) => {
      const result = results[index];
      if (result?.mediaItem) return { id, item: result.mediaItem };
      return { id, error: result?.status?.message ?? "no result from batchGet" };
    });
  }

  /** One item, as the API returns it. */
  get(id: string): Promise<MediaItem> {
    return this.#call<MediaItem>("GET", `/v1/mediaItems/${encodeURIComponent(id)}`);
  }

  #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return withRetry(async () => {
      const token = await this.#tokens.accessToken();
      let response = await this.#send(method, path, body, token);
      if (response.status === 401) {
        await response.body?.cancel();
        response = await this.#send(method, path, body, await this.#tokens.accessToken(token));
      }
      if (!response.ok) throw await apiError(response);
      try {
        return await response.json() as T;
      } catch (error) {
        throw new TransientError(`broken answer from ${path}: ${(error as Error).message}`, { cause: error });
      }
    }, this.#retry);
  }

  async #send(method: string, path: string, body: unknown, token: string): Promise<Response> {
    try {
      return await fetchWithIdleTimeout(this.#apiUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }, { fetch: this.#fetch, idleMs: this.#idleTimeoutMs });
    } catch (error) {
      throw requestError(this.#apiUrl + path, error, `cannot reach ${this.#apiUrl}`);
    }
  }
}
