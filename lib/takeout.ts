/**
 * `takeout()`: import a Google Takeout export (zip, tgz or extracted folders, in any order
 * and mix) into the same `sync.db` and dated tree that `sync()` builds.
 * @module
 */
import { openBackup, RunStop } from "./core/backup.ts";
import type { FolderRequest } from "./core/folder_settings.ts";
import type { PathMapper } from "./core/layout.ts";
import { writeXmpSidecars } from "./core/xmp_sidecars.ts";
import type { Logger } from "./core/logger.ts";
import { localArchive } from "./sources/takeout/archive.ts";
import { catalog } from "./sources/takeout/catalog.ts";
import { importTakeout, type TakeoutReport } from "./sources/takeout/import.ts";
import { TakeoutRecords } from "./sources/takeout/records.ts";
import { ReportFile } from "./sources/takeout/report_file.ts";

export type { TakeoutReport } from "./sources/takeout/import.ts";
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
  /** Where an item goes under `dir` (default: the `{year}/{month}/{day}` layout). */
  pathMapper?: PathMapper;
  /**
   * The run's stop: abort it (Ctrl-C) to end the import after the entry being committed; what
   * is imported is kept and recorded, and its reason is thrown. Disposed of at the run's end.
   */
  stop?: RunStop;
}

/**
 * Import the export; the report accounts for every entry of every archive, and its file
 * (`DIR/takeout-report-<time>.tsv`, see `report_file.ts`) has one line for each.
 */
export async function takeout(options: TakeoutOptions): Promise<TakeoutReport> {
  const { dir, logger } = options;
  // Every path is checked (readable, and part of a Google Photos export) before anything is written.
  const inputs = await Promise.all(options.paths.map((path) => localArchive(path)));
  // A fixed order (by name, as Google numbers the parts), whatever order they were given in.
  inputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  using stop = options.stop ?? new RunStop();
  using backup = await openBackup(dir, options);
  logger.info(`reading ${inputs.length} ${inputs.length === 1 ? "archive" : "archives"}`);
  const records = new TakeoutRecords(backup.store, inputs.map((input) => input.name));
  const found = await catalog(inputs, stop.signal, (stamp, folder) => records.earlier(stamp, folder));
  using reportFile = ReportFile.create(dir);
  const report = await importTakeout(found, {
    ...backup,
    inputs,
    records,
    logger,
    albums: options.albums ?? "links",
    includeTrashed: options.includeTrashed ?? false,
    signal: stop.signal,
    reportFile,
  });
  if (backup.xmp) await writeXmpSidecars({ ...backup, logger });
  return report;
}
