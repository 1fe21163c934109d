/**
 * `photosync takeout PATH...`: import Google Takeout archives into the backup.
 * @module
 */
import { ExitCode, InterruptedError, UsageError } from "../../core/errors.ts";
import { DEFAULT_LAYOUT, layoutMapper } from "../../core/layout.ts";
import { FALLBACK_CAPTURE_MS } from "../../core/dates.ts";
import type { Listed, RemoteTakeoutOptions, RemoteTakeoutReport, TakeoutReport } from "../../takeout.ts";
import { DRIVE_API_URL } from "../../google/endpoints.ts";
import type { Command, CommandContext } from "../command.ts";
import { COMMON_FLAGS, parseDuration, parseFlags, parseSize, parseTimeout } from "../args.ts";
import { authorisationIo } from "../auth_io.ts";
import { DOWNLOAD_FLAGS, newFilesList, RUN_LIMIT_FLAGS } from "../download_flags.ts";
import { answerHelpOrVersion } from "../help.ts";
import { resolvePath } from "../paths.ts";
import { FOLDER_FLAGS, FOLDER_HELP, folderRequest } from "../folder_flags.ts";
import type { Renderer } from "../render.ts";
import { formatBytes, formatCount, formatDuration, formatFiles, stopwatch } from "../format.ts";
import { RunStop } from "../../core/backup.ts";
import { Interrupt } from "../interrupt.ts";
import { retryNotice } from "../retry_notice.ts";
import { shellWord } from "../../core/escape.ts";

const HELP = `Usage: photosync takeout [--dir DIR] [--albums links|none] [--include-trashed] PATH...
       photosync takeout --drive [--dir DIR] [--creds FILE] [--max-time D] [--new-files FILE] ...
       photosync takeout --from=URL [--dir DIR] [--max-time D] [--max-bytes SIZE] [--new-files FILE] ...

Import a Google Takeout export of Google Photos into DIR: the same sync.db and
YYYY/MM/DD tree that photosync sync builds. Each PATH is a .zip, a .tgz/.tar.gz or an
extracted folder; give all archives of an export (any order): a file's sidecar JSON
often sits in another archive than the file. Needs no Cloud project and no sign-in.
Parts imported in separate runs give the same result: a sidecar found later re-dates
(or, for the trash, removes) earlier files. A re-run puts back files missing from DIR.
Incremental exports (a baseline, then every two months what changed) may come in any
order and runs: they apply oldest first, as one export; an increment imported without
the one before it is warned about, and photosync status lists the exports imported.
  --dir DIR            folder for sync.db and the photos (default: .; created if missing)
  --albums links       albums/<album title>/ folders of links to the dated files (default)
  --albums none        record album membership in sync.db only
  --include-trashed    also import what was in Google Photos' trash
  --files-elsewhere    DIR holds only sync.db and each run's new files, stored elsewhere after
                       (a CI job): a file sync.db records counts as there, never fetched again
  --layout TEMPLATE    folders under --dir (default ${DEFAULT_LAYOUT})
${FOLDER_HELP}
  --quiet, --verbose   less / more output (--verbose: each file, its sidecar rule and date source)
  --help, --version

Every entry's outcome, sidecar rule and date source goes to DIR/takeout-report-<time>.tsv.

--drive imports every export Google Takeout delivered to Google Drive ("Add to Drive") that is
not imported yet, oldest first, reading only what is new: a zip's directory, its sidecars, and
the entries not imported from an earlier export (same path, size and CRC-32). Nothing is
written to Drive; the summary says which Drive files can be deleted once their export is in.
An export whose parts are not all on Drive yet (a gap in their numbers, or a highest part as
large as the others that came less than a day ago) waits for the next run (exit 0); a gap still
there a day after its newest part came is a part lost in delivery: one line names it and how to
get it (exit 3). A part
Drive flagged as malware or spam is downloaded all the same (acknowledgeAbuse): it is yours.
  --drive              read the exports from Google Drive (authorises the drive.readonly scope)
  --creds FILE         OAuth client secret JSON, as for sync; giving it authorises again
  --no-browser         do not open a browser to authorise; print the URL only
  --max-time DURATION  stop after this long (e.g. 5h30m), keeping what is imported; exit 3
  --max-bytes SIZE     write at most SIZE in this run (a file larger than SIZE alone); exit 3
  --new-files FILE     write the files this run added (relative to --dir, one a line) to FILE
  --timeout SECONDS    give up on (and retry) a request that sends nothing for this long (default 60)

Environment (--drive): PHOTOSYNC_REFRESH_TOKEN (photosync token --scope drive prints it),
PHOTOSYNC_CLIENT_ID, PHOTOSYNC_CLIENT_SECRET as for sync; PHOTOSYNC_DRIVE_URL, the Drive API
root (default ${DRIVE_API_URL}).

--from=URL imports, the same way, the exports in a WebDAV folder and its subfolders:
Nextcloud, a NAS, or rclone serve webdav in front of Dropbox, OneDrive, Box, S3, SFTP, ...
(the README has the recipe); --from=DIR those in a folder on this machine (a Dropbox or
OneDrive folder their apps keep in sync, a NAS share mounted): archives only, as delivered
(give extracted parts as PATH). --max-time, --max-bytes and --new-files work as with --drive,
and --timeout for a WebDAV folder.
  --from URL|DIR       the WebDAV folder (http:// or https://; no user or password in it), or
                       a folder on this machine

Environment (--from): PHOTOSYNC_WEBDAV_USER and PHOTOSYNC_WEBDAV_PASSWORD, the Basic sign-in
(never printed; a refused login exits 4).

Exit codes: 0 all imported, 1 failure (e.g. a damaged or unreadable archive: the rest is
imported), 2 bad input (e.g. a path that is no Google Photos export), 3 some files could
not be imported (or a limit was reached first, or an export lacks a part), 4 a sign-in is needed or was refused.`;

