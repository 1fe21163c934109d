/**
 * `verify()`: prove a backup whole. Every file sync.db records is re-read on the hash workers and
 * its size and sha256 compared with the record; files the folder holds that sync.db does not know
 * are listed. With `repair`, a changed file is moved aside (never overwritten in place), and what
 * is missing or changed is put back by its source: Library items downloaded again with fresh URLs,
 * picked items while their links last; Takeout files by running `photosync takeout` again, which
 * the report says. A file put back gets its album links again (where they are hard links, they were the copy
 * it replaced).
 * @module
 */
import { type Backup, openBackup, RunStop } from "./core/backup.ts";
import { keepingLocks } from "./core/folder_lock.ts";
import { HashPool } from "./core/hash_pool.ts";
import type { Logger } from "./core/logger.ts";
import type { RetryOptions } from "./core/retry.ts";
import { checkFiles, type LeftName, leftNames, type Problem, unknownFiles } from "./core/verify.ts";
import { changedStamp, FileSystemError, OutputTree, UnwritableFolderError } from "./core/output_tree.ts";
import { Store } from "./core/store.ts";
import type { SyncIo } from "./library.ts";
import { shellWord } from "./core/escape.ts";
import { DOWNLOADABLE_SOURCES } from "./core/source.ts";

export type { Problem } from "./core/verify.ts";

/** What to verify. */
export interface VerifyOptions {
  /** The backup folder (holds sync.db). */
  dir: string;
  logger: Logger;
  /** Put back what is missing or changed (see the module's doc). */
  repair?: boolean;
  /** For the repair's downloads: the OAuth client secret file, as `sync`'s (giving it authorises again). */
  creds?: string;
  /**
   * With `repair`: told what the checks found and which changed files were moved aside, before anything is
   * downloaded again: a repair whose downloads then fail (no authorisation, no network) has said where each
   * file went, so that no photo leaves its folder unexplained.
   */
  onRepair?: (found: VerifyReport) => void;
  /** For the repair's downloads: Library and Picker API roots (default Google's). */
  apiUrl?: string;
  pickerUrl?: string;
  concurrency?: number;
  idleTimeoutMs?: number;
  retry?: RetryOptions;
  /** The run's stop (Ctrl-C). Default: one of its own. */
  stop?: RunStop;
  /** Hash workers (default: a worker per core). */
  hashPool?: HashPool;
  io?: SyncIo;
}

/** What a verify run found and did. */
export interface VerifyReport {
  /** Files checked, and their bytes. */
  files: number;
  bytes: number;
  /** Missing and changed files, as found (before any repair). */
  problems: Problem[];
  /** Files in the folder sync.db does not know (relative paths). */
  unknown: string[];
  /**
   * Second names of known files that stopped moves left (see `leftNames`): the same file, seen twice until the
   * next `sync`, `pick` or `takeout`; a `repair` removes them first (none left then).
   */
  left: LeftName[];
  /** Hashes recorded for files that had none (their size and mtime as recorded). */
  hashed: number;
  /** With `repair`: changed files moved aside (`from` → `to`, relative). */
  movedAside: { from: string; to: string }[];
  /** With `repair`: files put back, byte-exact. */
  repaired: Problem[];
  /** With `repair`: files not put back, and what to do. */
  notRepaired: (Problem & { reason: string })[];
}

/** Run one verify (and repair). */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  // The check, the repair's download and the check after it are one run: the folder's lock is held from the
  // first to the last, so that no run started in between finds items put back to pending, nor takes the
  // folder from the repair.
  return await keepingLocks(() => verifyRun(options));
}

