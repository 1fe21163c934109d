import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { BlobWriter, Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import tar from "tar-stream";
import { ByteBudget } from "../../core/byte_budget.ts";
import { DEFAULT_LAYOUT, layoutMapper } from "../../core/layout.ts";
import { idTag } from "../../core/names.ts";
import { OutputTree } from "../../core/output_tree.ts";
import { Store } from "../../core/store.ts";
import { testLogger } from "../../core/test_logger.ts";
import { localArchive } from "./archive.ts";
import type { ArchiveSource } from "./archive_source.ts";
import { catalog } from "./catalog.ts";
import { ArchiveError } from "./entry.ts";
import { type ImportOptions, importTakeout } from "./import.ts";
import { planImport } from "./plan.ts";
import { TakeoutRecords } from "./records.ts";
import { EarlyStageWorkers, Stager, WORKER_ENTRY_BYTES, WORKER_MIN_BYTES } from "./stage.ts";
import { StagePool } from "./stage_pool.ts";

/** A file of a test archive: its path, bytes (text) and entry time. */
type Entry = [path: string, text: string, mtimeMs?: number];

const ENTRY_TIME = Date.UTC(2018, 0, 2, 12);
const bytesOf = (text: string) => new TextEncoder().encode(text);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const sidecar = (title: string, takenMs: number, more: object = {}) =>
  JSON.stringify({ title, photoTakenTime: { timestamp: String(takenMs / 1000) }, ...more });

/**
 * An archive held in memory: the {@link ArchiveSource} a remote export (Drive, WebDAV) would
 * implement. `breakAfter`: read a second time (by the import, after the catalog), it breaks off
 * after that many entries, as a connection may; `corrupt`: entries whose bytes cannot be read.
 */
function memoryArchive(
  name: string,
  entries: Entry[],
  options: { breakAfter?: number; corrupt?: string[]; sequential?: boolean } = {},
): ArchiveSource {
  let readings = 0;
  return {
    path: `memory/${name}`,
    name,
    sequential: options.sequential ?? false,
    async *entries() {
      readings++;
      for (const [i, [path, text, mtimeMs]] of entries.entries()) {
        if (readings > 1 && i === options.breakAfter) throw new ArchiveError("the connection broke off");
        const corrupt = options.corrupt?.includes(path);
        yield {
          path,
          size: bytesOf(text).length,
          mtimeMs: mtimeMs ?? ENTRY_TIME,
          body: () =>
            corrupt
              ? new ReadableStream({ start: (c) => c.error(new ArchiveError(`${path}: bad CRC`)) })
              : ReadableStream.from([bytesOf(text)]),
        };
      }
    },
  };
}

/** An output folder with its store, and a function importing `inputs` into it. */
async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "photosync-import-test-" });
  const store = Store.open(root);
  const logger = testLogger();
  return {
    root,
    store,
    logger,
    async run(inputs: ArchiveSource[], options: Partial<ImportOptions> = {}) {
      const records = new TakeoutRecords(store, inputs.map((input) => input.name));
      return await importTakeout(await catalog(inputs, { earlier: (...at) => records.earlier(...at) }), {
        store,
        tree: new OutputTree(root),
        inputs,
        records,
        logger,
        pathMapper: layoutMapper(DEFAULT_LAYOUT),
        albums: "links",
        includeTrashed: false,
        ...options,
      });
    },
    read: (path: string) => Deno.readTextFile(join(root, path)),
    async files(dir = ""): Promise<string[]> {
      const found: string[] = [];
      for await (const entry of Deno.readDir(join(root, dir))) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory) found.push(...await this.files(path));
        else if (dir) found.push(path);
      }
      return found.sort();
    },
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

const TAKEN = Date.UTC(2020, 4, 1, 9);
const GP = "Takeout/Google Photos";