/** The flags of `photosync takeout`, parsed strictly. */
export function parseTakeoutFlags(args: string[]) {
  const { values, positionals } = parseFlags("takeout", args, {
    dir: { type: "string", default: "." },
    albums: { type: "string", default: "links" },
    "include-trashed": { type: "boolean" },
    "files-elsewhere": { type: "boolean" },
    layout: { type: "string", default: DEFAULT_LAYOUT },
    drive: { type: "boolean" },
    from: { type: "string" },
    creds: DOWNLOAD_FLAGS.creds,
    "no-browser": DOWNLOAD_FLAGS["no-browser"],
    timeout: DOWNLOAD_FLAGS.timeout,
    ...RUN_LIMIT_FLAGS,
    ...FOLDER_FLAGS,
    ...COMMON_FLAGS,
  }, Infinity);
  if (values.albums !== "links" && values.albums !== "none") {
    throw new UsageError(`--albums must be links or none, not "${values.albums}"`);
  }
  return { ...values, albums: values.albums as "links" | "none", paths: positionals };
}

/**
 * Refuse `--creds` and `--no-browser` outside `--drive`, in one wording whatever else was given: they
 * sign in to Google Drive, and nothing else takeout reads signs in with Google (a WebDAV folder takes
 * PHOTOSYNC_WEBDAV_USER and PHOTOSYNC_WEBDAV_PASSWORD, a folder or archive on this machine nothing).
 */
function refuseDriveOnly(flags: { creds?: string; "no-browser"?: boolean }): void {
  const flag = (["creds", "no-browser"] as const).find((flag) => flags[flag] !== undefined);
  if (flag) {
    throw new UsageError(
      `--${flag} is for takeout --drive only (it signs in to Google Drive); see photosync takeout --help`,
    );
  }
}

