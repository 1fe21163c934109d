/**
 * A WebDAV folder as a {@link RemoteStore}: `PROPFIND` with `Depth: 1`, folder by folder (servers
 * such as Nextcloud and Apache refuse `Depth: infinity`), lists the files under it; a ranged `GET`
 * reads bytes of one. This reaches Nextcloud, a NAS's WebDAV, and through `rclone serve webdav
 * REMOTE:PATH` anything rclone reaches (Dropbox, OneDrive, Box, S3, B2, SFTP): rclone signs in
 * there; photosync speaks only WebDAV.
 *
 * Sign-in is HTTP Basic with `PHOTOSYNC_WEBDAV_USER` and `PHOTOSYNC_WEBDAV_PASSWORD`
 * ({@link webdavCredentials}): never part of a URL, a message or a log line. Requests go only to
 * the folder's own origin (an href elsewhere is passed over; a redirect elsewhere is refused, one on
 * the same origin followed, up to {@link MAX_REDIRECTS}). A refused login is an `AuthError`
 * (exit 4); 408, 429, 5xx, broken connections and silent servers are retried under the shared
 * rules (`withRetry`: backoff with jitter, `Retry-After`).
 * @module
 */
import { AuthError, PhotosyncError, UsageError } from "../../../core/errors.ts";
import { retryAfterMs, type RetryOptions, TransientError, withRetry } from "../../../core/retry.ts";
import { fetchWithIdleTimeout, requestError } from "../../../google/http.ts";
import { archivePart } from "../parts.ts";
import { checkRange, type RemoteFile, type RemoteStore } from "../remote/remote_store.ts";
import { type DavResource, MultistatusError, MultistatusReader } from "./multistatus.ts";
import {
  decodePath,
  describeUrl,
  folderUrl,
  hrefInside,
  nameOfUrl,
  sameResource,
  stripCredentials,
} from "./webdav_url.ts";

/** The environment variables that hold the Basic sign-in. */
export const WEBDAV_ENV = { user: "PHOTOSYNC_WEBDAV_USER", password: "PHOTOSYNC_WEBDAV_PASSWORD" } as const;

/** A Basic sign-in. */
export interface WebdavCredentials {
  user: string;
  password: string;
}

/**
 * The sign-in from the environment (`get` reads a variable): none when neither variable is set;
 * a `UsageError` naming the missing one when only one is.
 *
 * @example Usage
 * ```ts
 * import { webdavCredentials } from "./webdav_store.ts";
 * import assert from "node:assert/strict";
 *
 * const env = { PHOTOSYNC_WEBDAV_USER: "anna", PHOTOSYNC_WEBDAV_PASSWORD: "s3cret" };
 * assert.deepEqual(webdavCredentials((name) => env[name as keyof typeof env]), { user: "anna", password: "s3cret" });
 * assert.equal(webdavCredentials(() => undefined), undefined);
 * assert.throws(() => webdavCredentials((name) => name === "PHOTOSYNC_WEBDAV_USER" ? "anna" : undefined),
 *   /PHOTOSYNC_WEBDAV_PASSWORD is not set/);
 * ```
 */
export function webdavCredentials(get: (name: string) => string | undefined): WebdavCredentials | undefined {
  const user = get(WEBDAV_ENV.user);
  const password = get(WEBDAV_ENV.password);
  if (user === undefined && password === undefined) return undefined;
  if (user === undefined || password === undefined) {
    const missing = user === undefined ? WEBDAV_ENV.user : WEBDAV_ENV.password;
    const set = user === undefined ? WEBDAV_ENV.password : WEBDAV_ENV.user;
    throw new UsageError(
      `${set} is set but ${missing} is not set: set both for the WebDAV sign-in, or neither`,
    );
  }
  return { user, password };
}

