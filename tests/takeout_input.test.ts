/**
 * `photosync takeout` on input that is odd, hostile or not an export at all (issue 16, points 4 and 14–17), as the
 * CLI (a child process) meets it: timestamps that are no date, inputs that are no Google Photos export, control
 * characters in entry names, the report file, and a damaged, read-only or linked-away output folder.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { cliCommand, type CliResult, runPhotosync } from "../testing/harness.ts";
import { assertOneLineError } from "../testing/asserts.ts";
import { locked } from "../testing/locked.ts";
import { writeArchives } from "../testing/takeout/archives.ts";
import { copyBackup } from "../testing/takeout/backup_state.ts";
import { generateTakeout } from "../testing/takeout/export.ts";
import {
  base256Mtime,
  editDirectoryEntry,
  tarOf,
  writeGzip,
  writeZip,
} from "../testing/takeout/hand_archives.ts";
import { reportOf } from "../testing/takeout/report_rows.ts";
import { contentOf, render } from "../testing/takeout/content.ts";
import { exifSegment } from "../testing/takeout/exif.ts";
import { Renderer, takeout } from "../main.ts";
import { RunStop } from "../lib/core/backup.ts";
import { StopRequest } from "../lib/core/errors.ts";
import { FolderStore } from "../lib/sources/takeout/folder/folder_store.ts";
import type { RemoteStore } from "../lib/sources/takeout/remote/remote_store.ts";

const WORK = await Deno.makeTempDir({ prefix: "photosync-takeout-input-" });
Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

let counter = 0;
const fresh = (name: string) => join(WORK, `${++counter}-${name}`);

/** photosync with `args`, TZ=UTC. */
const cli = (args: string[]): Promise<CliResult> => runPhotosync(args, { env: { TZ: "UTC" } });
/** photosync with `args`, in-process: for input refused before any work (exit 2). */
const refused = (args: string[]): Promise<CliResult> => runPhotosync(args, { inProcess: true });

const bytes = (text: string) => new TextEncoder().encode(text);
const GP = "Takeout/Google Photos/Photos from 2020";
const sidecar = (title: string, timestamp: string) =>
  bytes(JSON.stringify({ title, photoTakenTime: { timestamp } }));
const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** A small real-looking export, as two zips. */
const EXPORT = generateTakeout({ seed: 5, count: 6, specials: false, language: "en" });
const ZIPS = await writeArchives(EXPORT, join(WORK, "export"), { parts: 2 });

/**
 * {@link ZIPS} imported into a folder of their own, once, the first given twice (as overlapping globs give it:
 * the run is the test of that too): read it, or change a copy ({@link copyBackup}).
 */
let zipsImport: Promise<{ dir: string; run: CliResult }> | undefined;
function importZipsOnce(): Promise<{ dir: string; run: CliResult }> {
  return zipsImport ??= (async () => {
    const dir = fresh("zips");
    const run = await cli([
      "takeout",
      `--dir=${dir}`,
      ZIPS[0],
      ZIPS[1],
      join(ZIPS[0], "..", ZIPS[0].split("/").pop()!),
    ]);
    assert.equal(run.code, 0, run.stderr);
    return { dir, run };
  })();
}
/** The folder of {@link importZipsOnce}. */
const importedZips = async (): Promise<string> => (await importZipsOnce()).dir;

interface Row {
  path: string;
  created_ms: number;
  status: string;
  note: string | null;
  json: string;
}

function items(dir: string): Row[] {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  try {
    return db.prepare("SELECT path, created_ms, status, note, json FROM items ORDER BY path")
      .all() as unknown as Row[];
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Point 4: a value that is no date is passed over, never stops the import

Deno.test("timestamps that are no date are passed over for the next rule, noted, and stop nothing; re-runs finish", async () => {
  const entryTime = Date.UTC(2021, 5, 7, 8, 9, 10);
  const named = Date.UTC(2019, 3, 5, 10, 11, 12);
  const bad = join(WORK, "bad-dates.zip");
  await writeZip(bad, [
    [`${GP}/a.jpg`, bytes("a: 1e20"), entryTime],
    [`${GP}/a.jpg.json`, sidecar("a.jpg", "1e20")],
    [`${GP}/b.jpg`, bytes("b: before year 0"), entryTime],
    [`${GP}/b.jpg.json`, sidecar("b.jpg", "-99999999999")],
    [`${GP}/c.jpg`, bytes("c: NaN"), entryTime],
    [`${GP}/c.jpg.json`, sidecar("c.jpg", "NaN")],
    [`${GP}/IMG_20190405_101112.jpg`, bytes("d: named"), entryTime],
    [`${GP}/IMG_20190405_101112.jpg.json`, sidecar("IMG_20190405_101112.jpg", "99999999999999")],
  ]);
  // A tgz entry whose time is no date either (year 2242, tar's largest octal time), and one with a base-256
  // time far beyond any Date: the fixed fallback, 1970-01-01, with a warning.
  const tgz = join(WORK, "bad-times.tgz");
  const tarBytes = await tarOf([[`${GP}/late.jpg`, bytes("late")], [`${GP}/huge.jpg`, bytes("huge")]]);
  base256Mtime(tarBytes, 0, 8_589_934_591n);
  base256Mtime(tarBytes, 1024, 0x7fff_ffff_ffff_ffffn); // The second header, after "late" padded to 512 bytes.
  await writeGzip(tgz, tarBytes);
  const dir = fresh("bad-dates");
  // The good export comes after the bad archives (by name): it must be imported too.
  const run = await cli(["takeout", `--dir=${dir}`, bad, tgz, ...ZIPS]);
  assert.equal(run.code, 0, run.stderr);
  const rows = items(dir);
  assert.equal(
    rows.length,
    6 + new Set(EXPORT.files.filter((f) => !f.copyOf && !f.trashed)).size,
    run.stderr,
  );
  for (const row of rows) assert.match(row.path, /^(19[7-9]\d|20\d\d)\/\d\d\/\d\d\/[^/]+$/, row.path);
  const at = (name: string) => rows.find((row) => row.path.endsWith(`/${name}`))!;
  for (const name of ["a.jpg", "b.jpg", "c.jpg"]) assert.equal(at(name).created_ms, entryTime, name);
  assert.equal(at("IMG_20190405_101112.jpg").created_ms, named);
  assert.equal(at("late.jpg").created_ms, 0);
  assert.equal(at("huge.jpg").created_ms, 0);
  assert.equal(JSON.parse(at("a.jpg").json).invalidTakenTime, "1e20");
  assert.match(run.stderr, /warning: 6 files had a date that is no date/);
  assert.match(run.stderr, /warning: 2 files had no date at all, not even an entry time: dated 1970-01-01: /);
  const { rows: report } = await reportOf(run);
  const line = report.find((row) => row[1] === `${GP}/a.jpg`)!;
  assert.equal(line[2], "imported");
  assert.equal(line[5], "file time");
  assert.match(line[6], /sidecar time "1e20" is no date/);
  assert.match(report.find((row) => row[1] === `${GP}/huge.jpg`)![6], /entry time .* is no date/);
  // A re-run finishes and changes nothing.
  const again = await cli(["takeout", `--dir=${dir}`, bad, tgz, ...ZIPS]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /: 0 imported/);
});

Deno.test("sidecar and EXIF dates of any year from 0001 to 9999 file the photo under its own day", async () => {
  const entryTime = Date.UTC(2021, 5, 7, 8, 9, 10);
  const jpeg = (dateTimeOriginal: string, seed: number) =>
    render(contentOf("jpeg", seed, 600, exifSegment({ dateTimeOriginal, offsetTimeOriginal: "+00:00" })));
  const zip = join(WORK, "any-year.zip");
  const seconds = (iso: string) => String(Date.parse(iso) / 1000);
  await writeZip(zip, [
    [`${GP}/y1.jpg`, bytes("y1"), entryTime],
    [`${GP}/y1.jpg.json`, sidecar("y1.jpg", seconds("0001-01-01T00:00:00Z"))],
    [`${GP}/y1750.jpg`, bytes("y1750"), entryTime],
    [`${GP}/y1750.jpg.json`, sidecar("y1750.jpg", seconds("1750-06-15T10:00:00Z"))],
    [`${GP}/y2200.jpg`, bytes("y2200"), entryTime],
    [`${GP}/y2200.jpg.json`, sidecar("y2200.jpg", seconds("2200-01-01T00:00:00Z"))],
    [`${GP}/y9999.jpg`, bytes("y9999"), entryTime],
    [`${GP}/y9999.jpg.json`, sidecar("y9999.jpg", seconds("9999-12-31T23:59:59Z"))],
    // No sidecar: the EXIF date.
    [`${GP}/scan1850.jpg`, jpeg("1850:05:04 03:02:01", 1), entryTime],
    [`${GP}/scan0800.jpg`, jpeg("0800:01:02 03:04:05", 2), entryTime],
  ]);
  const dir = fresh("any-year");
  const run = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /no date/);
  assert.deepEqual(items(dir).map((row) => [row.path, row.created_ms]), [
    ["0001/01/01/y1.jpg", Date.parse("0001-01-01T00:00:00Z")],
    ["0800/01/02/scan0800.jpg", Date.parse("0800-01-02T03:04:05Z")],
    ["1750/06/15/y1750.jpg", Date.UTC(1750, 5, 15, 10)],
    ["1850/05/04/scan1850.jpg", Date.UTC(1850, 4, 4, 3, 2, 1)],
    ["2200/01/01/y2200.jpg", Date.UTC(2200, 0, 1)],
    ["9999/12/31/y9999.jpg", Date.UTC(9999, 11, 31, 23, 59, 59)],
  ]);
});

Deno.test("one file passed over or dated by its entry time is said in the singular", async () => {
  const entryTime = Date.UTC(2021, 5, 7, 8, 9, 10);
  const one = join(WORK, "one-bad-date.zip");
  await writeZip(one, [
    [`${GP}/a.jpg`, bytes("a: 1e20"), entryTime],
    [`${GP}/a.jpg.json`, sidecar("a.jpg", "1e20")],
  ]);
  const run = await cli(["takeout", `--dir=${fresh("one-bad-date")}`, one]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /^warning: 1 file had a date that is no date \(passed over for the next rule\): /m,
  );
  assert.match(run.stderr, /^warning: 1 file had no date but its archive entry time: /m);
});

// ---------------------------------------------------------------------------------------------------------
// Point 14: what is no Google Photos export

Deno.test("an empty folder, a zip of other files and a text file named .zip are refused (exit 2, one line naming it)", async () => {
  const empty = join(WORK, "empty");
  await Deno.mkdir(empty);
  const other = join(WORK, "other.zip");
  await writeZip(other, [
    ["holiday/IMG_0001.jpg", bytes("a photo, but no export")],
    ["project/package.json", bytes("{}")],
    ["notes.txt", bytes("notes")],
  ]);
  const text = join(WORK, "text.zip");
  await Deno.writeTextFile(text, "this was never a zip");
  const dir = fresh("not-export");
  for (
    const [input, why] of [
      [empty, /is not a Google Photos export/],
      [other, /is not a Google Photos export/],
      [text, /is not a zip file/],
    ] as const
  ) {
    const run = await refused(["takeout", `--dir=${dir}`, ZIPS[0], input]);
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], why);
    assert.ok(lines[0].startsWith(`error: ${input} `), lines[0]);
    assert.equal(await exists(dir), false, "nothing written");
  }
});

