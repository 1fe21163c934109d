import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { PhotosyncError } from "./errors.ts";
import { DEFAULT_LAYOUT, layoutMapper, type PathItem, type PathMapper } from "./layout.ts";
import type { Logger } from "./logger.ts";
import { idTag } from "./names.ts";
import { type OnNewEntry, OutputTree, type TempFile } from "./output_tree.ts";
import { NO_LINKS_WARNING, Placer } from "./place.ts";
import { type ItemRow, Store } from "./store.ts";
import { testLogger } from "./test_logger.ts";
import { writeXmpSidecars } from "./xmp_sidecars.ts";
import { noSymlinks } from "./test_link_calls.ts";

const DAY = Date.parse("2020-01-01T12:00:00Z");

/** A store and output tree in a fresh folder, with `items` (id → file name, all on DAY) pending. */
async function fixture(items: Record<string, string>, pathMapper: PathMapper = layoutMapper(DEFAULT_LAYOUT)) {
  const root = await Deno.makeTempDir({ prefix: "photosync-place-test-" });
  const tree = new OutputTree(root);
  await tree.clearTemp();
  const store = Store.open(root);
  store.saveBatch({
    source: "library",
    items: Object.entries(items).map(([id, filename]) => ({
      id,
      source: "library",
      filename,
      createdMs: DAY,
      isVideo: false,
      json: "{}",
    })),
  });
  const logger = testLogger();
  const newPlacer = (onPlaced?: OnNewEntry) =>
    new Placer({ store, tree, pathMapper, logger, ...(onPlaced ? { onPlaced } : {}) });
  let staged = 0;
  return {
    root,
    tree,
    store,
    logger,
    newPlacer,
    rows: (...ids: string[]): ItemRow[] => ids.map((id) => store.item(id)!),
    /** A complete temporary file holding `text`. */
    stage: (text: string): Promise<TempFile> =>
      tree.writeTemp(ReadableStream.from([new TextEncoder().encode(text)]), { tempName: `${staged++}.part` }),
    read: (path: string) => Deno.readTextFile(join(root, path)),
    /** Settle and place `ids` (each file holding `photo <id>`, dated DAY), recorded. */
    async placeAll(placer: Placer, ...ids: string[]) {
      for (const row of placer.settle(ids.map((id) => store.item(id)!))) {
        await placer.place(row, await this.stage(`photo ${row.id}`), new Date(DAY));
      }
      placer.flush();
      return ids.map((id) => store.item(id)!.path!);
    },
    async write(path: string, text: string) {
      await Deno.mkdir(join(root, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    },
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Item `id` listed again by the Library with capture time `createdMs` (its date corrected in Google Photos). */
function redate(store: Store, id: string, filename: string, createdMs: number): void {
  store.saveBatch({
    source: "library",
    items: [{ id, source: "library", filename, createdMs, isVideo: false, json: '{"v":2}' }],
  });
}

Deno.test("Placer.settle: in the order given, the first item keeps the name, later ones get the id's tag, then the whole id", async () => {
  await using f = await fixture({ a: "IMG.jpg", b: "IMG.jpg", c: "img.JPG", d: "other.jpg" });
  using placer = f.newPlacer();
  const settled = placer.settle(f.rows("b", "a", "c", "d")).map((row) => row.path);
  assert.deepEqual(settled, [
    "2020/01/01/IMG.jpg",
    `2020/01/01/IMG (${idTag("a")}).jpg`,
    // Names that differ only in case are one file on macOS and Windows.
    `2020/01/01/img (${idTag("c")}).JPG`,
    "2020/01/01/other.jpg",
  ]);
  // Recorded: settling again (a later run) gives the same paths.
  assert.deepEqual(f.newPlacer().settle(f.rows("a", "b", "c", "d")).map((row) => row.path), [
    settled[1],
    settled[0],
    settled[2],
    settled[3],
  ]);
});

Deno.test("Placer.settle: the names of photosync's own files and folders (sync.db, the report page, …) are never an item's", async () => {
  await using f = await fixture(
    {
      a: "sync.db",
      b: ".photosync-tmp",
      c: "SYNC.DB-wal",
      d: "photosync-report.html",
      e: ".photosync-changed",
      f: "albums",
    },
    (item) => item.filename,
  );
  using placer = f.newPlacer();
  assert.deepEqual(placer.settle(f.rows("a", "b", "c", "d", "e", "f")).map((row) => row.path), [
    `sync (${idTag("a")}).db`,
    `.photosync-tmp (${idTag("b")})`,
    `SYNC (${idTag("c")}).DB-wal`,
    `photosync-report (${idTag("d")}).html`,
    `.photosync-changed (${idTag("e")})`,
    `albums (${idTag("f")})`,
  ]);
});

Deno.test("Placer.settle: a mapper's path must stay inside the output folder", async () => {
  for (const path of ["../x.jpg", "/etc/x.jpg", "a//x.jpg", "a/./x.jpg", "a\\..\\x.jpg", "a/"]) {
    await using f = await fixture({ a: "x.jpg" }, () => path);
    using placer = f.newPlacer();
    assert.throws(() => placer.settle(f.rows("a")), PhotosyncError, path);
    assert.equal(f.store.item("a")!.path, null, "nothing is claimed");
  }
});

Deno.test("Placer: a file sync.db does not record at the wanted path is the user's: kept, and the item takes the next name (said under --verbose)", async () => {
  await using f = await fixture({ a: "x.jpg", b: "x.jpg" });
  await f.write("2020/01/01/x.jpg", "the user's own");
  using placer = f.newPlacer();
  const [a, b] = placer.settle(f.rows("a", "b"));
  assert.equal(a.path, `2020/01/01/x (${idTag("a")}).jpg`);
  assert.equal(b.path, `2020/01/01/x (${idTag("b")}).jpg`);
  assert.deepEqual(f.logger.lines.verbose, [
    `kept 2020/01/01/x.jpg (not photosync's): a is saved as ${a.path}`,
    `kept 2020/01/01/x.jpg (not photosync's): b is saved as ${b.path}`,
  ]);
  assert.equal(await placer.place(a, await f.stage("photo a"), new Date(DAY)), a.path);
  assert.equal(await f.read("2020/01/01/x.jpg"), "the user's own");
  assert.equal(await f.read(a.path), "photo a");
});

Deno.test("Placer.place: a file that appears at a path this run claimed is not replaced; the item takes the next name", async () => {
  await using f = await fixture({ a: "x.jpg" });
  using placer = f.newPlacer();
  const [row] = placer.settle(f.rows("a"));
  assert.equal(row.path, "2020/01/01/x.jpg");
  await f.write(row.path, "the user's, put there meanwhile");
  const path = await placer.place(row, await f.stage("photo"), new Date(DAY));
  assert.equal(path, `2020/01/01/x (${idTag("a")}).jpg`);
  assert.equal(await f.read(row.path), "the user's, put there meanwhile");
  assert.equal(await f.read(path), "photo");
  placer.flush();
  assert.equal(f.store.item("a")!.path, path);
  assert.match(
    f.logger.lines.verbose.join("\n"),
    /kept 2020\/01\/01\/x\.jpg \(not photosync's\): a is saved as/,
  );
});

Deno.test("Placer.place: a file at a path an earlier run claimed with the item's bytes is its own (a crash before it was recorded) and is replaced; one with other bytes is moved aside, never overwritten", async () => {
  await using f = await fixture({ a: "x.jpg", b: "y.jpg" });
  {
    using earlier = f.newPlacer();
    earlier.settle(f.rows("a", "b"));
  }
  await f.write("2020/01/01/x.jpg", "photo a");
  await f.write("2020/01/01/y.jpg", "photo b, retouched");
  using placer = f.newPlacer();
  const [a, b] = placer.settle(f.rows("a", "b"));
  assert.equal(await placer.place(a, await f.stage("photo a"), new Date(DAY)), "2020/01/01/x.jpg");
  assert.equal(await f.read("2020/01/01/x.jpg"), "photo a");
  assert.deepEqual(f.logger.lines.warn, []);
  assert.equal(await placer.place(b, await f.stage("photo b"), new Date(DAY)), "2020/01/01/y.jpg");
  assert.equal(await f.read("2020/01/01/y.jpg"), "photo b");
  const [aside] = [...Deno.readDirSync(join(f.root, ".photosync-changed"))].map((entry) => entry.name);
  assert.equal(await f.read(`.photosync-changed/${aside}/2020/01/01/y.jpg`), "photo b, retouched");
  assert.deepEqual(f.logger.lines.warn, [
    `moved aside 2020/01/01/y.jpg -> .photosync-changed/${aside}/2020/01/01/y.jpg (not as photosync placed it: the changed bytes are kept there)`,
  ]);
});

Deno.test("Placer.place: the mtime is set; the item is recorded downloaded with its size and hash in batches, or on flush", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg" });
  using placer = f.newPlacer();
  const [a, b] = placer.settle(f.rows("a", "b"));
  const mtime = new Date("2019-12-31T23:59:58Z");
  await placer.place(a, await f.stage("12345"), mtime, "abc123");
  await placer.place(b, await f.stage("1"), mtime);
  assert.equal((await Deno.stat(join(f.root, a.path))).mtime?.getTime(), mtime.getTime());
  assert.deepEqual(f.rows("a", "b").map((row) => row.status), ["pending", "pending"]);
  placer.flush();
  const [recordedA, recordedB] = f.rows("a", "b");
  assert.deepEqual([recordedA.status, recordedA.size, recordedA.hash], ["downloaded", 5, "abc123"]);
  assert.deepEqual([recordedB.status, recordedB.size, recordedB.hash], ["downloaded", 1, null]);
});

Deno.test("Placer.linkAlbums: albums/<title>/<name> links to the member's file; a re-run keeps it; a name taken by another file gets the id's tag", async () => {
  await using f = await fixture({ a: "x.jpg", b: "y.jpg" });
  using placer = f.newPlacer();
  const [a, b] = placer.settle(f.rows("a", "b"));
  await placer.place(a, await f.stage("photo a"), new Date(DAY));
  await placer.place(b, await f.stage("photo b"), new Date(DAY));
  await f.write("albums/Trip/y.jpg", "the user's own");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a", "b"]);
  f.store.addToAlbum({ id: "out", source: "library", title: "../Out" }, ["a"]);
  const links = [{ album: "trip", id: "a" }, { album: "trip", id: "b" }, { album: "out", id: "a" }];
  await placer.linkAlbums(links);
  await placer.linkAlbums(links);
  assert.equal(await Deno.readLink(join(f.root, "albums/Trip/x.jpg")), "../../2020/01/01/x.jpg");
  assert.equal(await f.read("albums/Trip/y.jpg"), "the user's own");
  assert.equal(
    await Deno.readLink(join(f.root, `albums/Trip/y (${idTag("b")}).jpg`)),
    "../../2020/01/01/y.jpg",
  );
  // A title climbing out is only a folder name.
  assert.equal(await f.read("albums/Out/x.jpg"), "photo a");
  const trip = [...Deno.readDirSync(join(f.root, "albums/Trip"))].map((entry) => entry.name).sort();
  assert.deepEqual(trip, ["x.jpg", `y (${idTag("b")}).jpg`, "y.jpg"]);
});

/** Mark `albums` as the schema-6 → 7 migration leaves those an earlier version recorded: no folder, `earlier`. */
function asEarlierVersionRecorded(root: string, ...albums: string[]): void {
  using db = new DatabaseSync(join(root, "sync.db"));
  const mark = db.prepare("UPDATE albums SET folder = NULL, earlier = 1 WHERE id = ?");
  for (const album of albums) mark.run(album);
}

/** The names in folder `path` under `root`, sorted; none when it is not there. */
function namesIn(root: string, path: string): string[] {
  try {
    return [...Deno.readDirSync(join(root, path))].map((entry) => entry.name).sort();
  } catch {
    return [];
  }
}

Deno.test("Placer.linkAlbums, Placer.move: an album an earlier version linked in the folder its sanitiser named keeps that folder (found on disk, recorded): a member's link moves there, a new member's is made there; one recorded since gets the name of now; another whose title is made that name gets it tagged by its id", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg", d: "d.jpg" });
  using placer = f.newPlacer();
  const [a, b, c] = await f.placeAll(placer, "a", "b", "c", "d");
  // "COM¹" was no device name to the sanitiser before 2026-12-07, nor "AUX .x" (now both are given a "_").
  f.store.addToAlbum({ id: "com", source: "library", title: "COM¹" }, ["a", "b"]);
  f.store.addToAlbum({ id: "aux", source: "library", title: "AUX .x" }, ["c"]);
  asEarlierVersionRecorded(f.root, "com", "aux");
  for (const [folder, path] of [["COM¹", a], ["COM¹", b], ["AUX .x", c]]) {
    await Deno.mkdir(join(f.root, "albums", folder), { recursive: true });
    await Deno.symlink(`../../${path}`, join(f.root, "albums", folder, path.slice(11)));
  }
  // Both re-dated before any link is made (a Takeout sidecar read in the import, before its links).
  const later = Date.parse("2021-06-07T08:00:00Z");
  redate(f.store, "b", "b.jpg", later);
  redate(f.store, "c", "c.jpg", later);
  assert.equal(await placer.move("b", new Date(later)), "2021/06/07/b.jpg");
  assert.equal(await placer.move("c", new Date(later)), "2021/06/07/c.jpg");
  f.store.addToAlbum({ id: "com", source: "library", title: "COM¹" }, ["d"]);
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(namesIn(f.root, "albums"), ["AUX .x", "COM¹"]);
  assert.deepEqual(namesIn(f.root, "albums/COM¹"), ["a.jpg", "b.jpg", "d.jpg"]);
  assert.equal(Deno.readLinkSync(join(f.root, "albums/COM¹/b.jpg")), "../../2021/06/07/b.jpg");
  // Its only member's link told where it was (the album's other links are none to tell).
  assert.equal(Deno.readLinkSync(join(f.root, "albums/AUX .x/c.jpg")), "../../2021/06/07/c.jpg");
  assert.equal(f.store.album("com")?.folder, "COM¹");
  assert.equal(f.store.album("aux")?.folder, "AUX .x");

  // An album recorded since: the name of now, recorded as it is linked; another of a title made that name
  // gets it tagged by its id (looked up second: the members are linked in the order of the albums' titles).
  f.store.addToAlbum({ id: "new", source: "library", title: "COM¹" }, ["a"]);
  f.store.addToAlbum({ id: "same", source: "library", title: "COM¹." }, ["d"]);
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(namesIn(f.root, "albums/_COM¹"), ["a.jpg"]);
  assert.deepEqual(namesIn(f.root, `albums/_COM¹ (${idTag("same")})`), ["d.jpg"]);
  assert.equal(f.store.album("new")?.folder, "_COM¹");
  assert.equal(f.store.album("same")?.folder, `_COM¹ (${idTag("same")})`);
  // A folder recorded is where the album's links are made and moved, whatever its title is made now.
  f.store.addToAlbum({ id: "kept", source: "library", title: "COM¹" }, ["a"]);
  f.store.setAlbumFolder("kept", "COM¹ as it was");
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.equal(Deno.readLinkSync(join(f.root, "albums/COM¹ as it was/a.jpg")), `../../${a}`);
  redate(f.store, "a", "a.jpg", later);
  assert.equal(await placer.move("a", new Date(later)), "2021/06/07/a.jpg");
  for (const folder of ["COM¹", "COM¹ as it was", "_COM¹"]) {
    assert.equal(Deno.readLinkSync(join(f.root, "albums", folder, "a.jpg")), "../../2021/06/07/a.jpg");
  }
  assert.deepEqual(namesIn(f.root, "albums"), [
    "AUX .x",
    "COM¹",
    "COM¹ as it was",
    "_COM¹",
    `_COM¹ (${idTag("same")})`,
  ]);
});

Deno.test("Placer.linkAlbums: two albums whose titles are made one folder name (characters the sanitiser replaces, case, a long title's cut) each get a folder of their own, the second its name tagged by the album's id, recorded: the same in later runs; two albums of one title share one; albums an earlier version linked into one folder keep sharing it, their links kept", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg", d: "d.jpg", e: "e.jpg" });
  using placer = f.newPlacer();
  const [a, b, c, d] = await f.placeAll(placer, "a", "b", "c", "d", "e");
  const long = "x".repeat(300);
  const albums: [string, string, string[]][] = [
    ["colon", "Trip: 2024", ["a", "c"]],
    ["question", "Trip? 2024", ["b", "c"]],
    ["upper", "Summer", ["a"]],
    ["lower", "summer", ["b"]],
    ["long1", `${long} one`, ["a"]],
    ["long2", `${long} two`, ["b"]],
    // One title twice (members in both): one folder, as Google Photos shows two albums of one title (Takeout
    // names the second folder `Twice(1)`, and an increment may name either so).
    ["twice2", "Twice", ["b", "c"]],
    ["twice1", "Twice", ["a", "c"]],
  ];
  for (const [id, title, members] of albums) f.store.addToAlbum({ id, source: "library", title }, members);
  await placer.linkAlbums(f.store.albumMembers("library"));
  const cut = "x".repeat(255);
  const expected: Record<string, string> = {
    colon: "Trip_ 2024",
    question: `Trip_ 2024 (${idTag("question")})`,
    upper: "Summer",
    lower: `summer (${idTag("lower")})`,
    long1: cut,
    long2: `${"x".repeat(255 - ` (${idTag("long2")})`.length)} (${idTag("long2")})`,
    twice1: "Twice",
    twice2: "Twice",
  };
  const folders = () => Object.fromEntries(albums.map(([id]) => [id, f.store.album(id)?.folder]));
  assert.deepEqual(folders(), expected);
  const membersOf = (folder: string) =>
    [...new Set(albums.flatMap(([id, , members]) => expected[id] === folder ? members : []))].sort();
  for (const [id] of albums) {
    assert.deepEqual(
      namesIn(f.root, `albums/${expected[id]}`),
      membersOf(expected[id]).map((m) => `${m}.jpg`),
      id,
    );
  }
  assert.equal(Deno.readLinkSync(join(f.root, "albums", expected.question, "c.jpg")), `../../${c}`);

  // A later run (another placer) links into the recorded folders; a member of one album is never in the other.
  f.store.addToAlbum({ id: "question", source: "library", title: "Trip? 2024" }, ["e"]);
  using later = f.newPlacer();
  await later.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(folders(), expected);
  assert.deepEqual(namesIn(f.root, "albums/Trip_ 2024"), ["a.jpg", "c.jpg"]);
  assert.deepEqual(namesIn(f.root, `albums/${expected.question}`), ["b.jpg", "c.jpg", "e.jpg"]);
  // A photo in four of them re-dated: each album's link in its own folder follows it.
  redate(f.store, "c", "c.jpg", Date.parse("2021-06-07T08:00:00Z"));
  assert.equal(await later.move("c", new Date(Date.parse("2021-06-07T08:00:00Z"))), "2021/06/07/c.jpg");
  for (const folder of [expected.colon, expected.question, expected.twice1]) {
    assert.equal(
      Deno.readLinkSync(join(f.root, "albums", folder, "c.jpg")),
      "../../2021/06/07/c.jpg",
      folder,
    );
  }

  // Two albums an earlier version linked into one folder (it recorded no folders): both found there and kept
  // there, sharing it, every link in place; a third of that name, new, gets its own.
  f.store.addToAlbum({ id: "old1", source: "library", title: "Old: times" }, ["a"]);
  f.store.addToAlbum({ id: "old2", source: "library", title: "Old? times" }, ["b", "d"]);
  asEarlierVersionRecorded(f.root, "old1", "old2");
  await Deno.mkdir(join(f.root, "albums/Old_ times"), { recursive: true });
  for (const path of [a, b, d]) {
    await Deno.symlink(`../../${path}`, join(f.root, "albums/Old_ times", path.slice(11)));
  }
  f.store.addToAlbum({ id: "old3", source: "library", title: "Old* times" }, ["e"]);
  await later.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(
    ["old1", "old2", "old3"].map((id) => f.store.album(id)?.folder),
    ["Old_ times", "Old_ times", `Old_ times (${idTag("old3")})`],
  );
  assert.deepEqual(namesIn(f.root, "albums/Old_ times"), ["a.jpg", "b.jpg", "d.jpg"]);
  assert.deepEqual(namesIn(f.root, `albums/Old_ times (${idTag("old3")})`), ["e.jpg"]);
});

Deno.test("Placer.linkAlbums: two albums of one title whose name another album of another title has (`Trip: 2024`, then `Trip? 2024` twice) share one tagged folder, as two albums of one title share the plain one; later runs keep it", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg" });
  using placer = f.newPlacer();
  await f.placeAll(placer, "a", "b", "c");
  f.store.addToAlbum({ id: "colon", source: "library", title: "Trip: 2024" }, ["a"]);
  f.store.addToAlbum({ id: "q1", source: "library", title: "Trip? 2024" }, ["b"]);
  f.store.addToAlbum({ id: "q2", source: "library", title: "Trip? 2024" }, ["c"]);
  await placer.linkAlbums(f.store.albumMembers("library"));
  const tagged = `Trip_ 2024 (${idTag("q1")})`;
  assert.deepEqual(["colon", "q1", "q2"].map((id) => f.store.album(id)?.folder), [
    "Trip_ 2024",
    tagged,
    tagged,
  ]);
  assert.deepEqual(namesIn(f.root, `albums/${tagged}`), ["b.jpg", "c.jpg"]);
  assert.deepEqual(namesIn(f.root, "albums/Trip_ 2024"), ["a.jpg"]);
  // A later run (another placer), a third album of that title new since: the same folder.
  f.store.addToAlbum({ id: "q3", source: "library", title: "Trip? 2024" }, ["a"]);
  using later = f.newPlacer();
  await later.linkAlbums(f.store.albumMembers("library"));
  assert.equal(f.store.album("q3")?.folder, tagged);
  assert.deepEqual(namesIn(f.root, `albums/${tagged}`), ["a.jpg", "b.jpg", "c.jpg"]);
});

Deno.test("Placer.linkAlbums: in a folder whose files are stored elsewhere, an album an earlier version recorded gets the folder that version named (its links stored there), one recorded since the name of now", async () => {
  await using f = await fixture({ a: "a.jpg" });
  using placer = f.newPlacer();
  await f.placeAll(placer, "a");
  f.store.addToAlbum({ id: "com", source: "library", title: "COM¹" }, ["a"]);
  f.store.addToAlbum({ id: "new", source: "library", title: "LPT¹" }, ["a"]);
  asEarlierVersionRecorded(f.root, "com");
  using elsewhere = new Placer({
    store: f.store,
    tree: new OutputTree(f.root, { filesElsewhere: true }),
    pathMapper: layoutMapper(DEFAULT_LAYOUT),
    logger: f.logger,
  });
  await elsewhere.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(namesIn(f.root, "albums"), ["COM¹", "_LPT¹"]);
  assert.deepEqual([f.store.album("com")?.folder, f.store.album("new")?.folder], ["COM¹", "_LPT¹"]);
});

Deno.test("Placer.linkAlbums, Placer.move: on a drive making no links (exFAT) the photos stay placed, one warning, no album folder", async () => {
  await using f = await fixture({ a: "x.jpg", b: "y.jpg" });
  const noLinks = () => Promise.reject(new Error("Function not implemented (os error 38)"));
  const tree = new OutputTree(f.root, { linkCalls: { symlink: noLinks, link: noLinks } });
  using placer = new Placer({
    store: f.store,
    tree,
    pathMapper: layoutMapper(DEFAULT_LAYOUT),
    logger: f.logger,
  });
  await f.placeAll(placer, "a", "b");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a", "b"]);
  await placer.linkAlbums(f.store.albumMembers("library"));
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(f.logger.lines.warn, [NO_LINKS_WARNING]);
  assert.equal(await Deno.lstat(join(f.root, "albums")).catch(() => undefined), undefined);
  // Re-dated: the file moves, and its links (none) with it, without a second warning.
  const later = Date.parse("2021-06-07T08:00:00Z");
  redate(f.store, "a", "x.jpg", later);
  assert.equal(await placer.move("a", new Date(later)), "2021/06/07/x.jpg");
  assert.equal(await f.read("2021/06/07/x.jpg"), "photo a");
  assert.equal(await f.read("2020/01/01/y.jpg"), "photo b");
  assert.deepEqual(f.logger.lines.warn, [NO_LINKS_WARNING]);
});

/** A placer over `f`'s folder whose album links are hard links, telling each new entry to `told`. */
function hardLinkingPlacer(f: { root: string; store: Store; logger: Logger }, told: string[] = []): Placer {
  return new Placer({
    store: f.store,
    tree: new OutputTree(f.root, { linkCalls: noSymlinks }),
    pathMapper: layoutMapper(DEFAULT_LAYOUT),
    logger: f.logger,
    onPlaced: (path, entry) => told.push(`${entry} ${path}`),
  });
}

/** Whether `link` (under `root`) is a hard link to the file at `path`, not a symbolic link. */
function hardLinked(root: string, link: string, path: string): boolean {
  const [entry, file] = [Deno.lstatSync(join(root, link)), Deno.lstatSync(join(root, path))];
  return entry.isFile && entry.dev === file.dev && entry.ino === file.ino;
}

Deno.test("Placer.linkAlbums, Placer.move, Placer.remove: where links are hard links, a link made is found made (none tagged, none told new again); a moved file's link follows it; a removed item's link goes", async () => {
  await using f = await fixture({ a: "x.jpg", b: "y.jpg" });
  const told: string[] = [];
  using placer = hardLinkingPlacer(f, told);
  await f.placeAll(placer, "a", "b");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a", "b"]);
  await placer.linkAlbums(f.store.albumMembers("library"));
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(namesIn(f.root, "albums/Trip"), ["x.jpg", "y.jpg"]);
  assert.ok(hardLinked(f.root, "albums/Trip/x.jpg", "2020/01/01/x.jpg"));
  assert.ok(hardLinked(f.root, "albums/Trip/y.jpg", "2020/01/01/y.jpg"));
  assert.deepEqual(told.filter((line) => line.startsWith("link")), [
    "link albums/Trip/x.jpg",
    "link albums/Trip/y.jpg",
  ]);

  // Re-dated to a day where the user keeps an x.jpg: the file takes the tagged name, its link the same.
  const later = Date.parse("2021-06-07T08:00:00Z");
  await f.write("2021/06/07/x.jpg", "the user's own");
  redate(f.store, "a", "x.jpg", later);
  const moved = await placer.move("a", new Date(later));
  assert.equal(moved, `2021/06/07/x (${idTag("a")}).jpg`);
  assert.deepEqual(namesIn(f.root, "albums/Trip"), [`x (${idTag("a")}).jpg`, "y.jpg"]);
  assert.ok(hardLinked(f.root, `albums/Trip/x (${idTag("a")}).jpg`, moved!));
  // Re-dated within its name: the link is made again for the file where it is now.
  redate(f.store, "b", "y.jpg", later);
  assert.equal(await placer.move("b", new Date(later)), "2021/06/07/y.jpg");
  assert.deepEqual(namesIn(f.root, "albums/Trip"), [`x (${idTag("a")}).jpg`, "y.jpg"]);
  assert.ok(hardLinked(f.root, "albums/Trip/y.jpg", "2021/06/07/y.jpg"));
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.equal(namesIn(f.root, "albums/Trip").length, 2);

  await placer.remove("b");
  assert.deepEqual(namesIn(f.root, "albums/Trip"), [`x (${idTag("a")}).jpg`]);
  assert.equal(await f.read("2021/06/07/x.jpg"), "the user's own");
});

Deno.test("Placer.linkAlbums: where links are hard links, a file placed again (its changed bytes moved aside by verify --repair, or deleted and restored) gets its link back under its own name, no second one; a link that may hold the only copy of other bytes, and the user's own copy, stay", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg", d: "d.jpg" });
  using placer = hardLinkingPlacer(f);
  const [a, b, c, d] = await f.placeAll(placer, "a", "b", "c", "d");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a", "b", "c", "d"]);
  await placer.linkAlbums(f.store.albumMembers("library"));
  const link = (name: string) => `albums/Trip/${name}`;
  const tagged = (id: string) => `${id} (${idTag(id)}).jpg`;
  /** Place item `id`'s file again at its path, as a download or an import that restores it does. */
  const placeAgain = async (id: string) => {
    using again = hardLinkingPlacer(f);
    const row = f.store.item(id)!;
    await again.place({ ...row, path: row.path! }, await f.stage(`photo ${id}`), new Date(DAY));
    again.flush();
  };
  // a: changed in place (its link shares its bytes), moved aside as verify --repair does, placed again.
  await Deno.writeTextFile(join(f.root, a), "photo a, changed");
  const aside = await f.tree.moveAside(a, "2026-12-07T101010");
  await placeAgain("a");
  // b: deleted, restored: its link kept the old copy, the same bytes.
  await Deno.remove(join(f.root, b));
  await placeAgain("b");
  // c: changed in place and deleted (no copy aside): its link holds the only copy of those bytes.
  await Deno.writeTextFile(join(f.root, c), "photo c, changed");
  await Deno.remove(join(f.root, c));
  await placeAgain("c");
  // d: the user's own copy of the file put in place of its link (a time of its own).
  await Deno.remove(join(f.root, link("d.jpg")));
  await Deno.copyFile(join(f.root, d), join(f.root, link("d.jpg")));
  await Deno.utime(join(f.root, link("d.jpg")), new Date(DAY + 86_400_000), new Date(DAY + 86_400_000));

  await placer.linkAlbums(f.store.albumMembers("library"));
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(namesIn(f.root, "albums/Trip"), [
    "a.jpg",
    "b.jpg",
    tagged("c"),
    "c.jpg",
    tagged("d"),
    "d.jpg",
  ]);
  assert.ok(hardLinked(f.root, link("a.jpg"), a));
  assert.ok(hardLinked(f.root, link("b.jpg"), b));
  assert.ok(hardLinked(f.root, link(tagged("c")), c));
  assert.ok(hardLinked(f.root, link(tagged("d")), d));
  assert.equal(await f.read(aside), "photo a, changed");
  assert.equal(await f.read(link("c.jpg")), "photo c, changed");
  assert.equal(await f.read(link("d.jpg")), "photo d");
  assert.equal(await f.read(a), "photo a");

  // As a version before this one left it: the stale link kept and a second, tagged link to the file now.
  await Deno.writeTextFile(join(f.root, b), "photo b, changed");
  await f.tree.moveAside(b, "2026-12-07T111111");
  await placeAgain("b");
  await Deno.link(join(f.root, b), join(f.root, link(tagged("b"))));
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(namesIn(f.root, "albums/Trip").filter((name) => name.startsWith("b")), ["b.jpg"]);
  assert.ok(hardLinked(f.root, link("b.jpg"), b));
});

