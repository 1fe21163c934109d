/**
 * Drains a source's pending items to disk through a bounded pool: paths are settled in
 * creation order, the source prepares a few batches ahead of the workers (e.g. fresh
 * download URLs), bytes are streamed to a temporary file, checked, dated and renamed into
 * place, and finished items are marked in `sync.db` in batches.
 * @module
 */
import { join } from "node:path";
import { PhotosyncError } from "./errors.ts";
import { IdleWatchdog } from "./idle_watchdog.ts";
import type { PathMapper } from "./layout.ts";
import type { Logger } from "./logger.ts";
import { idTag, taggedName } from "./names.ts";
import { BodyError, type OutputTree, RESERVED_NAMES, UnsafePathError } from "./output_tree.ts";
import { pooled } from "./pool.ts";
import { type RetryOptions, TransientError, withRetry } from "./retry.ts";
import type { ItemRow, Store } from "./store.ts";
import { ItemError, type PlacedRow, type Skipped, type Source, type Transfer } from "./source.ts";

/** Longest time a finished transfer waits to be marked in sync.db. */
const MARK_INTERVAL_MS = 250;
/** Pending items settled and prepared at a time. */
export const TRANSFER_BATCH = 50;
/** Batches prepared ahead of the workers. */
const BATCHES_AHEAD = 3;

/** What {@link transferPending} needs. */
export interface TransferOptions {
  store: Store;
  source: Source;
  /** The output directory. */
  tree: OutputTree;
  concurrency: number;
  pathMapper: PathMapper;
  logger: Logger;
  retry?: RetryOptions;
  /** Give up on a transfer that writes nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  /**
   * Stops the pass (e.g. Ctrl-C): no transfer starts, those running are broken off (their
   * temporary files removed), and the signal's reason is thrown.
   */
  signal?: AbortSignal;
}

/** Outcome of a transfer pass. */
export interface TransferResult {
  downloaded: number;
  bytes: number;
  /** Items marked failed (the source would not give them). */
  failed: number;
  /** Items left pending (not ready yet, or errors that a later run may get past). */
  deferred: number;
}

/** Transfer every pending item of `source`. Fatal errors (auth, quota, disk) stop the pass; others leave the item pending. */
export async function transferPending(options: TransferOptions): Promise<TransferResult> {
  const { store, logger, tree, source } = options;
  await tree.clearTemp();
  const result: TransferResult = { downloaded: 0, bytes: 0, failed: 0, deferred: 0 };
  logger.progress({ filesTotal: store.pendingCount(source.name), files: 0, bytes: 0 });

  /** Pending items ready to transfer, their batches prepared ahead of the workers. */
  async function* transfers(): AsyncGenerator<Transfer> {
    let cursor: ItemRow | undefined;
    const load = () => {
      const rows = store.pendingAfter(source.name, cursor, TRANSFER_BATCH);
      if (rows.length === 0) return Promise.resolve(undefined);
      cursor = rows[rows.length - 1];
      return source.prepare(placeRows(store, rows, options.pathMapper));
    };
    // Batches are taken in order; their preparation runs ahead of the workers.
    const ahead = Array.from({ length: BATCHES_AHEAD }, load);
    ahead.forEach((batch) => batch.catch(() => {}));
    for (;;) {
      const batch = await ahead.shift()!;
      if (!batch) return;
      const next = load();
      next.catch(() => {}); // Awaited later; never an unhandled rejection if we stop first.
      ahead.push(next);
      for (const entry of batch) {
        if ("skip" in entry) skipped(entry);
        else yield entry;
      }
    }
  }

  function skipped({ row, skip, reason }: Skipped): void {
    if (skip === "failed") {
      store.markFailed(row.id, reason);
      logger.warn(`${row.path} (${row.id}): ${reason}`);
      result.failed++;
    } else {
      store.notePending(row.id, reason);
      logger.event(`skipped ${row.path}: ${reason}`);
      result.deferred++;
    }
  }

  // Finished items are marked in batches; a crash loses only marks, and those files are fetched again.
  const done: { id: string; size: number }[] = [];
  let flushed = Date.now();
  const flush = () => {
    store.markDownloaded(done.splice(0));
    flushed = Date.now();
  };
  try {
    await pooled(transfers(), options.concurrency, async (transfer) => {
      try {
        const size = await transferOne(transfer, options);
        if (
          done.push({ id: transfer.row.id, size }) >= TRANSFER_BATCH ||
          Date.now() - flushed > MARK_INTERVAL_MS
        ) {
          flush();
        }
        result.downloaded++;
        result.bytes += size;
        logger.event(`downloaded ${transfer.row.path}`);
        logger.progress({ files: result.downloaded, bytes: result.bytes });
      } catch (error) {
        if (!(error instanceof ItemError)) throw error;
        skipped({ row: transfer.row, skip: "deferred", reason: error.message });
      }
    });
  } catch (error) {
    try {
      flush();
    } catch {
      // The first error says more (a full disk fails both); those files are fetched again next time.
    }
    await tree.removeTemp();
    throw error;
  }
  flush();
  await tree.removeTemp();
  return result;
}

/** Transfer one item with retries; returns its size. */
async function transferOne({ row, open }: Transfer, options: TransferOptions): Promise<number> {
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const stop = options.signal;
  try {
    return await withRetry(async () => {
      const tempName = `${idTag(row.id)}-${crypto.randomUUID()}.part`;
      const temp = join(options.tree.tempDir, tempName);
      using watchdog = new IdleWatchdog(idleMs, () => Deno.stat(temp).then((stat) => stat.size, () => -1));
      const signal = stop ? AbortSignal.any([watchdog.signal, stop]) : watchdog.signal;
      try {
        const { body, size } = await open(signal);
        return await options.tree.write(body, row.path, {
          expectedSize: size,
          mtime: new Date(row.createdMs),
          tempName,
        });
      } catch (error) {
        stop?.throwIfAborted();
        if (error instanceof BodyError) throw new TransientError(error.message, { cause: error });
        throw error;
      }
    }, { ...options.retry, signal: stop });
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
 * Give each row without a path one, in the order given (creation order), so that names are
 * deterministic: the first item keeps its name, a later one with the same path gets a tag
 * from its id.
 */
export function placeRows(store: Store, rows: readonly ItemRow[], pathMapper: PathMapper): PlacedRow[] {
  return store.transaction(() =>
    rows.map((row) => {
      if (row.path) return { ...row, path: row.path };
      const wanted = checkedPath(pathMapper(row), row.id);
      const candidates = [wanted, taggedName(wanted, idTag(row.id)), taggedName(wanted, row.id)];
      const path = candidates.find((path) =>
        !RESERVED_NAMES.has(path.split("/")[0].toLowerCase()) && store.claimPath(row.id, path)
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