async function verifyRun(options: VerifyOptions): Promise<VerifyReport> {
  const { logger, dir } = options;
  using stop = options.stop ?? new RunStop();
  using ownPool = options.hashPool ? undefined : new HashPool();
  const pool = options.hashPool ?? ownPool!;
  const startedMs = Date.now();
  const report: VerifyReport = {
    files: 0,
    bytes: 0,
    problems: [],
    unknown: [],
    left: [],
    hashed: 0,
    movedAside: [],
    repaired: [],
    notRepaired: [],
  };
  const redownload: Problem[] = [];
  const repair = options.repair ?? false;
  {
    using checking = await openChecking(dir, repair, logger);
    const { store } = checking;
    // A repair puts the folder as sync.db says: a file a stopped move left under two names keeps its new one.
    if (repair && checking.backup) {
      const { finishStoppedMoves } = await import("./core/place.ts");
      await finishStoppedMoves({ ...checking.backup, logger });
    }
    const checked = await checkFiles({
      store,
      root: dir,
      pool,
      logger,
      requeuedOf: [...DOWNLOADABLE_SOURCES],
      signal: stop.signal,
    });
    const recorded = checking.recording && record(() => store.recordHashes(checked.taken), repair, logger);
    Object.assign(report, {
      files: checked.files,
      bytes: checked.bytes,
      hashed: recorded ? checked.taken.length : 0,
    });
    report.problems = checked.problems;
    report.left = leftNames(store, new OutputTree(dir));
    report.unknown = await unknownFiles(store, dir, report.left.map((name) => name.path));
    if (options.repair && report.problems.length > 0) {
      const stamp = changedStamp(startedMs);
      // Put back to pending before any file is moved aside: a run stopped in between leaves no item
      // recorded in place whose file was moved (the next sync downloads it).
      redownload.push(...report.problems.filter((problem) => DOWNLOADABLE_SOURCES.has(problem.source)));
      store.requeue(redownload.map((problem) => problem.id));
      for (const problem of report.problems) {
        if (problem.kind === "changed") {
          report.movedAside.push({
            from: problem.path,
            to: await new OutputTree(dir).moveAside(problem.path, stamp),
          });
        }
        if (!DOWNLOADABLE_SOURCES.has(problem.source)) {
          const reason = problem.source === "takeout"
            ? `run photosync takeout --dir ${
              shellWord(dir)
            } with the export's archives again (or --drive, or --from=URL) to restore it`
            : `photosync cannot download ${problem.source} items again`;
          report.notRepaired.push({ ...problem, reason });
        }
      }
    }
    if (redownload.length === 0 && recorded) {
      record(() => store.addVerifyRun(runRecord(report, startedMs)), repair, logger);
    }
  }
  if (redownload.length === 0) return report;
  options.onRepair?.(report);
  // Downloaded again by the sources' own transfer (a Library item with a fresh URL from batchGet), loaded
  // only for a repair that downloads: a check needs neither the Library's modules nor the placer's hashing.
  const { sync } = await import("./library.ts");
  logger.progress({ action: "downloaded", files: 0, bytes: 0, bytesTotal: 0 });
  await sync({
    dir,
    logger,
    pendingOnly: true,
    creds: options.creds,
    apiUrl: options.apiUrl,
    pickerUrl: options.pickerUrl,
    concurrency: options.concurrency,
    idleTimeoutMs: options.idleTimeoutMs,
    retry: options.retry,
    stop,
    io: options.io,
  });
  using backup = await openBackup(dir);
  const { store } = backup;
  const again = await checkFiles({
    store,
    root: dir,
    pool,
    logger,
    only: new Set(redownload.map((p) => p.id)),
    requeuedOf: [...DOWNLOADABLE_SOURCES],
  });
  store.recordHashes(again.taken);
  const stillWrong = new Set(again.problems.map((problem) => problem.id));
  for (const problem of redownload) {
    const item = store.item(problem.id);
    if (item?.status === "downloaded" && !stillWrong.has(problem.id)) {
      // The bytes Google gave again must be those recorded before.
      if (problem.hash !== null && item.hash !== null && item.hash !== problem.hash) {
        report.notRepaired.push({
          ...problem,
          reason: "downloaded again, but Google's bytes differ from those recorded",
        });
      } else report.repaired.push(problem);
    } else {
      const reason = item?.note ??
        (problem.source === "picker"
          ? "its link has expired: pick it again with photosync pick"
          : "not downloaded");
      report.notRepaired.push({ ...problem, reason });
    }
  }
  // The album links of the files put back, to them (a hard link is to the copy replaced).
  const placed = redownload.filter((problem) => store.item(problem.id)?.status === "downloaded");
  await relinkAlbums({ ...backup, logger }, placed.map((problem) => problem.id));
  store.addVerifyRun(runRecord(report, startedMs));
  return report;
}

