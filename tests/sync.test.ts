/**
 * End-to-end: the CLI as a child process against the emulator.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type FixtureItem, fixtureItem as item, generateLibrary } from "../testing/library_fixture.ts";
import { sync } from "../main.ts";
import { Renderer } from "../main.ts";
import { RunStop } from "../lib/core/backup.ts";
import { StopRequest } from "../lib/core/errors.ts";
import { answerAuth, cliCommand, type CliProcess, listFiles, TestEnv } from "../testing/harness.ts";
import { copyBackup } from "../testing/takeout/backup_state.ts";
import { LIBRARY_SCOPE } from "../testing/emulator/oauth.ts";
import {
  assertItemFiles,
  assertNoSecrets,
  assertSameBytes,
  assertTree,
  expectedPath,
} from "../testing/asserts.ts";

/** Emulator + workspace, and a first sync (with `args`) authorised through the loopback flow. */
async function synced(items: FixtureItem[], args: string[] = []) {
  const env = await TestEnv.start({ items });
  return Object.assign(env, { first: await env.run(args, { auth: "browser" }) });
}

Deno.test("first run authorises in the browser, downloads everything into YYYY/MM/DD with mtimes; a second run with nothing new downloads nothing and asks little; an item whose metadata changed is updated in place, not duplicated", async () => {
  const items = generateLibrary({
    count: 60,
    seed: 7,
    from: "1998-06-01",
    to: "2024-12-31",
    videoRatio: 0.2,
  });
  await using env = await synced(items);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  await assertTree(env.dir, items);
  for (const it of items) {
    const path = join(env.dir, expectedPath(it));
    assert.deepEqual((await Deno.stat(path)).mtime?.getTime(), Date.parse(it.creationTime), `${path} mtime`);
  }
  assert.deepEqual((await Deno.stat(join(env.dir, "sync.db"))).mode! & 0o777, 0o600);
  assertNoSecrets([env.first], env.emulator.issuedTokens);
  // Videos were fetched with =dv, photos with =d.
  const media = env.emulator.requests.filter((r) => r.route === "media").map((r) => r.url);
  assert.deepEqual(media.filter((url) => url.endsWith("=dv")).length, items.filter((i) => i.video).length);

  // The second run, nothing new in the library since the first.
  env.emulator.resetCounts();
  const second = await env.run();
  assert.deepEqual(second.code, 0, second.stderr);
  assert.deepEqual(env.emulator.counts.media, 0, "the second run downloads nothing");
  assert.deepEqual(env.emulator.counts.batchGet, 0, "the second run asks for no URL");
  assert.deepEqual(env.emulator.counts.auth, 0, "the second run asks for no consent");
  assert.deepEqual(
    env.emulator.counts.search,
    2,
    "one search older than the oldest, one newer than the newest",
  );
  assert.doesNotMatch(second.stderr, /Library API showed nothing/, "the library has app-created media");

  // An item's metadata changed in Google Photos (a description added): updated in place, not duplicated.
  env.emulator.items.set(items[0].id, { ...items[0], description: "after" });
  const rerun = await env.run(["--all"]);
  assert.deepEqual(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, /indexed 0 new and 1 changed item/);
  const counts = await env.status();
  assert.deepEqual(
    [counts.items, counts.downloaded],
    [items.length, items.length],
    "one item, one file each",
  );
  using db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
  const row = db.prepare("SELECT json FROM items WHERE id = ?").get(items[0].id) as { json: string };
  assert.deepEqual(JSON.parse(row.json).description, "after");
});

Deno.test("a library with no app-created media: each run says once, in one line, what can reach it", async () => {
  await using env = await synced([]);
  for (const run of [env.first, await env.run(), await env.run(["--all"])]) {
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stderr.split("\n").filter((line) => line.includes("Library API"));
    assert.deepEqual(lines, [
      "warning: the Library API showed nothing: since 2025-03-31 it shows photosync only the photos and " +
      "videos photosync uploaded itself; for the rest of your library use photosync takeout (Google Takeout " +
      "archives; takeout --drive imports scheduled exports from Google Drive) or photosync pick",
    ]);
  }
  assert.deepEqual(await listFiles(env.dir), []);
});

Deno.test("incremental runs find newer and older items; --all finds one in the middle", async () => {
  // A page (100 items) of 2019 keeps the middle of the span off the newest page, which an
  // incremental run reads whole.
  const items = [
    item("A1", "a.jpg", "2010-05-05T10:00:00Z"),
    item("A2", "b.jpg", "2015-05-05T10:00:00Z"),
    ...generateLibrary({ count: 100, seed: 9, from: "2019-01-01", to: "2019-12-31" }),
    item("A3", "c.jpg", "2020-05-05T10:00:00Z"),
  ];
  await using env = await synced(items);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  const newer = item("N1", "new.jpg", "2021-01-02T03:04:05Z");
  const older = item("O1", "old.jpg", "1999-12-31T23:59:59Z");
  const sameDayAsNewest = item("S1", "same.jpg", "2020-05-05T18:00:00Z");
  const middle = item("M1", "middle.jpg", "2016-01-01T00:00:00Z");
  for (const it of [newer, older, sameDayAsNewest, middle]) env.emulator.items.set(it.id, it);

  const second = await env.run();
  assert.deepEqual(second.code, 0, second.stderr);
  const files = await listFiles(env.dir);
  assert.ok(files.includes("2021/01/02/new.jpg"));
  assert.ok(files.includes("1999/12/31/old.jpg"));
  assert.ok(files.includes("2020/05/05/same.jpg"), "boundary day is searched again");
  assert.ok(!files.includes("2016/01/01/middle.jpg"), "days inside the known span are not searched");

  const third = await env.run(["--all"]);
  assert.deepEqual(third.code, 0, third.stderr);
  assert.ok((await listFiles(env.dir)).includes("2016/01/01/middle.jpg"));
});

Deno.test("photos dated 2031 are backed up and kept up to date; a photo of today is found by a plain run", async () => {
  // A camera set to 2031 for a whole trip: more than a page of items that date-filtered searches
  // never return (the emulator, as Google, shows future-dated items only in unfiltered searches).
  const trip = Array.from(
    { length: 120 },
    (_, i) => item(`F${i}`, `trip_${i}.jpg`, new Date(Date.UTC(2031, 4, 5, 8, 0, i)).toISOString()),
  );
  const items = [...generateLibrary({ count: 40, seed: 50, from: "2023-01-01", to: "2024-12-31" }), ...trip];
  await using env = await synced(items);
  assert.equal(env.first.code, 0, env.first.stderr);
  await assertTree(env.dir, items);

  const taken = new Date(Date.now() - 60_000).toISOString().slice(0, 19) + "Z";
  const today = item("T1", "today.jpg", taken);
  env.emulator.items.set(today.id, today);
  env.emulator.items.set("F7", { ...trip[7], description: "the clock was wrong" });
  env.emulator.resetCounts();
  const second = await env.run();
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /indexed 1 new and 1 changed item/);
  await assertTree(env.dir, env.emulator.items.values());
  const searches = env.emulator.requests.filter((r) => r.route === "search");
  // Older than the oldest, and newest first without a date filter until a page reaches yesterday.
  assert.equal(searches.length, 3);
});

