/**
 * `photosync report`: the backup at a glance, as one self-contained HTML page.
 * @module
 */
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { ExitCode, PhotosyncError, UsageError } from "../../core/errors.ts";
import {
  dayFigures,
  emptyStretches,
  itemSpan,
  lastRuns,
  missingDays,
  sourceFigures,
  yearFigures,
} from "../../core/overview.ts";
import { OutputTree, REPORT_FILE, RESERVED_NAMES } from "../../core/output_tree.ts";
import { writeWhole } from "../whole_file.ts";
import { Store } from "../../core/store.ts";
import type { Command } from "../command.ts";
import { COMMON_FLAGS, parseFlags } from "../args.ts";
import { answerHelpOrVersion } from "../help.ts";
import { resolvePath } from "../paths.ts";
import { requireBackup } from "../existing_backup.ts";
import { reportPage } from "../report_page.ts";
import { chainSummary } from "../../sources/takeout/export_chain.ts";
import { VERSION } from "../version.ts";

const HELP = `Usage: photosync report [--dir DIR] [--out FILE] [--files-elsewhere]

Writes one self-contained HTML page (inline CSS and SVG; it loads nothing, so it opens
offline, from a CI artifact, years later) showing DIR/sync.db at a glance: a calendar heat
map per year (items taken each day; the date and count on hover), totals per year and per
source, the days with items pending, failed or missing on disk, the longest empty stretches
(the usual sign of a Takeout part not imported), each source's last run, the last verify and
the Takeout exports imported, with any export missed between them. Creates nothing
else: a DIR without sync.db is bad input (exit 2).
  --dir DIR            the folder given to sync, takeout or pick (default: .)
  --out FILE           where to write the page (default: DIR/${REPORT_FILE}); replaced
                       whole, never left half written; needed where DIR is read-only
  --files-elsewhere    DIR holds only sync.db and a run's new files, the rest stored elsewhere
                       (a CI job): a file not in DIR is not shown as missing
  --quiet, --verbose   less / more output
  --help, --version`;

const reportCommand: Command = async (args, { renderer, paths, journal }) => {
  const { values } = parseFlags("report", args, {
    dir: { type: "string", default: "." },
    out: { type: "string" },
    "files-elsewhere": { type: "boolean" },
    ...COMMON_FLAGS,
  });
  const answered = answerHelpOrVersion(values, HELP, renderer);
  if (answered !== undefined) return answered;
  const dir = resolvePath("--dir", values.dir, paths);
  if (values.out === "") throw new UsageError(`--out needs a file name (default: DIR/${REPORT_FILE})`);
  const out = values.out === undefined ? join(dir, REPORT_FILE) : resolvePath("--out", values.out, paths);
  await requireBackup(dir);
  const there = await Deno.lstat(out).catch((error) =>
    error instanceof Deno.errors.NotFound ? undefined : error
  );
  // Deno's permissions keep photosync out of /dev (its message would say to run with --allow-all).
  if (there instanceof Error) {
    throw new UsageError(`--out ${out} is no file photosync may write: give a file's path`);
  }
  if (there?.isDirectory) {
    throw new UsageError(`--out ${out} is a folder: give a file name, such as ${join(out, REPORT_FILE)}`);
  }
  // The page replaces what is there whole (a rename): a device (/dev/stdout) or a link would be replaced.
  if (there && !there.isFile) {
    throw new UsageError(`--out ${out} is no regular file (a device or a link): give a file's path`);
  }
  if (!(await Deno.stat(dirname(out)).catch(() => undefined))?.isDirectory) {
    throw new UsageError(`--out ${out}: the folder ${dirname(out)} does not exist`);
  }
  journal?.begin("report", dir);
  const page = (() => {
    using store = Store.open(dir, { readOnly: true });
    refuseBackupFile(out, dir, store);
    const days = dayFigures(store);
    return reportPage({
      dir,
      generatedMs: Date.now(),
      version: VERSION,
      years: yearFigures(store),
      sources: sourceFigures(store),
      days,
      missing: missingDays(store, new OutputTree(dir, { filesElsewhere: values["files-elsewhere"] })),
      span: itemSpan(store),
      stretches: emptyStretches(store),
      runs: lastRuns(store),
      exports: chainSummary(store),
      lastVerify: store.lastVerifyRun(),
    });
  })();
  await writeWhole(out, page).catch((error) => {
    throw writeFailure(out, values.out !== undefined, error);
  });
  renderer.info(`wrote ${out}`);
  return ExitCode.ok;
};

/**
 * Why the page could not be written to `out` (`given` with `--out`), as one line: a folder that cannot be
 * written (a read-only mount, another user's: bad input, exit 2) says to give `--out` a file elsewhere, and
 * not the temporary file's name; any other failure (a full disk) as it came (exit 1).
 */
function writeFailure(out: string, given: boolean, error: unknown): PhotosyncError {
  const why = (error as { code?: unknown }).code === "EROFS"
    ? "is on a read-only file system"
    : error instanceof Deno.errors.PermissionDenied
    ? "may not be written (permission denied)"
    : undefined;
  if (why === undefined) {
    return new PhotosyncError(`cannot write ${out}: ${(error as Error).message}`, { cause: error });
  }
  const folder = dirname(out);
  return new UsageError(
    given
      ? `--out ${out}: the folder ${folder} ${why}; give --out a file in a folder you can write`
      : `cannot write the report to ${out}: the folder ${folder} ${why}; give --out FILE to write it ` +
        "elsewhere (the backup is only read)",
    { cause: error },
  );
}

/**
 * The page replaces what is at `out`: never a file of the backup (`sync.db`, a photo, an album link,
 * a kept changed file), only a page of its own or a file outside `dir`.
 */
function refuseBackupFile(out: string, dir: string, store: Store): void {
  // Compared where they really are: either may be reached through a link (a NAS mounted, ~/photos).
  const real = (path: string) => {
    try {
      return Deno.realPathSync(path);
    } catch {
      return path;
    }
  };
  const inside = relative(real(dir), join(real(dirname(out)), basename(out)));
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return;
  const path = inside.split(sep).join("/");
  const top = path.split("/")[0];
  const own = RESERVED_NAMES.has(top.toLowerCase()) && top.toLowerCase() !== REPORT_FILE;
  if (own || store.holdsPath(path)) {
    throw new UsageError(
      `--out ${out} is ${own ? "photosync's own" : "a photo's"} file in the backup: give another name ` +
        `(default: ${join(dir, REPORT_FILE)})`,
    );
  }
}

export default reportCommand;
