/**
 * Self-checks of the Takeout fixture: the quirks it promises are there, the name rule reproduces the hand-written
 * names, and what it writes reads back.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from "@zip.js/zip.js";
import tar from "tar-stream";
import exifr from "exifr";
import {
  archiveEntries,
  bigExport,
  damageArchive,
  fileStream,
  generateTakeout,
  mediaName,
  planArchives,
  sidecarName,
  type TakeoutExport,
  type TakeoutFile,
  type TakeoutLanguage,
  takeoutNames,
  writeArchives,
} from "./takeout_fixture.ts";

const LANGUAGES: TakeoutLanguage[] = ["en", "de", "fr", "es", "it", "nl"];
const decoder = new TextDecoder();

/** Generated once per options: generation is deterministic. */
const cache = new Map<string, TakeoutExport>();
function exportOf(
  language: TakeoutLanguage = "en",
  sidecarStyle: "new" | "old" | "mixed" = "mixed",
  seed = 1,
) {
  const key = `${language}/${sidecarStyle}/${seed}`;
  let exp = cache.get(key);
  if (!exp) cache.set(key, exp = generateTakeout({ language, sidecarStyle, seed }));
  return exp;
}

const byTitle = (exp: TakeoutExport, title: string) =>
  exp.files.filter((f) => f.title === title && !f.copyOf);
const sidecarOf = (f: TakeoutFile) => JSON.parse(f.sidecarText!);

async function sha(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream as ReadableStream<Uint8Array<ArrayBuffer>>).arrayBuffer());
}

interface ReadEntry {
  bytes: Uint8Array;
  mtimeMs: number;
}

async function readZip(path: string): Promise<Map<string, ReadEntry>> {
  const reader = new ZipReader(new Uint8ArrayReader(await Deno.readFile(path)), { checkCrc32: true });
  const out = new Map<string, ReadEntry>();
  try {
    for (const entry of await reader.getEntries()) {
      if (entry.directory) continue;
      out.set(entry.filename, {
        bytes: await entry.getData(new Uint8ArrayWriter()),
        mtimeMs: entry.lastModDate.getTime(),
      });
    }
  } finally {
    await reader.close();
  }
  return out;
}

async function readTgz(path: string): Promise<Map<string, ReadEntry>> {
  const extract = tar.extract();
  const out = new Map<string, ReadEntry>();
  const done = (async () => {
    for await (const entry of extract) {
      const bytes = await readAll(ReadableStream.from(entry as AsyncIterable<Uint8Array>));
      out.set(entry.header.name, { bytes, mtimeMs: entry.header.mtime!.getTime() });
    }
  })();
  try {
    const file = await Deno.open(path);
    const gunzip = new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
    for await (const chunk of file.readable.pipeThrough(gunzip)) {
      if (!extract.write(chunk)) await new Promise<void>((resolve) => extract.once("drain", () => resolve()));
    }
    extract.end(undefined);
  } catch (error) {
    extract.destroy(error as Error);
    await done.catch(() => {});
    throw error;
  }
  await done;
  return out;
}