Deno.test("capture times of any year Google sends, 0001 to 9999, are filed under their own day; one that is no date is said, filed under 1970-01-01; a backup an earlier version filed under 1970-01-01 for a date it took for none (1750, 9999): the next plain run moves each file to its day", async () => {
  const dated = [
    item("Y0001", "year1.jpg", "0001-01-01T00:00:00Z"),
    item("Y1750", "year1750.jpg", "1750-06-15T10:00:00Z"),
    item("Y1800", "year1800.jpg", "1800-01-01T00:00:00Z"),
    item("Y1899", "year1899.jpg", "1899-12-31T23:59:59.999999999Z"),
    item("Y1950", "year1950.jpg", "1950-03-04T05:06:07.5Z"),
    item("Y2100", "year2100.jpg", "2100-03-04T05:06:07Z"),
    item("Y9999", "year9999.jpg", "9999-12-31T23:59:59Z"),
  ];
  const undated = [
    item("Bad1", "impossible.jpg", "2023-02-30T12:00:00Z"),
    item("Bad2", "none.jpg", ""),
  ];
  await using env = await synced([...dated, ...undated]);
  assert.equal(env.first.code, 0, env.first.stderr);
  const files = await listFiles(env.dir);
  assert.deepEqual(files.sort(), [
    "0001/01/01/year1.jpg",
    "1750/06/15/year1750.jpg",
    "1800/01/01/year1800.jpg",
    "1899/12/31/year1899.jpg",
    "1950/03/04/year1950.jpg",
    "1970/01/01/impossible.jpg",
    "1970/01/01/none.jpg",
    "2100/03/04/year2100.jpg",
    "9999/12/31/year9999.jpg",
  ]);
  await assertItemFiles(env.dir, dated);
  {
    using db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
    for (const it of dated) {
      const row = db.prepare("SELECT created_ms FROM items WHERE id = ?").get(it.id);
      assert.equal(row?.created_ms, Math.floor(new Date(it.creationTime).getTime()), it.id);
    }
  }
  // Within what ext4, XFS, APFS and NTFS all keep, the mtime is the capture time.
  for (const it of [dated[4], dated[5]]) {
    const stat = await Deno.stat(join(env.dir, expectedPath(it)));
    assert.equal(stat.mtime?.getTime(), Date.parse(it.creationTime), it.id);
  }
  const warnings = env.first.stderr.split("\n").filter((line) =>
    line.includes("is no date") || line.includes("has no")
  );
  assert.deepEqual(warnings, [
    'warning: item Bad1 (impossible.jpg): its creationTime "2023-02-30T12:00:00Z" is no date; filed under 1970-01-01',
    "warning: item Bad2 (none.jpg): it has no creationTime; filed under 1970-01-01",
  ]);
  const status = await env.status();
  assert.equal(status.oldest, "0001-01-01T00:00:00.000Z");
  assert.equal(status.newest, "9999-12-31T23:59:59.000Z");
  // A second run keeps every file where it is.
  const again = await env.run(["--all"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual((await listFiles(env.dir)).sort(), files);

  // As an earlier version left 1750 and 9999: the capture time 1970-01-01 (its fallback), the file there with
  // it as mtime.
  {
    using db = new DatabaseSync(join(env.dir, "sync.db"));
    for (const it of [dated[1], dated[6]]) {
      const was = expectedPath(it);
      const old = `1970/01/01/${it.filename}`;
      await Deno.rename(join(env.dir, was), join(env.dir, old));
      await Deno.utime(join(env.dir, old), 0, 0);
      db.prepare("UPDATE items SET created_ms = 0, path = ?, path_key = ? WHERE id = ?").run(old, old, it.id);
    }
  }
  env.emulator.resetCounts();
  const redated = await env.run();
  assert.equal(redated.code, 0, redated.stderr);
  assert.match(redated.stderr, /re-dated 1750\/06\/15\/year1750\.jpg/);
  assert.match(redated.stderr, /re-dated 9999\/12\/31\/year9999\.jpg/);
  assert.deepEqual((await listFiles(env.dir)).sort(), files, "each moved back to its day");
  await assertItemFiles(env.dir, dated);
  assert.equal(env.emulator.counts.media ?? 0, 0, "moved, not downloaded again");
});

Deno.test("capture times the drive keeps no mtime of (1750, 0001, 9999 on ext4): said once; the clamped files are still photosync's (verify, a lost sync.db); sync.db lost, a sync again takes back each file photosync placed (no second copy); an edited one is kept", async () => {
  const clamped = [
    item("K0001", "year1.jpg", "0001-01-01T00:00:00Z"),
    item("K1750", "year1750.jpg", "1750-06-15T10:00:00Z"),
    item("K2020", "year2020.jpg", "2020-05-06T07:08:09Z"),
    item("K9999", "year9999.jpg", "9999-12-31T23:59:59Z"),
  ];
  const others = generateLibrary({ count: 12, seed: 13 });
  const items = [...clamped, ...others];
  await using env = await synced(items);
  assert.equal(env.first.code, 0, env.first.stderr);
  await assertTree(env.dir, items);
  // What the drive kept: the capture time itself (tmpfs, btrfs), or its nearest time (ext4: 1901 and 2446).
  const unkept: string[] = [];
  for (const it of clamped) {
    const mtime = (await Deno.stat(join(env.dir, expectedPath(it)))).mtime!.getTime();
    if (mtime !== Date.parse(it.creationTime)) unkept.push(expectedPath(it));
  }
  const said = env.first.stderr.split("\n").filter((line) => line.includes("keeps no file time"));
  assert.equal(said.length, unkept.length > 0 ? 1 : 0, env.first.stderr);
  if (unkept.length > 0) {
    assert.match(
      said[0],
      /^warning: this drive keeps no file time of \d{4}-\d\d-\d\d: (\S+) has .* UTC, the nearest it keeps/,
    );
    assert.ok(unkept.includes(said[0].split(": ")[2].split(" has ")[0]), said[0]);
  }
  // A backup whose files have no sha256 recorded (an earlier version's): their mtimes tell they are as placed.
  {
    using db = new DatabaseSync(join(env.dir, "sync.db"));
    db.prepare("UPDATE items SET hash = NULL").run();
  }
  const verified = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stderr, /all intact/);
  const files = await listFiles(env.dir);
  // An edit of the user's (its mtime is now, not the capture time): kept, the photo placed beside it.
  const edited = expectedPath(others[0]);
  await Deno.writeTextFile(join(env.dir, edited), "my edit");
  // sync.db lost: a sync again takes back each file as its own, no second copy beside it (the clamped ones
  // too), but the edited one's.
  for (const name of ["sync.db", "sync.db-wal", "sync.db-shm"]) {
    await Deno.remove(join(env.dir, name)).catch(() => {});
  }
  // The folder was made with local days (a new folder's default): the rebuild says so, as nothing on disk
  // tells it.
  const again = await env.run(["--folder-days=local"], { auth: "browser" });
  assert.equal(again.code, 0, again.stderr);
  const after = await listFiles(env.dir);
  assert.equal(after.length, files.length + 1, after.join("\n"));
  const added = after.filter((path) => !files.includes(path));
  assert.deepEqual(added.length, 1, "one file more: the edited one's photo");
  assert.equal(dirname(added[0]), dirname(edited), "placed beside the edited file");
  assert.equal(await Deno.readTextFile(join(env.dir, edited)), "my edit");
  await assertItemFiles(env.dir, items.filter((it) => expectedPath(it) !== edited));
  const rebuilt = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
});

Deno.test("--dates searches only that range, both ends included", async () => {
  const items = [
    item("D1", "before.jpg", "2022-02-28T23:59:59Z"),
    item("D2", "first.jpg", "2022-03-01T00:00:00Z"),
    item("D3", "last.jpg", "2022-03-31T23:59:59Z"),
    item("D4", "after.jpg", "2022-04-01T00:00:00Z"),
  ];
  await using env = await synced(items, ["--dates=2022-03-01:2022-03-31"]);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  assert.deepEqual(await listFiles(env.dir), ["2022/03/01/first.jpg", "2022/03/31/last.jpg"]);
  const single = await env.run(["--dates=2022-04-01"]);
  assert.deepEqual(single.code, 0, single.stderr);
  assert.deepEqual((await listFiles(env.dir)).length, 3);
});

Deno.test("--resync downloads missing and changed files again, keeping the changed bytes aside, nothing else", async () => {
  const items = generateLibrary({ count: 10, seed: 11 });
  await using env = await synced(items);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  const [gone, cut, edited, folder] = (await listFiles(env.dir)).slice(0, 4);
  await Deno.remove(join(env.dir, gone));
  await Deno.truncate(join(env.dir, cut), 10);
  const edit = new TextEncoder().encode("the user's retouched version ".repeat(50));
  await Deno.writeFile(join(env.dir, edited), edit);
  // A folder made where a file was (by hand, or a tool): it is the user's, and stops nothing.
  await Deno.remove(join(env.dir, folder));
  await Deno.mkdir(join(env.dir, folder));
  await Deno.writeTextFile(join(env.dir, folder, "note.txt"), "kept");
  env.emulator.resetCounts();
  const plain = await env.run();
  assert.deepEqual(env.emulator.counts.media, 0, "a plain run trusts sync.db");
  assert.deepEqual(plain.code, 0);
  const resync = await env.run(["--resync"]);
  assert.deepEqual(resync.code, 0, resync.stderr);
  assert.deepEqual(env.emulator.counts.media, 4);
  const byPath = new Map(items.map((it) => [expectedPath(it), it]));
  await assertItemFiles(env.dir, items.filter((it) => expectedPath(it) !== folder));
  // The changed files are kept, each under one folder of the run, and said.
  const aside = await listFiles(env.dir, ".photosync-changed");
  assert.equal(aside.length, 2, aside.join());
  const keptEdit = aside.find((path) => path.endsWith(`/${edited}`))!;
  assert.deepEqual(await Deno.readFile(join(env.dir, keptEdit)), edit);
  assert.equal((await Deno.stat(join(env.dir, aside.find((path) => path.endsWith(`/${cut}`))!))).size, 10);
  assert.match(resync.stderr, new RegExp(`moved aside ${edited} -> ${keptEdit}`));
  // The folder's item took a tagged name beside it.
  assert.equal(await Deno.readTextFile(join(env.dir, folder, "note.txt")), "kept");
  const row = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true })
    .prepare("SELECT path FROM items WHERE id = ?").get(byPath.get(folder)!.id) as { path: string };
  assert.notEqual(row.path, folder);
  await assertSameBytes(join(env.dir, row.path), byPath.get(folder)!);
  const verified = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
});