Deno.test("Placer.linkAlbums with replaceOnly (verify --repair): a stale hard link is linked to the file put back; a member with no entry in its album gets none, and an album never linked (imported with --albums none) no folder", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg" });
  using placer = hardLinkingPlacer(f);
  const [a, b, c] = await f.placeAll(placer, "a", "b", "c");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a", "b"]);
  f.store.addToAlbum({ id: "none", source: "library", title: "Never linked" }, ["c"]);
  await placer.linkAlbums(f.store.albumMembers("library").filter((m) => m.album === "trip" && m.id === "a"));
  // a: changed in place (its link shares its bytes), moved aside as verify --repair does, placed again.
  await Deno.writeTextFile(join(f.root, a), "photo a, changed");
  await f.tree.moveAside(a, "2026-12-07T101010");
  using again = hardLinkingPlacer(f);
  const row = f.store.item("a")!;
  await again.place({ ...row, path: row.path! }, await f.stage("photo a"), new Date(DAY));
  again.flush();

  await again.linkAlbums(f.store.albumMembers("library"), { replaceOnly: true });
  assert.deepEqual(namesIn(f.root, "albums"), ["Trip"]);
  assert.deepEqual(namesIn(f.root, "albums/Trip"), ["a.jpg"]);
  assert.ok(hardLinked(f.root, "albums/Trip/a.jpg", a));
  assert.equal(f.store.album("none")?.folder, null, "no folder claimed");
  assert.ok([b, c].every((path) => f.tree.occupied(path)));
});

