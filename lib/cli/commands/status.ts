/**
 * `photosync status`: what `sync.db` holds.
 * @module
 */
import { ExitCode } from "../../core/errors.ts";
import type { Renderer } from "../render.ts";
import { formatBytes } from "../format.ts";
import { Store } from "../../core/store.ts";
import type { Command } from "../command.ts";
import { parseFlags } from "../args.ts";

const HELP = `Usage: photosync status [--dir=DIR] [--json]

Counts of items, downloaded, pending and failed (with reasons) in DIR/sync.db.
  --dir=DIR   the folder given to sync (default: .)
  --json      one JSON object: items, downloaded, pending, failed, bytes, sources, failures, notes`;

const statusCommand: Command = (args, { renderer }) => Promise.resolve(status(args, renderer));

function status(args: string[], renderer: Renderer): number {
  const { values } = parseFlags("status", args, {
    dir: { type: "string", default: "." },
    json: { type: "boolean" },
    quiet: { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    renderer.output(HELP);
    return ExitCode.ok;
  }
  using store = Store.open(values.dir, { readOnly: true });
  const counts = store.counts();
  if (values.json) {
    renderer.output(JSON.stringify(counts));
    return ExitCode.ok;
  }
  const lines = [
    `items:      ${counts.items}${bySource(counts.sources)}`,
    `downloaded: ${counts.downloaded} (${formatBytes(counts.bytes)})`,
    `pending:    ${counts.pending}`,
    `failed:     ${counts.failed}`,
    ...counts.failures.map((f) => `  failed ${f.filename} (${f.id}): ${f.reason}`),
    ...counts.notes.map((n) => `  pending ${n.filename} (${n.id}): ${n.note}`),
  ];
  renderer.output(lines.join("\n"));
  return ExitCode.ok;
}

/** ` (library 10, takeout 5)`, or nothing when there is one source or none. */
function bySource(sources: Record<string, number>): string {
  const entries = Object.entries(sources);
  return entries.length > 1 ? ` (${entries.map(([source, n]) => `${source} ${n}`).join(", ")})` : "";
}

export default statusCommand;
