/**
 * `takeout()`: import a Google Takeout export (zip, tgz or extracted folders, in any order
 * and mix) into the same `sync.db` and dated tree that `sync()` builds; or every export not
 * imported yet from a remote store of exports (Google Drive, WebDAV), fetching only what is new.
 * @module
 */
import { join, resolve } from "node:path";
import { type Backup, openBackup, RunStop } from "./core/backup.ts";
import type { ByteBudget } from "./core/byte_budget.ts";
import { StopRequest, UsageError } from "./core/errors.ts";
import type { OnNewEntry } from "./core/output_tree.ts";
import type { Store } from "./core/store.ts";
import { checkIsExport } from "./sources/takeout/export_check.ts";
import { ExportChain, holdsOtherProducts } from "./sources/takeout/export_chain.ts";
import type { RemoteArchive } from "./sources/takeout/remote/remote_archive.ts";
import { PassMemory } from "./sources/takeout/remote/pass_memory.ts";
import type { RemoteStore } from "./sources/takeout/remote/remote_store.ts";
import type { StalledGap, UnfinishedDelivery } from "./sources/takeout/remote/store_exports.ts";
import type { RetryOptions } from "./core/retry.ts";
import type { FolderRequest } from "./core/folder_settings.ts";
import type { PathMapper } from "./core/layout.ts";
import { writeXmpSidecars } from "./core/xmp_sidecars.ts";
import { fitNamesForXmp } from "./core/fit_names.ts";
import { finishStoppedMoves, Placer } from "./core/place.ts";
import { linkTakeoutAlbums } from "./sources/takeout/album_links.ts";
import type { Logger } from "./core/logger.ts";
import { localArchives, type LocalPart } from "./sources/takeout/archive.ts";
import type { ArchiveSource } from "./sources/takeout/archive_source.ts";
import { catalog, type CatalogOptions, type JsonMemory } from "./sources/takeout/catalog.ts";
import { importTakeout, type TakeoutReport } from "./sources/takeout/import.ts";
import { exportStamps, inExportOrder } from "./sources/takeout/parts.ts";
import { TakeoutRecords } from "./sources/takeout/records.ts";
import { EarlyStageWorkers } from "./sources/takeout/stage.ts";
import { ReportFile } from "./sources/takeout/report_file.ts";

export type { TakeoutReport } from "./sources/takeout/import.ts";
export type { RemoteFile, RemoteStore } from "./sources/takeout/remote/remote_store.ts";
export type { StalledGap, UnfinishedDelivery } from "./sources/takeout/remote/store_exports.ts";
export type { Listed } from "./sources/takeout/report.ts";

/** What to import. */
export interface TakeoutOptions extends FolderRequest {
  /** Output directory: holds `sync.db` and the photos (shared with `sync`). */
  dir: string;
  /** Archives (`.zip`, `.tgz`, `.tar.gz`) and extracted folders of one or more exports. */
  paths: string[];
  logger: Logger;
  /** `links` (default): `albums/<title>/` folders of links; `none`: membership in sync.db only. */
  albums?: "links" | "none";
  /** Import items Google had in the trash (default: skipped). */
  includeTrashed?: boolean;
  /**
   * Earlier runs' files are stored elsewhere (a CI job's folder holds `sync.db` and its run's new files):
   * an entry whose file `sync.db` records is present, not fetched and placed again (default: a recorded
   * file missing from `dir` is restored).
   */
  filesElsewhere?: boolean;
  /** Where an item goes under `dir` (default: the `{year}/{month}/{day}` layout). */
  pathMapper?: PathMapper;
  /**
   * The run's stop: abort it (Ctrl-C) to end the import after the entry being committed; what
   * is imported is kept and recorded, and its reason is thrown. Disposed of at the run's end.
   */
  stop?: RunStop;
}