Deno.test("Placer.linkAlbums: where links are hard links, a member whose file is not here (kept aside by verify --repair, or deleted) gets no link made, the others theirs; the link it had stays, until its file is back", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg" });
  using placer = hardLinkingPlacer(f);
  const [a, b, c] = await f.placeAll(placer, "a", "b", "c");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a", "b"]);
  await placer.linkAlbums(f.store.albumMembers("library"));
  await Deno.writeTextFile(join(f.root, a), "photo a, changed");
  const aside = await f.tree.moveAside(a, "2026-12-07T101010");
  await Deno.remove(join(f.root, b));
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["c"]);

  const { blocked, unlinkable } = await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual([blocked, unlinkable], [[], []]);
  assert.deepEqual(namesIn(f.root, "albums/Trip"), ["a.jpg", "b.jpg", "c.jpg"]);
  assert.ok(hardLinked(f.root, "albums/Trip/a.jpg", aside));
  assert.equal(await f.read("albums/Trip/b.jpg"), "photo b");
  assert.ok(hardLinked(f.root, "albums/Trip/c.jpg", c));
  assert.deepEqual(f.logger.lines.warn, []);
});

Deno.test("Placer.remove, Placer.move: where links are hard links, a link to a copy of the file that a new copy replaced since (kept aside by verify --repair, or the same bytes) goes with the item removed or moved (a moved one's made again where it is); a link that may hold the only copy of other bytes stays, said in one line; another member's link of the same name stays, unsaid", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg", m: "m.jpg", o: "a.jpg" });
  using placer = hardLinkingPlacer(f);
  const later = Date.parse("2021-06-07T08:00:00Z");
  // o: another a.jpg, of another day: its link in the album is tagged.
  redate(f.store, "o", "a.jpg", later);
  const [a, b, c, m, o] = await f.placeAll(placer, "a", "b", "c", "m", "o");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a", "b", "c", "m", "o"]);
  await placer.linkAlbums(f.store.albumMembers("library"));
  const link = (name: string) => `albums/Trip/${name}`;
  assert.deepEqual(namesIn(f.root, "albums/Trip"), [
    `a (${idTag("o")}).jpg`,
    "a.jpg",
    "b.jpg",
    "c.jpg",
    "m.jpg",
  ]);
  /** Place item `id`'s file again at its path, as a download that makes no album links does. */
  const placeAgain = async (id: string) => {
    using again = hardLinkingPlacer(f);
    const row = f.store.item(id)!;
    await again.place({ ...row, path: row.path! }, await f.stage(`photo ${id}`), new Date(row.createdMs));
    again.flush();
  };
  // a, m: changed in place (their links share their bytes), moved aside as verify --repair does, placed again.
  const aside: Record<string, string> = {};
  for (const [id, path] of [["a", a], ["m", m]]) {
    await Deno.writeTextFile(join(f.root, path), `photo ${id}, changed`);
    aside[id] = await f.tree.moveAside(path, "2026-12-07T101010");
    await placeAgain(id);
  }
  // b: deleted, placed again: its link kept the old copy, the same bytes.
  await Deno.remove(join(f.root, b));
  await placeAgain("b");
  // c: changed in place and deleted (no copy aside): its link holds the only copy of those bytes.
  await Deno.writeTextFile(join(f.root, c), "photo c, changed");
  await Deno.remove(join(f.root, c));
  await placeAgain("c");

  // o's own link goes; a's, of the name o's would have, is no concern of o's.
  await placer.remove("o");
  assert.equal(await Deno.lstat(join(f.root, o)).catch(() => undefined), undefined);
  assert.deepEqual(namesIn(f.root, "albums/Trip"), ["a.jpg", "b.jpg", "c.jpg", "m.jpg"]);
  assert.deepEqual(f.logger.lines.warn, []);

  for (const id of ["a", "b", "c"]) await placer.remove(id);
  assert.deepEqual(namesIn(f.root, "albums/Trip"), ["c.jpg", "m.jpg"]);
  assert.equal(await f.read(link("c.jpg")), "photo c, changed");
  assert.equal(await f.read(aside.a), "photo a, changed");
  assert.deepEqual(f.logger.lines.warn, [
    `kept ${
      link("c.jpg")
    }: not a link to ${c} as it is now (an older copy of it, or a file of yours), and its ` +
    "photo left the backup; delete it yourself if you do not want it in the album",
  ]);

  // m re-dated: its link is made again for the file where it is now, in place of the stale one.
  redate(f.store, "m", "m.jpg", later);
  const moved = await placer.move("m", new Date(later));
  assert.equal(moved, "2021/06/07/m.jpg");
  assert.deepEqual(namesIn(f.root, "albums/Trip"), ["c.jpg", "m.jpg"]);
  assert.ok(hardLinked(f.root, link("m.jpg"), moved!));
  assert.equal(await f.read(link("m.jpg")), "photo m");
  assert.equal(await f.read(aside.m), "photo m, changed");
  assert.equal(f.logger.lines.warn.length, 1);
});

