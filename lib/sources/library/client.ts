/**
 * Client of the Photos Library API: paged search as an async generator, batchGet, get.
 * @module
 */
import { type CallOptions, GoogleApi, type GoogleApiOptions } from "../../google/api.ts";
import type { DateRange } from "../../core/dates.ts";
import type { MediaItem } from "./media_item.ts";
import { GOOGLE_API_URL } from "../../google/endpoints.ts";

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
export type BatchGetResult = { id: string; item: MediaItem } | { id: string; error: string };

/** Options of {@link LibraryClient}: those of its {@link GoogleApi}, whose root is Google's by default. */
export interface LibraryClientOptions extends Omit<GoogleApiOptions, "apiUrl"> {
  apiUrl?: string;
}

/** The Library API, reached through `fetch` at `apiUrl`. */
export class LibraryClient {
  readonly #api: GoogleApi;

  constructor(options: LibraryClientOptions) {
    this.#api = new GoogleApi({ ...options, apiUrl: options.apiUrl ?? GOOGLE_API_URL });
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
    const page = await this.#api.call<{ mediaItems?: MediaItem[]; nextPageToken?: string }>(
      "POST",
      "/v1/mediaItems:search",
      {
        body: {
          pageSize: PAGE_SIZE,
          filters,
          ...(range ? { orderBy } : {}),
          ...(pageToken ? { pageToken } : {}),
        },
      },
    );
    return { items: page.mediaItems ?? [], nextPageToken: page.nextPageToken || undefined };
  }

  /** Fresh metadata (and `baseUrl`s) for up to {@link BATCH_SIZE} ids, in request order. */
  async batchGet(
    ids: readonly string[],
    { once }: Pick<CallOptions, "once"> = {},
  ): Promise<BatchGetResult[]> {
    const query = new URLSearchParams(ids.map((id) => ["mediaItemIds", id]));
    const answer = await this.#api.call<{
      mediaItemResults?: { mediaItem?: MediaItem; status?: { code?: number; message?: string } }[];
    }>("GET", `/v1/mediaItems:batchGet?${query}`, { once });
    const results = answer.mediaItemResults ?? [];
    return ids.map((id, index) => {
      const result = results[index];
      if (result?.mediaItem) return { id, item: result.mediaItem };
      return { id, error: result?.status?.message ?? "no result from batchGet" };
    });
  }

  /** One item, as the API returns it. */
  get(id: string): Promise<MediaItem> {
    return this.#api.call<MediaItem>("GET", `/v1/mediaItems/${encodeURIComponent(id)}`);
  }
}
