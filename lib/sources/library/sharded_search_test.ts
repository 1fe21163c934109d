import assert from "node:assert/strict";
import { dayNumber, parseDate } from "../../core/dates.ts";
import type { MediaItem } from "./media_item.ts";
import {
  cutShards,
  decodeSearch,
  density,
  encodeSearch,
  FIRST_DAY,
  narrowed,
  type OpenSearch,
} from "./sharded_search.ts";

const DAY_MS = 86_400_000;
const day = (date: string) => dayNumber(parseDate(date));
const at = (iso: string): MediaItem => ({ id: iso, mediaMetadata: { creationTime: iso } });

/** `count` items spread evenly over the days `from`..`to` (UTC noon), newest first as pages come. */
function page(count: number, from: string, to = from): MediaItem[] {
  const first = day(from);
  const days = day(to) - first + 1;
  return Array.from({ length: count }, (_, i) => {
    const d = first + Math.floor((days * i) / count);
    return at(new Date(d * DAY_MS + DAY_MS / 2).toISOString());
  }).reverse();
}

Deno.test("narrowed: a newest-first page leaves the days up to its last item's, an oldest-first one from it", () => {
  const search = { key: "k", start: day("2024-01-01"), end: day("2024-12-31") };
  const newest = narrowed(search, page(100, "2024-10-05", "2024-12-31"), "newest");
  assert.deepEqual(newest, { ...search, end: day("2024-10-05") });
  const oldest = narrowed(search, page(100, "2024-01-01", "2024-03-09"), "oldest");
  assert.deepEqual(oldest, { ...search, start: day("2024-03-09") });
  // No items: nothing was passed.
  assert.deepEqual(narrowed(search, [], "newest"), search);
  // Items newer than the range (as an unfiltered page has them) do not widen it.
  assert.deepEqual(narrowed(search, page(3, "2025-01-01"), "newest"), search);
});

Deno.test("narrowed: an unfiltered page that passed the first day leaves nothing; the future stays open", () => {
  const future: OpenSearch = { key: "f", start: day("2026-01-09") };
  assert.equal(
    narrowed(future, [at("2031-05-05T10:00:00Z"), at("2026-01-08T23:00:00Z")], "newest"),
    undefined,
  );
  // Still among future-dated items: the days from the search's start to the page's last item are left.
  assert.deepEqual(narrowed(future, [at("2040-01-01T00:00:00Z"), at("2031-05-05T10:00:00Z")], "newest"), {
    key: "f",
    start: day("2026-01-09"),
    end: day("2031-05-05"),
  });
});

Deno.test("narrowed: items without a readable creation time mark no day as searched", () => {
  const search = { key: "k", start: day("2020-01-01"), end: day("2024-12-31") };
  const missing: MediaItem = { id: "no-time", mediaMetadata: {} };
  const garbage: MediaItem = { id: "garbage", mediaMetadata: { creationTime: "yesterday" } };
  const bare: MediaItem = { id: "bare" };
  // Read as 1970, any of them would close every later day of the search.
  for (const order of ["newest", "oldest"] as const) {
    assert.deepEqual(narrowed(search, [missing, garbage, bare], order), search, order);
  }
  const items = [at("2024-06-01T10:00:00Z"), missing, at("2024-05-20T10:00:00Z"), garbage];
  assert.deepEqual(narrowed(search, items, "newest"), { ...search, end: day("2024-05-20") });
  assert.deepEqual(narrowed(search, items, "oldest"), { ...search, start: day("2024-06-01") });
});

/** The parts cover `from`..`to` exactly: oldest first, each non-empty, no gap, no overlap. */
function assertTiles(parts: { start: number; end: number }[], from: number, to: number) {
  assert.equal(parts[0].start, from);
  assert.equal(parts.at(-1)!.end, to);
  for (const [i, part] of parts.entries()) {
    assert.ok(part.start <= part.end, `part ${i} is empty`);
    if (i > 0) assert.equal(part.start, parts[i - 1].end + 1, `gap or overlap before part ${i}`);
  }
}

