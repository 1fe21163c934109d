/**
 * `photosync takeout` over several runs, as exports really arrive: parts imported one at a time and in any
 * order (sidecars in other parts than their files), two exports holding the same paths, a run killed with
 * kill -9, files lost from the tree afterwards. Nothing is lost, ever, and every split gives one run's tree.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  CliProcess,
  type CliResult,
  listFiles,
  runPhotosync,
  type StatusJson,
  TestEnv,
} from "../testing/harness.ts";
import { isHardLinkOf } from "../testing/asserts.ts";
import { fixtureItem, mediaBytes } from "../testing/library_fixture.ts";
import { appendOnly, locked } from "../testing/locked.ts";
import {
  type ArchivePart,
  planArchives,
  type TakeoutEntry,
  writeArchives,
  writeZip,
} from "../testing/takeout/archives.ts";
import { generateTakeout } from "../testing/takeout/export.ts";
import { reportOf } from "../testing/takeout/report_rows.ts";
import type { TakeoutExport } from "../testing/takeout/model.ts";
import {
  backupRows,
  backupTree,
  copyBackup,
  keepOnlySyncDb,
  sha256,
} from "../testing/takeout/backup_state.ts";
import * as hand from "../testing/takeout/hand_archives.ts";
import { idTag } from "../lib/core/names.ts";

const WORK = await Deno.makeTempDir({ prefix: "photosync-takeout-runs-" });
Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

/** Takeout runs talk to no Google endpoint. */
const CLI_OPTIONS = { env: { TZ: "UTC" } };
/** photosync with `args`; `status`, which only reads what the runs left, in-process. */
const cli = (args: string[]): Promise<CliResult> =>
  runPhotosync(args, { ...CLI_OPTIONS, inProcess: args[0] === "status" });

let folders = 0;
const outDir = (name: string) => join(WORK, `out-${++folders}-${name}`);

/** The items of `sync.db` by content hash, and album memberships. */
const rows = (dir: string) => backupRows(dir);

/** Each item's content hash, date and name. */
const datesOf = (dir: string) =>
  rows(dir).items.map(({ hash, created_ms, filename }) => [hash, created_ms, filename]);

/** The summary's count of `category` (`imported`, `already present`, …). */
function count(run: CliResult, category: string): number {
  const match = new RegExp(`(\\d+) ${category}`).exec(run.stderr);
  assert.ok(match, `"${category}" in\n${run.stderr}`);
  return Number(match[1]);
}

/** The summary's entry counts (its first two lines) add up to its number of entries. */
function assertAccounted(run: CliResult): void {
  const lines = run.stderr.split("\n");
  const at = lines.findIndex((l) => / entr(y|ies): /.test(l));
  assert.ok(at >= 0, run.stderr);
  const line = `${lines[at]} ${lines[at + 1]}`;
  // The counts, less the bytes in brackets.
  const [entries, ...counts] = [...line.replace(/\([^)]*\)/g, "").matchAll(/(\d+) [a-z]/g)].map((m) =>
    Number(m[1])
  );
  assert.equal(counts.reduce((a, b) => a + b, 0), entries, line);
}

const bytes = (text: string) => new TextEncoder().encode(text);

/** An entry of a hand-made archive. */
function entry(path: string, content: Uint8Array | string, mtimeMs = Date.UTC(2025, 0, 2)): TakeoutEntry {
  const data = typeof content === "string" ? bytes(content) : content;
  return { path, size: data.length, mtimeMs, kind: "other", open: () => ReadableStream.from([data]) };
}

const sidecar = (title: string, takenMs: number) =>
  JSON.stringify({ title, photoTakenTime: { timestamp: String(takenMs / 1000) } });

// ---------------------------------------------------------------------------------------------------------
// 1. The same path in two inputs