Deno.test("a date corrected in Google Photos moves the file to its day, with it as mtime; --new-files lists it there", async () => {
  const scan = item("S1", "scan.jpg", "2019-01-01T10:00:00Z", { size: 3000 });
  const other = item("S2", "IMG_2.jpg", "2019-01-02T10:00:00Z", { size: 2000 });
  await using env = await synced([scan, other], ["--xmp"]);
  assert.equal(env.first.code, 0, env.first.stderr);
  const corrected = { ...scan, creationTime: "1975-06-07T12:00:00Z" };
  env.emulator.items.set(scan.id, corrected);
  const list = join(env.root, "new-files.txt");
  const again = await env.run(["--all", `--new-files=${list}`]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /1 file moved to a date corrected in Google Photos/);
  assert.deepEqual(await listFiles(env.dir), [
    "1975/06/07/scan.jpg",
    "1975/06/07/scan.jpg.xmp",
    "2019/01/02/IMG_2.jpg",
    "2019/01/02/IMG_2.jpg.xmp",
  ]);
  assert.equal(
    (await Deno.stat(join(env.dir, "1975/06/07/scan.jpg"))).mtime?.getTime(),
    Date.parse(corrected.creationTime),
  );
  await assertSameBytes(join(env.dir, "1975/06/07/scan.jpg"), corrected);
  assert.deepEqual((await Deno.readTextFile(list)).split("\n").filter(Boolean), [
    "1975/06/07/scan.jpg",
    "1975/06/07/scan.jpg.xmp",
  ]);
  const verified = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.doesNotMatch(verified.stderr, /unknown/);

  // Corrected again, and the run that indexes it stops before its end (the day's quota): the next run,
  // a plain one, moves the file (what sync.db took in is never left undone in the tree).
  env.emulator.items.set(other.id, { ...other, creationTime: "1980-02-03T12:00:00Z" });
  env.emulator.faults = { dailyApiQuota: 1 };
  const stopped = await env.run(["--all"]);
  assert.equal(stopped.code, 5, stopped.stderr);
  env.emulator.faults = {};
  env.emulator.resetQuota();
  const next = await env.run();
  assert.equal(next.code, 0, next.stderr);
  assert.ok((await listFiles(env.dir)).includes("1980/02/03/IMG_2.jpg"), next.stderr);
});

Deno.test("a date corrected in Google Photos, the file not in the folder (a CI job's holds only sync.db): downloaded again to its day, never recorded where no file is", async () => {
  const scan = item("S1", "scan.jpg", "2019-01-01T10:00:00Z", { size: 3000 });
  const other = item("S2", "IMG_2.jpg", "2019-01-02T10:00:00Z", { size: 2000 });
  await using env = await synced([scan, other]);
  assert.equal(env.first.code, 0, env.first.stderr);
  // The job stored the run's files elsewhere; the next run's folder holds only sync.db.
  await Deno.remove(join(env.dir, "2019"), { recursive: true });
  const corrected = { ...scan, creationTime: "1975-06-07T12:00:00Z" };
  env.emulator.items.set(scan.id, corrected);
  const list = join(env.root, "new-files.txt");
  const again = await env.run(["--all", `--new-files=${list}`]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /downloaded 1 file\b/);
  assert.deepEqual(await listFiles(env.dir), ["1975/06/07/scan.jpg"]);
  await assertSameBytes(join(env.dir, "1975/06/07/scan.jpg"), corrected);
  assert.equal(
    (await Deno.stat(join(env.dir, "1975/06/07/scan.jpg"))).mtime?.getTime(),
    Date.parse(corrected.creationTime),
  );
  assert.deepEqual((await Deno.readTextFile(list)).split("\n").filter(Boolean), ["1975/06/07/scan.jpg"]);
  using db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
  assert.deepEqual(
    db.prepare("SELECT path, status FROM items ORDER BY path").all().map((row) => ({ ...row })),
    [{ path: "1975/06/07/scan.jpg", status: "downloaded" }, {
      path: "2019/01/02/IMG_2.jpg",
      status: "downloaded",
    }],
  );
});

