/**
 * `photosync takeout` on the names users of other Takeout tools reported (issue 16, points 7–12), as the CLI
 * (a child process) imports them from generated exports: sidecars of originals uploaded without an extension,
 * stored names that keep the file's type, counter sidecars that belong to their own counter (also when a part
 * is imported alone), titles of names cut to 47 units, dates in names, old `albumData` album metadata, Pixel
 * `.MV` motion photos and edited copies in Korean and Russian exports.
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { TestEnv } from "../testing/harness.ts";
import { writeArchives } from "../testing/takeout/archives.ts";
import { writeZip } from "../testing/takeout/hand_archives.ts";
import { generateTakeout } from "../testing/takeout/export.ts";
import type { TakeoutExport, TakeoutFile } from "../testing/takeout/model.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

interface Item {
  filename: string;
  created_ms: number;
  is_video: number;
  path: string;
  json: {
    takeout: { entry: string; sidecar?: string; rule?: string; dateSource: string };
    editedOf?: string;
    motionOf?: string;
  };
}

/** What `sync.db` in `dir` holds: the items by content hash, and the albums' titles. */
function readDb(dir: string): { items: Map<string, Item>; albums: string[] } {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT filename, created_ms, is_video, path, json, hash FROM items").all() as {
      hash: string;
      json: string;
    }[];
    const albums = db.prepare("SELECT title FROM albums ORDER BY title").all() as { title: string }[];
    return {
      items: new Map(
        rows.map((row) => [row.hash, { ...row, json: JSON.parse(row.json) } as unknown as Item]),
      ),
      albums: albums.map((album) => album.title),
    };
  } finally {
    db.close();
  }
}

/** The item imported for `f`'s bytes. */
function itemOf(items: Map<string, Item>, f: TakeoutFile): Item {
  const item = items.get(sha256(f.bytes));
  assert.ok(item, `${f.path} imported`);
  return item;
}

/** The file name an item got in the tree, without the collision tag ` (1a2b3c4d)` a same-named file gets. */
const storedName = (item: Item) =>
  item.path.slice(item.path.lastIndexOf("/") + 1).replace(/ \([0-9a-f]{8}\)(?=\.)/, "");

/** The year-folder copies (not album copies) of `exp` whose title is `title`, in order. */
const byTitle = (exp: TakeoutExport, title: string) =>
  exp.files.filter((f) => f.title === title && !f.copyOf);

/** `photosync takeout` into `dir` with TZ=UTC (the dates in names are read as local time). */
async function takeout(env: TestEnv, dir: string, inputs: string[], extra: string[] = []) {
  const run = await env.cli(["takeout", `--dir=${dir}`, ...extra, ...inputs], { env: { TZ: "UTC" } });
  assert.equal(run.code, 0, run.stderr);
  return run;
}

// A Korean export with the reported names and old-style album metadata, and a Russian one.
const KOREAN = generateTakeout({
  seed: 16,
  count: 40,
  language: "ko",
  sidecarStyle: "mixed",
  realNames: true,
  albumMetadata: "albumData",
});
const RUSSIAN = generateTakeout({ seed: 17, count: 10, language: "ru", sidecarStyle: "new" });

/** The emulator and workspace the tests share (takeout needs no emulator; the harness runs the CLI so). */
const ENV = await TestEnv.start();
Deno.test.afterAll?.(async () => await ENV[Symbol.asyncDispose]());

/**
 * The Korean export as two extracted parts, in which the counter photos `DSC_0103(1).JPG` and `DSC_0104.JPG`
 * and the sidecars of `DSC_0103.JPG` and `DSC_0104(1).JPG` are in the other part (see test 9, a part
 * imported alone), imported once with --verbose and shared.
 */
let korean:
  | Promise<{ parts: string[]; run: { stderr: string }; items: Map<string, Item>; albums: string[] }>
  | undefined;