Deno.test("the same path in two exports, in two parts of one export and twice in one zip: every content is a file", async () => {
  const dir = join(WORK, "same-path");
  await Deno.mkdir(dir);
  const photos = "Takeout/Google Photos/Photos from 2020";
  const [t1, t2, t3] = [Date.UTC(2020, 1, 3, 10), Date.UTC(2020, 5, 6, 11), Date.UTC(2020, 8, 9, 12)];
  // Two family members' exports: each has its IMG_0001.jpg and its own sidecar for it.
  const mine = join(dir, "takeout-20250101T100000Z-001.zip");
  await writeZip(mine, [
    entry(`${photos}/IMG_0001.jpg`, "mine: the beach"),
    entry(`${photos}/IMG_0001.jpg.supplemental-metadata.json`, sidecar("IMG_0001.jpg", t1)),
  ], {});
  const theirs = join(dir, "takeout-20250303T100000Z-001.zip");
  await writeZip(theirs, [
    entry(`${photos}/IMG_0001.jpg`, "theirs: the mountains, a longer file"),
    entry(`${photos}/IMG_0001.jpg.supplemental-metadata.json`, sidecar("IMG_0001.jpg", t2)),
  ], {});
  // Google's own parts: one path in part 1 and in part 2 (its sidecar in part 2).
  const part1 = join(dir, "takeout-20250505T100000Z-001.zip");
  const part2 = join(dir, "takeout-20250505T100000Z-002.zip");
  await writeZip(part1, [entry(`${photos}/IMG_0002.jpg`, "part one's copy")], {});
  await writeZip(part2, [
    entry(`${photos}/IMG_0002.jpg`, "part two's copy"),
    entry(`${photos}/IMG_0002.jpg.json`, sidecar("IMG_0002.jpg", t3)),
  ], {});
  // One zip holding one name twice (written under a stand-in name of the same length, then renamed).
  const twice = join(dir, "takeout-20250707T100000Z-001.zip");
  await writeZip(twice, [
    entry(`${photos}/IMG_0003.jpg`, "first of two"),
    entry(`${photos}/IMG_0003.jpX`, "second of two"),
  ], {});
  const zip = await Deno.readFile(twice);
  const from = bytes("IMG_0003.jpX");
  for (let at = 0; at < zip.length - from.length; at++) {
    if (from.every((b, i) => zip[at + i] === b)) zip[at + from.length - 1] = "g".charCodeAt(0);
  }
  await Deno.writeFile(twice, zip);
  const contents = [
    "mine: the beach",
    "theirs: the mountains, a longer file",
    "part one's copy",
    "part two's copy",
    "first of two",
    "second of two",
  ];

  const out = outDir("same-path");
  const run = await cli(["takeout", `--dir=${out}`, mine, theirs, part1, part2, twice]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(count(run, "imported"), 6, run.stderr);
  assertAccounted(run);
  const { items } = rows(out);
  assert.deepEqual(items.map((item) => item.hash).sort(), contents.map((c) => sha256(bytes(c))).sort());
  const dated = (content: string) => items.find((item) => item.hash === sha256(bytes(content)))!.created_ms;
  assert.equal(dated("mine: the beach"), t1, "each export's file takes its own export's sidecar");
  assert.equal(dated("theirs: the mountains, a longer file"), t2);
  assert.equal(
    dated("part one's copy"),
    t3,
    "a part's sidecar dates the same path in every part of its export",
  );
  assert.equal(dated("part two's copy"), t3);
  for (const item of items) {
    assert.equal(sha256(await Deno.readFile(join(out, item.path))), item.hash, `${item.path}: its bytes`);
  }

  // Again, and one input at a time into a fresh folder: nothing new, nothing lost.
  const again = await cli(["takeout", `--dir=${out}`, twice, part2, part1, theirs, mine]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual([count(again, "imported"), count(again, "already present")], [0, 6]);
  const split = outDir("same-path-split");
  for (const input of [theirs, twice, part2, mine, part1]) {
    const one = await cli(["takeout", `--dir=${split}`, input]);
    assert.equal(one.code, 0, one.stderr);
    assertAccounted(one);
  }
  assert.deepEqual(
    rows(split).items.map(({ hash, created_ms }) => [hash, created_ms]),
    items.map(({ hash, created_ms }) => [hash, created_ms]),
  );
});

// ---------------------------------------------------------------------------------------------------------
// 3. Parts imported in separate runs

/**
 * The parts with each hard case spanning runs: a trashed file in the first part and its sidecar at the end
 * of the last (the file is imported first, then goes), and an album's metadata.json at the end of the last
 * part, after its members (they join the album later).
 */
function spreadHardCases(exp: TakeoutExport, parts: ArchivePart[]): ArchivePart[] {
  const entries = parts.flatMap((part) => part.entries);
  const trashed = exp.files.find((f) => f.trashed && f.sidecar);
  assert.ok(trashed, "a trashed file with a sidecar");
  const trashedMedia = entries.find((e) => e.kind === "media" && e.file === trashed)!;
  const trashedSidecar = entries.find((e) => e.kind === "sidecar" && e.file === trashed)!;
  const last = parts.length - 1;
  const early = new Set(parts.slice(0, last).flatMap((part) => part.entries));
  const album = exp.albums.find((a) => entries.some((e) => e.file?.folder === a.folder && early.has(e)));
  assert.ok(album, "an album with a member before the last part");
  const metadata = entries.find((e) => e.path === `${exp.root}/${album.folder}/metadata.json`)!;
  const moved = new Set([trashedMedia, trashedSidecar, metadata]);
  const result = parts.map((part, i) => ({
    ...part,
    entries: [
      ...part.entries.filter((e) => !moved.has(e)),
      ...(i === 0 ? [trashedMedia] : []),
      ...(i === last ? [trashedSidecar, metadata] : []),
    ],
  }));
  return result;
}

Deno.test("parts imported in separate runs, in any split and order, give one run's tree and dates", async () => {
  // The hand-written cases and a few ordinary files: the hard cases are the point, not the count.
  const exp = generateTakeout({ seed: 12, count: 6, sidecarStyle: "mixed", language: "en" });
  const parts = spreadHardCases(exp, planArchives(exp, { parts: 3 }));
  const zips: string[] = [];
  for (const part of parts) {
    zips.push(join(WORK, "split", part.name));
    await Deno.mkdir(join(WORK, "split"), { recursive: true });
    await writeZip(zips.at(-1)!, part.entries, {});
  }
  // The generator puts sidecars in other parts than their files, both ways.
  const where = (path: string) => parts.findIndex((part) => part.entries.some((e) => e.path === path));
  const spanning = exp.files.filter((f) =>
    f.sidecar && where(`${exp.root}/${f.folder}/${f.sidecar}`) !== where(f.path)
  );
  assert.ok(
    spanning.some((f) => where(f.path) < where(`${exp.root}/${f.folder}/${f.sidecar}`)),
    "a sidecar after",
  );
  assert.ok(
    spanning.some((f) => where(f.path) > where(`${exp.root}/${f.folder}/${f.sidecar}`)),
    "a sidecar before",
  );

  const reference = outDir("split-all");
  const whole = await cli(["takeout", `--dir=${reference}`, ...zips]);
  assert.equal(whole.code, 0, whole.stderr);
  const expected = { tree: await backupTree(reference), db: rows(reference) };
  assert.ok(expected.tree.some((line) => line.startsWith("albums/")), "album links");

  const stamp = parts[0].name.slice("takeout-".length, -"-001.zip".length);
  /** Report lines of files placed by an earlier run that a later one re-dated or removed. */
  let revisedLines = 0;
  // Two splits cover both orders of each hard case: part 1 first (the trashed file placed, then removed;
  // sidecars arriving after their files re-date them), and the last part first (its sidecars and album
  // metadata before the files, gaps of two parts then one named). Another order adds runs, not cases.
  for (const split of [[[0], [1, 2]], [[2], [0], [1]]]) {
    const dir = outDir(`split-${split.map((runs) => runs.join("")).join("-")}`);
    const seen = new Set<number>();
    const stderrs: string[] = [];
    for (const [i, run] of split.entries()) {
      const result = await cli(["takeout", `--dir=${dir}`, ...run.map((part) => zips[part])]);
      assert.equal(result.code, 0, result.stderr);
      stderrs.push(result.stderr);
      assertAccounted(result);
      // The report file: a line per entry, and one per earlier run's file re-dated or removed.
      const report = await reportOf(result);
      const revisedHere = report.rows.filter((row) => row[2] === "redated" || row[2] === "removed");
      assert.equal(report.rows.length - revisedHere.length, count(result, "entries"), report.path);
      const figure = (pattern: RegExp) => Number(pattern.exec(result.stderr)?.[1] ?? 0);
      assert.ok(revisedHere.length <= figure(/(\d+) files? re-dated/) + figure(/(\d+) files? removed/));
      revisedLines += revisedHere.length;
      run.forEach((part) => seen.add(part + 1));
      // Gaps in the parts seen so far are named once; none once all are in.
      const missing = [1, 2, 3].filter((n) => n < Math.max(...seen) && !seen.has(n));
      const warnings = result.stderr.split("\n").filter((l) => l.includes("not imported yet"));
      if (missing.length === 0) assert.deepEqual(warnings, [], result.stderr);
      else {
        assert.equal(warnings.length, 1, result.stderr);
        const names = missing.map((n) => String(n).padStart(3, "0")).join(", ");
        assert.ok(warnings[0].includes(`parts ${names} of takeout-${stamp} `), warnings[0]);
      }
      if (i === 0 && run.length === 1 && run[0] === 0) {
        // The trashed file whose sidecar is in the last part is there for now.
        const trashed = exp.files.find((f) => f.trashed && f.sidecar)!;
        assert.ok(
          rows(dir).items.some((item) => item.hash === sha256(trashed.bytes)),
          "the trashed file, for now",
        );
      }
    }
    // Files placed before their sidecar arrived were re-dated (and the trashed one removed) on the way.
    const revised = (pattern: RegExp) =>
      stderrs.reduce((sum, stderr) => sum + Number(pattern.exec(stderr)?.[1] ?? 0), 0);
    assert.ok(revised(/(\d+) files? re-dated/) > 0, stderrs.join("\n"));
    const trashFirst = split.findIndex((run) => run.includes(0)) < split.findIndex((run) => run.includes(2));
    if (trashFirst) assert.ok(revised(/(\d+) files? removed as trash/) >= 1, stderrs.join("\n"));
    const label = JSON.stringify(split);
    assert.deepEqual(await backupTree(dir), expected.tree, `${label}: the tree of one run`);
    assert.deepEqual(rows(dir), expected.db, `${label}: sync.db's rows`);
  }

  assert.ok(revisedLines > 0, "a later run's re-dating has its report lines");

  // kill -9 in each run of a split, then the runs again: the same.
  const dir = outDir("split-killed");
  for (const run of [[2], [0, 1]]) {
    const args = ["takeout", `--dir=${dir}`, ...run.map((part) => zips[part])];
    const victim = new CliProcess(args, CLI_OPTIONS);
    await victim.waitForLine((line) => line.startsWith("imported "), 3);
    victim.child.kill("SIGKILL");
    assert.notEqual((await victim.result()).code, 0);
    const again = await cli(args);
    assert.equal(again.code, 0, again.stderr);
  }
  assert.deepEqual(await backupTree(dir), expected.tree, "killed runs: the tree of one run");
  assert.deepEqual(rows(dir), expected.db, "killed runs: sync.db's rows");
});

/**
 * One export as three zips, and their import in one run: the reference of the tests below, each giving the
 * parts another way (read it, or change a copy: {@link copyBackup}).
 */
const THREE = generateTakeout({ seed: 17, count: 6 });
let threeImport: Promise<{ zips: string[]; reference: string }> | undefined;
function threeParts(): Promise<{ zips: string[]; reference: string }> {
  return threeImport ??= (async () => {
    const zips = await writeArchives(THREE, join(WORK, "three", "zips"), { parts: 3 });
    const reference = outDir("three-reference");
    const run = await cli(["takeout", `--dir=${reference}`, ...zips]);
    assert.equal(run.code, 0, run.stderr);
    return { zips, reference };
  })();
}

Deno.test("a part extracted into a folder of another name is matched with the zips of its export", async () => {
  const { zips, reference } = await threeParts();
  // The folder is needed: sidecars in it date files of the zips, and the other way round.
  const parts = planArchives(THREE, { parts: 3 });
  const partOf = (path: string) => parts.findIndex((part) => part.entries.some((e) => e.path === path));
  const sidecarPart = (f: (typeof THREE.files)[number]) => partOf(`${THREE.root}/${f.folder}/${f.sidecar}`);
  const spanning = THREE.files.filter((f) => f.sidecar && sidecarPart(f) !== partOf(f.path));
  assert.ok(spanning.some((f) => sidecarPart(f) === 0), "a sidecar in the folder, its file in a zip");
  assert.ok(spanning.some((f) => partOf(f.path) === 0), "a file in the folder, its sidecar in a zip");
  const [extracted] = await writeArchives(THREE, join(WORK, "renamed", "folders"), {
    format: "folder",
    parts: 3,
  });
  const renamed = join(WORK, "renamed", "my photos");
  await Deno.rename(extracted, renamed);
  const dir = outDir("renamed");
  const run = await cli(["takeout", `--dir=${dir}`, renamed, zips[1], zips[2]]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(count(run, "unmatched sidecars"), 0, run.stderr);
  // Dated and named alike (which of two same-named files keeps the plain name follows the order of the inputs).
  assert.deepEqual(datesOf(dir), datesOf(reference));
});

Deno.test("a part downloaded again (the browser's `-002 (1).zip`) is that part: imported in a run of its own, it completes the export", async () => {
  const { zips, reference } = await threeParts();
  const again = join(WORK, "again", zips[1].split("/").at(-1)!.replace(/\.zip$/, " (1).zip"));
  await Deno.mkdir(join(WORK, "again"));
  await Deno.copyFile(zips[1], again);
  const dir = outDir("again");
  const first = await cli(["takeout", `--dir=${dir}`, zips[0], zips[2]]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /parts 002 of takeout-\S+ are not imported yet/);
  const second = await cli(["takeout", `--dir=${dir}`, again]);
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /not imported yet/);
  assert.deepEqual(datesOf(dir), datesOf(reference));
});

Deno.test("sync.db lost, the archives imported again: every file is taken back, none placed twice; a changed one is kept", async () => {
  const { zips, reference } = await threeParts();
  const dir = outDir("lost-db");
  await copyBackup(reference, dir);
  const tree = await backupTree(dir);
  const before = rows(dir);
  // The user's edit of one photo (other bytes, at its path) is theirs: kept, the photo placed beside it.
  const edited = before.items.find((row) => /\.jpe?g$/i.test(row.path))!;
  await Deno.writeTextFile(join(dir, edited.path), "an edit of mine");
  for (const name of ["sync.db", "sync.db-wal", "sync.db-shm"]) {
    await Deno.remove(join(dir, name)).catch(() => {});
  }
  // The folder was made with local days (a new folder's default): the rebuild says so, as nothing on disk
  // tells it.
  const again = await cli(["takeout", `--dir=${dir}`, "--folder-days=local", ...zips]);
  assert.equal(again.code, 0, again.stderr);
  const after = rows(dir);
  const moved = after.items.find((row) => row.hash === edited.hash)!;
  assert.notEqual(moved.path, edited.path);
  assert.equal(await Deno.readTextFile(join(dir, edited.path)), "an edit of mine");
  // Every other file where it was, recorded again: no second copy.
  const others = (list: typeof before.items) => list.filter((row) => row.hash !== edited.hash);
  assert.deepEqual(others(after.items), others(before.items));
  const apart = (lines: string[]) =>
    lines.filter((line) => !line.includes(edited.path) && !line.includes(moved.path));
  assert.deepEqual(apart(await backupTree(dir)), apart(tree));
});

// ---------------------------------------------------------------------------------------------------------
// 5. Album links after an interruption

// Also the test of kill -9 during an import in general (it was a test of its own in takeout.test.ts, on a
// fixture like this one): the re-run gives the uninterrupted run's tree and rows, nothing twice.
Deno.test("kill -9 during an import with albums, then a plain re-run: the uninterrupted tree and rows, every album link", async () => {
  const exp = generateTakeout({ seed: 5, count: 24, minSize: 150_000, maxSize: 300_000 });
  const zips = [];
  for (const part of planArchives(exp, { parts: 2 })) {
    zips.push(join(WORK, "albums", part.name));
    await Deno.mkdir(join(WORK, "albums"), { recursive: true });
    // Stored (level 0): the photos do not deflate (zip.js's deflate of their 22 MB cost the test a second).
    await writeZip(zips.at(-1)!, part.entries, { level: 0 });
  }
  const reference = outDir("albums-whole");
  assert.equal((await cli(["takeout", `--dir=${reference}`, ...zips])).code, 0);
  const links = (await backupTree(reference)).filter((line) => line.startsWith("albums/"));
  assert.ok(links.length >= 5, "the export has album members");

  const dir = outDir("albums-killed");
  // Killed once an album member is committed (a copy: it prints no line of its own), at the next file
  // imported: its link would be made at the end.
  const seen = new Set<string>();
  let importedBefore = 0;
  for (const e of planArchives(exp, { parts: 2 }).flatMap((part) => part.entries)) {
    if (e.kind !== "media" || e.file!.trashed) continue;
    if (e.file!.copyOf) break;
    const hash = sha256(e.file!.bytes);
    if (!seen.has(hash)) (seen.add(hash), importedBefore++);
  }
  assert.ok(importedBefore + 1 < expected(exp), "album members before the end");
  const victim = new CliProcess(["takeout", `--dir=${dir}`, ...zips], CLI_OPTIONS);
  await victim.waitForLine((line) => line.startsWith("imported "), importedBefore + 1);
  victim.child.kill("SIGKILL");
  assert.notEqual((await victim.result()).code, 0);
  const killed = rows(dir);
  assert.ok(killed.members.length > 0, "album members recorded before the kill");
  assert.ok(killed.items.length < expected(exp), "killed before the end");

  const rerun = await cli(["takeout", `--dir=${dir}`, ...zips]);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual((await backupTree(dir)).filter((line) => line.startsWith("albums/")), links);
  assert.deepEqual(await backupTree(dir), await backupTree(reference));
  assert.deepEqual(rows(dir), rows(reference), "sync.db's rows: nothing twice, nothing missing");
  assert.equal(rows(dir).items.length, expected(exp));
  // The export as status (and the report) lists it: the files the killed run placed count, as in one run.
  const [killedExport, wholeExport] = [await exportsOf(dir), await exportsOf(reference)];
  assert.deepEqual(killedExport, wholeExport, "the export's parts, entries and files placed");
  assert.equal(killedExport[0].placed, expected(exp));
  assert.equal(
    await Deno.lstat(join(dir, ".photosync-tmp")).then(() => true, () => false),
    false,
    "no temp folder",
  );
});

/** The Takeout exports `status --json` lists for `dir`: their figures, not when they were imported. */
async function exportsOf(
  dir: string,
): Promise<{ date: string; parts: number; placed: number; present: number }[]> {
  const status = await cli(["status", `--dir=${dir}`, "--json"]);
  assert.equal(status.code, 0, status.stderr);
  return (JSON.parse(status.stdout) as {
    exports: { importedMs: number; date: string; parts: number; placed: number; present: number }[];
  })
    .exports.map(({ importedMs: _, ...figures }) => figures);
}

Deno.test("an album whose folder an earlier version named otherwise (a title ending in a C1 control, NEL): after the upgrade its links stay in that one folder, a re-dated member's link moved there, a new member's made there, none dangling", async () => {
  const work = join(WORK, "album-folder-upgrade");
  await Deno.mkdir(work, { recursive: true });
  const metadata = roadTrip.metadata("Road trip\u0085");
  const member = roadTrip.member;
  const baseline = join(work, "takeout-20240101T000000Z-001.zip");
  await hand.writeZip(baseline, [
    metadata,
    ...member("a.jpg", Date.UTC(2023, 0, 5)),
    ...member("b.jpg", Date.UTC(2023, 0, 6)),
  ]);
  // An increment: b.jpg's date corrected in Google Photos, and c.jpg added to the album.
  const increment = join(work, "takeout-20240301T000000Z-001.zip");
  await hand.writeZip(increment, [
    metadata,
    ...member("b.jpg", Date.UTC(2022, 11, 24)),
    ...member("c.jpg", Date.UTC(2023, 0, 7)),
  ]);
  const dir = outDir("album-folder-upgrade");
  const first = await cli(["takeout", `--dir=${dir}`, baseline]);
  assert.equal(first.code, 0, first.stderr);
  // As the version before schema 7 left it: its sanitiser kept the NEL (this one makes it "_"), and sync.db
  // recorded no album's folder.
  await Deno.rename(join(dir, "albums/Road trip_"), join(dir, "albums/Road trip\u0085"));
  {
    using db = new DatabaseSync(join(dir, "sync.db"));
    const added = db.prepare(
      "SELECT name FROM pragma_table_info('albums') WHERE name IN ('folder', 'earlier')",
    );
    for (const { name } of added.all()) db.exec(`ALTER TABLE albums DROP COLUMN ${name}`);
    db.exec("DROP INDEX IF EXISTS item_albums_album; PRAGMA user_version = 6");
  }

  const upgraded = await cli(["takeout", `--dir=${dir}`, increment]);
  assert.equal(upgraded.code, 0, upgraded.stderr);
  assert.deepEqual([...Deno.readDirSync(join(dir, "albums"))].map((entry) => entry.name), [
    "Road trip\u0085",
  ]);
  const folder = join(dir, "albums/Road trip\u0085");
  const links = [...Deno.readDirSync(folder)].map((entry) => entry.name).sort();
  assert.deepEqual(links, ["a.jpg", "b.jpg", "c.jpg"]);
  for (const link of links) {
    assert.deepEqual(await Deno.readFile(join(folder, link)), roadTrip.photo(link), link);
  }
  assert.equal(Deno.readLinkSync(join(folder, "b.jpg")), "../../2022/12/24/b.jpg");
  {
    using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
    assert.deepEqual(db.prepare("SELECT folder FROM albums").all().map((row) => row.folder), [
      "Road trip\u0085",
    ]);
  }
});

Deno.test("album links made as hard links (Deno granted write access to the backup's folder only: no symbolic links) are found made by the next import: one per member, none tagged, none listed new again (an earlier version's second link removed); a re-dated member's link follows its file", async () => {
  const work = join(WORK, "hard-links");
  const exports = join(work, "exports");
  await Deno.mkdir(exports, { recursive: true });
  const metadata = roadTrip.metadata();
  const member = roadTrip.member;
  const dir = outDir("hard-links");
  let runs = 0;
  /** An import of the exports in `exports` by a run granted write access to `dir` and `work` only. */
  const run = async () => {
    const list = join(work, `new-files-${++runs}.txt`);
    await importWithoutSymlinks([`--dir=${dir}`, `--from=${exports}`, `--new-files=${list}`], [dir, work]);
    return (await Deno.readTextFile(list)).split("\n").filter((path) => path.startsWith("albums/"));
  };
  const folder = join(dir, "albums/Road trip");
  const inAlbum = () => [...Deno.readDirSync(folder)].map((entry) => entry.name).sort();
  /** Whether the album's entry `name` is a hard link to the file at `path`. */
  const hardLinked = (name: string, path: string) => isHardLinkOf(join(folder, name), join(dir, path));

  await hand.writeZip(join(exports, "takeout-20240101T000000Z-001.zip"), [
    metadata,
    ...member("a.jpg", Date.UTC(2023, 0, 5)),
    ...member("b.jpg", Date.UTC(2023, 0, 6)),
  ]);
  assert.deepEqual(await run(), ["albums/Road trip/a.jpg", "albums/Road trip/b.jpg"]);
  assert.deepEqual(inAlbum(), ["a.jpg", "b.jpg"]);
  assert.ok(hardLinked("a.jpg", "2023/01/05/a.jpg") && hardLinked("b.jpg", "2023/01/06/b.jpg"));

  // As the version before this one left a second import: a second link to a.jpg's file, under its tagged name.
  {
    using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
    const { id } = db.prepare("SELECT id FROM items WHERE path = '2023/01/05/a.jpg'").get() as { id: string };
    Deno.linkSync(join(dir, "2023/01/05/a.jpg"), join(folder, `a (${idTag(id)}).jpg`));
  }

  // An increment: b.jpg's date corrected in Google Photos, and c.jpg added to the album. Its import makes
  // every member's link, finding a.jpg's made (and removing the second).
  await hand.writeZip(join(exports, "takeout-20240301T000000Z-001.zip"), [
    metadata,
    ...member("b.jpg", Date.UTC(2022, 11, 24)),
    ...member("c.jpg", Date.UTC(2023, 0, 7)),
  ]);
  assert.deepEqual(await run(), ["albums/Road trip/b.jpg", "albums/Road trip/c.jpg"]);
  assert.deepEqual(inAlbum(), ["a.jpg", "b.jpg", "c.jpg"]);
  for (const [name, day] of [["a.jpg", "2023/01/05"], ["b.jpg", "2022/12/24"], ["c.jpg", "2023/01/07"]]) {
    assert.ok(hardLinked(name, `${day}/${name}`), name);
  }
  assert.equal(await Deno.lstat(join(dir, "2023/01/06/b.jpg")).catch(() => undefined), undefined);
});

Deno.test("album links made as hard links, after a file is placed again (changed bytes moved aside by verify --repair, or the file deleted, then restored by the archives): the album links the file now under its own name, no second link, the changed bytes kept aside", async () => {
  const work = join(WORK, "hard-links-restored");
  await Deno.mkdir(work, { recursive: true });
  const zip = join(work, "takeout-20240101T000000Z-001.zip");
  await hand.writeZip(zip, [
    roadTrip.metadata(),
    ...["a.jpg", "b.jpg"].flatMap((name, at) => roadTrip.member(name, Date.UTC(2023, 0, 5 + at))),
  ]);
  const dir = outDir("hard-links-restored");
  const [a, b] = ["2023/01/05/a.jpg", "2023/01/06/b.jpg"];
  const run = () => importWithoutSymlinks([`--dir=${dir}`, zip], [dir, work]);
  const folder = join(dir, "albums/Road trip");
  const hardLinked = (name: string, path: string) => isHardLinkOf(join(folder, name), join(dir, path));
  await run();
  assert.ok(hardLinked("a.jpg", a) && hardLinked("b.jpg", b));

  // a.jpg changed in place (its album link is the same file: changed with it), kept aside by verify --repair;
  // b.jpg deleted (its album link keeps the old copy). The archives put both back.
  const changed = bytes("\xff\xd8 a.jpg, edited \xff\xd9");
  await Deno.writeFile(join(dir, a), changed);
  await Deno.remove(join(dir, b));
  const repair = await cli(["verify", `--dir=${dir}`, "--repair"]);
  assert.equal(repair.code, 3, repair.stderr);
  const aside = new RegExp(`(\\.photosync-changed/[^ ]+/${RegExp.escape(a)})`).exec(repair.stderr);
  assert.ok(aside, repair.stderr);
  await run();
  assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name).sort(), ["a.jpg", "b.jpg"]);
  assert.ok(hardLinked("a.jpg", a) && hardLinked("b.jpg", b));
  assert.deepEqual(await Deno.readFile(join(folder, "a.jpg")), roadTrip.photo("a.jpg"));
  assert.deepEqual(await Deno.readFile(join(dir, aside[1])), changed);
  // And the next run finds them made.
  await run();
  assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name).sort(), ["a.jpg", "b.jpg"]);
});

