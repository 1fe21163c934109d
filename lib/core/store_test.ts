import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { UsageError } from "./errors.ts";
import { DB_FILE, membershipKey, SCHEMA_VERSION, Store } from "./store.ts";

/** A schema-1 sync.db written by the previous release. Tests copy it and never open it. */
const FIXTURE_V1 = new URL("../../testing/fixtures/sync-v1.db", import.meta.url);
/**
 * A schema-2 sync.db written by the release before this one (an item of each source, paths in
 * several scripts, dates before 1970 and in the future, an album, checkpoints, a secret).
 */
const FIXTURE_V2 = new URL("../../testing/fixtures/sync-v2.db", import.meta.url);

const ITEM_COLUMNS = "id, filename, created_ms, is_video, status, path, path_key, size, note, json";

/** What schema 7 added, taken out of a current file made to stand for an older one. */
const WITHOUT_SCHEMA_7 =
  "DROP INDEX item_albums_album; ALTER TABLE albums DROP COLUMN folder; ALTER TABLE albums DROP COLUMN earlier;";

/** A temporary folder, removed when the test's `using` scope ends. */
function tempDir() {
  const path = Deno.makeTempDirSync({ prefix: "photosync-store-test-" });
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

function query<T>(file: string, sql: string): T[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const userVersion = (file: string) =>
  query<{ user_version: number }>(file, "PRAGMA user_version")[0].user_version;

Deno.test("Store.open migrates a schema-1 sync.db to the current schema in place, keeping every row", () => {
  using dir = tempDir();
  const file = join(dir.path, DB_FILE);
  Deno.copyFileSync(FIXTURE_V1, file);
  assert.equal(userVersion(file), 1);
  const before = query<Record<string, unknown>>(file, `SELECT ${ITEM_COLUMNS} FROM items ORDER BY id`);
  const secrets = query<{ key: string; value: string }>(file, "SELECT key, value FROM secrets ORDER BY key");
  // The fixture must hold something for the comparison to mean anything.
  assert.ok(before.length >= 10);
  assert.ok(
    before.some((row) => row.status === "downloaded") && before.some((row) => row.status === "pending"),
  );
  assert.deepEqual(secrets.map((row) => row.key), ["oauth"]);
  // An interrupted v1 run's open searches, to see them become checkpoints.
  const v1 = new DatabaseSync(file);
  v1.exec(`INSERT INTO searches (key, start_date, end_date) VALUES
    ('s1', '2019-01-01', '2019-06-30'), ('s2', '', '')`);
  v1.close();

  {
    using store = Store.open(dir.path);
    for (const row of before) {
      const item = store.item(row.id as string);
      assert.ok(item, `${row.id} is gone`);
      assert.equal(item.source, "library");
      assert.equal(item.hash, null);
    }
    assert.equal(store.secret("oauth"), secrets[0].value);
    // Rows come back with a null prototype: copy them into plain objects to compare.
    assert.deepEqual(store.checkpoints("library").map(({ key, value }) => ({ key, value })), [
      { key: "s1", value: '{"start":"2019-01-01","end":"2019-06-30"}' },
      { key: "s2", value: '{"start":"","end":""}' },
    ]);
    assert.deepEqual(store.counts().sources, { library: before.length });
  }

  assert.equal(userVersion(file), SCHEMA_VERSION);
  assert.equal(SCHEMA_VERSION, 7);
  const after = query<Record<string, unknown>>(file, `SELECT ${ITEM_COLUMNS} FROM items ORDER BY id`);
  assert.deepEqual(after, before);
  const sources = query<{ source: string }>(file, "SELECT DISTINCT source FROM items");
  assert.deepEqual(sources.map((row) => row.source), ["library"]);
  assert.deepEqual(query(file, "SELECT key, value FROM secrets ORDER BY key"), secrets);
  const tables = query<{ name: string }>(
    file,
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
  );
  assert.deepEqual(tables.map((row) => row.name), [
    "albums",
    "checkpoints",
    "item_albums",
    "items",
    "secrets",
    "verify_runs",
  ]);
  // Opening again leaves a current file as it is.
  Store.open(dir.path).close();
  assert.deepEqual(query(file, `SELECT ${ITEM_COLUMNS} FROM items ORDER BY id`), before);
});

Deno.test("Store.open migrates a schema-2 sync.db to the current schema: every row and album kept, any source name taken", () => {
  using dir = tempDir();
  const file = join(dir.path, DB_FILE);
  Deno.copyFileSync(FIXTURE_V2, file);
  assert.equal(userVersion(file), 2);
  const columns = `${ITEM_COLUMNS}, source, hash`;
  const before = query<Record<string, unknown>>(file, `SELECT ${columns} FROM items ORDER BY id`);
  const albums = query(file, "SELECT item_id, album_id FROM item_albums");
  const checkpoints = query(file, "SELECT source, key, value FROM checkpoints ORDER BY rowid");
  assert.equal(before.length, 4);
  assert.deepEqual(albums.length, 1);
  {
    using store = Store.open(dir.path);
    // A source the schema has never heard of needs no migration.
    const added = store.saveBatch({
      source: "webdav",
      items: [{ id: "w1", source: "webdav", filename: "a.jpg", createdMs: 0, isVideo: false, json: "{}" }],
    });
    assert.deepEqual(added, { added: 1, updated: 0, others: 0 });
    assert.equal(store.item("w1")?.source, "webdav");
    assert.equal(store.item("takeout:ab12")?.path, "2031/03/03/Ünïcødé 写真.jpg");
  }
  assert.equal(userVersion(file), SCHEMA_VERSION);
  const after = query<Record<string, unknown>>(
    file,
    `SELECT ${columns} FROM items WHERE id != 'w1' ORDER BY id`,
  );
  assert.deepEqual(after, before);
  assert.deepEqual(query(file, "SELECT item_id, album_id FROM item_albums"), albums);
  assert.deepEqual(query(file, "SELECT source, key, value FROM checkpoints ORDER BY rowid"), checkpoints);
  const sql = query<{ sql: string }>(file, "SELECT sql FROM sqlite_master WHERE name = 'items'")[0].sql;
  assert.doesNotMatch(sql, /source IN/);
  // The indexes of the items table are there again.
  const indexes = query<{ name: string }>(
    file,
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name",
  );
  assert.deepEqual(indexes.map((row) => row.name), [
    "items_created",
    "items_file_of",
    "items_hash",
    "items_pending",
    "items_size",
  ]);
});

Deno.test("Store.open read-only says an empty sync.db is empty, not older, and how to rebuild it", () => {
  using dir = tempDir();
  Deno.writeFileSync(join(dir.path, DB_FILE), new Uint8Array());
  assert.throws(() => Store.open(dir.path, { readOnly: true }), (error) => {
    assert.ok(error instanceof UsageError);
    assert.match(
      error.message,
      /is empty \(a copy that failed, a full disk\?\): put back a copy of it, or rebuild it/,
    );
    return true;
  });
  assert.equal(Deno.statSync(join(dir.path, DB_FILE)).size, 0);
});

Deno.test("Store.open of an existing backup refuses an empty sync.db and leaves it empty; a run that backs up rebuilds it", () => {
  using dir = tempDir();
  const path = join(dir.path, DB_FILE);
  Deno.writeFileSync(path, new Uint8Array());
  for (const options of [{ existing: true }, { existing: true, whole: true }]) {
    assert.throws(() => Store.open(dir.path, options), /is empty \(a copy that failed, a full disk\?\)/);
    assert.equal(Deno.statSync(path).size, 0);
    assert.deepEqual([...Deno.readDirSync(dir.path)].map((entry) => entry.name), [DB_FILE]);
  }
  Deno.removeSync(path);
  assert.throws(() => Store.open(dir.path, { existing: true }), /^UsageError: no .*sync\.db: run photosync/);
  assert.deepEqual([...Deno.readDirSync(dir.path)], []);
  // What the line advises: a plain run makes it again.
  Deno.writeFileSync(path, new Uint8Array());
  Store.open(dir.path).close();
  using store = Store.open(dir.path, { existing: true, whole: true });
  assert.equal(store.counts().items, 0);
});

Deno.test("a first run makes sync.db whole or not at all: a reader (status during it) never finds it empty or half-made", () => {
  using dir = tempDir();
  // The first run fails once sync.db is made: SQLite cannot make its WAL beside it (a folder in the way). A
  // reader racing a first run that goes on sees the same moment; this one stays to be looked at.
  const wal = join(dir.path, `${DB_FILE}-wal`);
  Deno.mkdirSync(wal);
  assert.throws(() => Store.open(dir.path));
  Deno.removeSync(wal);
  {
    using store = Store.open(dir.path, { readOnly: true });
    assert.equal(store.counts().items, 0);
  }

  // What a first run killed while building it left is not taken for the new file.
  using again = tempDir();
  Deno.writeTextFileSync(join(again.path, `${DB_FILE}-new`), "half a database");
  Deno.writeTextFileSync(join(again.path, `${DB_FILE}-new-journal`), "its journal");
  Store.open(again.path).close();
  assert.deepEqual([...Deno.readDirSync(again.path)].map((entry) => entry.name).sort(), [
    DB_FILE,
    `${DB_FILE}-lock`,
  ]);
  assert.equal(Deno.statSync(join(again.path, DB_FILE)).mode! & 0o777, 0o600);
  using store = Store.open(again.path, { readOnly: true });
  assert.equal(store.counts().items, 0);
});

Deno.test("Store.open read-only refuses a schema-1 file and leaves it untouched", () => {
  using dir = tempDir();
  const file = join(dir.path, DB_FILE);
  Deno.copyFileSync(FIXTURE_V1, file);
  const bytes = Deno.readFileSync(file);
  assert.throws(() => Store.open(dir.path, { readOnly: true }), (error) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /is from an older photosync; run photosync --dir=.* once to update it/);
    return true;
  });
  assert.deepEqual(Deno.readFileSync(file), bytes);
  assert.equal(userVersion(file), 1);
});

