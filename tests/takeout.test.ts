/**
 * `photosync takeout` as a user runs it: the CLI as a child process (the release's permissions) on
 * generated Takeout exports, checked against the fixture's truth: the dated tree, the files' bytes and
 * mtimes, `sync.db`, the album links, the summary, resuming, damage and hostile entry names.
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { basename, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { cliCommand, type CliResult, isOwnFile, runPhotosync } from "../testing/harness.ts";
import { damageArchive, planArchives, writeArchives } from "../testing/takeout/archives.ts";
import { copyBackup } from "../testing/takeout/backup_state.ts";
import { generateTakeout } from "../testing/takeout/export.ts";
import { writeTgz, writeZip } from "../testing/takeout/hand_archives.ts";
import type { TakeoutExport, TakeoutFile } from "../testing/takeout/model.ts";

// ---------------------------------------------------------------------------------------------------------
// Running the CLI

/** Takeout runs talk to no Google endpoint: no emulator. TZ=UTC unless `env` says else. */
const cliOptions = (env: Record<string, string>) => ({ env: { TZ: "UTC", ...env } });

/**
 * `args` of a takeout run into a folder of UTC days (`--folder-days=utc`): these tests check the
 * dating rules by the UTC day; local days have tests/xmp_local_days.test.ts.
 */
const utcDays = (args: string[]) =>
  args[0] === "takeout" ? ["takeout", "--folder-days=utc", ...args.slice(1)] : args;

/** photosync with `args`, run to its end; `status`, which only reads what the runs left, in-process. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runPhotosync(utcDays(args), { ...cliOptions(env), inProcess: args[0] === "status" });
}

/** A finished run's stderr lines. */
const linesOf = (run: CliResult) => run.stderr.split("\n");

// ---------------------------------------------------------------------------------------------------------
// The truth and what the import made of it

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The media items an import should store: one per content, trash left out unless asked for. */
function uniqueFiles(exp: TakeoutExport, includeTrashed = false): TakeoutFile[] {
  return exp.files.filter((f) => !f.copyOf && (includeTrashed || !f.trashed));
}

/** Every copy (year folder and album folders) of each content. */
function copiesByHash(exp: TakeoutExport): Map<string, TakeoutFile[]> {
  const copies = new Map<string, TakeoutFile[]>();
  for (const f of exp.files) {
    const hash = sha256(f.bytes);
    copies.set(hash, [...copies.get(hash) ?? [], f]);
  }
  return copies;
}

/** `YYYY/MM/DD` of an instant in UTC (the default layout). */
function utcDay(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${String(date.getUTCFullYear()).padStart(4, "0")}/${pad(date.getUTCMonth() + 1)}/${
    pad(date.getUTCDate())
  }`;
}

interface ItemRow {
  id: string;
  filename: string;
  created_ms: number;
  json: string;
  status: string;
  path: string | null;
  size: number | null;
  source: string;
  hash: string | null;
}

interface Db {
  items: ItemRow[];
  albums: { id: string; title: string }[];
  memberships: { item_id: string; album_id: string }[];
  checkpoints: number;
}

/** `sync.db`, opened read-only. */
function readDb(dir: string): Db {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  try {
    return {
      items: db.prepare("SELECT * FROM items ORDER BY path").all() as unknown as ItemRow[],
      albums: db.prepare("SELECT id, title FROM albums").all() as unknown as Db["albums"],
      memberships: db.prepare("SELECT item_id, album_id FROM item_albums").all() as unknown as Db[
        "memberships"
      ],
      checkpoints: (db.prepare("SELECT count(*) AS n FROM checkpoints WHERE source = 'takeout'").get() as {
        n: number;
      }).n,
    };
  } finally {
    db.close();
  }
}

/** What an item's `json` keeps of its Takeout origin. */
interface ItemJson {
  takeout: { archive: string; entry: string; sidecar?: string; rule?: string; dateSource: string };
  editedOf?: string;
  motionOf?: string;
  archived?: boolean;
  trashed?: boolean;
}

interface Entry {
  mtimeSec: number;
  hash?: string;
  link?: string;
}

/** Every file and link under `dir` but photosync's own: mtime (s), content hash or link target. */
async function listing(dir: string, prefix = ""): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (!prefix && isOwnFile(entry.name)) continue;
    if (entry.isDirectory) {
      for (const [k, v] of await listing(dir, path)) out.set(k, v);
      continue;
    }
    const stat = await Deno.lstat(join(dir, path));
    const mtimeSec = Math.floor(stat.mtime!.getTime() / 1000);
    if (entry.isSymlink) out.set(path, { mtimeSec: 0, link: await Deno.readLink(join(dir, path)) });
    else out.set(path, { mtimeSec, hash: sha256(await Deno.readFile(join(dir, path))) });
  }
  return out;
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/**
 * The tree and sync.db hold each expected file exactly once, at `YYYY/MM/DD/<name>` of its capture
 * time's UTC day, with the archive's bytes and mtime == capture time; nothing else, no temp folder.
 * Returns the items by content hash.
 */
async function assertImported(
  dir: string,
  exp: TakeoutExport,
  options: { includeTrashed?: boolean; captureMs?: (f: TakeoutFile) => number; extra?: number } = {},
): Promise<Map<string, ItemRow>> {
  const expected = uniqueFiles(exp, options.includeTrashed);
  const copies = copiesByHash(exp);
  const { items } = readDb(dir);
  const extra = options.extra ?? 0;
  assert.equal(items.length, expected.length + extra, "one item per unique file");
  const byHash = new Map(items.map((item) => [item.hash!, item]));
  assert.equal(byHash.size, items.length, "no content stored twice");
  const files = [...(await listing(dir)).entries()].filter(([path]) => !path.startsWith("albums/"));
  assert.equal(files.length, expected.length + extra, "no file but the imported ones");
  const onDisk = new Map(files);
  for (const f of expected) {
    const hash = sha256(f.bytes);
    const item = byHash.get(hash);
    assert.ok(item, `${f.path} imported`);
    assert.equal(item.status, "downloaded");
    assert.equal(item.source, "takeout");
    const captureMs = options.captureMs?.(f) ?? f.captureMs;
    assert.equal(item.created_ms, captureMs, `${f.path}: capture time`);
    const day = utcDay(captureMs);
    const path = item.path!;
    assert.equal(path.slice(0, path.lastIndexOf("/")), day, `${f.path}: folder`);
    const name = path.slice(path.lastIndexOf("/") + 1).replace(/ \([0-9a-f]{8}\)(?=\.[^.]*$|$)/, "")
      .normalize("NFC");
    // The name of one of its copies in the export, or the title its sidecar gives (a title Google had to
    // change into a name, `/` to `_`, is that copy's name); compared in NFC, composed or not being one name.
    const names = copies.get(hash)!.flatMap((c) => [c.name, ...(c.sidecar ? [c.title] : [])])
      .map((n) => n.normalize("NFC"));
    assert.ok(names.includes(name), `${f.path}: name ${name} not in ${names.join(", ")}`);
    const file = onDisk.get(path);
    assert.ok(file?.hash === hash, `${path}: the archive's bytes`);
    assert.equal(file.mtimeSec, Math.floor(captureMs / 1000), `${path}: mtime`);
  }
  assert.equal(await exists(join(dir, ".photosync-tmp")), false, "no temp folder left");
  return byHash;
}