const takeoutCommand: Command = async (args, context) => {
  const { renderer, paths, journal } = context;
  const flags = parseTakeoutFlags(args);
  const answered = answerHelpOrVersion(flags, HELP, renderer);
  if (answered !== undefined) return answered;
  if (flags.drive && flags.from !== undefined) {
    throw new UsageError("--drive and --from each name where the exports are: give one of them");
  }
  const idleTimeoutMs = parseTimeout(flags.timeout);
  if (flags.drive) {
    if (flags.paths.length > 0) {
      throw new UsageError(
        `--drive reads the exports from Google Drive: give no PATH (or leave out --drive to import "${
          flags.paths[0]
        }")`,
      );
    }
    const io = authorisationIo(flags["no-browser"], context);
    const creds = flags.creds === undefined ? undefined : resolvePath("--creds", flags.creds, paths);
    const apiUrl = context.env("PHOTOSYNC_DRIVE_URL") || undefined;
    // The Drive and WebDAV readers are loaded only for their runs: most runs read local archives.
    const { openDriveStore } = await import("../../sources/takeout/drive/drive_store.ts");
    return await runRemoteTakeout(
      (store, signal) =>
        openDriveStore(store, {
          creds,
          apiUrl,
          io,
          logger: renderer,
          retry: { onRetry: retryNotice(renderer) },
          idleTimeoutMs,
        }, signal),
      flags,
      context,
    );
  }
  if (flags.from !== undefined) {
    if (flags.paths.length > 0) {
      throw new UsageError(
        `--from reads the exports from a folder: give no PATH (or leave out --from to import "${
          flags.paths[0]
        }")`,
      );
    }
    refuseDriveOnly(flags);
    // A URL, or what was meant as one (`http//…`): never taken for a folder's name.
    if (!/^[a-z][a-z0-9+.-]*:?\/\//i.test(flags.from)) {
      // A folder on this machine: where a sync client (Dropbox's, OneDrive's) puts the deliveries.
      const { FolderStore } = await import("../../sources/takeout/folder/folder_store.ts");
      const store = new FolderStore(resolvePath("--from", flags.from, paths));
      // Before anything is written: a folder of extracted parts is given as PATH.
      await store.checkHoldsArchives();
      return await runRemoteTakeout(store, flags, context);
    }
    const { webdavCredentials, WebdavStore } = await import("../../sources/takeout/webdav/webdav_store.ts");
    const store = new WebdavStore({
      url: flags.from,
      credentials: webdavCredentials(context.env),
      retry: { onRetry: retryNotice(renderer) },
      idleMs: idleTimeoutMs,
    });
    return await runRemoteTakeout(store, flags, context);
  }
  refuseDriveOnly(flags);
  const remoteOnly = (["max-time", "max-bytes", "new-files", "timeout"] as const).find((flag) =>
    flags[flag] !== undefined
  );
  if (remoteOnly) {
    throw new UsageError(`--${remoteOnly} is for takeout --drive or --from; see photosync takeout --help`);
  }
  if (flags.paths.length === 0) {
    throw new UsageError(
      "photosync takeout needs the Takeout archives or folders to import; see photosync takeout --help",
    );
  }
  const elapsed = stopwatch();
  const dir = resolvePath("--dir", flags.dir, paths);
  journal?.begin("takeout", dir, "takeout");
  // The import's modules are loaded for a run only: `takeout --help` and bad input need none of them.
  const { takeout } = await import("../../takeout.ts");
  // Ctrl-C or SIGTERM ends the import after the entry being placed: what is imported is kept.
  using stop = new RunStop();
  using _interrupt = new Interrupt(renderer, "stopping: imported files are kept, partial ones removed", stop);
  const report = await takeout({
    dir,
    paths: flags.paths.map((path) => resolvePath("PATH", path, paths)),
    logger: renderer,
    albums: flags.albums,
    includeTrashed: flags["include-trashed"],
    filesElsewhere: flags["files-elsewhere"],
    pathMapper: layoutMapper(flags.layout),
    ...folderRequest(flags),
    stop,
  }).catch((error) => {
    if (!(error instanceof InterruptedError)) throw error;
    throw new InterruptedError(
      error.signal,
      "what was imported is kept, partial files removed; run the same command again to go on",
    );
  });
  renderer.finish();
  summarise(report, elapsed(), renderer);
  if (report.damagedArchives > 0) {
    listLines(report.failures, (line) => renderer.error(line), report);
    journal?.fail(runError(report));
    return ExitCode.failure;
  }
  if (report.failed > 0) {
    listLines(report.failures, (line) => renderer.warn(line), report);
    return ExitCode.incomplete;
  }
  // Album links blocked by something of the user's in `albums/` (said in a warning): not all done.
  return report.albumLinksNotMade > 0 ? ExitCode.incomplete : ExitCode.ok;
};

