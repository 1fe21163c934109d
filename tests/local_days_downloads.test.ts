/**
 * Issue 20 for downloads: the Library API and the Picker give only a UTC `creationTime`, so in a folder of
 * local days (`--folder-days=local`) `sync` and `pick` read each download's own EXIF before placing it. One
 * emulated library (runs in Tokyo's zone, so the machine's zone is seen to play no part):
 *
 * - `Tokyo.jpg`: 2020-12-31 23:00 UTC, EXIF `2021:01:01 08:00:00` at `+09:00`: 1 January;
 * - `LA.jpg`: 2023-07-02 06:30 UTC, EXIF GPS in Los Angeles (23:30 on 1 July there) and a camera clock
 *   7 minutes off the instant: 1 July, by the place's zone;
 * - `Clock.jpg`: 2022-03-04 23:30 UTC, EXIF `2022:03:05 08:30:00` without an offset (9 hours ahead,
 *   a zone's whole hours): 5 March;
 * - `Skewed.jpg`: 2022-06-10 23:30 UTC, EXIF `2022:06:11 08:37:00` without an offset (7 minutes off any
 *   zone: the clock does not tell the zone of the instant): its UTC day;
 * - `Plain.jpg` (no EXIF) and `Clip.mp4` (a video): their UTC days.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type FixtureItem, fixtureItem } from "../testing/library_fixture.ts";
import { answerAuth, CliProcess, listFiles, TestEnv } from "../testing/harness.ts";

const TZ = { TZ: "Asia/Tokyo" };
/** A media item id of the Library API's shape. */
const id = (name: string) => `AF1Qip${name.padEnd(20, "0")}`;

const ITEMS: FixtureItem[] = [
  fixtureItem(id("Tokyo"), "Tokyo.jpg", "2020-12-31T23:00:00Z", {
    exif: { dateTimeOriginal: "2021:01:01 08:00:00", offsetTimeOriginal: "+09:00" },
  }),
  fixtureItem(id("Clock"), "Clock.jpg", "2022-03-04T23:30:00Z", {
    exif: { dateTimeOriginal: "2022:03:05 08:30:00" },
  }),
  fixtureItem(id("Plain"), "Plain.jpg", "2022-03-04T23:30:00Z"),
  fixtureItem(id("Skewed"), "Skewed.jpg", "2022-06-10T23:30:00Z", {
    exif: { dateTimeOriginal: "2022:06:11 08:37:00" },
  }),
  fixtureItem(id("LA"), "LA.jpg", "2023-07-02T06:30:00Z", {
    exif: { dateTimeOriginal: "2023:07:02 06:37:00", gps: { latitude: 34.0522, longitude: -118.2437 } },
  }),
  fixtureItem(id("Clip"), "Clip.mp4", "2023-07-02T06:30:00Z", {
    mimeType: "video/mp4",
    video: { status: "READY" },
  }),
];

/** Each item's file in a folder of local days. */
const LOCAL_PATHS = [
  "2021/01/01/Tokyo.jpg",
  "2022/03/05/Clock.jpg",
  "2022/03/04/Plain.jpg",
  "2022/06/10/Skewed.jpg",
  "2023/07/01/LA.jpg",
  "2023/07/02/Clip.mp4",
];
/** Each item's file in a folder of UTC days. */
const UTC_PATHS = [
  "2020/12/31/Tokyo.jpg",
  "2022/03/04/Clock.jpg",
  "2022/03/04/Plain.jpg",
  "2022/06/10/Skewed.jpg",
  "2023/07/02/LA.jpg",
  "2023/07/02/Clip.mp4",
];

/** The files are where `paths` say, with the API's instant as their mtime. */
async function assertFiled(dir: string, paths: string[], items: FixtureItem[] = ITEMS): Promise<void> {
  assert.deepEqual(
    (await listFiles(dir)).filter((path) => !path.endsWith(".xmp")),
    paths.toSorted(),
  );
  for (const [i, item] of items.entries()) {
    const stat = await Deno.stat(join(dir, paths[i]));
    assert.equal(stat.mtime?.getTime(), Date.parse(item.creationTime), `${paths[i]}: the true instant`);
  }
}

/** The `exif:DateTimeOriginal` an XMP sidecar holds. */
async function xmpTime(path: string): Promise<string | undefined> {
  return /exif:DateTimeOriginal="([^"]*)"/.exec(await Deno.readTextFile(`${path}.xmp`))?.[1];
}