/** What to import from a remote store: every export in it not imported yet, oldest first. */
export interface RemoteTakeoutOptions extends Omit<TakeoutOptions, "paths"> {
  /**
   * Where the exports' parts are (a WebDAV folder), or how to open the store once the backup's
   * `sync.db` is open (Google Drive: `openDriveStore`, authorised with the tokens saved there).
   */
  store: RemoteStore | ((store: Store, signal: AbortSignal) => Promise<RemoteStore>);
  /** Called with each file's path (relative to `dir`) once it is in place. */
  onFile?: OnNewEntry;
  /** Backoff between resumes of a broken body (tests make it short). */
  retry?: Omit<RetryOptions, "signal">;
  /** The clock (epoch ms) that tells a delivery still running from a finished one (default `Date.now`). */
  now?: () => number;
}

/** One export of a store imported in this run. */
export interface RemoteExportReport {
  stamp: string;
  /** Its parts' file names. */
  parts: string[];
  report: TakeoutReport;
  /** Imported in full: recorded as done (`ExportChain`), its parts can be deleted from the store. */
  complete: boolean;
}

/** What a run over a remote store did. */
export interface RemoteTakeoutReport {
  /** The store's {@link RemoteStore.description}. */
  store: string;
  /** The exports imported (in full or in part) by this run, oldest first. */
  imported: RemoteExportReport[];
  /** Exports imported in full by earlier runs (nothing read of them). */
  done: string[];
  /**
   * Exports whose numbered parts have a gap, or whose delivery may still be running (`unfinished`:
   * its highest part is full-size and came recently; `missing` then names the parts that may
   * follow): left for a later run. `stalled`: the gap's delivery has ended, the parts `missing` will
   * not come (a person must fetch them, or ask for a new export).
   */
  waiting: { stamp: string; missing: string[]; unfinished?: UnfinishedDelivery; stalled?: StalledGap }[];
  /** Exports in the store that hold no Google Photos files (a Takeout of other products). */
  notPhotos: string[];
  /**
   * Per export imported in full (by this run or an earlier one), the store's files that may now be
   * deleted; `otherProducts` when they hold other Takeout products too (left out here): keep them.
   */
  deletable: { stamp: string; files: string[]; otherProducts?: true }[];
  /** Bytes read from the store. */
  bytesFetched: number;
  /** The run stopped early: `time` (`--max-time` ran out) or `bytes` (`--max-bytes` reached). */
  stopped?: "time" | "bytes";
  /**
   * The export being imported when `--max-time` ran out, and the files of it placed in this run (kept and
   * recorded).
   */
  stoppedIn?: { stamp: string; files: number };
  /**
   * With nothing new imported: album links an earlier run left to make (see {@link linkTakeoutAlbums}) that
   * something in the way blocked again.
   */
  albumLinksNotMade?: number;
}

/**
 * Import the export; the report accounts for every entry of every archive, and its file
 * (`DIR/takeout-report-<time>.tsv`, see `report_file.ts`) has one line for each. Given a
 * `store` instead of `paths`: every export in it not imported in full yet, oldest first, each
 * with its own report file; a zip's entries are fetched only when not imported before (the same
 * path, size and CRC-32 in an earlier export is the same file), and nothing is written to the store.
 */
export async function takeout(options: TakeoutOptions): Promise<TakeoutReport>;
export async function takeout(options: RemoteTakeoutOptions): Promise<RemoteTakeoutReport>;
export async function takeout(
  options: TakeoutOptions | RemoteTakeoutOptions,
): Promise<TakeoutReport | RemoteTakeoutReport> {
  if ("store" in options) return await remoteTakeout(options);
  const { dir, logger } = options;
  // Every path is checked (readable, and part of a Google Photos export) before anything is written.
  // Oldest export first, then by name (as Google numbers the parts), whatever order they were given in.
  // A path given twice (two globs that overlap) is one archive: read twice, its entries counted twice.
  // So is a part given itself and in the folder holding it.
  const given = withOtherProducts(
    (await Promise.all(options.paths.map((path) => localArchives(path)))).flat(),
  );
  const resolved = given.map((input) => resolve(input.path));
  const inputs = inExportOrder(given.filter((_, at) => resolved.indexOf(resolved[at]) === at));
  using stageWorkers = new EarlyStageWorkers(inputs);
  using stop = options.stop ?? new RunStop();
  using backup = await openBackup(dir, options);
  // A file a stopped move left under two names has one (its old name gone) before anything looks for it.
  await finishStoppedMoves({ ...backup, logger });
  // First: the import finds each renamed file at its new name (a resumed rename not placed again from its entry).
  if (backup.xmp) await fitNamesForXmp({ ...backup, logger });
  logger.info(`reading ${inputs.length} ${inputs.length === 1 ? "archive" : "archives"}`);
  const report = await importParts(backup, inputs, inputs.map((input) => input.name), stageWorkers, {
    ...options,
    signal: stop.signal,
  });
  if (backup.xmp) await writeXmpSidecars({ ...backup, logger });
  return report;
}

