/**
 * `photosync [sync]`: index the library and download what is new.
 * @module
 */
import { parseDateRange } from "../../core/dates.ts";
import { RunStop } from "../../core/backup.ts";
import { ExitCode, InterruptedError } from "../../core/errors.ts";
import { DEFAULT_LAYOUT, layoutMapper } from "../../core/layout.ts";
import type { OnNewEntry } from "../../core/output_tree.ts";
import { formatBytes, formatCount, formatDuration, formatFiles, stopwatch } from "../format.ts";
import { GOOGLE_API_URL } from "../../google/endpoints.ts";
import type { SyncOptions, SyncSummary } from "../../library.ts";
import type { Command } from "../command.ts";
import { authorisationIo } from "../auth_io.ts";
import { Interrupt } from "../interrupt.ts";
import { parseConcurrency, parseDuration, parseFlags, parseSize, parseTimeout } from "../args.ts";
import { answerHelpOrVersion, overview } from "../help.ts";
import { resolvePath } from "../paths.ts";
import { FOLDER_HELP, folderRequest } from "../folder_flags.ts";
import { DOWNLOAD_FLAGS, downloadsExitCode, newFilesList, RUN_LIMIT_FLAGS } from "../download_flags.ts";
import { retryNotice } from "../retry_notice.ts";

const HELP = `${overview()}

photosync (or photosync sync) indexes what the Library API shows into DIR/sync.db and
downloads what is new into DIR/YYYY/MM/DD/.

Sync flags:
  --dir DIR            folder for sync.db and the photos (default: .; created if missing)
  --creds FILE         OAuth client secret JSON ("Desktop app" client); default ./clientsecret.json
                       when no token is saved yet; giving it again authorises again
  --all                search the whole library (default: only days older than the oldest and
                       newer than the newest item already indexed, boundary days included)
  --dates FROM[:TO]    search only these days (YYYY-MM-DD, both ends included); with --all, check
                       every item of those days again: rows deleted from sync.db come back with
                       their files, missing or changed files are downloaded again
  --resync             download again files that are missing or have the wrong size
  --index-only         update sync.db only; a later run downloads
  --concurrency N      downloads at once, 1-64 (default 8)
  --timeout SECONDS    give up on a request that sends nothing for this long (default 60)
  --layout TEMPLATE    folders under --dir, from {year} {month} {day} of the creation time
                       (default ${DEFAULT_LAYOUT}; which day: --folder-days)
${FOLDER_HELP}
  --max-time DURATION  stop after this long (e.g. 5h30m, 90m), keeping what is finished; exit 3
                       when items are left for the next run
  --max-bytes SIZE     write at most SIZE in this run (e.g. 500MB, 10GB): a download starts only
                       when its size fits in what is left; exit 3 when items are left for the
                       next run (a file larger than SIZE goes alone, in a run that wrote nothing else)
  --new-files FILE     write the files this run added (relative to --dir, one a line) to FILE
  --query ID           print one item's JSON from the API and exit (as photosync query ID)
  --no-browser         do not open a browser to authorise; print the URL only
  --quiet              print only warnings and errors
  --verbose            print more detail
  --help, --version

Paths: a leading ~ is your home folder (also in --dir=~/photos); under deno task, relative
paths are relative to the folder you ran it from.

Environment:
  PHOTOSYNC_REFRESH_TOKEN   authorise unattended with this refresh token (photosync token prints
                            it); client from --creds or PHOTOSYNC_CLIENT_ID, PHOTOSYNC_CLIENT_SECRET
  PHOTOSYNC_API_URL         Library API root (default ${GOOGLE_API_URL})
  PHOTOSYNC_PICKER_URL      Picker API root, for items photosync pick left pending

Exit codes: 0 all synced, 1 failure, 2 bad input, 3 some items not downloaded
(see photosync status) or --max-time ran out or --max-bytes was reached first, 4 authorisation needed or refused (also:
no browser and no terminal to authorise on), 5 Google's daily quota used up (run again after
midnight Pacific Time).`;

/** The flags of `photosync sync`, parsed strictly. */
export function parseSyncFlags(args: string[]) {
  return parseFlags("sync", args, {
    ...DOWNLOAD_FLAGS,
    all: { type: "boolean" },
    dates: { type: "string" },
    resync: { type: "boolean" },
    "index-only": { type: "boolean" },
    ...RUN_LIMIT_FLAGS,
    query: { type: "string" },
  }).values;
}