/** Two archives of one export: an album, its copy in a year folder, dates of each kind, and a name twice on one day. */
const PART_1: Entry[] = [
  [`${GP}/Trip/metadata.json`, JSON.stringify({ title: "Trip to the sea" })],
  [`${GP}/Trip/IMG_1.jpg`, "photo one"],
  [`${GP}/Trip/IMG_1.jpg.json`, sidecar("IMG_1.jpg", TAKEN)],
  [`${GP}/Photos from 2020/IMG_1.jpg`, "photo one"],
  [`${GP}/Photos from 2020/IMG_1.jpg.json`, sidecar("IMG_1.jpg", TAKEN)],
  [`${GP}/Photos from 2019/IMG_20190405_101112.jpg`, "named"],
  [`${GP}/Photos from 2018/same.jpg`, "first same"],
  ["Takeout/archive_browser.html", "<html>"],
];
const PART_2: Entry[] = [
  [`${GP}/Old phone/same.jpg`, "second same"],
  [`${GP}/Photos from 2018/bin.jpg`, "in the trash"],
  [`${GP}/Photos from 2018/bin.jpg.json`, sidecar("bin.jpg", TAKEN, { trashed: true })],
];

/** `YYYY/MM/DD` of an instant in UTC (the default layout). */
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll("-", "/");

Deno.test("importTakeout over archives held in memory: every media file once per content, dated, named in the archives' order, counted", async () => {
  await using f = await fixture();
  const inputs = [memoryArchive("takeout-001.zip", PART_1), memoryArchive("takeout-002.zip", PART_2)];
  const report = await f.run(inputs);
  const named = new Date(2019, 3, 5, 10, 11, 12).getTime(); // The name's local time.
  const tagged = `same (${idTag(`takeout:${sha256("second same")}`)}).jpg`;
  assert.deepEqual(
    await f.files(),
    [
      `${utcDay(ENTRY_TIME)}/same.jpg`,
      `${utcDay(ENTRY_TIME)}/${tagged}`,
      `${utcDay(named)}/IMG_20190405_101112.jpg`,
      `${utcDay(TAKEN)}/IMG_1.jpg`,
      "albums/Trip to the sea/IMG_1.jpg",
    ].sort(),
  );
  assert.equal(await f.read(`${utcDay(ENTRY_TIME)}/same.jpg`), "first same");
  assert.equal(await f.read(`${utcDay(ENTRY_TIME)}/${tagged}`), "second same");
  assert.equal(await f.read("albums/Trip to the sea/IMG_1.jpg"), "photo one");
  const photo = f.store.item(`takeout:${sha256("photo one")}`)!;
  assert.deepEqual([photo.status, photo.size, photo.createdMs], ["downloaded", 9, TAKEN]);
  assert.equal(JSON.parse(photo.json).takeout.entry, `${GP}/Trip/IMG_1.jpg`);
  assert.equal((await Deno.stat(join(f.root, photo.path!))).mtime?.getTime(), TAKEN);

  assert.deepEqual(report, {
    entries: 11,
    imported: 4,
    alreadyPresent: 0,
    duplicates: 1,
    sidecarsUsed: 3,
    trashed: 1,
    notMedia: 2,
    notGooglePhotos: 0,
    notGooglePhotosFolders: [],
    unmatchedSidecars: 0,
    failed: 0,
    unread: 0,
    damagedArchives: 0,
    albumLinksNotMade: 0,
    bytes: ["photo one", "named", "first same", "second same"].join("").length,
    restored: 0,
    placedAgain: 0,
    redated: 0,
    removed: 0,
    trashKept: { shared: 0, changed: 0, absent: 0 },
    updated: 0,
    datedFrom: { sidecar: 1, exif: 0, name: 1, "file time": 2, none: 0 },
    datedByFileTime: { count: 2, first: [`${GP}/Photos from 2018/same.jpg`, `${GP}/Old phone/same.jpg`] },
    undated: { count: 0, first: [] },
    invalidDates: { count: 0, first: [] },
    ambiguous: { count: 0, first: [] },
    unknownKinds: { count: 0, first: [] },
    unmatchedSidecarNames: { count: 0, first: [] },
    failures: { count: 0, first: [] },
  });
  assert.equal(f.logger.lines.event.length, 4);
  // A record per media entry, and the album's title.
  const records = f.store.checkpoints("takeout").map(({ key }) => JSON.parse(key)[0]);
  assert.deepEqual(records.sort(), ["album", "entry", "entry", "entry", "entry", "entry"]);

  // Again: every entry is skipped by its checkpoint, unread; nothing changes.
  const again = await f.run(inputs);
  assert.deepEqual([again.imported, again.alreadyPresent, again.duplicates], [0, 5, 0]);
  assert.equal((await f.files()).length, 5);
});

