/**
 * The shape of a backup, aggregated in SQL over `sync.db`'s `items` table: figures per year (and
 * source), per day, the span of capture times, the longest empty stretches, and which days hold
 * files gone from the folder. What `photosync status` and `photosync report` show.
 *
 * A day is the UTC calendar day of the item's capture time: the day the tree files it under.
 * @module
 */
import type { OutputTree } from "./output_tree.ts";
import type { Store } from "./store.ts";

const DAY_MS = 86_400_000;

/**
 * The day number (days since 1970-01-01, floored: also right before 1970) of `created_ms`, in SQL.
 * SQLite's integer division truncates towards zero, so the remainder is made non-negative first.
 */
const DAY_NUMBER = `((created_ms - ((created_ms % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS}) / ${DAY_MS})`;

/** A day number as `YYYY-MM-DD`, in SQL. */
const dayText = (dayNumber: string) => `date((${dayNumber}) * 86400, 'unixepoch')`;

/** Counts of items in one status, and the bytes on disk of those downloaded. */
export interface Figures {
  items: number;
  downloaded: number;
  /** Files on disk: downloaded items less those sharing another's file (the same bytes from two sources). */
  files: number;
  pending: number;
  failed: number;
  /** The bytes of those files (a shared file counted once). */
  bytes: number;
}

/** A year's (or the whole backup's) figures, and each source's. */
export interface YearFigures extends Figures {
  /** Per source, for the years (or backups) with items of more than one source: empty otherwise. */
  sources: Record<string, Figures>;
}

/**
 * The entries of a figures-per-year record ({@link yearFigures}), oldest year first: a JavaScript object
 * lists its keys that read as whole numbers first (`"1750"`, `"2020"`), those with a leading zero (`"0800"`)
 * after them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { yearsInOrder } from "./overview.ts";
 *
 * assert.deepEqual(yearsInOrder({ "2020": 1, "0800": 2 }), [["0800", 2], ["2020", 1]]);
 * ```
 */
export function yearsInOrder<T>(years: Record<string, T>): [string, T][] {
  return Object.entries(years).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
}

/** A day with items. */
export interface DayFigures {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Items taken that day. */
  count: number;
  pending: number;
  failed: number;
}

/** Days without an item between two days with items, both ends included. */
export interface EmptyStretch {
  /** First empty day, `YYYY-MM-DD`. */
  from: string;
  /** Last empty day, `YYYY-MM-DD`. */
  to: string;
  days: number;
}

const FIGURES = `count(*) AS items,
  coalesce(sum(status = 'downloaded'), 0) AS downloaded,
  coalesce(sum(status = 'downloaded' AND file_of IS NULL), 0) AS files,
  coalesce(sum(status = 'pending'), 0) AS pending,
  coalesce(sum(status = 'failed'), 0) AS failed,
  coalesce(sum(CASE WHEN status = 'downloaded' AND file_of IS NULL THEN size END), 0) AS bytes`;

/**
 * Figures per year of capture (UTC), oldest first, with each source's where a year has more than
 * one source: one grouped query.
 *
 * @example Usage
 * ```ts ignore
 * yearFigures(store)["2019"]; // { items: 120, downloaded: 118, files: 118, pending: 2, failed: 0, bytes: 9e8, sources: {} }
 * ```
 */
export function yearFigures(store: Store): Record<string, YearFigures> {
  const rows = store.select<Figures & { year: string; source: string }>(
    `SELECT substr(${dayText(DAY_NUMBER)}, 1, 4) AS year, source, ${FIGURES}
     FROM items GROUP BY year, source ORDER BY year, source`,
  );
  const years: Record<string, YearFigures> = {};
  for (const { year, source, ...figures } of rows) {
    const entry = years[year] ??= {
      items: 0,
      downloaded: 0,
      files: 0,
      pending: 0,
      failed: 0,
      bytes: 0,
      sources: {},
    };
    addFigures(entry, figures);
    entry.sources[source] = figures;
  }
  for (const entry of Object.values(years)) {
    if (Object.keys(entry.sources).length < 2) entry.sources = {};
  }
  return years;
}