/**
 * A run over a store of exports (`--drive`, or another store's flag): the stop with `--max-time`
 * and `--max-bytes`, `--new-files`, the import, a summary per export, what waits and what can be
 * deleted, and the exit code (0; 1 a damaged archive; 3 files not imported, a limit reached, or an
 * export lacking a part its delivery has given up on).
 */
export async function runRemoteTakeout(
  store: RemoteTakeoutOptions["store"],
  flags: ReturnType<typeof parseTakeoutFlags>,
  { renderer, paths, journal }: CommandContext,
): Promise<number> {
  const elapsed = stopwatch();
  const dir = resolvePath("--dir", flags.dir, paths);
  // The unattended runs above all: their last run in status and the report, and the CI job summary.
  journal?.begin("takeout", dir, "takeout");
  const newFiles = flags["new-files"] === undefined
    ? undefined
    : await newFilesList(resolvePath("--new-files", flags["new-files"], paths), dir);
  const { takeout } = await import("../../takeout.ts");
  using stop = new RunStop({
    maxTimeMs: parseDuration(flags["max-time"]),
    maxBytes: parseSize(flags["max-bytes"]),
  });
  using _interrupt = new Interrupt(renderer, "stopping: imported files are kept, partial ones removed", stop);
  let placed = 0;
  let result: RemoteTakeoutReport;
  try {
    result = await takeout({
      dir,
      store,
      logger: renderer,
      albums: flags.albums,
      includeTrashed: flags["include-trashed"],
      filesElsewhere: flags["files-elsewhere"],
      pathMapper: layoutMapper(flags.layout),
      ...folderRequest(flags),
      stop,
      // A body that broke or stalled, asked for again from where it broke, is said as the store's retries are.
      retry: { onRetry: retryNotice(renderer) },
      // Imported files only: album links, files moved to their new day, XMP sidecars are listed, not counted.
      onFile: (path, entry, from) => {
        if (entry === "file") placed++;
        newFiles?.add(path, from);
      },
    });
  } catch (error) {
    // The files that did arrive are listed on every exit: a job uploads them whatever came after.
    await newFiles?.write().catch((listError) => renderer.warn(listError.message));
    if (!(error instanceof InterruptedError)) throw error;
    const kept = `${formatCount(placed, "file")} imported in this run ${placed === 1 ? "is" : "are"} kept`;
    throw new InterruptedError(
      error.signal,
      `${kept}, partial ones removed; run the same command again to go on`,
    );
  }
  await newFiles?.write();
  renderer.finish();
  let code: number = ExitCode.ok;
  for (const { stamp, parts, report, complete } of result.imported) {
    renderer.info(
      `export ${stamp} (${parts.length} ${parts.length === 1 ? "part" : "parts"})${
        complete ? "" : ", not complete yet"
      }:`,
    );
    summarise(report, elapsed(), renderer);
    if (report.damagedArchives > 0) {
      listLines(report.failures, (line) => renderer.error(line), report);
      journal?.fail(`export ${stamp}: ${runError(report)}`);
      code = ExitCode.failure;
    } else if (report.failed > 0) {
      listLines(report.failures, (line) => renderer.warn(line), report);
      if (code === ExitCode.ok) code = ExitCode.incomplete;
    } else if (report.albumLinksNotMade > 0 && code === ExitCode.ok) code = ExitCode.incomplete;
  }
  renderer.info(`read ${formatBytes(result.bytesFetched)} of archives from ${result.store}`);
  if (result.done.length > 0) {
    renderer.info(
      `${result.done.length} ${result.done.length === 1 ? "export was" : "exports were"} imported before`,
    );
  }
  for (const { stamp, missing, unfinished, stalled } of result.waiting) {
    if (stalled) {
      // Delivered without it a day ago or more: no run will ever take this export by itself.
      const one = missing.length === 1;
      // A folder whose files are stored elsewhere keeps only what its runs list: an import by path lists
      // nothing (and is not stored), so the part goes where the runs read, and a run lists its files.
      const importIt = flags["files-elsewhere"]
        ? `put ${one ? "it" : "them"} in ${result.store} beside the others (the next run imports the ` +
          "export and lists its files with --new-files)"
        : `import ${one ? "it" : "them"} with photosync takeout --dir ${shellWord(dir)} ${
          missing.map(shellWord).join(" ")
        } (the next run then imports the rest)`;
      renderer.attention(
        `export ${stamp} in ${result.store} lacks ${
          missing.join(", ")
        }, and its delivery has ended (no part ` +
          `came since ${utcMinute(stalled.newestMs)}): download ${one ? "that part" : "those parts"} from ` +
          `takeout.google.com (Manage exports) while the link lasts and ${importIt}, or ask Takeout for a new ` +
          "export",
      );
      if (code === ExitCode.ok) code = ExitCode.incomplete;
      continue;
    }
    if (unfinished) {
      const until = utcMinute(unfinished.untilMs);
      renderer.warn(
        `export ${stamp} may not be complete yet (still being delivered?): its highest part is as large as ` +
          `the others and came less than a day ago, so ${missing.join(", ")} may follow; nothing of it was ` +
          `imported, the next run takes it (from ${until} on as it is, if no part follows)`,
      );
      continue;
    }
    renderer.warn(
      `export ${stamp} is not complete yet (still being delivered?): ${missing.join(", ")} missing; ` +
        "nothing of it was imported, the next run takes it",
    );
  }
  for (const stamp of result.notPhotos) {
    renderer.verbose(`export ${stamp} holds no Google Photos files: left alone`);
  }
  // Album links an earlier run left, blocked again (the placer said by what).
  if ((result.albumLinksNotMade ?? 0) > 0 && code === ExitCode.ok) code = ExitCode.incomplete;
  if (result.stoppedIn) {
    renderer.info(
      `export ${result.stoppedIn.stamp}: ${
        formatCount(result.stoppedIn.files, "file")
      } imported before --max-time ran out`,
    );
  }
  if (result.imported.length + result.done.length + result.waiting.length === 0 && !result.stopped) {
    renderer.info("no Takeout export of Google Photos found; see the README for how to schedule one");
  }
  for (const { stamp, files, otherProducts } of result.deletable) {
    const one = files.length === 1;
    const theirs = `its ${files.length} ${one ? "file" : "files"}`;
    renderer.info(
      otherProducts
        ? `export ${stamp} is imported in full; ${theirs} ${one ? "holds" : "hold"} other Takeout products ` +
          `too (left out here): keep ${one ? "it" : "them"} for those`
        : `export ${stamp} is imported in full: ${theirs} may now be deleted to free storage: ${
          files.join(", ")
        }`,
    );
  }
  if (result.stopped) {
    const limit = result.stopped === "time"
      ? `--max-time=${flags["max-time"]} ran out`
      : `--max-bytes=${flags["max-bytes"]} reached`;
    renderer.warn(`${limit}: the rest is left for the next run`);
    if (code === ExitCode.ok) code = ExitCode.incomplete;
  }
  return code;
}

