import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_LAYOUT, layoutMapper } from "./layout.ts";
import { idTag } from "./names.ts";
import { OutputTree } from "./output_tree.ts";
import { Placer } from "./place.ts";
import { Store } from "./store.ts";
import { testLogger } from "./test_logger.ts";

const TAKEN = Date.parse("2020-01-01T12:00:00Z");
/** Before 1901-12-13: a file system of 32-bit times (ext4's small inodes) keeps that day instead. */
const OLD = Date.parse("1901-06-01T12:00:00Z");

Deno.test("adopt: a row sync.db lost takes back its file (dated as photosync dates it); one with other bytes is another item's, kept; a file dated otherwise is the user's", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-adopt-test-" });
  try {
    const tree = new OutputTree(root);
    await tree.clearTemp();
    using store = Store.open(root);
    store.saveBatch({
      source: "library",
      items: ["own", "edited", "user", "old"].map((id) => ({
        id,
        source: "library",
        filename: `${id}.jpg`,
        createdMs: id === "old" ? OLD : TAKEN,
        isVideo: false,
        json: "{}",
      })),
    });
    // What rows deleted by hand (or a lost sync.db) left: files with their capture time, one with other
    // bytes (another photo of that name, taken in the same second); and a file of the user's, dated otherwise.
    await Deno.mkdir(join(root, "2020/01/01"), { recursive: true });
    await Deno.mkdir(join(root, "1901/06/01"), { recursive: true });
    await Deno.writeTextFile(join(root, "1901/06/01/old.jpg"), "new old");
    await Deno.utime(join(root, "1901/06/01/old.jpg"), new Date(OLD), new Date(OLD));
    for (
      const [name, text, mtime] of [
        ["own.jpg", "new own", TAKEN],
        ["edited.jpg", "edited bytes", TAKEN],
        ["user.jpg", "old bytes", Date.parse("2024-05-05T00:00:00Z")],
      ] as const
    ) {
      await Deno.writeTextFile(join(root, "2020/01/01", name), text);
      await Deno.utime(join(root, "2020/01/01", name), new Date(mtime), new Date(mtime));
    }
    const logger = testLogger();
    using placer = new Placer({ store, tree, pathMapper: layoutMapper(DEFAULT_LAYOUT), logger });
    const rows = placer.settle(["own", "edited", "user", "old"].map((id) => store.item(id)!));
    assert.deepEqual(rows.map((row) => row.path), [
      "2020/01/01/own.jpg",
      "2020/01/01/edited.jpg",
      `2020/01/01/user (${idTag("user")}).jpg`,
      "1901/06/01/old.jpg",
    ]);
    const placed: string[] = [];
    for (const row of rows) {
      const staged = await tree.writeTemp(ReadableStream.from([new TextEncoder().encode(`new ${row.id}`)]), {
        tempName: `${row.id}.part`,
      });
      placed.push(await placer.place(row, staged, new Date(row.createdMs)));
    }
    placer.flush();
    assert.equal(await Deno.readTextFile(join(root, "2020/01/01/own.jpg")), "new own");
    // The other photo's file stays; this one takes the next name.
    assert.equal(placed[1], `2020/01/01/edited (${idTag("edited")}).jpg`);
    assert.equal(await Deno.readTextFile(join(root, "2020/01/01/edited.jpg")), "edited bytes");
    assert.equal(await Deno.readTextFile(join(root, placed[1])), "new edited");
    // (A drive keeping no time before 1901-12-13, ext4, says so of old.jpg.)
    const said = logger.lines.warn.filter((line) =>
      !line.startsWith("this drive keeps no file time of 1901-06-01")
    );
    assert.deepEqual(said, [], "nothing said to be changed");
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
