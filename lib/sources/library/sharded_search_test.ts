import assert from "node:assert/strict";
import {
  type DateRange,
  dayNumber,
  EARLIEST,
  formatDate,
  parseDate,
  parseDateRange,
} from "../../core/dates.ts";
import type { MediaItem } from "./media_item.ts";
import { decodeSearch, encodeSearch, narrowed, splitRest } from "./sharded_search.ts";

const DAY_MS = 86_400_000;

/** `count` items spread evenly over the days `from`..`to` (UTC noon), newest first as pages come. */
function page(count: number, from: string, to = from): MediaItem[] {
  const first = dayNumber(parseDate(from));
  const days = dayNumber(parseDate(to)) - first + 1;
  return Array.from({ length: count }, (_, i) => {
    const day = first + Math.floor((days * i) / count);
    return {
      id: `item${i}`,
      mediaMetadata: { creationTime: new Date(day * DAY_MS + DAY_MS / 2).toISOString() },
    };
  }).reverse();
}

/** The parts cover `from`..`to` exactly: oldest first, each non-empty, no gap, no overlap. */
function assertTiles(parts: DateRange[] | undefined, from: string, to: string) {
  assert.ok(parts, "expected a split");
  assert.deepEqual(parts[0].startDate, parseDate(from));
  assert.deepEqual(parts.at(-1)!.endDate, parseDate(to));
  for (const [i, part] of parts.entries()) {
    assert.ok(dayNumber(part.startDate) <= dayNumber(part.endDate), `part ${i} is empty`);
    if (i > 0) {
      assert.equal(dayNumber(part.startDate), dayNumber(parts[i - 1].endDate) + 1, `gap before ${i}`);
    }
  }
}

const show = (parts: DateRange[]) => parts.map((p) => `${formatDate(p.startDate)}:${formatDate(p.endDate)}`);

Deno.test("splitRest: nothing to split for an empty page or a single day left", () => {
  const year = parseDateRange("2024-01-01:2024-12-31");
  assert.equal(splitRest(year, []), undefined);
  assert.equal(splitRest(parseDateRange("2024-05-05"), page(100, "2024-05-05")), undefined);
  // The page already reaches the first day of the range: only that day is left, to page through.
  assert.equal(splitRest(year, page(100, "2024-01-01", "2024-12-31")), undefined);
});

Deno.test("splitRest: a page full of one day splits the rest of a year into 32 parts", () => {
  const parts = splitRest(parseDateRange("2024-01-01:2024-12-31"), page(100, "2024-12-31"));
  assert.equal(parts?.length, 32);
  // The page's oldest day is searched again: it may hold more items than the page showed.
  assertTiles(parts, "2024-01-01", "2024-12-31");
  // 366 days in 32 parts: 11 or 12 days each.
  for (const part of parts!) {
    const days = dayNumber(part.endDate) - dayNumber(part.startDate) + 1;
    assert.ok(days === 11 || days === 12, `${days} days`);
  }
});

Deno.test("splitRest: parts are sized from the page's density", () => {
  // 100 items over 50 days is 2 a day; the 317 days left hold about 634: 7 pages of 45 or 46 days.
  const parts = splitRest(parseDateRange("2024-01-01:2024-12-31"), page(100, "2024-11-12", "2024-12-31"));
  assert.deepEqual(show(parts!), [
    "2024-01-01:2024-02-14",
    "2024-02-15:2024-03-30",
    "2024-03-31:2024-05-14",
    "2024-05-15:2024-06-29",
    "2024-06-30:2024-08-13",
    "2024-08-14:2024-09-27",
    "2024-09-28:2024-11-12",
  ]);
  assertTiles(parts, "2024-01-01", "2024-11-12");

  // A sparse page (100 items over 200 days) still splits in two.
  const sparse = splitRest(parseDateRange("2024-01-01:2024-12-31"), page(100, "2024-06-15", "2024-12-31"));
  assert.equal(sparse?.length, 2);
  assertTiles(sparse, "2024-01-01", "2024-06-15");
});

Deno.test("splitRest: never more parts than days", () => {
  const parts = splitRest(parseDateRange("2024-01-01:2024-01-03"), page(100, "2024-01-03"));
  assert.deepEqual(show(parts!), ["2024-01-01:2024-01-01", "2024-01-02:2024-01-02", "2024-01-03:2024-01-03"]);
});

Deno.test("splitRest: the whole library splits from the earliest day, dense by the page's newest day", () => {
  const parts = splitRest(undefined, page(100, "2024-12-31"));
  assert.equal(parts?.length, 32);
  assertTiles(parts, formatDate(EARLIEST), "2024-12-31");
});

Deno.test("splitRest: items older than the range leave nothing to split", () => {
  assert.equal(splitRest(parseDateRange("2024-06-01:2024-06-30"), page(100, "2024-05-01")), undefined);
});

Deno.test("narrowed: the days left end at the oldest day of the page", () => {
  const search = { key: "k1", range: parseDateRange("2024-01-01:2024-12-31") };
  assert.deepEqual(narrowed(search, page(100, "2024-10-05", "2024-12-31")), {
    key: "k1",
    range: parseDateRange("2024-01-01:2024-10-05"),
  });
  // No items: nothing was passed.
  assert.deepEqual(narrowed(search, []), search);
  // Items newer than the range (as the API may give at its edges) do not widen it.
  assert.deepEqual(narrowed(search, page(3, "2025-01-01")), search);
});

Deno.test("narrowed: a search of the whole library becomes one ending at the page's oldest day", () => {
  assert.deepEqual(narrowed({ key: "all" }, page(100, "2019-03-03", "2024-12-31")), {
    key: "all",
    range: { startDate: EARLIEST, endDate: parseDate("2019-03-03") },
  });
});

Deno.test("encodeSearch and decodeSearch round-trip a range and the whole library", () => {
  const searches = [
    { key: "a", range: parseDateRange("2024-01-01:2024-12-31") },
    { key: "b", range: { startDate: EARLIEST, endDate: parseDate("0999-09-09") } },
    { key: "c", range: undefined },
  ];
  for (const search of searches) assert.deepEqual(decodeSearch(encodeSearch(search)), search);
  // The value is what schema 1's searches table becomes in the migration to schema 2
  // (json_object('start', start_date, 'end', end_date)): the two must stay the same shape.
  assert.deepEqual(encodeSearch(searches[0]), {
    key: "a",
    value: '{"start":"2024-01-01","end":"2024-12-31"}',
  });
  assert.deepEqual(encodeSearch({ key: "c" }), { key: "c", value: '{"start":"","end":""}' });
});