/**
 * The parts to read of those given: a part holding only another Takeout product's folder (a Takeout of
 * several products: `Takeout/Drive/`) is read with the parts of its export that hold Google Photos files,
 * its files counted as not Google Photos, as every part of the export is given (a glob) and as `--from`
 * reads it; one of an export with no such part is none of a Google Photos export: refused when named,
 * left out when found in a folder given (beside the exports there), as `--from` leaves it alone.
 * @throws {UsageError} for a part named that holds only another product's folder, and when nothing is left.
 */
function withOtherProducts(parts: readonly LocalPart[]): ArchiveSource[] {
  const stamps = exportStamps(parts.map((part) => part.source.name));
  const withPhotos = new Set(stamps.filter((_, at) => !parts[at].otherProduct));
  const kept = parts.filter((part, at) => {
    if (!part.otherProduct || withPhotos.has(stamps[at])) return true;
    if (!part.found) throw part.otherProduct;
    return false;
  });
  if (kept.length === 0) throw parts[0].otherProduct;
  return kept.map((part) => part.source);
}

/** {@link takeout} from a store. */
async function remoteTakeout(options: RemoteTakeoutOptions): Promise<RemoteTakeoutReport> {
  const { dir, logger } = options;
  using stop = options.stop ?? new RunStop();
  const { signal } = stop;
  // Loaded for a remote run only: a run over local archives needs none of these (nor their zip reader).
  const { storeExports } = await import("./sources/takeout/remote/store_exports.ts");
  // A store given as it is (WebDAV, a folder) is listed while the zip reader loads and sync.db opens: the
  // listing waits a round trip or more per folder, they take the CPU. Its error is said after theirs, as
  // when it started after them (a run that fails first ends it: the stop is aborted as the run ends).
  const listing = typeof options.store === "function"
    ? undefined
    : storeExports(options.store, (options.now ?? Date.now)(), signal);
  listing?.catch(() => {});
  const [{ remoteArchive }, { RangeFetches }] = await Promise.all([
    import("./sources/takeout/remote/remote_archive.ts"),
    import("./sources/takeout/remote/range_fetches.ts"),
  ]);
  using backup = await openBackup(dir, options);
  // What earlier runs stopped in an export's catalog pass read of it (directories, sidecars). Kept as read
  // only by a run with a time limit (an unattended run, stopped and resumed on a slow link): for a run
  // without one it would cost every import a write and a removal of all its sidecars' texts in sync.db.
  using memory = new PassMemory(backup.store, { keep: stop.timed });
  // A file a stopped move left under two names has one (its old name gone) before anything looks for it.
  await finishStoppedMoves({ ...backup, logger, onPlaced: options.onFile });
  // First: the import finds each renamed file at its new name (a resumed rename not placed again from its entry).
  if (backup.xmp) await fitNamesForXmp({ ...backup, logger, onPlaced: options.onFile });
  const store = typeof options.store === "function"
    ? await options.store(backup.store, signal)
    : options.store;
  const chain = new ExportChain(backup.store);
  const result: RemoteTakeoutReport = {
    store: "",
    imported: [],
    done: [],
    waiting: [],
    notPhotos: [],
    deletable: [],
    bytesFetched: 0,
  };
  result.store = store.description;
  logger.info(`looking for Takeout exports in ${store.description}`);
  let exports;
  try {
    exports = await (listing ?? storeExports(store, (options.now ?? Date.now)(), signal));
  } catch (error) {
    // --max-time ran out while the store was listed (a slow or far store): the next run lists it again.
    if (!(error instanceof StopRequest)) throw error;
    result.stopped = "time";
    return result;
  }
  // The store listed in full: what earlier runs kept of an export no longer there (its parts deleted
  // before it was imported in full) is read by no run again.
  memory.forgetAllBut(exports.map((found) => found.stamp));
  const reading = {
    signal,
    retry: options.retry,
    spoolDir: join(backup.tree.tempDir, "spans"),
    // One line for the requests of every archive: the one being read comes first. Until this run's requests
    // measure the link, an earlier run's measure of it (a run reading the directories it kept measures none
    // before its first plan).
    fetches: new RangeFetches({ bandwidthDelay: memory.link(store.description) }),
    onBytes: (count: number) => (result.bytesFetched += count),
  };
  for (const found of exports) {
    if (signal.aborted && signal.reason instanceof StopRequest) {
      result.stopped = "time";
      break;
    }
    signal.throwIfAborted();
    if (stop.budget?.reached) {
      result.stopped = "bytes";
      break;
    }
    const names = found.parts.map((file) => file.name);
    const locations = found.parts.map((file) => file.location);
    // Done: every part read to its end by an earlier run (importTakeout records each in the chain).
    const recorded = chain.get(found.stamp)?.parts;
    if (recorded && names.every((name) => recorded.includes(name))) {
      memory.forget(found.stamp);
      result.done.push(found.stamp);
      result.deletable.push(deletable(chain, found.stamp, locations));
      continue;
    }
    // A part imported by an earlier run (and deleted since, as the run said it could be) is no gap.
    const missing = found.missing.filter((name) => !recorded?.includes(name));
    if (missing.length > 0) {
      result.waiting.push({
        stamp: found.stamp,
        missing,
        ...(found.stalled ? { stalled: found.stalled } : {}),
      });
      continue;
    }
    if (found.unfinished) {
      result.waiting.push({
        stamp: found.stamp,
        missing: found.unfinished.next,
        unfinished: found.unfinished,
      });
      continue;
    }
    const inputs: RemoteArchive[] = [];
    let filesOfExport = 0;
    try {
      // The parts' directories are read at once (a round trip or more each); every part opened is
      // disposed of below, also when another failed.
      const opened = await Promise.allSettled(
        found.parts.map((file) =>
          remoteArchive(store, file, reading, {
            kept: () => memory.directory(found.stamp, file),
            keep: (kept) => memory.keepDirectory(found.stamp, file, kept),
          })
        ),
      );
      for (const part of opened) if (part.status === "fulfilled") inputs.push(part.value);
      const link = reading.fetches.bandwidthDelay;
      if (link !== undefined) memory.keepLink(store.description, link);
      const failed = opened.find((part) => part.status === "rejected");
      if (failed) throw failed.reason;
      if (!(await holdsPhotos(inputs))) {
        result.notPhotos.push(found.stamp);
        continue;
      }
      using stageWorkers = new EarlyStageWorkers(inputs);
      logger.info(
        `export ${found.stamp}: reading ${inputs.length} ${inputs.length === 1 ? "part" : "parts"}`,
      );
      const report = await importParts(backup, inputs, names, stageWorkers, {
        ...options,
        signal,
        memory: {
          text: (archive, entry) => memory.json(found.stamp, inputs[archive].file, entry),
          keep: (archive, entry, text) => memory.keepJson(found.stamp, inputs[archive].file, entry, text),
          flush: () => memory.flush(),
        },
        budget: stop.budget,
        onFile: (path, entry, from) => {
          if (entry === "file") filesOfExport++;
          options.onFile?.(path, entry, from);
        },
      });
      const complete = report.damagedArchives === 0 && report.failed === 0 && report.unread === 0;
      if (complete) {
        memory.forget(found.stamp);
        result.deletable.push(deletable(chain, found.stamp, locations));
      } else if (stop.budget?.reached) result.stopped = "bytes";
      result.imported.push({ stamp: found.stamp, parts: names, report, complete });
    } catch (error) {
      // --max-time ran out in this export (its directories, its sidecars, its files): what was imported is
      // kept and recorded; the next run goes on.
      if (!(error instanceof StopRequest)) throw error;
      result.stopped = "time";
      result.stoppedIn = { stamp: found.stamp, files: filesOfExport };
      break;
    } finally {
      for (const input of inputs) input[Symbol.dispose]();
    }
  }
  // Links an earlier run could not make (something of the user's in albums/, --albums none) are made now,
  // not when the next export comes, two months on; an import made them already.
  const waiting = result.imported.length === 0 && !result.stopped && (options.albums ?? "links") === "links"
    ? backup.store.newMemberships()
    : undefined;
  if (waiting && waiting.size > 0) {
    using placer = new Placer({ ...backup, logger, onPlaced: options.onFile });
    result.albumLinksNotMade = await linkTakeoutAlbums(backup.store, backup.tree, placer, waiting);
  }
  if (backup.xmp) await writeXmpSidecars({ ...backup, logger, onFile: options.onFile });
  return result;
}

