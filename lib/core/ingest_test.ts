import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_LAYOUT, layoutMapper, type PathItem } from "./layout.ts";
import { refileRedated } from "./ingest.ts";
import { OutputTree } from "./output_tree.ts";
import { Placer } from "./place.ts";
import { Store } from "./store.ts";
import { testLogger } from "./test_logger.ts";

const OLD = Date.parse("2020-05-01T11:00:00Z");
const NEW = Date.parse("2019-12-25T09:00:00Z");

/**
 * A folder whose item `a` (IMG.jpg) was downloaded on OLD's day, then re-dated to NEW in Google Photos
 * (noted by the batch that says so). `blocked`: while true, the mapper puts NEW's day under a folder
 * name the file system refuses (too long), so that the move fails after its new path was claimed, as a
 * kill at that moment leaves it, but with an error of the file system, not a folder in the way.
 */
async function redated() {
  const root = await Deno.makeTempDir({ prefix: "photosync-ingest-test-" });
  const tree = new OutputTree(root);
  await tree.clearTemp();
  const store = Store.open(root);
  const layout = layoutMapper(DEFAULT_LAYOUT);
  const state = { blocked: false };
  const pathMapper = (item: PathItem) =>
    state.blocked && item.createdMs === NEW ? `${"x".repeat(300)}/${item.filename}` : layout(item);
  const logger = testLogger();
  const options = { store, tree, pathMapper, logger };
  const batch = (createdMs: number) => ({
    source: "library",
    items: [{
      id: "a",
      source: "library",
      filename: "IMG.jpg",
      createdMs,
      isVideo: false,
      json: `{"t":${createdMs}}`,
    }],
  });
  store.saveBatch(batch(OLD));
  {
    using placer = new Placer(options);
    const [row] = placer.settle([store.item("a")!]);
    const staged = await tree.writeTemp(ReadableStream.from([new TextEncoder().encode("photo a")]), {
      tempName: "a.part",
    });
    await placer.place(row, staged, new Date(OLD));
    placer.flush();
  }
  store.saveBatch(batch(NEW), { keepLocalTime: true, noteRefiles: true });
  return {
    root,
    store,
    tree,
    logger,
    state,
    options,
    batch,
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("refileRedated: a move stopped after its new path was claimed is finished by the next run, from where the file was (nothing fetched again, no file left untracked)", async () => {
  await using f = await redated();
  f.state.blocked = true;
  await assert.rejects(refileRedated(f.options));
  // As a killed run leaves it: the row names the new path, the file is at the old one.
  assert.notEqual(f.store.item("a")!.path, "2020/05/01/IMG.jpg");
  assert.ok(f.tree.holds("2020/05/01/IMG.jpg", 7));
  // Still its old day's time: it is not at the new day.
  assert.equal(f.tree.modifiedAt("2020/05/01/IMG.jpg"), OLD);
  // The date corrected again before the next run notes the item again: where its file is stays known.
  f.store.saveBatch(f.batch(NEW), { keepLocalTime: true, noteRefiles: true });
  f.state.blocked = false;
  const result = await refileRedated(f.options);
  const row = f.store.item("a")!;
  assert.deepEqual([row.status, row.path], ["downloaded", "2019/12/25/IMG.jpg"]);
  assert.deepEqual(result, { moved: 1, failed: 0 });
  assert.equal(await Deno.readTextFile(join(f.root, "2019/12/25/IMG.jpg")), "photo a");
  assert.equal(f.tree.modifiedAt("2019/12/25/IMG.jpg"), NEW);
  assert.equal(f.tree.fileSize("2020/05/01/IMG.jpg"), undefined);
  assert.deepEqual(f.store.pendingRefiles(), []);
});

Deno.test("refileRedated: a folder on the way that is a file or a link fails that item only, with the reason; it stays where it is, recorded there, and moves once the way is clear", async () => {
  await using f = await redated();
  await Deno.writeTextFile(join(f.root, "2019"), "in the way");
  assert.deepEqual(await refileRedated(f.options), { moved: 0, failed: 1 });
  assert.match(
    f.logger.lines.warn.join("\n"),
    /2020\/05\/01\/IMG\.jpg not moved to its corrected date: .*2019 is in the way/,
  );
  assert.deepEqual([f.store.item("a")!.status, f.store.item("a")!.path], [
    "downloaded",
    "2020/05/01/IMG.jpg",
  ]);
  assert.deepEqual(f.store.pendingRefiles().map(({ id }) => id), ["a"]);
  await Deno.remove(join(f.root, "2019"));
  assert.deepEqual(await refileRedated(f.options), { moved: 1, failed: 0 });
  assert.equal(f.store.item("a")!.path, "2019/12/25/IMG.jpg");
  assert.equal(await Deno.readTextFile(join(f.root, "2019/12/25/IMG.jpg")), "photo a");
});

Deno.test("refileRedated: a move stopped after its new path was claimed, the file gone from the old day before the next run: fetched again, said as not at the old day's path (where it was looked for), not at the path claimed for it", async () => {
  await using f = await redated();
  f.state.blocked = true;
  await assert.rejects(refileRedated(f.options));
  const claimed = f.store.item("a")!.path!;
  assert.notEqual(claimed, "2020/05/01/IMG.jpg");
  await Deno.remove(join(f.root, "2020/05/01/IMG.jpg"));
  f.state.blocked = false;
  assert.deepEqual(await refileRedated(f.options), { moved: 0, failed: 0 });
  assert.deepEqual(f.logger.lines.event, [
    "2020/05/01/IMG.jpg is not here: to be downloaded again to its corrected date",
  ]);
  assert.deepEqual([f.store.item("a")!.status, f.store.item("a")!.path], ["pending", null]);
  assert.deepEqual(f.store.pendingRefiles(), []);
});