Deno.test("album links made as hard links, while a member's file is not here (moved aside by verify --repair, or deleted) and the import does not restore it: the import exits 0, its new member linked, the old links kept; the archives that restore the files link them again", async () => {
  const work = join(WORK, "hard-links-missing");
  await Deno.mkdir(work, { recursive: true });
  const members = (names: string[], day: number): [string, Uint8Array][] => [
    roadTrip.metadata(),
    ...names.flatMap((name, at) => roadTrip.member(name, Date.UTC(2023, 0, day + at))),
  ];
  const [baseline, increment] = ["20240101", "20240301"].map((day) =>
    join(work, `takeout-${day}T000000Z-001.zip`)
  );
  await hand.writeZip(baseline, members(["a.jpg", "b.jpg"], 5));
  await hand.writeZip(increment, members(["c.jpg"], 7));
  const dir = outDir("hard-links-missing");
  const [a, b, c] = ["2023/01/05/a.jpg", "2023/01/06/b.jpg", "2023/01/07/c.jpg"];
  const run = (zip: string) => importWithoutSymlinks([`--dir=${dir}`, zip], [dir, work]);
  const folder = join(dir, "albums/Road trip");
  const hardLinked = (name: string, path: string) => isHardLinkOf(join(folder, name), join(dir, path));
  await run(baseline);

  // a.jpg changed in place (its album link with it) and kept aside by verify --repair; b.jpg deleted.
  const changed = bytes("\xff\xd8 a.jpg, edited \xff\xd9");
  await Deno.writeFile(join(dir, a), changed);
  await Deno.remove(join(dir, b));
  const repair = await cli(["verify", `--dir=${dir}`, "--repair"]);
  assert.equal(repair.code, 3, repair.stderr);

  // The increment brings c.jpg only: a's and b's links stay as they are, the copies they hold.
  await run(increment);
  assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name).sort(), [
    "a.jpg",
    "b.jpg",
    "c.jpg",
  ]);
  assert.ok(hardLinked("c.jpg", c));
  assert.deepEqual(await Deno.readFile(join(folder, "a.jpg")), changed);
  assert.deepEqual(await Deno.readFile(join(folder, "b.jpg")), roadTrip.photo("b.jpg"));

  await run(baseline);
  assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name).sort(), [
    "a.jpg",
    "b.jpg",
    "c.jpg",
  ]);
  assert.ok(hardLinked("a.jpg", a) && hardLinked("b.jpg", b));
});