Deno.test("an empty part (0 bytes) beside good ones is a damaged part: one line says to download it again (exit 1), the others import", async () => {
  for (const kind of ["zip", "tgz"] as const) {
    const folder = join(WORK, `empty-part-${kind}`);
    await Deno.mkdir(folder);
    const good = join(folder, `takeout-20250101T000000Z-001.${kind}`);
    const entries: [string, Uint8Array, number?][] = [
      [`${GP}/a.jpg`, bytes("a photo")],
      [`${GP}/a.jpg.json`, sidecar("a.jpg", "1600000000")],
    ];
    if (kind === "zip") await writeZip(good, entries);
    else await writeGzip(good, await tarOf(entries));
    const empty = join(folder, `takeout-20250101T000000Z-002.${kind}`);
    await Deno.writeFile(empty, new Uint8Array(0));
    const dir = fresh(`empty-part-${kind}`);
    const run = await cli(["takeout", `--dir=${dir}`, folder]);
    assert.equal(run.code, 1, run.stderr);
    const errors = run.stderr.split("\n").filter((line) => line.startsWith("error: "));
    assert.deepEqual(errors, [
      `error: ${empty}: the file is empty (0 bytes): its download stopped before it began; ` +
      "download this part of the export again",
    ]);
    assert.deepEqual(items(dir).map((row) => row.path), ["2020/09/13/a.jpg"]);
  }
});

Deno.test("a part with only videos, a part with only sidecars, and the Google Photos folder itself are parts of an export", async () => {
  const videos = join(WORK, "videos-only.zip");
  await writeZip(videos, [[`${GP}/VID_1.mp4`, bytes("a video")], [
    "Takeout/archive_browser.html",
    bytes("<html>"),
  ]]);
  const sidecars = join(WORK, "sidecars-only.zip");
  await writeZip(sidecars, [[
    `Takeout/Google Fotos/Fotos von 2020/VID_1.mp4.supplemental-metadata.json`,
    sidecar("VID_1.mp4", "1577880000"),
  ]]);
  const folders = await writeArchives(EXPORT, join(WORK, "folders"), { format: "folder", parts: 1 });
  const photosFolder = join(folders[0], "Takeout", "Google Photos");
  assert.ok(await exists(photosFolder));
  // One run: an input that is no part of an export refuses the whole run (exit 2, naming it), so exit 0 says
  // each of them is one.
  const run = await cli(["takeout", `--dir=${fresh("part")}`, videos, sidecars, photosFolder]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^reading 3 archives$/m, "each of them read");
});