Deno.test("Store.open refuses a file from a newer photosync (schema 99) and leaves it untouched", () => {
  using dir = tempDir();
  const file = join(dir.path, DB_FILE);
  const newer = new DatabaseSync(file);
  newer.exec("CREATE TABLE items (id TEXT PRIMARY KEY, future TEXT); INSERT INTO items VALUES ('a', 'b');");
  newer.exec("PRAGMA user_version = 99");
  newer.close();
  const bytes = Deno.readFileSync(file);
  const mode = Deno.statSync(file).mode;
  for (const readOnly of [false, true]) {
    assert.throws(() => Store.open(dir.path, { readOnly }), (error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /was written by a newer photosync \(schema 99\); upgrade photosync/);
      return true;
    });
  }
  assert.deepEqual(Deno.readFileSync(file), bytes);
  assert.equal(Deno.statSync(file).mode, mode);
  // No journal left behind either.
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((entry) => entry.name), [DB_FILE]);
});

Deno.test("Store.open refuses a file that is not SQLite and leaves it untouched", () => {
  using dir = tempDir();
  const file = join(dir.path, DB_FILE);
  Deno.writeTextFileSync(file, "my notes about photos\n");
  assert.throws(() => Store.open(dir.path), /is not a photosync database/);
  assert.equal(Deno.readTextFileSync(file), "my notes about photos\n");
});

