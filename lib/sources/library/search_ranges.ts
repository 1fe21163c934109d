/**
 * Which days a Library API sync searches: `--dates`, `--all`, or the incremental default
 * (older than the oldest and newer than the newest known item, today and yesterday always).
 * @module
 */
import { type CivilDate, civilDate, dayNumber, EARLIEST } from "../../core/dates.ts";

const DAY_MS = 86_400_000;
const EARLIEST_MS = dayNumber(EARLIEST) * DAY_MS;

/** The start (ms) of the UTC day of `ms`. */
function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Days to search, both ends included; without `endDate`, every later day too (future-dated items included). */
export interface SearchSpan {
  startDate: CivilDate;
  endDate?: CivilDate;
}

/**
 * The days a sync searches: `"all"` (or nothing known yet) the whole library; a `--dates` range as
 * given; by default everything up to the oldest known day, and everything from the newest known
 * day on (boundary days included; the older range stops short of the newer one). The newest known day is at most tomorrow (`span` counts no
 * item dated later); yesterday and today are always searched again, as Google's filtered
 * searches can take a while to show new uploads.
 *
 * @example Usage
 * ```ts
 * import { searchRanges } from "./search_ranges.ts";
 * import assert from "node:assert/strict";
 *
 * const span = { oldest: Date.parse("2019-06-15T10:00:00Z"), newest: Date.parse("2024-03-01T08:00:00Z") };
 * const now = Date.parse("2026-01-10T12:00:00Z");
 * assert.deepEqual(searchRanges(undefined, span, now), [
 *   { startDate: { year: 1, month: 1, day: 1 }, endDate: { year: 2019, month: 6, day: 15 } },
 *   { startDate: { year: 2024, month: 3, day: 1 } },
 * ]);
 * assert.deepEqual(searchRanges(undefined, undefined, now), [{ startDate: { year: 1, month: 1, day: 1 } }]);
 * ```
 */
export function searchRanges(
  dates: { startDate: CivilDate; endDate: CivilDate } | "all" | undefined,
  span: { oldest: number; newest: number } | undefined,
  nowMs: number,
): SearchSpan[] {
  if (dates === "all" || (!dates && !span)) return [{ startDate: EARLIEST }];
  if (dates) return [dates];
  const newest = Math.min(span!.newest, nowMs - DAY_MS);
  // When the known items all lie within the days searched again, so does the oldest one's day.
  const oldest = Math.min(span!.oldest, dayStart(newest) - 1);
  return [
    ...(oldest >= dayStart(EARLIEST_MS) ? [{ startDate: EARLIEST, endDate: civilDate(oldest) }] : []),
    { startDate: civilDate(newest) },
  ];
}

/** Day numbers of a span: `end` undefined for no end. */
export function spanDays(span: SearchSpan): { start: number; end?: number } {
  return {
    start: dayNumber(span.startDate),
    ...(span.endDate ? { end: dayNumber(span.endDate) } : {}),
  };
}
