import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DEFAULT_LAYOUT, layoutMapper } from "../../core/layout.ts";
import { OutputTree } from "../../core/output_tree.ts";
import { Store } from "../../core/store.ts";
import { testLogger } from "../../core/test_logger.ts";
import type { ArchiveSource } from "./archive_source.ts";
import { catalog } from "./catalog.ts";
import { ExportChain } from "./export_chain.ts";
import { importTakeout } from "./import.ts";
import { inExportOrder } from "./parts.ts";
import { TakeoutRecords } from "./records.ts";

/** An archive held in memory, as a remote store's would be: its entries' paths and texts. */
function memoryArchive(name: string, entries: [path: string, text: string][]): ArchiveSource {
  const bytes = (text: string) => new TextEncoder().encode(text);
  return {
    path: `memory/${name}`,
    name,
    sequential: false,
    async *entries() {
      for (const [path, text] of entries) {
        yield {
          path,
          size: bytes(text).length,
          mtimeMs: Date.UTC(2026, 0, 2),
          body: () => ReadableStream.from([bytes(text)]),
        };
      }
    },
  };
}

const GP = "Takeout/Google Photos";
const YEAR = `${GP}/Photos from 2024`;
const ALBUM = `${GP}/Summer`;
const [T1, T2, T3, T4] = [1, 2, 3, 4].map((day) => Date.UTC(2024, 6, day, 8 + day));
const sidecar = (title: string, takenMs: number, more: object = {}) =>
  JSON.stringify({ title, photoTakenTime: { timestamp: String(takenMs / 1000) }, ...more });
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const baseline = memoryArchive("takeout-20251110T101010Z-001.zip", [
  [`${ALBUM}/metadata.json`, JSON.stringify({ title: "Summer 2024" })],
  [`${ALBUM}/a.jpg`, "photo a"],
  [`${ALBUM}/a.jpg.supplemental-metadata.json`, sidecar("a.jpg", T1)],
  [`${YEAR}/a.jpg`, "photo a"],
  [`${YEAR}/a.jpg.supplemental-metadata.json`, sidecar("a.jpg", T1)],
  [`${YEAR}/b.jpg`, "photo b"],
  [`${YEAR}/b.jpg.supplemental-metadata.json`, sidecar("b.jpg", T2)],
  [`${YEAR}/d.jpg`, "photo d"],
  [`${YEAR}/d.jpg.supplemental-metadata.json`, sidecar("d.jpg", T4)],
]);
// January: d.jpg was edited (its edited copy comes alone), b.jpg favourited; c.jpg joined the album (no
// metadata.json).
const january = memoryArchive("takeout-20260110T080000Z-001.zip", [
  [`${YEAR}/d-edited.jpg`, "photo d, edited"],
  [`${YEAR}/b.jpg`, "photo b"],
  [`${YEAR}/b.jpg.supplemental-metadata.json`, sidecar("b.jpg", T2, { favorited: true, description: "Jan" })],
  [`${ALBUM}/c.jpg`, "photo c"],
  [`${ALBUM}/c.jpg.supplemental-metadata.json`, sidecar("c.jpg", T3)],
  [`${YEAR}/c.jpg`, "photo c"],
  [`${YEAR}/c.jpg.supplemental-metadata.json`, sidecar("c.jpg", T3)],
]);
// March: b.jpg un-favourited, archived, its description changed.
const march = memoryArchive("takeout-20260310T080000Z-001.zip", [
  [`${YEAR}/b.jpg`, "photo b"],
  [`${YEAR}/b.jpg.supplemental-metadata.json`, sidecar("b.jpg", T2, { archived: true, description: "Mar" })],
  [`${YEAR}/c-edited.jpg`, "photo c, edited"],
]);