Deno.test("Store.open refuses another program's SQLite file named sync.db, reading or writing, and leaves it untouched", () => {
  using dir = tempDir();
  const file = join(dir.path, DB_FILE);
  const db = new DatabaseSync(file);
  db.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')");
  db.close();
  const bytes = Deno.readFileSync(file);
  for (const readOnly of [true, false]) {
    assert.throws(() => Store.open(dir.path, { readOnly }), /is not a photosync database/);
  }
  assert.deepEqual(Deno.readFileSync(file), bytes);
  assert.deepEqual(query<{ name: string }>(file, "SELECT name FROM sqlite_master").map((row) => row.name), [
    "notes",
  ]);
});

Deno.test({
  name: "Store.open creates a new sync.db with mode 0600, and tightens an existing one",
  ignore: Deno.build.os === "windows",
  fn() {
    using dir = tempDir();
    const file = join(dir.path, DB_FILE);
    Store.open(dir.path).close();
    assert.equal(Deno.statSync(file).mode! & 0o777, 0o600);
    assert.equal(userVersion(file), SCHEMA_VERSION);

    // A copy made with the default umask (e.g. by a backup tool) is readable by others.
    using other = tempDir();
    const copy = join(other.path, DB_FILE);
    Deno.copyFileSync(FIXTURE_V1, copy);
    Deno.chmodSync(copy, 0o644);
    Store.open(other.path).close();
    assert.equal(Deno.statSync(copy).mode! & 0o777, 0o600);
  },
});