/** The summary's `N entries: …` counts by category (its first two lines). */
function summary(stderr: string): Record<string, number> {
  const lines = stderr.split("\n");
  const at = lines.findIndex((l) => / entr(y|ies): /.test(l));
  assert.ok(at >= 0, `a summary line in:\n${stderr}`);
  const line = `${lines[at]} ${lines[at + 1]}`;
  const counts: Record<string, number> = { entries: Number(/(\d+) entr(?:y|ies):/.exec(line)![1]) };
  const categories = [
    "imported",
    "already present",
    "duplicates skipped",
    "trashed skipped",
    "sidecars used",
    "unmatched sidecars",
    "not media",
    "failed",
  ];
  for (const category of categories) {
    // One of each is said in the singular: `1 duplicate skipped`, `1 sidecar used`.
    const match = new RegExp(`(\\d+) ${category.replace(/s\b/, "s?")}`).exec(line);
    assert.ok(match, `"${category}" in ${line}`);
    counts[category] = Number(match[1]);
  }
  return counts;
}

const entriesIn = (exp: TakeoutExport) =>
  planArchives(exp).reduce((sum, part) => sum + part.entries.length, 0);

// ---------------------------------------------------------------------------------------------------------
// The shared export: hand-written quirks (literal names, counters, cuts, emoji, dating cases, trash,
// archive, albums, motion photos, edits) plus 20 ordinary items; German, both sidecar styles.

const WORK = await Deno.makeTempDir({ prefix: "photosync-takeout-test-" });
const EXPORT = generateTakeout({ count: 20, sidecarStyle: "mixed", language: "de" });
const ZIPS = await writeArchives(EXPORT, join(WORK, "zip"), { parts: 3 });
const TGZS = await writeArchives(EXPORT, join(WORK, "tgz"), { format: "tgz", parts: 3 });
const FOLDERS = await writeArchives(EXPORT, join(WORK, "folder"), { format: "folder", parts: 3 });
const SHUFFLED = [ZIPS[2], ZIPS[0], ZIPS[1]];

let counter = 0;
const outDir = (name: string) => join(WORK, `out-${++counter}-${name}`);

/** The import of the zips in shuffled order with --verbose, run once and shared. */
let zipImport: Promise<{ dir: string; run: CliResult }> | undefined;
function importZips() {
  return zipImport ??= (async () => {
    const dir = outDir("zip");
    const run = await cli(["takeout", `--dir=${dir}`, "--verbose", ...SHUFFLED]);
    assert.equal(run.code, 0, run.stderr);
    return { dir, run };
  })();
}

function itemFor(items: Map<string, ItemRow>, f: TakeoutFile): { item: ItemRow; json: ItemJson } {
  const item = items.get(sha256(f.bytes));
  assert.ok(item, `${f.path} imported`);
  return { item, json: JSON.parse(item.json) };
}

