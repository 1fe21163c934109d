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

Deno.test("a folder holding a dated tree but no recorded rule (sync.db lost) is asked for its days", async () => {
  await withStore((store, dir) => {
    // Beside the folder: an export to import, an empty year folder, a folder that is no year: still new.
    Deno.writeFileSync(`${dir}/takeout-20240101T000000Z-001.zip`, new Uint8Array(1));
    Deno.mkdirSync(`${dir}/2019`);
    Deno.mkdirSync(`${dir}/albums/x`, { recursive: true });
    Deno.writeFileSync(`${dir}/albums/x/a.jpg`, new Uint8Array(1));
    assert.deepEqual(folderSettings(store, {}), { days: "local", xmp: false });
  });
  await withStore((store, dir) => {
    Deno.mkdirSync(`${dir}/2023/07/02`, { recursive: true });
    Deno.writeFileSync(`${dir}/2023/07/02/LA.jpg`, new Uint8Array(1));
    assert.throws(
      () => folderSettings(store, {}),
      /dated folders \(2023\/07\/02\/LA\.jpg\).*--folder-days=utc .*--folder-days=local/,
    );
    assert.equal(store.checkpoint("folder", "days"), undefined, "nothing recorded for a refused run");
    // Told, it records the rule, and later runs need not say it again.
    assert.deepEqual(folderSettings(store, { folderDays: "utc" }), { days: "utc", xmp: false });
    assert.deepEqual(folderSettings(store, {}), { days: "utc", xmp: false });
  });
  await withStore((store, dir) => {
    Deno.mkdirSync(`${dir}/2023/07/01`, { recursive: true });
    Deno.writeFileSync(`${dir}/2023/07/01/LA.jpg`, new Uint8Array(1));
    assert.deepEqual(folderSettings(store, { folderDays: "local" }), { days: "local", xmp: false });
  });
});