Deno.test("album links made as hard links, of photos a later part puts in the trash after their files were replaced (changed bytes moved aside by verify --repair) or deleted: a link to the copy kept aside goes with the photo; one holding the only copy of its bytes stays, said in one line", async () => {
  const work = join(WORK, "hard-links-trashed");
  await Deno.mkdir(work, { recursive: true });
  const album = roadTrip.folder;
  const [part1, part2] = [1, 2].map((n) => join(work, `takeout-20240101T000000Z-00${n}.zip`));
  // Part 1: the album, its photos without their sidecars; part 2: the sidecars, saying they are in the trash.
  await hand.writeZip(part1, [
    roadTrip.metadata(),
    ...["a.jpg", "b.jpg"].map((name): [string, Uint8Array] => [`${album}/${name}`, roadTrip.photo(name)]),
  ]);
  await hand.writeZip(
    part2,
    ["a.jpg", "b.jpg"].map((name): [string, Uint8Array] => [
      `${album}/${name}.supplemental-metadata.json`,
      bytes(JSON.stringify({ ...JSON.parse(sidecar(name, Date.UTC(2023, 0, 5))), trashed: true })),
    ]),
  );
  const dir = outDir("hard-links-trashed");
  const run = (zip: string) => importWithoutSymlinks([`--dir=${dir}`, zip], [dir, work]);
  const folder = join(dir, "albums/Road trip");
  await run(part1);
  assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name).sort(), ["a.jpg", "b.jpg"]);
  const paths = Object.fromEntries(rows(dir).items.map(({ filename, path }) => [filename, path as string]));

  // a.jpg changed in place (its album link is the same file: changed with it), kept aside by verify --repair;
  // b.jpg deleted (its album link holds the only copy).
  const changed = bytes("\xff\xd8 a.jpg, edited \xff\xd9");
  await Deno.writeFile(join(dir, paths["a.jpg"]), changed);
  await Deno.remove(join(dir, paths["b.jpg"]));
  const repair = await cli(["verify", `--dir=${dir}`, "--repair"]);
  assert.equal(repair.code, 3, repair.stderr);
  const aside = new RegExp(`(\\.photosync-changed/[^ ]+/${RegExp.escape(paths["a.jpg"])})`).exec(
    repair.stderr,
  );
  assert.ok(aside, repair.stderr);

  const trashed = await run(part2);
  assert.deepEqual(rows(dir).items, [], "neither is in sync.db");
  assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name), ["b.jpg"]);
  assert.deepEqual(await Deno.readFile(join(folder, "b.jpg")), roadTrip.photo("b.jpg"));
  assert.deepEqual(await Deno.readFile(join(dir, aside[1])), changed);
  assert.deepEqual(trashed.stderr.split("\n").filter((line) => line.includes("albums/")), [
    `warning: kept albums/Road trip/b.jpg: not a link to ${
      paths["b.jpg"]
    } as it is now (an older copy of it, ` +
    "or a file of yours), and its photo left the backup; delete it yourself if you do not want it in the album",
  ]);
});

Deno.test("two albums whose titles are made one folder name (Trip: 2024 and Trip? 2024) each get a folder of their own, the second tagged by the album's id and recorded in sync.db: a member of one is never in the other's, a photo in both is in both, and a later import keeps each folder", async () => {
  const work = join(WORK, "one-folder-name");
  await Deno.mkdir(work, { recursive: true });
  const photo = (name: string) => bytes(`\xff\xd8 ${name} of a trip \xff\xd9`);
  /** Album folder `folder` of the export (titled `title`), with `names` in it. */
  const album = (folder: string, title: string, names: string[]): [string, Uint8Array][] => [
    [`Takeout/Google Photos/${folder}/metadata.json`, bytes(JSON.stringify({ title }))],
    ...names.flatMap((name, at): [string, Uint8Array][] => [
      [`Takeout/Google Photos/${folder}/${name}`, photo(name)],
      [
        `Takeout/Google Photos/${folder}/${name}.supplemental-metadata.json`,
        bytes(sidecar(name, Date.UTC(2024, 4, 1 + at))),
      ],
    ]),
  ];
  const baseline = join(work, "takeout-20240601T000000Z-001.zip");
  // Takeout names the folders apart; their titles are made one name (the sanitiser replaces ":" and "?").
  await hand.writeZip(baseline, [
    ...album("Trip_ 2024", "Trip: 2024", ["a.jpg", "both.jpg"]),
    ...album("Trip_ 2024(1)", "Trip? 2024", ["b.jpg", "both.jpg"]),
  ]);
  const increment = join(work, "takeout-20240701T000000Z-001.zip");
  await hand.writeZip(increment, [
    ...album("Trip_ 2024(1)", "Trip? 2024", ["c.jpg"]),
  ]);
  const dir = outDir("one-folder-name");
  const folders = () => {
    using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
    return db.prepare("SELECT title, folder FROM albums ORDER BY title").all().map((
      row,
    ) => [row.title, row.folder]);
  };
  const inAlbum = (folder: string) =>
    [...Deno.readDirSync(join(dir, "albums", folder))].map((entry) => entry.name).sort();

  const first = await cli(["takeout", `--dir=${dir}`, baseline]);
  assert.equal(first.code, 0, first.stderr);
  // The second looked up (the albums are linked in the order of their titles) is tagged by its album's id.
  const second = (() => {
    using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
    const { id } = db.prepare("SELECT id FROM albums WHERE title = 'Trip? 2024'").get() as { id: string };
    return `Trip_ 2024 (${idTag(id)})`;
  })();
  assert.deepEqual(folders(), [["Trip: 2024", "Trip_ 2024"], ["Trip? 2024", second]]);
  assert.deepEqual([...Deno.readDirSync(join(dir, "albums"))].map((entry) => entry.name).sort(), [
    "Trip_ 2024",
    second,
  ]);
  assert.deepEqual(inAlbum("Trip_ 2024"), ["a.jpg", "both.jpg"]);
  assert.deepEqual(inAlbum(second), ["b.jpg", "both.jpg"]);
  assert.deepEqual(await Deno.readFile(join(dir, "albums", second, "b.jpg")), photo("b.jpg"));

  const later = await cli(["takeout", `--dir=${dir}`, increment]);
  assert.equal(later.code, 0, later.stderr);
  assert.deepEqual(folders(), [["Trip: 2024", "Trip_ 2024"], ["Trip? 2024", second]]);
  assert.deepEqual(inAlbum("Trip_ 2024"), ["a.jpg", "both.jpg"]);
  assert.deepEqual(inAlbum(second), ["b.jpg", "both.jpg", "c.jpg"]);
});

/** The number of items an import of `exp` stores: one per content, the trash left out. */
function expected(exp: TakeoutExport): number {
  return new Set(exp.files.filter((f) => !f.trashed).map((f) => sha256(f.bytes))).size;
}

// ---------------------------------------------------------------------------------------------------------
// 6. A lost file comes back

Deno.test("a file deleted or changed after the import: status notes it, a re-run with the archives restores it, keeping the changed bytes aside", async () => {
  // The shared import of the three zips, in a copy.
  const { zips, reference } = await threeParts();
  const dir = outDir("lost");
  await copyBackup(reference, dir);
  const before = await backupTree(dir);
  const { items } = rows(dir);
  const [gone, changed] = [items[0], items[1]];
  await Deno.remove(join(dir, gone.path));
  await Deno.writeTextFile(join(dir, changed.path), "edited by someone else, and shorter");

  const status = await cli(["status", `--dir=${dir}`, "--json"]);
  assert.equal(status.code, 0, status.stderr);
  const missing = (JSON.parse(status.stdout) as StatusJson).missing;
  assert.deepEqual(missing.map((m) => m.path).sort(), [gone.path, changed.path].sort());
  const text = await cli(["status", `--dir=${dir}`]);
  assert.match(text.stdout, /^missing: +2 /m);
  assert.ok(text.stdout.includes(`  missing ${gone.path} (`), text.stdout);

  const rerun = await cli(["takeout", `--dir=${dir}`, ...zips]);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, /2 missing or changed files restored/);
  assertAccounted(rerun);
  const restored = (await reportOf(rerun)).rows.filter((row) => row[2] === "imported");
  assert.deepEqual(
    restored.map((row) => row[6].split("; ")[0]).sort(),
    [`restored ${gone.path}`, `restored ${changed.path}`].sort(),
  );
  // (Names may hold spaces: the aside path runs to the bracket that follows it.)
  const aside = new RegExp(
    `^warning: moved aside ${RegExp.escape(changed.path)} -> (\\.photosync-changed/.+) \\(not as photosync`,
    "m",
  )
    .exec(rerun.stderr);
  assert.ok(aside, rerun.stderr);
  assert.equal(await Deno.readTextFile(join(dir, aside[1])), "edited by someone else, and shorter");
  await Deno.remove(join(dir, ".photosync-changed"), { recursive: true });
  assert.deepEqual(await backupTree(dir), before, "the tree as imported");
  assert.deepEqual(rows(dir).items, items);
  const after = await cli(["status", `--dir=${dir}`, "--json"]);
  assert.deepEqual(JSON.parse(after.stdout).missing, []);
});

