/**
 * Issue 20 through the CLI: XMP sidecars (`--xmp`, read back with exiftool) and folders by the
 * capture's local day (`--folder-days`), on one small hand-made export shared by every run:
 *
 * - `LA.jpg`: sidecar time 2023-07-02 06:30 UTC, sidecar place in Los Angeles (23:30 on 1 July
 *   there), a description with markup and an emoji, two people, a favourite, in the album "Road trip";
 * - `Tokyo.jpg`: no sidecar, EXIF `2021:01:01 08:00:00` with `OffsetTimeOriginal` `+09:00`
 *   (2020-12-31 23:00 UTC);
 * - `Plain.jpg`: sidecar time 2022-03-04 23:30 UTC, no place, no EXIF: its UTC day, whatever the
 *   machine's zone (the runs use TZ=Asia/Tokyo, where it is 5 March).
 *
 * And, in a tgz of its own, `Undated.jpg`: no rule dates it, so its sidecar holds no capture time.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { runPhotosync } from "../testing/harness.ts";
import { renderXmp } from "../lib/core/xmp.ts";
import { exifSegment } from "../testing/takeout/exif.ts";
import { base256Mtime, tarOf, writeGzip, writeZip } from "../testing/takeout/hand_archives.ts";
import { copyBackup } from "../testing/takeout/backup_state.ts";

const WORK = await Deno.makeTempDir({ prefix: "photosync-xmp-" });
Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

const enc = new TextEncoder();
const GP = "Takeout/Google Photos";
const LA_MS = Date.UTC(2023, 6, 2, 6, 30);
const TOKYO_MS = Date.UTC(2020, 11, 31, 23);
const PLAIN_MS = Date.UTC(2022, 2, 4, 23, 30);
const DESCRIPTION = `Sunset <at> "Venice" & 'friends' ]]> 😀`;

/** A minimal JPEG: start, an optional EXIF segment, a little data of its own, end. */
const jpeg = (tag: string, exif?: Uint8Array) =>
  Uint8Array.from([
    0xff,
    0xd8,
    ...(exif ?? []),
    0xff,
    0xfe,
    0,
    2 + tag.length,
    ...enc.encode(tag),
    0xff,
    0xd9,
  ]);
const LA = jpeg("LA");
const laSidecar = enc.encode(JSON.stringify({
  title: "LA.jpg",
  description: DESCRIPTION,
  photoTakenTime: { timestamp: String(LA_MS / 1000) },
  geoData: { latitude: 34.0522, longitude: -118.2437, altitude: 71.5, latitudeSpan: 0, longitudeSpan: 0 },
  people: [{ name: "Alice" }, { name: "Bob O'Neil" }],
  favorited: true,
}));

const ZIP = join(WORK, "takeout-20240101T000000Z-001.zip");
await writeZip(ZIP, [
  [`${GP}/Photos from 2023/LA.jpg`, LA],
  [`${GP}/Photos from 2023/LA.jpg.supplemental-metadata.json`, laSidecar],
  [`${GP}/Road trip/metadata.json`, enc.encode(JSON.stringify({ title: "Road trip" }))],
  [`${GP}/Road trip/LA.jpg`, LA],
  [`${GP}/Road trip/LA.jpg.supplemental-metadata.json`, laSidecar],
  [
    `${GP}/Photos from 2021/Tokyo.jpg`,
    jpeg("Tokyo", exifSegment({ dateTimeOriginal: "2021:01:01 08:00:00", offsetTimeOriginal: "+09:00" })),
  ],
  [`${GP}/Photos from 2022/Plain.jpg`, jpeg("Plain")],
  [
    `${GP}/Photos from 2022/Plain.jpg.supplemental-metadata.json`,
    enc.encode(
      JSON.stringify({ title: "Plain.jpg", photoTakenTime: { timestamp: String(PLAIN_MS / 1000) } }),
    ),
  ],
]);

/** `photosync takeout` of the shared export into `dir`, in Tokyo's zone. */
async function takeout(dir: string, ...flags: string[]) {
  const run = await runPhotosync(["takeout", `--dir=${dir}`, ...flags, ZIP], { env: { TZ: "Asia/Tokyo" } });
  return run;
}

/**
 * The shared export imported with `--xmp` into a new folder, once, by the first test that asks: the tests that
 * start there change a copy ({@link copyBackup}).
 */
