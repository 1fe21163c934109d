/**
 * The Google Drive API v3, as far as photosync reads it: `files.list` (a search, paged, with the
 * fields it needs) and `files.get` (a file's metadata, or with `alt=media` a byte range of it by
 * an HTTP `Range` request). Plain fetch, the run's token (refreshed once when a 401 refuses it),
 * one retry layer per request: 429, 5xx, resets and Drive's `userRateLimitExceeded` /
 * `rateLimitExceeded` 403s with backoff. A file Drive flagged as malware or spam
 * (`cannotDownloadAbusiveFile`) is asked for again with `acknowledgeAbuse=true`: photosync reads only
 * the user's own Takeout parts, which Drive sends to their owner once the risk is acknowledged.
 * Nothing is ever written to Drive.
 * @module
 */
import { AuthError, PhotosyncError } from "../core/errors.ts";
import { retryAfterMs, type RetryOptions, TransientError, withRetry } from "../core/retry.ts";
import { sendWithToken } from "./api.ts";
import { ApiError } from "./api_error.ts";
import { fetchWithIdleTimeout, keptFailing, quotaError, requestError } from "./http.ts";
import { PageTokens } from "./page_tokens.ts";
import type { TokenSource } from "./oauth.ts";
import { DRIVE_API_URL } from "./endpoints.ts";

/**
 * The one line for a token that does not carry the Drive scope; `renew`: what authorises it again, as the
 * token source says (the Drive scope's command for the backup's folder, or the secret to renew).
 */
export function noDriveScope(renew: string): string {
  return `the authorisation has no Google Drive access (scope drive.readonly): ${renew}`;
}

/** A file as `files.list` describes it. */
export interface DriveFile {
  id: string;
  name: string;
  size: number;
  /** Epoch ms. */
  modifiedMs?: number;
  /** When the file came into Drive, epoch ms. */
  createdMs?: number;
  parents: string[];
}

/** Options of {@link DriveClient}. */
export interface DriveClientOptions {
  tokens: TokenSource;
  /** The API's root (default {@link DRIVE_API_URL}). */
  apiUrl?: string;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** Give up on a request that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** The run's stop. */
  signal?: AbortSignal;
}

/** The fields photosync asks `files.list` for. */
const LIST_FIELDS = "nextPageToken,files(id,name,size,createdTime,modifiedTime,parents)";

/** Reads Google Drive. */
export class DriveClient {
  readonly #tokens: TokenSource;
  readonly #apiUrl: string;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryOptions;
  readonly #idleMs: number;
  readonly #signal?: AbortSignal;
  /** Files Drive flagged as abusive, read with `acknowledgeAbuse=true` from then on. */
  readonly #acknowledged = new Set<string>();

  constructor(options: DriveClientOptions) {
    this.#tokens = options.tokens;
    this.#apiUrl = (options.apiUrl ?? DRIVE_API_URL).replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? {};
    this.#idleMs = options.idleTimeoutMs ?? 60_000;
    this.#signal = options.signal;
  }

  /**
   * Every file `q` (Drive's search syntax) finds, page by page (1,000 a page), with the fields
   * photosync uses.
   */
  async *list(q: string, signal = this.#signal): AsyncGenerator<DriveFile> {
    const tokens = new PageTokens("listing Google Drive's files");
    let pageToken: string | undefined;
    do {
      const params = new URLSearchParams({ q, pageSize: "1000", fields: LIST_FIELDS, spaces: "drive" });
      if (pageToken) params.set("pageToken", pageToken);
      const page = await this.#json<{ files?: RawFile[]; nextPageToken?: string }>(
        `/drive/v3/files?${params}`,
        signal,
      );
      for (const file of page.files ?? []) yield driveFile(file);
      pageToken = tokens.next(page.nextPageToken);
    } while (pageToken);
  }

  /** A file's (or folder's) name and parents. */
  async get(id: string, signal = this.#signal): Promise<{ id: string; name: string; parents: string[] }> {
    const params = new URLSearchParams({ fields: "id,name,parents" });
    const file = await this.#json<RawFile>(`/drive/v3/files/${encodeURIComponent(id)}?${params}`, signal);
    return { id: file.id, name: file.name, parents: file.parents ?? [] };
  }

  /**
   * Bytes `start` to `end` (exclusive) of file `id`, streamed: one `Range` request, retried here
   * until its body starts (the body itself is the caller's to resume). A file Drive flagged as
   * malware or spam is asked for again with `acknowledgeAbuse=true`, and so is every later range of
   * it; `onAbuseAcknowledged` is called when this request found the flag.
   */
  read(
    id: string,
    start: number,
    end: number,
    signal = this.#signal,
    onAbuseAcknowledged?: () => void,
  ): Promise<ReadableStream<Uint8Array>> {
    const what = `files.get ${id} bytes ${start}-${end - 1}`;
    const range = { range: `bytes=${start}-${end - 1}` };
    return this.#retried(what, signal, async () => {
      let response = await this.#send(this.#mediaUrl(id), signal, range);
      if (response.status === 403 && !this.#acknowledged.has(id)) {
        const error = await driveError(response, this.#tokens.renew);
        if (!(error instanceof AbusiveFileError)) throw error;
        // Photosync reads the user's own Takeout parts: their owner may download them, and
        // Drive's flag (often wrong for an archive of photos) is acknowledged, not obeyed.
        this.#acknowledged.add(id);
        onAbuseAcknowledged?.();
        response = await this.#send(this.#mediaUrl(id), signal, range);
      }
      if (response.status === 206 || (response.status === 200 && start === 0)) {
        const answered = response.headers.get("content-range");
        if (response.status === 206 && answered && !answered.startsWith(`bytes ${start}-`)) {
          await response.body?.cancel();
          throw new TransientError(`Drive answered the range ${answered}, not bytes ${start}-${end - 1}`);
        }
        return response.body ?? new ReadableStream({ start: (controller) => controller.close() });
      }
      if (response.status === 416) {
        await response.body?.cancel();
        throw new PhotosyncError(
          `Drive file ${id} is shorter than listed (${response.headers.get("content-range") ?? "416"}): ` +
            "it changed while being read; run photosync again",
        );
      }
      throw await driveError(response, this.#tokens.renew);
    });
  }

  /** The download URL of file `id`, acknowledging Drive's abuse flag once it was met. */
  #mediaUrl(id: string): string {
    const acknowledge = this.#acknowledged.has(id) ? "&acknowledgeAbuse=true" : "";
    return `${this.#apiUrl}/drive/v3/files/${encodeURIComponent(id)}?alt=media${acknowledge}`;
  }

  async #json<T>(path: string, signal: AbortSignal | undefined): Promise<T> {
    const url = this.#apiUrl + path;
    return await this.#retried(path.split("?")[0], signal, async () => {
      const response = await this.#send(url, signal);
      if (!response.ok) throw await driveError(response, this.#tokens.renew);
      try {
        return await response.json() as T;
      } catch (error) {
        signal?.throwIfAborted();
        throw new TransientError(`broken answer from ${path.split("?")[0]}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
  }

  async #retried<T>(what: string, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(attempt, { ...this.#retry, signal });
    } catch (error) {
      if (error instanceof TransientError) throw keptFailing(`Drive ${what}`, error);
      throw error;
    }
  }

  #send(
    url: string,
    signal: AbortSignal | undefined,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return sendWithToken(this.#tokens, async (token) => {
      try {
        return await fetchWithIdleTimeout(url, {
          headers: { authorization: `Bearer ${token}`, "accept-encoding": "identity", ...headers },
        }, { fetch: this.#fetch, idleMs: this.#idleMs, signal });
      } catch (error) {
        signal?.throwIfAborted();
        throw requestError(url, error, `cannot reach ${this.#apiUrl}`);
      }
    });
  }
}