Deno.test("importTakeout: of a Takeout of several products, and of a folder holding more than the export, only the Google Photos folder's files are imported", async () => {
  await using f = await fixture();
  const stamp = "takeout-20250102T030405Z";
  const photos = `Takeout/Google Fotos/Fotos von 2020`;
  const report = await f.run([
    memoryArchive(`${stamp}-001.zip`, [
      [`${photos}/IMG_1.jpg`, "photo one"],
      [`${photos}/IMG_1.jpg.supplemental-metadata.json`, sidecar("IMG_1.jpg", TAKEN)],
      ["Takeout/Drive/Scans/receipt.jpg", "a scan in Drive"],
      ["Takeout/Drive/Scans/receipt.jpg.json", sidecar("receipt.jpg", TAKEN)],
      ["Takeout/YouTube and YouTube Music/videos/clip.mp4", "an upload to YouTube"],
      ["Takeout/archive_browser.html", "<html>"],
    ]),
    // Another part of the same export: a product alone in it is that product's, here too.
    memoryArchive(`${stamp}-002.zip`, [["Takeout/Keep/note.png", "a note's picture"]]),
    // A folder given that holds an extracted export and more (no stamp: an export of its own).
    memoryArchive("downloads", [
      ["takeout-x/Takeout/Google Photos/Photos from 2021/IMG_2.jpg", "photo two"],
      ["holiday/IMG_3.jpg", "not from Google Photos"],
      ["tool.ts", "const x = 1;"],
    ]),
  ]);
  assert.deepEqual(await f.files(), [`${utcDay(TAKEN)}/IMG_1.jpg`, `${utcDay(ENTRY_TIME)}/IMG_2.jpg`].sort());
  assert.equal(report.imported, 2);
  assert.equal(report.sidecarsUsed, 1);
  assert.equal(report.notMedia, 1);
  assert.equal(report.notGooglePhotos, 6);
  // The largest first, then in the order the archives hold them.
  assert.deepEqual(report.notGooglePhotosFolders, [
    "Takeout/Drive/ (2)",
    "Takeout/YouTube and YouTube Music/ (1)",
    "Takeout/Keep/ (1)",
    "holiday/ (1)",
    "./ (1)",
  ]);
  assert.equal(
    report.entries,
    report.imported + report.sidecarsUsed + report.notMedia + report.notGooglePhotos,
  );
});

Deno.test("catalog: a remote part is told to fetch no JSON file of another product, and none is read", async () => {
  const entries: Entry[] = [
    [`${GP}/Photos from 2020/IMG_1.jpg`, "photo one"],
    [`${GP}/Photos from 2020/IMG_1.jpg.supplemental-metadata.json`, sidecar("IMG_1.jpg", TAKEN)],
    ["Takeout/Keep/note one.json", JSON.stringify({ title: "note one.jpg" })],
    ["Takeout/Fit/Daily activity metrics/2020-01-01.json", "{}"],
  ];
  const told: number[][] = [];
  const read: string[] = [];
  const remote: ArchiveSource = {
    path: "store/takeout-20250102T030405Z-001.zip",
    name: "takeout-20250102T030405Z-001.zip",
    sequential: false,
    willRead: (indices) => told.push([...indices]),
    async *entries() {
      for (const [index, [path, text]] of entries.entries()) {
        yield {
          path,
          size: bytesOf(text).length,
          mtimeMs: ENTRY_TIME,
          index,
          body: () => {
            read.push(path);
            return ReadableStream.from([bytesOf(text)]);
          },
        };
      }
    },
  };
  const found = await catalog([remote]);
  assert.deepEqual(told, [[1]]);
  assert.deepEqual(read, [entries[1][0]]);
  assert.deepEqual(found.notGooglePhotos.map(({ ref, top }) => [ref.path, top]), [
    ["Takeout/Keep/note one.json", "Takeout/Keep/"],
    ["Takeout/Fit/Daily activity metrics/2020-01-01.json", "Takeout/Fit/"],
  ]);
  assert.deepEqual(found.media.map((media) => [media.entry.path, media.sidecar?.name]), [
    [entries[0][0], "IMG_1.jpg.supplemental-metadata.json"],
  ]);
});

