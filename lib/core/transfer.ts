/**
 * Drains a source's pending items to disk through a bounded pool: paths are settled in
 * creation order, the source prepares a few batches ahead of the workers (e.g. fresh
 * download URLs), bytes are streamed to a temporary file and checked (in a folder of local
 * days, asked for the local day they tell: `localTimeOf`), and the shared place and record step
 * (`place.ts`) moves each into place and marks it in `sync.db`.
 * @module
 */
import { join } from "node:path";
import type { ByteBudget } from "./byte_budget.ts";
import { IdleWatchdog } from "./idle_watchdog.ts";
import type { FolderDays } from "./folder_settings.ts";
import type { PathMapper } from "./layout.ts";
import type { LocalTime } from "./local_time.ts";
import type { Logger } from "./logger.ts";
import { idTag } from "./names.ts";
import { BodyError, changedStamp, type OnNewEntry, OutputTree, UnsafePathError } from "./output_tree.ts";
import { Placer } from "./place.ts";
import { PlacedHashes } from "./placed_hashes.ts";
import { liveCaptureMs } from "./shared_date.ts";
import type { HashPool } from "./hash_pool.ts";
import { pooled } from "./pool.ts";
import { type RetryOptions, TransientError, withRetry } from "./retry.ts";
import type { ItemRow, Store } from "./store.ts";
import { ItemError, type PlacedRow, type Skipped, type Source, type Transfer } from "./source.ts";

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
  /** `local`: folders by the capture's local day (see {@link Placer}); default UTC days. */
  folderDays?: FolderDays;
  /**
   * The capture's local time that a staged download's own bytes tell (`file`: its temporary file),
   * or undefined. Asked in a folder of local days only, before the file is placed: it goes to its
   * local day ({@link Placer.relocate}); its mtime stays the instant the source gave.
   */
  localTimeOf?: (file: string, row: ItemRow) => Promise<LocalTime | undefined>;
  logger: Logger;
  retry?: RetryOptions;
  /** Give up on a transfer that writes nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  /**
   * The run's stop. The pool aborts it on the first fatal error; aborted (by that or from
   * outside), every transfer's request and backoff sleep ends at once and its partial file
   * is removed.
   */
  stop?: AbortController;
  /** Called with each file's path (relative to the output directory) once it is in place. */
  onFile?: OnNewEntry;
  /**
   * The run's byte budget (`--max-bytes`), shared by all of its passes: a download goes on only when
   * its size (the answer's `Content-Length`) fits in what is left, counting those in flight; the first
   * that does not ends the pass (its body not read), the rest stay pending for the next run. One larger
   * than the whole budget goes alone, in a run that has downloaded nothing else (see `ByteBudget`).
   */
  budget?: ByteBudget;
  /** Where downloaded files are hashed (default: a pool of the pass's own, started at the first file). */
  hashPool?: HashPool;
  /**
   * The outcome to count into (default: one of the pass's own), as the pass goes: several passes add
   * up in one, and a pass the run's stop ends (a time limit: it throws) has counted what it did.
   */
  result?: TransferResult;
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

/**
 * Transfer every pending item of `source`. Fatal errors (auth, quota, disk) and the stop end
 * the pass at once, keeping every finished file; others leave the item pending.
 */
