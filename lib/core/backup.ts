/**
 * The run context every source's run opens first: the output folder checked and prepared,
 * `sync.db` opened (and locked), the output tree, where items go (`--layout`), how many
 * transfers run at once, and the run's one stop.
 * @module
 */
import { join } from "node:path";
import { ByteBudget } from "./byte_budget.ts";
import { DB_FILE } from "./db_files.ts";
import { existsSync } from "./exists.ts";
import { StopRequest } from "./errors.ts";
import { DEFAULT_LAYOUT, layoutMapper, type PathMapper } from "./layout.ts";
import { OutputTree, prepareOutputDir } from "./output_tree.ts";
import { type FolderDays, type FolderRequest, folderSettings } from "./folder_settings.ts";
import { Store } from "./store.ts";

/** Transfers at once when a run does not say (`--concurrency`). */
export const DEFAULT_CONCURRENCY = 8;

/**
 * The one stop of a run, and its limits. Whoever may end the run aborts it: a time limit (`--max-time`), Ctrl-C
 * or SIGTERM (the CLI), the transfer pool on its first fatal error (daily quota, full disk,
 * authorisation) and the end of the run. Everything that waits (requests, token refreshes, body
 * reads, polls, backoff sleeps) takes its `signal`, so a stopped run ends within a second or two.
 * Its `budget` (`--max-bytes`) ends a run more gently: every pipeline that writes files holds each
 * file's size in it before writing, and starts no more once one does not fit (see `ByteBudget`).
 *
 * @example Usage
 * ```ts
 * import { RunStop } from "./backup.ts";
 * import assert from "node:assert/strict";
 *
 * using stop = new RunStop({ maxTimeMs: 60_000, maxBytes: 500_000_000 });
 * assert.equal(stop.signal.aborted, false);
 * assert.equal(stop.budget?.reached, false);
 * stop.abort(new Error("the disk is full"));
 * assert.equal(stop.signal.aborted, true);
 * ```
 */
export class RunStop extends AbortController implements Disposable {
  readonly #timer?: ReturnType<typeof setTimeout>;
  /** The bytes the run may write (`maxBytes`), or undefined for no limit. */
  readonly budget?: ByteBudget;
  /** The run has a time limit (`maxTimeMs`): it is expected to stop before its work is done. */
  readonly timed: boolean;

  /**
   * `maxTimeMs`: abort with a {@link StopRequest} ("the time limit ran out") after this long.
   * `maxBytes`: the run's {@link ByteBudget}.
   */
  constructor(options: { maxTimeMs?: number; maxBytes?: number } = {}) {
    super();
    const { maxTimeMs, maxBytes } = options;
    if (maxBytes !== undefined) this.budget = new ByteBudget(maxBytes);
    this.timed = maxTimeMs !== undefined;
    if (maxTimeMs !== undefined) {
      if (!(maxTimeMs >= 0)) throw new RangeError(`RunStop: maxTimeMs must be at least 0, not ${maxTimeMs}`);
      this.#timer = setTimeout(() => this.abort(new StopRequest("the time limit ran out")), maxTimeMs);
    }
  }

  /** The run is over: anything still waiting on the stop (a straggling request) ends now. */
  [Symbol.dispose](): void {
    clearTimeout(this.#timer);
    this.abort(new StopRequest("the run is over"));
  }
}

/** Options of {@link openBackup}. */
export interface BackupOptions extends FolderRequest {
  /** Where an item goes under the folder (default: the `{year}/{month}/{day}` layout). */
  pathMapper?: PathMapper;
  /** Transfers at once (default {@link DEFAULT_CONCURRENCY}). */
  concurrency?: number;
  /** Earlier runs' files are stored elsewhere: the folder holds `sync.db` and this run's (see `OutputTree`). */
  filesElsewhere?: boolean;
  /**
   * A command on a backup that exists (`verify`): its `sync.db` is never made nor given a fresh schema (one
   * missing or empty is refused), and is checked whole first (see `Store.open`).
   */
  existing?: boolean;
}

/** An open backup folder: what every run's pipeline works on. Disposing it closes `sync.db`. */
export interface Backup extends Disposable {
  /** The output folder. */
  readonly dir: string;
  readonly store: Store;
  readonly tree: OutputTree;
  readonly pathMapper: PathMapper;
  readonly concurrency: number;
  /** Which day a file's folder is: the folder's rule, recorded in `sync.db` (see `folder_settings.ts`). */
  readonly folderDays: FolderDays;
  /** Whether the run ends by writing the XMP sidecars (`--xmp`, remembered for the folder). */
  readonly xmp: boolean;
}

/**
 * Open the backup in `dir` for a run that writes: the folder is created when missing and must be
 * a writable folder (else a `UsageError`), `sync.db` is opened, migrated and locked, and the folder's
 * settings are read (or, on its first run, recorded): `--folder-days`, `--xmp`.
 */
export async function openBackup(dir: string, options: BackupOptions = {}): Promise<Backup> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`openBackup: concurrency must be a whole number of at least 1, not ${concurrency}`);
  }
  await prepareOutputDir(dir);
  const made = !existsSync(join(dir, DB_FILE));
  const store = Store.open(dir, { existing: options.existing, whole: options.existing });
  let settings;
  try {
    settings = folderSettings(store, options);
  } catch (error) {
    store.close();
    // Refused (a folder of dated files asks for its days): the sync.db made for it goes, so that the folder
    // is as it was, not a backup of nothing that status would report.
    if (made) Deno.removeSync(join(dir, DB_FILE));
    throw error;
  }
  return {
    dir,
    store,
    tree: new OutputTree(dir, { filesElsewhere: options.filesElsewhere }),
    pathMapper: options.pathMapper ?? layoutMapper(DEFAULT_LAYOUT),
    concurrency,
    folderDays: settings.days,
    xmp: settings.xmp,
    [Symbol.dispose]: () => store.close(),
  };
}