// An export whose Google Photos folder has a name not in the list (a language photosync does not know):
// nothing is left out, so that no photo is lost for it.
Deno.test("importTakeout: where the Google Photos folder's name is not known, every folder is the export's", async () => {
  await using f = await fixture();
  const report = await f.run([
    memoryArchive("takeout-20250102T030405Z-001.zip", [
      ["Takeout/Google Ảnh/Ảnh từ 2020/IMG_1.jpg", "photo one"],
      ["Takeout/Google Ảnh/Ảnh từ 2020/IMG_1.jpg.supplemental-metadata.json", sidecar("IMG_1.jpg", TAKEN)],
      ["Takeout/Google Ảnh/Ảnh từ 2020/VID_2.mp4", "a video"],
    ]),
  ]);
  assert.equal(report.imported, 2);
  assert.equal(report.notGooglePhotos, 0);
});

Deno.test("importTakeout: a later export's sidecar moves a file to the date it gives, but not on an ambiguous match", async () => {
  await using f = await fixture();
  const folder = `${GP}/Photos from 2020`;
  const part = (stamp: string, sidecars: [string, number][]) =>
    memoryArchive(`takeout-${stamp}-001.zip`, [
      [`${folder}/IMG_1.jpg`, "photo one"],
      ...sidecars.map(([name, ms]) => [`${folder}/${name}`, sidecar("IMG_1.jpg", ms)] as Entry),
    ]);
  const later = Date.UTC(1999, 11, 31, 12);
  await f.run([part("20250101T000000Z", [["IMG_1.jpg.supplemental-metadata.json", TAKEN]])]);
  assert.deepEqual(await f.files(), [`${utcDay(TAKEN)}/IMG_1.jpg`]);
  // Two sidecars fit the name (old and new style): which is the photo's is a guess, and nothing moves.
  const guessed = await f.run([
    part("20250301T000000Z", [["IMG_1.jpg.json", later], ["IMG_1.jpg.supplemental-metadata.json", later]]),
  ]);
  assert.equal(guessed.updated, 0);
  assert.deepEqual(await f.files(), [`${utcDay(TAKEN)}/IMG_1.jpg`]);
  // One that fits alone: the file moves to the day it gives, with that mtime; a move that failed half-way
  // (a file where its folder goes: that entry fails) is finished by the next run, whatever it imports.
  const day = utcDay(later);
  await Deno.mkdir(join(f.root, day, ".."), { recursive: true });
  await Deno.writeTextFile(join(f.root, day), "in the way");
  const stamp = "20250501T000000Z";
  const blocked = await f.run([part(stamp, [["IMG_1.jpg.supplemental-metadata.json", later]])]);
  assert.equal(blocked.failed, 1);
  assert.match(blocked.failures.first[0], /it is not a folder/);
  assert.equal(await f.read(`${utcDay(TAKEN)}/IMG_1.jpg`), "photo one", "not moved yet");
  await Deno.remove(join(f.root, day));
  await f.run([part("20250101T000000Z", [["IMG_1.jpg.supplemental-metadata.json", TAKEN]])]);
  assert.deepEqual(await f.files(), [`${day}/IMG_1.jpg`]);
  assert.equal((await Deno.stat(join(f.root, `${day}/IMG_1.jpg`))).mtime?.getTime(), later);
  const item = f.store.item(`takeout:${sha256("photo one")}`)!;
  assert.deepEqual([item.createdMs, JSON.parse(item.json).takeout.updatedBy], [later, stamp]);
  // The older export read again changed nothing back.
  assert.equal((await f.run([part(stamp, [["IMG_1.jpg.supplemental-metadata.json", later]])])).updated, 0);
});