/**
 * Link the album members of the files of items `ids` (downloaded again by the repair) to those files, by the
 * step every run links albums with (`Placer.linkAlbums`). A symbolic link points to the path, so it shows the
 * file put back already; a hard link (made where symbolic links are refused) is the copy that was there, now
 * kept aside (changed) or gone from the path (deleted): the album would show those bytes until the next run
 * that links albums (a Takeout import of a new export; a `sync` makes none), and the repair is the run that
 * knows which files it replaced. `linkAlbums` replaces such a link only where that loses no bytes.
 */
async function relinkAlbums(backup: Backup & { logger: Logger }, ids: readonly string[]): Promise<void> {
  const { store } = backup;
  const links = ids.flatMap((id) => {
    const path = store.item(id)?.path;
    // Its own members and those sharing its file (a Takeout album's photo synced too), linked to its path.
    return path ? store.albumsOfFile(id).map(({ album, id: member }) => ({ album, id: member, path })) : [];
  });
  if (links.length === 0) return;
  const { Placer } = await import("./core/place.ts");
  using placer = new Placer(backup);
  // Only where a link is: albums imported with `--albums none` get none from a repair.
  await placer.linkAlbums(links, { replaceOnly: true });
}

/**
 * The backup's `sync.db` for the checks, and whether what they find is recorded in it (the hashes taken, the
 * run). A check without `repair` writes no file but sync.db: where the folder cannot be written (a read-only
 * mount, a full disk) it reads sync.db read-only and records nothing, which it says.
 */
async function openChecking(
  dir: string,
  repair: boolean,
  logger: Logger,
): Promise<{ store: Store; recording: boolean; backup?: Backup } & Disposable> {
  try {
    // A sync.db that is empty or damaged is refused, never given a fresh schema: verify proves it whole too.
    const backup = await openBackup(dir, { existing: true });
    return { store: backup.store, recording: true, backup, [Symbol.dispose]: () => backup[Symbol.dispose]() };
  } catch (error) {
    if (repair || !(error instanceof UnwritableFolderError || error instanceof FileSystemError)) throw error;
    const store = Store.open(dir, { readOnly: true, whole: true });
    unrecorded(error, logger);
    return { store, recording: false, [Symbol.dispose]: () => store.close() };
  }
}

/**
 * Record in sync.db (`write`) what the checks found; whether it was. Without `repair`, a disk that refuses
 * it (full) leaves it unrecorded, which the run says: the files were checked all the same.
 */
function record(write: () => void, repair: boolean, logger: Logger): boolean {
  try {
    write();
    return true;
  } catch (error) {
    if (repair || !(error instanceof FileSystemError)) throw error;
    unrecorded(error, logger);
    return false;
  }
}

/** Say that the run records nothing in sync.db, and why (`error`: what stopped it writing there). */
function unrecorded(error: Error, logger: Logger): void {
  // The line up to its advice (after "; "), which is for a run that must write.
  const [why] = error.message.split("; ");
  logger.warn(
    `${why}: the files are checked, but nothing is recorded in sync.db (this verify, the hashes it takes)`,
  );
}

/** The row of sync.db's `verify_runs` for `report`. */
function runRecord(report: VerifyReport, startedMs: number) {
  return {
    startedMs,
    finishedMs: Date.now(),
    files: report.files,
    bytes: report.bytes,
    missing: report.problems.filter((problem) => problem.kind === "missing").length,
    changed: report.problems.filter((problem) => problem.kind === "changed").length,
    unknown: report.unknown.length,
    hashed: report.hashed,
    repaired: report.repaired.length,
  };
}

/** Whether the backup is whole after the run: every problem found was repaired. */
export function isWhole(report: VerifyReport): boolean {
  return report.problems.length === report.repaired.length;
}