interface RawFile {
  id: string;
  name: string;
  size?: string;
  createdTime?: string;
  modifiedTime?: string;
  parents?: string[];
}

function driveFile(file: RawFile): DriveFile {
  const modified = file.modifiedTime ? Date.parse(file.modifiedTime) : NaN;
  const created = file.createdTime ? Date.parse(file.createdTime) : NaN;
  return {
    id: file.id,
    name: file.name,
    size: Number(file.size ?? 0),
    ...(Number.isFinite(modified) ? { modifiedMs: modified } : {}),
    ...(Number.isFinite(created) ? { createdMs: created } : {}),
    parents: file.parents ?? [],
  };
}

/**
 * Drive refuses a download because it flagged the file as malware or spam (403
 * `cannotDownloadAbusiveFile`): only its owner may download it, with `acknowledgeAbuse=true`.
 */
export class AbusiveFileError extends PhotosyncError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AbusiveFileError";
  }
}

/** Reasons of Drive's 403s that mean "slow down", not "no access". */
const RATE_REASONS = new Set(["userRateLimitExceeded", "rateLimitExceeded"]);

/**
 * A Drive error answer as the error to throw: slow down (429, 5xx, a rate-limit 403) is transient;
 * a file flagged as abusive is an {@link AbusiveFileError}; a token without the Drive scope is one
 * line saying how to authorise it; other refusals are authorisation errors; the daily quota stops
 * the run. `renew`: what to do when Drive refuses the token, as its token source says
 * ({@link TokenSource.renew}).
 */
export async function driveError(response: Response, renew: string): Promise<Error> {
  const text = await response.text().catch(() => "");
  const quota = quotaError(response.status, text);
  if (quota) return quota;
  let message = text.slice(0, 200);
  let status = response.statusText;
  let reasons: string[] = [];
  try {
    const error = JSON.parse(text).error;
    if (typeof error?.message === "string") message = error.message;
    if (typeof error?.status === "string") status = error.status;
    if (Array.isArray(error?.errors)) {
      reasons = error.errors.map((e: { reason?: string }) => String(e?.reason));
    }
  } catch {
    // Not Drive's JSON error shape: keep the raw text.
  }
  const cause = new ApiError(response.status, status, message);
  if (response.status === 403 && reasons.includes("cannotDownloadAbusiveFile")) {
    return new AbusiveFileError(
      `Drive flagged the file as malware or spam and refuses to send it (${message}): only its owner ` +
        "may download it; download it in the browser and import it with photosync takeout FILE",
      { cause },
    );
  }
  if (
    response.status === 429 || response.status >= 500 ||
    (response.status === 403 && reasons.some((reason) => RATE_REASONS.has(reason)))
  ) {
    return new TransientError(`HTTP ${response.status} ${reasons[0] ?? status}: ${message}`, {
      retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
      cause,
    });
  }
  if (
    response.status === 403 &&
    (reasons.includes("insufficientPermissions") || /insufficient authentication scopes/i.test(message))
  ) {
    return new AuthError(noDriveScope(renew), { cause });
  }
  if (response.status === 401 || response.status === 403) {
    return new AuthError(`Google Drive refused access (${response.status} ${status}: ${message}); ${renew}`, {
      cause,
    });
  }
  if (response.status === 404) {
    return new PhotosyncError(
      `Drive: ${message} (was it deleted while photosync read it?); run photosync again`,
      {
        cause,
      },
    );
  }
  return cause;
}