Deno.test("Placer.linkAlbums: an album an earlier version linked with hard links in the folder its sanitiser named keeps that folder (found by its links)", async () => {
  await using f = await fixture({ a: "a.jpg" });
  using placer = hardLinkingPlacer(f);
  const [a] = await f.placeAll(placer, "a");
  f.store.addToAlbum({ id: "com", source: "library", title: "COM¹" }, ["a"]);
  asEarlierVersionRecorded(f.root, "com");
  await Deno.mkdir(join(f.root, "albums/COM¹"), { recursive: true });
  await Deno.link(join(f.root, a), join(f.root, "albums/COM¹/a.jpg"));
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(namesIn(f.root, "albums"), ["COM¹"]);
  assert.deepEqual(namesIn(f.root, "albums/COM¹"), ["a.jpg"]);
  assert.equal(f.store.album("com")?.folder, "COM¹");
});

Deno.test("Placer.linkAlbums: a member's second link under its tagged name, to the file its plain name links to (an earlier version's, made at each import where links are hard links), is removed; a tagged link beside something else, a tagged copy, and a tagged symbolic link beside the plain one stay", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg", d: "d.jpg" });
  using placer = hardLinkingPlacer(f);
  const [a, b, c, d] = await f.placeAll(placer, "a", "b", "c", "d");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a", "b", "c", "d"]);
  const at = (name: string) => join(f.root, "albums/Trip", name);
  const tagged = (id: string) => `${id} (${idTag(id)}).jpg`;
  await Deno.mkdir(join(f.root, "albums/Trip"), { recursive: true });
  // a: both names hard links to its file, as the earlier version left them.
  await Deno.link(join(f.root, a), at("a.jpg"));
  await Deno.link(join(f.root, a), at(tagged("a")));
  // b: the plain name a symbolic link made once the user's b.jpg there was gone, the tagged one made before:
  // not looked for (a folder of symbolic links is looked at no more than before).
  await Deno.symlink(`../../${b}`, at("b.jpg"));
  await Deno.symlink(`../../${b}`, at(tagged("b")));
  // c: the user's own c.jpg, and c's link under the tagged name.
  await Deno.writeTextFile(at("c.jpg"), "the user's own");
  await Deno.link(join(f.root, c), at(tagged("c")));
  // d: its link, and a copy of the file (not a link to it) under d's tagged name.
  await Deno.link(join(f.root, d), at("d.jpg"));
  await Deno.copyFile(join(f.root, d), at(tagged("d")));
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual(namesIn(f.root, "albums/Trip"), [
    "a.jpg",
    tagged("b"),
    "b.jpg",
    tagged("c"),
    "c.jpg",
    tagged("d"),
    "d.jpg",
  ]);
  assert.ok(hardLinked(f.root, "albums/Trip/a.jpg", a));
  assert.equal(await f.read(a), "photo a");
  assert.equal(Deno.readLinkSync(at("b.jpg")), `../../${b}`);
  assert.equal(await f.read("albums/Trip/c.jpg"), "the user's own");
  assert.ok(hardLinked(f.root, `albums/Trip/${tagged("c")}`, c));
  assert.deepEqual(f.logger.lines.verbose.filter((line) => line.startsWith("removed")), [
    `removed albums/Trip/${tagged("a")}: a second link to ${a}, as albums/Trip/a.jpg is`,
  ]);
});