Deno.test("Store.open read-only does not create a missing sync.db", () => {
  using dir = tempDir();
  assert.throws(() => Store.open(dir.path, { readOnly: true }), /no .*sync\.db: run photosync --dir=/);
  assert.deepEqual([...Deno.readDirSync(dir.path)], []);
});

Deno.test("Store.checkpoint, checkpointsFrom and checkpointKeysFrom: one key, and the keys starting with a prefix, by key; nothing of a neighbour", () => {
  using dir = tempDir();
  using store = Store.open(dir.path);
  const keys = [
    '["e","a/",',
    '["e","a/b/",',
    '["e","a/é",',
    '["e","a/\u{1F600}",',
    '["e","a0",',
    '["e","b/",',
  ];
  store.updateCheckpoints("takeout", { put: keys.map((key, i) => ({ key, value: String(i) })) });
  store.updateCheckpoints("other", { put: [{ key: '["e","a/x",', value: "other's" }] });
  assert.equal(store.checkpoint("takeout", keys[1]), "1");
  assert.equal(store.checkpoint("takeout", "missing"), undefined);
  assert.equal(store.checkpoint("other", keys[1]), undefined, "another source's keys are its own");
  assert.deepEqual(store.checkpointsFrom("takeout", '["e","a/').map((c) => c.value), ["0", "1", "2", "3"]);
  assert.deepEqual(store.checkpointsFrom("takeout", '["e","a/b/",').map((c) => c.value), ["1"]);
  assert.deepEqual(store.checkpointsFrom("takeout", '["f"'), []);
  assert.deepEqual(
    store.checkpointKeysFrom("takeout", '["e","a/'),
    keys.slice(0, 4),
    "the same keys, no values",
  );
  assert.deepEqual(store.checkpointKeysFrom("takeout", ""), keys);
  assert.deepEqual(store.checkpointKeysFrom("other", ""), ['["e","a/x",']);
});

/** A Takeout item `id` (file `<id>.jpg`), as saveBatch takes it. */
const item = (id: string) => ({
  id,
  source: "takeout",
  filename: `${id}.jpg`,
  createdMs: 0,
  isVideo: false,
  json: "{}",
});

Deno.test("Store: album members and titles, downloaded files; removing an item takes its memberships along", () => {
  using dir = tempDir();
  using store = Store.open(dir.path);
  store.saveBatch({ source: "takeout", items: [item("a"), item("b"), item("c")] });
  for (const id of ["a", "b"]) store.claimPath(id, `2020/01/01/${id}.jpg`);
  store.markDownloaded([{ id: "a", size: 5 }, { id: "b", size: 6 }]);
  store.addToAlbum({ id: "takeout:Trip/", source: "takeout", title: "Trip" }, ["a", "b", "c"]);
  store.addToAlbum({ id: "takeout:Beach/", source: "takeout", title: "Beach" }, ["a"]);
  store.addToAlbum({ id: "lib", source: "library", title: "Other" }, ["a"]);
  assert.deepEqual(store.albumTitlesOf("a"), ["Beach", "Other", "Trip"]);
  // Only downloaded members with a path, of the source's albums.
  assert.deepEqual([...store.albumMembers("takeout")].map((m) => ({ ...m })), [
    { album: "takeout:Beach/", title: "Beach", id: "a", path: "2020/01/01/a.jpg" },
    { album: "takeout:Trip/", title: "Trip", id: "a", path: "2020/01/01/a.jpg" },
    { album: "takeout:Trip/", title: "Trip", id: "b", path: "2020/01/01/b.jpg" },
  ]);
  assert.deepEqual([...store.downloadedFiles()].map((f) => ({ ...f })), [
    { id: "a", filename: "a.jpg", path: "2020/01/01/a.jpg", size: 5 },
    { id: "b", filename: "b.jpg", path: "2020/01/01/b.jpg", size: 6 },
  ]);
  store.removeItem("a");
  assert.equal(store.item("a"), undefined);
  assert.deepEqual(store.albumTitlesOf("a"), []);
  assert.deepEqual([...store.albumMembers("takeout")].map((m) => m.id), ["b"]);
  // Its path is free again.
  assert.equal(store.claimPath("c", "2020/01/01/a.jpg"), true);
});