Deno.test("planImport leaves the trash out unless asked for; one path twice in an archive is two plans", async () => {
  const twice: Entry[] = [[`${GP}/x/a.jpg`, "first"], [`${GP}/x/a.jpg`, "second, longer"]];
  const inputs = [
    memoryArchive("takeout-001.zip", PART_1),
    memoryArchive("takeout-002.zip", [...PART_2, ...twice]),
  ];
  const found = await catalog(inputs);
  const plan = planImport(found, { archiveCount: 2, includeTrashed: false });
  assert.equal(plan.trashed, 1);
  assert.deepEqual([...plan.archives[1].keys()], [`${GP}/Old phone/same.jpg`, `${GP}/x/a.jpg`]);
  assert.deepEqual(
    plan.archives[1].get(`${GP}/x/a.jpg`)!.map((media) => [media.entry.occurrence, media.entry.size]),
    [
      [0, 5],
      [1, 14],
    ],
  );
  assert.equal(plan.archives[0].size, 4);
  // Taken in order; one put back comes first again; a path whose plans are all taken is gone.
  const byPath = plan.archives[1];
  const first = byPath.take(`${GP}/x/a.jpg`)!;
  assert.equal(first.entry.occurrence, 0);
  byPath.putBack(first);
  assert.deepEqual(byPath.get(`${GP}/x/a.jpg`)!.map((media) => media.entry.occurrence), [0, 1]);
  assert.equal(byPath.take(`${GP}/x/a.jpg`)!.entry.occurrence, 0);
  assert.equal(byPath.take(`${GP}/x/a.jpg`)!.entry.occurrence, 1);
  assert.equal(byPath.take(`${GP}/x/a.jpg`), undefined);
  const same = byPath.take(`${GP}/Old phone/same.jpg`)!;
  assert.equal(byPath.size, 0);
  byPath.putBack(same);
  assert.deepEqual([...byPath.all()], [same]);
  const all = planImport(found, { archiveCount: 2, includeTrashed: true });
  assert.equal(all.trashed, 0);
  assert.equal(all.archives[1].size, 3);
});

Deno.test("importTakeout: a corrupt entry is reported and the archive goes on; a sequential archive ends there; one that breaks off keeps what came before", async () => {
  await using f = await fixture();
  const entries: Entry[] = [[`${GP}/a/1.jpg`, "one"], [`${GP}/a/2.jpg`, "two"], [`${GP}/a/3.jpg`, "three"]];
  const report = await f.run([
    memoryArchive("random.zip", entries, { corrupt: [`${GP}/a/2.jpg`] }),
    memoryArchive("stream.tgz", entries.map(([path, text]) => [path.replace("/a/", "/b/"), `${text} b`]), {
      corrupt: [`${GP}/b/2.jpg`],
      sequential: true,
    }),
    memoryArchive("cut.zip", entries.map(([path, text]) => [path.replace("/a/", "/c/"), `${text} c`]), {
      breakAfter: 2,
    }),
  ]);
  assert.deepEqual(
    (await f.files()).map((path) => path.slice(path.lastIndexOf("/") + 1)).sort(),
    [
      // 2.jpg of the first archive failed: the last archive's takes the name.
      `1 (${idTag(`takeout:${sha256("one b")}`)}).jpg`,
      `1 (${idTag(`takeout:${sha256("one c")}`)}).jpg`,
      "1.jpg",
      "2.jpg",
      "3.jpg",
    ].sort(),
  );
  assert.deepEqual([report.imported, report.failed, report.damagedArchives, report.unread], [5, 2, 2, 2]);
  assert.deepEqual(report.failures.first, [
    `memory/random.zip: ${GP}/a/2.jpg: bad CRC`,
    `memory/stream.tgz: ${GP}/b/2.jpg: bad CRC`,
    "memory/cut.zip: the connection broke off",
  ]);
});