/** The copy of `f` whose archive entry the import read. */
function importedCopy(exp: TakeoutExport, json: ItemJson): TakeoutFile {
  const copy = exp.files.find((c) => c.path === json.takeout.entry);
  assert.ok(copy, `entry ${json.takeout.entry} is in the export`);
  return copy;
}

Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

// ---------------------------------------------------------------------------------------------------------
// Forms of an export

Deno.test("a zip export split over three archives, given in shuffled order, lands once per file by UTC day", async () => {
  const { dir } = await importZips();
  const items = await assertImported(dir, EXPORT);
  // The edge dates are there: before 1970 and after 2038.
  const early = EXPORT.files.find((f) => f.quirks.includes("pre-1970"))!;
  const late = EXPORT.files.find((f) => f.quirks.includes("future"))!;
  assert.ok(early.captureMs < 0 && late.captureMs > Date.UTC(2038, 0, 20));
  for (const f of [early, late]) {
    const { item } = itemFor(items, f);
    const stat = await Deno.stat(join(dir, item.path!));
    assert.equal(Math.floor(stat.mtime!.getTime() / 1000), Math.floor(f.captureMs / 1000));
  }
});

// The tgz import runs on a terminal: one run shows both (how the run reports is apart from what it imports).
Deno.test("a tgz export imports the same tree as the zips; on a terminal a progress line shows files and bytes of the total; off one, a line per file", async () => {
  const dir = outDir("tgz");
  // On a pseudo-terminal (util-linux `script`), per-file lines give way to a redrawn progress line.
  const command = cliCommand(utcDays(["takeout", `--dir=${dir}`, TGZS[1], TGZS[2], TGZS[0]]))
    .map((word) => `'${word}'`).join(" ");
  const tty = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", TERM: "xterm", TZ: "UTC" },
    stdin: "null",
  }).output();
  const screen = new TextDecoder().decode(tty.stdout);
  assert.equal(tty.code, 0, screen);
  await assertImported(dir, EXPORT);
  // deno-lint-ignore no-control-regex -- the line is redrawn in place: CR, then ESC [K (erase the line)
  assert.match(screen, /\r\x1b\[Kimported \d+\/\d+ files, [\d.]+ \w?B of [\d.]+ \w?B, /);
  assert.doesNotMatch(screen, /^imported /m, "no line per file on a terminal");
  assert.match(screen, /done in /);
  const { run } = await importZips();
  assert.match(run.stderr, /^imported \d{4}\/\d{2}\/\d{2}\//m, "a plain line per file off a terminal");
  assert.ok(!run.stderr.includes("\x1b["), "no terminal codes off a terminal");
});

Deno.test("an extracted export (folders) imports the same tree as the zips", async () => {
  const dir = outDir("folder");
  const run = await cli(["takeout", `--dir=${dir}`, ...FOLDERS]);
  assert.equal(run.code, 0, run.stderr);
  await assertImported(dir, EXPORT);
});

Deno.test("ZIP64 archives (the format of exports over 4 GB) import the same tree as the zips", async () => {
  const zip64 = await writeArchives(EXPORT, join(WORK, "zip64"), { parts: 2, zip64: true });
  // The ZIP64 end-of-central-directory record is there: signature 0x06064b50.
  const bytes = await Deno.readFile(zip64[0]);
  assert.ok(
    bytes.findLastIndex((_, i) =>
      bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 6 && bytes[i + 3] === 6
    ) > 0,
  );
  const dir = outDir("zip64");
  const run = await cli(["takeout", `--dir=${dir}`, ...zip64]);
  assert.equal(run.code, 0, run.stderr);
  await assertImported(dir, EXPORT);
});

Deno.test("one export as a mix of a tgz, a zip and an extracted folder imports completely", async () => {
  const dir = outDir("mix");
  const run = await cli(["takeout", `--dir=${dir}`, TGZS[2], FOLDERS[0], ZIPS[1]]);
  assert.equal(run.code, 0, run.stderr);
  await assertImported(dir, EXPORT);
  // The same tree as from the zips, but for which of two same-named files of one day gets the
  // collision tag: that follows the order the archives are read in (see the report: README says
  // the later by creation time).
  const untagged = async (root: string) =>
    [...(await listing(root))].map(([path, entry]) =>
      JSON.stringify([
        path.replace(/ \([0-9a-f]{8}\)(?=\.[^.]*$|$)/, ""),
        entry.hash ?? "link",
        entry.mtimeSec,
      ])
    ).sort();
  assert.deepEqual(
    await untagged(dir),
    await untagged((await importZips()).dir),
    "the same tree as from the zips",
  );
});

// ---------------------------------------------------------------------------------------------------------
// Sidecars, edited copies, motion photos