Deno.test("sync and pick into a folder of local days file each download by the local day its EXIF tells; a UTC folder is unchanged", async () => {
  await using env = await TestEnv.start({ items: ITEMS, picker: { pollIntervalMs: 20, timeoutMs: 60_000 } });
  const first = await env.run(["--folder-days=local", "--xmp"], { auth: "browser", env: TZ });
  assert.equal(first.code, 0, first.stderr);
  await assertFiled(env.dir, LOCAL_PATHS);
  // The XMP sidecars' time has the offset now known; without one, UTC.
  assert.equal(await xmpTime(join(env.dir, "2021/01/01/Tokyo.jpg")), "2021-01-01T08:00:00+09:00");
  assert.equal(await xmpTime(join(env.dir, "2023/07/01/LA.jpg")), "2023-07-01T23:30:00-07:00");
  assert.equal(await xmpTime(join(env.dir, "2022/03/05/Clock.jpg")), "2022-03-05T08:30:00+09:00");
  assert.equal(await xmpTime(join(env.dir, "2022/03/04/Plain.jpg")), "2022-03-04T23:30:00Z");
  assert.equal(await xmpTime(join(env.dir, "2022/06/10/Skewed.jpg")), "2022-06-10T23:30:00Z");

  const token = { PHOTOSYNC_REFRESH_TOKEN: env.refreshToken(), ...TZ };
  const utcDir = join(env.root, "utc");
  const pickedDir = join(env.root, "picked");
  const pick = new CliProcess(["pick", `--dir=${pickedDir}`, "--no-browser", "--folder-days=local"], {
    emulator: env.emulator,
    cwd: env.root,
    env: TZ,
  });
  const [again, utc, picked] = await Promise.all([
    // Every item indexed again: the local time read from the bytes stays (no change, nothing moves).
    env.run(["--all"], { env: TZ }),
    env.cli([`--dir=${utcDir}`, "--folder-days=utc", "--creds=clientsecret.json"], { env: token }),
    (async () => {
      await answerAuth(pick, env.emulator, "browser");
      await env.emulator.pick(await pick.waitForLine((line) => line.startsWith(env.emulator.pickerUrl)), [
        ITEMS[0].id,
      ]);
      return await pick.result();
    })(),
  ]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout + again.stderr, /indexed 0 new and 0 changed items/);
  await assertFiled(env.dir, LOCAL_PATHS);
  assert.equal(await xmpTime(join(env.dir, "2021/01/01/Tokyo.jpg")), "2021-01-01T08:00:00+09:00");
  assert.equal(utc.code, 0, utc.stderr);
  await assertFiled(utcDir, UTC_PATHS);
  assert.equal(picked.code, 0, picked.stderr);
  await assertFiled(pickedDir, [LOCAL_PATHS[0]], [ITEMS[0]]);
});

Deno.test("a folder that lost sync.db is not taken for a new one: its days are asked for, and no file is downloaded twice", async () => {
  await using env = await TestEnv.start({ items: ITEMS });
  const made = await env.run(["--folder-days=utc"], { auth: "browser", env: TZ });
  assert.equal(made.code, 0, made.stderr);
  await assertFiled(env.dir, UTC_PATHS);

  // sync.db lost (its tokens with it): a plain run, the rebuild recipe, would file by local days, each
  // photo taken near midnight downloaded again into another day's folder beside its file.
  for (const name of ["sync.db", "sync.db-wal", "sync.db-shm"]) {
    await Deno.remove(join(env.dir, name)).catch(() => {});
  }
  const again = { env: { PHOTOSYNC_REFRESH_TOKEN: env.refreshToken(), ...TZ } };
  const plain = await env.run(["--creds=clientsecret.json"], again);
  assert.equal(plain.code, 2, plain.stderr);
  assert.match(
    plain.stderr,
    /^error: this folder holds photos in dated folders \(\d{4}\/.*--folder-days=utc.*--folder-days=local/,
  );
  assert.equal(plain.stderr.trim().split("\n").length, 1, plain.stderr);
  await assertFiled(env.dir, UTC_PATHS);
  // Refused before anything is written: no empty sync.db that status would take for a backup of nothing.
  assert.equal(await Deno.lstat(join(env.dir, "sync.db")).catch(() => undefined), undefined);

  // Told its days, it takes every file back.
  const rebuilt = await env.run(["--creds=clientsecret.json", "--folder-days=utc"], again);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  await assertFiled(env.dir, UTC_PATHS);
  const verified = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stderr, /all intact\n?$/);
  assert.doesNotMatch(verified.stderr, /not in sync\.db/);
});
