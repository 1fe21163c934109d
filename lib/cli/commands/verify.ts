/**
 * `photosync verify`: prove the backup whole, and with `--repair` put back what is not.
 * @module
 */
import { RunStop } from "../../core/backup.ts";
import { ExitCode, UsageError } from "../../core/errors.ts";
import { isWhole, type Problem, verify, type VerifyReport } from "../../verify.ts";
import { COMMON_FLAGS, parseConcurrency, parseFlags, parseTimeout } from "../args.ts";
import { authorisationIo } from "../auth_io.ts";
import type { Command } from "../command.ts";
import { DOWNLOAD_FLAGS } from "../download_flags.ts";
import { requireBackup } from "../existing_backup.ts";
import { formatBytes, formatDuration, formatFiles, stopwatch } from "../format.ts";
import { answerHelpOrVersion } from "../help.ts";
import { Interrupt } from "../interrupt.ts";
import { resolvePath } from "../paths.ts";
import { retryNotice } from "../retry_notice.ts";
import { shellWord } from "../../core/escape.ts";

const HELP = `Usage: photosync verify [--dir DIR] [--repair] [--json] [flags]

Re-read every file DIR/sync.db records and check its size and sha256: one line per
problem, naming the file (missing, changed); files in DIR that sync.db does not know are
listed too (not an error). Files placed before photosync kept a hash for every file get
one now, when their size and mtime are as photosync left them (the run says how many).
Hashing runs on a worker per core.

  --dir DIR            the backup folder (default: .)
  --repair             put back what is missing or changed: a changed file is first moved
                       to DIR/.photosync-changed/<time>/<path> (never overwritten in place);
                       Library items are downloaded again (fresh URLs), picked items while
                       their links last (else: pick them again); Takeout files are restored
                       by running photosync takeout with the archives again, which verify says
  --json               one JSON object on stdout: files, bytes, problems, unknown, left, hashed,
                       movedAside, repaired, notRepaired
  --creds FILE         (--repair) OAuth client secret JSON, as for sync (with
                       PHOTOSYNC_REFRESH_TOKEN: its client); giving it authorises again
  --no-browser         (--repair) do not open a browser to authorise
  --concurrency N      (--repair) downloads at once, 1-64 (default 8)
  --timeout SECONDS    (--repair) give up on a request that sends nothing for this long
  --quiet, --verbose   less / more output
  --help, --version

Exit codes: 0 every file as recorded (with --repair: after repairing), 1 failure, 2 bad
input (no sync.db in DIR, or one empty, damaged or not photosync's: left as it is; a
(--repair) flag without --repair), 3 files missing or changed (not repaired), 4 authorisation
needed (--repair), 130/143 stopped by Ctrl-C/SIGTERM.`;

/** Problems listed one per line at most; the rest are counted (--json lists all). */
const SHOWN = 100;

/** The flags of a repair's downloads: `sync`'s own (help marks them "(--repair)"). */
const REPAIR_FLAGS = ["creds", "no-browser", "concurrency", "timeout"] as const;

/**
 * The flags of `photosync verify`, parsed strictly; the repair's are `sync`'s definitions. Given without
 * `--repair` they are refused (alone they would do nothing), unless `--help` or `--version` is asked for.
 */
export function parseVerifyFlags(args: string[]) {
  const { values } = parseFlags("verify", args, {
    dir: { type: "string", default: "." },
    repair: { type: "boolean" },
    json: { type: "boolean" },
    creds: DOWNLOAD_FLAGS.creds,
    "no-browser": DOWNLOAD_FLAGS["no-browser"],
    concurrency: DOWNLOAD_FLAGS.concurrency,
    timeout: DOWNLOAD_FLAGS.timeout,
    ...COMMON_FLAGS,
  });
  const stray = REPAIR_FLAGS.find((flag) => values[flag] !== undefined);
  if (stray && !values.repair && !values.help && !values.version) {
    throw new UsageError(
      `--${stray} is for verify --repair only (the repair's downloads); see photosync verify --help`,
    );
  }
  return values;
}

const verifyCommand: Command = async (args, context) => {
  const { renderer, env, paths } = context;
  const values = parseVerifyFlags(args);
  const answered = answerHelpOrVersion(values, HELP, renderer);
  if (answered !== undefined) return answered;
  const dir = resolvePath("--dir", values.dir, paths);
  await requireBackup(dir);
  context.journal?.begin("verify", dir);
  const elapsed = stopwatch();
  using stop = new RunStop();
  using _interrupt = new Interrupt(renderer, "stopping", stop);
  const creds = values.creds === undefined ? undefined : resolvePath("--creds", values.creds, paths);
  // What the checks found, said before the repair downloads (see `onRepair`).
  let found: VerifyReport | undefined;
  let report: VerifyReport;
  try {
    report = await verify({
      dir,
      logger: renderer,
      repair: values.repair,
      creds,
      onRepair: (checked) => {
        found = checked;
        if (!values.json) foundLines(checked).forEach((line) => renderer.notice(line));
      },
      apiUrl: env("PHOTOSYNC_API_URL"),
      pickerUrl: env("PHOTOSYNC_PICKER_URL"),
      concurrency: parseConcurrency(values.concurrency),
      idleTimeoutMs: parseTimeout(values.timeout),
      retry: { onRetry: retryNotice(renderer) },
      stop,
      io: authorisationIo(values["no-browser"], context),
    });
  } catch (error) {
    // --json prints nothing before the end: a failed repair still says where the changed files went.
    if (values.json) found?.movedAside.forEach((move) => renderer.warn(movedAsideLine(move)));
    throw error;
  }
  renderer.finish();
  if (values.json) renderer.output(JSON.stringify(report));
  else {
    describe(report, dir, elapsed(), { foundSaid: found !== undefined }).forEach((line) =>
      renderer.notice(line)
    );
  }
  return isWhole(report) ? ExitCode.ok : ExitCode.incomplete;
};

