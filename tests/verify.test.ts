/**
 * `photosync verify` end to end: one backup (a Takeout folder imported, a Library sync, a pick) checked,
 * broken in every way a tree breaks, repaired, and checked again; the CLI as a child process against the
 * emulator.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type FixtureItem, fixtureItem, mediaBytes } from "../testing/library_fixture.ts";
import { listFiles, TestEnv } from "../testing/harness.ts";
import { expectedPath, isHardLinkOf } from "../testing/asserts.ts";
import { type Progress, Renderer, verify } from "../main.ts";
import { LOCK_FILE } from "../lib/core/db_files.ts";
import { LIBRARY_SCOPE } from "../testing/emulator/oauth.ts";

/** Library items (searched by the sync's dates) and one to pick, dated outside them. */
const library = [1, 2, 3, 4].map((n) =>
  fixtureItem(`AF1QipVerify${String(n).padStart(14, "0")}`, `IMG_${n}.jpg`, `2019-0${n}-01T10:00:00Z`)
);
const picked = fixtureItem("AF1QipVerifyPicked0000000", "PXL_picked.jpg", "2021-06-01T10:00:00Z");
/** Picked too: a photo only the pick brings. */
const pickedOnly = fixtureItem("AF1QipVerifyPickedOnly000", "PXL_only.jpg", "2021-07-01T10:00:00Z");

/** A Takeout folder export: the picked photo's own bytes (as Google exports them), and another photo. */
async function takeoutFolder(root: string): Promise<{ folder: string; other: Uint8Array }> {
  const folder = join(root, "takeout-extracted");
  const photos = join(folder, "Takeout", "Google Photos", "Photos from 2021");
  await Deno.mkdir(photos, { recursive: true });
  const other = new TextEncoder().encode("a photo only Takeout has ".repeat(200));
  await Deno.writeFile(join(photos, "PXL_picked.jpg"), mediaBytes(picked));
  await Deno.writeFile(join(photos, "only_takeout.jpg"), other);
  return { folder, other };
}

/** The problem lines of a verify run's stderr, sorted. */
const problemLines = (stderr: string) =>
  stderr.split("\n").filter((line) => /^(missing|changed|unknown) /.test(line)).sort();