function koreanImport() {
  return korean ??= (async () => {
    const [part1] = await writeArchives(KOREAN, join(ENV.root, "folders"), { format: "folder" });
    const part2 = part1.replace(/-001$/, "-002");
    // Part 2 holds `DSC_0103(1).JPG` and the sidecar of `DSC_0103.JPG`, and likewise for DSC_0104 the other
    // way round: each part then has a photo and a sidecar whose title names it, with another counter.
    const [plain3, counter3] = byTitle(KOREAN, "DSC_0103.JPG");
    const [plain4, counter4] = byTitle(KOREAN, "DSC_0104.JPG");
    const moved = [
      counter3.path,
      `${KOREAN.root}/${plain3.folder}/${plain3.sidecar}`,
      plain4.path,
      `${KOREAN.root}/${counter4.folder}/${counter4.sidecar}`,
    ];
    for (const path of moved) {
      const to = join(part2, ...path.split("/"));
      await mkdir(dirname(to), { recursive: true });
      await rename(join(part1, ...path.split("/")), to);
    }
    const run = await takeout(ENV, ENV.dir, [part1, part2], ["--verbose"]);
    return { parts: [part1, part2], run, ...readDb(ENV.dir) };
  })();
}

Deno.test("7: an original uploaded without an extension takes the sidecar without one, and its date", async () => {
  const { run, items } = await koreanImport();
  assert.match(run.stderr, /\b0 unmatched sidecars/);
  const noExtension = KOREAN.files.filter((f) => f.quirks.includes("no-extension") && !f.copyOf);
  assert.equal(noExtension.length, 5);
  for (const f of noExtension) {
    const item = itemOf(items, f);
    assert.equal(item.json.takeout.sidecar, f.sidecar, f.path);
    assert.match(item.json.takeout.rule!, /without extension/, f.path);
    assert.equal(item.created_ms, f.takenMs, f.path);
  }
});

Deno.test("8: a file is stored under its title with the extension of the file Google exported", async () => {
  const { items } = await koreanImport();
  for (const f of KOREAN.files.filter((f) => f.quirks.includes("no-extension") && !f.copyOf)) {
    assert.equal(storedName(itemOf(items, f)), f.title + f.name.slice(f.name.lastIndexOf(".")), f.path);
  }
  const [first, second] = byTitle(KOREAN, "2013-12-23").map((f) => itemOf(items, f));
  assert.deepEqual([storedName(first), storedName(second)], ["2013-12-23.jpg", "2013-12-23.jpg"]);
  assert.notEqual(first.path, second.path, "two files, not one");
  // The video uploaded without an extension stays a `.mov` on disk, and a video.
  const [video] = byTitle(KOREAN, "IMG_0412").map((f) => itemOf(items, f));
  assert.ok(video.path.endsWith("/IMG_0412.mov"), video.path);
  assert.equal(video.is_video, 1);
});

Deno.test("9: in one run, each counter sidecar goes to the photo with its counter", async () => {
  const { items } = await koreanImport();
  for (const title of ["DSC_0103.JPG", "DSC_0104.JPG"]) {
    const files = byTitle(KOREAN, title);
    assert.deepEqual(files.map((f) => f.counter), [undefined, 1]);
    for (const f of files) assert.equal(itemOf(items, f).json.takeout.sidecar, f.sidecar, f.path);
  }
});

Deno.test("10: a media name cut to 47 units keeps its extension; its title fits and names the stored file", async () => {
  const { items } = await koreanImport();
  const [cut] = byTitle(KOREAN, "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg");
  assert.ok(cut.quirks.includes("name-cut"), "the old style cuts it");
  const cutItem = itemOf(items, cut);
  assert.equal(cutItem.json.takeout.rule, "truncated to 46");
  assert.equal(storedName(cutItem), cut.title);
  // No match is labelled "title differs" (but where a `/` in a title became `_` in the name: that title differs).
  const matched = KOREAN.files.filter((f) =>
    f.sidecar && !f.copyOf && !f.trashed && !f.quirks.includes("slash")
  );
  assert.ok(matched.filter((f) => f.quirks.includes("name-cut")).length >= 3);
  for (const f of matched) {
    assert.doesNotMatch(itemOf(items, f).json.takeout.rule ?? "", /title differs/, f.path);
  }
});

