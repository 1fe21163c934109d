import assert from "node:assert/strict";
import { EARLIEST, parseDate, parseDateRange } from "../../core/dates.ts";
import { searchRanges, spanDays } from "./search_ranges.ts";

const at = (iso: string) => Date.parse(iso);
const NOW = at("2026-01-10T12:00:00Z");

Deno.test("searchRanges: an empty index searches the whole library, future-dated items included", () => {
  assert.deepEqual(searchRanges(undefined, undefined, NOW), [{ startDate: EARLIEST }]);
});

Deno.test("searchRanges: all searches the whole library, whatever is known", () => {
  const span = { oldest: at("2019-06-15T10:00:00Z"), newest: at("2024-03-01T23:00:00Z") };
  assert.deepEqual(searchRanges("all", span, NOW), [{ startDate: EARLIEST }]);
  assert.deepEqual(searchRanges("all", undefined, NOW), [{ startDate: EARLIEST }]);
});

Deno.test("searchRanges: --dates is searched as given, whatever is known", () => {
  const dates = parseDateRange("2020-01-01:2020-12-31");
  const span = { oldest: at("2019-06-15T10:00:00Z"), newest: at("2024-03-01T23:00:00Z") };
  assert.deepEqual(searchRanges(dates, span, NOW), [dates]);
  assert.deepEqual(searchRanges(dates, undefined, NOW), [dates]);
});

Deno.test("searchRanges: by default, up to the oldest known day and from the newest on", () => {
  const span = { oldest: at("2019-06-15T10:00:00Z"), newest: at("2024-03-01T23:00:00Z") };
  assert.deepEqual(searchRanges(undefined, span, NOW), [
    { startDate: EARLIEST, endDate: parseDate("2019-06-15") },
    { startDate: parseDate("2024-03-01") },
  ]);
});

Deno.test("searchRanges: yesterday and today are always searched again", () => {
  // Google's filtered searches can take a while to show new uploads: a photo of yesterday
  // uploaded after a run that saw one of today's is found by the next run.
  const oldest = at("2019-06-15T10:00:00Z");
  for (const newest of ["2026-01-10T11:00:00Z", "2026-01-09T00:00:00Z", "2026-01-11T20:00:00Z"]) {
    const [, newer] = searchRanges(undefined, { oldest, newest: at(newest) }, NOW);
    assert.deepEqual(newer, { startDate: parseDate("2026-01-09") }, newest);
  }
  const [, older] = searchRanges(undefined, { oldest, newest: at("2026-01-08T23:59:59Z") }, NOW);
  assert.deepEqual(older, { startDate: parseDate("2026-01-08") });
});

Deno.test("searchRanges: days are UTC days, boundary days included", () => {
  const span = { oldest: at("2025-12-31T23:59:59.999Z"), newest: at("2026-01-01T00:00:00Z") };
  assert.deepEqual(searchRanges(undefined, span, at("2026-01-10T23:30:00Z")), [
    { startDate: EARLIEST, endDate: parseDate("2025-12-31") },
    { startDate: parseDate("2026-01-01") },
  ]);
});

Deno.test("searchRanges: one known item gives two ranges meeting at its day, searched once", () => {
  const ms = at("2025-05-05T05:05:05Z");
  assert.deepEqual(searchRanges(undefined, { oldest: ms, newest: ms }, NOW), [
    { startDate: EARLIEST, endDate: parseDate("2025-05-04") },
    { startDate: parseDate("2025-05-05") },
  ]);
  // Everything known is of today: the older range stops before yesterday.
  const today = { oldest: at("2026-01-10T05:00:00Z"), newest: at("2026-01-10T10:00:00Z") };
  assert.deepEqual(searchRanges(undefined, today, NOW), [
    { startDate: EARLIEST, endDate: parseDate("2026-01-08") },
    { startDate: parseDate("2026-01-09") },
  ]);
});

Deno.test("spanDays: day numbers, no end for an open span", () => {
  assert.deepEqual(spanDays({ startDate: parseDate("1970-01-02"), endDate: parseDate("1970-01-31") }), {
    start: 1,
    end: 30,
  });
  assert.deepEqual(spanDays({ startDate: parseDate("1969-12-31") }), { start: -1 });
});
