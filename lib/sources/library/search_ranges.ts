/**
 * Which days a Library API sync searches: `--dates`, `--all`, or the incremental default
 * (older than the oldest and newer than the newest known item).
 * @module
 */
import { civilDate, type DateRange, dayNumber, EARLIEST } from "../../core/dates.ts";

const DAY_MS = 86_400_000;

/**
 * The ranges a sync searches, `undefined` standing for the whole library: `"all"` or a
 * `--dates` range as given; by default everything up to the oldest known day and everything
 * from the newest known day to tomorrow (UTC, boundary days included; only the first when the
 * newest is after tomorrow), or the whole library when nothing is known yet.
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
 *   { startDate: { year: 2024, month: 3, day: 1 }, endDate: { year: 2026, month: 1, day: 11 } },
 * ]);
 * assert.deepEqual(searchRanges(undefined, undefined, now), [undefined]);
 * ```
 */
export function searchRanges(
  dates: DateRange | "all" | undefined,
  span: { oldest: number; newest: number } | undefined,
  nowMs: number,
): (DateRange | undefined)[] {
  if (dates === "all" || (!dates && !span)) return [undefined];
  if (dates) return [dates];
  const newest = civilDate(span!.newest);
  const tomorrow = civilDate(nowMs + DAY_MS);
  const older = { startDate: EARLIEST, endDate: civilDate(span!.oldest) };
  return dayNumber(newest) > dayNumber(tomorrow)
    ? [older]
    : [older, { startDate: newest, endDate: tomorrow }];
}