Deno.test("11: dates in names from peers' reports date files without sidecar or EXIF", async () => {
  const { items } = await koreanImport();
  for (
    const title of [
      "signal-2020-10-26-163832.jpg",
      "2016_01_30_11_49_15.mp4",
      "201801261147521000.jpg",
      "2019-10-31 155703.jpg",
      "Screenshot 20221106 211633.png",
    ]
  ) {
    const [f] = byTitle(KOREAN, title);
    const item = itemOf(items, f);
    assert.equal(item.json.takeout.dateSource, "name", title);
    assert.equal(item.created_ms, f.nameMs, title);
    const day = new Date(f.nameMs!).toISOString().slice(0, 10).replaceAll("-", "/");
    assert.ok(item.path.startsWith(`${day}/`), `${title}: ${item.path}`);
  }
});

Deno.test("12: album titles inside old albumData metadata name the albums, not the folders", async () => {
  const { albums } = await koreanImport();
  // `2019년 휴가(1)` is titled `2019년 휴가`.
  assert.ok(
    KOREAN.albums.some((a) => a.folder !== a.title && a.title !== ""),
    "a folder that is not its title",
  );
  assert.deepEqual(albums, KOREAN.albums.map((a) => a.title || a.folder).sort());
  const linked = [...Deno.readDirSync(join(ENV.dir, "albums"))].map((entry) => entry.name).sort();
  assert.deepEqual(linked, [...new Set(KOREAN.albums.map((a) => a.title || a.folder))].sort());
});

Deno.test("12: a newer Pixel motion photo's .MV video part is imported with its still's date", async () => {
  const { items } = await koreanImport();
  const [still] = byTitle(KOREAN, "PXL_20240730_120132807.MV.jpg");
  const part = KOREAN.files.find((f) => f.motionOf === still.name && !f.copyOf)!;
  assert.equal(part.name, "PXL_20240730_120132807.MV");
  const item = itemOf(items, part);
  assert.equal(item.json.motionOf, still.name);
  assert.equal(item.created_ms, still.takenMs);
  assert.equal(item.is_video, 1);
});

Deno.test("12: a Korean edited copy (-편집됨) shares its original's sidecar", async () => {
  const { items } = await koreanImport();
  const edited = KOREAN.files.find((f) => f.name === "20230812_153012-편집됨.jpg")!;
  const item = itemOf(items, edited);
  assert.equal(item.json.editedOf, "20230812_153012.jpg");
  assert.equal(item.created_ms, edited.takenMs);
  assert.equal(storedName(item), edited.name);
});

Deno.test("12: a Russian edited copy (-измененный) shares its original's sidecar", async () => {
  const zips = await writeArchives(RUSSIAN, join(ENV.root, "zip-ru"), { parts: 1 });
  const dir = join(ENV.root, "ru");
  await takeout(ENV, dir, zips);
  const { items } = readDb(dir);
  const edits = RUSSIAN.files.filter((f) => f.editedOf && !f.copyOf);
  assert.deepEqual(edits.map((f) => f.name), ["IMG_1234-измененный.jpg"]);
  for (const f of edits) {
    const item = itemOf(items, f);
    assert.equal(item.json.editedOf, "IMG_1234.jpg");
    assert.equal(item.json.takeout.rule, "edited copy of IMG_1234.jpg");
    assert.equal(item.created_ms, f.takenMs);
  }
});

Deno.test("9: a part imported alone: a counter sidecar whose photo is in another part goes to no other photo", async () => {
  // The shared import's parts: each has a photo and a sidecar whose title names it, with another counter.
  const { parts: [part1], items: both } = await koreanImport();
  const [plain3, counter3] = byTitle(KOREAN, "DSC_0103.JPG");
  const [plain4, counter4] = byTitle(KOREAN, "DSC_0104.JPG");

  const alone = join(ENV.root, "part-1-alone");
  const run = await takeout(ENV, alone, [part1], ["--verbose"]);
  assert.match(run.stderr, /\b2 unmatched sidecars/);
  const first = readDb(alone).items;
  for (const f of [plain3, counter4]) {
    const item = itemOf(first, f);
    assert.equal(item.json.takeout.sidecar, undefined, `${f.path} takes no other photo's sidecar`);
    assert.equal(item.json.takeout.dateSource, "exif", f.path);
    assert.equal(item.created_ms, f.exifMs, f.path);
  }

  // Both parts (the shared import): every photo takes its own sidecar.
  for (const f of [plain3, counter3, plain4, counter4]) {
    const item = itemOf(both, f);
    assert.equal(item.json.takeout.sidecar, f.sidecar, f.path);
    assert.equal(item.created_ms, f.takenMs, f.path);
  }
});