let importedXmp: Promise<string> | undefined;
function xmpImported(): Promise<string> {
  return importedXmp ??= (async () => {
    const dir = join(WORK, "imported-xmp");
    const first = await takeout(dir, "--xmp");
    assert.equal(first.code, 0, first.stderr);
    return dir;
  })();
}

/** The folder's settings as sync.db records them. */
function settings(dir: string): Record<string, string> {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT key, value FROM checkpoints WHERE source = 'folder'").all() as {
      key: string;
      value: string;
    }[];
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  } finally {
    db.close();
  }
}

const mtimeOf = async (path: string) => (await Deno.stat(path)).mtime?.getTime();

/** Whether exiftool is installed (Debian: libimage-exiftool-perl; .ci/run installs it). */
const EXIFTOOL = await (async () => {
  try {
    // Spawning a missing program throws at once (not a rejected promise).
    return (await new Deno.Command("exiftool", { args: ["-ver"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
})();

/**
 * exiftool's reading of XMP files (`-json`, with groups and lists), in the order of `paths`: one exiftool run
 * reads them all (its start, Perl loading its modules, is most of its cost).
 */
async function exiftool(...paths: string[]): Promise<Record<string, unknown>[]> {
  const output = await new Deno.Command("exiftool", { args: ["-json", "-G1", "-struct", ...paths] }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const read: Record<string, unknown>[] = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.deepEqual(read.map((xmp) => xmp.SourceFile), paths, "one reading per file, in order");
  return read;
}

Deno.test("a new folder files by the local day, writes XMP sidecars exiftool reads, and keeps them current", async (t) => {
  const dir = join(WORK, "local");
  await copyBackup(await xmpImported(), dir);
  assert.deepEqual(settings(dir), { days: "local", xmp: "on" });
  // 23:30 in Los Angeles on 1 July, not the UTC day (2 July); the mtime stays the true instant.
  assert.equal(await mtimeOf(join(dir, "2023/07/01/LA.jpg")), LA_MS);
  assert.deepEqual(await Deno.readFile(join(dir, "2023/07/01/LA.jpg")), LA, "media bytes never modified");
  // EXIF 08:00 at +09:00 is 1 January there (31 December in UTC).
  assert.equal(await mtimeOf(join(dir, "2021/01/01/Tokyo.jpg")), TOKYO_MS);
  // No offset and no place: the UTC day, not the machine's (Tokyo: 5 March).
  assert.equal(await mtimeOf(join(dir, "2022/03/04/Plain.jpg")), PLAIN_MS);
  assert.ok(await Deno.lstat(join(dir, "albums/Road trip/LA.jpg")));
  // verify: the sidecars belong to the files they sit beside, no file unknown to sync.db.
  const verified = await runPhotosync(["verify", `--dir=${dir}`]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stderr, /all intact\n?$/);

  await t.step({
    name: "exiftool reads every field back" +
      (EXIFTOOL
        ? ""
        : " (ignored: exiftool is not installed; .ci/run installs it: apt-get install libimage-exiftool-perl)"),
    ignore: !EXIFTOOL,
    fn: async () => {
      const [xmp, tokyo, plain] = await exiftool(
        join(dir, "2023/07/01/LA.jpg.xmp"),
        join(dir, "2021/01/01/Tokyo.jpg.xmp"),
        join(dir, "2022/03/04/Plain.jpg.xmp"),
      );
      assert.equal(xmp["XMP-exif:DateTimeOriginal"], "2023:07:01 23:30:00-07:00");
      assert.equal(xmp["XMP-exif:GPSLatitude"], `34 deg 3' 7.92" N`);
      assert.equal(xmp["XMP-exif:GPSLongitude"], `118 deg 14' 37.32" W`);
      assert.equal(xmp["XMP-exif:GPSAltitude"], "71.5 m");
      assert.equal(xmp["XMP-exif:GPSAltitudeRef"], "Above Sea Level");
      assert.equal(xmp["XMP-dc:Description"], DESCRIPTION);
      assert.deepEqual(xmp["XMP-iptcExt:PersonInImage"], ["Alice", "Bob O'Neil"]);
      assert.equal(xmp["XMP-xmp:Rating"], 5);
      assert.deepEqual(xmp["XMP-lr:HierarchicalSubject"], ["Albums|Road trip"]);
      assert.deepEqual(xmp["XMP-digiKam:TagsList"], ["Albums/Road trip"]);
      assert.equal(xmp["XMP-photosync:Source"], "takeout");
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", LA));
      const hex = [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
      assert.equal(xmp["XMP-photosync:ItemId"], `takeout:${hex}`);
      assert.equal(tokyo?.["XMP-exif:DateTimeOriginal"], "2021:01:01 08:00:00+09:00");
      assert.equal(plain?.["XMP-exif:DateTimeOriginal"], "2022:03:04 23:30:00Z");
      assert.equal(plain?.["XMP-xmp:Rating"], undefined);
    },
  });

  // A re-run without --xmp (remembered): a missing sidecar is written; one photosync wrote and someone
  // edited since, and one photosync did not write, are kept.
  await Deno.remove(join(dir, "2021/01/01/Tokyo.jpg.xmp"));
  const laXmp = join(dir, "2023/07/01/LA.jpg.xmp");
  const edited = (await Deno.readTextFile(laXmp)).replace("Alice", "Eve");
  await Deno.writeTextFile(laXmp, edited);
  const foreign = join(dir, "2022/03/04/Plain.jpg.xmp");
  await Deno.writeTextFile(foreign, "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>");
  const again = await takeout(dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await Deno.readTextFile(laXmp), edited);
  assert.ok(await Deno.lstat(join(dir, "2021/01/01/Tokyo.jpg.xmp")));
  assert.equal(await Deno.readTextFile(foreign), "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>");
  assert.match(again.stderr, /^1 XMP sidecar written$/m);
  assert.match(again.stderr, /^kept 1 XMP sidecar edited since photosync wrote it \(not updated: /m);
});

/**
 * What a photo program does to a sidecar when the user tags a photo (digiKam, darktable: the same
 * `<file>.xmp`, other namespaces kept): exiftool's edit where it is installed, else one by hand.
 */
async function tag(path: string): Promise<void> {
  if (EXIFTOOL) {
    const args = ["-q", "-overwrite_original", "-XMP-dc:Subject+=Beach", "-XMP-xmp:Rating=4", path];
    const output = await new Deno.Command("exiftool", { args }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  } else {
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(
      path,
      text.replace(
        /\/?>\n( <\/rdf:RDF>| {3})/,
        (end, next) =>
          `>\n   <dc:subject><rdf:Bag><rdf:li>Beach</rdf:li></rdf:Bag></dc:subject>\n${
            end.startsWith("/") ? `  </rdf:Description>\n${next}` : next
          }`,
      ),
    );
  }
  assert.match(await Deno.readTextFile(path), /Beach/);
}

Deno.test("a sidecar the user tagged since photosync wrote it is never rewritten: kept, said, and it follows its file to another day", async () => {
  const dir = join(WORK, "tagged");
  await copyBackup(await xmpImported(), dir);
  const laXmp = join(dir, "2023/07/01/LA.jpg.xmp");
  await tag(laXmp);
  const tagged = await Deno.readTextFile(laXmp);

  // The next run, nothing new: the tags stay.
  const again = await takeout(dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await Deno.readTextFile(laXmp), tagged);
  assert.doesNotMatch(again.stderr, /XMP sidecars? written/);
  assert.match(again.stderr, /^kept 1 XMP sidecar edited since photosync wrote it \(not updated: /m);

  // Sidecars an earlier photosync wrote (no digest recorded): one holding only photosync's fields, stale, is
  // rewritten; the tagged one is the user's.
  const db = new DatabaseSync(join(dir, "sync.db"));
  db.exec("DELETE FROM checkpoints WHERE source = 'xmp'");
  db.close();
  const plainXmp = join(dir, "2022/03/04/Plain.jpg.xmp");
  const fresh = await Deno.readTextFile(plainXmp);
  const itemId = /photosync:ItemId="([^"]+)"/.exec(fresh)![1];
  await Deno.writeTextFile(plainXmp, renderXmp({ source: "takeout", id: itemId, description: "stale" }));
  const upgraded = await takeout(dir);
  assert.equal(upgraded.code, 0, upgraded.stderr);
  assert.equal(await Deno.readTextFile(plainXmp), fresh);
  assert.equal(await Deno.readTextFile(laXmp), tagged);
  assert.match(upgraded.stderr, /^1 XMP sidecar written$/m);
  assert.match(upgraded.stderr, /^kept 1 XMP sidecar edited since photosync wrote it /m);

  // A newer export dates Plain.jpg otherwise (corrected in Google Photos): the file moves, the user's
  // sidecar with it.
  await tag(plainXmp);
  const plainTagged = await Deno.readTextFile(plainXmp);
  const newer = join(WORK, "takeout-20240601T000000Z-001.zip");
  const movedMs = Date.UTC(2022, 4, 6, 12);
  await writeZip(newer, [
    [`${GP}/Photos from 2022/Plain.jpg`, jpeg("Plain")],
    [
      `${GP}/Photos from 2022/Plain.jpg.supplemental-metadata.json`,
      enc.encode(
        JSON.stringify({ title: "Plain.jpg", photoTakenTime: { timestamp: String(movedMs / 1000) } }),
      ),
    ],
  ]);
  const redated = await runPhotosync(["takeout", `--dir=${dir}`, newer], { env: { TZ: "Asia/Tokyo" } });
  assert.equal(redated.code, 0, redated.stderr);
  assert.ok(await Deno.lstat(join(dir, "2022/05/06/Plain.jpg")));
  assert.equal(await Deno.readTextFile(join(dir, "2022/05/06/Plain.jpg.xmp")), plainTagged);
  assert.equal(await Deno.lstat(plainXmp).catch(() => undefined), undefined);
});

Deno.test("a file no rule dates has no capture time in its XMP sidecar, only what is known", async (t) => {
  // No sidecar, no EXIF, no date in its name, an entry time beyond any date (a base-256 tar time).
  const tgz = join(WORK, "undated.tgz");
  const tarBytes = await tarOf([[`${GP}/Photos from 2020/Undated.jpg`, jpeg("Undated")]]);
  base256Mtime(tarBytes, 0, 0x7fff_ffff_ffff_ffffn);
  await writeGzip(tgz, tarBytes);
  const dir = join(WORK, "undated");
  const run = await runPhotosync(["takeout", `--dir=${dir}`, "--xmp", tgz], { env: { TZ: "Asia/Tokyo" } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /no date at all, not even an entry time: dated 1970-01-01/);
  // Filed under 1970-01-01 to have a folder; its sidecar does not say it was taken then.
  const path = join(dir, "1970/01/01/Undated.jpg.xmp");
  const text = await Deno.readTextFile(path);
  assert.doesNotMatch(text, /DateTimeOriginal|CreateDate|DateCreated|1970/);
  assert.match(text, /photosync:Source="takeout"/);
  await t.step({
    name: "exiftool reads no date" + (EXIFTOOL ? "" : " (ignored: exiftool is not installed)"),
    ignore: !EXIFTOOL,
    fn: async () => {
      const [xmp] = await exiftool(path);
      assert.deepEqual(Object.keys(xmp).filter((tag) => /Date/.test(tag) && tag.startsWith("XMP")), []);
      assert.equal(xmp["XMP-photosync:Source"], "takeout");
      assert.match(String(xmp["XMP-photosync:ItemId"]), /^takeout:[0-9a-f]{64}$/);
    },
  });
});

Deno.test("an existing folder keeps UTC days after the upgrade; --folder-days cannot change it", async () => {
  const dir = join(WORK, "upgraded");
  await Deno.mkdir(dir);
  // A sync.db of an older photosync (schema 2), with its items.
  await Deno.copyFile(new URL("../testing/fixtures/sync-v2.db", import.meta.url), join(dir, "sync.db"));
  const before = paths(dir);
  assert.ok(before.length > 0);
  // A refusal before any work: in this process.
  const refused = await runPhotosync(["takeout", `--dir=${dir}`, "--folder-days=local", ZIP], {
    inProcess: true,
  });
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /--folder-days=local: this folder already holds photos filed by their UTC day/,
  );
  assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  const run = await takeout(dir);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(settings(dir).days, "utc");
  assert.ok(await Deno.lstat(join(dir, "2023/07/02/LA.jpg")), "the UTC day");
  assert.ok(await Deno.lstat(join(dir, "2020/12/31/Tokyo.jpg")), "the UTC day");
  // The items placed before keep their paths.
  for (const row of before) assert.ok(paths(dir).some((now) => now.id === row.id && now.path === row.path));
});

/** Every item's id and path. */
function paths(dir: string): { id: string; path: string | null }[] {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  try {
    return db.prepare("SELECT id, path FROM items ORDER BY id").all() as {
      id: string;
      path: string | null;
    }[];
  } finally {
    db.close();
  }
}

Deno.test("takeout --xmp: a file an earlier version named at 252-255 bytes is renamed to the name that fits, its album link following, and gets its sidecar; a rename stopped half-way is finished, not placed again", async () => {
  const long = `${"L".repeat(251)}.jpg`;
  const cut = `${"L".repeat(247)}.jpg`;
  const bytes = jpeg("long");
  const sidecar = enc.encode(
    JSON.stringify({ title: long, photoTakenTime: { timestamp: String(PLAIN_MS / 1000) } }),
  );
  const zip = join(WORK, "takeout-20240201T000000Z-001.zip");
  await writeZip(zip, [
    [`${GP}/Photos from 2022/${cut}`, bytes],
    // Google's sidecar name: the first 46 units of the name and `.supplemental-metadata`.
    [`${GP}/Photos from 2022/${`${cut}.supplemental-metadata`.slice(0, 46)}.json`, sidecar],
    [`${GP}/Long names/metadata.json`, enc.encode(JSON.stringify({ title: "Long names" }))],
    [`${GP}/Long names/${cut}`, bytes],
  ]);
  const dir = join(WORK, "long-names");
  const run = (...flags: string[]) =>
    runPhotosync(["takeout", `--dir=${dir}`, "--folder-days=utc", ...flags, zip], { env: { TZ: "UTC" } });
  const first = await run("--xmp");
  assert.equal(first.code, 0, first.stderr);
  const day = "2022/03/04";
  const listing = async () => {
    const found: string[] = [];
    for (const folder of [day, "albums/Long names"]) {
      for await (const entry of Deno.readDir(join(dir, folder))) found.push(`${folder}/${entry.name}`);
    }
    return found.sort();
  };
  assert.deepEqual(await listing(), [`${day}/${cut}`, `${day}/${cut}.xmp`, `albums/Long names/${cut}`]);
  const xmp = await Deno.readTextFile(join(dir, `${day}/${cut}.xmp`));

  /** The folder as an earlier photosync left it: the name cut at 255 bytes, no sidecar, the link to it. */
  const asAnEarlierVersionLeftIt = async (db: DatabaseSync) => {
    await Deno.remove(join(dir, `${day}/${cut}.xmp`));
    await Deno.rename(join(dir, `${day}/${cut}`), join(dir, `${day}/${long}`));
    await Deno.remove(join(dir, `albums/Long names/${cut}`));
    await Deno.symlink(`../../${day}/${long}`, join(dir, `albums/Long names/${long}`));
    db.prepare("UPDATE items SET path = ?, path_key = lower(?)").run(`${day}/${long}`, `${day}/${long}`);
  };
  const expectFitted = async (stderr: string) => {
    assert.deepEqual(
      await listing(),
      [`${day}/${cut}`, `${day}/${cut}.xmp`, `albums/Long names/${cut}`],
      stderr,
    );
    assert.equal(await Deno.readLink(join(dir, `albums/Long names/${cut}`)), `../../${day}/${cut}`);
    assert.equal(await Deno.readTextFile(join(dir, `${day}/${cut}.xmp`)), xmp);
    assert.equal(await mtimeOf(join(dir, `${day}/${cut}`)), PLAIN_MS);
    assert.deepEqual(paths(dir).map((row) => row.path), [`${day}/${cut}`]);
    const verified = await runPhotosync(["verify", `--dir=${dir}`]);
    assert.equal(verified.code, 0, verified.stderr);
  };
  {
    using db = new DatabaseSync(join(dir, "sync.db"));
    await asAnEarlierVersionLeftIt(db);
  }
  // The folder has --xmp: the next run renames the file (nothing imported again) and writes its sidecar.
  const renamed = await run();
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.match(renamed.stderr, /^renamed 1 file whose name an earlier photosync cut at 252-255 bytes/m);
  assert.match(renamed.stderr, / 0 imported /);
  assert.doesNotMatch(renamed.stderr, /no XMP sidecar/);
  await expectFitted(renamed.stderr);

  // Stopped (kill -9) after the new name was claimed, before the file followed: the note of where the file
  // is, written first, takes the next run there; the file is not placed again from the archive beside it.
  {
    using db = new DatabaseSync(join(dir, "sync.db"));
    await asAnEarlierVersionLeftIt(db);
    db.prepare("INSERT INTO checkpoints (source, key, value) SELECT 'refile', id, path FROM items").run();
    db.prepare("UPDATE items SET path = ?, path_key = lower(?)").run(`${day}/${cut}`, `${day}/${cut}`);
  }
  const resumed = await run();
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, / 0 imported /);
  assert.doesNotMatch(resumed.stderr, /restored/);
  await expectFitted(resumed.stderr);
});
