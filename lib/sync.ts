/**
 * `sync()`: back up what the Library API returns. Authorise, stream the source's pages into
 * `sync.db`, then drain pending items into the output tree through the shared transfer pool
 * (and those an earlier `pick` left pending).
 * @module
 */
import { authorize } from "./google/credentials.ts";
import type { DateRange } from "./core/dates.ts";
import { StopRequest } from "./core/errors.ts";
import { ingest } from "./core/ingest.ts";
import { DEFAULT_LAYOUT, layoutMapper, type PathMapper } from "./core/layout.ts";
import type { Logger } from "./core/logger.ts";
import { OutputTree, prepareOutputDir } from "./core/output_tree.ts";
import type { RetryOptions } from "./core/retry.ts";
import { Store } from "./core/store.ts";
import { requeueMissing, transferPending, type TransferResult } from "./core/transfer.ts";
import type { GoogleIo } from "./google/io.ts";
import { downloadPicked } from "./pick.ts";
import { LibraryClient } from "./sources/library/client.ts";
import { librarySource } from "./sources/library/source.ts";

/** The I/O edges of a sync run (see {@link GoogleIo}). */
export type SyncIo = GoogleIo;

/** What to sync. */
export interface SyncOptions {
  /** Output directory: holds `sync.db` and the photos. */
  dir: string;
  logger: Logger;
  /** Which days to search: a range (`--dates`), `"all"`, or by default the incremental ranges. */
  dates?: DateRange | "all";
  /** Client secret file; giving it authorises again. */
  creds?: string;
  /** Download again items whose file is missing or has the wrong size. */
  resync?: boolean;
  /** Update the index only. */
  indexOnly?: boolean;
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
   * partial files removed), what is finished is kept, and the summary says `stopped`.
   */
  maxTimeMs?: number;
  /** Called with each file's path (relative to `dir`) once it is in place. */
  onFile?: (path: string) => void;
  /** I/O edges (default: the real ones). */
  io?: SyncIo;
}

/** What a sync did. */
export interface SyncSummary {
  added: number;
  updated: number;
  requeued: number;
  downloads?: TransferResult;
  /** Set when `maxTimeMs` ran out: while indexing (more days to search) or downloading. */
  stopped?: "indexing" | "downloading";
  /** Items still pending at the end. */
  pending: number;
}

/** Run one sync: index, then download. */
export async function sync(options: SyncOptions): Promise<SyncSummary> {
  const { dir, logger, retry, idleTimeoutMs, io = {} } = options;
  // One stop for the whole run: every request and backoff sleep heeds it. The time limit aborts it,
  // so does the transfer pool on its first fatal error, and so does the end of the run.
  const stop = new AbortController();
  const timer = options.maxTimeMs === undefined
    ? undefined
    : setTimeout(() => stop.abort(new StopRequest("the time limit ran out")), options.maxTimeMs);
  let phase: NonNullable<SyncSummary["stopped"]> = "indexing";
  try {
    await prepareOutputDir(dir);
    using store = Store.open(dir);
    const summary: SyncSummary = { added: 0, updated: 0, requeued: 0, pending: 0 };
    try {
      const tokens = await authorize(store, {
        ...io,
        env: io.env ?? (() => undefined),
        creds: options.creds,
        logger,
        signal: stop.signal,
      });
      const client = new LibraryClient({
        tokens,
        apiUrl: options.apiUrl,
        fetch: io.fetch,
        retry,
        idleTimeoutMs,
        signal: stop.signal,
      });
      const source = librarySource(client, {
        dates: options.dates,
        now: io.now ?? Date.now,
        fetch: io.fetch,
      });
      summary.requeued = options.resync ? await requeueMissing(store, dir) : 0;
      Object.assign(summary, await ingest(store, source, logger, stop.signal));
      if (!options.indexOnly) {
        phase = "downloading";
        summary.downloads = await transferPending({
          store,
          source,
          tree: new OutputTree(dir),
          logger,
          concurrency: options.concurrency ?? 8,
          pathMapper: options.pathMapper ?? layoutMapper(DEFAULT_LAYOUT),
          retry,
          idleTimeoutMs,
          stop,
          onFile: options.onFile,
        });
        // Items an earlier `photosync pick` left pending are downloaded too, while their URLs last.
        const picked = await downloadPicked(store, options, stop);
        if (picked) {
          for (const key of ["downloaded", "bytes", "failed", "deferred"] as const) {
            summary.downloads[key] += picked[key];
          }
        }
      }
    } catch (error) {
      if (!(error instanceof StopRequest)) throw error;
      summary.stopped = phase;
    }
    summary.pending = store.pendingCount("library") + store.pendingCount("picker");
    return summary;
  } finally {
    clearTimeout(timer);
    stop.abort(new StopRequest("the run is over"));
  }
}