Deno.test("Store: an album membership new to sync.db is noted until its link is made, one recorded before is not", () => {
  using dir = tempDir();
  using store = Store.open(dir.path);
  store.saveBatch({ source: "takeout", items: [item("a"), item("b")] });
  const trip = { id: "takeout:Trip/", source: "takeout", title: "Trip" } as const;
  store.addToAlbum(trip, ["a"]);
  const first = store.newMemberships();
  assert.deepEqual([...first], [membershipKey(trip.id, "a")]);
  store.membershipsLinked(first);
  assert.deepEqual([...store.newMemberships()], []);
  // Recorded again (an album folder read again): nothing new; another member: noted.
  store.addToAlbum(trip, ["a", "b"]);
  assert.deepEqual([...store.newMemberships()], [membershipKey(trip.id, "b")]);
  store.membershipsLinked(store.newMemberships());
  // Retitled: every member's link goes in the new title's folder.
  store.addToAlbum({ ...trip, title: "Trip 2020" }, ["a"]);
  assert.deepEqual([...store.newMemberships()].sort(), [
    membershipKey(trip.id, "a"),
    membershipKey(trip.id, "b"),
  ]);
});

Deno.test("Store.open migrates a schema-6 sync.db: its albums are marked as an earlier version's, with no folder recorded; an album recorded since is not; a folder once recorded stays, but for a retitled album", () => {
  using dir = tempDir();
  const file = join(dir.path, DB_FILE);
  {
    using store = Store.open(dir.path);
    store.saveBatch({ source: "takeout", items: [item("a"), item("b")] });
    store.addToAlbum({ id: "takeout:COM¹/", source: "takeout", title: "COM¹" }, ["a"]);
  }
  {
    using db = new DatabaseSync(file);
    db.exec(`${WITHOUT_SCHEMA_7} PRAGMA user_version = 6`);
  }
  using store = Store.open(dir.path);
  assert.equal(userVersion(file), SCHEMA_VERSION);
  // An album's members are found by their index (a run looks for an earlier version's folder by them).
  assert.equal(query(file, "SELECT 1 FROM sqlite_master WHERE name = 'item_albums_album'").length, 1);
  assert.deepEqual({ ...store.album("takeout:COM¹/") }, {
    id: "takeout:COM¹/",
    title: "COM¹",
    folder: null,
    earlier: true,
  });
  store.addToAlbum({ id: "takeout:Trip/", source: "takeout", title: "Trip" }, ["b"]);
  assert.equal(store.album("takeout:Trip/")?.earlier, false, "recorded by this version");
  assert.equal(store.album("missing"), undefined);
  // Recorded where its links are: recorded again (a member added), it keeps the folder.
  store.setAlbumFolder("takeout:COM¹/", "COM¹");
  store.addToAlbum({ id: "takeout:COM¹/", source: "takeout", title: "COM¹" }, ["a", "b"]);
  assert.deepEqual(
    { ...store.album("takeout:COM¹/") },
    { id: "takeout:COM¹/", title: "COM¹", folder: "COM¹", earlier: true },
  );
  // Retitled: its links go in a folder of the new title, named when the next is made.
  store.addToAlbum({ id: "takeout:COM¹/", source: "takeout", title: "Rome" }, ["a"]);
  assert.deepEqual(
    { ...store.album("takeout:COM¹/") },
    { id: "takeout:COM¹/", title: "Rome", folder: null, earlier: false },
  );
});

