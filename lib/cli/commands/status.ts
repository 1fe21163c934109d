/**
 * `photosync status`: what `sync.db` holds.
 * @module
 */
import { join } from "node:path";
import { ExitCode, UsageError } from "../../core/errors.ts";
import { formatBytes } from "../render.ts";
import { Store } from "../../core/store.ts";
import type { Command } from "../run.ts";
import { parseFlags } from "../args.ts";

const HELP = `Usage: photosync status [--dir=DIR] [--json]

Counts of items, downloaded, pending and failed (with reasons) in DIR/sync.db.
  --dir=DIR   the folder given to sync (default: .)
  --json      one JSON object: items, downloaded, pending, failed, bytes, failures, notes`;

const statusCommand: Command = async (args, { renderer }) => {
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
  const path = join(values.dir, "sync.db");
  if (!(await Deno.stat(path).catch(() => undefined))?.isFile) {
    throw new UsageError(`no ${path}: run photosync --dir=${values.dir} first`);
  }
  using store = Store.open(path);
  const counts = store.counts();
  if (values.json) {
    renderer.output(JSON.stringify(counts));
    return ExitCode.ok;
  }
  const lines = [
    `items:      ${counts.items}`,
    `downloaded: ${counts.downloaded} (${formatBytes(counts.bytes)})`,
    `pending:    ${counts.pending}`,
    `failed:     ${counts.failed}`,
    ...counts.failures.map((f) => `  failed ${f.filename} (${f.id}): ${f.reason}`),
    ...counts.notes.map((n) => `  pending ${n.filename} (${n.id}): ${n.note}`),
  ];
  renderer.output(lines.join("\n"));
  return ExitCode.ok;
};

export default statusCommand;
