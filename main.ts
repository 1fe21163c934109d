/**
 * photosync: back up Google Photos to a local folder.
 *
 * The whole pipeline is {@link sync}: authorise, stream pages of media items from the
 * Library API into `sync.db`, then drain pending items to `<dir>/YYYY/MM/DD/<file>` through
 * a bounded download pool. Stop it at any moment; the next run resumes.
 * @module
 */
import { join } from "node:path";
import { authorize } from "./lib/google/credentials.ts";
import { runCli } from "./lib/cli/run.ts";
import { type DateRange, searchRanges } from "./lib/core/dates.ts";
import { downloadPending, type DownloadResult, requeueMissing } from "./lib/core/transfer.ts";
import { LibraryClient } from "./lib/sources/library/client.ts";
import { shardedSearch } from "./lib/sources/library/sharded_search.ts";
import { DEFAULT_LAYOUT, layoutMapper, type PathMapper } from "./lib/core/layout.ts";
import { prepareOutputDir } from "./lib/core/output_dir.ts";
import type { Logger } from "./lib/cli/render.ts";
import type { RetryOptions } from "./lib/core/retry.ts";
import { Store } from "./lib/core/store.ts";

export type { PathItem, PathMapper } from "./lib/core/layout.ts";

/** What to sync and the I/O edges to do it with. */
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
  fetch?: typeof fetch;
  env?: (name: string) => string | undefined;
  openBrowser?: (url: string) => void;
  /** Where a pasted redirect URL may come from (default none). */
  input?: ReadableStream<Uint8Array>;
  now?: () => number;
  retry?: RetryOptions;
}

/** What a sync did. */
export interface SyncSummary {
  added: number;
  updated: number;
  requeued: number;
  downloads?: DownloadResult;
}

/** Run one sync: index, then download. */
export async function sync(options: SyncOptions): Promise<SyncSummary> {
  const { dir, logger, fetch: fetcher, env = () => undefined, now = Date.now } = options;
  await prepareOutputDir(dir);
  using store = Store.open(join(dir, "sync.db"));
  const tokens = await authorize(store, { ...options, env });
  const { apiUrl, retry, idleTimeoutMs } = options;
  const library = new LibraryClient({ tokens, apiUrl, fetch: fetcher, retry, idleTimeoutMs });
  const summary: SyncSummary = { added: 0, updated: 0, requeued: 0 };
  if (options.resync) summary.requeued = await requeueMissing(store, dir);

  // Searches are recorded before they start and as they progress: an interrupted one resumes.
  const searches = store.planSearches(searchRanges(options.dates, store.knownSpan(), now()));
  for await (const page of shardedSearch(library, searches)) {
    const { added, updated } = store.savePage(page);
    summary.added += added;
    summary.updated += updated;
    logger.progress({ indexed: summary.added + summary.updated });
    logger.event(`indexed ${page.items.length} items: ${added} new, ${updated} changed`);
  }

  if (!options.indexOnly) {
    summary.downloads = await downloadPending({
      store,
      library,
      dir,
      logger,
      fetch: fetcher,
      concurrency: options.concurrency ?? 8,
      pathMapper: options.pathMapper ?? layoutMapper(DEFAULT_LAYOUT),
      retry,
      idleTimeoutMs,
    });
  }
  return summary;
}

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, sync));
}