export async function transferPending(options: TransferOptions): Promise<TransferResult> {
  const { store, logger, tree, source } = options;
  const stop = options.stop ?? new AbortController();
  await tree.clearTemp();
  const result: TransferResult = options.result ?? { downloaded: 0, bytes: 0, failed: 0, deferred: 0 };
  logger.progress({ filesTotal: store.pendingCount(source.name), files: 0, bytes: 0 });
  // A record that fails to be written (e.g. a full disk) stops the run as if a transfer had failed.
  using placer = new Placer({ ...options, onError: (error) => stop.abort(error), onPlaced: options.onFile });
  using hashes = new PlacedHashes(store, tree.root, options.hashPool);

  /** Pending items ready to transfer, their batches prepared ahead of the workers. */
  async function* transfers(): AsyncGenerator<Transfer> {
    const { budget } = options;
    let cursor: ItemRow | undefined;
    const load = () => {
      const rows = store.pendingAfter(source.name, cursor, TRANSFER_BATCH);
      if (rows.length === 0) return Promise.resolve(undefined);
      cursor = rows[rows.length - 1];
      return source.prepare(placer.settle(rows));
    };
    // Batches are taken in order; their preparation runs ahead of the workers.
    const ahead = Array.from({ length: BATCHES_AHEAD }, load);
    ahead.forEach((batch) => batch.catch(() => {}));
    for (;;) {
      if (budget?.reached) return;
      const batch = await ahead.shift()!;
      if (!batch) return;
      const next = load();
      next.catch(() => {}); // Awaited later; never an unhandled rejection if we stop first.
      ahead.push(next);
      for (const entry of batch) {
        // Asked as each worker comes for its next item: the files in flight may have spent it.
        if (budget?.reached) return;
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

  try {
    await pooled(transfers(), options.concurrency, async (transfer) => {
      try {
        const { path, size, shared } = await transferOne(transfer, placer, hashes, options, stop.signal);
        if (shared) {
          // The same bytes as a file another source stored: that file is this item's too.
          logger.event(`${transfer.row.path}: the same bytes as ${path} (kept once)`);
          result.downloaded++;
          logger.progress({ files: result.downloaded });
          return;
        }
        result.downloaded++;
        result.bytes += size;
        logger.event(`downloaded ${path}`);
        logger.progress({ files: result.downloaded, bytes: result.bytes });
      } catch (error) {
        // No room left in the budget: pending as it was, for the next run (the pass ends: see `transfers`).
        if (error instanceof NoRoom) return;
        if (!(error instanceof ItemError)) throw error;
        skipped({ row: transfer.row, skip: "deferred", reason: error.message });
      }
    }, stop);
  } catch (error) {
    try {
      placer.flush();
    } catch {
      // The first error says more (a full disk fails both); those files are fetched again next time.
    }
    await tree.removeTemp();
    throw error;
  }
  placer.flush();
  await hashes.settle();
  await tree.removeTemp();
  return result;
}

/** The download does not fit in what is left of the run's byte budget (`--max-bytes`). */
class NoRoom extends Error {}

/** What a download holds in the run's byte budget: its bytes, and for one of unknown size the most it may write. */
interface Hold {
  held: number;
  cap?: number;
}

/**
 * Hold the bytes of a download whose answer came, before its body is read: its size when the answer
 * tells it; else none, the body to be cut off past what was left when it started (`cap`). Without room
 * the body is cancelled and nothing is written (`NoRoom`).
 */
async function holdFor(
  budget: ByteBudget,
  body: ReadableStream<Uint8Array>,
  size: number | undefined,
): Promise<Hold> {
  const unknown = size === undefined ? budget.capForUnknown() : undefined;
  if (size === undefined ? unknown === undefined : !budget.hold(size)) {
    await body.cancel().catch(() => {});
    throw new NoRoom();
  }
  return size !== undefined ? { held: size } : { held: 0, cap: unknown!.cap };
}

/** `body`, erroring with `NoRoom` once it gives more than `cap` bytes (every attempt's, a retry's too). */
function capped(body: ReadableStream<Uint8Array>, cap: number | undefined): ReadableStream<Uint8Array> {
  if (cap === undefined) return body;
  let read = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.length;
        if (read <= cap) controller.enqueue(chunk);
        else controller.error(new NoRoom());
      },
    }),
  );
}

/**
 * Transfer one item with retries (ended by `stopped`) and place it; returns its path and size. Its
 * hash is taken once it is in place (off the download's path); but where another source stored a
 * file of the same size, the download is hashed first, and when the bytes are the same it is not
 * placed: the item shares that file (`shared`, and that file's path).
 */