/** `entries` as a zip file's bytes. */
async function zipOf(entries: Entry[]): Promise<Uint8Array> {
  const writer = new ZipWriter(new BlobWriter("application/zip"));
  for (const [path, text] of entries) {
    await writer.add(path, new Uint8ArrayReader(bytesOf(text)), { lastModDate: new Date(ENTRY_TIME) });
  }
  return new Uint8Array(await (await writer.close()).arrayBuffer());
}

/** `entries` as a tgz file's bytes. */
async function tgzOf(entries: Entry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  for (const [name, text] of entries) pack.entry({ name, mtime: new Date(ENTRY_TIME) }, bytesOf(text));
  pack.finalize();
  const gzip = new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  return await new Response(ReadableStream.from(pack as AsyncIterable<Uint8Array>).pipeThrough(gzip)).bytes();
}

Deno.test("Stager: a local zip's large entries are staged by a worker, its small ones and a tgz's here; the bytes the same either way", async () => {
  await using f = await fixture();
  const zip = join(f.root, "takeout-001.zip");
  const tgz = join(f.root, "takeout-002.tgz");
  const large = "large photo ".repeat(Math.ceil(WORKER_ENTRY_BYTES / 12));
  const entries: Entry[] = [...PART_1, [`${GP}/Photos from 2019/PXL_20190405_101112.jpg`, large]];
  await Deno.writeFile(zip, await zipOf(entries));
  await Deno.writeFile(tgz, await tgzOf(entries));
  const inputs = await Promise.all([localArchive(zip), localArchive(tgz)]);
  assert.deepEqual(inputs.map(({ name, sequential, zipPath }) => ({ name, sequential, zipPath })), [
    { name: "takeout-001.zip", sequential: false, zipPath: zip },
    { name: "takeout-002.tgz", sequential: true, zipPath: undefined },
  ]);
  const tree = new OutputTree(f.root);
  await tree.clearTemp();
  using stager = await Stager.start(tree, inputs, { logger: f.logger, largest: large.length });
  assert.deepEqual(f.logger.lines.verbose, [], "the worker started");
  const wanted = new Map([["IMG_20190405_101112.jpg", "named"], ["PXL_20190405_101112.jpg", large]]);
  for (const input of inputs) {
    for await (const entry of input.entries()) {
      const text = wanted.get(entry.path.split("/").at(-1)!);
      if (text === undefined) continue;
      const staged = await stager.stage(input, entry, JSON.stringify([input.name, entry.path]));
      assert.equal(await Deno.readTextFile(staged.temp), text);
      assert.equal(staged.size, text.length);
    }
  }
  assert.equal([...Deno.readDirSync(tree.tempDir)].length, 4);
});

Deno.test("Stager: where no entry to stage is large, no stage worker starts (an export of tiny entries)", async () => {
  await using f = await fixture();
  const zip = join(f.root, "takeout-001.zip");
  await Deno.writeFile(zip, await zipOf(PART_1));
  const inputs = [await localArchive(zip)];
  const tree = new OutputTree(f.root);
  await tree.clearTemp();
  using early = new EarlyStageWorkers(inputs);
  for await (const entry of inputs[0].entries()) early.listed(entry.size);
  assert.equal(early.take(), undefined, "the catalog listed no entry a worker would stage");
  using stager = await Stager.start(tree, inputs, { logger: f.logger, largest: WORKER_ENTRY_BYTES - 1 });
  assert.deepEqual(f.logger.lines.verbose, [
    `staging on the main thread: no entry to stage is of ${WORKER_ENTRY_BYTES} bytes or more`,
  ]);
  for await (const entry of inputs[0].entries()) {
    if (!entry.path.endsWith("IMG_20190405_101112.jpg")) continue;
    const staged = await stager.stage(inputs[0], entry, entry.path);
    assert.equal(await Deno.readTextFile(staged.temp), "named");
  }
});

