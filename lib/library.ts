/**
 * `sync()`: back up what the Library API returns. Authorise, stream the source's pages into
 * `sync.db`, then drain pending items into the output tree through the shared transfer pool
 * (and those an earlier `pick` left pending).
 * @module
 */
import { openBackup, RunStop } from "./core/backup.ts";
import { type DateRange, dayNumber } from "./core/dates.ts";
import { StopRequest } from "./core/errors.ts";
import type { OnNewEntry } from "./core/output_tree.ts";
import { ingest, refileRedated } from "./core/ingest.ts";
import type { FolderRequest } from "./core/folder_settings.ts";
import type { PathMapper } from "./core/layout.ts";
import type { Logger } from "./core/logger.ts";
import type { RetryOptions } from "./core/retry.ts";
import { requeueMissing, transferPending, type TransferResult } from "./core/transfer.ts";
import { writeXmpSidecars } from "./core/xmp_sidecars.ts";
import { fitNamesForXmp } from "./core/fit_names.ts";
import { finishStoppedMoves } from "./core/place.ts";
import { downloadLocalTime } from "./download_local_time.ts";
import { authorize } from "./google/credentials.ts";
import type { GoogleIo } from "./google/io.ts";
import { LibraryClient } from "./sources/library/client.ts";
import { librarySource } from "./sources/library/source.ts";
import { leftPendingPicks } from "./sources/picker/left_pending.ts";

/** The I/O edges of a sync run (see {@link GoogleIo}). */
export type SyncIo = GoogleIo;

/** What to sync. */
export interface SyncOptions extends FolderRequest {
  /** Output directory: holds `sync.db` and the photos. */
  dir: string;
  logger: Logger;
  /** Which days to search: a range (`--dates`), `"all"`, or by default the incremental ranges. */
  dates?: DateRange | "all";
  /**
   * With a `dates` range (`--all --dates`): check every item of those days again. Items missing
   * from sync.db (rows deleted by hand) are indexed again and take back their files; those whose
   * file is missing or has another size are downloaded again.
   */
  recheck?: boolean;
  /** Client secret file; giving it authorises again. */
  creds?: string;
  /** Download again items whose file is missing or has the wrong size. */
  resync?: boolean;
  /** Update the index only. */
  indexOnly?: boolean;
  /**
   * Search nothing: only download what is pending (`verify --repair` puts back what is missing
   * or changed). Authorises with the Library only when a Library item is pending.
   */
  pendingOnly?: boolean;
  /** Downloads at once (default 8). */
  concurrency?: number;
  /** Give up on a request that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Where an item goes under `dir` (default: the `{year}/{month}/{day}` layout). */
  pathMapper?: PathMapper;
  /** Library API root (default Google's). */
  apiUrl?: string;
  /** Picker API root (default Google's), for items an earlier `pick` left pending. */
  pickerUrl?: string;
  retry?: RetryOptions;
  /**
   * Stop after this long (ms): no new request starts, downloads in flight are dropped (their
   * partial files removed), what is finished is kept, and the summary says `stopped`. With
   * `stop` given, its own time limit applies instead.
   */
  maxTimeMs?: number;
  /**
   * Write at most this many bytes in this run (a download starts only when its size fits in what is
   * left, counting those in flight; one larger than the whole budget alone, in a run that wrote nothing
   * else): the rest stay pending for the next run. With `stop` given, its own budget applies instead.
   */
  maxBytes?: number;
  /** Called with each file's path (relative to `dir`) once it is in place. */
  onFile?: OnNewEntry;
  /**
   * The run's stop: abort it (Ctrl-C) to end the run within a second or two, keeping what is
   * finished; its reason is thrown. Disposed of at the run's end. Default: one of its own (with
   * `maxTimeMs`).
   */
  stop?: RunStop;
  /** I/O edges (default: the real ones). */
  io?: SyncIo;
}

/** What a sync did. */
export interface SyncSummary {
  added: number;
  updated: number;
  requeued: number;
  /** Downloaded files moved to the day of a date corrected in Google Photos (with it as mtime). */
  redated: number;
  /**
   * Files not moved to their corrected day (a folder on the way is a link or a file): each said in a
   * warning, left where they are and tried again next run.
   */
  notRedated?: number;
  /** Files of another size than recorded that `resync` (or the days checked again) moved aside. */
  movedAside: { from: string; to: string }[];
  downloads?: TransferResult;
  /** Set when `maxTimeMs` ran out: while indexing (more days to search) or downloading. */
  stopped?: "indexing" | "downloading";
  /**
   * Set when the Library API has shown this folder no item at all: since 2025-03-31 it shows only
   * the media photosync's own OAuth client uploaded, so for most libraries it finds nothing.
   */
  noAppCreatedMedia?: boolean;
  /** Set when `maxBytes` was reached: no download started after it. */
  budgetReached?: boolean;
  /** Items still pending at the end. */
  pending: number;
}