/** `value`'s bytes. */
const text = (value: string) => new TextEncoder().encode(value);
/** A sidecar of the media file `title`, taken at `seconds` (epoch). */
const sidecar = (title: string, seconds: number) =>
  text(
    JSON.stringify({
      title,
      photoTakenTime: { timestamp: String(seconds) },
      url: "https://photos.google.com/x",
    }),
  );
/** The entry time of the hand-made archives' entries. */
const at = Date.UTC(2024, 0, 1);

Deno.test("files of kinds the lists lack are kept, a desktop's own files left out, an album told by its metadata's content", async () => {
  const root = join(ENV.root, "kinds");
  await mkdir(root, { recursive: true });
  const files = {
    still: text("\xff\xd8\xff\xe0 a motion photo's still"),
    // Older exports: the video part of `MVIMG_…jpg` has no extension.
    video: text("\x00\x00\x00\x20ftypisom the motion photo's video"),
    mmv: text("a Sony MMV clip"),
    m2t: text("an HDV m2t clip"),
    // A kind Google Photos may take later: no list names it.
    jxl: text("\xff\x0a a JPEG XL photo"),
  };
  const year = "Takeout/Google Photos/Photos from 2018";
  const zip = join(root, "takeout-20250101T000000Z-001.zip");
  await writeZip(zip, [
    [`${year}/MVIMG_20180722_120942.jpg`, files.still, at],
    [`${year}/MVIMG_20180722_120942.jpg.json`, sidecar("MVIMG_20180722_120942.jpg", 1532261382), at],
    [`${year}/MVIMG_20180722_120942`, files.video, at],
    [`${year}/CLIP0001.MMV`, files.mmv, at],
    [`${year}/CLIP0001.MMV.supplemental-metadata.json`, sidecar("CLIP0001.MMV", 1532300000), at],
    [`${year}/00001.m2t`, files.m2t, at],
    [`${year}/00001.m2t.supplemental-metadata.json`, sidecar("00001.m2t", 1532400000), at],
    [`${year}/photo.jxl`, files.jxl, at],
    [`${year}/photo.jxl.supplemental-metadata.json`, sidecar("photo.jxl", 1532500000), at],
    // macOS extracted the export on a FAT disk and zipped it again.
    [`${year}/._MVIMG_20180722_120942.jpg`, text("\x00\x05\x16\x07 AppleDouble"), at],
    [`${year}/._MVIMG_20180722_120942.jpg.json`, text("\x00\x05\x16\x07 AppleDouble"), at],
    [`${year}/.DS_Store`, text("\x00\x00\x00\x01Bud1"), at],
    [`__MACOSX/${year}/._CLIP0001.MMV`, text("\x00\x05\x16\x07 AppleDouble"), at],
    // Extracted on a Synology NAS, which keeps a thumbnail of each photo beside it.
    [`${year}/@eaDir/MVIMG_20180722_120942.jpg/SYNOFILE_THUMB_M.jpg`, text("\xff\xd8 a thumbnail"), at],
    // An album's metadata file under a name of a language the list lacks.
    [
      "Takeout/Google Photos/Vakantie/metagegevens.json",
      text(JSON.stringify({ title: "Vakantie 2018", description: "", access: "protected" })),
      at,
    ],
    ["Takeout/Google Photos/Vakantie/MVIMG_20180722_120942.jpg", files.still, at],
  ]);
  const dir = join(root, "out");
  const run = await takeout(ENV, dir, [zip]);
  // The desktop's four files, the NAS's thumbnail and the album's metadata file.
  assert.match(run.stderr, /\b6 not media, 0 failed\b/, run.stderr);
  assert.match(run.stderr, /\b0 unmatched sidecars/, run.stderr);
  const { items, albums } = readDb(dir);
  assert.equal(items.size, 5, run.stderr);
  const item = (bytes: Uint8Array) => {
    const found = items.get(sha256(bytes));
    assert.ok(found, new TextDecoder().decode(bytes));
    return found;
  };
  const video = item(files.video);
  assert.equal(video.path, "2018/07/22/MVIMG_20180722_120942");
  assert.equal(video.json.motionOf, "MVIMG_20180722_120942.jpg");
  assert.equal(video.created_ms, 1532261382_000);
  assert.equal(video.is_video, 1);
  assert.equal(item(files.still).path, "2018/07/22/MVIMG_20180722_120942.jpg");
  assert.deepEqual(
    [files.mmv, files.m2t, files.jxl].map((bytes) => [item(bytes).path, item(bytes).created_ms]),
    [
      ["2018/07/22/CLIP0001.MMV", 1532300000_000],
      ["2018/07/24/00001.m2t", 1532400000_000],
      ["2018/07/25/photo.jxl", 1532500000_000],
    ],
  );
  assert.deepEqual(albums, ["Vakantie 2018"]);
  const placed: string[] = [];
  for await (const entry of Deno.readDir(join(dir, "2018/07"))) placed.push(entry.name);
  assert.equal(placed.some((name) => name.startsWith("._") || name.startsWith("_")), false);
});