Deno.test("Stager: an export whose zips come to less than WORKER_MIN_BYTES starts no stage worker (an increment of a few photos): the main thread stages its large entries", async () => {
  await using f = await fixture();
  const zip = join(f.root, "takeout-001.zip");
  const large = "large photo ".repeat(Math.ceil(WORKER_ENTRY_BYTES / 12));
  await Deno.writeFile(
    zip,
    await zipOf([...PART_1, [`${GP}/Photos from 2019/PXL_20190405_101112.jpg`, large]]),
  );
  const inputs = [await localArchive(zip)];
  assert.equal(inputs[0].size, (await Deno.stat(zip)).size);
  const tree = new OutputTree(f.root);
  await tree.clearTemp();
  using early = new EarlyStageWorkers(inputs);
  assert.equal(early.small, true);
  for await (const entry of inputs[0].entries()) early.listed(entry.size);
  assert.equal(early.take(), undefined, "the catalog listed a large entry, but started no worker");
  using stager = await Stager.start(tree, inputs, { logger: f.logger, largest: large.length, early });
  assert.deepEqual(f.logger.lines.verbose, [
    `staging on the main thread: the zips come to less than ${WORKER_MIN_BYTES} bytes, fewer than a stage ` +
    "worker's start pays for",
  ]);
  for await (const entry of inputs[0].entries()) {
    if (!entry.path.endsWith("PXL_20190405_101112.jpg")) continue;
    const staged = await stager.stage(inputs[0], entry, entry.path);
    assert.equal(await Deno.readTextFile(staged.temp), large);
    assert.equal(staged.sha256, undefined, "staged here: the commit reads it back for its hash");
  }
});

Deno.test("EarlyStageWorkers: an export whose zips come to WORKER_MIN_BYTES (or of a size not known) starts its stage worker at the first large entry the catalog lists", async () => {
  const part = (name: string, size?: number): ArchiveSource => ({
    path: name,
    name,
    sequential: false,
    storedEntries: true,
    ...(size === undefined ? {} : { size }),
    entries: async function* () {},
  });
  const half = WORKER_MIN_BYTES / 2;
  assert.equal(new EarlyStageWorkers([part("a.zip", half), part("b.zip", half - 1)]).small, true);
  assert.equal(new EarlyStageWorkers([part("a.zip", half), part("b.zip")]).small, false);
  // A tgz beside them counts for nothing: no worker stages it.
  const tgz = { ...part("c.tgz", WORKER_MIN_BYTES), sequential: true, storedEntries: undefined };
  assert.equal(new EarlyStageWorkers([part("a.zip", half), tgz]).small, true);
  using early = new EarlyStageWorkers([part("a.zip", half), part("b.zip", half)]);
  assert.equal(early.small, false);
  early.listed(WORKER_ENTRY_BYTES - 1);
  early.listed(WORKER_ENTRY_BYTES);
  using pool = await early.take() as StagePool;
  assert.ok(pool instanceof StagePool, String(pool));
});

Deno.test("importTakeout: a zip (staged by the worker) and a tgz of one export import the same tree", async () => {
  const trees = [];
  for (const [name, bytes] of [["t.zip", await zipOf(PART_1)], ["t.tgz", await tgzOf(PART_1)]] as const) {
    await using f = await fixture();
    await Deno.writeFile(join(f.root, name), bytes);
    const report = await f.run([await localArchive(join(f.root, name))]);
    assert.deepEqual([report.imported, report.duplicates, report.failed], [3, 1, 0]);
    const files = (await f.files()).filter((path) => path !== name);
    trees.push(await Promise.all(files.map(async (path) => [path, await f.read(path)])));
  }
  assert.deepEqual(trees[0], trees[1]);
  assert.equal(trees[0].length, 4);
});