Deno.test("a date corrected to a year whose folder is a symbolic link: that file is not moved, said in one line (exit 3), the run goes on; no later run downloads it again", async () => {
  const old = item("S0", "old.jpg", "2019-03-03T10:00:00Z", { size: 1000 });
  const scan = item("S1", "scan.jpg", "2020-05-01T11:00:00Z", { size: 3000 });
  await using env = await synced([old, scan]);
  assert.equal(env.first.code, 0, env.first.stderr);
  // The user moved 2019 to another disk and left a link in its place.
  const elsewhere = join(env.root, "other-disk");
  await Deno.mkdir(elsewhere);
  await Deno.rename(join(env.dir, "2019"), join(elsewhere, "2019"));
  await Deno.symlink(join(elsewhere, "2019"), join(env.dir, "2019"));
  env.emulator.items.set(scan.id, { ...scan, creationTime: "2019-12-25T09:00:00Z" });
  const newer = item("S2", "new.jpg", "2021-01-01T10:00:00Z", { size: 2000 });
  env.emulator.items.set(newer.id, newer);
  const again = await env.run(["--all"]);
  assert.equal(again.code, 3, again.stderr);
  assert.doesNotMatch(again.stderr, /unexpected/);
  const warned = again.stderr.split("\n").filter((line) => line.includes("not moved"));
  assert.equal(warned.length, 1, again.stderr);
  assert.match(
    warned[0],
    /2020\/05\/01\/scan\.jpg not moved to its corrected date: .*2019 is a symbolic link/,
  );
  assert.match(again.stderr, /downloaded 2021\/01\/01\/new\.jpg/);
  for (const run of [1, 2]) {
    env.emulator.resetCounts();
    const later = await env.run();
    assert.equal(later.code, 3, `run ${run}: ${later.stderr}`);
    assert.equal(env.emulator.counts.media ?? 0, 0, later.stderr);
  }
  // The file stays where it was, recorded there: nothing untracked, nothing missing.
  assert.equal((await Deno.lstat(join(env.dir, "2020/05/01/scan.jpg"))).size, 3000);
  const verified = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.doesNotMatch(verified.stderr, /unknown|missing/);
});