/** Run one sync: index, then download. */
export async function sync(options: SyncOptions): Promise<SyncSummary> {
  const { logger, retry, idleTimeoutMs, io = {} } = options;
  using stop = options.stop ?? new RunStop(options);
  using backup = await openBackup(options.dir, options);
  // A file a stopped move left under two names has one (its old name gone) before anything looks for it.
  await finishStoppedMoves({ ...backup, logger, onPlaced: options.onFile });
  // First: the files moved (renamed) here are where the rest of the run finds them.
  if (backup.xmp) await fitNamesForXmp({ ...backup, logger, onPlaced: options.onFile });
  const { store } = backup;
  const summary: SyncSummary = { added: 0, updated: 0, requeued: 0, redated: 0, movedAside: [], pending: 0 };
  let phase: NonNullable<SyncSummary["stopped"]> = "indexing";
  try {
    const library = options.pendingOnly && store.pendingCount("library") === 0
      ? undefined
      : await (async () => {
        const tokens = await authorize(store, {
          ...io,
          env: io.env ?? (() => undefined),
          creds: options.creds,
          logger,
          signal: stop.signal,
          onRetry: retry?.onRetry,
        });
        const client = new LibraryClient({
          tokens,
          apiUrl: options.apiUrl,
          fetch: io.fetch,
          retry,
          idleTimeoutMs,
          signal: stop.signal,
        });
        return librarySource(client, { dates: options.dates, now: io.now ?? Date.now, fetch: io.fetch });
      })();
    // Items whose move to a corrected date failed this run (a link in the way) are not tried again in it.
    const refile = { ...backup, logger, onPlaced: options.onFile, notMoved: new Set<string>() };
    if (library) {
      if (options.resync) {
        const { requeued, movedAside } = await requeueMissing(store, backup.dir, [library.name, "picker"]);
        Object.assign(summary, { requeued, movedAside });
      }
      // A date corrected in Google Photos: the file goes to its day, as sync.db, status and XMP have
      // it; first those a stopped run noted (a run stopped while indexing, every night, moves them too).
      const before = await refileRedated(refile);
      if (!options.pendingOnly) {
        Object.assign(summary, await ingest(store, library, logger, stop.signal));
      }
      const after = await refileRedated(refile);
      summary.redated = before.moved + after.moved;
      summary.notRedated = before.failed + after.failed;
      // `--all --dates`: every item of those days is checked again (a row deleted by hand takes back its file).
      const recheck = options.recheck && typeof options.dates === "object"
        ? daysMs(options.dates)
        : undefined;
      if (recheck && !options.resync) {
        const { requeued, movedAside } = await requeueMissing(store, backup.dir, [library.name], recheck);
        Object.assign(summary, { requeued, movedAside });
      }
    }
    if (!options.indexOnly) {
      phase = "downloading";
      // Then the items an earlier `photosync pick` left pending, while their URLs last.
      const picks = leftPendingPicks(store, { ...options, signal: stop.signal });
      // Counted as they go: a run the time limit stops says what it downloaded.
      summary.downloads = { downloaded: 0, bytes: 0, failed: 0, deferred: 0 };
      for (const drained of [library, picks]) {
        if (!drained) continue;
        await transferPending({
          ...backup,
          source: drained,
          logger,
          retry,
          idleTimeoutMs,
          stop,
          budget: stop.budget,
          onFile: options.onFile,
          localTimeOf: downloadLocalTime,
          result: summary.downloads,
        });
      }
      // A download that shares a Takeout file dated otherwise: the file goes to the download's day.
      const shared = await refileRedated(refile);
      summary.redated += shared.moved;
      summary.notRedated = (summary.notRedated ?? 0) + shared.failed;
    }
  } catch (error) {
    // A time limit is not a failure: what is finished is kept. Ctrl-C and fatal errors go on up.
    if (!(error instanceof StopRequest)) throw error;
    summary.stopped = phase;
  }
  // The sidecars of what is placed (a run stopped by the time limit included): local files only.
  if (backup.xmp) await writeXmpSidecars({ ...backup, logger, onFile: options.onFile });
  if (stop.budget?.reached) summary.budgetReached = true;
  if (!summary.stopped && store.knownSpan("library") === undefined) summary.noAppCreatedMedia = true;
  summary.pending = store.pendingCount("library") + store.pendingCount("picker");
  return summary;
}

/** The first and last millisecond (UTC) of a range of days. */
function daysMs(range: DateRange): { fromMs: number; toMs: number } {
  return { fromMs: dayNumber(range.startDate) * DAY_MS, toMs: (dayNumber(range.endDate) + 1) * DAY_MS - 1 };
}

const DAY_MS = 86_400_000;