/** `epochMs` as `2025-12-01 10:00 UTC`. */
function utcMinute(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * The end-of-run report: a few lines accounting for every entry of every archive, the file
 * with one line per entry, and the first names of each list that needs a look.
 */
function summarise(report: TakeoutReport, seconds: number, renderer: Renderer): void {
  const { datedFrom } = report;
  renderer.info(
    `done in ${formatDuration(seconds)}: ${report.entries} ${report.entries === 1 ? "entry" : "entries"}: ` +
      `${report.imported} imported (${
        formatBytes(report.bytes)
      }), ${report.alreadyPresent} already present, ` +
      `${formatCount(report.duplicates, "duplicate")} skipped, ${report.trashed} trashed skipped`,
  );
  renderer.info(
    `  ${formatCount(report.sidecarsUsed, "sidecar")} used, ` +
      `${formatCount(report.unmatchedSidecars, "unmatched sidecar")}, ` +
      `${report.notMedia} not media, ${
        report.notGooglePhotos ? `${report.notGooglePhotos} not Google Photos, ` : ""
      }${report.failed} failed${report.unread ? `, ${report.unread} unread` : ""}`,
  );
  if (report.notGooglePhotos > 0) {
    // Said, not warned: a Takeout of several products holds them by design.
    renderer.info(
      `  left out, not in the export's Google Photos folder: ${report.notGooglePhotosFolders.join(", ")}`,
    );
  }
  renderer.info(
    `  dated from sidecar ${datedFrom.sidecar}, EXIF ${datedFrom.exif}, file name ${datedFrom.name}, ` +
      `file time ${datedFrom["file time"]}${datedFrom.none ? `, none ${datedFrom.none}` : ""}`,
  );
  const { shared, changed, absent } = report.trashKept;
  if (report.restored + report.redated + report.removed + shared + changed + absent > 0) {
    // The trash whose file stayed is said as such, never counted as removed.
    const kept = [
      shared > 0
        ? `${formatCount(shared, "trashed file")} kept for an item of another source (same bytes)`
        : "",
      changed > 0
        ? `${formatCount(changed, "trashed file")} kept, changed since placed (out of sync.db)`
        : "",
      absent > 0
        ? `${formatCount(absent, "trashed item")} taken out of sync.db (no file here to remove)`
        : "",
    ].filter(Boolean);
    renderer.info(
      `  ${formatCount(report.restored, "missing or changed file")} restored, ${
        formatCount(report.redated, "file")
      } ` +
        `re-dated by a sidecar found now, ${formatCount(report.removed, "file")} removed as trash` +
        kept.map((part) => `, ${part}`).join(""),
    );
  }
  if (report.placedAgain > 0) {
    renderer.info(
      `  ${formatCount(report.placedAgain, "file")} stored elsewhere placed again with ${
        report.placedAgain === 1 ? "its" : "their"
      } corrected date (store ${report.placedAgain === 1 ? "it" : "them"}; a copy stored before at another ` +
        "day is out of date)",
    );
  }
  if (report.updated > 0) {
    renderer.info(
      `  ${report.updated} updated from a later export (favourite, description, location, people, date, …)`,
    );
  }
  if (report.file) renderer.info(`  every entry, one line each: ${report.file}`);
  const warn = (list: Listed, what: string) => {
    if (list.count > 0) renderer.warn(`${formatFiles(list.count)} ${what}: ${listed(list, report)}`);
  };
  const their = report.datedByFileTime.count === 1 ? "its" : "their";
  warn(report.datedByFileTime, `had no date but ${their} archive entry time`);
  warn(report.undated, `had no date at all, not even an entry time: dated ${FALLBACK_DAY}`);
  warn(report.invalidDates, "had a date that is no date (passed over for the next rule)");
  warn(report.ambiguous, "had two sidecars that fit (the first was used)");
  const one = report.unknownKinds.count === 1;
  warn(
    report.unknownKinds,
    "in the Google Photos folder had an extension photosync does not know as a photo's or a video's (left out: " +
      (one
        ? "if it is a photo or a video, name it with its type's extension and import it again)"
        : "if they are photos or videos, name them with their type's extension and import them again)"),
  );
  if (report.unmatchedSidecarNames.count > 0) {
    renderer.verbose(`unmatched sidecars: ${listed(report.unmatchedSidecarNames, report)}`);
  }
}

/**
 * A failed import's error, as its run's record keeps it (`status`'s last runs, `--json`'s `message`): the first
 * failure line, and how many more the report file has.
 */
function runError(report: TakeoutReport): string {
  const others = report.failures.count - 1;
  const more = others > 0 ? ` (and ${others} more${report.file ? `: see ${report.file}` : ""})` : "";
  return `${report.failures.first[0]}${more}`;
}

/** 1970-01-01, the day of files no rule dates. */
const FALLBACK_DAY = new Date(FALLBACK_CAPTURE_MS).toISOString().slice(0, 10);

/** The first names of a list, then how many more the report file has. */
function listed(list: Listed, report: TakeoutReport): string {
  return list.first.join(", ") + more(list, report);
}

/** One line per kept name, then one saying how many more the report file has. */
function listLines(list: Listed, print: (line: string) => void, report: TakeoutReport): void {
  for (const line of list.first) print(line);
  if (list.count > list.first.length) print(more(list, report).replace(/^ /, ""));
}

/** `… N more, see the report` when the list is longer than the names kept. */
function more(list: Listed, report: TakeoutReport): string {
  const hidden = list.count - list.first.length;
  return hidden > 0 ? ` … ${hidden} more${report.file ? `, see ${report.file}` : ""}` : "";
}

export default takeoutCommand;