Deno.test("a date corrected while the item is still pending (a run ended by --max-bytes after its path was settled): it is downloaded to its new day", async () => {
  const items = [
    item("P1", "IMG_1.jpg", "2020-05-01T10:00:00Z", { size: 3000 }),
    item("P2", "IMG_2.jpg", "2020-05-02T10:00:00Z", { size: 3000 }),
  ];
  await using env = await synced(items, ["--max-bytes=1B", "--concurrency=1"]);
  assert.equal(env.first.code, 3, env.first.stderr);
  const corrected = { ...items[1], creationTime: "2018-08-08T08:00:00Z" };
  env.emulator.items.set(corrected.id, corrected);
  const again = await env.run(["--all"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await listFiles(env.dir), ["2018/08/08/IMG_2.jpg", "2020/05/01/IMG_1.jpg"]);
  assert.equal(
    (await Deno.stat(join(env.dir, "2018/08/08/IMG_2.jpg"))).mtime?.getTime(),
    Date.parse(corrected.creationTime),
  );
});

Deno.test("two items with one name on one day both survive under stable names", async () => {
  const items = [
    item("X-first", "IMG_0001.JPG", "2023-07-01T08:00:00Z", { size: 1000 }),
    item("X-second", "IMG_0001.JPG", "2023-07-01T09:00:00Z", { size: 2000 }),
    item("X-third", "img_0001.jpg", "2023-07-01T10:00:00Z", { size: 3000 }),
  ];
  await using env = await synced(items);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  const files = await listFiles(env.dir);
  assert.deepEqual(files.length, 3);
  assert.ok(files.includes("2023/07/01/IMG_0001.JPG"), "the earliest keeps its name");
  const sizes = await Promise.all(files.map(async (f) => (await Deno.stat(join(env.dir, f))).size));
  assert.deepEqual(sizes.sort(), [1000, 2000, 3000]);
  // Same names from a fresh folder: deterministic.
  await using again = await synced(items);
  assert.deepEqual(await listFiles(again.dir), files);
  // A resync keeps every name.
  await Deno.remove(join(env.dir, files[1]));
  assert.deepEqual((await env.run(["--resync"])).code, 0);
  assert.deepEqual(await listFiles(env.dir), files);
});

Deno.test("hostile file names never leave --dir", async () => {
  const long = "x".repeat(300) + ".jpg";
  const items = [
    item("H1", "../../escape.jpg", "2020-01-01T00:00:00Z"),
    item("H2", "/etc/passwd", "2020-01-01T00:00:01Z"),
    item("H3", "..\\..\\win.jpg", "2020-01-01T00:00:02Z"),
    item("H4", "nul\u0000byte\u0007bell\nnewline.jpg", "2020-01-01T00:00:03Z"),
    item("H5", long, "2020-01-01T00:00:04Z"),
    item("H6", "..", "2020-01-01T00:00:05Z"),
    item("H7", "", "2020-01-01T00:00:06Z"),
    item("H8", "sync.db", "2020-01-01T00:00:07Z"),
  ];
  await using env = await synced(items, ["--layout={year}"]);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  const inside = await listFiles(env.dir);
  assert.deepEqual(inside.length, items.length, inside.join("\n"));
  const outside = (await listFiles(env.root)).filter((f) => !f.startsWith("photos/"));
  assert.deepEqual(outside, ["clientsecret.json"], "nothing is written outside --dir");
  for (const file of inside) {
    const name = file.split("/").pop()!;
    assert.ok(new TextEncoder().encode(name).length <= 255, `${name} is too long`);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(name, /[\u0000-\u001f\\]/);
    assert.ok(!name.startsWith("."), `${name} is hidden`);
  }
  assert.ok(inside.includes("2020/escape.jpg"), "../../escape.jpg keeps its name, not its path");
  assert.ok(inside.some((f) => f.startsWith("2020/") && f.endsWith(".jpg") && f.includes("xxxx")));

  // With an empty layout, an item called sync.db must not replace the database.
  await using flat = await synced([item("R1", "sync.db", "2020-01-01T00:00:00Z")], ["--layout="]);
  assert.deepEqual(flat.first.code, 0, flat.first.stderr);
  const [stored] = await listFiles(flat.dir);
  assert.match(stored, /^sync \([0-9a-f]{8}\)\.db$/);
  assert.deepEqual((await flat.status()).downloaded, 1, "sync.db is still the database");
});

const jan1 = (second: number) => `2020-01-01T00:00:${String(second).padStart(2, "0")}Z`;

/** Characters of several code points each, which a long name is cut between, not inside. */
const CUT_UNITS = [
  "e\u0301", // é decomposed: two code points, one character.
  "\u{1F1EF}\u{1F1F5}", // 🇯🇵: two regional indicators.
  "\u1100\u1161\u11a8", // 각 as three conjoining jamo.
  "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}", // 👨‍👩‍👧: five code points.
];

/** The items of the naming tests below, each test's own (no two share a name or an id), by test. */
const NAMED = {
  // "é" composed (NFC, as Windows and Linux cameras write it) and decomposed (NFD, as macOS
  // does): one file name on macOS and Windows, so the later item is tagged everywhere.
  normalisation: [
    item("N1", "caf\u00e9.jpg", "2023-07-02T08:00:00Z", { size: 1000 }),
    item("N2", "cafe\u0301.jpg", "2023-07-02T09:00:00Z", { size: 2000 }),
  ],
  unusable: [
    item("E1", "", jan1(1)),
    item("E2", ".", jan1(2)),
    item("E3", "..", jan1(3)),
    item("E4", " . . ", jan1(4)),
    item("E5", "   ", jan1(5)),
    item("E6", ".jpg", jan1(6)),
    item("E7", "...JPG", jan1(7)),
    item("E8", "", jan1(8), { mimeType: "image/png" }),
    item("E9", ".mov", jan1(9), { mimeType: "video/mp4", video: { status: "READY" as const } }),
    item("E10", "../..", jan1(10), { mimeType: "image/heic" }),
    item("E11", ".", jan1(11), { mimeType: "application/x-unknown" }),
    // A name of its own stays its own.
    item("E12", ".hidden.jpg", jan1(12)),
    item("E13", "jpg", jan1(13)),
  ],
  cut: CUT_UNITS.map((unit, i) => item(`G${i}`, unit.repeat(100) + ".jpg", jan1(i))),
  windows: [
    item("W1", "AUX .jpg", jan1(1)),
    item("W2", "nul  .tar.gz", jan1(2)),
    item("W3", "COM\u00b9.jpg", jan1(3)),
    item("W4", "lpt\u00b3", jan1(4)),
    // Names Windows takes as they are.
    item("W5", "AUXILIARY.jpg", jan1(5)),
    item("W6", "COM10.jpg", jan1(6)),
    item("W7", "con_.jpg", jan1(7)),
  ],
  c1: [
    item("C1", "x\u0085y\u009f.jpg", jan1(1)),
    item("C2", "\u009b31mred.jpg", jan1(2)),
  ],
};

/** The folder {@link namedBackup} made, removed after the file's tests. */
let namedRoot: string | undefined;
Deno.test.afterAll?.(async () => {
  if (namedRoot) await Deno.remove(namedRoot, { recursive: true });
});

/**
 * Every item of {@link NAMED} synced by one first run into one folder, which verify finds intact: where each
 * item's file was placed (its path in sync.db, the folder holding exactly those files), by id. Made once, by the
 * first test that asks; the naming tests only read it. Names are made per day folder, so items of other tests
 * there change none of a test's names but by taking the same name, which the test would see.
 */
let named: Promise<Map<string, string>> | undefined;
function namedBackup(): Promise<Map<string, string>> {
  return named ??= (async () => {
    const env = await synced(Object.values(NAMED).flat());
    namedRoot = env.root;
    try {
      assert.equal(env.first.code, 0, env.first.stderr);
      const verified = await env.cli(["verify", `--dir=${env.dir}`]);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stderr, /all intact/);
    } finally {
      await env.emulator.close();
    }
    using db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
    const rows = db.prepare("SELECT id, path FROM items").all() as { id: string; path: string }[];
    const paths = new Map(rows.map((row) => [row.id, row.path]));
    assert.deepEqual(await listFiles(env.dir), [...paths.values()].sort(), "a file for each item, no other");
    return paths;
  })();
}

/** Where the first sync of {@link namedBackup} placed each of `items`, relative to its folder. */
async function placed(items: FixtureItem[]): Promise<string[]> {
  const paths = await namedBackup();
  return items.map((it) => paths.get(it.id) ?? assert.fail(`${it.id} was not recorded`));
}

/** The names of the files the first sync placed for `items` (all dated 2020-01-01), its folder verified intact. */
async function namesOf(items: FixtureItem[]): Promise<Set<string>> {
  const files = await placed(items);
  assert.ok(files.every((file) => file.startsWith("2020/01/01/")), files.join("\n"));
  return new Set(files.map((file) => file.slice("2020/01/01/".length)));
}

Deno.test("names that differ only in Unicode normalisation get distinct files", async () => {
  const nfc = NAMED.normalisation[0].filename;
  const files = await placed(NAMED.normalisation);
  const dir = join(namedRoot!, "photos");
  assert.deepEqual(files.length, 2);
  assert.equal(new Set(files.map((file) => file.normalize("NFC").toLowerCase())).size, 2, files.join(", "));
  assert.ok(files.includes(`2023/07/02/${nfc}`), "the earlier item keeps its name");
  assert.ok(
    files.some((file) => /^2023\/07\/02\/cafe\u0301 \([0-9a-f]{8}\)\.jpg$/.test(file)),
    files.join(", "),
  );
  const sizes = await Promise.all(files.map(async (file) => (await Deno.stat(join(dir, file))).size));
  assert.deepEqual(sizes.sort(), [1000, 2000]);
});

Deno.test("an item named nothing usable (empty, dots, spaces, only an extension) is saved as its id with its type's extension", async () => {
  assert.deepEqual((await placed(NAMED.unusable)).sort(), [
    "2020/01/01/E1.jpg",
    "2020/01/01/E10.heic",
    "2020/01/01/E11",
    "2020/01/01/E2.jpg",
    "2020/01/01/E3.jpg",
    "2020/01/01/E4.jpg",
    "2020/01/01/E5.jpg",
    "2020/01/01/E6.jpg",
    "2020/01/01/E7.jpg",
    "2020/01/01/E8.png",
    "2020/01/01/E9.mp4",
    "2020/01/01/_hidden.jpg",
    "2020/01/01/jpg",
  ]);
  // A picked one likewise.
  await using fresh = await TestEnv.start({ items: [item("P1", "..", jan1(1), { mimeType: "image/webp" })] });
  const pick = await fresh.pick(["P1"]);
  assert.equal(pick.code, 0, pick.stderr);
  assert.deepEqual(await listFiles(fresh.dir), ["2020/01/01/P1.webp"]);
});