/** How to reach the folder. */
export interface WebdavStoreOptions {
  /** The folder's URL (checked by {@link folderUrl}: no credentials, no query). */
  url: string | URL;
  /** Basic sign-in; none: requests go without `Authorization`. */
  credentials?: WebdavCredentials;
  /** The network edge (default: `fetch`). */
  fetch?: typeof fetch;
  /** Give up on (and retry) a request that sends nothing for this long (default 60 s). */
  idleMs?: number;
  /** Backoff settings (attempts, delays, sleep, `onRetry`); the signal comes with each call. */
  retry?: Omit<RetryOptions, "signal">;
  /** Folders deeper than this below the URL are not listed (default 16): a guard against a server's loop. */
  maxDepth?: number;
  /** The most bytes one folder's listing may have (default {@link MAX_LISTING_BYTES}). */
  maxListingBytes?: number;
}

/**
 * The most bytes one folder's `PROPFIND` answer may have: 128 MiB, a folder of some 300,000 files (about
 * 400 bytes each). The answer is read as it arrives and only folders and Takeout parts are kept, so a
 * large listing costs time, not memory; this ends a server's answer that never ends.
 */
export const MAX_LISTING_BYTES = 128 * 1024 * 1024;

/** The properties a listing asks for: no more, so that servers need not compute costly ones. */
const PROPFIND_BODY = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/></d:prop></d:propfind>`;

/**
 * Folders listed at once: the next in line, each a `PROPFIND` (a round trip); one after another, a store of
 * an export folder every two months waited a round trip per folder.
 */
const LISTINGS_AT_ONCE = 4;

/** Redirects followed for one request (on the folder's own origin only): more is a loop. */
export const MAX_REDIRECTS = 10;

/** The statuses that redirect to their `Location`. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A folder to list, and its listing once asked for. */
interface Listing {
  url: URL;
  depth: number;
  resources?: Promise<DavResource[]>;
}

/** The WebDAV folder at `options.url`, read by ranges. */
export class WebdavStore implements RemoteStore {
  readonly description: string;
  /** The folder; once its listing was redirected (on its origin), where it was redirected to. */
  #root: URL;
  readonly #authorization?: string;
  readonly #fetch?: typeof fetch;
  readonly #idleMs: number;
  readonly #retry: Omit<RetryOptions, "signal">;
  readonly #maxDepth: number;
  readonly #maxListingBytes: number;

  constructor(options: WebdavStoreOptions) {
    this.#root = folderUrl(String(options.url));
    this.description = `WebDAV ${describeUrl(this.#root)}`;
    if (options.credentials) {
      const { user, password } = options.credentials;
      const bytes = new TextEncoder().encode(`${user}:${password}`);
      this.#authorization = `Basic ${btoa(String.fromCharCode(...bytes))}`;
    }
    this.#fetch = options.fetch;
    this.#idleMs = options.idleMs ?? 60_000;
    this.#retry = options.retry ?? {};
    this.#maxDepth = options.maxDepth ?? 16;
    this.#maxListingBytes = options.maxListingBytes ?? MAX_LISTING_BYTES;
  }

  /** The folder's URL (without credentials, which it never holds). */
  get url(): URL {
    return new URL(this.#root);
  }

  /**
   * Every Takeout part under the folder (a file named as one: `parts.ts`), its subfolders included,
   * folder by folder in name order (up to {@link LISTINGS_AT_ONCE} folders next in line are asked for
   * at once). Other files are passed over as their listing is read, so that a folder of very many
   * other files costs no memory for them (nor a `HEAD` each, when the listing gives no size). A folder
   * the server lists twice (a server that ignores `Depth: 1`) is read once, and so is each file.
   */
  async *list(signal?: AbortSignal): AsyncGenerator<RemoteFile> {
    const queue: Listing[] = [{ url: this.#root, depth: 0 }];
    const folderKey = (url: URL) => decodePath(url.pathname).replace(/\/+$/, "");
    const seenFolders = new Set<string>([folderKey(this.#root)]);
    const root = this.#root;
    const seenFiles = new Set<string>();
    // Kept of each listing as it is read: folders, and the files that may be parts (a part's name has
    // "takeout-" in it: the href is checked for that first, as resolving it costs more).
    const wanted = (resource: DavResource) => {
      if (resource.status < 200 || resource.status > 299) return false;
      if (!resource.collection && !/takeout-/i.test(decodePath(resource.href))) return false;
      const url = hrefInside(resource.href, this.#root);
      return url !== undefined && (resource.collection || archivePart(nameOfUrl(url)) !== undefined);
    };
    while (queue.length > 0) {
      // The folders next in line are asked for at once (each listing is a round trip), read in order.
      for (const next of queue.slice(0, LISTINGS_AT_ONCE)) {
        next.resources ??= this.#propfind(next.url, next.url === root, wanted, signal);
        next.resources.catch(() => {}); // Thrown when its turn comes.
      }
      const { url: asked, depth, resources: listed } = queue.shift()!;
      const resources = await listed!;
      // The folder's listing may have been redirected (on its origin): its entries are where it went.
      const folder = asked === root ? this.#root : asked;
      seenFolders.add(folderKey(folder));
      const files: RemoteFile[] = [];
      const folders: URL[] = [];
      for (const resource of resources) {
        const url = hrefInside(resource.href, this.#root);
        if (!url || sameResource(url, folder) || resource.status < 200 || resource.status > 299) continue;
        if (resource.collection) {
          if (!url.pathname.endsWith("/")) url.pathname += "/";
          if (depth < this.#maxDepth) folders.push(url);
          continue;
        }
        const path = decodePath(url.pathname);
        if (seenFiles.has(path)) continue;
        seenFiles.add(path);
        const size = resource.size ?? await this.#headSize(url, signal);
        files.push({
          id: url.href,
          name: nameOfUrl(url),
          location: describeUrl(url),
          size,
          ...(resource.modifiedMs === undefined ? {} : { modifiedMs: resource.modifiedMs }),
        });
      }
      files.sort((a, b) => compare(a.name, b.name));
      yield* files;
      folders.sort((a, b) => compare(a.pathname, b.pathname));
      for (const url of folders) {
        const key = folderKey(url);
        if (seenFolders.has(key)) continue;
        seenFolders.add(key);
        queue.push({ url, depth: depth + 1 });
      }
    }
  }

  /**
   * Bytes `start` to `end` (exclusive) of `file` in one ranged `GET`. The stream yields exactly
   * `end - start` bytes or errors with a `TransientError` (a body cut short or broken off), so
   * that the caller asks again from where it broke. A file whose size changed since it was
   * listed, or a server that ignores ranges (for any but a read from the start), is a
   * `PhotosyncError`.
   */
  async read(
    file: RemoteFile,
    start: number,
    end: number,
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    checkRange(file, start, end);
    if (start === end) return new ReadableStream({ start: (controller) => controller.close() });
    const url = new URL(file.id);
    const what = `reading ${file.location}`;
    const response = await this.#retrying(async () => {
      const { response } = await this.#request(
        url,
        {
          method: "GET",
          headers: { Range: `bytes=${start}-${end - 1}`, "Accept-Encoding": "identity" },
        },
        what,
        signal,
        true,
      );
      const encoding = response.headers.get("content-encoding");
      if (encoding && encoding.toLowerCase() !== "identity") {
        await response.body?.cancel();
        throw new PhotosyncError(
          `${this.description} sent ${file.location} encoded (${encoding}) although asked for its bytes as stored`,
        );
      }
      if (response.status === 206) {
        const range = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(
          response.headers.get("content-range") ?? "",
        );
        if (range && range[3] !== "*" && Number(range[3]) !== file.size) {
          await response.body?.cancel();
          throw changed(file, `it now has ${range[3]} bytes, not ${file.size}`);
        }
        if (!range || Number(range[1]) !== start || Number(range[2]) !== end - 1) {
          await response.body?.cancel();
          throw new PhotosyncError(
            `${this.description} answered a request for bytes ${start}-${end - 1} of ${file.location} with ` +
              `${range ? `bytes ${range[1]}-${range[2]}` : "no Content-Range"}; photosync needs a server ` +
              `that serves byte ranges`,
          );
        }
        return response;
      }
      if (response.status === 200) {
        const length = response.headers.get("content-length");
        if (start === 0 && (length === null || Number(length) === file.size)) return response;
        await response.body?.cancel();
        throw new PhotosyncError(
          `${this.description} ignores byte ranges (it sent the whole of ${file.location}); photosync ` +
            `reads only the parts of an archive it needs, so it needs a server that serves ranges`,
        );
      }
      if (response.status === 416) {
        await response.body?.cancel();
        throw changed(file, "it is now shorter");
      }
      throw await this.#statusError(response, file.location, "GET");
    }, signal);
    return exactly(response.body!, end - start, what, signal);
  }

  /**
   * The resources of one folder that are `wanted`, by `PROPFIND` with `Depth: 1`, read as the answer
   * arrives; an answer over {@link MAX_LISTING_BYTES} is refused.
   */
  async #propfind(
    folder: URL,
    root: boolean,
    wanted: (resource: DavResource) => boolean,
    signal?: AbortSignal,
  ): Promise<DavResource[]> {
    const where = describeUrl(folder);
    const what = `listing ${where}`;
    return await this.#retrying(async () => {
      const { response, url: reached } = await this.#request(
        folder,
        {
          method: "PROPFIND",
          headers: { Depth: "1", "Content-Type": "application/xml; charset=utf-8" },
          body: PROPFIND_BODY,
        },
        what,
        signal,
      );
      if (response.status !== 207) {
        if (response.status >= 200 && response.status < 300) {
          await response.body?.cancel();
          throw new UsageError(
            `${where} is no WebDAV folder: it answered PROPFIND with HTTP ${response.status}, not a ` +
              `207 multistatus`,
          );
        }
        if (root && (response.status === 404 || response.status === 410)) {
          await response.body?.cancel();
          throw new UsageError(`there is no folder at ${where} (HTTP ${response.status}): check --from`);
        }
        if (root && (response.status === 405 || response.status === 501)) {
          await response.body?.cancel();
          throw new UsageError(
            `${where} is no WebDAV folder: it does not answer PROPFIND (HTTP ${response.status}); give the ` +
              `URL of a WebDAV share (for rclone: rclone serve webdav REMOTE:PATH)`,
          );
        }
        throw await this.#statusError(response, where, "PROPFIND");
      }
      if (root && !sameResource(reached, folder)) {
        // Redirected to another path of the same origin: the folder is there, and so are its entries.
        this.#root = new URL(`${reached.origin}${reached.pathname.replace(/\/*$/, "/")}`);
      }
      const resources: DavResource[] = [];
      let listed = 0;
      const reader = new MultistatusReader((resource) => {
        listed++;
        if (wanted(resource)) resources.push(resource);
      });
      const decoder = new TextDecoder();
      const body = response.body?.getReader();
      let bytes = 0;
      try {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array> | undefined;
          try {
            chunk = await body?.read();
          } catch (error) {
            signal?.throwIfAborted();
            throw new TransientError(`${what}: the answer broke off: ${message(error)}`, { cause: error });
          }
          if (!chunk || chunk.done) break;
          bytes += chunk.value.length;
          if (bytes > this.#maxListingBytes) {
            throw new PhotosyncError(
              `${this.description}: the listing of ${where} is over ${mebibytes(this.#maxListingBytes)} ` +
                `(${listed} files and folders so far) and was not read on: give --from the folder that holds ` +
                `the Takeout parts, or move other files out of it`,
            );
          }
          reader.push(decoder.decode(chunk.value, { stream: true }));
        }
        reader.push(decoder.decode());
        reader.end();
      } catch (error) {
        body?.cancel().catch(() => {});
        if (!(error instanceof MultistatusError)) throw error;
        throw new PhotosyncError(`${this.description}: listing ${where}: ${error.message}`, { cause: error });
      }
      return resources;
    }, signal);
  }

  /** The size of a file a listing gave none for, from a `HEAD`. */
  async #headSize(url: URL, signal?: AbortSignal): Promise<number> {
    const where = describeUrl(url);
    const what = `asking the size of ${where}`;
    return await this.#retrying(async () => {
      const { response } = await this.#request(url, { method: "HEAD" }, what, signal);
      if (!response.ok) throw await this.#statusError(response, where, "HEAD");
      await response.body?.cancel();
      const size = Number(response.headers.get("content-length") ?? Number.NaN);
      if (!Number.isSafeInteger(size) || size < 0) {
        throw new PhotosyncError(
          `${this.description} tells no size for ${where}; photosync cannot read it by ranges`,
        );
      }
      return size;
    }, signal);
  }

  /**
   * One request with the sign-in and an idle timeout, and the URL that answered it; a failure to get an
   * answer is transient. Redirects are followed here, not by fetch: on the folder's origin up to
   * {@link MAX_REDIRECTS}, with the same method and body; to another origin (another host, or https
   * for http) never, as the login and the paths would go there: a `UsageError` naming both URLs.
   */
  async #request(
    url: URL,
    init: RequestInit,
    what: string,
    signal?: AbortSignal,
    /** A read of a file's bytes: its body may be read into the reader's own buffers (see `exactly`). */
    byob = false,
  ): Promise<{ response: Response; url: URL }> {
    const headers = new Headers(init.headers);
    if (this.#authorization) headers.set("Authorization", this.#authorization);
    let current = url;
    for (let redirects = 0;; redirects++) {
      let response: Response;
      try {
        response = await fetchWithIdleTimeout(current.href, { ...init, headers, redirect: "manual" }, {
          fetch: this.#fetch,
          idleMs: this.#idleMs,
          signal,
          byob,
        });
      } catch (error) {
        signal?.throwIfAborted();
        // Google's requests' rule: not allowed is final, anything else (a stall, a refused connection) transient.
        throw requestError(current.href, error, what);
      }
      if (!REDIRECTS.has(response.status)) return { response, url: current };
      await response.body?.cancel();
      const location = response.headers.get("location");
      let next: URL | undefined;
      try {
        next = location === null ? undefined : new URL(location, current);
      } catch {
        // Said below, as no Location.
      }
      if (!next) {
        throw new PhotosyncError(
          `${this.description}: ${init.method} ${describeUrl(current)} answered HTTP ${response.status}, a ` +
            `redirect, without a URL to go to`,
        );
      }
      next.username = "";
      next.password = "";
      next.hash = "";
      if (next.origin !== this.#root.origin) {
        const asked = url === this.#root
          ? `give the URL it redirects to: --from=${next.origin}${next.pathname}`
          : `give --from the folder's URL on ${next.origin}`;
        throw new UsageError(
          `${describeUrl(current)} redirects to ${describeUrl(next)}, on another ${
            next.host === current.host ? "scheme" : "host"
          }: photosync sends requests and the login only to the host of --from; ${asked}`,
        );
      }
      if (redirects === MAX_REDIRECTS) {
        throw new PhotosyncError(
          `${this.description}: ${
            describeUrl(url)
          } kept redirecting (more than ${MAX_REDIRECTS} redirects, ` +
            `the last to ${describeUrl(next)})`,
        );
      }
      current = next;
    }
  }

  /** The error for an answer that is not the one asked for: transient, a refused login, or final. */
  async #statusError(response: Response, where: string, method: string): Promise<Error> {
    const status = response.status;
    const retryAfter = retryAfterMs(response.headers.get("retry-after"));
    await response.body?.cancel();
    const answered = `${method} ${where} answered HTTP ${status}${
      response.statusText ? ` ${response.statusText}` : ""
    }`;
    if (status === 401 || status === 403) {
      return new AuthError(
        this.#authorization
          ? `${this.description} refused the login (HTTP ${status} for ${where}): check ${WEBDAV_ENV.user} ` +
            `and ${WEBDAV_ENV.password}`
          : `${this.description} asks for a login (HTTP ${status} for ${where}): set ${WEBDAV_ENV.user} and ` +
            `${WEBDAV_ENV.password}`,
      );
    }
    if (
      status === 408 || status === 425 || status === 429 ||
      (status >= 500 && status !== 501 && status !== 505)
    ) {
      return new TransientError(answered, { retryAfterMs: retryAfter });
    }
    if (status === 404 || status === 410) {
      return new PhotosyncError(
        `${where} is gone from ${this.description} (HTTP ${status}); run photosync again`,
      );
    }
    return new PhotosyncError(`${this.description}: ${answered}`);
  }

  /** `fn` under the shared retry rules; retries that run out end the run with one line. */
  async #retrying<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await withRetry(fn, { ...this.#retry, signal });
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      throw new PhotosyncError(
        `${this.description} kept failing (${stripCredentials(error.message)}); what is imported is kept: ` +
          `run photosync again later`,
        { cause: error },
      );
    }
  }
}