Deno.test("files of no extension are media in a Google Photos folder known by its name (also one given itself), others of a kind not known are said by name; not in another export's", async () => {
  const root = join(ENV.root, "unlisted");
  await mkdir(root, { recursive: true });
  const media = {
    clip: text("a Sony MMV clip"),
    still: text("\xff\xd8\xff\xe0 a motion photo's still"),
    video: text("\x00\x00\x00\x20ftypisom the motion photo's video"),
    hif: text("\x00\x00\x00\x18ftypheix a Canon HEIF"),
    large: text("\xff\xd8\xff\xe0 a photo saved from a browser"),
  };
  const files = (year: string): [string, Uint8Array, number][] => [
    [`${year}/CLIP0002.MMV`, media.clip, at],
    [`${year}/CLIP0002.MMV.supplemental-metadata.json`, sidecar("CLIP0002.MMV", 1532300000), at],
    [`${year}/MVIMG_20180722_120942.jpg`, media.still, at],
    [`${year}/MVIMG_20180722_120942.jpg.json`, sidecar("MVIMG_20180722_120942.jpg", 1532261382), at],
    [`${year}/MVIMG_20180722_120942`, media.video, at],
    [`${year}/IMG_5.HIF`, media.hif, at],
    [`${year}/IMG_5.HIF.supplemental-metadata.json`, sidecar("IMG_5.HIF", 1532400000), at],
    [`${year}/tweet.jpg_large`, media.large, at],
    [`${year}/tweet.jpg_large.supplemental-metadata.json`, sidecar("tweet.jpg_large", 1532500000), at],
    [`${year}/.picasa.ini`, text("[Picasa]\nname=2018\n"), at],
    [`${year}/IMG_5.HIF.xmp`, text("<x:xmpmeta/>"), at],
    [`${year}/scan notes.pdf`, text("%PDF-1.4 no photo"), at],
  ];
  const paths = (dir: string) => [...readDb(dir).items.values()].map((item) => item.path).sort();
  // A language the list of the folder's names lacks (Esperanto's, say), in a Takeout of several products:
  // a file of a kind not listed may be another product's there.
  const zip = join(root, "takeout-20250101T000000Z-001.zip");
  await writeZip(zip, [
    ...files("Takeout/Google Fotoj/Photos from 2018"),
    ["Takeout/Drive/Tax return 2024.pdf", text("%PDF-1.4 taxes"), at],
    ["Takeout/Drive/LICENSE", text("a file of no extension"), at],
    ["Takeout/Mail/All mail.mbox", text("From nobody"), at],
  ]);
  const unlisted = join(root, "out-unlisted");
  const run = await takeout(ENV, unlisted, [zip]);
  assert.match(run.stderr, /\b3 imported\b/, run.stderr);
  assert.deepEqual(paths(unlisted), [
    "2018/07/22/CLIP0002.MMV",
    "2018/07/22/MVIMG_20180722_120942.jpg",
    "2018/07/24/IMG_5.HIF",
  ]);
  // The Google Photos folder known by its name: as a zip, and given itself however it was taken out of its
  // Takeout folder (moved out, moved into another folder, or one of its year folders given): one tree.
  const expected = [
    "2018/07/22/CLIP0002.MMV",
    "2018/07/22/MVIMG_20180722_120942",
    "2018/07/22/MVIMG_20180722_120942.jpg",
    "2018/07/24/IMG_5.HIF",
  ];
  const known = join(root, "known.zip");
  await writeZip(known, files("Takeout/Google Photos/Photos from 2018"));
  const inputs = [
    known,
    "extracted/Google Photos",
    "Takeout/old/Google Photos",
    "backup/Google Photos/Photos from 2018",
  ];
  for (const [at, input] of inputs.entries()) {
    if (input !== known) {
      const year = input.endsWith("2018") ? input : `${input}/Photos from 2018`;
      for (const [path, bytes] of files(join(root, year))) {
        await mkdir(dirname(path), { recursive: true });
        await Deno.writeFile(path, bytes);
      }
    }
    const dir = join(root, `out-${at}`);
    const run = await takeout(ENV, dir, [input === known ? known : join(root, input)]);
    assert.deepEqual(paths(dir), expected, input);
    // A kind not known is left out, but said by name: it may be a photo, which renamed is imported.
    assert.match(
      run.stderr,
      /^warning: 1 file in the Google Photos folder had an extension photosync does not know .*if it is a photo or a video, name it .*: (.*\/)?tweet\.jpg_large$/m,
    );
    const tsv = await Deno.readTextFile(/every entry, one line each: (.*)$/m.exec(run.stderr)![1]);
    assert.match(tsv, /tweet\.jpg_large\tnot media\t.*an extension not known/, input);
    assert.equal(
      readDb(dir).items.get(sha256(media.video))!.json.motionOf,
      "MVIMG_20180722_120942.jpg",
      input,
    );
  }
});