Deno.test("Placer.move: to the path its row maps to now, with the new mtime, by the collision rule, never over a file; album links follow; told with the path it left, while the file is at both", async () => {
  await using f = await fixture({ a: "x.jpg", b: "x.jpg", c: "c.jpg" });
  const told: [string, string, string | undefined, boolean][] = [];
  using placer = f.newPlacer((path, entry, from) =>
    told.push([path, entry, from, from !== undefined && f.tree.occupied(from)])
  );
  await f.placeAll(placer, "a", "b", "c");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a"]);
  await placer.linkAlbums([{ album: "trip", id: "a" }]);
  // `a` is re-dated to a day where the user keeps an x.jpg of their own: it takes the tagged name.
  const later = Date.parse("2021-06-07T08:00:00Z");
  await f.write("2021/06/07/x.jpg", "the user's own");
  redate(f.store, "a", "x.jpg", later);
  const moved = await placer.move("a", new Date(later));
  assert.equal(moved, `2021/06/07/x (${idTag("a")}).jpg`);
  assert.equal(f.store.item("a")!.path, moved);
  assert.equal(await f.read(moved), "photo a");
  assert.equal(await f.read("2021/06/07/x.jpg"), "the user's own");
  assert.equal((await Deno.stat(join(f.root, moved))).mtime?.getTime(), later);
  assert.equal(await Deno.lstat(join(f.root, "2020/01/01/x.jpg")).catch(() => undefined), undefined);
  assert.deepEqual(told.filter(([, entry]) => entry === "moved"), [[
    moved,
    "moved",
    "2020/01/01/x.jpg",
    true,
  ]]);
  // The link went with the file: only the new one is there (the next linking keeps it).
  assert.deepEqual([...Deno.readDirSync(join(f.root, "albums/Trip"))].map((entry) => entry.name), [
    `x (${idTag("a")}).jpg`,
  ]);
  assert.equal(await f.read(`albums/Trip/x (${idTag("a")}).jpg`), "photo a");
  await placer.linkAlbums(f.store.albumMembers("library"));
  assert.deepEqual([...Deno.readDirSync(join(f.root, "albums/Trip"))].length, 1);
  // `b`, tagged on the first day, may now have the plain name there; a move to its own path only sets the time.
  assert.equal(f.store.item("b")!.path, `2020/01/01/x (${idTag("b")}).jpg`);
  assert.equal(await placer.move("b", new Date(DAY + 1000)), "2020/01/01/x.jpg");
  assert.equal(await placer.move("c", new Date(DAY + 2000)), "2020/01/01/c.jpg");
  assert.equal((await Deno.stat(join(f.root, "2020/01/01/c.jpg"))).mtime?.getTime(), DAY + 2000);
});