Deno.test("the name rule reproduces names seen in real exports", () => {
  // Hand-written: the test does not only check the rule against itself.
  const cases: [name: string, style: "new" | "old", counter: number | undefined, sidecar: string][] = [
    [
      "Screenshot_20231027_123303_Facebook.jpg",
      "new",
      undefined,
      "Screenshot_20231027_123303_Facebook.jpg.supple.json",
    ],
    [
      "Screenshot_20231027_123303_Facebook.jpg",
      "new",
      1,
      "Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
    ],
    ["Scan35.jpg", "new", 1, "Scan35.jpg.supplemental-metadata(1).json"],
    ["IMG_3479.JPG", "old", 1, "IMG_3479.JPG(1).json"],
    ["IMG_20190405_101112.jpg", "new", undefined, "IMG_20190405_101112.jpg.supplemental-metadata.json"],
    [
      "Familienfeier bei Oma und Opa im Garten 9.jpg",
      "new",
      undefined,
      "Familienfeier bei Oma und Opa im Garten 9.jpg..json",
    ],
    [
      "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg",
      "new",
      undefined,
      "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg.s.json",
    ],
    [
      "Urlaub in Knaufspesch in der Schneifel (38).JPG",
      "old",
      undefined,
      "Urlaub in Knaufspesch in der Schneifel (38).JP.json",
    ],
    [
      "PXL_20230615_123456789.MP.jpg",
      "new",
      undefined,
      "PXL_20230615_123456789.MP.jpg.supplemental-met.json",
    ],
    ["Oma & Opa 24_12_1998.jpg", "new", undefined, "Oma & Opa 24_12_1998.jpg.supplemental-metadata.json"],
    [
      "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg",
      "new",
      undefined,
      "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg.sup.json",
    ],
    [
      "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.jpg",
      "old",
      undefined,
      "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.j.json",
    ],
  ];
  for (const [name, style, counter, sidecar] of cases) {
    assert.equal(sidecarName(name, style, counter), sidecar, name);
  }
  assert.equal(mediaName("IMG_3479.JPG", "old", 1), "IMG_3479(1).JPG");
  assert.equal(mediaName("Oma & Opa 24/12/1998.jpg", "new"), "Oma & Opa 24_12_1998.jpg");
  const long = "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benrath_Torte.jpg";
  assert.equal(mediaName(long, "new"), long);
  assert.equal(mediaName(long, "old", 1), "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benr(1).jpg");
  assert.equal(
    sidecarName(mediaName(long, "old"), "old", 1),
    "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Ben(1).json",
  );
  // A cut that would split an emoji keeps it whole: 6 + 2·20 = 46 units, the 21st emoji spans units 47–48.
  assert.equal(
    mediaName("Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋🍊🍏🍎🍇.jpg", "old"),
    "Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋.jpg",
  );
});

Deno.test("every generated name and sidecar name follows the rule, in every language and style", () => {
  for (const language of LANGUAGES) {
    for (const style of ["new", "old", "mixed"] as const) {
      const exp = exportOf(language, style);
      const paths = new Set<string>();
      for (const f of exp.files) {
        assert.ok(!paths.has(f.path), `duplicate path ${f.path}`);
        paths.add(f.path);
        if (style !== "mixed") assert.equal(f.sidecarStyle, style);
        if (f.editedOf) continue;
        assert.equal(f.name, mediaName(f.title, f.sidecarStyle, f.counter), f.path);
        if (f.sidecar !== null) {
          assert.equal(
            f.sidecar,
            sidecarName(mediaName(f.title, f.sidecarStyle), f.sidecarStyle, f.counter),
            f.path,
          );
          const sidecarPath = `${exp.root}/${f.folder}/${f.sidecar}`;
          assert.ok(!paths.has(sidecarPath), `duplicate sidecar ${sidecarPath}`);
          paths.add(sidecarPath);
        }
      }
    }
  }
  const mixed = exportOf("en", "mixed");
  assert.ok(mixed.files.some((f) => f.sidecar?.endsWith(".supplemental-metadata.json")));
  assert.ok(mixed.files.some((f) => f.sidecar && !f.sidecar.includes(".supplemental")));
});

