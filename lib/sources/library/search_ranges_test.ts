import assert from "node:assert/strict";
import { EARLIEST, parseDate, parseDateRange } from "../../core/dates.ts";
import { searchRanges } from "./search_ranges.ts";

const at = (iso: string) => Date.parse(iso);
const NOW = at("2026-01-10T12:00:00Z");

Deno.test("searchRanges: an empty index searches the whole library", () => {
  assert.deepEqual(searchRanges(undefined, undefined, NOW), [undefined]);
});

Deno.test("searchRanges: all searches the whole library, whatever is known", () => {
  const span = { oldest: at("2019-06-15T10:00:00Z"), newest: at("2024-03-01T23:00:00Z") };
  assert.deepEqual(searchRanges("all", span, NOW), [undefined]);
  assert.deepEqual(searchRanges("all", undefined, NOW), [undefined]);
});

Deno.test("searchRanges: --dates is searched as given, whatever is known", () => {
  const dates = parseDateRange("2020-01-01:2020-12-31");
  const span = { oldest: at("2019-06-15T10:00:00Z"), newest: at("2024-03-01T23:00:00Z") };
  assert.deepEqual(searchRanges(dates, span, NOW), [dates]);
  assert.deepEqual(searchRanges(dates, undefined, NOW), [dates]);
});

Deno.test("searchRanges: by default, up to the oldest known day and from the newest to tomorrow", () => {
  const span = { oldest: at("2019-06-15T10:00:00Z"), newest: at("2024-03-01T23:00:00Z") };
  assert.deepEqual(searchRanges(undefined, span, NOW), [
    { startDate: EARLIEST, endDate: parseDate("2019-06-15") },
    { startDate: parseDate("2024-03-01"), endDate: parseDate("2026-01-11") },
  ]);
});

Deno.test("searchRanges: days are UTC days, boundary days included", () => {
  // Half an hour before midnight UTC, tomorrow is the 11th; half an hour after, the 12th.
  const span = { oldest: at("2025-12-31T23:59:59.999Z"), newest: at("2026-01-01T00:00:00Z") };
  const before = searchRanges(undefined, span, at("2026-01-10T23:30:00Z"));
  const after = searchRanges(undefined, span, at("2026-01-11T00:30:00Z"));
  assert.deepEqual(before, [
    { startDate: EARLIEST, endDate: parseDate("2025-12-31") },
    { startDate: parseDate("2026-01-01"), endDate: parseDate("2026-01-11") },
  ]);
  assert.deepEqual(after[1]?.endDate, parseDate("2026-01-12"));
});

Deno.test("searchRanges: one known item gives two ranges meeting on its day", () => {
  const ms = at("2025-05-05T05:05:05Z");
  assert.deepEqual(searchRanges(undefined, { oldest: ms, newest: ms }, NOW), [
    { startDate: EARLIEST, endDate: parseDate("2025-05-05") },
    { startDate: parseDate("2025-05-05"), endDate: parseDate("2026-01-11") },
  ]);
});

Deno.test("searchRanges: a newest item on tomorrow still searches that day; beyond it, only older days", () => {
  const oldest = at("2019-06-15T10:00:00Z");
  const tomorrow = searchRanges(undefined, { oldest, newest: at("2026-01-11T20:00:00Z") }, NOW);
  assert.deepEqual(tomorrow[1], { startDate: parseDate("2026-01-11"), endDate: parseDate("2026-01-11") });

  // An item dated in 2100 (a camera with a wrong clock): there is no "newer than the newest"
  // range that ends tomorrow, so only the older days are searched.
  const future = searchRanges(undefined, { oldest, newest: at("2100-01-01T00:00:00Z") }, NOW);
  assert.deepEqual(future, [{ startDate: EARLIEST, endDate: parseDate("2019-06-15") }]);
  const dayAfterTomorrow = searchRanges(undefined, { oldest, newest: at("2026-01-12T00:00:00Z") }, NOW);
  assert.equal(dayAfterTomorrow.length, 1);
});