Deno.test("Placer.move: where the file is is noted in the claim's transaction: a move stopped after its claim (a folder the file system refuses) leaves the row at the new path and a note naming the file's, which the next move takes it from; the file gone by then (stored elsewhere), the note still names where the copy is; a move whose file arrives leaves no note, whoever made it", async () => {
  const later = Date.parse("2021-06-07T08:00:00Z");
  // While blocked, the mapper puts the new day under a folder name too long for the file system: the move
  // fails after the claim, as a kill at that moment leaves it.
  const state = { blocked: true };
  const layout = layoutMapper(DEFAULT_LAYOUT);
  const blocked = "x".repeat(300);
  const pathMapper = (item: PathItem) =>
    state.blocked && item.createdMs === later ? `${blocked}/${item.filename}` : layout(item);
  await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg" }, pathMapper);
  {
    using placer = f.newPlacer();
    await f.placeAll(placer, "a", "b", "c");
    for (const id of ["a", "b"]) {
      redate(f.store, id, `${id}.jpg`, later);
      await assert.rejects(placer.move(id, new Date(later)), /cannot create folder/);
    }
  }
  assert.deepEqual(f.rows("a", "b").map((row) => row.path), [`${blocked}/a.jpg`, `${blocked}/b.jpg`]);
  assert.deepEqual([await f.read("2020/01/01/a.jpg"), await f.read("2020/01/01/b.jpg")], [
    "photo a",
    "photo b",
  ]);
  const notes = [{ id: "a", was: "2020/01/01/a.jpg" }, { id: "b", was: "2020/01/01/b.jpg" }];
  assert.deepEqual(f.store.pendingRefiles(), notes);
  // The next run: b's file was stored elsewhere since (a CI job's folder holds only its run's new files).
  state.blocked = false;
  await Deno.remove(join(f.root, "2020/01/01/b.jpg"));
  using placer = f.newPlacer();
  assert.equal(await placer.move("a", new Date(later), "2020/01/01/a.jpg"), "2021/06/07/a.jpg");
  assert.equal(await f.read("2021/06/07/a.jpg"), "photo a");
  assert.equal(await placer.move("b", new Date(later), "2020/01/01/b.jpg"), undefined);
  // a's note went as its file arrived; b's, noted before this move, is the caller's (its copy is still at its
  // old day).
  assert.deepEqual(f.store.pendingRefiles(), [notes[1]]);
  redate(f.store, "c", "c.jpg", later);
  assert.equal(await placer.move("c", new Date(later)), "2021/06/07/c.jpg");
  assert.deepEqual(f.store.pendingRefiles(), [notes[1]]);
  assert.deepEqual(f.store.secondNames(), [], "the names the files left are gone");
  assert.deepEqual(
    ["2020/01/01/a.jpg", "2020/01/01/c.jpg"].map((path) => f.tree.occupied(path)),
    [false, false],
    "moved, not copied",
  );
});

