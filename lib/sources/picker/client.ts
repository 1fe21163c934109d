/**
 * Client of the Google Photos Picker API: picking sessions, the items picked in them, and their
 * bytes (which, unlike the Library API's, need the access token).
 * @module
 */
import { PhotosyncError } from "../../core/errors.ts";
import { ApiError } from "../../google/api_error.ts";
import { GoogleApi, type GoogleApiOptions, sendWithToken } from "../../google/api.ts";
import { fetchMedia } from "../../google/http.ts";
import { ItemError } from "../../core/source.ts";
import { PageTokens } from "../../google/page_tokens.ts";
import { GOOGLE_PICKER_URL } from "../../google/endpoints.ts";

/** Picked items per page: the API's maximum. */
export const PAGE_SIZE = 100;

/** A picking session, as the API returns it. */
export interface PickingSession {
  id: string;
  /** Where the user picks (any device signed in to the account). */
  pickerUri: string;
  /** How often to poll and for how long (protobuf durations such as `"3.5s"`); gone once the user is done. */
  pollingConfig?: { pollInterval?: string; timeoutIn?: string };
  expireTime?: string;
  pickingConfig?: { maxItemCount?: string };
  /** The user pressed Done: the picked items can be listed. */
  mediaItemsSet?: boolean;
}

/** A picked item, as `mediaItems.list` returns it. */
export interface PickedMediaItem {
  /** Stable: the same item picked in another session has the same id. */
  id: string;
  /** Capture time, RFC 3339. */
  createTime?: string;
  type?: "PHOTO" | "VIDEO" | "TYPE_UNSPECIFIED";
  mediaFile?: {
    /** Lasts 60 minutes and cannot be renewed; its bytes need the access token. */
    baseUrl?: string;
    mimeType?: string;
    /** Whatever the uploader called the file: hostile input. */
    filename?: string;
    mediaFileMetadata?: {
      width?: number;
      height?: number;
      cameraMake?: string;
      cameraModel?: string;
      photoMetadata?: Record<string, unknown>;
      videoMetadata?: { fps?: number; processingStatus?: string };
    };
  };
}

/**
 * Options of {@link PickerClient}: those of its {@link GoogleApi}, whose root is Google's by
 * default. A client without the run's stop (`signal`) can still delete a session once the run stops.
 */
export interface PickerClientOptions extends Omit<GoogleApiOptions, "apiUrl"> {
  apiUrl?: string;
}

/** The Picker API, reached through `fetch` at `apiUrl`. */
export class PickerClient {
  readonly #api: GoogleApi;
  readonly #fetch: typeof fetch;

  /** The Picker API's own origin: its items' bytes may come from there too (the emulator serves both). */
  readonly #apiOrigin?: string;

  constructor(options: PickerClientOptions) {
    const apiUrl = options.apiUrl ?? GOOGLE_PICKER_URL;
    this.#api = new GoogleApi({ ...options, apiUrl });
    this.#fetch = options.fetch ?? fetch;
    const origin = URL.parse(apiUrl)?.origin;
    // An opaque origin ("null": a data: URL, say) is no host.
    this.#apiOrigin = origin === "null" ? undefined : origin;
  }

  /**
   * Why the access token may not go to `url` (a picked item's `baseUrl`), or undefined when it may:
   * only to Google's media hosts (`https://*.googleusercontent.com`) or to the Picker API's own origin
   * (`PHOTOSYNC_PICKER_URL`). The URL comes in an answer (and is kept in sync.db): one naming another
   * host, or plain http, would hand the token to whoever is there.
   */
  refusedMediaUrl(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return "its download URL from the picker is no URL: photosync does not send it the access token";
    }
    const google = parsed.protocol === "https:" &&
      (parsed.hostname === "googleusercontent.com" || parsed.hostname.endsWith(".googleusercontent.com"));
    if (google || parsed.origin === this.#apiOrigin) return undefined;
    return `its download URL from the picker is on ${parsed.protocol}//${parsed.host}, not Google's media ` +
      `host (https://…googleusercontent.com): photosync does not send it the access token; pick it again ` +
      `with photosync pick`;
  }

  /** A new session letting the user pick up to `maxItemCount` items (default Google's). */
  createSession(maxItemCount?: number): Promise<PickingSession> {
    return this.#api.call<PickingSession>("POST", "/v1/sessions", {
      body: maxItemCount === undefined ? {} : { pickingConfig: { maxItemCount: String(maxItemCount) } },
      refused: (error) =>
        error.httpStatus === 429 && !/quota/i.test(error.message)
          ? new PhotosyncError(
            "Google Photos has too many open picking sessions for this account (they close when the app " +
              "that opened them deletes them, or when they time out); try again later",
            { cause: error },
          )
          : undefined,
    });
  }

  /** The session as it is now. */
  getSession(id: string): Promise<PickingSession> {
    return this.#api.call<PickingSession>("GET", `/v1/sessions/${encodeURIComponent(id)}`);
  }

  /** Delete the session; one that is gone already counts as deleted. */
  async deleteSession(id: string): Promise<void> {
    try {
      await this.#api.call("DELETE", `/v1/sessions/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!(error instanceof ApiError && error.httpStatus === 404)) throw error;
    }
  }

  /** The items picked in the session (once the user is done), page by page. */
  async *pickedItems(sessionId: string): AsyncGenerator<PickedMediaItem[]> {
    const tokens = new PageTokens("listing the picked items");
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ sessionId, pageSize: String(PAGE_SIZE) });
      if (pageToken) query.set("pageToken", pageToken);
      const page = await this.#api.call<{ mediaItems?: PickedMediaItem[]; nextPageToken?: string }>(
        "GET",
        `/v1/mediaItems?${query}`,
      );
      yield page.mediaItems ?? [];
      pageToken = tokens.next(page.nextPageToken);
    } while (pageToken);
  }

  /**
   * Ask for a picked item's bytes at `url` (`baseUrl=d` or `=dv`) with the access token; a URL the
   * token may not go to ({@link refusedMediaUrl}) fails the item, without a request.
   */
  download(url: string, signal: AbortSignal): Promise<Response> {
    const refused = this.refusedMediaUrl(url);
    if (refused) return Promise.reject(new ItemError(refused));
    return sendWithToken(
      this.#api.tokens,
      (token) => fetchMedia(this.#fetch, url, { signal, headers: { authorization: `Bearer ${token}` } }),
    );
  }
}