Deno.test("a later part's sidecar saying trashed removes the file as placed, never one the user edited since (same size)", async () => {
  const work = join(WORK, "trash-edited");
  await Deno.mkdir(work, { recursive: true });
  const folder = "Takeout/Google Photos/Photos from 2023";
  const photo = (name: string) => bytes(`\xff\xd8 ${name}: a photo of its own \xff\xd9`);
  const trashed = (name: string) =>
    bytes(JSON.stringify({ title: name, trashed: true, photoTakenTime: { timestamp: "1672912210" } }));
  const [part1, part2] = [1, 2].map((n) => join(work, `takeout-20251110T101010Z-00${n}.zip`));
  // Part 1: two photos without their sidecars; part 2: both sidecars, in the trash.
  await hand.writeZip(part1, [[`${folder}/edited.jpg`, photo("edited")], [
    `${folder}/as-placed.jpg`,
    photo("as-placed"),
  ]]);
  await hand.writeZip(part2, [
    [`${folder}/edited.jpg.supplemental-metadata.json`, trashed("edited.jpg")],
    [`${folder}/as-placed.jpg.supplemental-metadata.json`, trashed("as-placed.jpg")],
  ]);
  const dir = outDir("trash-edited");
  const first = await cli(["takeout", `--dir=${dir}`, part1]);
  assert.equal(first.code, 0, first.stderr);
  const paths = Object.fromEntries(rows(dir).items.map(({ filename, path }) => [filename, path as string]));
  // The user's edit keeps the size (an EXIF orientation flip does): only its bytes tell.
  const edit = photo("edited").map((byte, i) => i === 5 ? byte ^ 0x55 : byte);
  await Deno.writeFile(join(dir, paths["edited.jpg"]), edit);

  const second = await cli(["takeout", `--dir=${dir}`, part2]);
  assert.equal(second.code, 0, second.stderr);
  // Said as what happened: one removed, one kept (the summary never counts a kept file as removed).
  assert.match(
    second.stderr,
    /^ {2}0 missing or changed files restored, 0 files re-dated by a sidecar found now, 1 file removed as trash, 1 trashed file kept, changed since placed \(out of sync\.db\)$/m,
  );
  assert.match(
    second.stderr,
    new RegExp(
      `^warning: kept ${paths["edited.jpg"]}: its photo is in Google Photos' trash, but the file changed`,
      "m",
    ),
  );
  assert.deepEqual(await Deno.readFile(join(dir, paths["edited.jpg"])), edit, "the edit stays where it was");
  assert.equal(await Deno.lstat(join(dir, paths["as-placed.jpg"])).catch(() => undefined), undefined);
  assert.deepEqual(rows(dir).items, [], "neither is in sync.db");
});

Deno.test("sync --resync leaves an imported file it cannot download as it was: status names it, takeout restores it", async () => {
  // The shared import of the three zips, in a copy, is the folder a sync then runs in.
  const { zips, reference } = await threeParts();
  await using env = await TestEnv.start();
  await copyBackup(reference, env.dir);
  const [lost] = rows(env.dir).items;
  await Deno.remove(join(env.dir, lost.path));
  const resync = await env.run(["--resync"], { auth: "browser" });
  assert.equal(resync.code, 0, resync.stderr);
  const status = await env.status();
  assert.equal(status.pending, 0, "not queued: no sync could ever download it");
  assert.deepEqual(status.missing.map((m) => m.path), [lost.path]);
  assert.equal((await env.cli(["takeout", `--dir=${env.dir}`, ...zips])).code, 0);
  assert.equal(sha256(await Deno.readFile(join(env.dir, lost.path))), lost.hash);
  assert.deepEqual((await env.status()).missing, []);
});

Deno.test("a photo a sync and a Takeout album both hold: one file with its album link, in either order; a date corrected in Google Photos moves it, link and all", async () => {
  const photo = fixtureItem("AF1QipSharedAlbum00000001", "Same.jpg", "2021-03-04T10:00:00Z");
  /** The export: the photo in its year folder and in the album "Trip 2021", with sidecars. */
  const exportOf = async (root: string) => {
    const photos = join(root, "export", "Takeout", "Google Photos");
    for (const folder of ["Photos from 2021", "Trip"]) {
      await Deno.mkdir(join(photos, folder), { recursive: true });
      await Deno.writeFile(join(photos, folder, "Same.jpg"), mediaBytes(photo));
      await Deno.writeTextFile(
        join(photos, folder, "Same.jpg.json"),
        JSON.stringify({
          title: "Same.jpg",
          description: "at the lake",
          favorited: true,
          photoTakenTime: { timestamp: String(Date.parse(photo.creationTime) / 1000) },
        }),
      );
    }
    await Deno.writeTextFile(join(photos, "Trip", "metadata.json"), JSON.stringify({ title: "Trip 2021" }));
    return join(root, "export");
  };
  const link = "albums/Trip 2021/Same.jpg";
  for (const takeoutFirst of [true, false]) {
    await using env = await TestEnv.start({ items: [photo] });
    const folder = await exportOf(env.root);
    const takeout = () => env.cli(["takeout", `--dir=${env.dir}`, folder]);
    const first = takeoutFirst ? await takeout() : await env.run([], { auth: "browser" });
    assert.equal(first.code, 0, first.stderr);
    const second = takeoutFirst ? await env.run([], { auth: "browser" }) : await takeout();
    assert.equal(second.code, 0, second.stderr);
    const photos = (await listFiles(env.dir)).filter((path) =>
      path.endsWith(".jpg") && !path.startsWith("albums/")
    );
    assert.deepEqual(
      photos,
      ["2021/03/04/Same.jpg"],
      `one file (${takeoutFirst ? "takeout" : "sync"} first)`,
    );
    assert.deepEqual(await Deno.readFile(join(env.dir, link)), mediaBytes(photo), "the album link");
    // Corrected to 2019 in Google Photos: the one file moves, its album link follows. (The same run writes
    // the XMP sidecars, checked below at the new day.)
    env.emulator.items.set(photo.id, { ...photo, creationTime: "2019-09-09T12:00:00Z" });
    const corrected = await env.run(["--all", "--xmp"]);
    assert.equal(corrected.code, 0, corrected.stderr);
    const after = (await listFiles(env.dir)).filter((path) =>
      path.endsWith(".jpg") && !path.startsWith("albums/")
    );
    assert.deepEqual(after, ["2019/09/09/Same.jpg"], corrected.stderr);
    assert.equal(Deno.readLinkSync(join(env.dir, link)), "../../2019/09/09/Same.jpg");
    // Its XMP sidecar says what both items know: the album, the favourite and the description.
    const text = await Deno.readTextFile(join(env.dir, "2019/09/09/Same.jpg.xmp"));
    for (const said of ["Albums|Trip 2021", 'xmp:Rating="5"', "at the lake"]) {
      assert.ok(text.includes(said), said);
    }
    const verified = await env.cli(["verify", `--dir=${env.dir}`]);
    assert.equal(verified.code, 0, verified.stderr);
  }
});

/** Where the --files-elsewhere tests' export keeps its photo. */
const ELSEWHERE_FOLDER = "Takeout/Google Photos/Photos from 2023";

/**
 * A CI job's folder (`--files-elsewhere`: each run's files are stored elsewhere, the folder keeps only sync.db)
 * after importing part 1 of an export (a photo, no sidecar), and after part 2 too (the photo's sidecar, which
 * dates it 2023-01-05): made once, for the tests below that go on from either, each in a copy
 * ({@link copyBackup}). `first`: the photo's row after part 1; `sidecar`: the run of part 2.
 */
let elsewhereRuns:
  | Promise<{
    part1: string;
    part2: string;
    photo: Uint8Array;
    first: ReturnType<typeof rows>["items"][number];
    afterPart1: string;
    sidecar: CliResult;
    afterPart2: string;
  }>
  | undefined;
function elsewhereStart() {
  return elsewhereRuns ??= (async () => {
    const work = join(WORK, "elsewhere-parts");
    await Deno.mkdir(work, { recursive: true });
    const photo = bytes("\xff\xd8 a photo stored elsewhere, its sidecar in the other part \xff\xd9");
    const [part1, part2] = [1, 2].map((n) => join(work, `takeout-20251110T101010Z-00${n}.zip`));
    await hand.writeZip(part1, [[`${ELSEWHERE_FOLDER}/a.jpg`, photo]]);
    await hand.writeZip(part2, [[
      `${ELSEWHERE_FOLDER}/a.jpg.supplemental-metadata.json`,
      bytes(JSON.stringify({ title: "a.jpg", photoTakenTime: { timestamp: "1672912210" } })),
    ]]);
    const afterPart1 = outDir("elsewhere-part-1");
    const imported = await cli(["takeout", `--dir=${afterPart1}`, "--files-elsewhere", part1]);
    assert.equal(imported.code, 0, imported.stderr);
    const [first] = rows(afterPart1).items;
    await keepOnlySyncDb(afterPart1);
    const afterPart2 = outDir("elsewhere-part-2");
    await copyBackup(afterPart1, afterPart2);
    const sidecar = await cli(["takeout", `--dir=${afterPart2}`, "--files-elsewhere", part2]);
    await keepOnlySyncDb(afterPart2);
    return { part1, part2, photo, first, afterPart1, sidecar, afterPart2 };
  })();
}

Deno.test("--files-elsewhere: a later part's sidecar re-dates a file an earlier run placed and stored: said to stay at its old day until its part is read again, which places it at its day as in a folder that holds it", async () => {
  const { part1, part2, photo, first, sidecar, afterPart2 } = await elsewhereStart();
  const holds = outDir("holds");
  for (const part of [part1, part2]) assert.equal((await cli(["takeout", `--dir=${holds}`, part])).code, 0);
  const [expected] = rows(holds).items;
  assert.equal(expected.path, "2023/01/05/a.jpg");

  // A CI job's folder: each run's files are stored elsewhere, the folder keeps only sync.db. (Its runs of part 1
  // and part 2 are the shared ones: this test goes on in a copy.)
  const dir = outDir("elsewhere");
  await copyBackup(afterPart2, dir);
  const elsewhere = (part: string) => cli(["takeout", `--dir=${dir}`, "--files-elsewhere", part]);
  assert.equal(first.path, "2024/01/01/a.jpg", "dated by its entry time for now");
  assert.equal(sidecar.code, 0, sidecar.stderr);
  // Its bytes are in part 1: the file stored at its old day cannot move; sync.db says where it is, and the run
  // says what to do.
  assert.match(
    sidecar.stderr,
    /^warning: 1 file stored elsewhere \(--files-elsewhere, e\.g\. 2024\/01\/01\/a\.jpg\) has a corrected date but stays at the old day until its part is read again, which places it at the new day: takeout-20251110T101010Z-001\.zip /m,
  );
  assert.deepEqual(rows(dir).items.map((row) => [row.path, row.created_ms]), [[
    "2024/01/01/a.jpg",
    1672912210000,
  ]]);
  await keepOnlySyncDb(dir);
  const again = await elsewhere(part1);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /^placed 2023\/01\/05\/a\.jpg again: a later export corrected its date/m);
  assert.doesNotMatch(again.stderr, /stays at the old day/);
  assert.deepEqual(rows(dir).items, rows(holds).items, "sync.db as in a folder that holds the file");
  assert.deepEqual(await Deno.readFile(join(dir, expected.path)), photo);
  assert.equal((await Deno.stat(join(dir, expected.path))).mtime?.getTime(), 1672912210000);
  // Done: read again, nothing more is placed.
  await keepOnlySyncDb(dir);
  const done = await elsewhere(part1);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stderr, / 0 imported /);
  assert.deepEqual(rows(dir).items, rows(holds).items);
});