Deno.test("every sidecar naming rule finds the sidecar, and --verbose lists rule and date source", async () => {
  const { dir, run } = await importZips();
  const items = await assertImported(dir, EXPORT);
  const unique = uniqueFiles(EXPORT);
  const cases: Record<string, (f: TakeoutFile) => boolean> = {
    "new style": (f) => f.sidecarStyle === "new" && f.quirks.length === 0,
    "old style": (f) => f.sidecarStyle === "old" && f.quirks.length === 0,
    "46-unit cut": (f) => f.quirks.includes("sidecar-cut"),
    "counter (1)": (f) => f.quirks.includes("counter"),
    "a real ' (38)'": (f) => f.quirks.includes("real-parens"),
    "emoji": (f) => f.quirks.includes("emoji"),
    "47-unit media name cut": (f) => f.quirks.includes("name-cut"),
    "NFD name": (f) => f.quirks.includes("nfd"),
  };
  for (const [rule, test] of Object.entries(cases)) {
    const files = unique.filter((f) => f.sidecar && test(f));
    assert.ok(files.length > 0, `the export has a case of ${rule}`);
    for (const f of files) {
      const { item, json } = itemFor(items, f);
      const copy = importedCopy(EXPORT, json);
      assert.equal(json.takeout.sidecar, copy.sidecar, `${rule}: ${f.path}`);
      assert.equal(json.takeout.dateSource, "sidecar", `${rule}: ${f.path}`);
      assert.equal(item.created_ms, f.takenMs, `${rule}: ${f.path}`);
    }
  }
  // --verbose: one line per imported file, naming the sidecar, its rule and the date source.
  for (const item of items.values()) {
    const json: ItemJson = JSON.parse(item.json);
    const line = linesOf(run).find((l) => l.startsWith(`${json.takeout.entry}: sidecar `));
    assert.ok(line, `a verbose line for ${json.takeout.entry}`);
    assert.match(line, new RegExp(`; dated from ${json.takeout.dateSource}$`));
    if (json.takeout.sidecar) {
      assert.ok(line.includes(`${json.takeout.sidecar} (${json.takeout.rule})`), line);
    }
  }
  assert.match(run.stderr, /0 unmatched sidecars/);
});

Deno.test("edited copies take their original's date and record editedOf; motion videos their still's (motionOf)", async () => {
  const items = await assertImported((await importZips()).dir, EXPORT);
  const edited = uniqueFiles(EXPORT).filter((f) => f.editedOf);
  const motion = uniqueFiles(EXPORT).filter((f) => f.motionOf);
  assert.ok(edited.length >= 2 && motion.length >= 4);
  for (const f of [...edited, ...motion]) {
    const { item, json } = itemFor(items, f);
    const copy = importedCopy(EXPORT, json);
    const original = EXPORT.files.find((o) =>
      o.folder === copy.folder && o.name === (copy.editedOf ?? copy.motionOf)
    )!;
    assert.ok(original, `${f.path}: its original/still`);
    if (f.editedOf) assert.equal(json.editedOf, copy.editedOf, f.path);
    else assert.equal(json.motionOf, copy.motionOf, f.path);
    assert.equal(item.created_ms, original.captureMs, `${f.path} dated like ${original.name}`);
    assert.equal(json.takeout.sidecar, original.sidecar ?? undefined);
  }
});

// ---------------------------------------------------------------------------------------------------------
// Dating without a sidecar

Deno.test("files without a sidecar are dated by EXIF, then the file name, then the entry time (with a warning)", async () => {
  const { dir, run } = await importZips();
  const items = await assertImported(dir, EXPORT);
  const pick = (quirk: string) => {
    const f = uniqueFiles(EXPORT).find((f) => f.quirks.includes(quirk as never) && !f.editedOf);
    assert.ok(f, quirk);
    return { f, ...itemFor(items, f) };
  };
  const withOffset = pick("zero-timestamp");
  assert.ok(withOffset.f.exif?.offsetTimeOriginal, "the zero-timestamp case has OffsetTimeOriginal");
  const noOffset = pick("exif-only");
  assert.equal(noOffset.f.exif?.offsetTimeOriginal, undefined);
  for (const { f, json } of [withOffset, noOffset]) assert.equal(json.takeout.dateSource, "exif", f.path);
  assert.equal(pick("name-only").json.takeout.dateSource, "name");
  const undated = pick("undated");
  assert.equal(undated.json.takeout.dateSource, "file time");
  const warning = linesOf(run).find((l) => l.startsWith("warning: ") && l.includes("archive entry time"));
  assert.ok(warning?.includes(undated.f.path), `the warning lists ${undated.f.path}: ${warning}`);
});

const TOKYO = 9 * 3_600_000;
/** `f`'s capture time as an import with TZ=Asia/Tokyo reads it: EXIF without an offset and names in that TZ. */
const tokyoCapture = (f: TakeoutFile) =>
  f.dateSource === "name" || (f.dateSource === "exif" && !f.exif?.offsetTimeOriginal)
    ? f.captureMs - TOKYO
    : f.captureMs;

/**
 * The zips in shuffled order and a WhatsApp file dated by its name, imported once with TZ=Asia/Tokyo,
 * --include-trashed and --albums=none, and shared by the tests of each (what each changes is its own part of
 * the import: dates read in local time, the trash, the albums folder).
 */