/**
 * The folder at `path` append-only until disposed (`chattr +a`, as root): names are made in it, none removed, as a
 * move that hard-links its file elsewhere then fails to remove the old name finds it.
 */
async function appendOnly(path: string): Promise<AsyncDisposable> {
  const chattr = async (flag: string) => {
    const { code, stderr } = await new Deno.Command("chattr", { args: [flag, path], stderr: "piped" })
      .output();
    assert.equal(code, 0, `chattr ${flag} ${path}: ${new TextDecoder().decode(stderr)}`);
  };
  await chattr("+a");
  return { [Symbol.asyncDispose]: () => chattr("-a") };
}

Deno.test({
  name:
    "Placer.move, Placer.finishMoves: a moved file whose old name cannot be removed (its folder append-only: the state a kill between the hard link at the new path and the old name's removal leaves) is at both, one file, said and noted as a second name, no note of a file at its old day; the next run removes the old name, and only where it is still that very file: the user's own put there since stays",
  // `chattr +a` needs root.
  ignore: Deno.uid() !== 0,
  async fn() {
    await using f = await fixture({ a: "a.jpg", b: "b.jpg" });
    const later = Date.parse("2021-06-07T08:00:00Z");
    {
      using placer = f.newPlacer();
      await f.placeAll(placer, "a", "b");
      await using _ = await appendOnly(join(f.root, "2020/01/01"));
      for (const id of ["a", "b"]) {
        redate(f.store, id, `${id}.jpg`, later);
        assert.equal(await placer.move(id, new Date(later)), `2021/06/07/${id}.jpg`);
        assert.ok(f.tree.secondName(`2020/01/01/${id}.jpg`, `2021/06/07/${id}.jpg`), "one file, two names");
      }
    }
    assert.deepEqual(f.rows("a", "b").map((row) => row.path), ["2021/06/07/a.jpg", "2021/06/07/b.jpg"]);
    assert.deepEqual(f.store.pendingRefiles(), [], "no note of a file at its old day");
    assert.deepEqual(f.store.secondNames(), [
      { path: "2020/01/01/a.jpg", id: "a" },
      { path: "2020/01/01/b.jpg", id: "b" },
    ]);
    assert.equal(f.logger.lines.warn.length, 2);
    assert.match(
      f.logger.lines.warn[0],
      /^2020\/01\/01\/a\.jpg stays, a second name of 2021\/06\/07\/a\.jpg \(the file moved there; cannot remove .*\); the next run removes it$/,
    );
    // Before the next run, b's old name is the user's own file.
    await Deno.remove(join(f.root, "2020/01/01/b.jpg"));
    await f.write("2020/01/01/b.jpg", "the user's own");

    using placer = f.newPlacer();
    assert.equal(await placer.finishMoves(), 1);
    assert.equal(f.tree.occupied("2020/01/01/a.jpg"), false);
    assert.equal(await f.read("2021/06/07/a.jpg"), "photo a");
    assert.equal(await f.read("2020/01/01/b.jpg"), "the user's own");
    assert.equal(await f.read("2021/06/07/b.jpg"), "photo b");
    assert.deepEqual(f.store.secondNames(), []);
    assert.equal(await placer.finishMoves(), 0);
  },
});

Deno.test({
  name:
    "Placer.finishMoves: where links are hard links, a moved file's old name that cannot be removed (its folder append-only) leaves its album link as the move made it: each later run neither removes nor makes it again (nor tells it new)",
  // `chattr +a` needs root.
  ignore: Deno.uid() !== 0,
  async fn() {
    await using f = await fixture({ a: "a.jpg" });
    const later = Date.parse("2021-06-07T08:00:00Z");
    const told: string[] = [];
    {
      using placer = hardLinkingPlacer(f, told);
      await f.placeAll(placer, "a");
      f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a"]);
      await placer.linkAlbums(f.store.albumMembers("library"));
    }
    await using _ = await appendOnly(join(f.root, "2020/01/01"));
    {
      using placer = hardLinkingPlacer(f, told);
      redate(f.store, "a", "a.jpg", later);
      assert.equal(await placer.move("a", new Date(later)), "2021/06/07/a.jpg");
    }
    assert.ok(f.tree.secondName("2020/01/01/a.jpg", "2021/06/07/a.jpg"));
    assert.ok(hardLinked(f.root, "albums/Trip/a.jpg", "2021/06/07/a.jpg"));
    const link = Deno.lstatSync(join(f.root, "albums/Trip/a.jpg"));
    told.length = 0;
    for (const run of [1, 2]) {
      using placer = hardLinkingPlacer(f, told);
      assert.equal(await placer.finishMoves(), 0, `run ${run}`);
    }
    assert.deepEqual(told, [], "no album link told new");
    const after = Deno.lstatSync(join(f.root, "albums/Trip/a.jpg"));
    assert.deepEqual([after.ino, after.birthtime], [link.ino, link.birthtime], "the very link the move made");
    assert.deepEqual(f.store.secondNames(), [{ path: "2020/01/01/a.jpg", id: "a" }]);
  },
});

Deno.test({
  name:
    "Placer.remove, Placer.finishMoves: a moved file's old name that could not be removed (its folder append-only), of a photo removed from the backup (trashed) or to be fetched again, goes where it is photosync's copy (the recorded sha256 and size, the capture time as its mtime); the user's own file there stays, and so does a name no row identifies any more, said in one line",
  // `chattr +a` needs root.
  ignore: Deno.uid() !== 0,
  async fn() {
    await using f = await fixture({ a: "a.jpg", b: "b.jpg", c: "c.jpg", d: "d.jpg", e: "e.jpg" });
    const later = Date.parse("2021-06-07T08:00:00Z");
    const ids = ["a", "b", "c", "d", "e"];
    {
      using placer = f.newPlacer();
      // Placed with their hashes recorded, as downloads and imports record them.
      for (const row of placer.settle(f.rows(...ids))) {
        const text = `photo ${row.id}`;
        await placer.place(
          row,
          await f.stage(text),
          new Date(DAY),
          createHash("sha256").update(text).digest("hex"),
        );
      }
      placer.flush();
      await using _ = await appendOnly(join(f.root, "2020/01/01"));
      for (const id of ids) {
        redate(f.store, id, `${id}.jpg`, later);
        assert.equal(await placer.move(id, new Date(later)), `2021/06/07/${id}.jpg`);
      }
      // b is trashed while its old name still cannot be removed: its row goes, no later run could tell the
      // name is photosync's copy, so it is said to stay for good.
      f.logger.lines.warn.length = 0;
      assert.equal(await placer.remove("b"), "removed");
      assert.equal(f.logger.lines.warn.length, 1, f.logger.lines.warn.join("\n"));
      assert.match(
        f.logger.lines.warn[0],
        /^2020\/01\/01\/b\.jpg stays, photosync's copy of a photo no longer in the backup under a name a move left \(.*\); delete it yourself if you do not want it$/,
      );
    }
    assert.deepEqual(f.store.secondNames().map((name) => name.id), ["a", "c", "d", "e"]);
    using placer = f.newPlacer();
    // a trashed: both its names go, with its row.
    assert.equal(await placer.remove("a"), "removed");
    assert.equal(f.tree.occupied("2020/01/01/a.jpg"), false);
    assert.equal(f.tree.occupied("2021/06/07/a.jpg"), false);
    // c and d to be fetched again (their rows pending), their files at the new day gone; d's old name now the
    // user's own file of the same size.
    f.store.requeue(["c", "d"]);
    for (const id of ["c", "d"]) await Deno.remove(join(f.root, `2021/06/07/${id}.jpg`));
    await Deno.remove(join(f.root, "2020/01/01/d.jpg"));
    await f.write("2020/01/01/d.jpg", "mine d!");
    // e's row gone by an earlier version's removal, which left the note: nothing identifies its bytes.
    f.store.removeItem("e");
    f.logger.lines.warn.length = 0;
    assert.equal(await placer.finishMoves(), 1);
    assert.equal(f.tree.occupied("2020/01/01/c.jpg"), false);
    assert.equal(await f.read("2020/01/01/d.jpg"), "mine d!");
    assert.equal(await f.read("2020/01/01/e.jpg"), "photo e");
    assert.equal(f.logger.lines.warn.length, 1, f.logger.lines.warn.join("\n"));
    assert.equal(
      f.logger.lines.warn[0],
      "2020/01/01/e.jpg stays: the old name of a moved photo no longer in the backup, and sync.db records no " +
        "hash of its bytes to tell it is photosync's copy: delete it yourself if you do not want it",
    );
    assert.deepEqual(f.store.secondNames(), []);
    assert.equal(await placer.finishMoves(), 0);
  },
});

