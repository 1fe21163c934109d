/**
 * Incremental Takeout with `photosync takeout PATHS…`: a baseline and its increments (two months apart: new
 * uploads, edited copies of old photos without their originals, originals sent again with a changed sidecar,
 * album folders listing only their new members) import as if they were one export, in any command-line order
 * and in separate runs; the chain of exports is recorded, and an increment imported without the one before it
 * is said once, until a full export closes the hole.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { type CliResult, listFiles, runPhotosync, type StatusJson } from "../testing/harness.ts";
import { damageArchive, writeArchives } from "../testing/takeout/archives.ts";
import { incrementalExports } from "../testing/takeout/increments.ts";
import {
  type BackupRow,
  backupRows,
  backupTree,
  copyBackup,
  keepOnlySyncDb,
  sha256,
} from "../testing/takeout/backup_state.ts";

const WORK = await Deno.makeTempDir({ prefix: "photosync-takeout-chain-" });
Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

/** photosync with `args`; `status` and `report`, which only read what the runs left, in-process. */
const cli = (args: string[]): Promise<CliResult> =>
  runPhotosync(args, { env: { TZ: "UTC" }, inProcess: args[0] === "status" || args[0] === "report" });
const library = incrementalExports({ seed: 8 });
const [baseline, inc1, inc2, inc3] = library.exports;
// Written in folders whose names sort against the exports' order, in parts, zip and tgz (the originals
// an increment sends again are in a zip: read by their directory's CRC-32, as the baseline's copies).
const archives = {
  baseline: await writeArchives(baseline, join(WORK, "z-baseline"), { parts: 2 }),
  inc1: await writeArchives(inc1, join(WORK, "b-inc1")),
  inc2: await writeArchives(inc2, join(WORK, "c-inc2"), { format: "tgz" }),
  inc3: await writeArchives(inc3, join(WORK, "a-inc3"), { parts: 2 }),
  full: await writeArchives(library.full, join(WORK, "full"), { parts: 2 }),
};

/** The items of `sync.db` by content hash (with their JSON), and album memberships. */
const rows = (dir: string) => backupRows(dir, { json: true }) as { items: Row[]; members: string[] };
type Row = BackupRow & { json: string };

/** What the user sees of an item whatever export placed it: no archive names, no export stamps. */
function seen({ json, ...row }: Row) {
  const { takeout: _, ...metadata } = JSON.parse(json);
  return { ...row, metadata };
}

/** The warning lines about a missed export. */
const holeLines = (run: CliResult) =>
  run.stderr.split("\n").filter((line) => /in between was not imported/.test(line));

type ChainStatus = StatusJson & {
  exports: { date: string; parts: number; placed: number; present: number }[];
  missedExports: { from: string; to: string; days: number }[];
};