Deno.test("a long name is cut between characters as they are seen, not inside one (é decomposed, a flag, Hangul jamo, an emoji family)", async () => {
  const names = await namesOf(NAMED.cut);
  // As many whole ones as fit in 251 bytes with the extension.
  const cut = (unit: string) => unit.repeat(Math.floor(247 / new TextEncoder().encode(unit).length)) + ".jpg";
  assert.deepEqual(names, new Set(CUT_UNITS.map(cut)));
});

Deno.test("names Windows takes for a device (AUX .jpg, nul  .tar.gz, COM¹.jpg) get a _ before them", async () => {
  assert.deepEqual(
    await namesOf(NAMED.windows),
    new Set([
      "_AUX .jpg",
      "_nul  .tar.gz",
      "_COM\u00b9.jpg",
      "_lpt\u00b3",
      "AUXILIARY.jpg",
      "COM10.jpg",
      "con_.jpg",
    ]),
  );
});

Deno.test("C1 control characters in a name (NEL, CSI) become _, as C0's do", async () => {
  assert.deepEqual(await namesOf(NAMED.c1), new Set(["x_y_.jpg", "_31mred.jpg"]));
});

Deno.test("--xmp: a name cut short gets its sidecar (the name leaves room for .xmp); a file an earlier version named at 255 bytes is renamed to the name that fits, also after a rename stopped half-way", async () => {
  const long = item("L1", "a".repeat(300) + ".jpg", "2021-06-01T10:00:00Z", { size: 3000 });
  await using env = await synced([long], ["--xmp"]);
  assert.equal(env.first.code, 0, env.first.stderr);
  assert.doesNotMatch(env.first.stderr, /no XMP sidecar/);
  const cut = `2021/06/01/${"a".repeat(247)}.jpg`;
  assert.deepEqual(await listFiles(env.dir), [cut, `${cut}.xmp`]);
  const sidecar = await Deno.readTextFile(join(env.dir, `${cut}.xmp`));
  const pathOf = () => {
    using db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
    return db.prepare("SELECT path FROM items WHERE id = ?").get(long.id)?.path;
  };

  // A backup an earlier version made: the name cut to 255 bytes (no sidecar could go beside it), recorded so.
  const old = `2021/06/01/${"a".repeat(251)}.jpg`;
  const madeByAnEarlierVersion = async (db: DatabaseSync) => {
    await Deno.remove(join(env.dir, `${cut}.xmp`));
    await Deno.rename(join(env.dir, cut), join(env.dir, old));
    db.prepare("UPDATE items SET path = ?, path_key = ? WHERE id = ?").run(old, old, long.id);
  };
  {
    using db = new DatabaseSync(join(env.dir, "sync.db"));
    await madeByAnEarlierVersion(db);
  }
  // The next run (the folder has --xmp) renames it to the name that fits, and writes its sidecar there.
  const again = await env.run(["--all"]);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /downloaded [1-9]|no XMP sidecar/);
  assert.match(again.stderr, /^renamed 1 file whose name an earlier photosync cut at 252-255 bytes/m);
  assert.deepEqual(await listFiles(env.dir), [cut, `${cut}.xmp`]);
  assert.equal(await Deno.readTextFile(join(env.dir, `${cut}.xmp`)), sidecar);
  assert.equal((await Deno.stat(join(env.dir, cut))).mtime?.getTime(), Date.parse(long.creationTime));
  assert.equal(pathOf(), cut);
  const verified = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stderr, /all intact/);

  // A rename stopped (kill -9) after the new name was claimed, before the file followed: the note of where
  // the file is (written before the claim) takes the next run there; nothing is downloaded again.
  {
    using db = new DatabaseSync(join(env.dir, "sync.db"));
    await madeByAnEarlierVersion(db);
    db.prepare("INSERT INTO checkpoints (source, key, value) VALUES ('refile', ?, ?)").run(long.id, old);
    db.prepare("UPDATE items SET path = ?, path_key = ? WHERE id = ?").run(cut, cut, long.id);
  }
  const resumed = await env.run([]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.doesNotMatch(resumed.stderr, /downloaded [1-9]|no XMP sidecar/);
  assert.deepEqual(await listFiles(env.dir), [cut, `${cut}.xmp`]);
  assert.equal(pathOf(), cut);
  {
    using db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
    assert.equal(db.prepare("SELECT count(*) AS n FROM checkpoints WHERE source = 'refile'").get()?.n, 0);
  }
  assert.equal((await env.cli(["verify", `--dir=${env.dir}`])).code, 0);

  // Stopped right after its note was written, and the file deleted since: nothing to rename, and the note
  // stays for the re-filing that fetches a file not here again, to the name that fits.
  {
    using db = new DatabaseSync(join(env.dir, "sync.db"));
    await madeByAnEarlierVersion(db);
    db.prepare("INSERT INTO checkpoints (source, key, value) VALUES ('refile', ?, ?)").run(long.id, old);
  }
  await Deno.remove(join(env.dir, old));
  const fetched = await env.run([]);
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.deepEqual(await listFiles(env.dir), [cut, `${cut}.xmp`], fetched.stderr);
  assert.equal(pathOf(), cut);
  assert.equal((await env.cli(["verify", `--dir=${env.dir}`])).code, 0);
});

Deno.test("status --json counts items, downloaded, pending and failed; a video that is not READY stays pending with a note; a failed batchGet item is listed", async () => {
  const video = item("V1", "clip.mp4", "2021-03-03T03:03:03Z", {
    mimeType: "video/mp4",
    video: { status: "PROCESSING" },
  });
  const photo = item("P1", "pic.jpg", "2021-03-03T04:00:00Z");
  // Its name forges a line of status's output, were it printed as it is.
  const doomed = item("G1", "gone.jpg\r\n  failed forged.jpg (F1): by the name", "2021-03-03T05:00:00Z");
  const library = generateLibrary({ count: 12, seed: 5 });
  const items = [video, photo, doomed, ...library];
  await using env = await synced(items, ["--index-only"]);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  assert.deepEqual(await listFiles(env.dir), [], "--index-only downloads nothing");
  const pending = await env.status();
  assert.deepEqual([pending.items, pending.downloaded, pending.pending, pending.failed], [15, 0, 15, 0]);
  env.emulator.items.delete("G1");
  const run = await env.run();
  assert.deepEqual(run.code, 3, run.stderr);
  assert.match(run.stderr, /photosync status/);
  const counts = await env.status();
  assert.deepEqual([counts.downloaded, counts.pending, counts.failed], [1 + library.length, 1, 1]);
  assert.match(counts.failures[0].reason, /Invalid media item ID/);
  assert.match(counts.notes[0].note, /not ready/);
  const text = await env.cli(["status", `--dir=${env.dir}`], { inProcess: true });
  assert.match(
    text.stdout,
    /failed gone\.jpg\\r\\n {2}failed forged\.jpg \(F1\): by the name \(G1\): Invalid media item ID/,
  );
  assert.doesNotMatch(text.stdout, /^ {2}failed forged/m);

  env.emulator.items.set("V1", { ...video, video: { status: "READY" } });
  const later = await env.run();
  assert.deepEqual(later.code, 0, "the deleted item is out of reach: not a failure of this run");
  const done = await env.status();
  assert.deepEqual(done.failed, 1, "but status still lists it");
  assert.deepEqual([done.items, done.downloaded, done.pending, done.failed], [15, 14, 0, 1]);
  assert.deepEqual(done.bytes, items.filter((it) => it !== doomed).reduce((sum, it) => sum + it.size, 0));
  await assertSameBytes(join(env.dir, "2021/03/03/clip.mp4"), env.emulator.items.get("V1")!);
});