/** Figures per source, by name. */
export function sourceFigures(store: Store): Record<string, Figures> {
  const rows = store.select<Figures & { source: string }>(
    `SELECT source, ${FIGURES} FROM items GROUP BY source ORDER BY source`,
  );
  return Object.fromEntries(rows.map(({ source, ...figures }) => [source, figures]));
}

/** Every day with items, oldest first: how many, how many pending and failed. */
export function dayFigures(store: Store): DayFigures[] {
  return store.select<DayFigures>(
    `SELECT ${dayText("n")} AS day, count(*) AS count,
       coalesce(sum(status = 'pending'), 0) AS pending, coalesce(sum(status = 'failed'), 0) AS failed
     FROM (SELECT ${DAY_NUMBER} AS n, status FROM items) GROUP BY n ORDER BY n`,
  );
}

/** The capture times (epoch ms) of the oldest and the newest item, or undefined for an empty backup. */
export function itemSpan(store: Store): { oldest: number; newest: number } | undefined {
  const [row] = store.select<{ oldest: number | null; newest: number | null }>(
    "SELECT min(created_ms) AS oldest, max(created_ms) AS newest FROM items",
  );
  return row.oldest === null || row.newest === null ? undefined : { oldest: row.oldest, newest: row.newest };
}

/**
 * The longest runs of days without an item between the first and the last day with items (the
 * usual sign of an export part never imported), longest first, at most `limit`, each at least
 * `minDays` long.
 */
export function emptyStretches(store: Store, { limit = 5, minDays = 14 } = {}): EmptyStretch[] {
  return store.select<EmptyStretch>(
    `WITH days AS (SELECT DISTINCT ${DAY_NUMBER} AS n FROM items),
       gaps AS (SELECT lag(n) OVER (ORDER BY n) AS previous, n FROM days)
     SELECT ${dayText("previous + 1")} AS "from", ${dayText("n - 1")} AS "to", n - previous - 1 AS days
     FROM gaps WHERE n - previous - 1 >= ? ORDER BY days DESC, previous LIMIT ?`,
    minDays,
    limit,
  );
}

/**
 * Days holding downloaded items whose file the backup does not keep (`OutputTree.keeps`: not in `tree`
 * with its recorded size, unless stored elsewhere; a look at each file, no read), with how many:
 * `YYYY-MM-DD` to count.
 */
export function missingDays(store: Store, tree: OutputTree): Map<string, number> {
  const days = new Map<string, number>();
  const rows = store.select<{ day: string; path: string; size: number }>(
    `SELECT ${dayText(DAY_NUMBER)} AS day, path, size FROM items
     WHERE status = 'downloaded' AND path IS NOT NULL`,
  );
  for (const { day, path, size } of rows) {
    if (!tree.keeps(path, size)) days.set(day, (days.get(day) ?? 0) + 1);
  }
  return days;
}

function addFigures(total: Figures, figures: Figures): void {
  total.items += figures.items;
  total.downloaded += figures.downloaded;
  total.files += figures.files;
  total.pending += figures.pending;
  total.failed += figures.failed;
  total.bytes += figures.bytes;
}

/** How a source's last run ended, as the command line recorded it. */
export interface LastRun {
  /** The command, e.g. `sync`. */
  command: string;
  /** When it started and ended, ISO 8601 (UTC). */
  started: string;
  ended: string;
  exitCode: number;
  /** In words: `complete`, `items left for the next run`, `failed`, ... */
  outcome: string;
  /** The error's line, when it ended with one. */
  message?: string;
  /** The warnings that needed a person (one line each), when there were any. */
  warnings?: string[];
  /** What it added: items to sync.db, files and bytes to the folder (undefined when not known). */
  added?: { items: number; files: number; bytes: number };
}

/** Each source's last run, by source (a record that is not JSON is passed over). */
export function lastRuns(store: Store): Record<string, LastRun> {
  const runs: Record<string, LastRun> = {};
  for (const { source, run } of store.lastRuns()) {
    try {
      runs[source] = JSON.parse(run);
    } catch {
      // Written by photosync as JSON; a hand-edited value is no reason to fail status.
    }
  }
  return runs;
}