async function statusJson(dir: string): Promise<ChainStatus> {
  const run = await cli(["status", "--dir", dir, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const ok = (run: CliResult) => assert.equal(run.code, 0, run.stderr);

Deno.test("a baseline and its increments, in mixed order in one run or in separate runs, give the tree of one export", async () => {
  // One run, the paths given newest first (and their folders sort the other way).
  const one = join(WORK, "one");
  const mixed = [...archives.inc3, ...archives.inc1, ...archives.baseline.toReversed(), ...archives.inc2];
  const oneRun = await cli(["takeout", "--dir", one, ...mixed]);
  ok(oneRun);
  // Separate runs as the exports arrive, the baseline's parts in two of them.
  const split = join(WORK, "split");
  const runs = [
    [archives.baseline[1]],
    [archives.baseline[0], ...archives.inc1],
    [...archives.inc2, ...archives.inc3],
  ];
  const splitRuns: CliResult[] = [];
  for (const paths of runs) splitRuns.push(await cli(["takeout", "--dir", split, ...paths]));
  splitRuns.forEach(ok);
  // The full export made afterwards, alone: every item as it is then.
  const full = join(WORK, "full-only");
  ok(await cli(["takeout", "--dir", full, ...archives.full]));

  const oneTree = await backupTree(one);
  assert.deepEqual(await backupTree(split), oneTree, "separate runs");
  // (Which copy of an item placed it, its archive and entry, depends on which part came first.)
  const [splitRows, oneRows] = [rows(split), rows(one)];
  assert.deepEqual(splitRows.items.map(seen), oneRows.items.map(seen), "separate runs: sync.db");
  assert.deepEqual(splitRows.members, oneRows.members, "separate runs: albums");
  // As if all had been one export: the same files, dates, names, metadata and albums.
  assert.deepEqual(await backupTree(full), oneTree, "the full export");
  const fullRows = rows(full);
  assert.deepEqual(fullRows.items.map(seen), oneRows.items.map(seen), "the full export: sync.db");
  assert.deepEqual(fullRows.members, oneRows.members, "the full export: albums");

  const item = (bytes: Uint8Array) => oneRows.items.find((row) => row.hash === sha256(bytes))!;
  // An edited copy whose original came in the baseline: dated from the original's sidecar.
  assert.ok(library.editedLater.length > 0, "the fixture has an edit of an old photo");
  for (const edited of library.editedLater) {
    const row = item(edited.bytes);
    assert.equal(row.created_ms, edited.captureMs, edited.path);
    const json = JSON.parse(row.json);
    assert.equal(json.editedOf, edited.editedOf, edited.path);
    assert.equal(json.takeout.rule, `edited copy of ${edited.editedOf}`, edited.path);
  }
  // An original sent again: no second file; its newer sidecar's favourite, description, archived flag and
  // date (one was corrected: its file moved to that day, whatever order the exports came in).
  for (const { file } of library.resent) {
    const row = item(file.bytes);
    const json = JSON.parse(row.json);
    assert.deepEqual(
      [
        json.favorited ?? false,
        json.description,
        json.archived ?? false,
        row.created_ms,
        json.geo,
        json.people,
      ],
      [file.favorited, file.description, file.archived, file.captureMs, file.geo, file.people],
      file.path,
    );
  }
  const corrected = library.resent.at(-1)!;
  assert.notEqual(corrected.file.captureMs, corrected.before.captureMs, "the fixture corrects a date");
  assert.ok(item(corrected.file.bytes).path.startsWith("1987/06/14/"), item(corrected.file.bytes).path);
  assert.match(splitRuns[1].stderr, new RegExp(`${library.resent.length} updated from a later export \\(`));
  // Album links accumulate; an increment without the album's metadata.json keeps its title.
  const album = baseline.albums[0];
  for (const added of [...library.albumAdded, ...library.albumAddedWithoutMetadata]) {
    assert.ok(oneRows.members.includes(`${sha256(added.bytes)} takeout:${baseline.root}/${album.folder}/`));
    assert.ok(
      oneTree.some((line) => line.startsWith(`albums/${album.title}/`) && line.includes(added.name)),
      `${added.path} linked in albums/${album.title}`,
    );
  }
  // No hole: every export two months after the one before.
  for (const run of [oneRun, ...splitRuns]) assert.deepEqual(holeLines(run), []);
});

Deno.test("an increment imported without the one before it: one warning naming both dates, until a full export", async () => {
  const dir = join(WORK, "hole");
  // The increment of 2026-03-10 was never downloaded.
  const first = await cli([
    "takeout",
    "--dir",
    dir,
    ...archives.baseline,
    ...archives.inc1,
    ...archives.inc3,
  ]);
  ok(first);
  const lines = holeLines(first);
  assert.equal(lines.length, 1, first.stderr);
  assert.match(lines[0], /2026-05-10 .*2026-01-10/);
  assert.match(lines[0], /photos uploaded between 2026-01-10 and 2026-05-10 may be missing/);
  assert.match(lines[0], /while its link is valid.*new full export/);
  const status = await cli(["status", "--dir", dir]);
  ok(status);
  assert.match(status.stdout, /exports: +3 Takeout exports imported/);
  assert.match(
    status.stdout,
    /^ {2}2026-05-10 {2}2 parts, \d+ entries: \d+ files placed, 0 present already$/m,
  );
  assert.match(status.stdout, /missed: .*between 2026-01-10 and 2026-05-10/);
  // The report page shows the same chain and the window missed.
  const page = join(WORK, "hole-report.html");
  ok(await cli(["report", "--dir", dir, "--out", page]));
  const html = await Deno.readTextFile(page);
  assert.deepEqual([...html.matchAll(/<tr data-export="(\d{8})T/g)].map((m) => m[1]), [
    "20251110",
    "20260110",
    "20260510",
  ]);
  assert.match(html, /data-missed-from="2026-01-10" data-missed-to="2026-05-10"/);
  // A full export made later closes the hole: no warning, and most of it was backed up already.
  const fullRun = await cli(["takeout", "--dir", dir, ...archives.full]);
  ok(fullRun);
  assert.deepEqual(holeLines(fullRun), []);
  const after = await statusJson(dir);
  assert.deepEqual(after.missedExports, []);
  assert.deepEqual(after.exports.map((e) => e.date), [
    "2025-11-10",
    "2026-01-10",
    "2026-05-10",
    "2026-07-10",
  ]);
  assert.deepEqual(after.exports.map((e) => e.parts), [2, 1, 2, 2]);
  assert.equal(after.exports[1].present, library.resent.length, "January re-sent the changed originals");
  const fullExport = after.exports[3];
  assert.equal(
    fullExport.placed,
    inc2.files.filter((f) => !f.copyOf && !f.trashed).length,
    "what was missed",
  );
  assert.ok(fullExport.present > fullExport.placed * 2, JSON.stringify(fullExport));
});

/** The baseline imported alone, once: read it, or change a copy ({@link copyBackup}). */
let baselineImport: Promise<string> | undefined;
function baselineOnly(): Promise<string> {
  return baselineImport ??= (async () => {
    const dir = join(WORK, "baseline-only");
    ok(await cli(["takeout", "--dir", dir, ...archives.baseline]));
    return dir;
  })();
}

/** The reference: the baseline then the first increment, imported into one folder. */
let reference: Promise<string> | undefined;
function baselineAndInc1(): Promise<string> {
  return reference ??= (async () => {
    const dir = join(WORK, "reference");
    await copyBackup(await baselineOnly(), dir);
    ok(await cli(["takeout", "--dir", dir, ...archives.inc1]));
    return dir;
  })();
}

/** A copy of `zips` into `store`, delivered two days ago (a part of today might have one after it). */
async function deliver(store: string, zips: string[]): Promise<void> {
  for (const zip of zips) {
    const copy = join(store, zip.split("/").at(-1)!);
    await Deno.copyFile(zip, copy);
    await Deno.utime(copy, Date.now() / 1000 - 2 * 86_400, Date.now() / 1000 - 2 * 86_400);
  }
}

/** Remove everything in `dir` but `sync.db` (and its journal), as a job's folder is once it stored its run's files. */
Deno.test("a file gone from DIR is put back by a later export's copy, with what that export changed", async () => {
  const dir = join(WORK, "gone");
  await copyBackup(await baselineOnly(), dir);
  const before = rows(dir).items;
  for (const { before: file } of library.resent) {
    await Deno.remove(join(dir, before.find((row) => row.hash === sha256(file.bytes))!.path));
  }
  const run = await cli(["takeout", "--dir", dir, ...archives.inc1]);
  ok(run);
  assert.match(run.stderr, new RegExp(`${library.resent.length} missing or changed files restored`));
  assert.match(run.stderr, new RegExp(`${library.resent.length} updated from a later export \\(`));
  const expected = await baselineAndInc1();
  assert.deepEqual(rows(dir).items.map(seen), rows(expected).items.map(seen));
  assert.deepEqual(await backupTree(dir), await backupTree(expected));
});

/** One run of {@link ciJob}, and the paths its --new-files listed. */
interface JobRun extends CliResult {
  listed: string[];
}

/**
 * A CI job's runs over a store (`--files-elsewhere --new-files`), made once for the two tests below, which
 * read them: the baseline delivered, runs with --max-bytes=300kB until one ends (exit 0 or 3, at most 40),
 * each storing what it listed in `stored` (copied, a link as a link, as `cp -P` and `rclone --links` store
 * them) before the folder is emptied but for sync.db; then the first increment delivered and one run without
 * --max-bytes, its listed files stored too and left in the folder. `rowsAfterBaseline` and
 * `storedAfterBaseline`: sync.db's items and the stored tree before the increment.
 */
let ciJobRuns:
  | Promise<{
    store: string;
    dir: string;
    stored: string;
    baseline: JobRun[];
    rowsAfterBaseline: Row[];
    storedAfterBaseline: string[];
    increment: JobRun;
  }>
  | undefined;
function ciJob() {
  return ciJobRuns ??= (async () => {
    const store = join(WORK, "store-elsewhere");
    await Deno.mkdir(store);
    await deliver(store, archives.baseline);
    const dir = join(WORK, "elsewhere");
    const list = join(WORK, "elsewhere-new-files.txt");
    const stored = join(WORK, "stored-elsewhere");
    const run = async (...flags: string[]): Promise<JobRun> => {
      const result = await cli([
        "takeout",
        `--from=${store}`,
        "--dir",
        dir,
        "--files-elsewhere",
        `--new-files=${list}`,
        ...flags,
      ]);
      const listed = (await Deno.readTextFile(list)).split("\n").filter(Boolean);
      for (const path of listed) {
        const [from, to] = [join(dir, path), join(stored, path)];
        await Deno.mkdir(dirname(to), { recursive: true });
        await Deno.remove(to).catch(() => {});
        const stat = await Deno.lstat(from);
        if (stat.isSymlink) await Deno.symlink(await Deno.readLink(from), to);
        else {
          await Deno.copyFile(from, to);
          await Deno.utime(to, stat.mtime!, stat.mtime!);
        }
      }
      return { ...result, listed };
    };
    const baseline: JobRun[] = [];
    for (let runs = 0; runs < 40; runs++) {
      const result = await run("--max-bytes=300kB");
      baseline.push(result);
      await keepOnlySyncDb(dir);
      if (result.code !== 3) break;
    }
    const rowsAfterBaseline = rows(dir).items;
    const storedAfterBaseline = await backupTree(stored);
    await deliver(store, archives.inc1);
    const increment = await run();
    return { store, dir, stored, baseline, rowsAfterBaseline, storedAfterBaseline, increment };
  })();
}

Deno.test("--files-elsewhere (a CI job's folder holds only sync.db): a baseline over --max-bytes ends, each file placed once; an increment fetches no file placed before and applies what it changed", async () => {
  // The job's runs (shared with the next test): each run's new files stored elsewhere, the folder keeping only
  // sync.db.
  const { dir, baseline, rowsAfterBaseline, increment } = await ciJob();
  const codes = baseline.map((result) => result.code);
  for (const result of baseline) {
    assert.ok(result.code === 0 || result.code === 3, result.stderr);
    assert.doesNotMatch(result.stderr, /restored/);
  }
  const stored = baseline.flatMap((result) => result.listed);
  assert.ok(codes.length >= 2 && codes.at(-1) === 0, `runs ended: ${codes.join(" ")}`);
  const expected = await baselineOnly();
  const files = (await backupTree(expected)).map((line) => line.split(" ")[0]).filter((p) =>
    !p.startsWith("albums/")
  );
  assert.deepEqual(stored.filter((p) => !p.startsWith("albums/")).sort(), files.sort(), "each file once");
  assert.deepEqual(rowsAfterBaseline.map(seen), rows(expected).items.map(seen));

  // The first increment beside it: only its new files are placed; what it changed is applied.
  ok(increment);
  assert.doesNotMatch(increment.stderr, /restored/);
  assert.match(increment.stderr, new RegExp(`${library.resent.length} updated from a later export \\(`));
  const reference = rows(await baselineAndInc1()).items;
  const placed = increment.listed.filter((p) => !p.startsWith("albums/"));
  const before = new Set(rows(expected).items.map((row) => row.hash));
  // The date a later export corrected: the file goes to its new day as in a folder that holds it, here placed
  // again from the increment's copy (the job stores it; the copy stored at the old day is out of date).
  const corrected = library.resent.at(-1)!;
  const row = (items: Row[]) => items.find((item) => item.hash === sha256(corrected.before.bytes))!;
  const newDay = row(reference).path;
  assert.notEqual(newDay, row(rows(expected).items).path, "the date moves the file to another day");
  assert.deepEqual(
    placed.sort(),
    [...reference.filter((row) => !before.has(row.hash)).map((row) => row.path), newDay].sort(),
    "the increment's new files, and the file whose day changed",
  );
  assert.match(
    increment.stderr,
    new RegExp(
      `^placed ${
        newDay.replace(/[.()]/g, "\\$&")
      } again: a later export corrected its date; the copy stored ` +
        `elsewhere at ${row(rows(expected).items).path.replace(/[.()]/g, "\\$&")} is out of date`,
      "m",
    ),
  );
  assert.match(increment.stderr, /^ {2}1 file stored elsewhere placed again with its corrected date/m);
  assert.deepEqual(await Deno.readFile(join(dir, newDay)), corrected.before.bytes);
  assert.equal((await Deno.stat(join(dir, newDay))).mtime?.getTime(), corrected.file.captureMs);
  assert.deepEqual(
    rows(dir).items.map(seen),
    reference.map(seen),
    "sync.db as in a folder that holds the files",
  );
});

Deno.test("--new-files lists the album links a run made with its files: stored as a job stores them (links as links), the runs' lists give a folder's tree, also with --files-elsewhere, and each link once", async () => {
  // The job's runs (shared with the test before): what each listed is copied to its storage, `stored`.
  const { store, stored, baseline, storedAfterBaseline, increment } = await ciJob();
  const links: string[] = [];
  for (const result of baseline) {
    assert.ok(result.code === 0 || result.code === 3, result.stderr);
    links.push(...result.listed.filter((path) => path.startsWith("albums/")));
  }
  const expected = await baselineOnly();
  const tree = await backupTree(expected);
  assert.ok(tree.some((line) => line.startsWith("albums/")), "the export has albums");
  assert.deepEqual(storedAfterBaseline, tree, "the stored runs' files and links: the folder's tree");
  assert.equal(new Set(links).size, links.length, "each link listed by one run");

  // An increment: the links of its new members (new photos, and earlier ones its album folders list), and none
  // made before.
  ok(increment);
  const listed = increment.listed;
  const reference = await backupTree(await baselineAndInc1());
  const newLinks = reference.filter((line) => line.startsWith("albums/") && !tree.includes(line));
  assert.ok(newLinks.length > 0, "the increment adds album members");
  assert.deepEqual(
    listed.filter((path) => path.startsWith("albums/")).sort(),
    newLinks.map((line) => line.split(" -> ")[0]).sort(),
  );
  // The stored tree is the reference's, but for the copy of the photo whose date the increment corrected at its
  // old day (the run says it is out of date there).
  const corrected = library.resent.at(-1)!;
  const oldDay = rows(expected).items.find((item) => item.hash === sha256(corrected.before.bytes))!.path;
  assert.deepEqual((await backupTree(stored)).filter((line) => !line.startsWith(`${oldDay} `)), reference);

  // A folder that holds its files: a run lists the links it made, none it found made.
  const holds = join(WORK, "links-holds");
  const holdsList = join(WORK, "links-holds-new-files.txt");
  const holdsRun = () => cli(["takeout", "--dir", holds, `--from=${store}`, `--new-files=${holdsList}`]);
  ok(await holdsRun());
  assert.deepEqual(
    (await Deno.readTextFile(holdsList)).split("\n").filter(Boolean),
    (await listFiles(holds)).filter((path) => !path.startsWith("takeout-report-")),
  );
  ok(await holdsRun());
  assert.equal(await Deno.readTextFile(holdsList), "");
});

Deno.test("an increment whose only part was damaged is not imported: its window is missed until it is", async () => {
  const dir = join(WORK, "damaged");
  const march = join(WORK, "d-inc2");
  const [marchPart] = await writeArchives(inc2, march);
  await damageArchive(marchPart, "truncate");
  // The baseline and the first increment imported (a copy of the shared import of both).
  await copyBackup(await baselineAndInc1(), dir);
  const damaged = await cli(["takeout", "--dir", dir, marchPart]);
  assert.equal(damaged.code, 1, damaged.stderr);
  const may = await cli(["takeout", "--dir", dir, ...archives.inc3]);
  ok(may);
  assert.equal(holeLines(may).length, 1, may.stderr);
  assert.match(holeLines(may)[0], /photos uploaded between 2026-01-10 and 2026-05-10 may be missing/);
  const status = await cli(["status", "--dir", dir]);
  ok(status);
  assert.match(status.stdout, /exports: +3 Takeout exports imported/);
  assert.doesNotMatch(status.stdout, /2026-03-10/);
  assert.match(status.stdout, /missed: .*between 2026-01-10 and 2026-05-10/);
  const before = await statusJson(dir);
  assert.deepEqual(before.missedExports, [{ from: "2026-01-10", to: "2026-05-10", days: 120 }]);
  assert.deepEqual(before.exports.map((e) => e.date), ["2025-11-10", "2026-01-10", "2026-05-10"]);
  // The part downloaded again, whole: imported, it closes the window.
  await writeArchives(inc2, march);
  ok(await cli(["takeout", "--dir", dir, marchPart]));
  const after = await statusJson(dir);
  assert.deepEqual(after.missedExports, []);
  assert.deepEqual(after.exports.map((e) => [e.date, e.parts]), [
    ["2025-11-10", 2],
    ["2026-01-10", 1],
    ["2026-03-10", 1],
    ["2026-05-10", 2],
  ]);
  assert.equal(
    after.exports[2].placed,
    inc2.files.filter((f) => !f.copyOf && !f.trashed).length,
    "what March holds",
  );
});

Deno.test("--files-elsewhere --xmp: a later export's changes rewrite the sidecars of files stored elsewhere, and only theirs", async () => {
  const store = join(WORK, "store-elsewhere-xmp");
  await Deno.mkdir(store);
  const dir = join(WORK, "elsewhere-xmp");
  const list = join(WORK, "elsewhere-xmp-new-files.txt");
  const run = async (zips: string[]) => {
    await deliver(store, zips);
    return await cli([
      "takeout",
      `--from=${store}`,
      "--dir",
      dir,
      "--files-elsewhere",
      "--xmp",
      `--new-files=${list}`,
    ]);
  };
  ok(await run(archives.baseline));
  const first = (await Deno.readTextFile(list)).split("\n").filter((p) => p.endsWith(".xmp"));
  assert.ok(first.length > 10, "the baseline's sidecars");
  await keepOnlySyncDb(dir);
  ok(await run(archives.inc1));
  const listed = (await Deno.readTextFile(list)).split("\n").filter(Boolean);
  const items = rows(dir).items;
  const resentPaths = library.resent.map(({ before }) =>
    items.find((row) => row.hash === sha256(before.bytes))!.path
  );
  for (const path of resentPaths) {
    assert.ok(listed.includes(`${path}.xmp`), `${path}.xmp rewritten`);
    const xmp = await Deno.readTextFile(join(dir, `${path}.xmp`));
    const { file } = library.resent[resentPaths.indexOf(path)];
    if (file.description) assert.ok(xmp.includes(file.description), xmp);
  }
  // The baseline's other sidecars, unchanged, are not written again.
  const placedNow = new Set(listed.filter((p) => !p.endsWith(".xmp")));
  const rewritten = listed.filter((p) => p.endsWith(".xmp") && !placedNow.has(p.slice(0, -4)));
  // (The one whose day a corrected date changed is placed again there, with its sidecar beside it.)
  assert.deepEqual(
    rewritten.sort(),
    resentPaths.filter((path) => !placedNow.has(path)).map((path) => `${path}.xmp`).sort(),
  );
});