Deno.test("a run killed mid-download resumes to the same tree without leftovers; --new-files lists every file it recorded", async () => {
  const items = generateLibrary({ count: 80, seed: 21, minSize: 200_000, maxSize: 400_000 });
  await using env = await TestEnv.start({ items });
  const list = join(env.root, "new-files.txt");
  // The folder's first run: it authorises (the harness plays the browser), then indexes and downloads.
  const cli = env.spawn(["--concurrency=2", "--all", `--new-files=${list}`], { auth: "browser" });
  await answerAuth(cli, env.emulator, "browser");
  // Killed once sync.db records some of its files: a CI job stores the listed files with that sync.db.
  const recorded = () => {
    const db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
    try {
      return (db.prepare("SELECT path FROM items WHERE status = 'downloaded'").all() as { path: string }[])
        .map((row) => row.path);
    } finally {
      db.close();
    }
  };
  await cli.waitForLine((line) => line.startsWith("downloaded ") && recorded().length >= 3);
  cli.child.kill("SIGKILL");
  await cli.result();
  const partial = (await listFiles(env.dir)).filter((f) => !f.startsWith(".photosync-tmp"));
  assert.ok(partial.length < items.length, "killed before the end");
  const listed = new Set((await Deno.readTextFile(list)).split("\n").filter(Boolean));
  const unlisted = recorded().filter((path) => !listed.has(path));
  assert.deepEqual(unlisted, [], "every file sync.db records is listed");
  const resumed = await env.run();
  assert.deepEqual(resumed.code, 0, resumed.stderr);
  await assertTree(env.dir, items);
});

Deno.test("--layout, --query and status text", async () => {
  const items = [item("L1", "one.jpg", "2019-02-03T04:05:06Z", { description: "hello" })];
  await using env = await synced(items, ["--layout={year}/{year}-{month}"]);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  assert.deepEqual(await listFiles(env.dir), ["2019/2019-02/one.jpg"]);
  // --query only reads: in this process (auth.test.ts runs it as a child); photosync query as a child.
  const query = await env.cli([`--dir=${env.dir}`, "--query=L1"], { inProcess: true });
  assert.deepEqual(query.code, 0, query.stderr);
  assert.deepEqual(JSON.parse(query.stdout).id, "L1");
  assert.deepEqual(JSON.parse(query.stdout).description, "hello");
  const sub = await env.cli(["query", "L1", `--dir=${env.dir}`]);
  assert.deepEqual(JSON.parse(sub.stdout).filename, "one.jpg");
});

Deno.test("--concurrency=N keeps N downloads in flight, 1 and 5; 8 without the flag", async () => {
  // Bodies larger than the loopback socket buffers stay in flight until the CLI has read them.
  // More items than the largest pool, so that a pool allowing one more would show it.
  const items = generateLibrary({
    count: 10,
    seed: 4,
    minSize: 1_000_000,
    maxSize: 1_500_000,
    videoRatio: 0,
  });
  await using env = await synced(items, ["--index-only"]);
  assert.equal(env.first.code, 0, env.first.stderr);
  for (const [concurrency, args] of [[1, ["--concurrency=1"]], [5, ["--concurrency=5"]], [8, []]] as const) {
    // Each run downloads the whole library into a copy of the indexed folder (its authorisation with it).
    const dir = join(env.root, `concurrency-${concurrency}`);
    await copyBackup(env.dir, dir);
    env.emulator.maxMediaInFlight = 0;
    // Media answers wait until that many requests are waiting, so the downloads the pool allows are
    // in flight together (a pool that allows more shows more; fewer, fewer).
    env.emulator.holdMediaUntil(concurrency);
    const run = await env.cli([`--dir=${dir}`, ...args]);
    assert.deepEqual(run.code, 0, run.stderr);
    assert.deepEqual((await listFiles(dir)).length, items.length);
    assert.deepEqual(env.emulator.maxMediaInFlight, concurrency, `downloads in flight with ${args}`);
  }
});

Deno.test("plain event lines off a terminal, a progress line on one, a summary on both, --quiet", async () => {
  const items = generateLibrary({ count: 6, seed: 8 });
  await using env = await synced(items, ["--index-only"]);
  const plain = env.first;
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /^done in .*: indexed/m);
  assert.ok(!plain.stderr.includes("\x1b["), "no terminal codes off a terminal");
  // The indexed folder as it is now, for the run with --quiet below.
  const quiet = join(env.root, "quiet");
  await copyBackup(env.dir, quiet);

  // On a pseudo-terminal (util-linux `script`), per-file lines give way to a redrawn progress line.
  const command = cliCommand([`--dir=${env.dir}`]).map((word) => `'${word}'`).join(" ");
  const tty = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    cwd: env.root,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", PHOTOSYNC_API_URL: env.emulator.apiUrl, TERM: "xterm" },
    stdin: "null",
  }).output();
  const screen = new TextDecoder().decode(tty.stdout);
  assert.deepEqual(tty.code, 0, screen);
  assert.ok(screen.includes("\r\x1b[Kindexed "), screen);
  assert.match(screen, /indexed \d+ · downloaded \d+\/6 files/);
  assert.doesNotMatch(screen, /^downloaded /m);
  assert.match(screen, /done in .*downloaded 6 files/);

  const silent = await env.cli([`--dir=${quiet}`, "--quiet"]);
  assert.deepEqual(silent.code, 0, silent.stderr);
  assert.deepEqual(silent.stderr, "");
  assert.equal((await listFiles(quiet)).length, items.length, "the quiet run downloaded the library");
});

Deno.test("off a terminal, indexing prints no line per search or page, empty or not", async () => {
  const items = generateLibrary({ count: 300, seed: 13, from: "2016-01-01", to: "2024-12-31" });
  await using env = await synced(items, ["--index-only"]);
  assert.equal(env.first.code, 0, env.first.stderr);
  // The whole library (pages of 100), then everything again, then the incremental searches
  // (one of them empty): a summary each, and a progress line only every few seconds.
  const all = await env.run(["--index-only", "--all"]);
  const plain = await env.run(["--index-only"]);
  for (const run of [env.first, all, plain]) {
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /^indexed \d+ items:/m);
    assert.ok(run.stderr.split("\n").filter((line) => line.startsWith("indexed ")).length <= 1, run.stderr);
  }
  assert.deepEqual(all.stderr.split("\n").filter((line) => line !== ""), [
    all.stderr.match(/^done in .*/m)![0],
  ]);
  assert.match(env.first.stderr, /^done in .*: indexed 300 new and 0 changed items/m);
});