/** The line of a changed file moved aside. */
const movedAsideLine = ({ from, to }: { from: string; to: string }) =>
  `moved aside ${from} -> ${to} (the changed bytes are kept there)`;

/** What the checks found, as lines: the problems, the unknown files, the changed files moved aside. */
function foundLines(report: VerifyReport): string[] {
  const problem = (p: Problem) => `${p.kind} ${p.path} (${p.id})${p.detail ? `: ${p.detail}` : ""}`;
  return [
    ...capped(report.problems.map(problem)),
    ...capped(report.unknown.map((path) => `unknown ${path} (not in sync.db)`)),
    ...capped(
      report.left.map(({ path, of }) =>
        `left ${path}: a second name of ${of} that a stopped move left (one file; the next sync, pick, takeout or verify --repair removes it)`
      ),
    ),
    ...report.movedAside.map(movedAsideLine),
  ];
}

/**
 * The report as lines for people: the problems, then the summary. `foundSaid`: the problems and the files
 * moved aside were said before the repair downloaded (see `onRepair`), and are not said again.
 */
export function describe(
  report: VerifyReport,
  dir: string,
  seconds: number,
  { foundSaid = false }: { foundSaid?: boolean } = {},
): string[] {
  const lines = [
    ...(foundSaid ? [] : foundLines(report)),
    ...capped(report.repaired.map((p) => `restored ${p.path}`)),
    ...capped(report.notRepaired.map((p) => `not restored ${p.path}: ${p.reason}`)),
  ];
  const missing = report.problems.filter((p) => p.kind === "missing").length;
  const changed = report.problems.length - missing;
  const found = report.problems.length === 0
    ? "all intact"
    : `${missing} missing, ${changed} changed${
      report.repaired.length > 0 ? `, ${report.repaired.length} restored` : ""
    }`;
  lines.push(
    `verified ${formatFiles(report.files)} (${formatBytes(report.bytes)}) in ${
      formatDuration(seconds)
    }: ${found}` +
      (report.unknown.length > 0 ? `; ${formatFiles(report.unknown.length)} not in sync.db` : ""),
  );
  if (report.hashed > 0) {
    lines.push(
      `recorded the sha256 of ${
        formatFiles(report.hashed)
      } that had none (their size and mtime were as recorded)`,
    );
  }
  // Said when no repair ran (one that ran says for each file what it did, or what puts it back).
  const repairRan = report.movedAside.length + report.repaired.length + report.notRepaired.length > 0;
  if (report.problems.length > 0 && !repairRan) lines.push(...whatPutsBack(report.problems, dir));
  return lines;
}

/**
 * What puts the files of `problems` back, by source: `--repair` downloads Library and picked items
 * again; a Takeout file comes only from the export's archives, which `takeout` puts back where one is
 * missing (it tells a changed file only by its size: `--repair` first keeps a changed one aside).
 */
function whatPutsBack(problems: Problem[], dir: string): string[] {
  const folder = shellWord(dir);
  const takeout = problems.filter((p) => p.source === "takeout");
  const downloaded = problems.length - takeout.length;
  const lines: string[] = [];
  if (downloaded > 0) {
    lines.push(
      `photosync verify --dir ${folder} --repair puts ${
        takeout.length > 0 ? "the downloaded files" : "them"
      } back (changed files are kept aside)`,
    );
  }
  if (takeout.length > 0) {
    const them = downloaded > 0 ? "the Takeout files" : "them";
    // Before the archives, a changed file must be out of the way: the repair said above does it too.
    const aside = !takeout.some((p) => p.kind === "changed")
      ? ""
      : downloaded > 0
      ? "after that repair, "
      : `photosync verify --dir ${folder} --repair keeps the changed ones aside, then `;
    lines.push(
      `${aside}photosync takeout --dir ${folder} with the export's archives again (or --drive, or ` +
        `--from=URL) puts ${them} back`,
    );
  }
  return lines;
}

function capped(lines: string[]): string[] {
  return lines.length <= SHOWN
    ? lines
    : [...lines.slice(0, SHOWN), `… and ${lines.length - SHOWN} more (--json lists all)`];
}

export default verifyCommand;