Deno.test("importTakeout in runs: a sidecar arriving later re-dates the file; a revision stopped half-way is finished by the next run", async () => {
  await using f = await fixture();
  const photos = `${GP}/Photos from 2020`;
  const first = memoryArchive("takeout-20250101T000000Z-001.zip", [[`${photos}/IMG_1.jpg`, "photo one"]]);
  const second = memoryArchive("takeout-20250101T000000Z-002.zip", [
    [`${photos}/IMG_1.jpg.json`, sidecar("IMG_1.jpg", TAKEN)],
  ]);
  const id = `takeout:${sha256("photo one")}`;
  await f.run([first]);
  assert.deepEqual(await f.files(), [`${utcDay(ENTRY_TIME)}/IMG_1.jpg`], "dated by the entry time for now");
  // The sidecar's day is blocked by a file where its folder would be: the move fails after the new path
  // was claimed, its revision noted as a run stopped there would leave it; the row names again the path
  // its file is at.
  const day = utcDay(TAKEN);
  await Deno.mkdir(join(f.root, day, ".."), { recursive: true });
  await Deno.writeTextFile(join(f.root, day), "in the way");
  await assert.rejects(f.run([second]), /not a folder/);
  assert.equal(f.store.item(id)!.path, `${utcDay(ENTRY_TIME)}/IMG_1.jpg`, "where its file is");
  assert.equal(await f.read(`${utcDay(ENTRY_TIME)}/IMG_1.jpg`), "photo one", "not moved yet");
  await Deno.remove(join(f.root, day));
  // The next run (of any archives) finishes it.
  const report = await f.run([first]);
  assert.deepEqual([report.imported, report.alreadyPresent], [0, 1]);
  assert.deepEqual(await f.files(), [`${day}/IMG_1.jpg`]);
  assert.equal((await Deno.stat(join(f.root, day, "IMG_1.jpg"))).mtime?.getTime(), TAKEN);
  const item = f.store.item(id)!;
  assert.deepEqual([item.createdMs, JSON.parse(item.json).takeout.dateSource], [TAKEN, "sidecar"]);
  assert.deepEqual(f.store.checkpoints("takeout").filter(({ key }) => key.startsWith('["revision"')), []);
});

Deno.test("importTakeout: a stream that breaks off places nothing it had not yet read past (its bytes are unchecked)", async () => {
  await using f = await fixture();
  const entries: Entry[] = [[`${GP}/s/1.jpg`, "one"], [`${GP}/s/2.jpg`, "two"], [`${GP}/s/3.jpg`, "three"]];
  const report = await f.run([memoryArchive("stream.tgz", entries, { sequential: true, breakAfter: 2 })]);
  // 1.jpg was followed by 2.jpg's header; 2.jpg was the last read before the break: dropped, not placed.
  assert.deepEqual((await f.files()).map((path) => path.slice(path.lastIndexOf("/") + 1)), ["1.jpg"]);
  assert.deepEqual([report.imported, report.failed, report.damagedArchives, report.unread], [1, 0, 1, 2]);
});

Deno.test("importTakeout with a byte budget: an entry is staged only when its size fits in what is left, counting those staged and not yet placed; one larger than the whole budget goes alone", async () => {
  await using f = await fixture();
  const entries: Entry[] = [1, 2, 3, 4, 5].map((
    n,
  ) => [`${GP}/Photos from 2020/${n}.jpg`, `${n}`.repeat(100)]);
  const archive = () => memoryArchive("takeout-20250101T000000Z-001.zip", entries);
  // A budget of two and a half files: several are staged at once, two are placed.
  const budget = new ByteBudget(250);
  const report = await f.run([archive()], { budget });
  assert.equal(report.imported, 2);
  assert.equal(budget.spent, 200);
  assert.ok(budget.reached);
  // A budget smaller than a file: the first (nothing else in the run) alone.
  const small = new ByteBudget(50);
  assert.equal((await f.run([archive()], { budget: small })).imported, 1);
  assert.equal(small.spent, 100);
  assert.equal((await f.files()).length, 3);
});
