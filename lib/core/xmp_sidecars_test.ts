import assert from "node:assert/strict";
import { join } from "node:path";
import { OutputTree } from "./output_tree.ts";
import { Store } from "./store.ts";
import { testLogger } from "./test_logger.ts";
import { writeXmpSidecars, xmpPathOf } from "./xmp_sidecars.ts";

/** A folder whose `sync.db` records one Takeout photo at `2020/01/01/a.jpg`, its description `description`. */
async function backup() {
  const root = await Deno.makeTempDir({ prefix: "photosync-xmp-sidecars-" });
  const store = Store.open(root);
  const describe = (description: string) =>
    store.saveBatch({
      source: "takeout",
      items: [{
        id: "a",
        source: "takeout",
        filename: "a.jpg",
        createdMs: Date.UTC(2020, 0, 1),
        isVideo: false,
        json: JSON.stringify({ description, takeout: { dateSource: "sidecar" } }),
      }],
    });
  describe("one");
  store.claimPath("a", "2020/01/01/a.jpg");
  store.markDownloaded([{ id: "a", size: 5 }]);
  const photo = join(root, "2020/01/01/a.jpg");
  const sidecar = join(root, xmpPathOf("2020/01/01/a.jpg"));
  return {
    root,
    store,
    describe,
    sidecar,
    /** The photo in the folder (a run that placed it), or not (a CI job's folder holding `sync.db` only). */
    async here(present: boolean) {
      if (present) {
        await Deno.mkdir(join(root, "2020/01/01"), { recursive: true });
        await Deno.writeTextFile(photo, "bytes");
      } else {
        await Deno.remove(join(root, "2020"), { recursive: true }).catch(() => {});
      }
    },
    /** The sidecars a pass writes, with `filesElsewhere` or not. */
    async pass(filesElsewhere: boolean): Promise<string[]> {
      const written: string[] = [];
      const tree = new OutputTree(root, { filesElsewhere });
      await writeXmpSidecars({ store, tree, logger: testLogger(), onFile: (path) => written.push(path) });
      return written;
    },
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("writeXmpSidecars with files stored elsewhere: a sidecar is written when what it says changed, whichever run wrote the last", async () => {
  await using b = await backup();
  const expect = async (filesElsewhere: boolean, written: boolean, says?: string) => {
    assert.deepEqual(await b.pass(filesElsewhere), written ? ["2020/01/01/a.jpg.xmp"] : []);
    if (says) assert.match(await Deno.readTextFile(b.sidecar), new RegExp(says));
  };
  // Stored elsewhere: written once, then not again while it says the same.
  await expect(true, true, "one");
  await b.here(false);
  await expect(true, false);
  b.describe("two");
  await expect(true, true, "two");
  // A run of the folder with its files (no --files-elsewhere) rewrites it: the next elsewhere run knows.
  await b.here(true);
  b.describe("three");
  await expect(false, true, "three");
  await b.here(false);
  b.describe("two");
  await expect(true, true, "two");
  // The photo here, its sidecar gone: written again, whatever the last one said.
  await b.here(true);
  await expect(true, false);
  await Deno.remove(b.sidecar);
  await expect(true, true, "two");
});

Deno.test("writeXmpSidecars: a sidecar edited since photosync wrote it is kept when what photosync knows changes; photosync's own is rewritten", async () => {
  await using b = await backup();
  await b.here(true);
  assert.deepEqual(await b.pass(false), ["2020/01/01/a.jpg.xmp"]);
  const ours = await Deno.readTextFile(b.sidecar);
  // photosync's own, stale: rewritten with what sync.db says now.
  b.describe("two");
  assert.deepEqual(await b.pass(false), ["2020/01/01/a.jpg.xmp"]);
  assert.match(await Deno.readTextFile(b.sidecar), /two/);
  // The user's tag in it (a program keeps photosync's fields): never rewritten, however sync.db changes.
  const tagged = (await Deno.readTextFile(b.sidecar)).replace("two", "two, and my own words");
  await Deno.writeTextFile(b.sidecar, tagged);
  b.describe("three");
  assert.deepEqual(await b.pass(false), []);
  assert.equal(await Deno.readTextFile(b.sidecar), tagged);
  // Put back as photosync wrote it (the user's undo): photosync's again.
  await Deno.writeTextFile(b.sidecar, ours.replace("one", "two"));
  assert.deepEqual(await b.pass(false), ["2020/01/01/a.jpg.xmp"]);
  assert.match(await Deno.readTextFile(b.sidecar), /three/);
});