/** Import `runs` (each a list of archives) one after the other into a new folder; what it holds then. */
async function importRuns(runs: ArchiveSource[][]) {
  const root = await Deno.makeTempDir({ prefix: "photosync-increments-test-" });
  using store = Store.open(root);
  const logger = testLogger();
  const reports = [];
  for (const given of runs) {
    const inputs = inExportOrder(given);
    const records = new TakeoutRecords(store, inputs.map((input) => input.name));
    const found = await catalog(inputs, {
      earlier: (...at) => records.earlier(...at),
      older: (...at) => records.olderExports(...at),
      newer: (...at) => records.newerExports(...at),
    });
    reports.push(
      await importTakeout(found, {
        store,
        tree: new OutputTree(root),
        inputs,
        records,
        logger,
        pathMapper: layoutMapper(DEFAULT_LAYOUT),
        albums: "links",
        includeTrashed: false,
        now: () => Date.UTC(2026, 4, 1),
      }),
    );
  }
  const item = (text: string) => {
    const row = store.item(`takeout:${sha256(text)}`)!;
    return { ...row, json: JSON.parse(row.json), albums: store.albumTitlesOf(row.id) };
  };
  const result = {
    reports,
    warnings: logger.lines.warn,
    a: item("photo a"),
    b: item("photo b"),
    edited: item("photo d, edited"),
    editedC: item("photo c, edited"),
    c: item("photo c"),
    chain: new ExportChain(store).list(),
  };
  await Deno.remove(root, { recursive: true });
  return result;
}

Deno.test("increments: an edited copy without its original, an album without its metadata, a sidecar sent again", async () => {
  const chronological = await importRuns([[baseline], [january], [march]]);
  const { edited, b, c } = chronological;
  // Dated from the original the baseline brought, as if both had been in one export.
  assert.equal(edited.createdMs, T4);
  assert.equal(edited.path, "2024/07/04/d-edited.jpg");
  assert.equal(edited.json.editedOf, "d.jpg");
  assert.equal(edited.json.takeout.rule, "edited copy of d.jpg");
  // The album folder without metadata.json: the baseline's title, members accumulated.
  assert.deepEqual(c.albums, ["Summer 2024"]);
  assert.deepEqual(chronological.a.albums, ["Summer 2024"]);
  // The newest sidecar's favourite, archived and description; the date and the file stay.
  assert.deepEqual([b.json.favorited, b.json.archived, b.json.description], [undefined, true, "Mar"]);
  assert.deepEqual([b.createdMs, b.path], [T2, "2024/07/02/b.jpg"]);
  assert.deepEqual(chronological.reports.map((r) => [r.imported, r.alreadyPresent, r.updated]), [
    [3, 0, 0],
    [2, 1, 1],
    [1, 1, 1],
  ]);
  assert.deepEqual(chronological.chain.map((e) => [e.stamp.slice(0, 8), e.placed, e.present]), [
    ["20251110", 3, 0],
    ["20260110", 2, 1],
    ["20260310", 1, 1],
  ]);
  assert.deepEqual(chronological.warnings, []);

  assert.deepEqual([chronological.editedC.createdMs, chronological.editedC.json.editedOf], [T3, "c.jpg"]);

  // One run, in any order, and separate runs with a newer export first (a missed increment imported late,
  // or all of them newest first): the newest export's metadata wins, the older export's originals date
  // the edited copies that came before them, and its album metadata adds the members that came before.
  for (
    const runs of [[[march, january, baseline]], [[baseline], [march], [january]], [[march], [january], [
      baseline,
    ]]]
  ) {
    const other = await importRuns(runs);
    for (const key of ["a", "b", "c", "edited", "editedC"] as const) {
      const [x, y] = [other[key], chronological[key]];
      assert.deepEqual(
        [x.path, x.createdMs, x.albums, x.json.favorited, x.json.archived, x.json.description],
        [y.path, y.createdMs, y.albums, y.json.favorited, y.json.archived, y.json.description],
        `${key} after ${runs.map((run) => run.map((input) => input.name.slice(8, 16)).join("+")).join(", ")}`,
      );
    }
  }
});