Deno.test("Store.handOverFile: the heir holds the path under the same key as a claim (a name a drive folds to it is refused), its move noted from there", () => {
  using dir = tempDir();
  using store = Store.open(dir.path);
  store.saveBatch({ source: "takeout", items: [item("t")] });
  store.saveBatch({
    source: "picker",
    items: [{ ...item("p"), source: "picker" }, { ...item("q"), source: "picker" }],
  });
  store.claimPath("t", "2020/01/01/Straße.jpg");
  store.markDownloaded([{ id: "t", size: 5, hash: "h" }]);
  store.markSameFile("p", "t", 5, "h");
  store.handOverFile("t", "p");
  assert.equal(store.item("p")!.path, "2020/01/01/Straße.jpg");
  // Its move to its own day is noted with where the file is: a move stopped half-way is finished from there.
  assert.deepEqual(store.pendingRefiles(), [{ id: "p", was: "2020/01/01/Straße.jpg" }]);
  assert.equal(store.holdsPath("2020/01/01/STRASSE.jpg"), true);
  assert.equal(store.claimPath("q", "2020/01/01/STRASSE.jpg"), false);
});

Deno.test("Store.saveBatch: an id another source listed is one item: a downloaded one stays that source's, a waiting one is taken", () => {
  using dir = tempDir();
  using store = Store.open(dir.path);
  const listed = ["a", "b", "c"].map((id) => ({ ...item(id), source: "library" }));
  store.saveBatch({ source: "library", items: listed });
  store.claimPath("a", "2020/01/01/a.jpg");
  store.markDownloaded([{ id: "a", size: 5 }]);
  store.markFailed("c", "gone");
  const picked = ["a", "b", "c"].map((id) => ({ ...item(id), source: "picker", json: `{"picked":"${id}"}` }));
  assert.deepEqual(store.saveBatch({ source: "picker", items: picked }), { added: 0, updated: 2, others: 1 });
  const rows = ["a", "b", "c"].map((id) => store.item(id)!);
  assert.deepEqual(rows.map((r) => [r.source, r.status, r.json]), [
    ["library", "downloaded", item("a").json],
    ["picker", "pending", '{"picked":"b"}'],
    ["picker", "pending", '{"picked":"c"}'],
  ]);
  assert.equal(store.pendingCount("picker"), 2);
  assert.equal(store.pendingCount("library"), 0);
});

Deno.test("Store.saveBatch: a path claimed for an item not downloaded yet is released when its date or name changes (it goes to its day now), kept otherwise", () => {
  using dir = tempDir();
  using store = Store.open(dir.path);
  const listed = ["a", "b", "c", "d", "e"].map((id) => ({ ...item(id), source: "library" }));
  store.saveBatch({ source: "library", items: listed });
  for (const { id } of listed) store.claimPath(id, `1970/01/01/${id}.jpg`);
  store.markDownloaded([{ id: "e", size: 5 }]);
  store.saveBatch({
    source: "library",
    items: [
      // A source's JSON holds its date and name: they change with it.
      { ...listed[0], createdMs: 86_400_000, json: '{"day":2}' }, // re-dated while pending
      { ...listed[1], filename: "renamed.jpg", json: '{"name":"renamed.jpg"}' }, // renamed while pending
      { ...listed[2], json: '{"description":"new"}' }, // other metadata: its path stands
      { ...listed[4], createdMs: 86_400_000, json: '{"day":2}' }, // downloaded: its file is moved instead (pendingRefiles)
    ],
  }, { noteRefiles: true });
  // Picked while pending with a corrected date: taken by the picker, released too.
  store.saveBatch({ source: "picker", items: [{ ...listed[3], source: "picker", createdMs: 86_400_000 }] });
  assert.deepEqual(["a", "b", "c", "d", "e"].map((id) => store.item(id)!.path), [
    null,
    null,
    "1970/01/01/c.jpg",
    null,
    "1970/01/01/e.jpg",
  ]);
  // Released, the path is free for another item.
  assert.ok(store.claimPath("c", "1970/01/01/a.jpg"));
});

