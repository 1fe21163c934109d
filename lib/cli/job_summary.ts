/**
 * The Markdown a run appends to GitHub Actions' job summary (`GITHUB_STEP_SUMMARY`): what this run
 * added by source, what is left for the next run, the totals, and the warnings that need a person.
 * Pure: figures in, text out.
 * @module
 */
import type { Figures } from "../core/overview.ts";
import { formatBytes, formatCount } from "./format.ts";

/** What a summary is made of. */
export interface JobSummary {
  /** The command line's command, e.g. `sync`. */
  command: string;
  exitCode: number;
  /** How the run ended, in words (see {@link outcomeOf}). */
  outcome: string;
  /** Figures per source before the run; undefined when they could not be read (no sync.db yet: empty). */
  before?: Record<string, Figures>;
  /** Figures per source after the run. */
  after: Record<string, Figures>;
  /** Warnings that need a person, one line each. */
  warnings: string[];
}

/**
 * Words for a command's exit code, as the README's table of exit codes says: the same for every
 * command but `verify`'s 3, which means files missing or changed, none left to fetch.
 */
export function outcomeOf(command: string, exitCode: number): string {
  if (command === "verify" && exitCode === 3) return "files missing or changed";
  switch (exitCode) {
    case 0:
      return "complete";
    case 1:
      return "failed";
    case 2:
      return "bad input";
    case 3:
      return "items left for the next run";
    case 4:
      return "authorisation needed";
    case 5:
      return "Google's daily quota used up";
    case 130:
      return "stopped by Ctrl-C";
    case 143:
      return "stopped by SIGTERM";
    default:
      return `exit ${exitCode}`;
  }
}

/**
 * The summary as Markdown: a heading, a table by source (added items, files and bytes in this run,
 * pending, totals), the totals line, and the warnings as a GitHub alert.
 *
 * @example Usage
 * ```ts
 * import { jobSummary } from "./job_summary.ts";
 * import assert from "node:assert/strict";
 *
 * const after = { library: { items: 3, downloaded: 2, files: 2, pending: 1, failed: 0, bytes: 2000 } };
 * const text = jobSummary({ command: "sync", exitCode: 3, outcome: "items left for the next run", before: {}, after, warnings: [] });
 * assert.match(text, /^### photosync sync: items left for the next run \(exit 3\)$/m);
 * assert.match(text, /^\| library \| 3 \| 2 \| 2\.0 kB \| 1 \| 0 \| 3 \| 2\.0 kB \|$/m);
 * ```
 */
export function jobSummary(summary: JobSummary): string {
  const { before, after } = summary;
  const sources = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].sort();
  const zero: Figures = { items: 0, downloaded: 0, files: 0, pending: 0, failed: 0, bytes: 0 };
  const lines = [`### photosync ${summary.command}: ${summary.outcome} (exit ${summary.exitCode})`, ""];
  if (sources.length === 0) lines.push("The backup holds no items yet.");
  else {
    lines.push(
      "| source | items added | files added | bytes added | left for the next run | failed | items | on disk |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    const total = { ...zero };
    for (const source of sources) {
      const now = after[source] ?? zero;
      const was = before ? before[source] ?? zero : undefined;
      const added = (key: keyof Figures, format: (n: number) => string = String) =>
        was === undefined ? "?" : format(now[key] - was[key]);
      lines.push(
        `| ${source} | ${added("items")} | ${added("files")} | ${added("bytes", signedBytes)} | ` +
          `${now.pending} | ${now.failed} | ${now.items} | ${formatBytes(now.bytes)} |`,
      );
      for (const key of Object.keys(total) as (keyof Figures)[]) total[key] += now[key];
    }
    const items = formatCount(total.items, "item");
    lines.push(
      "",
      `**Totals:** ${items}, ${total.downloaded} downloaded (${formatBytes(total.bytes)}), ` +
        `${total.pending} left for the next run, ${total.failed} failed.`,
    );
  }
  if (summary.warnings.length > 0) {
    lines.push("", "> [!WARNING]", ...summary.warnings.map((warning) => `> - ${markdownText(warning)}`));
  }
  return `${lines.join("\n")}\n\n`;
}

function signedBytes(bytes: number): string {
  return bytes < 0 ? `-${formatBytes(-bytes)}` : formatBytes(bytes);
}

/** A line of text as Markdown shows it: no HTML, no table pipes, on one line. */
function markdownText(text: string): string {
  return text.replace(/[\\`*_<>|[\]]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, " ");
}
