/**
 * Drains pending items to disk through a bounded pool: fresh `baseUrl`s from batchGet (the
 * next batch fetched while the workers drain this one), bytes streamed to a temporary file
 * and renamed into place when complete, mtime set to the creation time.
 * @module
 */
import { join } from "node:path";
import { BodyError, OutputTree, UnsafePathError } from "./output_tree.ts";
import { PhotosyncError } from "./errors.ts";
import { IdleWatchdog, requestError } from "../google/http.ts";
import { BATCH_SIZE, type BatchResult, type LibraryClient, quotaError } from "../sources/library/client.ts";
import { isVideo, type MediaItem } from "../sources/library/media_item.ts";
import { idTag, type PathMapper, taggedName } from "./layout.ts";
import { pooled } from "./pool.ts";
import type { Logger } from "../cli/render.ts";
import { retryAfterMs, type RetryOptions, TransientError, withRetry } from "./retry.ts";
import type { ItemRow, Store } from "./store.ts";

/** Folder under the output directory holding partial downloads. */
export const TEMP_DIR = ".photosync-tmp";
/** Longest time a finished download waits to be marked in sync.db. */
const MARK_INTERVAL_MS = 250;
/** batchGet calls kept in flight ahead of the download workers. */
const BATCHES_AHEAD = 3;
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
  /** Give up on a download that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
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
  row: ItemRow & { path: string };
  item: MediaItem;
}

/** This item could not be downloaded this time; it stays pending with the reason as a note. */
class ItemError extends Error {}

/** Download every pending item. Fatal errors (auth, quota, disk) stop the pass; others leave the item pending. */
export async function downloadPending(options: DownloadOptions): Promise<DownloadResult> {
  const { store, logger, dir, library } = options;
  const tree = new OutputTree(dir, join(dir, TEMP_DIR));
  // Leftovers of an interrupted run are never complete files: start clean.
  await Deno.remove(tree.tempDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(tree.tempDir, { recursive: true });
  const result: DownloadResult = { downloaded: 0, bytes: 0, failed: 0, deferred: 0 };
  logger.progress({ filesTotal: store.pendingCount(), files: 0, bytes: 0 });

  /** Pending items with fresh URLs, one batchGet ahead of the workers. */
  async function* jobs(): AsyncGenerator<Job> {
    let cursor: ItemRow | undefined;
    const load = async () => {
      const rows = store.pendingAfter(cursor, BATCH_SIZE);
      if (rows.length === 0) return undefined;
      cursor = rows[rows.length - 1];
      const placed = assignPaths(store, rows, options.pathMapper);
      return { placed, answers: await library.batchGet(placed.map((row) => row.id)) };
    };
    // Batches are taken in order; their batchGets run ahead of the workers.
    const ahead = Array.from({ length: BATCHES_AHEAD }, load);
    ahead.forEach((batch) => batch.catch(() => {}));
    for (;;) {
      const batch = await ahead.shift()!;
      if (!batch) return;
      const next = load();
      next.catch(() => {}); // Awaited later; never an unhandled rejection if we stop first.
      ahead.push(next);
      yield* usable(batch.placed, batch.answers);
    }
  }

  function* usable(rows: (ItemRow & { path: string })[], answers: BatchResult[]): Generator<Job> {
    for (const [index, answer] of answers.entries()) {
      const row = rows[index];
      if ("error" in answer) {
        store.markFailed(row.id, answer.error);
        logger.warn(`${row.path} (${row.id}): ${answer.error}`);
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

  // Downloaded items are marked in batches; a crash loses only marks, and those files are fetched again.
  const done: { id: string; size: number }[] = [];
  let flushed = Date.now();
  const flush = () => {
    store.markDownloaded(done.splice(0));
    flushed = Date.now();
  };
  try {
    await pooled(jobs(), options.concurrency, async (job) => {
      try {
        const size = await download(job, { ...options, tree });
        if (done.push({ id: job.row.id, size }) >= BATCH_SIZE || Date.now() - flushed > MARK_INTERVAL_MS) {
          flush();
        }
        result.downloaded++;
        result.bytes += size;
        logger.event(`downloaded ${job.row.path}`);
        logger.progress({ files: result.downloaded, bytes: result.bytes });
      } catch (error) {
        if (!(error instanceof ItemError)) throw error;
        store.notePending(job.row.id, error.message);
        logger.warn(`${job.row.path}: ${error.message}`);
        result.deferred++;
      }
    });
  } catch (error) {
    try {
      flush();
    } catch {
      // The first error says more (a full disk fails both); those files are fetched again next time.
    }
    await Deno.remove(tree.tempDir, { recursive: true }).catch(() => {});
    throw error;
  }
  flush();
  await Deno.remove(tree.tempDir, { recursive: true }).catch(() => {});
  return result;
}

/** Download one item with retries; returns its size. */
async function download(
  { row, item: first }: Job,
  options: DownloadOptions & { tree: OutputTree },
): Promise<number> {
  let item = first;
  const suffix = isVideo(item) ? "=dv" : "=d";
  const idleMs = options.idleTimeoutMs ?? 60_000;
  try {
    return await withRetry(async () => {
      const tempName = `${idTag(row.id)}-${crypto.randomUUID()}.part`;
      const temp = join(options.tree.tempDir, tempName);
      using watchdog = new IdleWatchdog(idleMs, () => Deno.stat(temp).then((stat) => stat.size, () => -1));
      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(item.baseUrl + suffix, { signal: watchdog.signal });
      } catch (error) {
        throw requestError(item.baseUrl ?? "", error, "download failed");
      }
      if (response.status === 403 || response.status === 404) {
        // The baseUrl expired: get a fresh one and try again at once.
        await response.body?.cancel();
        const [answer] = await options.library.batchGet([row.id]);
        if ("error" in answer) throw new ItemError(answer.error);
        item = answer.item;
        throw new TransientError(`download URL expired (HTTP ${response.status})`, { retryAfterMs: 0 });
      }
      if (!response.ok || !response.body) {
        const text = await response.text().catch(() => "");
        const quota = quotaError(response.status, text);
        if (quota) throw quota;
        const error = `download failed: HTTP ${response.status}`;
        if (response.status === 429 || response.status >= 500) {
          throw new TransientError(error, {
            retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
          });
        }
        throw new ItemError(error);
      }
      const length = response.headers.get("content-length");
      try {
        return await options.tree.write(response.body, row.path, {
          expectedSize: length === null ? undefined : Number(length),
          mtime: new Date(row.createdMs),
          tempName,
        });
      } catch (error) {
        if (error instanceof BodyError) {
          throw new TransientError(error.message, { cause: error });
        }
        throw error;
      }
    }, options.retry);
  } catch (error) {
    if (error instanceof TransientError) throw new ItemError(`${error.message} (gave up after retries)`);
    if (error instanceof UnsafePathError) throw new ItemError(error.message);
    throw error;
  }
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

/**
 * Give each row without a path one, in creation order, so that names are deterministic:
 * the first item keeps its name, a later one with the same path gets a tag from its id.
 */
function assignPaths(store: Store, rows: ItemRow[], pathMapper: PathMapper): (ItemRow & { path: string })[] {
  return store.transaction(() =>
    rows.map((row) => {
      if (row.path) return { ...row, path: row.path };
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
