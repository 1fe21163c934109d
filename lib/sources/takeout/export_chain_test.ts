import assert from "node:assert/strict";
import { Store } from "../../core/store.ts";
import {
  chainHoles,
  chainSummary,
  describeChain,
  ExportChain,
  holeWarning,
  type ImportedExport,
  isFullExport,
  type PartImport,
  recordImports,
} from "./export_chain.ts";

/** A store in a temporary folder, removed on disposal. */
function tempStore() {
  const dir = Deno.makeTempDirSync({ prefix: "photosync-chain-test-" });
  const store = Store.open(dir);
  return {
    store,
    [Symbol.dispose]() {
      store.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

const partName = (stamp: string, n: number) => `takeout-${stamp}-${String(n).padStart(3, "0")}.zip`;

const part = (stamp: string, n: number, figures: Partial<PartImport> = {}): PartImport => ({
  stamp,
  part: partName(stamp, n),
  entries: 10,
  present: 0,
  complete: true,
  ...figures,
});

let placedSoFar = 0;

/**
 * `count` files placed from part `n` of the export `stamp`, recorded in `store` as an import records them
 * (each item's JSON names its part and export; `stamped: false`, as a release before exports were told
 * apart wrote it, the part only). Returns their ids.
 */
function placeFiles(
  store: Store,
  stamp: string,
  n: number,
  count: number,
  { stamped = true } = {},
): string[] {
  const ids = Array.from({ length: count }, () => `takeout:${++placedSoFar}`);
  store.saveBatch({
    source: "takeout",
    items: ids.map((id) => ({
      id,
      source: "takeout",
      filename: "a.jpg",
      createdMs: 0,
      isVideo: false,
      json: JSON.stringify({
        takeout: { archive: partName(stamp, n), entry: "a.jpg", ...(stamped ? { stamp } : {}) },
      }),
    })),
  });
  for (const id of ids) store.claimPath(id, `1970/01/01/${id.replace(":", "-")}.jpg`);
  store.markDownloaded(ids.map((id) => ({ id, size: 1 })));
  return ids;
}

const exp = (stamp: string, placed: number, present: number): ImportedExport => ({
  stamp,
  parts: [`takeout-${stamp}-001.zip`],
  entries: placed + present,
  placed,
  present,
  importedMs: 0,
});

const BASE = "20251110T101010Z";
const JAN = "20260110T080000Z";
const MAR = "20260310T080000Z";
const MAY = "20260510T080000Z";
const JUL = "20260710T080000Z";

Deno.test("recordImports: figures add up over parts and runs; a part is listed once a run finished it; the files placed are those sync.db holds, a killed run's too", () => {
  using t = tempStore();
  const chain = new ExportChain(t.store);
  // One run over two exports; the second part of the baseline was stopped half-way.
  placeFiles(t.store, BASE, 1, 5);
  placeFiles(t.store, BASE, 2, 2);
  placeFiles(t.store, JAN, 1, 3);
  recordImports(chain, [
    part(BASE, 1),
    part(BASE, 2, { complete: false }),
    part(JAN, 1, { present: 1 }),
    { ...part("", 1), part: "Takeout" }, // no known export: not recorded
  ], 1000);
  assert.deepEqual(chain.list().map((e) => [e.stamp, e.parts.length, e.placed, e.present]), [
    [BASE, 1, 7, 0],
    [JAN, 1, 3, 1],
  ]);
  // A run killed (kill -9) in part 2 after placing 2 more files records nothing: they count all the same.
  placeFiles(t.store, BASE, 2, 2);
  assert.equal(chain.list()[0].placed, 9);
  // The re-run finishes part 2 (1 more placed) and sees part 1's files again (its own: present stays).
  placeFiles(t.store, BASE, 2, 1);
  recordImports(chain, [part(BASE, 1), part(BASE, 2)], 2000);
  const baseline = chain.get(BASE)!;
  assert.deepEqual(baseline.parts, [partName(BASE, 1), partName(BASE, 2)]);
  assert.deepEqual([baseline.entries, baseline.placed, baseline.present, baseline.importedMs], [
    20,
    10,
    0,
    2000,
  ]);
  assert.deepEqual(
    Object.values(chain.list()[0].byPart!).map((figures) => figures.placed),
    [5, 5],
    "each part's files",
  );
  // A finished part stays finished when a later run over it is stopped.
  recordImports(chain, [part(BASE, 2, { complete: false })], 3000);
  assert.equal(chain.get(BASE)!.parts.length, 2);
  assert.equal(chain.get(MAR), undefined);
});

Deno.test("ExportChain.list: a file removed as trash, or sharing another source's file, is no file placed; a row of an older release (no export stamp in its JSON) counts by its part's name", () => {
  using t = tempStore();
  const chain = new ExportChain(t.store);
  const [trashed, shared] = placeFiles(t.store, BASE, 1, 4);
  placeFiles(t.store, BASE, 2, 3, { stamped: false });
  recordImports(chain, [part(BASE, 1), part(BASE, 2)], 1000);
  assert.equal(chain.list()[0].placed, 7);
  t.store.removeItem(trashed);
  t.store.markSameFile(shared, "library:x", 1, "0".repeat(64));
  assert.deepEqual(Object.values(chain.list()[0].byPart!).map((figures) => figures.placed), [2, 3]);
  assert.equal(chain.list()[0].placed, 5);
});

Deno.test("chainHoles: over 75 days to an export that is no full export, until the missed one or a full export comes", () => {
  const baseline = exp(BASE, 1000, 0);
  // Two months apart: no hole.
  assert.deepEqual(chainHoles([baseline, exp(JAN, 40, 2), exp(MAR, 35, 0)]), []);
  // January to May (120 days): March was missed.
  const may = exp(MAY, 50, 3);
  const holes = chainHoles([baseline, exp(JAN, 40, 2), may]);
  assert.deepEqual(holes.map((h) => [h.after.stamp, h.before.stamp, h.days]), [[JAN, MAY, 120]]);
  // Given in any order; the missed increment imported later fills it.
  assert.deepEqual(chainHoles([may, exp(MAR, 35, 0), exp(JAN, 40, 2), baseline]), []);
  // A full export (it re-sends most of what was backed up) after the gap has no hole before it...
  assert.deepEqual(chainHoles([baseline, exp(JAN, 40, 2), exp(MAY, 50, 700)]), []);
  // ... and one made later closes it.
  assert.deepEqual(chainHoles([baseline, exp(JAN, 40, 2), may, exp(JUL, 30, 1100)]), []);
  // A later increment does not.
  assert.equal(chainHoles([baseline, exp(JAN, 40, 2), may, exp(JUL, 30, 1)]).length, 1);
  // The threshold: 75 days is the schedule's slack, 76 is not.
  const at = (days: number) => new Date(Date.UTC(2026, 0, 10, 8) + days * 86_400_000).toISOString();
  const stamp = (iso: string) => iso.replace(/[-:]|\.\d+/g, "");
  assert.deepEqual(chainHoles([exp(JAN, 100, 0), exp(stamp(at(75)), 10, 0)]), []);
  assert.equal(chainHoles([exp(JAN, 100, 0), exp(stamp(at(76)), 10, 0)]).length, 1);
  // Exports of no date are left out.
  assert.deepEqual(chainHoles([exp("", 100, 0), exp(MAY, 10, 0)]), []);
  // An export no part of which was read in full (damaged, stopped) does not fill the window...
  const failed = { ...exp(MAR, 0, 0), parts: [] };
  assert.deepEqual(
    chainHoles([baseline, exp(JAN, 40, 2), failed, may]).map((h) => [h.after.stamp, h.before.stamp]),
    [[JAN, MAY]],
  );
  // ... nor makes a hole of its own, nor closes one as a full export.
  assert.deepEqual(chainHoles([baseline, exp(JAN, 40, 2), { ...exp(MAY, 50, 3), parts: [] }]), []);
  assert.equal(chainHoles([baseline, exp(JAN, 40, 2), may, { ...exp(JUL, 0, 1100), parts: [] }]).length, 1);
});

Deno.test("isFullExport: most of the backup re-sent, or (its first parts only) more re-sent than new", () => {
  const before = [exp(BASE, 800, 0), exp(JAN, 200, 0)];
  assert.equal(isFullExport(exp(MAY, 60, 500), before), true);
  assert.equal(isFullExport(exp(MAY, 600, 499), before), false);
  assert.equal(isFullExport(exp(MAY, 10, 120), before), true, "part 1 of 5 of a new baseline");
  assert.equal(isFullExport(exp(BASE, 10, 0), []), true, "the baseline");
});

Deno.test("holeWarning: one line with both dates, what may be missing and what to do", () => {
  const line = holeWarning({ after: exp(JAN, 1, 0), before: exp(MAY, 1, 0), days: 120 });
  assert.ok(!line.includes("\n"));
  assert.match(line, /export of 2026-05-10 comes 120 days after the one of 2026-01-10/);
  assert.match(line, /an export in between was not imported/);
  assert.match(line, /photos uploaded between 2026-01-10 and 2026-05-10 may be missing/);
  assert.match(line, /while its link is valid/);
  assert.match(line, /new full export/);
});

Deno.test("chainSummary and describeChain: the exports and the missed windows, from sync.db", () => {
  using t = tempStore();
  assert.deepEqual(describeChain(chainSummary(t.store)), [], "nothing before an import");
  const chain = new ExportChain(t.store);
  placeFiles(t.store, BASE, 1, 90);
  placeFiles(t.store, BASE, 2, 10);
  recordImports(chain, [part(BASE, 1), part(BASE, 2)], Date.UTC(2025, 10, 12));
  placeFiles(t.store, JAN, 1, 40);
  recordImports(chain, [part(JAN, 1, { present: 2 })], Date.UTC(2026, 0, 11));
  placeFiles(t.store, MAY, 1, 50);
  recordImports(chain, [part(MAY, 1, { present: 1 })], Date.UTC(2026, 4, 12));
  // March's only part was damaged: recorded (a later run knows what it read), not imported.
  recordImports(chain, [part(MAR, 1, { entries: 0, complete: false })], Date.UTC(2026, 4, 13));
  assert.deepEqual(chain.get(MAR)?.parts, []);
  const summary = chainSummary(t.store);
  assert.deepEqual(summary.missed, [{ from: "2026-01-10", to: "2026-05-10", days: 120 }]);
  assert.deepEqual(summary.exports.map((e) => [e.date, e.parts, e.placed]), [
    ["2025-11-10", 2, 100],
    ["2026-01-10", 1, 40],
    ["2026-05-10", 1, 50],
  ]);
  assert.deepEqual(describeChain(summary), [
    "exports:    3 Takeout exports imported",
    "  2025-11-10  2 parts, 20 entries: 100 files placed, 0 present already",
    "  2026-01-10  1 part, 10 entries: 40 files placed, 2 present already",
    "  2026-05-10  1 part, 10 entries: 50 files placed, 1 present already",
    "  missed:   an export between 2026-01-10 and 2026-05-10 (120 days apart) was not imported: " +
    "photos uploaded then may be missing until a full export is imported",
  ]);
});

Deno.test("describeChain: an export of one entry and one file says so in the singular", () => {
  using t = tempStore();
  placeFiles(t.store, BASE, 1, 1);
  recordImports(new ExportChain(t.store), [part(BASE, 1, { entries: 1 })], Date.UTC(2025, 10, 12));
  assert.deepEqual(describeChain(chainSummary(t.store)), [
    "exports:    1 Takeout export imported",
    "  2025-11-10  1 part, 1 entry: 1 file placed, 0 present already",
  ]);
});