async function transferOne(
  { row, open }: Transfer,
  placer: Placer,
  hashes: PlacedHashes,
  options: TransferOptions,
  stopped: AbortSignal,
): Promise<{ path: string; size: number; shared?: boolean }> {
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const { localTimeOf } = options;
  /** The row, at its local day in a folder of local days when its staged bytes tell one. */
  const located = async (temp: string): Promise<PlacedRow> => {
    if (options.folderDays !== "local" || !localTimeOf) return row;
    const local = await localTimeOf(temp, row);
    return local ? placer.relocate(row, local) : row;
  };
  const { budget } = options;
  /** What this item holds in the budget (once, by its first answer: a retry's are the same). */
  let hold: Hold | undefined;
  try {
    const done = await withRetry(async () => {
      const tempName = `${idTag(row.id)}-${crypto.randomUUID()}.part`;
      const temp = join(options.tree.tempDir, tempName);
      const written = () => Deno.stat(temp).then((stat) => stat.size, () => -1);
      using watchdog = new IdleWatchdog(idleMs, written, stopped);
      const opened = await open(watchdog.signal);
      let { body } = opened;
      const { size } = opened;
      if (budget) {
        hold ??= await holdFor(budget, body, size);
        body = capped(body, hold.cap);
      }
      const staged = await options.tree.writeTemp(body, {
        expectedSize: size,
        tempName,
        signal: watchdog.signal,
      })
        .catch((error) => {
          // A body of unknown size cut off where the budget ends: no network failure, not tried again.
          if (error.cause instanceof NoRoom) throw error.cause;
          if (error instanceof BodyError) throw new TransientError(error.message, { cause: error });
          throw error;
        });
      const copies = options.store.filesOfSize(staged.size, row.source);
      if (copies.length === 0) {
        const path = await placer.place(await located(staged.temp), staged, new Date(row.createdMs));
        hashes.add(row.id, path, staged.size);
        return { path, size: staged.size };
      }
      const { digest } = await hashes.pool.hash(staged.temp).catch(async (error) => {
        await Deno.remove(staged.temp).catch(() => {});
        throw error;
      });
      const same = copies.find((copy) => copy.hash === digest && options.tree.holds(copy.path, staged.size));
      if (same) {
        await Deno.remove(staged.temp).catch(() => {});
        options.store.markSameFile(row.id, same.id, staged.size, digest);
        // One photo, one date: the file (a Takeout import's) takes the download's, Google Photos' date
        // now (see `shared_date.ts`), moved to its day by `refileRedated` at the run's end (noted now:
        // a run stopped before leaves it to the next).
        const ms = liveCaptureMs(row);
        if (ms !== undefined && ms !== options.store.item(same.id)?.createdMs) {
          options.store.noteRefile(row.id);
        }
        return { path: same.path, size: staged.size, shared: true };
      }
      const placed = await located(staged.temp);
      return { path: await placer.place(placed, staged, new Date(row.createdMs), digest), size: staged.size };
    }, { ...options.retry, signal: stopped });
    // Written: the bytes held become bytes spent (those of a file stored once already, none).
    if (hold) budget?.spend(done.shared ? 0 : done.size, hold.held);
    return done;
  } catch (error) {
    // Nothing written: what was held is free again for the downloads still to come.
    if (hold) budget?.release(hold.held);
    if (error instanceof TransientError) throw new ItemError(`${error.message} (gave up after retries)`);
    if (error instanceof UnsafePathError) throw new ItemError(error.message);
    throw error;
  }
}

/** What {@link requeueMissing} did. */
export interface Requeued {
  /** Items put back to pending. */
  requeued: number;
  /**
   * Files of another size than recorded (a user's edit, a damaged file) moved aside from their
   * path (`from`) to `to` (both relative), before their item's download takes the path.
   */
  movedAside: { from: string; to: string }[];
}

/**
 * `--resync`: put back to pending every downloaded item of `sources` (those the run downloads;
 * another's, e.g. a Takeout import's, would stay pending for ever) whose file is missing or has
 * the wrong size; with `within`, only the items captured in it (epoch ms, both ends included).
 * A file of the wrong size is moved aside first (to `.photosync-changed/<stamp>/<path>`, as
 * `verify --repair` does): the download never overwrites bytes a user may have changed.
 */
export async function requeueMissing(
  store: Store,
  dir: string,
  sources: readonly string[],
  within?: { fromMs: number; toMs: number },
): Promise<Requeued> {
  const missing: string[] = [];
  const changed: string[] = [];
  const movedAside: Requeued["movedAside"] = [];
  const stamp = changedStamp(Date.now());
  const tree = new OutputTree(dir);
  for (const row of store.downloaded()) {
    if (!sources.includes(row.source)) continue;
    // An item sharing another's file (the same bytes from another source) has no file of its own.
    if (row.fileOf) continue;
    if (within && (row.createdMs < within.fromMs || row.createdMs > within.toMs)) continue;
    if (row.path && row.size !== null && tree.holds(row.path, row.size)) continue;
    missing.push(row.id);
    // A regular file there (a folder or a link is left: the download takes the next free name or the link's place).
    if (row.path && tree.modifiedAt(row.path) !== undefined) changed.push(row.path);
  }
  // Pending before any file is moved aside: a run stopped in between leaves no item recorded in place
  // whose file was moved (the next plain run downloads it; a file still there is kept by the placing).
  store.requeue(missing);
  for (const path of changed) movedAside.push({ from: path, to: await tree.moveAside(path, stamp) });
  return { requeued: missing.length, movedAside };
}
