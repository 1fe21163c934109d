/**
 * `photosync status`'s view of the backup's shape: a line per year (and per source within a year
 * that has more than one), the oldest and newest item, each source's last run. Its own module so
 * that `status.ts` only adds the result to what it prints.
 * @module
 */
import {
  type Figures,
  itemSpan,
  type LastRun,
  lastRuns,
  type YearFigures,
  yearFigures,
  yearsInOrder,
} from "../core/overview.ts";
import type { Store } from "../core/store.ts";
import { formatBytes, formatCount, formatFiles } from "./format.ts";

/** What `status --json` carries beside the counts. */
export interface BackupShape {
  /** Per year of capture (UTC): `{"2019": {items, downloaded, pending, failed, bytes, sources}}`. */
  years: Record<string, YearFigures>;
  /** Capture times (ISO 8601, UTC) of the oldest and newest item; null when there are none. */
  oldest: string | null;
  newest: string | null;
  /** Each source's last run. */
  runs: Record<string, LastRun>;
}

/** The shape of the backup `store` holds. */
export function backupShape(store: Store): BackupShape {
  const span = itemSpan(store);
  return {
    years: yearFigures(store),
    oldest: span ? new Date(span.oldest).toISOString() : null,
    newest: span ? new Date(span.newest).toISOString() : null,
    runs: lastRuns(store),
  };
}

/**
 * The shape as lines of at most 80 columns (but for a long error message or warning in a last run).
 *
 * @example Usage
 * ```ts
 * import { describeShape } from "./status_shape.ts";
 * import assert from "node:assert/strict";
 *
 * const year = { items: 3, downloaded: 2, files: 2, pending: 1, failed: 0, bytes: 2000, sources: {} };
 * assert.deepEqual(describeShape({ years: { "2019": year }, oldest: null, newest: null, runs: {} }), [
 *   "year         items  downloaded   pending   failed        bytes",
 *   "2019             3           2         1        0       2.0 kB",
 * ]);
 * ```
 */
export function describeShape(shape: BackupShape): string[] {
  const lines: string[] = [];
  const years = yearsInOrder(shape.years);
  if (years.length > 0) {
    lines.push(row("year", ["items", "downloaded", "pending", "failed", "bytes"]));
    for (const [year, figures] of years) {
      lines.push(figuresRow(year, figures));
      for (const [source, ofSource] of Object.entries(figures.sources)) {
        lines.push(figuresRow(`  ${source}`, ofSource));
      }
    }
  }
  if (shape.oldest && shape.newest) {
    lines.push(`oldest:     ${shape.oldest}`, `newest:     ${shape.newest}`);
  }
  const runs = Object.entries(shape.runs);
  if (runs.length > 0) lines.push("last runs:");
  for (const [source, run] of runs) {
    const added = run.added
      ? `: +${formatCount(run.added.items, "item")}, +${formatFiles(run.added.files)} (${
        formatBytes(Math.max(0, run.added.bytes))
      })`
      : "";
    lines.push(
      `  ${source} ${run.command} ${run.ended.slice(0, 16).replace("T", " ")} UTC, ${run.outcome}${added}`,
    );
    if (run.message) lines.push(`    ${run.message}`);
    for (const warning of run.warnings ?? []) lines.push(`    warning: ${warning}`);
  }
  return lines;
}

function figuresRow(label: string, figures: Figures): string {
  const { items, downloaded, pending, failed, bytes } = figures;
  return row(label, [items, downloaded, pending, failed, formatBytes(bytes)].map(String));
}

/** A label and five right-aligned columns: 10 + 8 + 12 + 10 + 9 + 13 = 62 columns, labels up to 10. */
function row(label: string, [a, b, c, d, e]: string[]): string {
  return `${label.padEnd(10)}${a.padStart(8)}${b.padStart(12)}${c.padStart(10)}${d.padStart(9)}${
    e.padStart(13)
  }`;
}
