/**
 * `photosync takeout PATH...`: import Google Takeout archives into the backup.
 * @module
 */
import { ExitCode, InterruptedError, UsageError } from "../../core/errors.ts";
import { DEFAULT_LAYOUT, layoutMapper } from "../../core/layout.ts";
import { FALLBACK_CAPTURE_MS } from "../../core/dates.ts";
import { type Listed, takeout, type TakeoutReport } from "../../takeout.ts";
import type { Command } from "../command.ts";
import { COMMON_FLAGS, parseFlags } from "../args.ts";
import { answerHelpOrVersion } from "../help.ts";
import { resolvePath } from "../paths.ts";
import type { Renderer } from "../render.ts";
import { formatBytes, formatDuration } from "../format.ts";
import { RunStop } from "../../core/backup.ts";
import { Interrupt } from "../interrupt.ts";

const HELP = `Usage: photosync takeout [--dir DIR] [--albums links|none] [--include-trashed] PATH...

Import a Google Takeout export of Google Photos into DIR: the same sync.db and
YYYY/MM/DD tree that photosync sync builds. Each PATH is a .zip, a .tgz/.tar.gz or an
extracted folder; give all archives of an export (any order): a file's sidecar JSON
often sits in another archive than the file. Needs no Cloud project and no sign-in.
Parts imported in separate runs give the same result: a sidecar found later re-dates
(or, for the trash, removes) earlier files. A re-run puts back files missing from DIR.
  --dir DIR            folder for sync.db and the photos (default: .; created if missing)
  --albums links       albums/<album title>/ folders of links to the dated files (default)
  --albums none        record album membership in sync.db only
  --include-trashed    also import what was in Google Photos' trash
  --layout TEMPLATE    folders under --dir (default ${DEFAULT_LAYOUT})
  --quiet, --verbose   less / more output (--verbose: each file, its sidecar rule and date source)
  --help, --version

Every entry's outcome, sidecar rule and date source goes to DIR/takeout-report-<time>.tsv.

Exit codes: 0 all imported, 1 failure (e.g. a damaged or unreadable archive: the rest is
imported), 2 bad input (e.g. a path that is no Google Photos export), 3 some files could
not be imported.`;

/** The flags of `photosync takeout`, parsed strictly. */
export function parseTakeoutFlags(args: string[]) {
  const { values, positionals } = parseFlags("takeout", args, {
    dir: { type: "string", default: "." },
    albums: { type: "string", default: "links" },
    "include-trashed": { type: "boolean" },
    layout: { type: "string", default: DEFAULT_LAYOUT },
    ...COMMON_FLAGS,
  }, Infinity);
  if (values.albums !== "links" && values.albums !== "none") {
    throw new UsageError(`--albums must be links or none, not "${values.albums}"`);
  }
  return { ...values, albums: values.albums as "links" | "none", paths: positionals };
}

const takeoutCommand: Command = async (args, { renderer, paths, journal }) => {
  const flags = parseTakeoutFlags(args);
  const answered = answerHelpOrVersion(flags, HELP, renderer);
  if (answered !== undefined) return answered;
  if (flags.paths.length === 0) {
    throw new UsageError(
      "photosync takeout needs the Takeout archives or folders to import; see photosync takeout --help",
    );
  }
  const started = Date.now();
  const dir = resolvePath("--dir", flags.dir, paths);
  journal?.begin("takeout", dir, "takeout");
  // Ctrl-C or SIGTERM ends the import after the entry being placed: what is imported is kept.
  using stop = new RunStop();
  using _interrupt = new Interrupt(renderer, "stopping: imported files are kept, partial ones removed", stop);
  const report = await takeout({
    dir,
    paths: flags.paths.map((path) => resolvePath("PATH", path, paths)),
    logger: renderer,
    albums: flags.albums,
    includeTrashed: flags["include-trashed"],
    pathMapper: layoutMapper(flags.layout),
    stop,
  }).catch((error) => {
    if (!(error instanceof InterruptedError)) throw error;
    throw new InterruptedError(
      error.signal,
      "what was imported is kept, partial files removed; run the same command again to go on",
    );
  });
  renderer.finish();
  summarise(report, (Date.now() - started) / 1000, renderer);
  if (report.damagedArchives > 0) {
    listLines(report.failures, (line) => renderer.error(line), report);
    return ExitCode.failure;
  }
  if (report.failed > 0) {
    listLines(report.failures, (line) => renderer.warn(line), report);
    return ExitCode.incomplete;
  }
  return ExitCode.ok;
};

/**
 * The end-of-run report: a few lines accounting for every entry of every archive, the file
 * with one line per entry, and the first names of each list that needs a look.
 */
function summarise(report: TakeoutReport, seconds: number, renderer: Renderer): void {
  const { datedFrom } = report;
  renderer.info(
    `done in ${formatDuration(seconds)}: ${report.entries} entries: ${report.imported} imported ` +
      `(${formatBytes(report.bytes)}), ${report.alreadyPresent} already present, ` +
      `${report.duplicates} duplicates skipped, ${report.trashed} trashed skipped`,
  );
  renderer.info(
    `  ${report.sidecarsUsed} sidecars used, ${report.unmatchedSidecars} unmatched sidecars, ` +
      `${report.notMedia} not media, ${report.failed} failed${
        report.unread ? `, ${report.unread} unread` : ""
      }`,
  );
  renderer.info(
    `  dated from sidecar ${datedFrom.sidecar}, EXIF ${datedFrom.exif}, file name ${datedFrom.name}, ` +
      `file time ${datedFrom["file time"]}${datedFrom.none ? `, none ${datedFrom.none}` : ""}`,
  );
  if (report.restored + report.redated + report.removed > 0) {
    renderer.info(
      `  ${report.restored} missing or changed files restored, ${report.redated} files re-dated by a ` +
        `sidecar found now, ${report.removed} files removed as trash`,
    );
  }
  if (report.file) renderer.info(`  every entry, one line each: ${report.file}`);
  const warn = (list: Listed, what: string) => {
    if (list.count > 0) renderer.warn(`${list.count} ${what}: ${listed(list, report)}`);
  };
  warn(report.datedByFileTime, "files had no date but their archive entry time");
  warn(report.undated, `files had no date at all, not even an entry time: dated ${FALLBACK_DAY}`);
  warn(report.invalidDates, "files had a date that is no date (passed over for the next rule)");
  warn(report.ambiguous, "files had two sidecars that fit (the first was used)");
  if (report.unmatchedSidecarNames.count > 0) {
    renderer.verbose(`unmatched sidecars: ${listed(report.unmatchedSidecarNames, report)}`);
  }
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
