/**
 * `photosync status`: what `sync.db` holds.
 * @module
 */
import { ExitCode } from "../../core/errors.ts";
import { formatBytes, type Renderer } from "../render.ts";
import { OutputTree } from "../../core/output_tree.ts";
import { Store } from "../../core/store.ts";
import type { Command } from "../command.ts";
import { parseFlags } from "../args.ts";

const HELP = `Usage: photosync status [--dir=DIR] [--json]

Counts of items, downloaded, pending and failed (with reasons) in DIR/sync.db, and the
downloaded items whose file is no longer in DIR (or has another size).
  --dir=DIR   the folder given to sync (default: .)
  --json      one JSON object: items, downloaded, pending, failed, bytes, sources, failures, notes,
              missing`;

/** Missing files listed one per line at most; the rest are counted. */
const MISSING_SHOWN = 20;

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
  const counts = { ...store.counts(), missing: missingFiles(store, values.dir) };
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
  const { missing } = counts;
  if (missing.length > 0) {
    lines.push(
      `missing:    ${missing.length} downloaded but gone from ${values.dir} or changed: photosync takeout ` +
        `with the archives (for imported files) or photosync sync --resync puts them back`,
      ...missing.slice(0, MISSING_SHOWN).map((m) => `  missing ${m.path} (${m.id})`),
      ...(missing.length > MISSING_SHOWN
        ? [`  … and ${missing.length - MISSING_SHOWN} more (--json lists all)`]
        : []),
    );
  }
  renderer.output(lines.join("\n"));
  return ExitCode.ok;
}

/** The downloaded items whose file is not in `dir` with its recorded size: a look at each, no read. */
function missingFiles(store: Store, dir: string): { id: string; filename: string; path: string }[] {
  const tree = new OutputTree(dir);
  const missing = [];
  for (const { id, filename, path, size } of store.downloadedFiles()) {
    if (!tree.holds(path, size)) missing.push({ id, filename, path });
  }
  return missing;
}

/** ` (library 10, takeout 5)`, or nothing when there is one source or none. */
function bySource(sources: Record<string, number>): string {
  const entries = Object.entries(sources);
  return entries.length > 1 ? ` (${entries.map(([source, n]) => `${source} ${n}`).join(", ")})` : "";
}

export default statusCommand;