const syncCommand: Command = async (args, context) => {
  const { renderer, env, paths } = context;
  const values = parseSyncFlags(args);
  const answered = answerHelpOrVersion(values, HELP, renderer);
  if (answered !== undefined) return answered;
  if (values.query !== undefined) {
    const passOn = ["dir", "creds"].flatMap((flag) => {
      const value = values[flag as "dir" | "creds"];
      return value === undefined ? [] : [`--${flag}=${value}`];
    });
    if (values["no-browser"]) passOn.push("--no-browser");
    // `sync --query ID` is `query ID`: handed over, loaded only then.
    const { default: queryCommand } = await import("./query.ts");
    return await queryCommand([values.query, ...passOn], context);
  }
  const elapsed = stopwatch();
  const dir = resolvePath("--dir", values.dir, paths);
  context.journal?.begin("sync", dir, "library");
  // --all with --dates: the original photosync's repair ("check every item of those days again").
  const dates = values.dates === undefined ? (values.all ? "all" : undefined) : parseDateRange(values.dates);
  const options: SyncOptions = {
    dir,
    logger: renderer,
    creds: values.creds === undefined ? undefined : resolvePath("--creds", values.creds, paths),
    dates,
    recheck: values.all && values.dates !== undefined,
    resync: values.resync,
    indexOnly: values["index-only"],
    concurrency: parseConcurrency(values.concurrency),
    idleTimeoutMs: parseTimeout(values.timeout),
    retry: { onRetry: retryNotice(renderer) },
    pathMapper: layoutMapper(values.layout),
    ...folderRequest(values),
    apiUrl: env("PHOTOSYNC_API_URL"),
    pickerUrl: env("PHOTOSYNC_PICKER_URL"),
    io: authorisationIo(values["no-browser"], context),
  };
  const newFiles = values["new-files"] === undefined
    ? undefined
    : await newFilesList(resolvePath("--new-files", values["new-files"], paths), options.dir);
  // The Library's run, loaded only now: `--help` and `--version` (also as `photosync --version`) need none of it.
  const { sync } = await import("../../library.ts");
  // Ctrl-C or SIGTERM stops the run as --max-time does: finished files kept, partial ones removed.
  using stop = new RunStop({
    maxTimeMs: parseDuration(values["max-time"]),
    maxBytes: parseSize(values["max-bytes"]),
  });
  using _interrupt = new Interrupt(renderer, "stopping: finished files are kept, partial ones removed", stop);
  let placed = 0;
  // --new-files lists every new entry (a moved file, its sidecar too); the count is of photos downloaded.
  const onFile: OnNewEntry = (path, entry, from) => {
    if (entry === "file") placed++;
    newFiles?.add(path, from);
  };
  let summary: SyncSummary;
  try {
    summary = await sync({ ...options, stop, onFile });
  } catch (error) {
    // The files that did arrive are listed on every exit: a job uploads them whatever came after.
    await newFiles?.write().catch((listError) => renderer.warn(listError.message));
    if (error instanceof InterruptedError) {
      throw new InterruptedError(
        error.signal,
        `${formatCount(placed, "file")} downloaded in this run ${
          placed === 1 ? "is" : "are"
        } kept, partial ones removed; run it again to go on`,
      );
    }
    throw error;
  }
  await newFiles?.write();
  renderer.finish();
  const seconds = elapsed();
  const { downloads } = summary;
  const parts = [`indexed ${summary.added} new and ${formatCount(summary.updated, "changed item")}`];
  if (summary.redated) {
    parts.push(`${formatCount(summary.redated, "file")} moved to a date corrected in Google Photos`);
  }
  if (summary.requeued) {
    parts.push(`${formatCount(summary.requeued, "missing or changed file")} queued again`);
  }
  for (const { from, to } of summary.movedAside) {
    renderer.warn(
      `moved aside ${from} -> ${to} (it was not as downloaded: the changed bytes are kept there)`,
    );
  }
  if (downloads) {
    parts.push(`downloaded ${formatFiles(downloads.downloaded)} (${formatBytes(downloads.bytes)})`);
  }
  renderer.info(`done in ${formatDuration(seconds)}: ${parts.join(", ")}`);
  if (summary.noAppCreatedMedia) renderer.attention(NO_APP_CREATED_MEDIA);
  if (summary.stopped) {
    const more = summary.stopped === "indexing" ? ", and days still to search" : "";
    renderer.warn(
      `--max-time=${values["max-time"]} ran out: ${
        formatCount(summary.pending, "item")
      } left for the next run${more}`,
    );
    return ExitCode.incomplete;
  }
  if (summary.budgetReached && summary.pending > 0) {
    // The disk budget: a person decides whether to raise it.
    const left = `${formatCount(summary.pending, "item")} left for the next run`;
    renderer.attention(`--max-bytes=${values["max-bytes"]} reached: ${left}`);
    return ExitCode.incomplete;
  }
  const code = downloads ? downloadsExitCode(downloads, dir, renderer) : ExitCode.ok;
  // A file not moved to its corrected day was said in its own warning line: the run is not complete.
  return summary.notRedated ? ExitCode.incomplete : code;
};

/** What a run that the Library API showed nothing says: why, and what reaches an existing library. */
export const NO_APP_CREATED_MEDIA =
  "the Library API showed nothing: since 2025-03-31 it shows photosync only " +
  "the photos and videos photosync uploaded itself; for the rest of your library use photosync takeout " +
  "(Google Takeout archives; takeout --drive imports scheduled exports from Google Drive) or photosync pick";

export default syncCommand;
