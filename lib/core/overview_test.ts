import assert from "node:assert/strict";
import { join } from "node:path";
import { dayFigures, emptyStretches, itemSpan, missingDays, sourceFigures, yearFigures } from "./overview.ts";
import { OutputTree } from "./output_tree.ts";
import { type NewItem, Store } from "./store.ts";

/** A store in a fresh folder holding `items`; `downloaded` ids get a file of their size (unless `gone`). */
function backup(
  items: { id: string; source?: string; at: string }[],
  downloaded: Record<string, number>,
  failed: string[] = [],
  gone: string[] = [],
) {
  const dir = Deno.makeTempDirSync({ prefix: "photosync-overview-test-" });
  const store = Store.open(dir);
  for (const source of new Set(items.map((item) => item.source ?? "library"))) {
    store.saveBatch({
      source,
      items: items.filter((item) => (item.source ?? "library") === source).map((item): NewItem => ({
        id: item.id,
        source,
        filename: `${item.id}.jpg`,
        createdMs: Date.parse(item.at),
        isVideo: false,
        json: "{}",
      })),
    });
  }
  for (const [id, size] of Object.entries(downloaded)) {
    const path = `${id}.jpg`;
    store.claimPath(id, path);
    if (!gone.includes(id)) Deno.writeFileSync(join(dir, path), new Uint8Array(size));
  }
  store.markDownloaded(Object.entries(downloaded).map(([id, size]) => ({ id, size })));
  failed.forEach((id) => store.markFailed(id, "gone"));
  return {
    store,
    tree: new OutputTree(dir),
    [Symbol.dispose]() {
      store.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

Deno.test("the backup's shape: per year and source, per day (UTC, also before 1970), its span", () => {
  using b = backup(
    [
      { id: "a", at: "1969-12-31T23:59:59.999Z" },
      { id: "b", at: "2019-01-01T00:00:00Z" },
      { id: "c", at: "2019-01-01T23:59:59Z", source: "takeout" },
      { id: "d", at: "2019-12-31T12:00:00Z" },
      { id: "e", at: "2020-02-29T08:00:00Z" },
    ],
    { a: 10, b: 100, c: 1000 },
    ["d"],
  );
  assert.deepEqual(yearFigures(b.store), {
    "1969": { items: 1, downloaded: 1, files: 1, pending: 0, failed: 0, bytes: 10, sources: {} },
    "2019": {
      items: 3,
      downloaded: 2,
      files: 2,
      pending: 0,
      failed: 1,
      bytes: 1100,
      sources: {
        library: { items: 2, downloaded: 1, files: 1, pending: 0, failed: 1, bytes: 100 },
        takeout: { items: 1, downloaded: 1, files: 1, pending: 0, failed: 0, bytes: 1000 },
      },
    },
    "2020": { items: 1, downloaded: 0, files: 0, pending: 1, failed: 0, bytes: 0, sources: {} },
  });
  assert.deepEqual(sourceFigures(b.store), {
    library: { items: 4, downloaded: 2, files: 2, pending: 1, failed: 1, bytes: 110 },
    takeout: { items: 1, downloaded: 1, files: 1, pending: 0, failed: 0, bytes: 1000 },
  });
  assert.deepEqual(dayFigures(b.store), [
    { day: "1969-12-31", count: 1, pending: 0, failed: 0 },
    { day: "2019-01-01", count: 2, pending: 0, failed: 0 },
    { day: "2019-12-31", count: 1, pending: 0, failed: 1 },
    { day: "2020-02-29", count: 1, pending: 1, failed: 0 },
  ]);
  assert.deepEqual(itemSpan(b.store), {
    oldest: Date.parse("1969-12-31T23:59:59.999Z"),
    newest: Date.parse("2020-02-29T08:00:00Z"),
  });
  // The Takeout item turns out to be the library item's bytes (one file for both): counted once.
  b.store.markSameFile("c", "b", 100, "hash of b");
  const { sources: _, ...year } = yearFigures(b.store)["2019"];
  assert.deepEqual(year, { items: 3, downloaded: 2, files: 1, pending: 0, failed: 1, bytes: 100 });
});

Deno.test("empty stretches: the longest runs of days without items inside the span, longest first", () => {
  using b = backup(
    [
      { id: "a", at: "2013-07-02T10:00:00Z" },
      { id: "b", at: "2013-10-01T10:00:00Z" },
      { id: "c", at: "2013-10-03T10:00:00Z" },
      { id: "d", at: "2013-10-20T10:00:00Z" },
      { id: "e", at: "2013-10-20T11:00:00Z" },
    ],
    {},
  );
  assert.deepEqual(emptyStretches(b.store), [
    { from: "2013-07-03", to: "2013-09-30", days: 90 },
    { from: "2013-10-04", to: "2013-10-19", days: 16 },
  ]);
  assert.deepEqual(emptyStretches(b.store, { limit: 3, minDays: 1 }).map((s) => s.days), [90, 16, 1]);
  assert.deepEqual(emptyStretches(b.store, { limit: 1 }).length, 1);
});

Deno.test("an empty backup has no years, days, span or stretches", () => {
  using b = backup([], {});
  assert.deepEqual(yearFigures(b.store), {});
  assert.deepEqual(dayFigures(b.store), []);
  assert.equal(itemSpan(b.store), undefined);
  assert.deepEqual(emptyStretches(b.store), []);
});

Deno.test("missing days: downloaded items whose file is gone or has another size, by day", () => {
  using b = backup(
    [
      { id: "a", at: "2019-05-01T10:00:00Z" },
      { id: "b", at: "2019-05-01T11:00:00Z" },
      { id: "c", at: "2019-05-02T10:00:00Z" },
    ],
    { a: 5, b: 6, c: 7 },
    [],
    ["a", "b"],
  );
  assert.deepEqual([...missingDays(b.store, b.tree)], [["2019-05-01", 2]]);
  Deno.writeFileSync(join(b.tree.root, "c.jpg"), new Uint8Array(3));
  assert.deepEqual([...missingDays(b.store, b.tree)], [["2019-05-01", 2], ["2019-05-02", 1]]);
});
