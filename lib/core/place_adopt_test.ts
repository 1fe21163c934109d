import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_LAYOUT, layoutMapper } from "./layout.ts";
import { idTag } from "./names.ts";
import { OutputTree } from "./output_tree.ts";
import { Placer } from "./place.ts";
import { Store } from "./store.ts";
import { testLogger } from "./test_logger.ts";

const TAKEN = Date.parse("2020-01-01T12:00:00Z");

Deno.test("adopt: a row deleted by hand takes back its file (dated as photosync dates it); another file is kept", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-adopt-test-" });
  try {
    const tree = new OutputTree(root);
    await tree.clearTemp();
    using store = Store.open(root);
    store.saveBatch({
      source: "library",
      items: ["own", "user"].map((id) => ({
        id,
        source: "library",
        filename: `${id}.jpg`,
        createdMs: TAKEN,
        isVideo: false,
        json: "{}",
      })),
    });
    // What a deleted row left: its file with its capture time; and a file of the user's, dated otherwise.
    await Deno.mkdir(join(root, "2020/01/01"), { recursive: true });
    for (
      const [name, mtime] of [["own.jpg", TAKEN], ["user.jpg", Date.parse("2024-05-05T00:00:00Z")]] as const
    ) {
      await Deno.writeTextFile(join(root, "2020/01/01", name), "old bytes");
      await Deno.utime(join(root, "2020/01/01", name), new Date(mtime), new Date(mtime));
    }
    const placer = (adopt: boolean) =>
      new Placer({
        store,
        tree,
        pathMapper: layoutMapper(DEFAULT_LAYOUT),
        logger: testLogger(),
        adopt: adopt ? () => true : undefined,
      });
    // Without `adopt` (every run but `--all --dates`), both are strangers' files.
    const [ownRow] = placer(false).settle([store.item("own")!]);
    assert.equal(ownRow.path, `2020/01/01/own (${idTag("own")}).jpg`);
    store.removeItem("own");
    store.saveBatch({
      source: "library",
      items: [{
        id: "own",
        source: "library",
        filename: "own.jpg",
        createdMs: TAKEN,
        isVideo: false,
        json: "{}",
      }],
    });
    using adopting = placer(true);
    const rows = adopting.settle([store.item("own")!, store.item("user")!]);
    assert.deepEqual(rows.map((row) => row.path), [
      "2020/01/01/own.jpg",
      `2020/01/01/user (${idTag("user")}).jpg`,
    ]);
    for (const row of rows) {
      const staged = await tree.writeTemp(ReadableStream.from([new TextEncoder().encode(`new ${row.id}`)]), {
        tempName: `${row.id}.part`,
      });
      await adopting.place(row, staged, new Date(TAKEN));
    }
    adopting.flush();
    assert.equal(await Deno.readTextFile(join(root, "2020/01/01/own.jpg")), "new own");
    assert.equal(
      await Deno.readTextFile(join(root, "2020/01/01/user.jpg")),
      "old bytes",
      "the user's file kept",
    );
    assert.equal(await Deno.readTextFile(join(root, `2020/01/01/user (${idTag("user")}).jpg`)), "new user");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