/** What a CI job's folder keeps between runs (`--files-elsewhere`): each run's files are stored elsewhere. */
Deno.test("--files-elsewhere: a later part's sidecar that corrects a stored file's time within its day: said; its part read again places it at its path with the new time, to store over the copy, never \"delete\"", async () => {
  const work = join(WORK, "elsewhere-same-day");
  await Deno.mkdir(work, { recursive: true });
  // Part 1 imported (the shared run: this test goes on in a copy); its part 2 here is a sidecar of its own.
  const { part1, first, afterPart1 } = await elsewhereStart();
  const part2 = join(work, "takeout-20251110T101010Z-002.zip");
  const dir = outDir("elsewhere-same-day");
  await copyBackup(afterPart1, dir);
  const elsewhere = (part: string) => cli(["takeout", `--dir=${dir}`, "--files-elsewhere", part]);
  assert.equal(first.path, "2024/01/01/a.jpg", "dated by its entry time");
  const later = first.created_ms + 3600_000;
  await hand.writeZip(part2, [[
    `${ELSEWHERE_FOLDER}/a.jpg.supplemental-metadata.json`,
    bytes(JSON.stringify({ title: "a.jpg", photoTakenTime: { timestamp: String(later / 1000) } })),
  ]]);
  await keepOnlySyncDb(dir);
  const sidecar = await elsewhere(part2);
  assert.equal(sidecar.code, 0, sidecar.stderr);
  assert.doesNotMatch(sidecar.stderr, /stays at the old day|out of date|delete/);
  assert.match(
    sidecar.stderr,
    /^warning: 1 file stored elsewhere \(--files-elsewhere, e\.g\. 2024\/01\/01\/a\.jpg\) has a time corrected within its day; the stored copy keeps the old file time until its part is read again, which places it again to store over it: takeout-20251110T101010Z-001\.zip /m,
  );
  assert.deepEqual(rows(dir).items.map((row) => [row.path, row.created_ms]), [["2024/01/01/a.jpg", later]]);
  // Its part read again: placed at the same path with the new time, to store over the copy there.
  await keepOnlySyncDb(dir);
  const again = await elsewhere(part1);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /delete|has a time corrected/);
  assert.match(
    again.stderr,
    /^placed 2024\/01\/01\/a\.jpg again: a later export corrected its time; store it over the copy stored elsewhere at that path/m,
  );
  assert.deepEqual(
    (await listFiles(dir)).filter((path) => !path.startsWith("takeout-report-")),
    ["2024/01/01/a.jpg"],
  );
  assert.equal((await Deno.stat(join(dir, "2024/01/01/a.jpg"))).mtime?.getTime(), later);
  assert.deepEqual(rows(dir).items.map((row) => [row.path, row.created_ms]), [["2024/01/01/a.jpg", later]]);
});

Deno.test("--files-elsewhere: a later export re-sending a stored photo with its time corrected within its day places it again at its path with the new time, listed, to store over the old copy; status there says it is missing only without --files-elsewhere", async () => {
  const work = join(WORK, "elsewhere-retimed");
  await Deno.mkdir(work, { recursive: true });
  const folder = "Takeout/Google Photos/Photos from 2023";
  const photo = bytes("\xff\xd8 a photo re-sent with its time an hour on \xff\xd9");
  const baseline = join(work, "takeout-20251110T101010Z-001.zip");
  const increment = join(work, "takeout-20260110T101010Z-001.zip");
  await hand.writeZip(baseline, [[`${folder}/a.jpg`, photo]]);
  const dir = outDir("elsewhere-retimed");
  const list = join(work, "new-files.txt");
  const run = () =>
    cli(["takeout", "--files-elsewhere", `--dir=${dir}`, `--from=${work}`, `--new-files=${list}`]);
  assert.equal((await run()).code, 0);
  const [first] = rows(dir).items;
  assert.equal(first.path, "2024/01/01/a.jpg", "dated by its entry time");
  const later = first.created_ms + 3600_000;
  await hand.writeZip(increment, [
    [`${folder}/a.jpg`, photo],
    [
      `${folder}/a.jpg.supplemental-metadata.json`,
      bytes(JSON.stringify({ title: "a.jpg", photoTakenTime: { timestamp: String(later / 1000) } })),
    ],
  ]);
  await keepOnlySyncDb(dir);
  const resent = await run();
  assert.equal(resent.code, 0, resent.stderr);
  assert.match(
    resent.stderr,
    /^placed 2024\/01\/01\/a\.jpg again: a later export corrected its time; store it over the copy stored elsewhere at that path/m,
  );
  assert.doesNotMatch(resent.stderr, /out of date \(delete|delete it there/);
  assert.equal((await Deno.readTextFile(list)).trim(), "2024/01/01/a.jpg");
  assert.equal((await Deno.stat(join(dir, "2024/01/01/a.jpg"))).mtime?.getTime(), later);
  assert.deepEqual(rows(dir).items.map((row) => [row.path, row.created_ms]), [["2024/01/01/a.jpg", later]]);
  // status in such a folder, its file stored elsewhere: missing but for --files-elsewhere, which the line names.
  await keepOnlySyncDb(dir);
  const status = await cli(["status", `--dir=${dir}`]);
  assert.match(
    status.stdout,
    new RegExp(
      `^missing: +1 downloaded but gone .*; a folder whose files are stored elsewhere: photosync status --dir ${dir} --files-elsewhere$`,
      "m",
    ),
  );
  const elsewhereStatus = await cli(["status", `--dir=${dir}`, "--files-elsewhere"]);
  assert.equal(elsewhereStatus.code, 0, elsewhereStatus.stderr);
  assert.doesNotMatch(elsewhereStatus.stdout, /missing/);
  assert.match(elsewhereStatus.stdout, /^downloaded: +1/m);
});

Deno.test("--files-elsewhere: a later part's sidecar for a stored file with a tagged name (two a.jpg on one day) that keeps its day keeps its path: no copy is called out of date", async () => {
  const work = join(WORK, "elsewhere-tagged");
  await Deno.mkdir(work, { recursive: true });
  const [part1, part2] = [1, 2].map((n) => join(work, `takeout-20251110T101010Z-00${n}.zip`));
  const [first, second] = [bytes("\xff\xd8 first a.jpg \xff\xd9"), bytes("\xff\xd8 second a.jpg \xff\xd9")];
  await hand.writeZip(part1, [
    ["Takeout/Google Photos/Photos from 2023/a.jpg", first],
    ["Takeout/Google Photos/Photos from 2022/a.jpg", second],
  ]);
  const dir = outDir("elsewhere-tagged");
  const elsewhere = (part: string) => cli(["takeout", `--dir=${dir}`, "--files-elsewhere", part]);
  assert.equal((await elsewhere(part1)).code, 0);
  const tagged = rows(dir).items.find((row) => row.path.includes(" ("))!;
  assert.match(tagged.path, /^2024\/01\/01\/a \([0-9a-f]{8}\)\.jpg$/, "the second of its name that day");
  const year = tagged.hash === sha256(first) ? 2023 : 2022;
  // Its sidecar, in a later part, dates it an hour later: the same day.
  const later = tagged.created_ms + 3600_000;
  await hand.writeZip(part2, [[
    `Takeout/Google Photos/Photos from ${year}/a.jpg.supplemental-metadata.json`,
    bytes(JSON.stringify({ title: "a.jpg", photoTakenTime: { timestamp: String(later / 1000) } })),
  ]]);
  await keepOnlySyncDb(dir);
  const sidecar = await elsewhere(part2);
  assert.equal(sidecar.code, 0, sidecar.stderr);
  assert.doesNotMatch(sidecar.stderr, /stays at the old day|out of date|delete/);
  await keepOnlySyncDb(dir);
  const again = await elsewhere(part1);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /out of date \(delete|delete it there/);
  assert.match(
    again.stderr,
    new RegExp(
      `^placed ${
        tagged.path.replace(/[()./]/g, "\\$&")
      } again: a later export corrected its time; store it over`,
      "m",
    ),
  );
  assert.deepEqual(
    rows(dir).items.find((row) => row.hash === tagged.hash)!.path,
    tagged.path,
    "recorded where it is stored",
  );
});

Deno.test("--files-elsewhere: a run stopped between claiming a stored file's new day and placing it there (a link in the way) leaves the next run naming the copy stored at the old day as the one out of date, not the new path", async () => {
  const work = join(WORK, "elsewhere-stopped-refile");
  await Deno.mkdir(work, { recursive: true });
  // Part 1 imported, then part 2's sidecar re-dating its photo (the shared runs: this test goes on in a copy).
  const { part1, photo, first, sidecar, afterPart2 } = await elsewhereStart();
  const dir = outDir("elsewhere-stopped-refile");
  await copyBackup(afterPart2, dir);
  const elsewhere = (part: string) => cli(["takeout", `--dir=${dir}`, "--files-elsewhere", part]);
  assert.equal(first.path, "2024/01/01/a.jpg");
  assert.equal(sidecar.code, 0, sidecar.stderr);
  // The new day's folder is a link: the new path is claimed, then placing the file there fails.
  const outside = join(work, "outside");
  await Deno.mkdir(outside);
  await Deno.symlink(outside, join(dir, "2023"));
  const blocked = await elsewhere(part1);
  assert.notEqual(blocked.code, 0, blocked.stderr);
  assert.deepEqual(await listFiles(outside), [], "nothing placed through the link");
  assert.match(blocked.stderr, /stored elsewhere \(--files-elsewhere, e\.g\. 2024\/01\/01\/a\.jpg\)/);
  await Deno.remove(join(dir, "2023"));
  await keepOnlySyncDb(dir);
  const again = await elsewhere(part1);
  assert.equal(again.code, 0, again.stderr);
  assert.match(
    again.stderr,
    /^placed 2023\/01\/05\/a\.jpg again: a later export corrected its date; the copy stored elsewhere at 2024\/01\/01\/a\.jpg is out of date/m,
  );
  assert.deepEqual(await Deno.readFile(join(dir, "2023/01/05/a.jpg")), photo);
  assert.deepEqual(rows(dir).items.map((row) => [row.path, row.created_ms]), [[
    "2023/01/05/a.jpg",
    1672912210000,
  ]]);
});

Deno.test("--files-elsewhere: album links a run did not make (--albums none, or albums/ blocked by a file) are made by the next run that makes links", async () => {
  const work = join(WORK, "elsewhere-links-later");
  await Deno.mkdir(work, { recursive: true });
  const album = "Takeout/Google Photos/Trip";
  const part = join(work, "takeout-20251110T101010Z-001.zip");
  await hand.writeZip(part, [
    [`${album}/metadata.json`, bytes(JSON.stringify({ title: "Trip" }))],
    [`${album}/a.jpg`, bytes("\xff\xd8 a photo in an album \xff\xd9")],
    [
      `${album}/a.jpg.supplemental-metadata.json`,
      bytes(JSON.stringify({ title: "a.jpg", photoTakenTime: { timestamp: "1672912210" } })),
    ],
  ]);
  const link = async (dir: string) =>
    await Deno.readLink(join(dir, "albums/Trip/a.jpg")).catch(() => undefined);
  const elsewhere = (dir: string, ...flags: string[]) =>
    cli(["takeout", `--dir=${dir}`, "--files-elsewhere", ...flags, part]);

  const none = outDir("elsewhere-albums-none");
  const first = await elsewhere(none, "--albums=none");
  assert.equal(first.code, 0, first.stderr);
  assert.equal(await link(none), undefined);
  await keepOnlySyncDb(none);
  const linked = await elsewhere(none);
  assert.equal(linked.code, 0, linked.stderr);
  assert.equal(await link(none), "../../2023/01/05/a.jpg", "made by the first run that makes links");

  const blocked = outDir("elsewhere-albums-blocked");
  await Deno.mkdir(blocked);
  await Deno.writeTextFile(join(blocked, "albums"), "the user's");
  const stopped = await elsewhere(blocked);
  assert.equal(stopped.code, 3, stopped.stderr);
  assert.match(stopped.stderr, /album links not made: .*albums/);
  await keepOnlySyncDb(blocked);
  const after = await elsewhere(blocked);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(await link(blocked), "../../2023/01/05/a.jpg", "made once albums/ is out of the way");
});

Deno.test("--files-elsewhere: a later part's sidecar putting a stored file in the trash: the report says no file was here, not that one was kept", async () => {
  const work = join(WORK, "elsewhere-trashed");
  await Deno.mkdir(work, { recursive: true });
  const folder = ELSEWHERE_FOLDER;
  // Part 1 imported (the shared run: this test goes on in a copy); its part 2 here puts the photo in the trash.
  const { afterPart1 } = await elsewhereStart();
  const part2 = join(work, "takeout-20251110T101010Z-002.zip");
  await hand.writeZip(part2, [[
    `${folder}/a.jpg.supplemental-metadata.json`,
    bytes(JSON.stringify({ title: "a.jpg", trashed: true, photoTakenTime: { timestamp: "1672912210" } })),
  ]]);
  const dir = outDir("elsewhere-trashed");
  await copyBackup(afterPart1, dir);
  const elsewhere = (part: string) => cli(["takeout", `--dir=${dir}`, "--files-elsewhere", part]);
  const second = await elsewhere(part2);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /1 trashed item taken out of sync\.db \(no file here to remove\)/);
  const earlier = (await reportOf(second)).rows.filter(([, entry]) => entry === `${folder}/a.jpg`);
  assert.deepEqual(earlier.map(([, , outcome, , , , note]) => [outcome, note]), [[
    "no file here",
    "an earlier run's entry, in the trash: no file here to remove (gone, or stored elsewhere)",
  ]]);
  assert.deepEqual(rows(dir).items, []);
});

