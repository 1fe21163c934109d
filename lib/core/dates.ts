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

/** Whether `date` exists in the calendar (no 2024-02-30, no month 0). */
export function isRealDate(date: CivilDate): boolean {
  const back = fromDayNumber(dayNumber(date));
  return back.year === date.year && back.month === date.month && back.day === date.day;
}

/**
 * The epoch milliseconds of a UTC wall clock, for any year (`Date.UTC` reads years 0 to 99 as 1900 to 1999).
 *
 * @example Usage
 * ```ts
 * import { utcTime } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(utcTime(2019, 4, 5, 10, 11, 12), Date.UTC(2019, 3, 5, 10, 11, 12));
 * assert.equal(new Date(utcTime(50, 1, 1)).toISOString(), "0050-01-01T00:00:00.000Z");
 * ```
 */
export function utcTime(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/**
 * The earliest capture time photosync takes for a date: 0001-01-01 UTC, the first instant Google's
 * times can hold (a protobuf `Timestamp`, RFC 3339's four-digit year).
 */
export const EARLIEST_CAPTURE_MS: number = utcTime(1, 1, 1);
/** The first capture time photosync no longer takes for a date: 10000-01-01 UTC, after Google's last. */
export const LATEST_CAPTURE_MS: number = utcTime(10000, 1, 1);
/**
 * The capture time of an item that has no sane one at all: 1970-01-01 UTC, the time the Library
 * API's items without a creation time get too.
 */
export const FALLBACK_CAPTURE_MS = 0;
const FALLBACK_DAY = new Date(FALLBACK_CAPTURE_MS).toISOString().slice(0, 10);

/**
 * What a run says of an item whose capture time, as its source gave it (`field`: `creationTime`), is
 * missing or no date ({@link parseTimestamp}): it is filed under 1970-01-01 ({@link FALLBACK_CAPTURE_MS}).
 *
 * @example Usage
 * ```ts
 * import { undatedItem } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   undatedItem("AF1Qip", "IMG.jpg", "creationTime", "2023-02-30T00:00:00Z"),
 *   'item AF1Qip (IMG.jpg): its creationTime "2023-02-30T00:00:00Z" is no date; filed under 1970-01-01',
 * );
 * ```
 */
export function undatedItem(id: string, filename: string, field: string, value: unknown): string {
  const what = value === undefined || value === null || value === ""
    ? `it has no ${field}`
    : `its ${field} ${JSON.stringify(value).slice(0, 60)} is no date`;
  return `item ${id} (${filename}): ${what}; filed under ${FALLBACK_DAY}`;
}

/**
 * `ms` when it can be a capture time, else undefined: a whole number of epoch milliseconds from
 * {@link EARLIEST_CAPTURE_MS} up to (not including) {@link LATEST_CAPTURE_MS}: every day Google can send,
 * a scan of 1750 as much as a camera set to 2100, each filed under its own `YYYY/MM/DD`. Anything else
 * (NaN, `1e23` from a sidecar's `"1e20"`, a fraction, year -1199 or 275760) is no date: stored, it would
 * make folders like `-1199/02/15` or `0NaN/NaN/NaN`, or not fit sync.db's whole-number column.
 *
 * @example Usage
 * ```ts
 * import { captureMs, utcTime } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(captureMs(Date.UTC(2019, 3, 5)), Date.UTC(2019, 3, 5));
 * assert.equal(captureMs(Date.UTC(1750, 5, 15)), Date.UTC(1750, 5, 15));
 * assert.equal(captureMs(utcTime(1, 1, 1)), utcTime(1, 1, 1));
 * assert.equal(captureMs(1e20 * 1000), undefined);
 * assert.equal(captureMs(utcTime(1, 1, 1) - 1), undefined);
 * assert.equal(captureMs(NaN), undefined);
 * assert.equal(captureMs(1.5), undefined);
 * ```
 */
export function captureMs(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isInteger(ms) && ms >= EARLIEST_CAPTURE_MS && ms < LATEST_CAPTURE_MS
    ? ms
    : undefined;
}

/** RFC 3339's date-time: `T` (or a space, as RFC 3339 allows) between day and time; the offset optional. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))?$/;

/**
 * An RFC 3339 time, as Google sends `creationTime` (Library API) and `createTime` (Picker API), in epoch
 * milliseconds; undefined when it is no such time or no capture time ({@link captureMs}). Read strictly,
 * not by `Date.parse`, which reads a time without an offset as this machine's local time (a day off in
 * some zones), takes `2023-02-30` for 2 March and gives no time at all for a leap second. So: a real
 * calendar day, from year 0001 to 9999; a leap second (`23:59:60`) held at its day's last millisecond;
 * digits beyond milliseconds dropped; a time without an offset read as UTC (Google's times are UTC).
 *
 * @example Usage
 * ```ts
 * import { parseTimestamp } from "./dates.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseTimestamp("1750-06-15T10:00:00Z"), Date.UTC(1750, 5, 15, 10));
 * assert.equal(parseTimestamp("2016-12-31T23:59:60Z"), Date.UTC(2016, 11, 31, 23, 59, 59, 999));
 * assert.equal(parseTimestamp("9999-12-31T23:59:59.999999999Z"), Date.UTC(9999, 11, 31, 23, 59, 59, 999));
 * assert.equal(parseTimestamp("2024-01-01T00:00:00+05:00"), Date.UTC(2023, 11, 31, 19));
 * assert.equal(parseTimestamp("2023-02-30T00:00:00Z"), undefined);
 * assert.equal(parseTimestamp("soon"), undefined);
 * ```
 */
export function parseTimestamp(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [sign, offsetHours, offsetMinutes] = [match[8], Number(match[9] ?? 0), Number(match[10] ?? 0)];
  if (
    !isRealDate({ year, month, day }) || hour > 23 || minute > 59 || second > 60 || offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return undefined;
  }
  const ms = second === 60 ? 999 : Number((match[7] ?? "").slice(0, 3).padEnd(3, "0"));
  const offset = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return captureMs(utcTime(year, month, day, hour, minute, Math.min(second, 59), ms) - offset);
}