let flagsImport: Promise<{ dir: string; run: CliResult; waBytes: Uint8Array }> | undefined;
function importWithFlags() {
  return flagsImport ??= (async () => {
    const dir = outDir("tokyo-trash-no-albums");
    const whatsApp = join(WORK, "whatsapp.zip");
    const waBytes = new TextEncoder().encode("not an image, no EXIF: dated by its name");
    await writeZip(whatsApp, [["Takeout/Google Fotos/Fotos von 2020/IMG-20200101-WA0001.jpg", waBytes]]);
    const run = await cli(
      ["takeout", `--dir=${dir}`, "--include-trashed", "--albums=none", ...SHUFFLED, whatsApp],
      { TZ: "Asia/Tokyo" },
    );
    assert.equal(run.code, 0, run.stderr);
    return { dir, run, waBytes };
  })();
}

Deno.test("EXIF without an offset and names are read in the importer's TZ; a WhatsApp day keeps its day east of UTC", async () => {
  // The shared import with TZ=Asia/Tokyo (and --include-trashed: the trash is imported too).
  const { dir, waBytes } = await importWithFlags();
  const tokyo = TOKYO;
  const exp = EXPORT;
  // The WhatsApp file is one item on top of the export's.
  const items = await assertImported(dir, exp, { includeTrashed: true, extra: 1, captureMs: tokyoCapture });
  const exifOnly = uniqueFiles(exp).find((f) => f.quirks.includes("exif-only"))!;
  assert.equal(itemFor(items, exifOnly).item.created_ms, exifOnly.exifMs! - tokyo);
  const nameOnly = uniqueFiles(exp).find((f) => f.quirks.includes("name-only"))!;
  assert.equal(itemFor(items, nameOnly).item.created_ms, nameOnly.nameMs! - tokyo);
  const withOffset = uniqueFiles(exp).find((f) => f.quirks.includes("zero-timestamp"))!;
  assert.equal(itemFor(items, withOffset).item.created_ms, withOffset.exifMs);
  const wa = items.get(sha256(waBytes));
  assert.ok(wa, "the WhatsApp file is imported");
  assert.equal(wa.path, "2020/01/01/IMG-20200101-WA0001.jpg", "noon in Tokyo is still 1 January in UTC");
  assert.equal(wa.created_ms, Date.UTC(2020, 0, 1, 12) - tokyo);
});

// ---------------------------------------------------------------------------------------------------------
// Duplicates and albums

Deno.test("album copies are stored once, recorded as album membership, and linked under albums/<title>/", async () => {
  const { dir } = await importZips();
  const items = await assertImported(dir, EXPORT);
  const db = readDb(dir);
  const albumCopies = EXPORT.files.filter((f) => f.copyOf && !f.trashed);
  assert.ok(albumCopies.length > 5);
  assert.ok(db.items.length < uniqueFiles(EXPORT).length + albumCopies.length);
  // Titles come from each album's metadata.json (localised; an untitled album gets its folder's name).
  const titles = new Map(db.albums.map((a) => [a.id, a.title]));
  for (const album of EXPORT.albums) {
    const title = album.title || album.folder;
    const id = `takeout:${EXPORT.root}/${album.folder}/`;
    assert.equal(titles.get(id), title, album.folder);
    const members = EXPORT.files.filter((f) => f.folder === album.folder);
    const recorded = db.memberships.filter((m) => m.album_id === id).map((m) => m.item_id).sort();
    const expected = [...new Set(members.map((f) => itemFor(items, f).item.id))].sort();
    assert.deepEqual(recorded, expected, `members of ${album.folder}`);
    // Each member has a relative link in albums/<title>/ that resolves to its dated file.
    for (const f of members) {
      const { item } = itemFor(items, f);
      let found = false;
      for await (const entry of Deno.readDir(join(dir, "albums", title))) {
        const link = join(dir, "albums", title, entry.name);
        const target = await Deno.readLink(link);
        assert.ok(!target.startsWith("/"), `${link} is relative: ${target}`);
        if (resolve(join(dir, "albums", title), target) !== join(dir, item.path!)) continue;
        assert.equal(sha256(await Deno.readFile(link)), sha256(f.bytes), `${link}: the member's bytes`);
        found = true;
      }
      assert.ok(found, `albums/${title}/ links to ${item.path}`);
    }
  }
  assert.ok(EXPORT.albums.some((a) => a.title !== a.folder), "a title that differs from its folder");
});

// ---------------------------------------------------------------------------------------------------------
// Trash, archive, the summary

Deno.test("the trash is skipped by default and imported with --include-trashed; archived items are recorded; --albums=none records album membership but writes no albums folder", async () => {
  const trashed = uniqueFiles(EXPORT, true).filter((f) => f.trashed);
  assert.ok(trashed.length > 0);
  const { dir: plain } = await importZips();
  const items = await assertImported(plain, EXPORT);
  for (const f of trashed) assert.equal(items.get(sha256(f.bytes)), undefined, `${f.path} skipped`);
  for (const f of uniqueFiles(EXPORT).filter((f) => f.archived && f.sidecar)) {
    assert.equal(itemFor(items, f).json.archived, true, `${f.path} recorded as archived`);
  }

  // The shared import with --include-trashed and --albums=none (its TZ=Asia/Tokyo reads some dates nine hours
  // off UTC's: tokyoCapture; its WhatsApp file is one item more).
  const { dir, run } = await importWithFlags();
  const all = await assertImported(dir, EXPORT, { includeTrashed: true, extra: 1, captureMs: tokyoCapture });
  for (const f of trashed) assert.equal(itemFor(all, f).json.trashed, true, `${f.path} recorded as trashed`);
  assert.equal(summary(run.stderr)["trashed skipped"], 0, "--include-trashed: no trash skipped");
  // --albums=none: the memberships are recorded, no albums folder is written.
  assert.equal(await exists(join(dir, "albums")), false, "--albums=none: no albums folder");
  const db = readDb(dir);
  assert.equal(db.albums.length, EXPORT.albums.length, "--albums=none: every album recorded");
  assert.ok(
    db.memberships.length >= EXPORT.files.filter((f) => f.copyOf && !f.trashed).length / 2,
    "--albums=none: album memberships recorded",
  );
});