Deno.test("--files-elsewhere --new-files, kill -9 after a later export moved a file the run placed to its corrected day: the list names only files that are there, the moved one at its new day; the re-run's list adds the rest", async () => {
  // The increment sends a.jpg again with its date corrected, then new photos: the run goes on after the move.
  const later = Array.from({ length: 24 }, (_, n) => `b${n}.jpg`);
  const store = await redatingExports(
    "killed-list-store",
    "a photo whose date a later export corrects",
    later.map((name) => [name, crypto.getRandomValues(new Uint8Array(65_536))]),
  );
  const dir = outDir("killed-list");
  const list = join(WORK, "killed-list-new-files.txt");
  const args = ["takeout", "--files-elsewhere", `--dir=${dir}`, `--from=${store}`, `--new-files=${list}`];
  const victim = new CliProcess(args, CLI_OPTIONS);
  // The increment's first new photo is committed after the copy of a.jpg (the archive's order) moved its file.
  await victim.waitForLine((line) => line.startsWith("imported 2024/01/01/b"));
  victim.child.kill("SIGKILL");
  assert.notEqual((await victim.result()).code, 0, "killed before the end");
  const listed = async () => (await Deno.readTextFile(list)).split("\n").filter(Boolean);
  /** The paths of `paths` no file (or link) is at in `dir`. */
  const notThere = (paths: string[]) =>
    paths.filter((path) => {
      try {
        return !Deno.lstatSync(join(dir, path));
      } catch {
        return true;
      }
    });
  const killedList = await listed();
  // What a job's `cp` of the listed files needs: each there.
  assert.deepEqual(
    notThere(killedList),
    [],
    `every path the killed run's list names is there: ${killedList}`,
  );
  assert.ok(killedList.includes("2023/05/03/a.jpg"), `the moved file at its new day: ${killedList}`);
  const recordedAtKill = new Set(rows(dir).items.map((row) => row.path));
  // The job stores the listed files and keeps sync.db only; the next run goes on.
  await keepOnlySyncDb(dir);
  const again = await cli(args);
  assert.equal(again.code, 0, again.stderr);
  const rerunList = await listed();
  assert.deepEqual(notThere(rerunList), [], `every path the re-run's list names is there: ${rerunList}`);
  // Between them, the lists name every file, where the backup records it. A file lands in the list before
  // sync.db records it (so that a job stores every file sync.db records, whenever the run stops): one the kill
  // caught between the two the re-run places again and lists again, and only such a file is named twice.
  assert.deepEqual(
    [...new Set([...killedList, ...rerunList])].sort(),
    ["2023/05/03/a.jpg", ...later.map((name) => `2024/01/01/${name}`)].sort(),
  );
  const twice = killedList.filter((path) => rerunList.includes(path));
  assert.deepEqual(
    twice.filter((path) => recordedAtKill.has(path)),
    [],
    `listed again though recorded: ${twice}`,
  );
  assert.deepEqual(
    rows(dir).items.map((row) => row.path).sort(),
    ["2023/05/03/a.jpg", ...later.map((name) => `2024/01/01/${name}`)].sort(),
  );
  // status counts the increment's files the killed run placed too.
  assert.deepEqual((await exportsOf(dir)).map(({ date, placed, present }) => [date, placed, present]), [
    ["2025-11-10", 1, 0],
    ["2026-01-10", later.length, 1],
  ]);
});

Deno.test("--files-elsewhere, a run stopped after a later export's date claimed a file's new day and before the file moved there (its folder cannot be made): a re-run in the folder (with --files-elsewhere or without) finishes the move as an uninterrupted run; a re-run in a folder holding only sync.db says the copy stored at the old day is out of date and places the file at its new day", async () => {
  const store = await redatingExports("stopped-move-store", "a photo whose date a later export corrects", [
    ["b.jpg", bytes("\xff\xd8 a new photo of the increment \xff\xd9")],
  ]);
  const run = (dir: string, list: string, { elsewhere = true } = {}) =>
    cli([
      "takeout",
      ...(elsewhere ? ["--files-elsewhere"] : []),
      `--dir=${dir}`,
      `--from=${store}`,
      `--new-files=${list}`,
    ]);
  /** Where sync.db's notes of files to move say they are. */
  const notes = (dir: string) => {
    using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
    return (db.prepare("SELECT value FROM checkpoints WHERE source = 'refile'").all() as { value: string }[])
      .map((row) => row.value);
  };
  const listed = async (list: string) => (await Deno.readTextFile(list)).split("\n").filter(Boolean);
  /** `status --json`: what the backup holds (not the times of its imports, nor what its last run did). */
  const statusOf = async (dir: string) => {
    const status = await cli(["status", `--dir=${dir}`, "--json", "--files-elsewhere"]);
    assert.equal(status.code, 0, status.stderr);
    const { runs: _, ...json } = JSON.parse(status.stdout) as {
      runs: unknown;
      exports: { importedMs?: number }[];
    };
    for (const figures of json.exports) delete figures.importedMs;
    return json;
  };

  const reference = outDir("stopped-move-reference");
  const whole = await run(reference, join(WORK, "stopped-move-reference.txt"));
  assert.equal(whole.code, 0, whole.stderr);
  const expected = {
    tree: await backupTree(reference),
    rows: rows(reference),
    status: await statusOf(reference),
    list: await listed(join(WORK, "stopped-move-reference.txt")),
  };
  assert.deepEqual(expected.list, ["2023/05/03/a.jpg", "2024/01/01/b.jpg"]);

  // Between the claim of the new path (in sync.db) and the move nothing waits on what a test could hold (a
  // request, a read), so a kill cannot be timed there: the move's folder 2023/05/03 cannot be made instead
  // (2023/05 locked, its 01 made beforehand for the first export's file), which ends the run at that point.
  const stopped = outDir("stopped-move");
  await Deno.mkdir(join(stopped, "2023/05/01"), { recursive: true });
  const stoppedList = join(WORK, "stopped-move-stopped.txt");
  {
    await using _ = await locked(join(stopped, "2023/05"), { mode: 0o555, restore: 0o755 });
    const failed = await run(stopped, stoppedList);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /error: cannot create folder .*2023\/05\/03/);
  }
  // The state a kill at that moment leaves: the row names the new day, the file is at the old one.
  assert.deepEqual(rows(stopped).items.map((row) => row.path), ["2023/05/03/a.jpg"]);
  assert.deepEqual(await listFiles(stopped), ["2023/05/01/a.jpg"]);
  assert.deepEqual(await listed(stoppedList), ["2023/05/01/a.jpg"]);
  assert.deepEqual(notes(stopped), ["2023/05/01/a.jpg"], "where the file is, noted with the claim");

  // Run again in the same folder: the move is finished; all as the uninterrupted run left it.
  const here = outDir("stopped-move-here");
  await copyBackup(stopped, here);
  const hereList = join(WORK, "stopped-move-here.txt");
  const again = await run(here, hereList);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await backupTree(here), expected.tree);
  assert.deepEqual(rows(here), expected.rows);
  assert.deepEqual(await statusOf(here), expected.status);
  assert.deepEqual(await listed(hereList), expected.list);
  assert.deepEqual(notes(here), []);
  // So does a run without --files-elsewhere (its folder holds every file), its note done too.
  const holdsAll = outDir("stopped-move-whole");
  await copyBackup(stopped, holdsAll);
  const wholeRun = await run(holdsAll, join(WORK, "stopped-move-whole.txt"), { elsewhere: false });
  assert.equal(wholeRun.code, 0, wholeRun.stderr);
  assert.deepEqual(await backupTree(holdsAll), expected.tree);
  assert.deepEqual(rows(holdsAll), expected.rows);
  assert.deepEqual(notes(holdsAll), []);

  // A CI job stores the listed file (2023/05/01/a.jpg) and keeps sync.db only: the run after it places the
  // file at its new day and says that the copy stored at the old day is out of date.
  await keepOnlySyncDb(stopped);
  const elsewhereList = join(WORK, "stopped-move-elsewhere.txt");
  const next = await run(stopped, elsewhereList);
  assert.equal(next.code, 0, next.stderr);
  assert.match(
    next.stderr,
    /placed 2023\/05\/03\/a\.jpg again: .* the copy stored elsewhere at 2023\/05\/01\/a\.jpg is out of date/,
  );
  assert.deepEqual(await backupTree(stopped), expected.tree);
  assert.deepEqual(rows(stopped), expected.rows);
  assert.deepEqual(await statusOf(stopped), expected.status);
  assert.deepEqual(await listed(elsewhereList), expected.list);
  assert.deepEqual(notes(stopped), []);
});