Deno.test("cutShards: a big library is cut into 24 shards of about equal pages", () => {
  // 13 years at 10 items a day: about 475 pages.
  const [start, end] = [day("2012-01-01"), day("2024-12-31")];
  const { parts, pages } = cutShards(start, end, 10, 10);
  assert.equal(parts.length, 24);
  assertTiles(parts, start, end);
  assert.ok(Math.abs(pages - 475 / 24) < 1, `${pages} pages a shard`);
  const sizes = parts.map((part) => (part.end - part.start + 1) * 10 / 100);
  for (const size of sizes) assert.ok(Math.abs(size - pages) < 0.5, `${size} pages, not ${pages}`);
});

Deno.test("cutShards: where the density grows, the shards get fewer days", () => {
  const [start, end] = [day("2014-01-01"), day("2023-12-31")];
  const { parts } = cutShards(start, end, 2, 30);
  assertTiles(parts, start, end);
  const widths = parts.map((part) => part.end - part.start + 1);
  assert.ok(widths[0] > 3 * widths.at(-1)!, `${widths[0]} days first, ${widths.at(-1)} last`);
});

Deno.test("cutShards: a small rest makes few shards of 4 pages at least; a day is never cut", () => {
  const [start, end] = [day("2024-01-01"), day("2024-03-31")];
  const few = cutShards(start, end, 1.5, 1.5); // 136 items
  assert.equal(few.parts.length, 1);
  const some = cutShards(start, end, 15, 15); // 1365 items: 3 shards
  assert.equal(some.parts.length, 3);
  assertTiles(some.parts, start, end);
  const days = cutShards(day("2024-01-01"), day("2024-01-03"), 5000, 5000);
  assert.deepEqual(days.parts.map((part) => part.end - part.start + 1), [1, 1, 1]);
});

Deno.test("density: items a day near the page's edge, a burst day counted as an ordinary one", () => {
  const times = (items: MediaItem[]) => items.map((item) => Date.parse(item.mediaMetadata!.creationTime!));
  // 100 items over 50 days.
  const even = density(times(page(100, "2024-01-01", "2024-02-19")), "oldest")!;
  assert.ok(Math.abs(even - 2) < 0.1, `${even}`);
  // Half a page on one day of an otherwise sparse stretch: still about 2 a day.
  const burst = [
    ...times(page(50, "2024-01-01", "2024-01-25")),
    ...Array.from({ length: 50 }, (_, i) => Date.parse("2024-01-13T08:00:00Z") + i * 60_000),
  ];
  const withBurst = density(burst, "oldest")!;
  assert.ok(withBurst < 4, `${withBurst}`);
  // A page within one day shows no density.
  assert.equal(density(times(page(100, "2024-05-05")), "oldest"), undefined);
  assert.equal(density([], "newest"), undefined);
});

Deno.test("encodeSearch and decodeSearch round-trip ranges, the whole library and the future", () => {
  const searches: OpenSearch[] = [
    { key: "a", start: day("2024-01-01"), end: day("2024-12-31") },
    { key: "b", start: FIRST_DAY, end: day("0999-09-09") },
    { key: "c", start: FIRST_DAY },
    { key: "d", start: day("2026-01-09") },
  ];
  for (const search of searches) assert.deepEqual(decodeSearch(encodeSearch(search)), search);
  // The value is what schema 1's searches table becomes in the migration to schema 2
  // (json_object('start', start_date, 'end', end_date)): the two must stay the same shape.
  assert.deepEqual(encodeSearch(searches[0]), {
    key: "a",
    value: '{"start":"2024-01-01","end":"2024-12-31"}',
  });
  assert.deepEqual(encodeSearch(searches[2]), { key: "c", value: '{"start":"","end":""}' });
  assert.deepEqual(encodeSearch(searches[3]), { key: "d", value: '{"start":"2026-01-09","end":""}' });
});