Deno.test("a Takeout of several products and a folder holding more than an export: only Google Photos' files are imported, the rest named", async () => {
  const stamp = "takeout-20250102T030405Z";
  const mixed = join(WORK, `${stamp}-001.zip`);
  await writeZip(mixed, [
    [`${GP}/IMG_1.jpg`, bytes("a photo")],
    [`${GP}/IMG_1.jpg.supplemental-metadata.json`, sidecar("IMG_1.jpg", "1577880000")],
    ["Takeout/Drive/Scans/receipt.jpg", bytes("a scan in Drive")],
    ["Takeout/YouTube and YouTube Music/videos/clip.mp4", bytes("an upload to YouTube")],
  ]);
  const driveOnly = join(WORK, `${stamp}-002.zip`);
  await writeZip(driveOnly, [["Takeout/Drive/My Drive/holiday.jpg", bytes("a photo kept in Drive")]]);
  // A part holding only another product, given without a part of its export that holds Google Photos, is
  // none of a Google Photos export: refused by name, before anything is written.
  const dir = fresh("products");
  const refusedRun = await refused(["takeout", `--dir=${dir}`, driveOnly, ZIPS[0]]);
  assert.equal(refusedRun.code, 2, refusedRun.stderr);
  assert.equal(
    refusedRun.stderr.trim(),
    `error: ${driveOnly} holds no Google Photos files, only another Takeout product's (Takeout/Drive/): ` +
      "leave it out, and give the parts of the export that hold Google Photos",
  );
  assert.equal(await exists(dir), false, "nothing written");
  // Given with the parts of its export (a glob of them all), in a folder holding them, or read by --from: the
  // same run, the Google Photos files imported and the other products' files counted, by their folders.
  const parts = join(WORK, "products-parts");
  await Deno.mkdir(parts);
  for (const part of [mixed, driveOnly]) await Deno.copyFile(part, join(parts, part.split("/").at(-1)!));
  for (const way of [[mixed, driveOnly], [parts], [`--from=${parts}`]]) {
    const partsDir = fresh("products-parts");
    const partsRun = await cli(["takeout", `--dir=${partsDir}`, ...way]);
    assert.equal(partsRun.code, 0, partsRun.stderr);
    assert.deepEqual(items(partsDir).map((row) => row.path), ["2020/01/01/IMG_1.jpg"], way[0]);
    assert.match(partsRun.stderr, /, 3 not Google Photos, 0 failed\n/, way[0]);
    assert.match(
      partsRun.stderr,
      /\n {2}left out, not in the export's Google Photos folder: Takeout\/Drive\/ \(2\), Takeout\/YouTube and YouTube Music\/ \(1\)\n/,
      way[0],
    );
  }

  const run = await cli(["takeout", `--dir=${dir}`, mixed]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(items(dir).map((row) => row.path), ["2020/01/01/IMG_1.jpg"]);
  assert.match(run.stderr, /, 2 not Google Photos, 0 failed\n/);
  assert.match(
    run.stderr,
    /\n {2}left out, not in the export's Google Photos folder: Takeout\/Drive\/ \(1\), Takeout\/YouTube and YouTube Music\/ \(1\)\n/,
  );
  const left = (await reportOf(run)).rows.filter((row) => row[2] === "not Google Photos");
  assert.deepEqual(left.map((row) => [row[1], row[6]]), [
    ["Takeout/Drive/Scans/receipt.jpg", "another Takeout product: Takeout/Drive/"],
    [
      "Takeout/YouTube and YouTube Music/videos/clip.mp4",
      "another Takeout product: Takeout/YouTube and YouTube Music/",
    ],
  ]);

  // A downloads folder holding an extracted part and files of its own: the part's photos only.
  const downloads = join(WORK, "downloads");
  await writeArchives(EXPORT, join(downloads, "extracted"), { format: "folder", parts: 1 });
  await Deno.mkdir(join(downloads, "holiday"));
  await Deno.writeFile(join(downloads, "holiday", "IMG_0001.jpg"), bytes("a photo of my own"));
  await Deno.writeTextFile(join(downloads, "tool.ts"), "export const x = 1;");
  const fromFolder = fresh("downloads");
  const folderRun = await cli(["takeout", `--dir=${fromFolder}`, downloads]);
  assert.equal(folderRun.code, 0, folderRun.stderr);
  const reference = await importedZips();
  assert.deepEqual(items(fromFolder).map((row) => row.path), items(reference).map((row) => row.path));
  assert.match(
    folderRun.stderr,
    /left out, not in the export's Google Photos folder: holiday\/ \(1\), \.\/ \(1\)\n/,
  );

  // The `Takeout` folder of an extracted part given itself: its other products are left out too.
  const extracted = join(WORK, "extracted-products", "Takeout");
  await Deno.mkdir(join(extracted, "Google Photos", "Photos from 2020"), { recursive: true });
  await Deno.mkdir(join(extracted, "Drive"));
  await Deno.writeFile(join(extracted, "Google Photos", "Photos from 2020", "IMG_1.jpg"), bytes("a photo"));
  await Deno.writeFile(join(extracted, "Drive", "receipt.jpg"), bytes("a scan in Drive"));
  const fromTakeout = fresh("takeout-folder");
  const takeoutRun = await cli(["takeout", `--dir=${fromTakeout}`, extracted]);
  assert.equal(takeoutRun.code, 0, takeoutRun.stderr);
  assert.equal(items(fromTakeout).length, 1, takeoutRun.stderr);
  assert.match(
    takeoutRun.stderr,
    /left out, not in the export's Google Photos folder: Takeout\/Drive\/ \(1\)\n/,
  );
});

Deno.test("a folder holding an export's parts (downloaded, or extracted each into a folder of its own: Windows' `takeout-…-001/`, macOS' `Takeout 2/`) imports those parts", async () => {
  const reference = await importedZips();
  const expected = items(reference).map(({ path, created_ms }) => ({ path, created_ms }));
  // Windows' "Extract all": each part into a folder named as its archive; a file of the user's beside them.
  const windows = join(WORK, "extracted-windows");
  const folders = await writeArchives(EXPORT, windows, { format: "folder", parts: 2 });
  await Deno.writeFile(join(windows, "IMG_0001.jpg"), bytes("a photo of my own"));
  // macOS' Archive Utility: every part's `Takeout` folder side by side, the second `Takeout 2`.
  const mac = join(WORK, "extracted-mac");
  await Deno.mkdir(mac);
  for (
    const [i, folder] of (await writeArchives(EXPORT, join(WORK, "to-move"), { format: "folder", parts: 2 }))
      .entries()
  ) {
    await Deno.rename(join(folder, "Takeout"), join(mac, i === 0 ? "Takeout" : `Takeout ${i + 1}`));
  }
  // A downloads folder: the parts as downloaded, beside a zip and a photo of the user's.
  const downloads = join(WORK, "downloads-with-parts");
  await Deno.mkdir(downloads);
  for (const zip of ZIPS) await Deno.copyFile(zip, join(downloads, zip.split("/").at(-1)!));
  await writeZip(join(downloads, "holiday.zip"), [["IMG_0001.jpg", bytes("a photo of my own")]]);
  await Deno.writeFile(join(downloads, "IMG_0002.jpg"), bytes("another of my own"));
  for (const parent of [windows, mac, downloads]) {
    const dir = fresh("parts-in-folders");
    const run = await cli(["takeout", `--dir=${dir}`, parent]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^reading 2 archives$/m);
    assert.deepEqual(items(dir).map(({ path, created_ms }) => ({ path, created_ms })), expected, parent);
  }
  // A part given itself and in its folder is read once.
  const dir = fresh("part-twice");
  const twice = await cli(["takeout", `--dir=${dir}`, folders[0], windows]);
  assert.equal(twice.code, 0, twice.stderr);
  assert.match(twice.stderr, /^reading 2 archives$/m);
});

Deno.test("an export's parts given one by one, as zips or extracted (macOS' `Takeout`, `Takeout 2`; Windows' `takeout-…-002/`; a folder of the user's), mixed, in one run or several, import the same items", async () => {
  // Three parts, so that macOS' Archive Utility names two of them `Takeout 2` and `Takeout 3`.
  const zips = await writeArchives(EXPORT, join(WORK, "three-zips"), { parts: 3 });
  // The same export as ZIPS, in three parts: its items are the shared import's.
  const expected = items(await importedZips()).map(({ path, created_ms }) => ({ path, created_ms }));
  /** The export extracted each part into a folder named as its archive (Windows' "Extract all") under `name`. */
  const extracted = (name: string) => writeArchives(EXPORT, join(WORK, name), { format: "folder", parts: 3 });
  const windows = await extracted("three-windows");
  // macOS' Archive Utility: every part's `Takeout` folder side by side.
  const mac = join(WORK, "three-mac");
  await Deno.mkdir(mac);
  const [takeout1, takeout2, takeout3] = ["Takeout", "Takeout 2", "Takeout 3"].map((name) => join(mac, name));
  for (const [i, part] of (await extracted("three-to-mac")).entries()) {
    await Deno.rename(join(part, "Takeout"), [takeout1, takeout2, takeout3][i]);
  }
  // The second part's `Takeout` folder's contents, extracted into a folder the user named.
  const named = join(WORK, "part two");
  await Deno.rename(join((await extracted("three-to-named"))[1], "Takeout"), named);

  // What is left out of a part given under macOS' name is named where it lies in the part: the first way's
  // `Takeout 2` holds a file of Drive too (taken out after it).
  await Deno.mkdir(join(takeout2, "Drive"));
  await Deno.writeFile(join(takeout2, "Drive", "receipt.jpg"), bytes("a scan in Drive"));
  const dir = fresh("three-mac-drive");
  const run = await cli(["takeout", `--dir=${dir}`, takeout1, takeout2, takeout3]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /, 1 not Google Photos, 0 failed\n {2}left out, not in the export's Google Photos folder: Takeout\/Drive\/ \(1\)\n/,
    "macOS' folders by a glob, in one run, a file of Drive in the second",
  );
  assert.deepEqual(
    items(dir).map(({ path, created_ms }) => ({ path, created_ms })),
    expected,
    "macOS' folders by a glob, in one run",
  );
  await Deno.remove(join(takeout2, "Drive"), { recursive: true });

  const ways: [string, string[][]][] = [
    ["zips and macOS' second part", [[zips[0], zips[2], takeout2]]],
    ["a zip, Windows' second part, macOS' third", [[takeout3, windows[1], zips[0]]]],
    ["zips and the second part in a folder of the user's", [[zips[2], named, zips[0]]]],
    ["macOS' folders in separate runs", [[takeout3], [takeout1], [takeout2]]],
  ];
  for (const [way, runs] of ways) {
    const dir = fresh("three-ways");
    for (const inputs of runs) {
      const run = await cli(["takeout", `--dir=${dir}`, ...inputs]);
      assert.equal(run.code, 0, `${way}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /not Google Photos|left out/, way);
    }
    assert.deepEqual(items(dir).map(({ path, created_ms }) => ({ path, created_ms })), expected, way);
  }
});

Deno.test("the sidecars of a damaged tgz date nothing; the part downloaded again dates its photos", async () => {
  const stamp = "takeout-20250103T040506Z";
  const media = join(WORK, `${stamp}-001.zip`);
  const entryTime = Date.UTC(2024, 0, 2);
  await writeZip(media, [[`${GP}/PX_0.jpg`, bytes("a photo"), entryTime]]);
  // The sidecar part as Google made it, and as a download with one flipped digit arrived: gzip's CRC-32
  // tells only at the stream's end (here the good stream's CRC, over other bytes).
  const good = join(WORK, "good", `${stamp}-002.tgz`);
  await Deno.mkdir(join(WORK, "good"));
  await writeGzip(good, await tarOf([[`${GP}/PX_0.jpg.json`, sidecar("PX_0.jpg", "1580000000")]]));
  const damaged = join(WORK, `${stamp}-002.tgz`);
  await writeGzip(damaged, await tarOf([[`${GP}/PX_0.jpg.json`, sidecar("PX_0.jpg", "1590000000")]]));
  const [goodBytes, damagedBytes] = [await Deno.readFile(good), await Deno.readFile(damaged)];
  damagedBytes.set(goodBytes.subarray(-8, -4), damagedBytes.length - 8);
  await Deno.writeFile(damaged, damagedBytes);
  const dir = fresh("damaged-sidecars");
  const run = await cli(["takeout", `--dir=${dir}`, media, damaged]);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr.split("\n").filter((line) => line.startsWith("error: ")).length, 1, run.stderr);
  assert.match(run.stderr, /, 0 failed, 1 unread\n/);
  assert.deepEqual(items(dir).map((row) => [row.path, row.created_ms]), [["2024/01/02/PX_0.jpg", entryTime]]);
  const line = (await reportOf(run)).rows.find((row) => row[1] === `${GP}/PX_0.jpg.json`)!;
  assert.deepEqual([line[2], line[6]], ["unread", "its archive is damaged: not used"]);
  const again = await cli(["takeout", `--dir=${dir}`, good]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(items(dir).map((row) => [row.path, row.created_ms]), [[
    "2020/01/26/PX_0.jpg",
    1580000000_000,
  ]]);
  // The part read once more: its sidecar dated its photo, so it is used, not unmatched.
  const once = await cli(["takeout", `--dir=${dir}`, good]);
  assert.match(once.stderr, /\n {2}1 sidecar used, 0 unmatched sidecars,/);
});

Deno.test("a tgz cut short is one line saying to download it again (exit 1); nothing of it is imported", async () => {
  const whole = join(WORK, "whole.tgz");
  await writeGzip(
    whole,
    await tarOf([
      [`${GP}/a.jpg`, bytes("a photo")],
      [`${GP}/a.jpg.json`, sidecar("a.jpg", "1600000000")],
      [`${GP}/b.jpg`, crypto.getRandomValues(new Uint8Array(60_000))],
    ]),
  );
  const cut = join(WORK, "takeout-20250101T000000Z-001.tgz");
  const data = await Deno.readFile(whole);
  await Deno.writeFile(cut, data.subarray(0, data.length - 100));
  const dir = fresh("cut-tgz");
  const run = await cli(["takeout", `--dir=${dir}`, cut]);
  assert.equal(run.code, 1, run.stderr);
  const errors = run.stderr.split("\n").filter((line) => line.startsWith("error: "));
  assert.equal(errors.length, 1, run.stderr);
  assert.match(
    errors[0],
    new RegExp(`^error: ${cut}: cannot read the archive \\(.+\\); download this part of the export again$`),
  );
  assert.deepEqual(items(dir), []);
});

Deno.test("a sidecar cut short is named (exit 3), not taken for no sidecar; its photo is imported", async () => {
  const zip = join(WORK, "cut-sidecar.zip");
  const entryTime = Date.UTC(2023, 2, 4);
  await writeZip(zip, [
    [`${GP}/a.jpg`, bytes("a photo"), entryTime],
    [`${GP}/a.jpg.json`, bytes('{"title": "a.jpg", "photoTakenTime": {"timest')],
  ]);
  const dir = fresh("cut-sidecar");
  const run = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(
      `^warning: ${zip}: ${GP}/a\\.jpg\\.json: no JSON object \\(a sidecar cut short or damaged\\)`,
      "m",
    ),
  );
  assert.deepEqual(items(dir).map((row) => [row.path, row.created_ms]), [["2023/03/04/a.jpg", entryTime]]);
});

Deno.test("entries whose zip directory understates their size are read no further than it says: each is reported as damaged (exit 3), the rest imported", async () => {
  const folder = join(WORK, "understated");
  await Deno.mkdir(folder);
  const zip = join(folder, "takeout-20250101T000000Z-001.zip");
  const entryTime = Date.UTC(2023, 2, 4);
  // A sidecar, a small photo and a large one, each inflating to megabytes more than the directory says, as a
  // zip bomb's directory would (all staged on the main thread: an export this small starts no stage worker;
  // stage_pool_test.ts has a worker's way with such an entry).
  const padded = (head: Uint8Array, size: number) => {
    const out = new Uint8Array(size).fill(0x20);
    out.set(head);
    return out;
  };
  await writeZip(zip, [
    [`${GP}/good.jpg`, bytes("a good photo"), entryTime],
    [`${GP}/good.jpg.json`, sidecar("good.jpg", "1600000000")],
    [`${GP}/bomb.jpg`, bytes("a photo whose sidecar lies"), entryTime],
    [`${GP}/bomb.jpg.json`, padded(sidecar("bomb.jpg", "1300000000"), 4 << 20)],
    [`${GP}/small.jpg`, padded(bytes("small"), 2 << 20), entryTime],
    [`${GP}/large.jpg`, padded(bytes("large"), 3 << 20), entryTime],
  ]);
  await editDirectoryEntry(zip, `${GP}/bomb.jpg.json`, { size: 120 });
  await editDirectoryEntry(zip, `${GP}/small.jpg`, { size: 1000 });
  await editDirectoryEntry(zip, `${GP}/large.jpg`, { size: 300_000 });
  const said = (name: string, size: number) =>
    new RegExp(
      `^warning: .*takeout-20250101T000000Z-001\\.zip: ${GP}/${name}: it inflates to more than the ${size} bytes ` +
        "the zip's directory says \\(the entry is damaged\\)$",
      "m",
    );
  // Read from the file, and as a remote store's zip (`--from`: the main thread fetches the stored bytes).
  for (const args of [[zip], [`--from=${folder}`]]) {
    const dir = fresh("understated");
    const run = await cli(["takeout", `--dir=${dir}`, ...args]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, said("bomb.jpg.json", 120));
    assert.match(run.stderr, said("small.jpg", 1000));
    assert.match(run.stderr, said("large.jpg", 300_000));
    assert.doesNotMatch(run.stderr, /cut short/);
    // The sidecar was not read whole and used: its photo is dated by its entry time.
    assert.deepEqual(
      items(dir).filter((row) => row.status === "downloaded").map((row) => [row.path, row.created_ms]),
      [
        ["2020/09/13/good.jpg", 1600000000_000],
        ["2023/03/04/bomb.jpg", entryTime],
      ],
    );
    assert.equal(await exists(join(dir, ".photosync-tmp")), false);
  }
});

Deno.test("overlapping zip entries (directory entries pointing at another's bytes) are each one line saying to download the part again (exit 3)", async () => {
  const folder = join(WORK, "overlap");
  await Deno.mkdir(folder);
  const zip = join(folder, "takeout-20250101T000000Z-001.zip");
  await writeZip(zip, [
    [`${GP}/a.jpg`, bytes("a photo, first in the zip")],
    [`${GP}/a.jpg.json`, sidecar("a.jpg", "1600000000")],
    [`${GP}/b.jpg`, bytes("b photo, whose bytes are longer than a's when deflated: ".repeat(20))],
  ]);
  // Every entry's local header at the first one's (the shape of a non-recursive zip bomb).
  for (const name of ["a.jpg.json", "b.jpg"]) await editDirectoryEntry(zip, `${GP}/${name}`, { offset: 0 });
  const good = join(folder, "takeout-20250101T000000Z-002.zip");
  await writeZip(good, [[`${GP}/ok.jpg`, bytes("a good photo")], [
    `${GP}/ok.jpg.json`,
    sidecar("ok.jpg", "1600000000"),
  ]]);
  for (const args of [[zip, good], [`--from=${folder}`]]) {
    const dir = fresh("overlap");
    const run = await cli(["takeout", `--dir=${dir}`, ...args]);
    assert.equal(run.code, 3, run.stderr);
    const failed = run.stderr.split("\n").filter((line) => line.includes("001.zip: "));
    assert.deepEqual(
      failed,
      ["a.jpg.json", "b.jpg"].map((name) =>
        `warning: ${args.length === 2 ? zip : "takeout-20250101T000000Z-001.zip"}: ${GP}/${name}: ` +
        "its compressed bytes are damaged (they do not inflate); download this part of the export again"
      ),
    );
    assert.deepEqual(items(dir).map((row) => row.path).sort(), ["2020/09/13/ok.jpg", "2024/01/01/a.jpg"]);
  }
});

Deno.test("--from=DIR: the exports in a folder on this machine (a sync client's), as the local import gives them; a re-run opens none", async () => {
  const reference = await importedZips();
  // As Dropbox's app keeps a delivery in sync: the parts in a subfolder, beside files of the user's.
  const folder = join(WORK, "Dropbox", "Apps", "Google Download Your Data");
  await Deno.mkdir(join(folder, "2025"), { recursive: true });
  for (const zip of ZIPS) await Deno.copyFile(zip, join(folder, "2025", zip.split("/").at(-1)!));
  await Deno.writeTextFile(join(folder, "notes.txt"), "mine");
  const dir = fresh("from-folder");
  const list = join(WORK, "from-folder-new-files.txt");
  const summary = join(WORK, "from-folder-summary.md");
  const run = await runPhotosync(["takeout", `--dir=${dir}`, `--from=${folder}`, `--new-files=${list}`], {
    env: { TZ: "UTC", GITHUB_STEP_SUMMARY: summary },
  });
  assert.equal(run.code, 0, run.stderr);
  // An unattended run is recorded as every run is: the job summary, and the last run in status.
  assert.match(await Deno.readTextFile(summary), /^### photosync takeout: complete \(exit 0\)$/m);
  const status = await refused(["status", `--dir=${dir}`, "--json"]);
  assert.equal(JSON.parse(status.stdout).runs.takeout.exitCode, 0);
  assert.deepEqual(
    items(dir).map(({ path, created_ms }) => ({ path, created_ms })),
    items(reference).map(({ path, created_ms }) => ({ path, created_ms })),
  );
  assert.equal((await Deno.readTextFile(list)).split("\n").filter(Boolean).length, items(dir).length);
  assert.match(run.stderr, new RegExp(`of archives from the folder ${folder}\n`));
  const again = await cli(["takeout", `--dir=${dir}`, `--from=${folder}`]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /^read 0 B of archives from the folder .*\n1 export was imported before$/m);
  const missing = await refused(["takeout", `--dir=${dir}`, `--from=${join(WORK, "no-such-folder")}`]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(
    missing.stderr,
    /^error: --from .*no-such-folder: no such folder \(give a folder on this machine, or a WebDAV/,
  );
  // A port fetch refuses (a NAS's WebDAV on 10080) is final: one line, not a minute of retries.
  const badPort = await refused(["takeout", `--dir=${dir}`, "--from=http://127.0.0.1:10080/dav/"]);
  assert.equal(badPort.code, 2, badPort.stderr);
  assert.match(
    badPort.stderr,
    /^error: .*port 10080 is one that fetch refuses .* serve it on another port$/m,
  );
  // A URL mistyped (no colon after the scheme) is no folder's name, and its password is not shown.
  for (const url of ["http//anna:hunter2@nas/takeout/", "https://anna:a/b#hunter2@cloud.example/Takeout/"]) {
    const mistyped = await refused(["takeout", `--dir=${dir}`, `--from=${url}`]);
    assert.equal(mistyped.code, 2, mistyped.stderr);
    assert.match(mistyped.stderr, /must be the URL of a WebDAV folder/);
    assert.doesNotMatch(mistyped.stderr, /hunter2/);
  }
});

Deno.test("--creds and --no-browser are refused alike with PATHs and with --from: only --drive signs in with Google", async () => {
  const dir = fresh("drive-only-flags");
  const folder = join(WORK, "drive-only-flags-store");
  await Deno.mkdir(folder);
  for (const [flag, given] of [["--creds=clientsecret.json", "--creds"], ["--no-browser", "--no-browser"]]) {
    const lines = [];
    for (const source of [ZIPS[0], `--from=${folder}`, "--from=https://cloud.example/dav/Takeout/"]) {
      const run = await refused(["takeout", `--dir=${dir}`, flag, source]);
      assert.equal(run.code, 2, run.stderr);
      lines.push(run.stderr.trim());
    }
    const wanted =
      `error: ${given} is for takeout --drive only (it signs in to Google Drive); see photosync takeout --help`;
    assert.deepEqual(lines, [wanted, wanted, wanted]);
  }
  // The run limits are for both remote readers.
  const limit = await refused(["takeout", `--dir=${dir}`, "--max-time=1h", ZIPS[0]]);
  assert.equal(
    limit.stderr.trim(),
    "error: --max-time is for takeout --drive or --from; see photosync takeout --help",
  );
  // So is the idle timeout of their requests, checked before anything is asked.
  const timeout = await refused(["takeout", `--dir=${dir}`, "--timeout=5", ZIPS[0]]);
  assert.equal(
    timeout.stderr.trim(),
    "error: --timeout is for takeout --drive or --from; see photosync takeout --help",
  );
  const badTimeout = await refused([
    "takeout",
    `--dir=${dir}`,
    "--timeout=0",
    "--from=https://cloud.example/dav/Takeout/",
  ]);
  assert.equal(badTimeout.code, 2, badTimeout.stderr);
  assert.equal(
    badTimeout.stderr.trim(),
    'error: --timeout must be a number of seconds from 0.1 to 3600, not "0"',
  );
  assert.equal(await exists(dir), false, "nothing written");
});

Deno.test("--from=DIR on a folder of extracted parts (macOS' `Takeout`, `Takeout 2`) says in one line to give it as PATH (exit 2), writing nothing", async () => {
  const folder = join(WORK, "from-extracted");
  await Deno.mkdir(folder);
  for (
    const [i, part] of (await writeArchives(EXPORT, join(WORK, "from-extracted-parts"), {
      format: "folder",
      parts: 2,
    })).entries()
  ) {
    await Deno.rename(join(part, "Takeout"), join(folder, i === 0 ? "Takeout" : `Takeout ${i + 1}`));
  }
  const dir = fresh("from-extracted");
  const run = await refused(["takeout", `--dir=${dir}`, `--from=${folder}`]);
  assert.equal(run.code, 2, run.stderr);
  // The part named is the first met (folder by folder): either of them.
  assert.equal(
    run.stderr.trim().replace(/\(Takeout 2\/\)/, "(Takeout/)"),
    `error: --from ${folder} holds an extracted export (Takeout/) and no Takeout archive: --from reads only ` +
      "archives (the deliveries a sync client puts there); give the folder as PATH instead: " +
      `photosync takeout --dir=DIR "${folder}"`,
  );
  assert.equal(await exists(dir), false, "nothing written");
  // A sync client's folder with nothing delivered yet is no mistake: a scheduled run finds no export.
  const empty = join(WORK, "from-nothing-yet");
  await Deno.mkdir(empty);
  await Deno.writeTextFile(join(empty, "notes.txt"), "mine");
  const none = await cli(["takeout", `--dir=${dir}`, `--from=${empty}`]);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stderr, /^no Takeout export of Google Photos found/m);
});

Deno.test("--from: a part deleted after its import, as the run said it could be, is no gap: the parts that come later are imported", async () => {
  const reference = await importedZips();
  const folder = join(WORK, "deleted-part-store");
  await Deno.mkdir(folder);
  const [first, second] = ZIPS.map((zip) => join(folder, zip.split("/").at(-1)!));
  await Deno.copyFile(ZIPS[0], first);
  await Deno.utime(first, new Date(Date.UTC(2025, 0, 1)), new Date(Date.UTC(2025, 0, 1)));
  const dir = fresh("deleted-part");
  const run = await cli(["takeout", `--dir=${dir}`, `--from=${folder}`]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /may now be deleted/);
  await Deno.remove(first);
  await Deno.copyFile(ZIPS[1], second);
  await Deno.utime(second, new Date(Date.UTC(2025, 0, 2)), new Date(Date.UTC(2025, 0, 2)));
  const later = await cli(["takeout", `--dir=${dir}`, `--from=${folder}`]);
  assert.equal(later.code, 0, later.stderr);
  assert.doesNotMatch(later.stderr, /not complete yet/);
  assert.deepEqual(
    items(dir).map(({ path, created_ms }) => ({ path, created_ms })),
    items(reference).map(({ path, created_ms }) => ({ path, created_ms })),
  );
});

Deno.test("--max-time running out while the store is listed or an export's directories are read: stopped, not a failure", async () => {
  const folder = join(WORK, "stopped-early-store");
  await Deno.mkdir(folder);
  for (const zip of ZIPS) await Deno.copyFile(zip, join(folder, zip.split("/").at(-1)!));
  const stamp = ZIPS[0].split("/").at(-1)!.slice("takeout-".length, "takeout-".length + 16);
  /** The folder as a store whose `when` request is where the time runs out (a request then ends with it). */
  const slowStore = (when: "list" | "read", stop: RunStop): RemoteStore => {
    const store = new FolderStore(folder);
    const runOut = () => {
      stop.abort(new StopRequest("the time limit ran out"));
      return stop.signal.reason;
    };
    return {
      description: store.description,
      async *list(signal) {
        if (when === "list") throw runOut();
        yield* store.list(signal);
      },
      read: (file, start, end, signal) =>
        when === "read" ? Promise.reject(runOut()) : store.read(file, start, end, signal),
    };
  };
  for (const when of ["list", "read"] as const) {
    const dir = fresh(`stopped-early-${when}`);
    const stop = new RunStop();
    const result = await takeout({
      dir,
      store: slowStore(when, stop),
      logger: new Renderer({ verbosity: "quiet", tty: false }),
      stop,
    });
    assert.equal(result.stopped, "time", when);
    assert.deepEqual(result.stoppedIn, when === "read" ? { stamp, files: 0 } : undefined);
    assert.deepEqual(result.imported, []);
    assert.deepEqual(items(dir), []);
  }
});

Deno.test("--max-time running out inside an export: the report names the export it stopped in and counts its files only", async () => {
  const folder = join(WORK, "stopped-store");
  await Deno.mkdir(folder);
  for (const zip of ZIPS) await Deno.copyFile(zip, join(folder, zip.split("/").at(-1)!));
  // A later export beside it, of photos taken since 2026 (the first's are older): imported after the first,
  // whose files this run placed too.
  const later = generateTakeout({
    seed: 6,
    count: 4,
    specials: false,
    language: "en",
    fromYear: 2026,
    exportedAt: "2027-12-01T10:10:10Z",
  });
  const laterZips = await writeArchives(later, join(WORK, "stopped-later"), { parts: 1 });
  for (const zip of laterZips) await Deno.copyFile(zip, join(folder, zip.split("/").at(-1)!));
  const stamp = (zip: string) => zip.split("/").at(-1)!.slice("takeout-".length, "takeout-".length + 16);
  const dir = fresh("stopped");
  const stop = new RunStop();
  const placed: string[] = [];
  // The time limit runs out as the later export's first file lands (the run stops at the next entry).
  const result = await takeout({
    dir,
    store: new FolderStore(folder),
    logger: new Renderer({ verbosity: "quiet", tty: false }),
    stop,
    onFile: (path, entry) => {
      placed.push(path);
      if (entry === "file" && /^202[67]\//.test(path)) stop.abort(new StopRequest("the time limit ran out"));
    },
  });
  assert.equal(result.stopped, "time");
  assert.deepEqual(result.imported.map((imported) => imported.stamp), [stamp(ZIPS[0])]);
  const first = result.imported[0].report.imported;
  assert.ok(first >= 1 && first < placed.length);
  assert.deepEqual(result.stoppedIn, { stamp: stamp(laterZips[0]), files: placed.length - first });
  assert.deepEqual(items(dir).map((row) => row.path).sort(), placed.sort());
});

Deno.test("a file placed undated and re-dated in the same run by a later copy's sidecar counts as dated by it, and says where it went", async () => {
  const zip = join(WORK, "redated-in-run.zip");
  const photo = bytes("a birthday photo");
  const entryTime = Date.UTC(2024, 0, 2);
  await writeZip(zip, [
    ["Takeout/Google Photos/Birthday/metadata.json", bytes(JSON.stringify({ title: "Birthday" }))],
    ["Takeout/Google Photos/Birthday/IMG_7.jpg", photo, entryTime],
    ["Takeout/Google Photos/Photos from 2011/IMG_7.jpg", photo, entryTime],
    ["Takeout/Google Photos/Photos from 2011/IMG_7.jpg.json", sidecar("IMG_7.jpg", "1300000000")],
  ]);
  const dir = fresh("redated-in-run");
  const run = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^re-dated 2011\/03\/13\/IMG_7\.jpg \(by IMG_7\.jpg\.json\)$/m);
  assert.match(run.stderr, /dated from sidecar 1, EXIF 0, file name 0, file time 0\n/);
  assert.doesNotMatch(run.stderr, /had no date/);
  assert.deepEqual(items(dir).map((row) => row.path), ["2011/03/13/IMG_7.jpg"]);
});

Deno.test("an archive given twice (overlapping globs) is read once", async () => {
  // The shared import is that run.
  const { run } = await importZipsOnce();
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^reading 2 archives$/m);
  assert.match(run.stderr, / 0 already present, /);
});

// ---------------------------------------------------------------------------------------------------------
// Point 15: control characters in names

// deno-lint-ignore no-control-regex -- what must never reach the terminal raw
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

Deno.test("control characters of entry names never reach the terminal raw: warnings, failures and --verbose", async () => {
  const evil = "evil\x1b]0;owned\x07\x1b[31m\r\u202egpj\x9b2J";
  const zip = join(WORK, "hostile-names.zip");
  const corrupt = "corrupt me: this entry's bytes are changed in the zip";
  await writeZip(zip, [
    [`${GP}/${evil}.jpg`, bytes("undated, with a hostile name")],
    [`${GP}/${evil}\n2.jpg`, bytes(corrupt)],
    [`${GP}/${evil}3.jpg.json`, sidecar(`${evil}3.jpg`, "1577880000")],
  ], { level: 0 });
  const data = await Deno.readFile(zip);
  data[new TextDecoder("latin1").decode(data).indexOf(corrupt)] ^= 0x20;
  await Deno.writeFile(zip, data);
  const dir = fresh("hostile-names");
  const run = await cli(["takeout", `--dir=${dir}`, "--verbose", zip]);
  assert.equal(run.code, 3, run.stderr);
  assert.doesNotMatch(run.stderr, RAW, JSON.stringify(run.stderr));
  assert.match(
    run.stderr,
    /warning: .*evil\\e\]0;owned\\x07\\e\[31m\\r\\u202egpj\\x9b2J\\n2\.jpg: /,
    "the failure, escaped",
  );
  assert.match(run.stderr, /entry time: .*evil\\e\]0;owned/, "the undated file, escaped");
  // The report file holds the names escaped, one line per entry.
  const { rows } = await reportOf(run);
  assert.equal(rows.length, 3);
  assert.ok(rows.some((row) => row[1] === `${GP}/${evil}\n2.jpg` && row[2] === "failed"));
});

// ---------------------------------------------------------------------------------------------------------
// Point 16: the summary and the report file

Deno.test("the summary is a few short lines; the report file has a line per entry; long lists are cut on the terminal", async () => {
  const many = join(WORK, "undated.zip");
  await writeZip(
    many,
    Array.from(
      { length: 15 },
      (_, i) => [`${GP}/undated ${i}.jpg`, bytes(`undated ${i}`)] as [string, Uint8Array],
    ),
  );
  const dir = fresh("report");
  const run = await cli(["takeout", `--dir=${dir}`, many, ...ZIPS]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stderr.split("\n");
  const at = lines.findIndex((line) => / entries: /.test(line));
  // Three short lines, then the report file's path.
  for (const line of lines.slice(at, at + 3)) assert.ok(line.length <= 110, `a short line: ${line}`);
  assert.match(lines[at + 3], /^ {2}every entry, one line each: /);
  const warning = lines.find((line) => line.includes("files had no date but their archive entry time"))!;
  assert.ok(warning, run.stderr);
  const report = await reportOf(run);
  const names = warning.slice(0, warning.lastIndexOf(" … ")).split(": ").pop()!.split(", ");
  assert.ok(warning.startsWith("warning: 15 files had no date but their archive entry time: "), warning);
  assert.equal(names.length, 10, warning);
  for (const name of names) {
    assert.match(name, /^Takeout\/Google Photos\/Photos from 2020\/undated \d+\.jpg$/);
  }
  assert.ok(warning.endsWith(` … 5 more, see ${report.path}`), warning);
  assert.match(report.path, new RegExp(`^${dir}/takeout-report-\\d{8}T\\d{6}Z\\.tsv$`));
  assert.equal((await Deno.stat(report.path)).mode! & 0o777, 0o600);
  const entries = Number(/(\d+) entries: /.exec(run.stderr)![1]);
  assert.equal(report.rows.length, entries, "one line per entry");
  assert.equal(
    report.rows.filter((row) => row[2] === "imported").length,
    Number(/(\d+) imported/.exec(run.stderr)![1]),
  );
  // The report is no photo: status counts the items only; a second run writes a second report.
  const status = await runPhotosync(["status", `--dir=${dir}`, "--json"], { inProcess: true });
  assert.equal(JSON.parse(status.stdout).items, items(dir).length);
  const again = await cli(["takeout", `--dir=${dir}`, many]);
  assert.equal(again.code, 0, again.stderr);
  const second = await reportOf(again);
  assert.notEqual(second.path, report.path);
  assert.ok(second.rows.every((row) => row[2] === "already present"));
  assert.ok(await exists(report.path));
});

// ---------------------------------------------------------------------------------------------------------
// Point 17: the output folder and sync.db

Deno.test("a file too large for a limit (a shell's ulimit -f here; FAT32's 4 GB: see tooLargeMessage) is one line saying what to do", async () => {
  const big = join(WORK, "big.zip");
  await writeZip(big, [[`${GP}/VID_1.mp4`, new Uint8Array(60_000_000)]]);
  const dir = fresh("too-large");
  // The shell's file size limit, as a user sets it (its signal not ignored: photosync takes it): writes
  // past it fail with EFBIG, as past FAT32's 4 GB. 50 MB: above what Deno's own caches hold (it writes
  // to them as it starts, before photosync takes the signal).
  const { code, stderr } = await new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -f 50000; exec "$@"`,
      "bash",
      ...cliCommand(["takeout", `--dir=${dir}`, big]),
    ],
    env: { TZ: "UTC" },
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(stderr).trimEnd().split("\n").filter((line) =>
    line.startsWith("error:")
  );
  assert.notEqual(code, 0);
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(
    lines[0],
    /a file size limit stopped it at \d+ bytes, short of any file system's \(the shell's ulimit -f, a disk quota\); raise it/,
  );
});

Deno.test("a sync.db with damaged pages is refused with one line naming it (exit 2), by takeout and status", async () => {
  const dir = fresh("damaged-db");
  await copyBackup(await importedZips(), dir);
  const path = join(dir, "sync.db");
  const db = await Deno.readFile(path);
  db.fill(0x5a, 4096); // Every page but the first.
  await Deno.writeFile(path, db);
  for (const args of [["takeout", `--dir=${dir}`, ...ZIPS], ["status", `--dir=${dir}`]]) {
    const run = await refused(args);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr.trimEnd().split("\n").filter((line) => line.startsWith("error: ")).length,
      1,
      run.stderr,
    );
    assert.match(run.stderr, /error: .*sync\.db is damaged \(.*\); restore it from a backup/);
    assert.doesNotMatch(run.stderr, /unexpected failure/);
  }
});

Deno.test("verify on a sync.db whose index it reads by is damaged says so (exit 2), not all intact", async () => {
  const dir = fresh("damaged-index");
  await copyBackup(await importedZips(), dir);
  const path = join(dir, "sync.db");
  await damagePage(path, "items_pending");
  // verify only reads, and is refused here: in-process, as the next test runs it on damaged sync.dbs.
  const run = await refused(["verify", `--dir=${dir}`]);
  assertOneLineError(
    run,
    2,
    /^error: .*sync\.db is damaged \(database disk image is malformed\); restore it/,
  );
  assert.doesNotMatch(run.stderr, /all intact/);
});

Deno.test("on an empty, damaged or foreign sync.db, verify, query, report and token say what status says (exit 2) and change nothing", async () => {
  const good = await importedZips();
  const spoil = {
    // A copy that failed.
    empty: (path: string) => Deno.writeFile(path, new Uint8Array()),
    // A page none of verify's, query's or token's own reads meets.
    damaged: (path: string) => damagePage(path, "items_pending"),
    foreign: (path: string) => Deno.writeTextFile(path, "hello"),
  };
  for (const [state, damage] of Object.entries(spoil)) {
    const dir = fresh(state);
    await Deno.mkdir(dir);
    await Deno.copyFile(join(good, "sync.db"), join(dir, "sync.db"));
    const path = join(dir, "sync.db");
    await damage(path);
    const before = await Deno.readFile(path);
    const status = await refused(["status", `--dir=${dir}`]);
    const said = assertOneLineError(status, 2, /^error: .*sync\.db (is empty|is damaged|is not a photosync)/);
    for (const args of [["verify"], ["query", "AF1QipSOMEID", "--no-browser"], ["report"], ["token"]]) {
      const run = await refused([...args, `--dir=${dir}`]);
      assert.equal(assertOneLineError(run, 2), said, `${state}: ${args[0]}`);
      assert.deepEqual(await Deno.readFile(path), before, `${state}: ${args[0]} left sync.db as it was`);
      assert.deepEqual(
        [...Deno.readDirSync(dir)].map((entry) => entry.name),
        ["sync.db"],
        `${state}: ${args[0]}`,
      );
    }
  }
});

/** Overwrite the page of `index` (its root: a small table's only page) in the SQLite file at `path`. */
async function damagePage(path: string, index: string): Promise<void> {
  const page = (() => {
    using db = new DatabaseSync(path, { readOnly: true });
    const row = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = ?").get(index);
    return row!.rootpage as number;
  })();
  const bytes = await Deno.readFile(path);
  bytes.fill(0x5a, 4096 * (page - 1), 4096 * page);
  await Deno.writeFile(path, bytes);
}

Deno.test("a --layout starting with photosync's own folder is refused before anything is written", async () => {
  for (const layout of [".photosync-tmp/{year}", "sync.db/{year}/{month}", "albums/{year}"]) {
    const dir = fresh("layout");
    const run = await refused(["takeout", `--dir=${dir}`, `--layout=${layout}`, ...ZIPS]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^error: --layout cannot start with /);
    assert.equal(await exists(dir), false);
  }
});

Deno.test("a read-only sync.db is refused (exit 2) and left read-only", async () => {
  const dir = fresh("readonly-db");
  await copyBackup(await importedZips(), dir);
  const path = join(dir, "sync.db");
  await using _ = await locked(path, { mode: 0o400 });
  const run = await refused(["takeout", `--dir=${dir}`, ...ZIPS]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^error: .*sync\.db is read-only: make it writable/);
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o400, "not re-chmodded");
});

