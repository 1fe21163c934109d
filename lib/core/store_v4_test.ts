import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { DB_FILE, SCHEMA_VERSION, Store } from "./store.ts";

/**
 * A schema-3 sync.db written by the release before `verify` (the schema-2 fixture opened by it, then a
 * picked item downloaded): an item of each source, a downloaded file without a hash, an album, checkpoints.
 */
const FIXTURE_V3 = new URL("../../testing/fixtures/sync-v3.db", import.meta.url);

function query<T>(file: string, sql: string): T[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

Deno.test("Store.open migrates a schema-3 sync.db to schema 4: rows kept, items may share a file, verify runs recorded", () => {
  const dir = Deno.makeTempDirSync({ prefix: "photosync-store-v4-" });
  try {
    const file = join(dir, DB_FILE);
    Deno.copyFileSync(FIXTURE_V3, file);
    const columns =
      "id, source, filename, created_ms, is_video, json, status, path, path_key, size, note, hash";
    assert.equal(query<{ user_version: number }>(file, "PRAGMA user_version")[0].user_version, 3);
    const before = query(file, `SELECT ${columns} FROM items ORDER BY id`);
    const albums = query(file, "SELECT item_id, album_id FROM item_albums");
    assert.equal(before.length, 5);
    {
      using store = Store.open(dir);
      assert.equal(store.lastVerifyRun(), undefined);
      // The picked file has no hash yet (verify records it); the Takeout file has its own.
      assert.deepEqual(store.filesOfSize(99, "library").map((row) => row.id), ["takeout:ab12"]);
      assert.deepEqual(store.filesOfSize(5000, "library"), []);
      store.recordHashes([{ id: "p2", hash: "ff00" }]);
      assert.deepEqual(store.filesOfSize(5000, "library").map(({ id, hash }) => ({ id, hash })), [{
        id: "p2",
        hash: "ff00",
      }]);
      // By its hash: only the file with those bytes (not every file of the size), not one of the same source.
      assert.deepEqual(store.filesOfContent(5000, "ff00", "takeout").map((row) => row.id), ["p2"]);
      assert.deepEqual(store.filesOfContent(5000, "ff01", "takeout"), []);
      assert.deepEqual(store.filesOfContent(99, "ab12", "takeout"), []);
      assert.deepEqual(store.filesOfContent(99, "ab12", "library").map((row) => row.id), ["takeout:ab12"]);
      // The pending pick turns out to hold the Takeout file's bytes: no file of its own.
      store.claimPath("pick-1", "2031/03/03/copy.jpg");
      store.markSameFile("pick-1", "takeout:ab12", 99, "ab12");
      const shared = store.item("pick-1")!;
      assert.equal(shared.fileOf, "takeout:ab12");
      assert.equal(shared.path, null);
      assert.ok(store.claimPath("lib-2", "2031/03/03/copy.jpg"), "the path it claimed is free again");
      assert.deepEqual([...store.recordedFiles()].map((row) => row.id), ["lib-1", "p2", "takeout:ab12"]);
      const counts = store.counts();
      assert.equal(counts.downloaded, 4);
      assert.equal(counts.files, 3);
      assert.equal(counts.bytes, 1234 + 99 + 5000);
      const run = {
        startedMs: 1,
        finishedMs: 2,
        files: 3,
        bytes: 6333,
        missing: 1,
        changed: 0,
        unknown: 2,
        hashed: 1,
        repaired: 0,
      };
      store.addVerifyRun(run);
      assert.deepEqual(store.lastVerifyRun(), run);
      assert.equal(albums.length, 1);
      assert.equal(store.albumTitlesOf("takeout:ab12").length, 1, "its album membership is kept");
      // The file's item goes (a Takeout sidecar said trash): the item that shared it needs its own.
      store.removeItem("takeout:ab12");
      assert.equal(store.item("pick-1")?.status, "pending");
      assert.equal(store.item("pick-1")?.fileOf, null);
    }
    assert.equal(
      query<{ user_version: number }>(file, "PRAGMA user_version")[0].user_version,
      SCHEMA_VERSION,
    );
    const kept = query(file, `SELECT ${columns} FROM items WHERE id = 'lib-1'`);
    assert.deepEqual(kept, before.filter((row) => (row as { id: string }).id === "lib-1"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