Deno.test("the summary accounts for every entry of every archive", async () => {
  const { run } = await importZips();
  const counts = summary(run.stderr);
  const { entries, ...categories } = counts;
  assert.equal(entries, entriesIn(EXPORT));
  assert.equal(Object.values(categories).reduce((a, b) => a + b, 0), entries);
  assert.equal(counts.imported, uniqueFiles(EXPORT).length);
  assert.equal(counts["duplicates skipped"], EXPORT.files.filter((f) => f.copyOf && !f.trashed).length);
  assert.equal(counts["trashed skipped"], EXPORT.files.filter((f) => f.trashed).length);
  assert.equal(counts["sidecars used"], EXPORT.files.filter((f) => f.sidecar).length);
  assert.equal(counts["not media"], EXPORT.extras.length);
  assert.equal(counts.failed, 0);
});

Deno.test("photosync status --json counts the imported items under sources.takeout", async () => {
  const { dir } = await importZips();
  const run = await cli(["status", `--dir=${dir}`, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const status = JSON.parse(run.stdout);
  assert.equal(status.sources.takeout, uniqueFiles(EXPORT).length);
  assert.equal(status.items, uniqueFiles(EXPORT).length);
});

// ---------------------------------------------------------------------------------------------------------
// Running again

Deno.test("re-importing the same export imports nothing and changes no file", async () => {
  const { dir } = await importZips();
  const before = await listing(dir);
  const run = await cli(["takeout", `--dir=${dir}`, ...ZIPS]);
  assert.equal(run.code, 0, run.stderr);
  const counts = summary(run.stderr);
  assert.equal(counts.imported, 0);
  // Every media entry was recorded as done by the first run: the album copies too.
  assert.equal(counts["already present"], EXPORT.files.filter((f) => !f.trashed).length);
  assert.equal(counts["duplicates skipped"], 0);
  assert.deepEqual(await listing(dir), before);
  await assertImported(dir, EXPORT);
});

Deno.test("an overlapping newer export imports only its new files", async () => {
  // The shared import, copied (the same tree and sync.db as importing the export again here).
  const dir = outDir("newer");
  await copyBackup((await importZips()).dir, dir);
  const before = await listing(dir);
  const more = generateTakeout({
    seed: 7,
    count: 8,
    specials: false,
    language: "de",
    exportedAt: "2026-01-05T08:00:00Z",
  });
  const paths = new Set(EXPORT.files.map((f) => f.path));
  assert.ok(more.files.every((f) => !paths.has(f.path)), "the new files are new");
  // Both exports' files, folder by folder (an archive lists a folder's files together).
  const merged = [...EXPORT.files, ...more.files];
  const folders = [...new Set(merged.map((f) => f.folder))];
  const newer: TakeoutExport = {
    ...more,
    files: folders.flatMap((folder) => merged.filter((f) => f.folder === folder)),
    extras: [...EXPORT.extras, ...more.extras.filter((x) => !EXPORT.extras.some((e) => e.path === x.path))],
    albums: EXPORT.albums,
  };
  const archives = await writeArchives(newer, join(WORK, "newer"), { parts: 2 });
  const run = await cli(["takeout", `--dir=${dir}`, ...archives]);
  assert.equal(run.code, 0, run.stderr);
  const counts = summary(run.stderr);
  assert.equal(counts.imported, uniqueFiles(more).length);
  assert.equal(counts["already present"], uniqueFiles(EXPORT).length);
  await assertImported(dir, newer);
  const after = await listing(dir);
  for (const [path, entry] of before) assert.deepEqual(after.get(path), entry, `${path} unchanged`);
});

// ---------------------------------------------------------------------------------------------------------
// Damage and bad input

Deno.test("a truncated zip and a corrupt tgz fail with one line each; the good archives import fully", async () => {
  const parts = planArchives(EXPORT, { parts: 4 });
  const zips = await writeArchives(EXPORT, join(WORK, "damage-zip"), { parts: 4 });
  const tgzs = await writeArchives(EXPORT, join(WORK, "damage-tgz"), { format: "tgz", parts: 4 });
  await damageArchive(zips[1], "truncate");
  await damageArchive(tgzs[2], "corrupt");
  const dir = outDir("damage");
  const run = await cli(["takeout", `--dir=${dir}`, zips[0], zips[1], tgzs[2], tgzs[3]]);
  assert.equal(run.code, 1, run.stderr);
  for (const damaged of [zips[1], tgzs[2]]) {
    const errors = linesOf(run).filter((l) => l.startsWith("error: ") && l.includes(damaged));
    assert.equal(errors.length, 1, `one error line for ${damaged}:\n${run.stderr}`);
  }
  assert.equal(linesOf(run).filter((l) => l.startsWith("error: ")).length, 2, run.stderr);
  // The run is recorded failed with its error, as a failed sync is: status says why.
  await assertFailedRun(dir, linesOf(run).find((l) => l.startsWith("error: "))!.slice("error: ".length));
  // So is an import of the same exports from a folder (--from), where a sync client puts them.
  const folder = join(WORK, "damage-from");
  await Deno.mkdir(folder);
  // Delivered two days ago: a highest part as large as the others is no delivery still running.
  const delivered = new Date(Date.now() - 2 * 86_400_000);
  for (const zip of zips) {
    await Deno.copyFile(zip, join(folder, basename(zip)));
    await Deno.utime(join(folder, basename(zip)), delivered, delivered);
  }
  const fromDir = outDir("damage-from");
  const from = await cli(["takeout", `--dir=${fromDir}`, `--from=${folder}`]);
  assert.equal(from.code, 1, from.stderr);
  const fromError = linesOf(from).find((l) => l.startsWith("error: "))!.slice("error: ".length);
  await assertFailedRun(fromDir, new RegExp(`^export \\S+: ${RegExp.escape(fromError)}$`));
  // Every media file of the good archives is there, with its bytes.
  const { items } = readDb(dir);
  const stored = new Set(items.map((item) => item.hash));
  for (const part of [parts[0], parts[3]]) {
    for (const entry of part.entries) {
      if (entry.kind !== "media" || entry.file!.trashed) continue;
      assert.ok(stored.has(sha256(entry.file!.bytes)), `${entry.path} imported`);
    }
  }
  // Nothing of the damaged tgz: gzip checks it only as a whole (its damage here is a stored block, which
  // leaves every tar header readable and one photo's bytes wrong).
  const fromGood = new Set(
    [parts[0], parts[3]].flatMap((part) =>
      part.entries.filter((entry) => entry.kind === "media").map((entry) => sha256(entry.file!.bytes))
    ),
  );
  for (const entry of parts[2].entries) {
    if (entry.kind !== "media" || fromGood.has(sha256(entry.file!.bytes))) continue;
    assert.ok(!stored.has(sha256(entry.file!.bytes)), `${entry.path} is not imported from the damaged tgz`);
  }
  // Nothing partial: every file in the tree is one of the export's, complete; no temp folder.
  const truth = copiesByHash(EXPORT);
  for (const [path, entry] of await listing(dir)) {
    if (entry.link) continue;
    assert.ok(truth.has(entry.hash!), `${path} is a complete file of the export`);
  }
  for (const item of items) {
    assert.equal(item.status, "downloaded");
    assert.ok(truth.has(item.hash!), `${item.path}: recorded bytes are the export's`);
  }
  assert.equal(await exists(join(dir, ".photosync-tmp")), false);
});

/** `status` of the backup in `dir` shows its takeout run failed with `error` (its first error line, and more). */
async function assertFailedRun(dir: string, error: string | RegExp): Promise<void> {
  const json = await cli(["status", `--dir=${dir}`, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const { runs } = JSON.parse(json.stdout);
  assert.equal(runs.takeout.outcome, "failed");
  assert.equal(runs.takeout.exitCode, 1);
  const starts = typeof error === "string"
    ? new RegExp(`^${RegExp.escape(error)}( \\(and 1 more: see .*\\))?$`)
    : error;
  assert.match(runs.takeout.message ?? "", starts);
  const text = await cli(["status", `--dir=${dir}`]);
  assert.ok(text.stdout.includes(`    ${runs.takeout.message}`), text.stdout);
}

Deno.test("a corrupt entry in a zip is reported with the entry's name (exit 3); the rest imports", async () => {
  const [zip] = await writeArchives(EXPORT, join(WORK, "corrupt-zip"), { parts: 1 });
  await damageArchive(zip, "corrupt");
  const dir = outDir("corrupt-zip");
  const run = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(run.code, 3, run.stderr);
  const warnings = linesOf(run).filter((l) => l.startsWith("warning: ") && l.includes(zip));
  assert.equal(warnings.length, 1, run.stderr);
  assert.match(warnings[0], /Takeout\/.+: .+/, "the entry is named");
  assert.equal(warnings[0].split("Takeout/").length, 2, `the entry is named once: ${warnings[0]}`);
  const { items } = readDb(dir);
  const truth = copiesByHash(EXPORT);
  assert.ok(items.length > 0);
  for (const item of items) assert.ok(truth.has(item.hash!), `${item.path}: recorded bytes are the export's`);
  for (const [path, entry] of await listing(dir)) {
    if (!entry.link) assert.ok(truth.has(entry.hash!), `${path} is a complete file of the export`);
  }
  assert.equal(await exists(join(dir, ".photosync-tmp")), false);
});

Deno.test("a corrupt sidecar in a zip is reported with its name (exit 3); every media file imports", async () => {
  const [zip] = await writeArchives(EXPORT, join(WORK, "corrupt-sidecar"), { parts: 1, level: 0 });
  // Stored (level 0): the JSON text is in the file as is; change one byte of the first sidecar.
  const bytes = await Deno.readFile(zip);
  const at = new TextDecoder("latin1").decode(bytes).indexOf('"photoTakenTime"');
  bytes[at + 1] ^= 0x20;
  await Deno.writeFile(zip, bytes);
  const dir = outDir("corrupt-sidecar");
  const run = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(run.code, 3, run.stderr);
  const warnings = linesOf(run).filter((l) => l.startsWith("warning: ") && l.includes(zip));
  assert.equal(warnings.length, 1, run.stderr);
  assert.match(warnings[0], /\.json: /, "the sidecar is named");
  const { items } = readDb(dir);
  assert.equal(
    items.length,
    new Set(EXPORT.files.filter((f) => !f.trashed).map((f) => sha256(f.bytes))).size,
  );
});

Deno.test("a path that is no archive or folder exits 2 with one line and writes nothing", async () => {
  const notes = join(WORK, "notes.txt");
  await Deno.writeTextFile(notes, "not an archive");
  const dir = outDir("bad-input");
  for (const bad of [notes, join(WORK, "missing.zip")]) {
    // Refused before any work: in-process.
    const run = await runPhotosync(utcDays(["takeout", `--dir=${dir}`, ZIPS[0], bad]), { inProcess: true });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(linesOf(run).length, 1, run.stderr);
    assert.match(linesOf(run)[0], /^error: .*(notes\.txt|missing\.zip)/);
    assert.equal(await exists(dir), false, "nothing written");
  }
});

// ---------------------------------------------------------------------------------------------------------
// Hostile archives

// kill -9 during an import, then a plain re-run: tests/takeout_runs.test.ts (with album links).

Deno.test("entry names that climb out of --dir (../, absolute, album titles) never write outside it", async () => {
  const root = join(WORK, "hostile");
  const dir = join(root, "a", "b", "out");
  await Deno.mkdir(join(root, "a", "b"), { recursive: true });
  const bytes = (text: string) => new TextEncoder().encode(text);
  const sidecar = (title: string) =>
    bytes(JSON.stringify({ title, photoTakenTime: { timestamp: "1577880000" } }));
  const zipPath = join(root, "evil.zip");
  await writeZip(zipPath, [
    ["../../escape.jpg", bytes("zip escape")],
    ["/abs/evil.jpg", bytes("zip absolute")],
    ["Takeout/Google Photos/Photos from 2020/../../../../../climb.jpg", bytes("zip climb")],
    ["Takeout/Google Photos/../../../dots.jpg", bytes("zip dots")],
    ["Takeout/Google Photos/../../../dots.jpg.json", sidecar("../../../../titled.jpg")],
    [
      "Takeout/Google Photos/Evil album/metadata.json",
      bytes(JSON.stringify({ title: "../../../evil-album" })),
    ],
    ["Takeout/Google Photos/Evil album/pic.jpg", bytes("zip album member")],
  ]);
  const tgzPath = join(root, "evil.tgz");
  await writeTgz(tgzPath, [
    ["../../tgz-escape.jpg", bytes("tgz escape")],
    ["/abs/tgz-evil.jpg", bytes("tgz absolute")],
    ["Takeout/Google Photos/../../../../../tgz-climb.jpg", bytes("tgz climb")],
    // Links inside a tgz are never followed nor made: they are no files of an export.
    ["Takeout/Google Photos/Photos from 2020/passwd.jpg", { type: "symlink", linkname: "/etc/passwd" }],
    ["Takeout/Google Photos/Photos from 2020/up.jpg", { type: "symlink", linkname: "../../../../escape" }],
    ["Takeout/Google Photos/Photos from 2020/hard.jpg", { type: "link", linkname: "../../tgz-escape.jpg" }],
  ]);
  const run = await cli(["takeout", `--dir=${dir}`, zipPath, tgzPath]);
  assert.ok(run.code === 0 || run.code === 3, run.stderr);
  // Outside --dir: only what the test wrote.
  const outside = [...(await listing(root)).keys()].filter((path) => !path.startsWith("a/b/out/"));
  assert.deepEqual(outside.sort(), ["evil.tgz", "evil.zip"]);
  assert.equal(await exists("/abs"), false);
  // Inside: the files of the Google Photos folder are imported, each under its date (those that climb out of
  // it by name too); the four outside it (`../`, absolute) are no Google Photos files, and left out.
  const { items } = readDb(dir);
  assert.equal(items.length, 4, run.stderr);
  assert.match(run.stderr, /, 4 not Google Photos, /);
  // The links are entries too: the report counts 7 + 3 + 3 of them.
  assert.match(run.stderr, /: 13 entries: /);
  for (const item of items) {
    assert.match(item.path!, /^\d{4}\/\d{2}\/\d{2}\/[^/]+$/);
    assert.ok(item.path!.split("/").every((part) => part !== ".." && part !== "."), item.path!);
  }
  for (const [path, entry] of await listing(dir)) {
    if (!entry.link) continue;
    const target = resolve(join(dir, path, ".."), entry.link);
    assert.ok(target.startsWith(`${dir}/`), `${path} links inside --dir: ${target}`);
  }
});