Deno.test("Placer.move with `was`: a move stopped as its file arrived (at both names, its note still naming the old: a run stopped between the list of new files and sync.db, or an earlier version's, which noted nothing else) is finished by the next run's move from there: the old name goes, the album link follows the file", async () => {
  await using f = await fixture({ a: "a.jpg" });
  const later = Date.parse("2021-06-07T08:00:00Z");
  {
    using placer = f.newPlacer();
    await f.placeAll(placer, "a");
    f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a"]);
    await placer.linkAlbums(f.store.albumMembers("library"));
  }
  redate(f.store, "a", "a.jpg", later);
  f.store.refileFrom("a", "2020/01/01/a.jpg");
  {
    // The run stops as the file arrives, where the list of new files is told (a kill at that moment).
    using placer = f.newPlacer((_, entry) => {
      if (entry === "moved") throw new Error("stopped");
    });
    await assert.rejects(placer.move("a", new Date(later), "2020/01/01/a.jpg"), /stopped/);
  }
  assert.ok(f.tree.secondName("2020/01/01/a.jpg", "2021/06/07/a.jpg"));
  assert.equal(f.store.item("a")!.path, "2021/06/07/a.jpg");
  assert.deepEqual(f.store.pendingRefiles(), [{ id: "a", was: "2020/01/01/a.jpg" }]);
  assert.equal(Deno.readLinkSync(join(f.root, "albums/Trip/a.jpg")), "../../2020/01/01/a.jpg");

  // The next run resumes from the note (as `refileRedated` does).
  using placer = f.newPlacer();
  assert.equal(await placer.move("a", new Date(later), "2020/01/01/a.jpg"), "2021/06/07/a.jpg");
  assert.equal(f.tree.occupied("2020/01/01/a.jpg"), false);
  assert.equal(await f.read("2021/06/07/a.jpg"), "photo a");
  assert.equal(Deno.readLinkSync(join(f.root, "albums/Trip/a.jpg")), "../../2021/06/07/a.jpg");
  assert.deepEqual(f.store.secondNames(), []);
});

Deno.test("Placer.remove: the item's file (only with its recorded size), its links and its row go", async () => {
  await using f = await fixture({ a: "a.jpg", b: "b.jpg" });
  using placer = f.newPlacer();
  const [a, b] = await f.placeAll(placer, "a", "b");
  f.store.addToAlbum({ id: "trip", source: "library", title: "Trip" }, ["a"]);
  await placer.linkAlbums([{ album: "trip", id: "a" }]);
  await placer.remove("a");
  assert.equal(f.store.item("a"), undefined);
  assert.equal(await Deno.lstat(join(f.root, a)).catch(() => undefined), undefined);
  assert.deepEqual([...Deno.readDirSync(join(f.root, "albums/Trip"))], []);
  // Someone put another file at b's path: it is not ours to remove.
  await f.write(b, "someone else's, longer");
  await placer.remove("b");
  assert.equal(f.store.item("b"), undefined);
  assert.equal(await f.read(b), "someone else's, longer");
});

Deno.test("Placer.remove: a file that items of other sources share stays; one of them holds it, at its own day; only the removed item's row, album links and XMP sidecar go", async () => {
  // `t` a Takeout import's file, which a pick (`p`) and another source's item (`q`) downloaded the same bytes of.
  await using f = await fixture({});
  using placer = f.newPlacer();
  const later = Date.parse("2021-06-07T08:00:00Z");
  const row = (id: string, source: string, createdMs: number) => ({
    id,
    source,
    filename: "x.jpg",
    createdMs,
    isVideo: false,
    json: "{}",
  });
  f.store.saveBatch({ source: "takeout", items: [row("t", "takeout", DAY)] });
  f.store.saveBatch({ source: "picker", items: [row("p", "picker", later), row("q", "picker", later)] });
  const [was] = await f.placeAll(placer, "t");
  const { size, hash } = { size: "photo t".length, hash: "feed" };
  f.store.markSameFile("p", "t", size, hash);
  f.store.markSameFile("q", "t", size, hash);
  f.store.addToAlbum({ id: "old", source: "takeout", title: "Old" }, ["t"]);
  f.store.addToAlbum({ id: "trip", source: "picker", title: "Trip" }, ["p"]);
  await placer.linkAlbums(f.store.albumMembers("takeout"));
  await placer.linkAlbums(f.store.albumMembers("picker"));
  await writeXmpSidecars({ store: f.store, tree: f.tree, logger: f.logger });
  assert.match(await f.read(`${was}.xmp`), /photosync:ItemId="t"/);

  await placer.remove("t");
  assert.equal(f.store.item("t"), undefined);
  // `p` holds the file now, moved to the day its date maps to (nothing noted left to move).
  const held = f.store.item("p")!;
  assert.deepEqual(
    [held.path, held.fileOf, held.status, held.size],
    ["2021/06/07/x.jpg", null, "downloaded", size],
  );
  assert.equal(await f.read(held.path!), "photo t");
  assert.equal((await Deno.stat(join(f.root, held.path!))).mtime?.getTime(), later);
  assert.equal(await Deno.lstat(join(f.root, was)).catch(() => undefined), undefined);
  assert.equal(f.store.item("q")!.fileOf, "p");
  assert.deepEqual(f.store.pendingRefiles(), []);
  // The removed item's album link went; the sharer's followed the file.
  assert.deepEqual([...Deno.readDirSync(join(f.root, "albums/Old"))], []);
  assert.equal(await f.read("albums/Trip/x.jpg"), "photo t");
  // Its XMP sidecar went with it; the next pass writes the holder's.
  assert.equal(await Deno.lstat(join(f.root, `${was}.xmp`)).catch(() => undefined), undefined);
  await writeXmpSidecars({ store: f.store, tree: f.tree, logger: f.logger });
  assert.match(await f.read(`${held.path}.xmp`), /photosync:ItemId="p"/);
  assert.deepEqual(f.logger.lines.info.filter((line) => line.startsWith("kept")), [
    `kept ${was}: the picker item p has the same bytes`,
  ]);

  // An item sharing another's file has none to remove: its row goes, the holder's file stays.
  await placer.remove("q");
  assert.equal(f.store.item("q"), undefined);
  assert.equal(await f.read(held.path!), "photo t");
  assert.equal(f.store.item("p")!.path, held.path);
});
