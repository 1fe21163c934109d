/**
 * `photosync status`: what `sync.db` holds.
 * @module
 */
import { ExitCode } from "../../core/errors.ts";
import { formatBytes } from "../format.ts";
import { Store, type StoreCounts } from "../../core/store.ts";
import type { Command } from "../command.ts";
import { COMMON_FLAGS, parseFlags } from "../args.ts";
import { answerHelpOrVersion } from "../help.ts";
import { resolvePath } from "../paths.ts";
import { requireBackup } from "../existing_backup.ts";

const HELP = `Usage: photosync status [--dir DIR] [--json]

Counts of items, downloaded, pending and failed (with reasons) in DIR/sync.db. Creates nothing:
a DIR without sync.db is bad input (exit 2).
  --dir DIR            the folder given to sync (default: .)
  --json               one JSON object: items, downloaded, pending, failed, bytes, sources, failures, notes
  --quiet, --verbose   accepted as by every command; the counts are printed either way
  --help, --version`;

const statusCommand: Command = async (args, { renderer, paths }) => {
  const { values } = parseFlags("status", args, {
    dir: { type: "string", default: "." },
    json: { type: "boolean" },
    ...COMMON_FLAGS,
  });
  const answered = answerHelpOrVersion(values, HELP, renderer);
  if (answered !== undefined) return answered;
  const dir = resolvePath("--dir", values.dir, paths);
  await requireBackup(dir);
  using store = Store.open(dir, { readOnly: true });
  const counts = store.counts();
  if (values.json) {
    renderer.output(JSON.stringify(counts));
    return ExitCode.ok;
  }
  renderer.output(describe(counts));
  return ExitCode.ok;
};

/** The counts as lines for people. */
function describe(counts: StoreCounts): string {
  return [
    `items:      ${counts.items}${bySource(counts.sources)}`,
    `downloaded: ${counts.downloaded} (${formatBytes(counts.bytes)})`,
    `pending:    ${counts.pending}`,
    `failed:     ${counts.failed}`,
    ...counts.failures.map((f) => `  failed ${f.filename} (${f.id}): ${f.reason}`),
    ...counts.notes.map((n) => `  pending ${n.filename} (${n.id}): ${n.note}`),
  ].join("\n");
}

/** ` (library 10, takeout 5)`, or nothing when there is one source or none. */
function bySource(sources: Record<string, number>): string {
  const entries = Object.entries(sources);
  return entries.length > 1 ? ` (${entries.map(([source, n]) => `${source} ${n}`).join(", ")})` : "";
}

export default statusCommand;