/** A `PhotosyncError`: `file` changed on the server since it was listed. */
function changed(file: RemoteFile, how: string): PhotosyncError {
  return new PhotosyncError(
    `${file.location} changed on the server while it was read (${how}); run photosync again to read it as it is now`,
  );
}

/**
 * `body` cut to exactly `length` bytes: what comes after is not read (the rest of a `200` sent
 * whole), and a body that ends or breaks before errors the stream with a `TransientError` (or,
 * once `signal` aborted, with its reason).
 */
function exactly(
  body: ReadableStream<Uint8Array>,
  length: number,
  what: string,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader | undefined;
  let received = 0;
  // A byte stream: a reader's own buffer (see `rangeChunks`) goes through to the body's when it is one.
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      const request = controller.byobRequest;
      const view = request?.view;
      if (!reader && view) {
        try {
          reader = body.getReader({ mode: "byob" });
        } catch {
          // Not a byte stream: read as it comes.
        }
      }
      reader ??= body.getReader();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      const into = view && reader instanceof ReadableStreamBYOBReader;
      try {
        chunk = into
          ? await (reader as ReadableStreamBYOBReader).read(
            new Uint8Array(view.buffer, view.byteOffset, Math.min(view.byteLength, length - received)),
          ) as ReadableStreamReadResult<Uint8Array>
          : await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
      } catch (error) {
        // The run's stop ends the read with its own reason, not as a break worth another try.
        if (signal?.aborted) return controller.error(signal.reason);
        controller.error(
          new TransientError(
            `${what}: the answer broke off after ${received} of ${length} bytes: ${message(error)}`,
            { cause: error },
          ),
        );
        return;
      }
      if (chunk.done) {
        controller.error(
          new TransientError(`${what}: the answer ended after ${received} of ${length} bytes`),
        );
        return;
      }
      const bytes = chunk.value.length > length - received
        ? chunk.value.subarray(0, length - received)
        : chunk.value;
      received += bytes.length;
      if (into) request!.respondWithNewView(bytes);
      else if (bytes.length > 0) controller.enqueue(bytes);
      if (received === length) {
        controller.close();
        reader.cancel().catch(() => {});
      }
    },
    cancel(reason) {
      return (reader ?? body).cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function message(error: unknown): string {
  return stripCredentials(error instanceof Error ? error.message : String(error));
}

/** `bytes` as MiB for messages: `128 MiB`. */
function mebibytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