Deno.test({
  name: "an archive that cannot be read is reported (exit 1) and the others are imported",
  // Root reads through file modes.
  ignore: Deno.uid() === 0,
  fn: async () => {
    const unreadable = join(WORK, "locked.zip");
    await Deno.copyFile(ZIPS[1], unreadable);
    await Deno.chmod(unreadable, 0);
    const dir = fresh("unreadable");
    const run = await cli(["takeout", `--dir=${dir}`, ZIPS[0], unreadable]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^error: .*locked\.zip: cannot read it/m);
    assert.ok(items(dir).length > 0);
  },
});

Deno.test("a symbolic link in the dated tree fails the items under it (exit 3, with the reason); the rest imports", async () => {
  const dir = fresh("linked-tree");
  const elsewhere = fresh("elsewhere");
  await Deno.mkdir(dir);
  await Deno.mkdir(elsewhere);
  await Deno.symlink(elsewhere, join(dir, "2020"));
  const zip = join(WORK, "2020-and-2021.zip");
  await writeZip(zip, [
    [`${GP}/in2020.jpg`, bytes("2020")],
    [`${GP}/in2020.jpg.json`, sidecar("in2020.jpg", String(Date.UTC(2020, 4, 1) / 1000))],
    [`${GP}/in2021.jpg`, bytes("2021")],
    [`${GP}/in2021.jpg.json`, sidecar("in2021.jpg", String(Date.UTC(2021, 4, 1) / 1000))],
  ]);
  const run = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /^warning: .*in2020\.jpg: .*symbolic link/m);
  assert.deepEqual([...Deno.readDirSync(elsewhere)], [], "nothing written through the link");
  const rows = items(dir);
  const failed = rows.find((row) => row.status === "failed")!;
  assert.match(failed.note!, /symbolic link/);
  assert.ok(rows.some((row) => row.status === "downloaded" && row.path.startsWith("2021/")));
  // Once the link is gone, a re-run imports it.
  await Deno.remove(join(dir, "2020"));
  const again = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(items(dir).every((row) => row.status === "downloaded"));
});