/** The files of the export `stamp`, imported in full, as {@link RemoteTakeoutReport.deletable} says them. */
function deletable(
  chain: ExportChain,
  stamp: string,
  files: string[],
): RemoteTakeoutReport["deletable"][number] {
  const done = chain.get(stamp);
  return { stamp, files, ...(done && holdsOtherProducts(done) ? { otherProducts: true } : {}) };
}

/** Whether any of an export's parts holds Google Photos files (a Takeout of Gmail or Drive does not). */
async function holdsPhotos(inputs: readonly RemoteArchive[]): Promise<boolean> {
  for (const input of inputs) {
    try {
      await checkIsExport(input);
      return true;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
    }
  }
  return false;
}

/**
 * Catalog `inputs` (the parts named `names`) and import them into `backup`, with a report file of their own:
 * what a run over archives given and one over a store's exports (once per export) do alike.
 */
async function importParts(
  backup: Backup,
  inputs: readonly ArchiveSource[],
  names: string[],
  stageWorkers: EarlyStageWorkers,
  options: Pick<TakeoutOptions, "logger" | "albums" | "includeTrashed"> & {
    signal: AbortSignal;
    budget?: ByteBudget;
    onFile?: OnNewEntry;
    /** What earlier runs read of remote parts' JSON files; `flush` writes what this run's pass read. */
    memory?: JsonMemory & { flush(): void };
  },
): Promise<TakeoutReport> {
  const records = new TakeoutRecords(backup.store, names);
  let found;
  try {
    found = await catalog(inputs, {
      ...catalogOptions(records, stageWorkers, options.signal),
      ...(options.memory ? { memory: options.memory } : {}),
    });
  } finally {
    // Stopped or not, what the pass read is written now: the next run does not read it again.
    options.memory?.flush();
  }
  using reportFile = ReportFile.create(backup.dir);
  return await importTakeout(found, {
    ...backup,
    inputs,
    records,
    logger: options.logger,
    albums: options.albums ?? "links",
    includeTrashed: options.includeTrashed ?? false,
    signal: options.signal,
    reportFile,
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.onFile ? { onFile: options.onFile } : {}),
    stageWorkers,
  });
}

/** The catalog pass's options for one run: what `records` hold, the stage workers it starts, the run's stop. */
function catalogOptions(
  records: TakeoutRecords,
  stageWorkers: EarlyStageWorkers,
  signal?: AbortSignal,
): CatalogOptions {
  return {
    signal,
    earlier: (stamp, folder) => records.earlier(stamp, folder),
    older: (stamp, folder) => records.olderExports(stamp, folder),
    newer: (stamp, folder) => records.newerExports(stamp, folder),
    listed: (entry) => stageWorkers.listed(entry.size),
  };
}