Deno.test("a mixed export holds the hand-written cases", () => {
  const exp = exportOf("en", "mixed");
  const paths = new Set(archiveEntries(exp).map((e) => e.path));
  const expected = [
    "Photos from 2023/Screenshot_20231027_123303_Facebook.jpg",
    "Photos from 2023/Screenshot_20231027_123303_Facebook.jpg.supple.json",
    "Photos from 2023/Screenshot_20231027_123303_Facebook(1).jpg",
    "Photos from 2023/Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
    "Photos from 2016/Scan35(1).jpg",
    "Photos from 2016/Scan35.jpg.supplemental-metadata(1).json",
    "Photos from 2009/IMG_3479(1).JPG",
    "Photos from 2009/IMG_3479.JPG(1).json",
    "Photos from 2018/Familienfeier bei Oma und Opa im Garten 9.jpg..json",
    "Photos from 2022/PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg.s.json",
    "Photos from 2014/Urlaub in Knaufspesch in der Schneifel (38).JPG",
    "Photos from 2014/Urlaub in Knaufspesch in der Schneifel (38).JP.json",
    "Photos from 2018/Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benr(1).jpg",
    "Photos from 2018/Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Ben(1).json",
    "Photos from 2021/Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋.jpg",
    "Photos from 2021/Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭.json",
    "Photos from 2019/Cafe\u0301 de Flore.jpg",
    "Photos from 2019/A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg.sup.json",
    "Photos from 1998/Oma & Opa 24_12_1998.jpg",
    "Photos from 2021/IMG_0421.HEIC",
    "Photos from 2021/IMG_0421.MOV",
    "Photos from 2023/PXL_20230615_123456789.MP.jpg",
    "Photos from 2023/PXL_20230615_123456789.MP",
    "Photos from 2019/MVIMG_20190704_120000.jpg",
    "Photos from 2019/MVIMG_20190704_120000.mp4",
    "Photos from 2017/IMG_1234.jpg",
    "Photos from 2017/IMG_1234-edited.jpg",
    "Photos from 2019/IMG_20190405_101112.jpg",
    "Photos from 2039/IMG_20390501_080000.jpg",
    "Photos from 1962/Hochzeit Oma und Opa 1962.jpg",
    "Trash/IMG_20200314_150926.jpg",
    "Vacation 2019(1)/metadata.json",
    "print-subscriptions.json",
  ];
  for (const path of expected) assert.ok(paths.has(`Takeout/Google Photos/${path}`), path);
  assert.ok(paths.has("Takeout/archive_browser.html"));
  const quirks = new Set(exp.files.flatMap((f) => f.quirks));
  for (
    const quirk of [
      "literal",
      "counter",
      "sidecar-cut",
      "name-cut",
      "real-parens",
      "emoji",
      "script",
      "nfd",
      "slash",
      "edited",
      "motion-still",
      "motion-video",
      "exif-only",
      "zero-timestamp",
      "name-only",
      "undated",
      "date-edited",
      "pre-1970",
      "future",
      "burst",
      "trashed",
      "archived",
      "album-copy",
    ] as const
  ) assert.ok(quirks.has(quirk), quirk);
  for (const f of exp.files.filter((f) => f.quirks.includes("literal"))) assert.ok(f.sidecar, f.path);
  const parens = byTitle(exp, "Urlaub in Knaufspesch in der Schneifel (38).JPG")[0];
  assert.equal(parens.counter, undefined);
  assert.ok(parens.quirks.includes("real-parens"));
  // Scripts and NFD survive as written.
  for (const word of ["Москва", "東京", "دبي", "Ακρόπολη", "서울", "ताज", "שבת", "กรุงเทพ", "🎉"]) {
    assert.ok(exp.files.some((f) => f.name.includes(word)), word);
  }
  const nfd = byTitle(exp, "Cafe\u0301 de Flore.jpg")[0];
  assert.notEqual(nfd.name, nfd.name.normalize("NFC"));
  // The long Japanese name is cut only in old style.
  const japanese = exp.files.find((f) => f.title.startsWith("京都") && !f.copyOf)!;
  assert.equal(japanese.name === japanese.title, japanese.sidecarStyle === "new");
});