function query<T>(dir: string, sql: string): T[] {
  const db = new DatabaseSync(join(dir, "sync.db"));
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

Deno.test("verify: a whole backup exits 0; every break is reported exactly (exit 3); --repair restores Library files and keeps changed bytes aside; takeout restores its own; a photo from two sources is one file", async () => {
  let skewMs = 0;
  await using env = await TestEnv.start({
    items: [...library, picked, pickedOnly],
    picker: { pollIntervalMs: 20 },
    now: () => Date.now() + skewMs,
  });
  const { folder, other } = await takeoutFolder(env.root);
  const takeout = await env.cli(["takeout", `--dir=${env.dir}`, folder]);
  assert.equal(takeout.code, 0, takeout.stderr);
  const synced = await env.run(["--dates=2019-01-01:2019-12-31"], { auth: "browser" });
  assert.equal(synced.code, 0, synced.stderr);
  const picks = await env.pick([picked.id, pickedOnly.id]);
  assert.equal(picks.code, 0, picks.stderr);

  // One item per photo across sources: the pick is recorded as the Takeout file, no second copy.
  const files = (await listFiles(env.dir)).filter((path) => /^\d{4}\//.test(path));
  assert.equal(files.length, library.length + 3, files.join("\n"));
  const [pickRow] = query<{ file_of: string; path: string | null }>(
    env.dir,
    `SELECT file_of, path FROM items WHERE id = '${picked.id}'`,
  );
  assert.match(pickRow.file_of, /^takeout:/);
  assert.equal(pickRow.path, null);
  const takeoutPaths = query<{ path: string; id: string }>(
    env.dir,
    "SELECT path, id FROM items WHERE source = 'takeout' ORDER BY path",
  );
  const onlyTakeout = takeoutPaths.find((row) => row.path.endsWith("only_takeout.jpg"))!;
  // Every download has its sha256 recorded; one is taken away, as in a backup made before verify.
  assert.deepEqual(query(env.dir, "SELECT id FROM items WHERE hash IS NULL AND status = 'downloaded'"), []);
  query(env.dir, `UPDATE items SET hash = NULL WHERE id = '${library[3].id}'`);

  // Break the tree: a flipped byte, a truncated file, a deleted file, a stranger's file, a deleted Takeout file.
  const at = (item: FixtureItem) => join(env.dir, expectedPath(item));
  const flipped = mediaBytes(library[0]);
  flipped[2000] ^= 0xff;
  const mtime = new Date(library[0].creationTime);
  await Deno.writeFile(at(library[0]), flipped);
  await Deno.utime(at(library[0]), mtime, mtime); // Same size and mtime: only the hash tells.
  await Deno.truncate(at(library[1]), 1000);
  await Deno.remove(at(library[2]));
  await Deno.writeTextFile(join(env.dir, "2019", "01", "01", "stranger.txt"), "mine");
  await Deno.remove(join(env.dir, onlyTakeout.path));
  await Deno.remove(at(pickedOnly));

  const broken = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(broken.code, 3, broken.stderr);
  assert.deepEqual(
    problemLines(broken.stderr),
    [
      `changed ${expectedPath(library[0])} (${library[0].id}): its bytes differ from the recorded sha256`,
      `changed ${expectedPath(library[1])} (${library[1].id}): 1000 bytes, recorded 5000`,
      `missing ${expectedPath(library[2])} (${library[2].id})`,
      `missing ${onlyTakeout.path} (${onlyTakeout.id})`,
      `missing ${expectedPath(pickedOnly)} (${pickedOnly.id})`,
      `unknown 2019/01/01/stranger.txt (not in sync.db)`,
    ].sort(),
  );
  assert.match(broken.stderr, /recorded the sha256 of 1 file that had none/);
  assert.match(broken.stderr, /verified 7 files .*: 3 missing, 2 changed; 1 file not in sync\.db/);
  // What puts them back, by source: --repair downloads, the archives bring Takeout's.
  assert.deepEqual(broken.stderr.split("\n").slice(-2), [
    `photosync verify --dir ${env.dir} --repair puts the downloaded files back (changed files are kept aside)`,
    `photosync takeout --dir ${env.dir} with the export's archives again (or --drive, or --from=URL) puts the ` +
    "Takeout files back",
  ]);

  const repair = await env.cli(["verify", `--dir=${env.dir}`, "--repair", "--json"]);
  assert.equal(repair.code, 3, repair.stderr); // The Takeout file waits for its archives.
  const report = JSON.parse(repair.stdout);
  // Library items with fresh URLs, the picked one while its link lasts.
  const restored = [...library.slice(0, 3), pickedOnly];
  assert.deepEqual(
    report.repaired.map((p: { id: string }) => p.id).sort(),
    restored.map((it) => it.id).sort(),
  );
  assert.deepEqual(report.notRepaired.map((p: { id: string; reason: string }) => [p.id, p.reason]), [[
    onlyTakeout.id,
    `run photosync takeout --dir ${env.dir} with the export's archives again (or --drive, or --from=URL) to restore it`,
  ]]);
  for (const item of [...library, pickedOnly]) {
    assert.deepEqual(await Deno.readFile(at(item)), mediaBytes(item), item.filename);
  }
  // The changed bytes are kept aside, as they were.
  const aside = new Map(report.movedAside.map(({ from, to }: { from: string; to: string }) => [from, to]));
  assert.deepEqual([...aside.keys()].sort(), [expectedPath(library[0]), expectedPath(library[1])]);
  assert.deepEqual(
    await Deno.readFile(join(env.dir, aside.get(expectedPath(library[0])) as string)),
    flipped,
  );
  assert.deepEqual(
    await Deno.readFile(join(env.dir, aside.get(expectedPath(library[1])) as string)),
    mediaBytes(library[1]).subarray(0, 1000),
  );

  // The export now also holds a photo photosync downloaded from the Library: it adds no file either.
  await Deno.writeFile(
    join(folder, "Takeout", "Google Photos", "Photos from 2021", "IMG_4_exported.jpg"),
    mediaBytes(library[3]),
  );
  const again = await env.cli(["takeout", `--dir=${env.dir}`, folder]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await Deno.readFile(join(env.dir, onlyTakeout.path)), other);
  assert.deepEqual(
    query(env.dir, `SELECT file_of AS fileOf FROM items WHERE source = 'takeout' AND file_of IS NOT NULL`)
      .map((row) => ({ ...row as object })),
    [{ fileOf: library[3].id }],
  );
  await Deno.remove(join(env.dir, "2019", "01", "01", "stranger.txt"));
  const whole = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.deepEqual(problemLines(whole.stderr), []);
  assert.match(whole.stderr, /verified 7 files .*: all intact$/m);

  const status = await env.cli(["status", `--dir=${env.dir}`], { inProcess: true });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^last verify: .* 7 files, all intact$/m);
  assert.match(status.stdout, /^downloaded: 9 items in 7 files/m);

  // Once the picked links have expired, a picked file is not put back: the run says to pick it again.
  skewMs = 61 * 60_000;
  await Deno.remove(at(pickedOnly));
  const expired = await env.cli(["verify", `--dir=${env.dir}`, "--repair"]);
  assert.equal(expired.code, 3, expired.stderr);
  assert.match(expired.stderr, new RegExp(`^not restored ${expectedPath(pickedOnly)}: .*pick it again`, "m"));
  // Still missing for every verify after: a repair that could not restore it proves nothing whole.
  const report_ = await env.cli(["report", `--dir=${env.dir}`]);
  assert.equal(report_.code, 0, report_.stderr);
  const after = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(after.code, 3, after.stderr);
  assert.deepEqual(problemLines(after.stderr), [
    `missing ${expectedPath(pickedOnly)} (${pickedOnly.id}): not restored: ${
      query<{ note: string }>(env.dir, `SELECT note FROM items WHERE id = '${pickedOnly.id}'`)[0].note
    }`,
  ]);
  const status2 = await env.cli(["status", `--dir=${env.dir}`], { inProcess: true });
  assert.match(status2.stdout, /^last verify: .* 1 missing/m);

  // The file a Library item and a Takeout item share, deleted: the archives put it back where it was, once.
  await Deno.remove(at(library[3]));
  const filesBefore = await listFiles(env.dir);
  const shared = await env.cli(["takeout", `--dir=${env.dir}`, folder]);
  assert.equal(shared.code, 0, shared.stderr);
  assert.deepEqual(await Deno.readFile(at(library[3])), mediaBytes(library[3]));
  assert.deepEqual(await listFiles(env.dir), [...filesBefore, expectedPath(library[3])].sort());
  const last = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(problemLines(last.stderr).length, 1, last.stderr); // The expired pick only.
});

Deno.test("verify --repair stopped while moving changed files aside: their items are pending, and the next plain sync puts them back; verify --repair holds the folder from its check through its download: a run started in between is refused", async () => {
  await using env = await TestEnv.start({ items: library.slice(0, 2) });
  const synced = await env.run([], { auth: "browser" });
  assert.equal(synced.code, 0, synced.stderr);
  const paths = library.slice(0, 2).map(expectedPath);
  for (const path of paths) await Deno.writeTextFile(join(env.dir, path), "edited by someone");
  // The folder of changed files cannot be made: the repair stops at the first file it moves aside.
  await Deno.writeTextFile(join(env.dir, ".photosync-changed"), "in the way");
  const repair = await env.cli(["verify", `--dir=${env.dir}`, "--repair"]);
  assert.equal(repair.code, 1, repair.stderr);
  assert.equal((await env.status()).pending, 2, "both items are to be downloaded again");
  await Deno.remove(join(env.dir, ".photosync-changed"));
  const next = await env.run([], { env: { PHOTOSYNC_REFRESH_TOKEN: env.refreshToken() } });
  assert.equal(next.code, 0, next.stderr);
  for (const [at, path] of paths.entries()) {
    assert.deepEqual(await Deno.readFile(join(env.dir, path)), mediaBytes(library[at]));
  }
  const verified = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verified.code, 0, verified.stderr);

  // The backup whole again, a file of it is deleted: a repair, in this process, watched for the folder's lock.
  await Deno.remove(join(env.dir, expectedPath(library[0])));
  // Another run (a cron job's sync, its own open file of the lock) starting as the check is done and its
  // item put back to pending, before the repair's download opens sync.db again.
  let otherGotIt: boolean | undefined;
  class Watching extends Renderer {
    override progress(update: Partial<Progress>): void {
      if (update.action === "downloaded" && otherGotIt === undefined) {
        using other = Deno.openSync(join(env.dir, LOCK_FILE), { read: true, write: true });
        otherGotIt = other.tryLockSync(true);
      }
      super.progress(update);
    }
  }
  const report = await verify({
    dir: env.dir,
    repair: true,
    logger: new Watching({ verbosity: "quiet", tty: false, sink: { stdout: () => {}, stderr: () => {} } }),
    apiUrl: env.emulator.apiUrl,
    io: { env: (name) => name === "PHOTOSYNC_REFRESH_TOKEN" ? env.refreshToken() : undefined },
  });
  assert.equal(otherGotIt, false, "the repair still held its folder");
  assert.deepEqual(
    report.repaired.map((problem) => problem.id),
    [library[0].id],
    "the deleted file repaired",
  );
  assert.deepEqual(await Deno.readFile(join(env.dir, expectedPath(library[0]))), mediaBytes(library[0]));
});

