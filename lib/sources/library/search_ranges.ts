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
 * from the newest known day to tomorrow (UTC, boundary days included), or the whole library
 * when nothing is known yet.
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