Deno.test("folders, trash and archive are localised", () => {
  const expected: Record<TakeoutLanguage, [string, string, string, string]> = {
    en: ["Google Photos", "Photos from 2019", "Trash", "-edited"],
    de: ["Google Fotos", "Fotos von 2019", "Papierkorb", "-bearbeitet"],
    fr: ["Google Photos", "Photos de 2019", "Corbeille", "-modifié"],
    es: ["Google Fotos", "Fotos de 2019", "Papelera", "-editado"],
    it: ["Google Foto", "Foto dal 2019", "Cestino", "-modificato"],
    nl: ["Google Foto", "Foto's uit 2019", "Prullenbak", "-bewerkt"],
  };
  for (const language of LANGUAGES) {
    const [root, year2019, trash, edited] = expected[language];
    const exp = exportOf(language);
    const names = takeoutNames(language);
    assert.equal(exp.root, `Takeout/${root}`);
    assert.equal(names.yearFolder(2019), year2019);
    const folders = new Set(exp.files.map((f) => f.folder));
    assert.ok(folders.has(year2019) && folders.has(trash), language);
    assert.ok(exp.files.some((f) => f.name === `IMG_1234${edited}.jpg`), `${language} edited`);
    const trashed = exp.files.filter((f) => f.folder === trash);
    assert.ok(trashed.length >= 2);
    for (const f of exp.files) {
      assert.equal(f.folder === trash, f.trashed, f.path);
      if (f.sidecar) {
        const json = sidecarOf(f);
        assert.equal(json.trashed ?? false, f.trashed, f.path);
        assert.equal(json.archived ?? false, f.archived, f.path);
        assert.equal(json.favorited ?? false, f.favorited, f.path);
      }
    }
    const archived = exp.files.filter((f) => f.archived && !f.copyOf);
    assert.ok(
      archived.length > 0 && archived.every((f) => f.folder.startsWith(year2019.slice(0, -4))),
      language,
    );
  }
});

