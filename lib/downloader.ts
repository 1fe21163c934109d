/**
 * Drains pending items to disk through a bounded pool: fresh `baseUrl`s from batchGet, bytes
 * streamed to a temporary file, renamed into place when complete, mtime set to the creation time.
 * @module
 */
import pMap from "p-map";
import { dirname, join } from "node:path";
import type { LibraryClient } from "./library_api.ts";
import { BATCH_SIZE } from "./library_api.ts";
import { isVideo, type MediaItem } from "./media_item.ts";
import { idTag, type PathMapper, taggedName } from "./paths.ts";
import type { Logger } from "./render.ts";
import type { ItemRow, Store } from "./store.ts";
import { type RetryOptions, TransientError, withRetry } from "./retry.ts";
import { PhotosyncError } from "./errors.ts";

/** Folder under the output directory holding partial downloads. */
export const TEMP_DIR = ".photosync-tmp";
/** Names under the output directory that items may never take. */
const RESERVED = new Set(["sync.db", "sync.db-wal", "sync.db-shm", "sync.db-journal", TEMP_DIR]);

/** What {@link downloadPending} needs. */
export interface DownloadOptions {
  store: Store;
  library: LibraryClient;
  /** Output directory. */
  dir: string;
  concurrency: number;
  pathMapper: PathMapper;
  logger: Logger;
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

/** Outcome of a download pass. */
export interface DownloadResult {
  downloaded: number;
  bytes: number;
  /** Items marked failed (Google would not give them). */
  failed: number;
  /** Items left pending (not ready yet, or errors that a later run may get past). */
  deferred: number;
}

interface Job {
  row: ItemRow;
  item: MediaItem;
}

/** Download every pending item. Fatal errors (auth, quota) end the pass; others leave the item pending. */
export async function downloadPending(options: DownloadOptions): Promise<DownloadResult> {
  const { store, logger, dir } = options;
  const fetcher = options.fetch ?? fetch;
  const tempDir = join(dir, TEMP_DIR);
  await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(tempDir, { recursive: true });
  const result: DownloadResult = { downloaded: 0, bytes: 0, failed: 0, deferred: 0 };
  logger.progress({ filesTotal: store.pendingCount(), files: 0, bytes: 0 });

  async function* jobs(): AsyncGenerator<Job> {
    let cursor: ItemRow | undefined;
    for (;;) {
      const rows = store.pendingAfter(cursor, BATCH_SIZE);
      if (rows.length === 0) return;
      cursor = rows[rows.length - 1];
      const placed = assignPaths(store, rows, options.pathMapper);
      const answers = await options.library.batchGet(rows.map((row) => row.id));
      for (const [index, answer] of answers.entries()) {
        const row = placed[index];
        if ("error" in answer) {
          store.markFailed(row.id, answer.error);
          logger.warn(`${row.filename} (${row.id}): ${answer.error}`);
          result.failed++;
          continue;
        }
        const status = answer.item.mediaMetadata?.video?.status;
        if (isVideo(answer.item) && status !== undefined && status !== "READY") {
          store.notePending(row.id, `video not ready (${status}); a later run downloads it`);
          logger.event(`skipped ${row.path}: video not ready yet (${status})`);
          result.deferred++;
          continue;
        }
        yield { row, item: answer.item };
      }
    }
  }

  await pMap(jobs(), async ({ row, item }) => {
    try {
      const size = await downloadOne(row, item, { ...options, fetch: fetcher, tempDir });
      store.markDownloaded(row.id, size);
      result.downloaded++;
      result.bytes += size;
      logger.event(`downloaded ${row.path}`);
      logger.progress({ files: result.downloaded, bytes: result.bytes });
    } catch (error) {
      if (!(error instanceof DownloadError)) throw error;
      store.notePending(row.id, error.message);
      logger.warn(`${row.path}: ${error.message}`);
      result.deferred++;
    }
  }, { concurrency: options.concurrency });
  await Deno.remove(tempDir).catch(() => {});
  return result;
}

/**
 * `--resync`: put back to pending every downloaded item whose file is missing or has the
 * wrong size. Returns how many were requeued.
 */
export async function requeueMissing(store: Store, dir: string): Promise<number> {
  const missing: string[] = [];
  for (const row of store.downloaded()) {
    const stat = await Deno.lstat(join(dir, ...(row.path ?? "").split("/"))).catch(() => undefined);
    if (!stat?.isFile || stat.size !== row.size) missing.push(row.id);
  }
  store.requeue(missing);
  return missing.length;
}

/** A single file could not be downloaded this time; it stays pending. */
class DownloadError extends PhotosyncError {}

async function downloadOne(
  row: ItemRow,
  first: MediaItem,
  options: DownloadOptions & { fetch: typeof fetch; tempDir: string },
): Promise<number> {
  let item = first;
  const suffix = isVideo(item) ? "=dv" : "=d";
  const temp = join(options.tempDir, `${idTag(row.id)}-${crypto.randomUUID()}.part`);
  const target = join(options.dir, ...row.path!.split("/"));
  return await withRetry(async () => {
    let response: Response;
    try {
      response = await options.fetch(item.baseUrl + suffix);
    } catch (error) {
      throw new TransientError(`download failed: ${(error as Error).message}`, { cause: error });
    }
    if (response.status === 403 || response.status === 404) {
      // The baseUrl expired: get a fresh one and try again.
      await response.body?.cancel();
      const [answer] = await options.library.batchGet([row.id]);
      if ("error" in answer) throw new DownloadError(answer.error);
      item = answer.item;
      throw new TransientError(`download URL expired (HTTP ${response.status})`, { retryAfterMs: 0 });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      const error = `download failed: HTTP ${response.status}`;
      if (response.status === 429 || response.status >= 500) throw new TransientError(error);
      throw new DownloadError(error);
    }
    try {
      const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o644 });
      await response.body.pipeTo(file.writable);
      const { size } = await Deno.stat(temp);
      const expected = Number(response.headers.get("content-length") ?? NaN);
      if (Number.isFinite(expected) && size !== expected) {
        throw new TransientError(`download cut short: ${size} of ${expected} bytes`);
      }
      const created = new Date(row.createdMs);
      await Deno.utime(temp, created, created);
      await Deno.mkdir(dirname(target), { recursive: true });
      await Deno.rename(temp, target);
      return size;
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      if (error instanceof PhotosyncError || error instanceof TransientError) throw error;
      throw new TransientError(`download failed: ${(error as Error).message}`, { cause: error });
    }
  }, options.retry).catch((error) => {
    if (error instanceof TransientError) throw new DownloadError(error.message, { cause: error });
    throw error;
  });
}

/**
 * Give each row without a path one, in creation order, so that names are deterministic:
 * the first item keeps its name, a later one with the same path gets a tag from its id.
 */
function assignPaths(store: Store, rows: ItemRow[], pathMapper: PathMapper): ItemRow[] {
  return store.transaction(() =>
    rows.map((row) => {
      if (row.path) return row;
      const wanted = checkedPath(pathMapper(row), row.id);
      const candidates = [wanted, taggedName(wanted, idTag(row.id)), taggedName(wanted, row.id)];
      const path = candidates.find((path) =>
        !RESERVED.has(path.split("/")[0].toLowerCase()) && store.claimPath(row.id, path)
      );
      if (!path) throw new PhotosyncError(`no free file name for item ${row.id} (${wanted})`);
      return { ...row, path };
    })
  );
}

/** A mapper's path must stay inside the output directory. */
function checkedPath(path: string, id: string): string {
  const parts = path.split("/");
  if (
    path.startsWith("/") ||
    parts.some((part) => part === "" || part === "." || part === ".." || part.includes("\\"))
  ) {
    throw new PhotosyncError(
      `path mapper gave "${path}" for item ${id}: paths must be relative, "/"-separated`,
    );
  }
  return path;
}