Deno.test("verify --repair that cannot authorise has said what it found and moved aside; it takes --creds as sync does", async () => {
  await using env = await TestEnv.start({ items: library.slice(0, 2) });
  // Authorised once elsewhere (the token as the consent and the code exchange give it); this folder is an
  // unattended one: the token from the environment, the client from --creds (nothing saved in sync.db to
  // fall back on).
  const unattended = { env: { PHOTOSYNC_REFRESH_TOKEN: env.emulator.grant(LIBRARY_SCOPE).refreshToken } };
  const creds = `--creds=${join(env.root, "clientsecret.json")}`;
  const synced = await env.run([creds], unattended);
  assert.equal(synced.code, 0, synced.stderr);
  const paths = library.slice(0, 2).map(expectedPath);

  // Without --creds the repair's download cannot authorise: the changed file and where it went were said.
  await Deno.writeTextFile(join(env.dir, paths[0]), "edited by someone");
  const noClient = await env.cli(["verify", `--dir=${env.dir}`, "--repair"], unattended);
  assert.equal(noClient.code, 2, noClient.stderr);
  const lines = noClient.stderr.trim().split("\n");
  assert.match(lines[0], new RegExp(`^changed ${paths[0]} \\(${library[0].id}\\)`));
  const aside = new RegExp(`^moved aside ${paths[0]} -> (\\.photosync-changed/\\S+) \\(`).exec(lines[1]);
  assert.ok(aside, noClient.stderr);
  assert.equal(await Deno.readTextFile(join(env.dir, aside[1])), "edited by someone");
  assert.match(lines.at(-1)!, /^error: PHOTOSYNC_REFRESH_TOKEN needs a client: .*, or pass --creds=FILE$/);
  // --json keeps stdout for the end: the move is still said, on stderr, before the error.
  await Deno.writeTextFile(join(env.dir, paths[1]), "edited too");
  const json = await env.cli(["verify", `--dir=${env.dir}`, "--repair", "--json"], unattended);
  assert.equal(json.code, 2, json.stderr);
  assert.match(json.stderr, new RegExp(`^warning: moved aside ${paths[1]} -> \\.photosync-changed/`, "m"));

  // The flag the error names is taken: both put back.
  const repaired = await env.cli(["verify", `--dir=${env.dir}`, "--repair", creds], unattended);
  assert.equal(repaired.code, 0, repaired.stderr);
  for (const [at, path] of paths.entries()) {
    assert.deepEqual(await Deno.readFile(join(env.dir, path)), mediaBytes(library[at]));
  }
});