Deno.test("sidecars hold what Google writes", () => {
  const exp = exportOf("en", "mixed");
  const withSidecar = exp.files.filter((f) => f.sidecar);
  assert.ok(withSidecar.length > 60);
  for (const f of withSidecar) {
    const text = f.sidecarText!;
    const json = JSON.parse(text);
    assert.deepEqual(
      Object.keys(json).slice(0, 8),
      [
        "title",
        "description",
        "imageViews",
        "creationTime",
        "photoTakenTime",
        "geoData",
        "geoDataExif",
        ...(json.people ? ["people"] : ["url"]),
      ],
    );
    assert.equal(json.title, f.title);
    assert.equal(json.url, `https://photos.google.com/photo/${f.id}`);
    assert.match(json.imageViews, /^\d+$/);
    assert.equal(json.creationTime.timestamp, String(f.uploadMs! / 1000));
    assert.equal(json.photoTakenTime.timestamp, f.takenMs === undefined ? "0" : String(f.takenMs / 1000));
    assert.equal(typeof json.photoTakenTime.formatted, "string");
    assert.ok("mobileUpload" in json.googlePhotosOrigin || "webUpload" in json.googlePhotosOrigin);
    assert.deepEqual(json.geoData.latitude === 0 ? undefined : json.geoData.latitude, f.geo?.latitude);
    assert.deepEqual(json.people?.map((p: { name: string }) => p.name), f.people);
    assert.equal(json.description, f.description ?? "");
    assert.match(text, /"latitudeSpan": 0\.0,/);
  }
  assert.ok(withSidecar.some((f) => /"people": \[\{\n {4}"name": /.test(f.sidecarText!)));
});

Deno.test("album folders repeat the same bytes and name their album in metadata.json", async () => {
  const exp = exportOf("de", "mixed");
  const byPath = new Map(exp.files.map((f) => [f.path, f]));
  const copies = exp.files.filter((f) => f.copyOf);
  assert.ok(copies.length >= 10);
  for (const copy of copies) {
    const original = byPath.get(copy.copyOf!)!;
    assert.ok(original && !original.copyOf);
    assert.equal(await sha(copy.bytes), await sha(original.bytes));
    assert.equal(copy.id, original.id);
    assert.equal(copy.sidecarText, original.sidecarText);
    assert.ok(copy.albums.includes(copy.folder));
    assert.deepEqual(copy.albums, original.albums);
  }
  const metadata = new Map(
    exp.extras.filter((x) => x.kind === "album-metadata").map((
      x,
    ) => [x.path, JSON.parse(decoder.decode(x.bytes))]),
  );
  for (const album of exp.albums) {
    const json = metadata.get(`${exp.root}/${album.folder}/metadata.json`);
    assert.equal(json.title, album.title);
    assert.equal(json.date.timestamp, String(album.dateMs / 1000));
  }
  assert.deepEqual(exp.albums.find((a) => a.folder === "Urlaub 2019(1)")?.title, "Urlaub 2019");
  assert.deepEqual(exp.albums.find((a) => a.folder === "Ohne Titel")?.title, "");
  // One media item in three folders.
  const counts = new Map<string, number>();
  for (const f of exp.files) counts.set(f.id, (counts.get(f.id) ?? 0) + 1);
  assert.ok(Math.max(...counts.values()) >= 3);
});

Deno.test("motion photos and edited copies have no sidecar of their own", () => {
  const exp = exportOf("fr", "mixed");
  const inFolder = (f: TakeoutFile, name: string) =>
    exp.files.find((g) => g.folder === f.folder && g.name === name);
  const videos = exp.files.filter((f) => f.motionOf);
  const edited = exp.files.filter((f) => f.editedOf);
  assert.ok(videos.length >= 3 && edited.length >= 1);
  for (const f of [...videos, ...edited]) {
    assert.equal(f.sidecar, null);
    const partner = inFolder(f, f.motionOf ?? f.editedOf!)!;
    assert.ok(partner.sidecar, f.path);
    assert.equal(f.takenMs, partner.takenMs);
    if (f.motionOf) assert.equal(partner.motionVideo, f.name);
  }
  const names = new Set(exp.files.map((f) => f.name));
  for (
    const name of [
      "IMG_0421.MOV",
      "PXL_20230615_123456789.MP",
      "MVIMG_20190704_120000.mp4",
      "IMG_1234-modifié.jpg",
    ]
  ) {
    assert.ok(names.has(name), name);
  }
  assert.ok(exp.files.every((f) => !f.sidecar?.startsWith("IMG_1234-modifié")));
});

Deno.test("dates: sidecar, EXIF (read back with exifr), name, entry time; before 1970 and after 2038", async () => {
  const exp = exportOf("en", "new");
  for (const f of exp.files.filter((f) => f.mimeType === "image/jpeg")) {
    const tags = await exifr.parse(f.bytes, {
      pick: ["DateTimeOriginal", "OffsetTimeOriginal"],
      reviveValues: false,
    });
    assert.equal(tags?.DateTimeOriginal, f.exif?.dateTimeOriginal, f.path);
    assert.equal(tags?.OffsetTimeOriginal, f.exif?.offsetTimeOriginal, f.path);
    assert.deepEqual([f.bytes[0], f.bytes[1], f.bytes.at(-2), f.bytes.at(-1)], [0xff, 0xd8, 0xff, 0xd9]);
  }
  const one = (quirk: string) => exp.files.find((f) => f.quirks.includes(quirk as never) && !f.copyOf)!;
  const exifOnly = one("exif-only");
  assert.deepEqual([exifOnly.sidecar, exifOnly.dateSource, exifOnly.exifMs], [
    null,
    "exif",
    Date.UTC(2015, 4, 2, 14, 22, 10),
  ]);
  const zero = one("zero-timestamp");
  assert.equal(sidecarOf(zero).photoTakenTime.timestamp, "0");
  assert.deepEqual([zero.dateSource, zero.captureMs], ["exif", Date.UTC(2012, 8, 15, 6, 30)]);
  const nameOnly = one("name-only");
  assert.deepEqual([nameOnly.name, nameOnly.sidecar, nameOnly.exif], [
    "IMG_20190405_101112.jpg",
    null,
    undefined,
  ]);
  assert.deepEqual([nameOnly.dateSource, nameOnly.captureMs], ["name", Date.UTC(2019, 3, 5, 10, 11, 12)]);
  const undated = one("undated");
  assert.deepEqual([undated.sidecar, undated.exif, undated.nameMs], [null, undefined, undefined]);
  assert.deepEqual([undated.dateSource, undated.captureMs], ["entry", undated.mtimeMs]);
  const edited = one("date-edited");
  assert.equal(edited.dateSource, "sidecar");
  assert.equal(new Date(edited.exifMs!).getUTCFullYear(), 2000);
  assert.equal(new Date(edited.takenMs!).getUTCFullYear(), 2016);
  const old = one("pre-1970");
  assert.ok(old.takenMs! < 0 && sidecarOf(old).photoTakenTime.timestamp.startsWith("-"));
  assert.equal(old.folder, "Photos from 1962");
  const future = one("future");
  assert.ok(future.takenMs! > exp.exportedMs && future.takenMs! > 2 ** 31 * 1000);
  // Mostly recent years, and burst days.
  const years = exp.files.filter((f) => !f.copyOf && f.takenMs).map((f) =>
    new Date(f.takenMs!).getUTCFullYear()
  );
  const recent = years.filter((y) => y >= 2021 && y <= 2025).length;
  const early = years.filter((y) => y >= 2009 && y <= 2013).length;
  assert.ok(recent > 2 * early, `${recent} vs ${early}`);
  const days = new Map<string, number>();
  for (const f of exp.files.filter((f) => f.quirks.includes("burst") && !f.copyOf)) {
    const day = new Date(f.captureMs).toISOString().slice(0, 10);
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  assert.ok(Math.max(0, ...days.values()) >= 5);
  // Entry times: whole even seconds from the export time on.
  for (const f of exp.files) assert.ok(f.mtimeMs >= exp.exportedMs && f.mtimeMs % 2000 === 0);
});

Deno.test("generation is deterministic for a seed", async () => {
  const summary = async (exp: TakeoutExport) =>
    JSON.stringify(
      await Promise.all(
        exp.files.map(async (f) => [f.path, f.sidecar, f.sidecarText, f.mtimeMs, await sha(f.bytes)]),
      ),
    );
  const a = generateTakeout({ seed: 7, sidecarStyle: "mixed", count: 30 });
  const b = generateTakeout({ seed: 7, sidecarStyle: "mixed", count: 30 });
  const c = generateTakeout({ seed: 8, sidecarStyle: "mixed", count: 30 });
  assert.equal(await summary(a), await summary(b));
  assert.notEqual(await summary(a), await summary(c));
  assert.deepEqual(
    planArchives(a, { parts: 3 }).map((p) => p.entries.map((e) => e.path)),
    planArchives(b, { parts: 3 }).map((p) => p.entries.map((e) => e.path)),
  );
  const plain = generateTakeout({ specials: false, count: 10 });
  assert.ok(plain.files.filter((f) => !f.copyOf && !f.motionOf && !f.editedOf).length === 10);
});

Deno.test("zip parts read back; some sidecars sit in another part than their media", async () => {
  const exp = exportOf("en", "mixed");
  const dir = await Deno.makeTempDir({ prefix: "takeout-zip-" });
  try {
    const paths = await writeArchives(exp, dir, { format: "zip", parts: 3 });
    assert.deepEqual(paths.map((p) => p.slice(dir.length + 1)), [
      "takeout-20251110T101010Z-001.zip",
      "takeout-20251110T101010Z-002.zip",
      "takeout-20251110T101010Z-003.zip",
    ]);
    const plan = planArchives(exp, { parts: 3 });
    const partOf = new Map<string, number>();
    for (const [i, path] of paths.entries()) {
      const read = await readZip(path);
      assert.deepEqual([...read.keys()].sort(), plan[i].entries.map((e) => e.path).sort());
      for (const e of plan[i].entries) {
        const got = read.get(e.path)!;
        assert.equal(await sha(got.bytes), await sha(await readAll(e.open())), e.path);
        assert.equal(got.mtimeMs, e.mtimeMs, e.path);
        partOf.set(e.path, i);
      }
    }
    assert.equal(partOf.size, archiveEntries(exp).length);
    const split = exp.files.filter((f) =>
      f.sidecar && partOf.get(f.path) !== partOf.get(`${exp.root}/${f.folder}/${f.sidecar}`)
    );
    assert.ok(split.some((f) => partOf.get(f.path)! < partOf.get(`${exp.root}/${f.folder}/${f.sidecar}`)!));
    assert.ok(split.some((f) => partOf.get(f.path)! > partOf.get(`${exp.root}/${f.folder}/${f.sidecar}`)!));
    assert.ok(
      exp.files.some((f) =>
        f.motionOf && partOf.get(f.path) !== partOf.get(`${exp.root}/${f.folder}/${f.motionOf}`)
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tgz parts and folders read back with their modification times", async () => {
  const exp = generateTakeout({ language: "it", count: 20, sidecarStyle: "old" });
  const dir = await Deno.makeTempDir({ prefix: "takeout-tgz-" });
  try {
    const plan = planArchives(exp, { parts: 2 });
    const tgz = await writeArchives(exp, dir, { format: "tgz", parts: 2 });
    assert.match(tgz[1], /takeout-20251110T101010Z-002\.tgz$/);
    for (const [i, path] of tgz.entries()) {
      const read = await readTgz(path);
      assert.equal(read.size, plan[i].entries.length);
      for (const e of plan[i].entries) {
        const got = read.get(e.path)!;
        assert.ok(got, e.path);
        assert.equal(await sha(got.bytes), await sha(await readAll(e.open())), e.path);
        assert.equal(got.mtimeMs, e.mtimeMs);
      }
    }
    const folders = await writeArchives(exp, join(dir, "x"), { format: "folder", parts: 2 });
    assert.match(folders[0], /takeout-20251110T101010Z-001$/);
    for (const [i, folder] of folders.entries()) {
      for (const e of plan[i].entries) {
        const target = join(folder, ...e.path.split("/"));
        assert.equal(await sha(await Deno.readFile(target)), await sha(await readAll(e.open())), e.path);
        assert.equal((await Deno.stat(target)).mtime!.getTime(), e.mtimeMs);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("damaged archives fail to read", async () => {
  const exp = generateTakeout({ count: 15 });
  const dir = await Deno.makeTempDir({ prefix: "takeout-damage-" });
  try {
    const [zip] = await writeArchives(exp, join(dir, "t"), { format: "zip" });
    const [tgz] = await writeArchives(exp, join(dir, "g"), { format: "tgz" });
    await readZip(zip);
    await readTgz(tgz);
    const size = (await Deno.stat(zip)).size;
    await Deno.copyFile(zip, join(dir, "c.zip"));
    await damageArchive(join(dir, "c.zip"), "corrupt");
    assert.equal((await Deno.stat(join(dir, "c.zip"))).size, size);
    await assert.rejects(readZip(join(dir, "c.zip")));
    await damageArchive(zip, "truncate");
    assert.equal((await Deno.stat(zip)).size, Math.floor(size * 0.6));
    await assert.rejects(readZip(zip));
    await damageArchive(tgz, "truncate");
    await assert.rejects(readTgz(tgz));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bigExport streams incompressible JPEGs into several zip parts", async () => {
  const exp = bigExport({ totalBytes: 3_000_000, fileBytes: 500_000, seed: 3 });
  assert.equal(exp.files.length, 6);
  assert.equal(exp.files.reduce((s, f) => s + f.size, 0), 3_000_000);
  const [first] = exp.files;
  const bytes = first.bytes;
  assert.equal(bytes.length, first.size);
  assert.equal(await sha(bytes), await sha(await readAll(fileStream(first))));
  assert.equal(
    await sha(bytes),
    await sha(bigExport({ totalBytes: 3_000_000, fileBytes: 500_000, seed: 3 }).files[0].bytes),
  );
  const tags = await exifr.parse(bytes, {
    pick: ["DateTimeOriginal", "OffsetTimeOriginal"],
    reviveValues: false,
  });
  assert.equal(tags.DateTimeOriginal, first.exif!.dateTimeOriginal);
  assert.equal(sidecarOf(first).photoTakenTime.timestamp, String(first.takenMs! / 1000));
  const dir = await Deno.makeTempDir({ prefix: "takeout-big-" });
  try {
    const paths = await writeArchives(exp, dir, { format: "zip", maxPartBytes: 1_100_000 });
    assert.ok(paths.length >= 3);
    let total = 0;
    for (const path of paths) {
      const size = (await Deno.stat(path)).size;
      total += size;
      for (const [name, entry] of await readZip(path)) {
        const file = exp.files.find((f) => f.path === name);
        if (file) assert.equal(entry.bytes.length, file.size);
      }
    }
    assert.ok(total > 2_990_000, `deflate should not shrink JPEG-like bytes, got ${total}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
