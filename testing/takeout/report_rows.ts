/**
 * The report file (`DIR/takeout-report-<time>.tsv`) a `photosync takeout` run named in its summary,
 * read back for CLI tests as its rows of fields.
 * @module
 */
import assert from "node:assert/strict";
import type { CliResult } from "../harness.ts";

/** The report file a run named, read as its lines of fields (escapes undone). */
export async function reportOf(run: CliResult): Promise<{ path: string; rows: string[][] }> {
  const path = /every entry, one line each: (.+\.tsv)$/m.exec(run.stderr)?.[1];
  assert.ok(path, `the summary names the report file:\n${run.stderr}`);
  const text = await Deno.readTextFile(path);
  assert.ok(text.endsWith("\n"));
  const unescape = (field: string) =>
    field.replace(
      /\\(\\|t|n|r|e|x[0-9a-f]{2}|u[0-9a-f]{4})/g,
      (_, c: string) =>
        c === "\\"
          ? "\\"
          : c === "t"
          ? "\t"
          : c === "n"
          ? "\n"
          : c === "r"
          ? "\r"
          : c === "e"
          ? "\x1b"
          : String.fromCharCode(parseInt(c.slice(1), 16)),
    );
  const rows = text.slice(0, -1).split("\n").map((line) => line.split("\t").map(unescape));
  assert.deepEqual(rows[0], ["archive", "entry", "outcome", "sidecar", "rule", "date source", "note"]);
  for (const row of rows) assert.equal(row.length, 7, JSON.stringify(row));
  return { path, rows: rows.slice(1) };
}
