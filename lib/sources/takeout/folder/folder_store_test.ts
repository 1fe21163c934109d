import assert from "node:assert/strict";
import { join } from "node:path";
import { PhotosyncError, UsageError } from "../../../core/errors.ts";
import { FolderStore } from "./folder_store.ts";

Deno.test("FolderStore lists the files under a folder, folder by folder in name order, no links; reads exact ranges", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-folder-store-test-" });
  try {
    await Deno.mkdir(join(root, "b", "c"), { recursive: true });
    await Deno.writeTextFile(join(root, "z.zip"), "0123456789");
    await Deno.writeTextFile(join(root, "a.zip"), "abc");
    await Deno.writeTextFile(join(root, "b", "c", "d.zip"), "d");
    await Deno.symlink(join(root, "z.zip"), join(root, "link.zip"));
    const store = new FolderStore(root);
    const files = await Array.fromAsync(store.list());
    assert.deepEqual(files.map((file) => [file.location, file.name, file.size]), [
      ["a.zip", "a.zip", 3],
      ["z.zip", "z.zip", 10],
      ["b/c/d.zip", "d.zip", 1],
    ]);
    const z = files[1];
    assert.equal(await new Response(await store.read(z, 2, 7)).text(), "23456");
    assert.equal(await new Response(await store.read(z, 10, 10)).text(), "");
    await assert.rejects(store.read(z, 5, 11), RangeError);
    // A part still being written: its size is not the one listed.
    await Deno.writeTextFile(join(root, "z.zip"), "0123456789+", { append: false });
    await assert.rejects(store.read(z, 0, 10), (error) => {
      assert.ok(error instanceof PhotosyncError);
      assert.match(error.message, /^z\.zip changed while photosync read it \(11 bytes, listed with 10\)/);
      return true;
    });
    assert.throws(() => new FolderStore(join(root, "a.zip")), UsageError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
