import assert from "node:assert/strict";
import { folderSettings } from "./folder_settings.ts";
import { Store } from "./store.ts";

const withStore = async (fn: (store: Store, dir: string) => void) => {
  const dir = await Deno.makeTempDir({ prefix: "photosync-settings-" });
  try {
    using store = Store.open(dir);
    fn(store, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

Deno.test("a new folder files by local days unless asked for UTC, and remembers it and --xmp", async () => {
  await withStore((store) => {
    assert.deepEqual(folderSettings(store), { days: "local", xmp: false });
    assert.deepEqual(folderSettings(store, { xmp: true }), { days: "local", xmp: true });
    // Remembered: a later run without the flags has them.
    assert.deepEqual(folderSettings(store), { days: "local", xmp: true });
    assert.deepEqual(folderSettings(store, { folderDays: "local" }), { days: "local", xmp: true });
    assert.throws(() => folderSettings(store, { folderDays: "utc" }), /keeps that rule/);
  });
  await withStore((store) => {
    assert.deepEqual(folderSettings(store, { folderDays: "utc" }), { days: "utc", xmp: false });
    assert.deepEqual(folderSettings(store), { days: "utc", xmp: false });
  });
});

Deno.test("a folder with items from before keeps UTC days and records it", async () => {
  await withStore((store) => {
    store.saveBatch({
      source: "library",
      items: [{ id: "a", source: "library", filename: "a.jpg", createdMs: 0, isVideo: false, json: "{}" }],
    });
    assert.throws(() => folderSettings(store, { folderDays: "local" }), /keeps UTC days/);
    assert.deepEqual(folderSettings(store), { days: "utc", xmp: false });
    assert.equal(store.checkpoint("folder", "days"), "utc");
    store.removeItem("a");
    // Recorded: emptied, it still keeps its rule.
    assert.deepEqual(folderSettings(store), { days: "utc", xmp: false });
  });
});
