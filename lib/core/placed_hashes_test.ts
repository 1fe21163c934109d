import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { PlacedHashes } from "./placed_hashes.ts";
import { Store } from "./store.ts";

/** A sync.db in `root` with a Library item for each of `ids` (file `<id>.jpg`). */
function storeWith(root: string, ids: string[]): Store {
  const store = Store.open(root);
  const items = ids.map((id) => ({
    id,
    source: "library",
    filename: `${id}.jpg`,
    createdMs: 0,
    isVideo: false,
    json: "{}",
  }));
  store.saveBatch({ source: "library", items });
  return store;
}

Deno.test("PlacedHashes: the first bytes hashed on the main thread, the rest by its worker; every hash recorded", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-placed-hashes-" });
  try {
    using store = storeWith(root, ["a", "b", "c", "d"]);
    const files = [["a", 3_000], ["b", 5_000], ["c", 200_000], ["d", 1]] as const;
    const expected = new Map<string, string>();
    for (const [id, size] of files) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 31 + id.charCodeAt(0)) & 0xff);
      await Deno.writeFile(join(root, `${id}.jpg`), bytes);
      expected.set(id, createHash("sha256").update(bytes).digest("hex"));
    }
    {
      // 8,000 bytes on the main thread: a and b are hashed as they are added (their files removed
      // right after still get their hash); c and d go to the worker (c, removed before the worker
      // reads it, gets none: it was not hashed inline).
      using hashes = new PlacedHashes(store, root, undefined, 8_000);
      for (const [id, size] of files) {
        hashes.add(id, `${id}.jpg`, size);
        if (id !== "d") await Deno.remove(join(root, `${id}.jpg`));
      }
      await hashes.settle();
    }
    assert.equal(store.item("a")?.hash, expected.get("a"));
    assert.equal(store.item("b")?.hash, expected.get("b"));
    assert.equal(store.item("c")?.hash, null);
    assert.equal(store.item("d")?.hash, expected.get("d"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("PlacedHashes: a file whose size is not the one placed, or that is gone, gets no hash", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-placed-hashes-" });
  try {
    using store = storeWith(root, ["short", "gone"]);
    await Deno.writeFile(join(root, "short.jpg"), new Uint8Array(10));
    {
      using hashes = new PlacedHashes(store, root);
      hashes.add("short", "short.jpg", 11);
      hashes.add("gone", "gone.jpg", 5);
      await hashes.settle();
    }
    assert.equal(store.item("short")?.hash, null);
    assert.equal(store.item("gone")?.hash, null);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