Deno.test("a symbolic link or a file where albums/ or an album's folder goes blocks only those links (exit 3, one line each); the photos import", async () => {
  const zip = join(WORK, "albums-blocked.zip");
  await writeZip(zip, [
    ["Takeout/Google Photos/Trip/metadata.json", bytes(JSON.stringify({ title: "Trip" }))],
    ["Takeout/Google Photos/Trip/a.jpg", bytes("a photo in the trip")],
    ["Takeout/Google Photos/Trip/b.jpg", bytes("b photo in the trip")],
    ["Takeout/Google Photos/Party/metadata.json", bytes(JSON.stringify({ title: "Party" }))],
    ["Takeout/Google Photos/Party/c.jpg", bytes("c photo at the party")],
  ]);
  const photos = ["2024/01/01/a.jpg", "2024/01/01/b.jpg", "2024/01/01/c.jpg"];
  // `albums` itself a link: no link is made through it, one line says so.
  const dir = fresh("albums-linked");
  const elsewhere = fresh("albums-elsewhere");
  await Deno.mkdir(dir);
  await Deno.mkdir(elsewhere);
  await Deno.symlink(elsewhere, join(dir, "albums"));
  const run = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(run.code, 3, run.stderr);
  assert.deepEqual(run.stderr.split("\n").filter((line) => line.includes("album links")), [
    `warning: album links not made: ${join(dir, "albums")} is a symbolic link; photosync does not write ` +
    "through links; move it out of the way, and the next import makes them (the photos are imported)",
  ]);
  assert.match(run.stderr, /^done in /m);
  assert.doesNotMatch(run.stderr, /unexpected failure|^error: /m);
  assert.deepEqual([...Deno.readDirSync(elsewhere)], [], "nothing written through the link");
  assert.deepEqual(
    items(dir).map((row) => [row.path, row.status]),
    photos.map((path) => [path, "downloaded"]),
  );
  // Once it is moved away, the next import makes them.
  await Deno.remove(join(dir, "albums"));
  const again = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await Deno.readTextFile(join(dir, "albums", "Trip", "a.jpg")), "a photo in the trip");
  // A file where one album's folder goes: that album's links only.
  const other = fresh("album-file");
  await Deno.mkdir(join(other, "albums"), { recursive: true });
  await Deno.writeTextFile(join(other, "albums", "Trip"), "the user's");
  const file = await cli(["takeout", `--dir=${other}`, zip]);
  assert.equal(file.code, 3, file.stderr);
  assert.deepEqual(file.stderr.split("\n").filter((line) => line.includes("album links")), [
    `warning: album links not made: ${join(other, "albums", "Trip")} is in the way: it is not a folder; ` +
    "move it out of the way, and the next import makes them (the photos are imported)",
  ]);
  assert.equal(await Deno.readTextFile(join(other, "albums", "Trip")), "the user's");
  assert.equal(await Deno.readTextFile(join(other, "albums", "Party", "c.jpg")), "c photo at the party");
  // The same from a store of exports (--from).
  const folder = fresh("albums-from");
  await Deno.mkdir(folder);
  await Deno.copyFile(zip, join(folder, "takeout-20250101T000000Z-001.zip"));
  const fromDir = fresh("albums-from-dir");
  await Deno.mkdir(fromDir);
  await Deno.symlink(elsewhere, join(fromDir, "albums"));
  const from = await cli(["takeout", `--dir=${fromDir}`, `--from=${folder}`]);
  assert.equal(from.code, 3, from.stderr);
  assert.match(from.stderr, /^warning: album links not made: .*albums is a symbolic link/m);
  assert.deepEqual([...Deno.readDirSync(elsewhere)], [], "nothing written through the link");
  // Blocked again by the next run, with no new export to import: said again, exit 3 again.
  const blocked = await cli(["takeout", `--dir=${fromDir}`, `--from=${folder}`]);
  assert.equal(blocked.code, 3, blocked.stderr);
  assert.match(blocked.stderr, /^1 export was imported before$/m);
  assert.match(blocked.stderr, /^warning: album links not made: .*albums is a symbolic link/m);
  // Moved away: the next run makes them, though the store holds no new export.
  await Deno.remove(join(fromDir, "albums"));
  const list = join(fromDir, "..", "albums-from-new-files.txt");
  const linked = await cli(["takeout", `--dir=${fromDir}`, `--from=${folder}`, `--new-files=${list}`]);
  assert.equal(linked.code, 0, linked.stderr);
  assert.equal(await Deno.readTextFile(join(fromDir, "albums", "Trip", "a.jpg")), "a photo in the trip");
  assert.equal(await Deno.readTextFile(join(fromDir, "albums", "Party", "c.jpg")), "c photo at the party");
  assert.deepEqual((await Deno.readTextFile(list)).trim().split("\n").sort(), [
    "albums/Party/c.jpg",
    "albums/Trip/a.jpg",
    "albums/Trip/b.jpg",
  ]);
  // Nothing left to make: a run after it makes none.
  const after = await cli(["takeout", `--dir=${fromDir}`, `--from=${folder}`, `--new-files=${list}`]);
  assert.equal(after.code, 0, after.stderr);
  assert.equal((await Deno.readTextFile(list)).trim(), "");
});
