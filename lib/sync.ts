/**
 * `sync()`: back up what the Library API returns. Authorise, stream the source's pages into
 * `sync.db`, then drain pending items into the output tree through the shared transfer pool
 * (and those an earlier `pick` left pending).
 * @module
 */
import { authorize } from "./google/credentials.ts";
import type { DateRange } from "./core/dates.ts";
import { ingest } from "./core/ingest.ts";
import { DEFAULT_LAYOUT, layoutMapper, type PathMapper } from "./core/layout.ts";
import type { Logger } from "./core/logger.ts";
import { OutputTree, prepareOutputDir } from "./core/output_tree.ts";
import type { RetryOptions } from "./core/retry.ts";
import { Store } from "./core/store.ts";
import { requeueMissing, transferPending, type TransferResult } from "./core/transfer.ts";
import { downloadPicked } from "./pick.ts";
import { LibraryClient } from "./sources/library/client.ts";
import { librarySource } from "./sources/library/source.ts";

/**
 * The I/O edges of a run, replaceable so that the same code runs against Google, the
 * emulator, or a test's fakes.
 */
export interface SyncIo {
  fetch?: typeof fetch;
  env?: (name: string) => string | undefined;
  /** Open a URL in the user's browser (omitted: print it only). */
  openBrowser?: (url: string) => void;
  /** Where a pasted redirect URL may come from (default none). */
  input?: ReadableStream<Uint8Array>;
  now?: () => number;
}

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
  /** I/O edges (default: the real ones). */
  io?: SyncIo;
}

/** What a sync did. */
export interface SyncSummary {
  added: number;
  updated: number;
  requeued: number;
  downloads?: TransferResult;
}

/** Run one sync: index, then download. */
export async function sync(options: SyncOptions): Promise<SyncSummary> {
  const { dir, logger, retry, idleTimeoutMs, io = {} } = options;
  await prepareOutputDir(dir);
  using store = Store.open(dir);
  const tokens = await authorize(store, { ...io, creds: options.creds, logger });
  const client = new LibraryClient({ tokens, apiUrl: options.apiUrl, fetch: io.fetch, retry, idleTimeoutMs });
  const source = librarySource(client, { dates: options.dates, now: io.now ?? Date.now, fetch: io.fetch });
  const requeued = options.resync ? await requeueMissing(store, dir) : 0;
  const summary: SyncSummary = { ...await ingest(store, source, logger), requeued };
  if (!options.indexOnly) {
    summary.downloads = await transferPending({
      store,
      source,
      tree: new OutputTree(dir),
      logger,
      concurrency: options.concurrency ?? 8,
      pathMapper: options.pathMapper ?? layoutMapper(DEFAULT_LAYOUT),
      retry,
      idleTimeoutMs,
    });
    // Items an earlier `photosync pick` left pending are downloaded too, while their URLs last.
    const picked = await downloadPicked(store, options);
    if (picked) {
      for (const key of ["downloaded", "bytes", "failed", "deferred"] as const) {
        summary.downloads[key] += picked[key];
      }
    }
  }
  return summary;
}