Deno.test("the TypeScript API takes a pathMapper", async () => {
  const items = generateLibrary({ count: 4, seed: 12 });
  await using env = await TestEnv.start({ items });
  // Authorised once elsewhere: the token as the consent and the code exchange give it.
  const { refreshToken } = env.emulator.grant(LIBRARY_SCOPE);
  const dir = join(env.root, "api");
  const summary = await sync({
    dir,
    logger: new Renderer({ verbosity: "quiet", tty: false }),
    creds: join(env.root, "clientsecret.json"),
    apiUrl: env.emulator.apiUrl,
    io: { env: (name) => name === "PHOTOSYNC_REFRESH_TOKEN" ? refreshToken : undefined },
    pathMapper: (it) => `by-id/${it.id}${it.isVideo ? ".video" : ".photo"}`,
  });
  assert.deepEqual(summary.downloads?.downloaded, 4);
  assert.deepEqual(
    await listFiles(dir),
    items.map((it) => `by-id/${it.id}${it.video ? ".video" : ".photo"}`).sort(),
  );
});

Deno.test("a sync its time limit stops while downloading counts what it downloaded", async () => {
  const items = generateLibrary({ count: 6, seed: 14 });
  await using env = await TestEnv.start({ items });
  // Authorised once elsewhere: the token as the consent and the code exchange give it.
  const { refreshToken } = env.emulator.grant(LIBRARY_SCOPE);
  const stop = new RunStop();
  let placed = 0;
  const summary = await sync({
    dir: env.dir,
    logger: new Renderer({ verbosity: "quiet", tty: false }),
    creds: join(env.root, "clientsecret.json"),
    apiUrl: env.emulator.apiUrl,
    concurrency: 1,
    io: { env: (name) => name === "PHOTOSYNC_REFRESH_TOKEN" ? refreshToken : undefined },
    stop,
    // The time limit runs out as the second file lands.
    onFile: () => {
      if (++placed === 2) stop.abort(new StopRequest("the time limit ran out"));
    },
  });
  assert.equal(summary.stopped, "downloading");
  assert.equal(summary.downloads?.downloaded, placed);
  assert.ok(placed >= 2 && placed < items.length, `${placed}`);
});

Deno.test("an hour passing mid-run: expired baseUrls and access tokens are renewed", async () => {
  let offset = 0;
  await using env = await TestEnv.start({
    items: generateLibrary({ count: 12, seed: 30, videoRatio: 0.3 }),
    now: () => Date.now() + offset,
    onRequest: (request) => {
      if (request.route === "media" && offset === 0) offset = 61 * 60_000;
    },
  });
  const { emulator } = env;
  const run = await env.run(["--concurrency=1"], { auth: "browser" });
  assert.deepEqual(run.code, 0, run.stderr);
  assert.ok(emulator.requests.some((r) => r.route === "media" && r.status === 403), "a URL expired");
  assert.ok(emulator.requests.some((r) => r.status === 401), "the access token expired");
  assert.ok(emulator.counts.batchGet > 1, "fresh URLs were fetched");
  await assertItemFiles(env.dir, emulator.items.values());
});

Deno.test("a run killed while indexing is resumed: no item is skipped by the next incremental run", async () => {
  let victim: CliProcess | undefined;
  let searches = 0;
  const itemsSaved = () => {
    using db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
    return Number(db.prepare("SELECT count(*) AS n FROM items").get()?.n);
  };
  await using env = await TestEnv.start({
    items: [item("K0", "known.jpg", "2010-01-01T00:00:00Z")],
    onRequest: (request) => {
      // Kill the CLI as a search is answered once some pages are saved (from its fourth on: a busy machine may
      // save the first pages late): pages are still being searched, so most are not saved.
      if (victim && request.route === "search" && ++searches >= 4 && itemsSaved() > 1) {
        victim.child.kill("SIGKILL");
        victim = undefined;
      }
    },
    // Searches answered in rounds, as over a network.
    faults: { latencyMs: { search: 20 } },
  });
  const first = await env.run([], { auth: "browser" });
  assert.deepEqual(first.code, 0, first.stderr);
  const added = generateLibrary({ count: 450, seed: 40, from: "2015-01-01", to: "2020-12-31" });
  for (const it of added) env.emulator.items.set(it.id, it);

  const killed = victim = env.spawn(["--index-only"]);
  assert.notDeepEqual((await killed.result()).code, 0, "killed");
  victim = undefined;
  const indexedBeforeKill = (await env.status()).items;
  assert.ok(indexedBeforeKill > 1 && indexedBeforeKill < 451, `${indexedBeforeKill} items after the kill`);

  const resumed = await env.run();
  assert.deepEqual(resumed.code, 0, resumed.stderr);
  const counts = await env.status();
  assert.deepEqual([counts.items, counts.downloaded], [451, 451]);
});

Deno.test("sharded indexing finds every item once: dense days, shard boundaries, sparse decades", async () => {
  const items: FixtureItem[] = [
    ...generateLibrary({ count: 700, seed: 60, from: "2019-01-01", to: "2021-12-31" }),
    ...generateLibrary({ count: 30, seed: 61, from: "1950-01-01", to: "1999-12-31" }),
  ];
  // 250 items on one day (more than a page), and pairs straddling midnight all over.
  for (let i = 0; i < 250; i++) {
    items.push(item(`DENSE${i}`, `burst_${i}.jpg`, new Date(Date.UTC(2020, 6, 4, 0, 0, i)).toISOString()));
  }
  for (let day = 0; day < 60; day++) {
    const midnight = Date.UTC(2018, 0, 1) + day * 7 * 86_400_000;
    items.push(item(`EVE${day}`, `eve_${day}.jpg`, new Date(midnight - 1000).toISOString()));
    items.push(item(`MORN${day}`, `morn_${day}.jpg`, new Date(midnight).toISOString()));
  }
  await using env = await synced(items, ["--index-only"]);
  assert.deepEqual(env.first.code, 0, env.first.stderr);
  const db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
  const ids = (db.prepare("SELECT id FROM items").all() as { id: string }[]).map((row) => row.id);
  db.close();
  assert.deepEqual(ids.length, new Set(ids).size, "no duplicates");
  assert.deepEqual(new Set(ids), new Set(items.map((it) => it.id)), "no gaps");
  const searches = env.emulator.requests.filter((r) => r.route === "search");
  type Search = { pageToken?: string; orderBy?: string; filters?: { dateFilter?: { ranges: unknown[] } } };
  const ranged = searches.map((r) => r.body as Search).filter((body) => body.filters?.dateFilter);
  const shards = new Set(ranged.map((body) => JSON.stringify(body.filters!.dateFilter!.ranges)));
  assert.ok(shards.size >= 2, `the library was searched in shards (${shards.size})`);
  // Google documents an order only with a date filter: every dated search names its own.
  assert.ok(ranged.every((body) => /^MediaMetadata\.creation_time( desc)?$/.test(body.orderBy ?? "")));
  assert.ok(searches.some((r) => (r.body as Search).pageToken), "the dense day was paged through");
  const floor = Math.ceil(items.length / 100);
  assert.ok(searches.length <= 1.3 * floor + 30, `${searches.length} searches for ${floor} pages`);
});