Deno.test("verify: Takeout files missing or changed are put back by takeout with the archives, as the run says, not by --repair", async () => {
  await using env = await TestEnv.start();
  const { folder, other } = await takeoutFolder(env.root);
  const imported = await env.cli(["takeout", `--dir=${env.dir}`, folder]);
  assert.equal(imported.code, 0, imported.stderr);
  const [onlyTakeout] = query<{ path: string }>(
    env.dir,
    "SELECT path FROM items WHERE filename = 'only_takeout.jpg'",
  );
  const takeoutLine = `photosync takeout --dir ${env.dir} with the export's archives again (or --drive, or ` +
    "--from=URL) puts them back";

  await Deno.remove(join(env.dir, onlyTakeout.path));
  const missing = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.equal(missing.stderr.split("\n").at(-1), takeoutLine);
  assert.doesNotMatch(missing.stderr, /--repair/);
  // As said: the archives put it back.
  const restored = await env.cli(["takeout", `--dir=${env.dir}`, folder]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.deepEqual(await Deno.readFile(join(env.dir, onlyTakeout.path)), other);

  // Changed in place (its size kept): --repair keeps it aside first, then the archives put it back.
  const changed = other.slice();
  changed[0] ^= 0xff;
  await Deno.writeFile(join(env.dir, onlyTakeout.path), changed);
  const broken = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(broken.code, 3, broken.stderr);
  assert.equal(
    broken.stderr.split("\n").at(-1),
    `photosync verify --dir ${env.dir} --repair keeps the changed ones aside, then ${takeoutLine}`,
  );
  assert.equal((await env.cli(["verify", `--dir=${env.dir}`, "--repair"])).code, 3);
  assert.equal((await env.cli(["takeout", `--dir=${env.dir}`, folder])).code, 0);
  const whole = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.deepEqual(await Deno.readFile(join(env.dir, onlyTakeout.path)), other);
});

Deno.test("verify --repair, where album links are hard links (write access limited to the CLI's folders): a synced file a Takeout album's photo shares, changed and deleted, is downloaded again and its album link made again to it; the changed bytes stay aside", async () => {
  const [changedItem, deletedItem] = library.slice(0, 2);
  await using env = await TestEnv.start({ items: [changedItem, deletedItem] });
  /** Runs the CLI with write access to the workspace only: Deno makes no symbolic links, so links are hard. */
  const scoped = (args: string[]) => env.cli(args, { allowWrite: [env.root] });
  const synced = await env.run(["--dates=2019-01-01:2019-02-28"], {
    auth: "browser",
    allowWrite: [env.root],
  });
  assert.equal(synced.code, 0, synced.stderr);
  // A Takeout export of both, in an album: the same bytes, so the Takeout items share the synced files.
  const album = join(env.root, "takeout-extracted", "Takeout", "Google Photos", "Road trip");
  await Deno.mkdir(album, { recursive: true });
  await Deno.writeTextFile(join(album, "metadata.json"), JSON.stringify({ title: "Road trip" }));
  for (const item of [changedItem, deletedItem]) {
    await Deno.writeFile(join(album, item.filename), mediaBytes(item));
    const time = { timestamp: String(Date.parse(item.creationTime) / 1000), formatted: "" };
    await Deno.writeTextFile(
      join(album, `${item.filename}.supplemental-metadata.json`),
      JSON.stringify({ title: item.filename, photoTakenTime: time, creationTime: time }),
    );
  }
  const imported = await scoped(["takeout", `--dir=${env.dir}`, join(env.root, "takeout-extracted")]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.deepEqual(
    query<{ path: string | null }>(env.dir, "SELECT path FROM items WHERE source = 'takeout'").map((row) =>
      row.path
    ),
    [null, null],
  );
  const folder = join(env.dir, "albums", "Road trip");
  /** Whether the album's entry for `item` is a hard link to its file in the dated tree. */
  const hardLinked = (item: FixtureItem) =>
    isHardLinkOf(join(folder, item.filename), join(env.dir, expectedPath(item)));
  assert.ok(hardLinked(changedItem) && hardLinked(deletedItem));

  // One changed in place (its album link is the same file, changed with it), the other deleted (its link keeps it).
  const changed = mediaBytes(changedItem);
  changed[100] ^= 0xff;
  await Deno.writeFile(join(env.dir, expectedPath(changedItem)), changed);
  await Deno.remove(join(env.dir, expectedPath(deletedItem)));
  const repair = await scoped(["verify", `--dir=${env.dir}`, "--repair"]);
  assert.equal(repair.code, 0, repair.stderr);
  const aside = new RegExp(`(\\.photosync-changed/[^ ]+/${RegExp.escape(expectedPath(changedItem))})`)
    .exec(repair.stderr);
  assert.ok(aside, repair.stderr);

  // The album shows each photo once, as it is now; the changed bytes are kept aside.
  assert.deepEqual(
    [...Deno.readDirSync(folder)].map((entry) => entry.name).sort(),
    [changedItem.filename, deletedItem.filename].sort(),
  );
  assert.ok(hardLinked(changedItem) && hardLinked(deletedItem));
  for (const item of [changedItem, deletedItem]) {
    assert.deepEqual(await Deno.readFile(join(folder, item.filename)), mediaBytes(item));
  }
  assert.deepEqual(await Deno.readFile(join(env.dir, aside[1])), changed);
});