Deno.test("a part extracted into a folder the user named like the Google Photos folder: other products stay out", async () => {
  const mine = join(ENV.root, "mine", "Google Photos");
  /** A part at `part`: a photo with its sidecar, and two files of Drive. */
  const extract = async (part: string) => {
    const write = async (path: string, bytes: Uint8Array) => {
      await mkdir(dirname(join(part, path)), { recursive: true });
      await Deno.writeFile(join(part, path), bytes);
    };
    await write("Takeout/Google Photos/Photos from 2018/IMG_1.jpg", text("\xff\xd8\xff\xe0 a photo"));
    await write("Takeout/Google Photos/Photos from 2018/IMG_1.jpg.json", sidecar("IMG_1.jpg", 1532261382));
    await write("Takeout/Drive/receipt.jpg", text("\xff\xd8\xff\xe0 a scanned receipt, a Drive file"));
    await write("Takeout/Drive/LICENSE", text("a Drive file of no extension"));
  };
  // In a folder of its own inside it (Windows' "Extract all"), and straight into it.
  await extract(join(mine, "takeout-20250101T000000Z-001"));
  const straight = join(ENV.root, "mine2", "Google Photos");
  await extract(straight);
  const inputs = [join(mine, "takeout-20250101T000000Z-001"), straight, join(straight, "Takeout")];
  for (const [at, input] of inputs.entries()) {
    const dir = join(ENV.root, `mine-out-${at}`);
    const run = await takeout(ENV, dir, [input]);
    assert.match(run.stderr, /\b2 not Google Photos\b/, run.stderr);
    assert.deepEqual(
      [...readDb(dir).items.values()].map((item) => item.path),
      ["2018/07/22/IMG_1.jpg"],
      input,
    );
  }
});
