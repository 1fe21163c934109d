/**
 * One photo from two sources is one file (`file_of` in `sync.db`): what one source does to its item
 * never takes the file from the other's. The CLI as a child process against the emulator.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fixtureItem, mediaBytes } from "../testing/library_fixture.ts";
import { type CliResult, listFiles, runPhotosync, TestEnv } from "../testing/harness.ts";
import { copyBackup } from "../testing/takeout/backup_state.ts";
import { expectedPath } from "../testing/asserts.ts";

const photo = fixtureItem("AF1QipShared0000000000001", "IMG_1.jpg", "2020-05-01T10:00:00Z");

/** The rows of `sync.db`, as plain objects. */
function query(dir: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  try {
    return db.prepare(sql).all().map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

/**
 * Two parts of one export, extracted: the photo (in the trash folder) without its sidecar in part 1, and
 * in part 2 the sidecar, which says it is in the trash (`trashed`).
 */
async function trashedAcrossParts(root: string): Promise<[string, string]> {
  const parts = [1, 2].map((n) => join(root, `takeout-20250101T000000Z-00${n}`)) as [string, string];
  const trash = "Takeout/Google Photos/Trash";
  for (const part of parts) await Deno.mkdir(join(part, trash), { recursive: true });
  await Deno.writeFile(join(parts[0], trash, photo.filename), mediaBytes(photo));
  const seconds = String(Date.parse(photo.creationTime) / 1000);
  const time = { timestamp: seconds, formatted: "" };
  await Deno.writeTextFile(
    join(parts[1], trash, `${photo.filename}.supplemental-metadata.json`),
    JSON.stringify({ title: photo.filename, photoTakenTime: time, creationTime: time, trashed: true }),
  );
  return parts;
}

/**
 * After the sidecar that trashes the Takeout item: the other source's item holds the one file, intact (as a
 * verify run now finds it, or `verified`: a verify --repair that ran last, which checks before it repairs).
 */
async function assertKeptFor(env: TestEnv, source: string, verified?: CliResult) {
  assert.deepEqual(query(env.dir, "SELECT id, source, status, path, file_of FROM items"), [
    { id: photo.id, source, status: "downloaded", path: expectedPath(photo), file_of: null },
  ]);
  assert.deepEqual((await listFiles(env.dir)).filter((path) => /^\d{4}\//.test(path)), [expectedPath(photo)]);
  assert.deepEqual(await Deno.readFile(join(env.dir, expectedPath(photo))), mediaBytes(photo));
  const verify = verified ?? await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stderr, /verified 1 file .*: all intact$/m);
}

/**
 * Part 1 of {@link trashedAcrossParts} imported into a folder of its own, once, by the first test that asks:
 * the tests that start there change a copy ({@link copyBackup}), and import part 2 from beside it.
 */
let part1Imported: Promise<{ dir: string; parts: [string, string] }> | undefined;
let part1Root: string | undefined;
Deno.test.afterAll?.(async () => {
  if (part1Root) await Deno.remove(part1Root, { recursive: true });
});
function importedPart1(): Promise<{ dir: string; parts: [string, string] }> {
  return part1Imported ??= (async () => {
    part1Root = await Deno.makeTempDir({ prefix: "photosync-shared-file-" });
    const parts = await trashedAcrossParts(part1Root);
    const dir = join(part1Root, "photos");
    const first = await runPhotosync(["takeout", `--dir=${dir}`, parts[0]]);
    assert.equal(first.code, 0, first.stderr);
    return { dir, parts };
  })();
}

/** The run's summary (and its report file) say the trashed photo's file was kept, not removed. */
function assertTrashKept(stderr: string) {
  assert.match(
    stderr,
    /^ {2}0 missing or changed files restored, 0 files re-dated by a sidecar found now, 0 files removed as trash, 1 trashed file kept for an item of another source \(same bytes\)$/m,
  );
  const report = /every entry, one line each: (\S+)/.exec(stderr)?.[1];
  assert.ok(report, stderr);
  assert.match(
    Deno.readTextFileSync(report),
    /\/IMG_1\.jpg\tkept\t[^\n]*\tan earlier run's entry, in the trash: its file kept, for an item of another source/,
  );
}

Deno.test("takeout: a sidecar that puts a photo in the trash keeps its file when a pick shares it: the picked item holds it", async () => {
  let skewMs = 0;
  await using env = await TestEnv.start({
    items: [photo],
    picker: { pollIntervalMs: 20 },
    now: () => Date.now() + skewMs,
  });
  const { dir: imported, parts: [, part2] } = await importedPart1();
  await copyBackup(imported, env.dir);
  const picked = await env.pick([photo.id]);
  assert.equal(picked.code, 0, picked.stderr);
  assert.match(
    query(env.dir, `SELECT file_of FROM items WHERE id = '${photo.id}'`)[0].file_of as string,
    /^takeout:/,
  );

  const second = await env.cli(["takeout", `--dir=${env.dir}`, part2]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(
    second.stderr,
    /^kept \S+IMG_1\.jpg: the picker item AF1QipShared0000000000001 has the same bytes$/m,
  );
  assertTrashKept(second.stderr);
  await assertKeptFor(env, "picker");
  // The picked link has expired since: the file the pick holds is the only copy, and stays.
  skewMs = 61 * 60_000;
  const repair = await env.cli(["verify", `--dir=${env.dir}`, "--repair"]);
  assert.equal(repair.code, 0, repair.stderr);
  await assertKeptFor(env, "picker", repair);
});

Deno.test("takeout: a sidecar that puts a photo in the trash keeps its file when a synced Library item shares it", async () => {
  await using env = await TestEnv.start({ items: [photo] });
  const { dir: imported, parts: [, part2] } = await importedPart1();
  await copyBackup(imported, env.dir);
  const synced = await env.run(["--dates=2020-05-01"], { auth: "browser" });
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(
    query(env.dir, `SELECT file_of FROM items WHERE id = '${photo.id}'`)[0].file_of as string,
    /^takeout:/,
  );

  const second = await env.cli(["takeout", `--dir=${env.dir}`, part2]);
  assert.equal(second.code, 0, second.stderr);
  assertTrashKept(second.stderr);
  await assertKeptFor(env, "library");
  // A sync after: the Library item keeps its file, nothing is fetched again.
  const again = await env.run(["--dates=2020-05-01"]);
  assert.equal(again.code, 0, again.stderr);
  await assertKeptFor(env, "library");
});

const second = fixtureItem("AF1QipShared0000000000002", "IMG_2.jpg", "2020-05-02T10:00:00Z");

/** A sidecar of `name` (its photoTakenTime `iso`, and `more`) beside it in `folder`. */
async function sidecar(folder: string, name: string, iso: string, more: Record<string, unknown> = {}) {
  const time = { timestamp: String(Date.parse(iso) / 1000), formatted: "" };
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(
    join(folder, `${name}.supplemental-metadata.json`),
    JSON.stringify({ title: name, photoTakenTime: time, creationTime: time, ...more }),
  );
}

/** Each item's source, date (ISO) and path. */
const dated = (dir: string) =>
  query(
    dir,
    "SELECT source, strftime('%Y-%m-%dT%H:%M:%SZ', created_ms / 1000, 'unixepoch') AS date, path FROM items",
  )
    .sort((a, b) => `${a.source}`.localeCompare(`${b.source}`));

Deno.test("pick: a photo Takeout dated otherwise (an export from before its date was corrected) has one date, the pick's: the file moves to its day", async () => {
  await using env = await TestEnv.start({ items: [photo], picker: { pollIntervalMs: 20 } });
  const part = join(env.root, "takeout-20250101T000000Z-001");
  const folder = join(part, "Takeout", "Google Photos", "Photos from 2019");
  await sidecar(folder, photo.filename, "2019-01-01T08:00:00Z");
  await Deno.writeFile(join(folder, photo.filename), mediaBytes(photo));
  const imported = await env.cli(["takeout", `--dir=${env.dir}`, part]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(dated(env.dir)[0].path, `2019/01/01/${photo.filename}`);

  const picked = await env.pick([photo.id]);
  assert.equal(picked.code, 0, picked.stderr);
  assert.deepEqual(dated(env.dir), [
    { source: "picker", date: photo.creationTime, path: null },
    { source: "takeout", date: photo.creationTime, path: expectedPath(photo) },
  ]);
  assert.deepEqual((await listFiles(env.dir)).filter((path) => /^\d{4}\//.test(path)), [expectedPath(photo)]);
  assert.equal(
    (await Deno.stat(join(env.dir, expectedPath(photo)))).mtime?.getTime(),
    Date.parse(photo.creationTime),
  );
  const status = await env.cli(["status", `--dir=${env.dir}`], { inProcess: true });
  assert.match(status.stdout, /^2020 +2 +2 +0 +0 /m);
  assert.doesNotMatch(status.stdout, /^2019 /m);
});

Deno.test("takeout after a pick of the same photos: the Takeout items have the picked ones' dates; a sidecar in a later part is taken (its metadata; in the trash: the Takeout item goes, the picked file stays)", async () => {
  await using env = await TestEnv.start({ items: [photo, second], picker: { pollIntervalMs: 20 } });
  const picked = await env.pick([photo.id, second.id]);
  assert.equal(picked.code, 0, picked.stderr);
  const parts = [1, 2].map((n) => join(env.root, `takeout-20250101T000000Z-00${n}`));
  const folders = ["Photos from 2020", "Trash"].map((name) => join("Takeout", "Google Photos", name));
  for (const folder of folders) await Deno.mkdir(join(parts[0], folder), { recursive: true });
  await Deno.writeFile(join(parts[0], folders[0], photo.filename), mediaBytes(photo));
  await Deno.writeFile(join(parts[0], folders[1], second.filename), mediaBytes(second));
  // The export's date of the first is from before it was corrected in Google Photos.
  await sidecar(join(parts[1], folders[0]), photo.filename, "2019-01-01T08:00:00Z", { description: "Lake" });
  await sidecar(join(parts[1], folders[1]), second.filename, second.creationTime, { trashed: true });

  const first = await env.cli(["takeout", `--dir=${env.dir}`, parts[0]]);
  assert.equal(first.code, 0, first.stderr);
  // Shared files, dated as the picked photos (not by the day the files were written).
  const files = [expectedPath(photo), expectedPath(second)];
  const takeoutDates = () =>
    query(env.dir, "SELECT created_ms, file_of FROM items WHERE source = 'takeout' ORDER BY created_ms");
  assert.deepEqual(takeoutDates(), [
    { created_ms: Date.parse(photo.creationTime), file_of: photo.id },
    { created_ms: Date.parse(second.creationTime), file_of: second.id },
  ]);

  const later = await env.cli(["takeout", `--dir=${env.dir}`, parts[1]]);
  assert.equal(later.code, 0, later.stderr);
  // The first keeps the picked photo's date and takes its sidecar's description; the second is gone.
  assert.deepEqual(takeoutDates(), [{ created_ms: Date.parse(photo.creationTime), file_of: photo.id }]);
  const [json] = query(env.dir, "SELECT json FROM items WHERE source = 'takeout'");
  assert.equal(JSON.parse(json.json as string).description, "Lake");
  assert.deepEqual(
    query(env.dir, "SELECT id, path, file_of FROM items WHERE source = 'picker' ORDER BY id"),
    [photo, second].map((item) => ({ id: item.id, path: expectedPath(item), file_of: null })),
  );
  assert.deepEqual((await listFiles(env.dir)).filter((path) => /^\d{4}\//.test(path)), files);
  const verify = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stderr, /verified 2 files .*: all intact$/m);
});

Deno.test("sync: a date corrected in Google Photos of a photo a Takeout item shares the file of: the file moves, both items have the new date", async () => {
  await using env = await TestEnv.start({ items: [photo] });
  const synced = await env.run(["--dates=2020-05-01"], { auth: "browser" });
  assert.equal(synced.code, 0, synced.stderr);
  const part = join(env.root, "takeout-20250101T000000Z-001");
  const folder = join(part, "Takeout", "Google Photos", "Photos from 2020");
  await sidecar(folder, photo.filename, photo.creationTime);
  await Deno.writeFile(join(folder, photo.filename), mediaBytes(photo));
  const imported = await env.cli(["takeout", `--dir=${env.dir}`, part]);
  assert.equal(imported.code, 0, imported.stderr);

  const corrected = { ...photo, creationTime: "2018-03-04T10:00:00Z" };
  env.emulator.items.set(photo.id, corrected);
  const again = await env.run(["--all"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(dated(env.dir), [
    { source: "library", date: corrected.creationTime, path: expectedPath(corrected) },
    { source: "takeout", date: corrected.creationTime, path: null },
  ]);
  assert.deepEqual((await listFiles(env.dir)).filter((path) => /^\d{4}\//.test(path)), [
    expectedPath(corrected),
  ]);
});
