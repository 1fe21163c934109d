/**
 * `photosync status`: what `sync.db` holds.
 * @module
 */
import { ExitCode } from "../../core/errors.ts";
import { escapeControls, shellWord } from "../../core/escape.ts";
import { formatBytes, formatFiles } from "../format.ts";
import { OutputTree } from "../../core/output_tree.ts";
import { Store, type StoreCounts, type VerifyRun } from "../../core/store.ts";
import type { Command } from "../command.ts";
import { COMMON_FLAGS, parseFlags } from "../args.ts";
import { answerHelpOrVersion } from "../help.ts";
import { resolvePath } from "../paths.ts";
import { requireBackup } from "../existing_backup.ts";
import { chainSummary, describeChain } from "../../sources/takeout/export_chain.ts";
import { backupShape, describeShape } from "../status_shape.ts";

const HELP = `Usage: photosync status [--dir DIR] [--json] [--files-elsewhere]

Counts of items, downloaded, pending and failed (with reasons) in DIR/sync.db, and the
downloaded items whose file is no longer in DIR (or has another size); a line per year
(per source too where a year has several), the oldest and newest item, and each source's
last run; the Takeout exports imported, with any export missed between them; the last verify.
Creates nothing: a DIR without sync.db is bad input (exit 2).
  --dir DIR            the folder given to sync (default: .)
  --files-elsewhere    DIR holds only sync.db and a run's new files, the rest stored elsewhere (as
                       takeout --files-elsewhere keeps it): a file not in DIR is not missing
  --json               one JSON object: items, downloaded, files, pending, failed, bytes, sources,
                       failures, notes, missing, years, oldest, newest, runs, exports (the Takeout
                       exports imported), missedExports, lastVerify (null before the first verify)
  --quiet, --verbose   accepted as by every command; the counts are printed either way
  --help, --version`;

/** Missing files listed one per line at most; the rest are counted. */
const MISSING_SHOWN = 20;

const statusCommand: Command = async (args, { renderer, paths, journal }) => {
  const { values } = parseFlags("status", args, {
    dir: { type: "string", default: "." },
    json: { type: "boolean" },
    "files-elsewhere": { type: "boolean" },
    ...COMMON_FLAGS,
  });
  const answered = answerHelpOrVersion(values, HELP, renderer);
  if (answered !== undefined) return answered;
  const dir = resolvePath("--dir", values.dir, paths);
  await requireBackup(dir);
  journal?.begin("status", dir);
  using store = Store.open(dir, { readOnly: true });
  const counts = {
    ...store.counts(),
    missing: missingFiles(store, dir, values["files-elsewhere"] ?? false),
    lastVerify: store.lastVerifyRun() ?? null,
  };
  const shape = backupShape(store);
  const chain = chainSummary(store);
  if (values.json) {
    renderer.output(
      JSON.stringify({ ...counts, ...shape, exports: chain.exports, missedExports: chain.missed }),
    );
    return ExitCode.ok;
  }
  renderer.output([describe(counts, dir), ...describeShape(shape), ...describeChain(chain)].join("\n"));
  return ExitCode.ok;
};

/** `text` as part of one line: every control character escaped, line breaks included. */
const line = (text: string) => escapeControls(text);

/** A downloaded item whose file is not in the folder as recorded. */
interface MissingFile {
  id: string;
  filename: string;
  path: string;
}

/** The counts (of the backup in `dir`) as lines for people. */
function describe(
  counts: StoreCounts & { missing: MissingFile[]; lastVerify: VerifyRun | null },
  dir: string,
): string {
  return [
    `items:      ${counts.items}${bySource(counts.sources)}`,
    `downloaded: ${counts.downloaded}${
      counts.files === counts.downloaded ? "" : ` items in ${formatFiles(counts.files)}`
    } (${formatBytes(counts.bytes)})`,
    `pending:    ${counts.pending}`,
    `failed:     ${counts.failed}`,
    // Names, ids and reasons come from Google or a file: a line break in one must not make a line of its
    // own (the output keeps the line breaks between lines, and escapes every other control character).
    ...counts.failures.map((f) => `  failed ${line(f.filename)} (${line(f.id)}): ${line(f.reason)}`),
    ...counts.notes.map((n) => `  pending ${line(n.filename)} (${line(n.id)}): ${line(n.note)}`),
    ...describeMissing(counts.missing, dir, counts.missing.length === counts.files),
    ...lastVerifyLines(counts.lastVerify ?? undefined),
  ].join("\n");
}

/** The missing files' lines: a count saying what puts them back, the first few, how many more. */
function describeMissing(missing: MissingFile[], dir: string, all: boolean): string[] {
  if (missing.length === 0) return [];
  const folder = shellWord(dir);
  return [
    `missing:    ${missing.length} downloaded but gone from ${dir} or changed: photosync takeout --dir ${folder} ` +
    `with the archives (for imported files) or photosync sync --dir ${folder} --resync puts them back` +
    // Every file gone: most likely a folder whose files are stored elsewhere (a CI job's), not a loss.
    (all
      ? `; a folder whose files are stored elsewhere: photosync status --dir ${folder} --files-elsewhere`
      : ""),
    ...missing.slice(0, MISSING_SHOWN).map((m) => `  missing ${line(m.path)} (${line(m.id)})`),
    ...(missing.length > MISSING_SHOWN
      ? [`  … and ${missing.length - MISSING_SHOWN} more (--json lists all)`]
      : []),
  ];
}

/** The downloaded items whose file is not in `dir` with its recorded size: a look at each, no read. */
function missingFiles(store: Store, dir: string, filesElsewhere: boolean): MissingFile[] {
  const tree = new OutputTree(dir, { filesElsewhere });
  const missing: MissingFile[] = [];
  for (const { id, filename, path, size } of store.downloadedFiles()) {
    if (!tree.keeps(path, size)) missing.push({ id, filename, path });
  }
  return missing;
}

/** ` (library 10, takeout 5)`, or nothing when there is one source or none. */
function bySource(sources: Record<string, number>): string {
  const entries = Object.entries(sources);
  return entries.length > 1 ? ` (${entries.map(([source, n]) => `${source} ${n}`).join(", ")})` : "";
}

/**
 * `photosync status`'s line for the last verify run, e.g.
 * `last verify: 2026-12-05 07:30 UTC, 6 files, all intact`; none when no verify ran.
 */
export function lastVerifyLines(run: VerifyRun | undefined): string[] {
  if (!run) return [];
  const when = `${new Date(run.finishedMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const found = run.missing + run.changed === 0
    ? "all intact"
    : `${run.missing} missing, ${run.changed} changed${run.repaired > 0 ? `, ${run.repaired} restored` : ""}`;
  return [`last verify: ${when}, ${formatFiles(run.files)}, ${found}`];
}

export default statusCommand;
