/**
 * Calendar days: parsing `YYYY-MM-DD` and `--dates` ranges, day arithmetic in UTC.
 * @module
 */
import { UsageError } from "./errors.ts";

/** A calendar day as the Library API's date filter takes it. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Whole days, both ends included. */
export interface DateRange {
  startDate: CivilDate;
  endDate: CivilDate;
}

/** The earliest day the API accepts in a date filter. */
export const EARLIEST: CivilDate = { year: 1, month: 1, day: 1 };

const DAY_MS = 86_400_000;

/**
 * Parse `YYYY-MM-DD` strictly (a real calendar day), or throw {@link UsageError}.
 *
 * @example Usage
 * ```ts
 * import { parseDate } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseDate("2024-02-29"), { year: 2024, month: 2, day: 29 });
 * assert.throws(() => parseDate("2023-02-29"), /is not a date/);
 * ```
 */
export function parseDate(text: string, flag = "--dates"): CivilDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? { year: +match[1], month: +match[2], day: +match[3] } : undefined;
  if (!date || date.year < 1 || !isRealDate(date)) {
    throw new UsageError(`${flag}: "${text}" is not a date; use YYYY-MM-DD, e.g. 2024-06-30`);
  }
  return date;
}

/**
 * Parse `--dates=FROM[:TO]`; one date means that one day.
 *
 * @example Usage
 * ```ts
 * import { parseDateRange } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * const day = { year: 2024, month: 6, day: 30 };
 * assert.deepEqual(parseDateRange("2024-06-30"), { startDate: day, endDate: day });
 * assert.throws(() => parseDateRange("2024-12-31:2024-01-01"), /put the earlier date first/);
 * ```
 */
export function parseDateRange(spec: string): DateRange {
  const [from, to, ...rest] = spec.split(":");
  if (rest.length > 0 || from === "") {
    throw new UsageError(`--dates: "${spec}" is not a range; use FROM[:TO], e.g. 2023-01-01:2023-12-31`);
  }
  const startDate = parseDate(from);
  const endDate = to === undefined ? startDate : parseDate(to);
  if (dayNumber(startDate) > dayNumber(endDate)) {
    throw new UsageError(`--dates: ${from} is after ${to}; put the earlier date first`);
  }
  return { startDate, endDate };
}

/**
 * The UTC calendar day of an epoch-millisecond time.
 *
 * @example Usage
 * ```ts
 * import { civilDate } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(civilDate(Date.parse("2024-06-30T23:30:00-05:00")), { year: 2024, month: 7, day: 1 });
 * ```
 */
export function civilDate(ms: number): CivilDate {
  const date = new Date(ms);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/**
 * `YYYY-MM-DD`.
 *
 * @example Usage
 * ```ts
 * import { formatDate } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDate({ year: 800, month: 1, day: 5 }), "0800-01-05");
 * ```
 */
export function formatDate(date: CivilDate): string {
  return `${String(date.year).padStart(4, "0")}-${String(date.month).padStart(2, "0")}-${
    String(date.day).padStart(2, "0")
  }`;
}

/**
 * Days since 1970-01-01 (negative before).
 *
 * @example Usage
 * ```ts
 * import { dayNumber } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(dayNumber({ year: 1970, month: 1, day: 2 }), 1);
 * assert.equal(dayNumber({ year: 1969, month: 12, day: 31 }), -1);
 * ```
 */
export function dayNumber(date: CivilDate): number {
  const d = new Date(0);
  d.setUTCFullYear(date.year, date.month - 1, date.day);
  return Math.floor(d.getTime() / DAY_MS);
}

/** The day `days` after 1970-01-01. */
export function fromDayNumber(days: number): CivilDate {
  return civilDate(days * DAY_MS);
}

/** Whether `date` exists in the calendar (no 2024-02-30). */
function isRealDate(date: CivilDate): boolean {
  const back = fromDayNumber(dayNumber(date));
  return back.year === date.year && back.month === date.month && back.day === date.day;
}

/** The earliest capture time photosync takes for a date: 1800-01-01 UTC (before photography). */
export const EARLIEST_CAPTURE_MS = Date.UTC(1800, 0, 1);
/** The first capture time photosync no longer takes for a date: 2200-01-01 UTC. */
export const LATEST_CAPTURE_MS = Date.UTC(2200, 0, 1);
/**
 * The capture time of an item that has no sane one at all: 1970-01-01 UTC, the time the Library
 * API's items without a creation time get too.
 */
export const FALLBACK_CAPTURE_MS = 0;

/**
 * `ms` when it can be a capture time, else undefined: a whole number of epoch milliseconds from
 * {@link EARLIEST_CAPTURE_MS} up to (not including) {@link LATEST_CAPTURE_MS}. Anything else (NaN,
 * `1e23` from a sidecar's `"1e20"`, a fraction, year -1199 or 275760) is no date: stored, it would
 * make folders like `-1199/02/15` or `0NaN/NaN/NaN`, or not fit sync.db's whole-number column.
 *
 * @example Usage
 * ```ts
 * import { captureMs } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(captureMs(Date.UTC(2019, 3, 5)), Date.UTC(2019, 3, 5));
 * assert.equal(captureMs(1e20 * 1000), undefined);
 * assert.equal(captureMs(Date.UTC(1799, 11, 31)), undefined);
 * assert.equal(captureMs(NaN), undefined);
 * assert.equal(captureMs(1.5), undefined);
 * ```
 */
export function captureMs(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isInteger(ms) && ms >= EARLIEST_CAPTURE_MS && ms < LATEST_CAPTURE_MS
    ? ms
    : undefined;
}