Deno.test("a schema-4 sync.db is read as it is by a read-only command, and gains its index at the next write", () => {
  using dir = tempDir();
  Store.open(dir.path).close();
  const file = join(dir.path, DB_FILE);
  {
    const db = new DatabaseSync(file);
    db.exec(`DROP INDEX items_file_of; ${WITHOUT_SCHEMA_7} PRAGMA user_version = 4`);
    db.close();
  }
  {
    using reader = Store.open(dir.path, { readOnly: true });
    assert.deepEqual(reader.counts().items, 0);
  }
  Store.open(dir.path).close();
  assert.equal(userVersion(file), SCHEMA_VERSION);
  assert.deepEqual(
    query<{ name: string }>(file, "SELECT name FROM sqlite_master WHERE name = 'items_file_of'").length,
    1,
  );
});

Deno.test("Store.claimPath: names an exFAT or NTFS drive takes for one file (Greek σ and ς) are one path", () => {
  using dir = tempDir();
  using store = Store.open(dir.path);
  store.saveBatch({
    source: "library",
    items: ["a", "b"].map((id) => ({
      id,
      source: "library",
      filename: "x",
      createdMs: 0,
      isVideo: false,
      json: "{}",
    })),
  });
  assert.equal(store.claimPath("a", "2021/06/01/οδοσ1.jpg"), true);
  assert.equal(store.holdsPath("2021/06/01/ΟΔΟΣ1.jpg"), true);
  assert.equal(store.claimPath("b", "2021/06/01/ΟΔΟΣ1.jpg"), false);
  assert.equal(store.claimPath("b", "2021/06/01/οδος1.jpg"), false);
  assert.equal(store.claimPath("b", "2021/06/01/ΟΔΟΣ1 (tag).jpg"), true);
});

Deno.test("Store.open migrates a schema-5 sync.db: every path's key recomputed by the stronger fold; two paths that now fold together both kept", () => {
  using dir = tempDir();
  const file = join(dir.path, DB_FILE);
  const paths: Record<string, string> = {
    a: "2021/06/01/οδοσ1.jpg",
    b: "2021/06/01/ΟΔΟΣ1.jpg", // Placed beside a's by schema 5, on a drive that tells them apart.
    c: "2021/06/01/Straße.jpg",
    d: "2021/06/01/IMG_1.JPG",
  };
  {
    using store = Store.open(dir.path);
    store.saveBatch({
      source: "library",
      items: Object.keys(paths).map((id, n) => ({
        id,
        source: "library",
        filename: "x",
        createdMs: n,
        isVideo: false,
        json: "{}",
      })),
    });
  }
  // As schema 5 wrote them: lower case only.
  {
    using db = new DatabaseSync(file);
    const set = db.prepare("UPDATE items SET path = ?, path_key = ? WHERE id = ?");
    for (const [id, path] of Object.entries(paths)) set.run(path, path.normalize("NFC").toLowerCase(), id);
    db.exec(`${WITHOUT_SCHEMA_7} PRAGMA user_version = 5`);
  }
  assert.deepEqual(
    query<{ path_key: string }>(file, "SELECT path_key FROM items ORDER BY id").map((row) => row.path_key),
    ["2021/06/01/οδοσ1.jpg", "2021/06/01/οδος1.jpg", "2021/06/01/straße.jpg", "2021/06/01/img_1.jpg"],
  );
  {
    using store = Store.open(dir.path);
    assert.equal(userVersion(file), SCHEMA_VERSION);
    // Every row keeps its path and a key: of the two that fold together, b keeps its key (its old one is the
    // new one) and a its old one (a key left empty let another item claim b's path once a moved away).
    assert.deepEqual(Object.keys(paths).map((id) => store.item(id)?.path), Object.values(paths));
    assert.deepEqual(
      query<{ path_key: string }>(file, "SELECT path_key FROM items ORDER BY id").map((row) => row.path_key),
      ["2021/06/01/οδοσ1.jpg", "2021/06/01/οδος1.jpg", "2021/06/01/strasse.jpg", "2021/06/01/img_1.jpg"],
    );
    store.saveBatch({
      source: "library",
      items: [{ id: "e", source: "library", filename: "x", createdMs: 9, isVideo: false, json: "{}" }],
    });
    for (const path of ["2021/06/01/ΟΔΟΣ1.JPG", "2021/06/01/STRASSE.jpg", "2021/06/01/img_1.jpg"]) {
      assert.equal(store.claimPath("e", path), false, path);
    }
  }
});