Deno.test({
  name:
    "--files-elsewhere, a run whose move of a file to its corrected day linked it there and could not remove the old name (the old day's folder append-only: the state a kill between the two leaves): the file is at both, one file, said; a re-run in the folder removes the old name, all as an uninterrupted run left it; a re-run in a folder holding only sync.db (the list's new path stored) says nothing is out of date",
  // `chattr +a` needs root.
  ignore: Deno.uid() !== 0,
  async fn() {
    const store = await redatingExports(
      "left-name-store",
      "a photo whose date a later export corrects, its old name left",
      [["b.jpg", bytes("\xff\xd8 a new photo of the increment, beside a name left \xff\xd9")]],
    );
    const run = (dir: string, list: string) =>
      cli(["takeout", "--files-elsewhere", `--dir=${dir}`, `--from=${store}`, `--new-files=${list}`]);
    /** sync.db's notes: of files to move (where they are), and of the names moves left. */
    const notes = (dir: string) => {
      using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
      return (db.prepare(
        "SELECT source, key, value FROM checkpoints WHERE source IN ('refile', 'second-name') ORDER BY 1, 2",
      ).all() as { source: string; key: string; value: string }[]).map((row) => ({ ...row }));
    };
    const listed = async (list: string) => (await Deno.readTextFile(list)).split("\n").filter(Boolean);

    const reference = outDir("left-name-reference");
    const whole = await run(reference, join(WORK, "left-name-reference.txt"));
    assert.equal(whole.code, 0, whole.stderr);
    const expected = {
      tree: await backupTree(reference),
      rows: rows(reference),
      list: await listed(join(WORK, "left-name-reference.txt")),
    };
    assert.deepEqual(expected.list, ["2023/05/03/a.jpg", "2024/01/01/b.jpg"]);

    // The move links the file at 2023/05/03 and then cannot remove 2023/05/01/a.jpg (its folder, made beforehand
    // for the first export's file, takes names in but lets none out): a kill between the link and the removal
    // leaves the file so, its album links and sidecar moved or not (this run moves them: it goes on).
    const left = outDir("left-name");
    await Deno.mkdir(join(left, "2023/05/01"), { recursive: true });
    const leftList = join(WORK, "left-name-left.txt");
    {
      await using _ = await appendOnly(join(left, "2023/05/01"));
      const stopped = await run(left, leftList);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(
        stopped.stderr,
        /2023\/05\/01\/a\.jpg stays, a second name of 2023\/05\/03\/a\.jpg \(the file moved there; cannot remove .*\); the next run removes it/,
      );
    }
    assert.deepEqual(await listFiles(left), ["2023/05/01/a.jpg", "2023/05/03/a.jpg", "2024/01/01/b.jpg"]);
    assert.equal(
      Deno.statSync(join(left, "2023/05/01/a.jpg")).ino,
      Deno.statSync(join(left, "2023/05/03/a.jpg")).ino,
      "one file",
    );
    assert.deepEqual(rows(left), expected.rows);
    assert.deepEqual(await listed(leftList), expected.list);
    // No note of a file at the old day: only of the name the move left there.
    // A Takeout item's id is its content's hash.
    const { hash } = rows(left).items.find((row) => row.path === "2023/05/03/a.jpg")!;
    assert.deepEqual(notes(left), [{
      source: "second-name",
      key: "2023/05/01/a.jpg",
      value: `takeout:${hash}`,
    }]);

    // verify knows the name left (no unknown file), and says what removes it; verify --repair does.
    const checked = outDir("left-name-verify");
    await copyBackup(left, checked);
    const verified = await cli(["verify", `--dir=${checked}`]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.doesNotMatch(verified.stderr, /unknown|not in sync\.db/);
    assert.match(
      verified.stderr,
      /left 2023\/05\/01\/a\.jpg: a second name of 2023\/05\/03\/a\.jpg that a stopped move left \(one file; .*verify --repair removes it\)/,
    );
    const repaired = await cli(["verify", "--repair", `--dir=${checked}`]);
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.match(repaired.stderr, /removed 2023\/05\/01\/a\.jpg, a second name of 2023\/05\/03\/a\.jpg/);
    assert.deepEqual(await backupTree(checked), expected.tree);
    assert.deepEqual(notes(checked), []);

    // Run again in the same folder (hard links kept in the copy): the old name goes; all as one run left it.
    const here = outDir("left-name-here");
    await copyBackup(left, here);
    const again = await run(here, join(WORK, "left-name-here.txt"));
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await backupTree(here), expected.tree);
    assert.deepEqual(rows(here), expected.rows);
    assert.deepEqual(notes(here), []);

    // A CI job stores the listed files (the new path) and keeps sync.db only: nothing is out of date.
    await keepOnlySyncDb(left);
    const next = await run(left, join(WORK, "left-name-elsewhere.txt"));
    assert.equal(next.code, 0, next.stderr);
    assert.doesNotMatch(next.stderr, /out of date|stays at the old day|stored elsewhere/);
    assert.deepEqual(await listFiles(left), []);
    assert.deepEqual(rows(left), expected.rows);
    assert.deepEqual(notes(left), []);
  },
});

/**
 * A folder `WORK/name` of two exports: `a.jpg` (its bytes `photo` in a JPEG's markers) taken on 2023-05-01, then
 * an increment sending it again with its date corrected to 2023-05-03 (a move of its file), followed by `later`
 * (names and bytes, in the same album-less folder). Returns the folder.
 */
async function redatingExports(name: string, photo: string, later: [string, Uint8Array][]): Promise<string> {
  const store = join(WORK, name);
  await Deno.mkdir(store, { recursive: true });
  const folder = "Takeout/Google Photos/Photos from 2023";
  const bytesOfA = bytes(`\xff\xd8 ${photo} \xff\xd9`);
  const takenOn = (day: number) => bytes(sidecar("a.jpg", Date.UTC(2023, 4, day, 12)));
  await hand.writeZip(join(store, "takeout-20251110T101010Z-001.zip"), [
    [`${folder}/a.jpg`, bytesOfA],
    [`${folder}/a.jpg.supplemental-metadata.json`, takenOn(1)],
  ]);
  await hand.writeZip(join(store, "takeout-20260110T101010Z-001.zip"), [
    [`${folder}/a.jpg`, bytesOfA],
    [`${folder}/a.jpg.supplemental-metadata.json`, takenOn(3)],
    ...later.map(([file, content]): [string, Uint8Array] => [`${folder}/${file}`, content]),
  ]);
  return store;
}

Deno.test("takeout --from: what a run with --max-time kept of an export's catalog pass is forgotten once the store lists that export no more (its parts deleted before it was imported in full), and kept while it does", async () => {
  const store = join(WORK, "pass-memory-gone");
  await Deno.mkdir(store, { recursive: true });
  const folder = "Takeout/Google Photos/Photos from 2023";
  const marker = "a photo whose bytes arrived damaged";
  const part = join(store, "takeout-20251110T101010Z-001.zip");
  await hand.writeZip(part, [
    [`${folder}/a.jpg`, bytes(`\xff\xd8 ${marker} \xff\xd9`)],
    [`${folder}/a.jpg.supplemental-metadata.json`, bytes(sidecar("a.jpg", Date.UTC(2023, 4, 1)))],
  ], { level: 0 });
  // One byte of the photo flipped (a download damaged on its way): its CRC-32 fails, so the export is not
  // imported in full and what the run kept of its pass stays for the next.
  const zip = await Deno.readFile(part);
  const at = new TextDecoder("latin1").decode(zip).indexOf(marker);
  assert.ok(at > 0);
  zip[at] ^= 1;
  await Deno.writeFile(part, zip);
  const dir = outDir("pass-memory-gone");
  const args = ["takeout", `--dir=${dir}`, `--from=${store}`, "--max-time=1h"];
  /** The keys of what runs kept of the export's pass in sync.db. */
  const kept = () => {
    using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
    return (db.prepare("SELECT count(*) AS n FROM checkpoints WHERE source = ? AND key LIKE ?")
      .get(":takeout-pass", '["20251110T101010Z",%') as { n: number }).n;
  };
  const damaged = await cli(args);
  assert.notEqual(damaged.code, 0, damaged.stderr);
  assert.ok(kept() > 0, "the directory and the sidecar kept");
  // Run again with the part still there: still listed, still kept.
  await cli(args);
  assert.ok(kept() > 0, "kept while the store lists the export");
  // The part deleted (a Drive file removed, an increment expired): no run reads that export again.
  await Deno.remove(part);
  const gone = await cli(args);
  assert.equal(gone.code, 0, gone.stderr);
  assert.equal(kept(), 0);
});

/**
 * The album "Road trip" of a hand-made export: its folder in the archive, its `metadata.json` entry (with
 * `title`), a member photo's bytes, and a member's entries (the photo and its sidecar saying `takenMs`).
 */
const roadTrip = {
  folder: "Takeout/Google Photos/Road trip",
  metadata(title = "Road trip"): [string, Uint8Array] {
    return [`${this.folder}/metadata.json`, bytes(JSON.stringify({ title }))];
  },
  photo: (name: string) => bytes(`\xff\xd8 ${name} of the road trip \xff\xd9`),
  member(name: string, takenMs: number): [string, Uint8Array][] {
    return [
      [`${roadTrip.folder}/${name}`, roadTrip.photo(name)],
      [`${roadTrip.folder}/${name}.supplemental-metadata.json`, bytes(sidecar(name, takenMs))],
    ];
  },
};

/**
 * `photosync takeout ARGS` by a run granted write access to `folders` only, so that Deno refuses it symbolic
 * links (album links are made as hard links then); it must exit 0.
 */
async function importWithoutSymlinks(args: string[], folders: string[]): Promise<CliResult> {
  const result = await runPhotosync(["takeout", ...args], { ...CLI_OPTIONS, allowWrite: folders });
  assert.equal(result.code, 0, result.stderr);
  return result;
}
