/**
 * Self-checks of {@linkcode generateTakeout}: the quirks it promises are there, every name follows the name rule,
 * folders are localised, sidecars, albums and dates are as Google writes them, and a seed gives the same export.
 *
 * @module
 */

import assert from "node:assert/strict";
import exifr from "exifr";
import { archiveEntries, planArchives } from "./archives.ts";
import { generateTakeout } from "./export.ts";
import type { TakeoutExport, TakeoutFile, TakeoutLanguage } from "./model.ts";
import { takeoutNames } from "./names.ts";
import { exportOf, sha, sidecarOf } from "./test_helpers.ts";

const LANGUAGES: TakeoutLanguage[] = ["en", "de", "fr", "es", "it", "nl", "ko", "ru"];
const decoder = new TextDecoder();

const byTitle = (exp: TakeoutExport, title: string) =>
  exp.files.filter((f) => f.title === title && !f.copyOf);

/**
 * Whether `cut` is `text` cut to `units` UTF-16 units, as Google cuts names (a cut that would split a
 * surrogate pair keeps the pair whole).
 */
function isCut(cut: string, text: string, units: number): boolean {
  if (text.length <= units) return cut === text;
  const splitsPair = /[\ud800-\udbff]/.test(text[units - 1]);
  return text.startsWith(cut) && cut.length === (splitsPair ? units + 1 : units);
}

/** `name` without its duplicate counter `(n)` before the extension (or at the end), and the counter. */
function splitCounter(name: string, counter: number | undefined): string {
  if (counter === undefined) return name;
  const match = /^(.*)\((\d+)\)(\.[^.]*)?$/.exec(name);
  assert.ok(match && Number(match[2]) === counter, `${name} has the counter (${counter})`);
  return match[1] + (match[3] ?? "");
}

/**
 * Checks a file's name and its sidecar's against the rules of real exports (../shared/google-photos-api.md,
 * written here apart from the generator's): the name is the title with `/` as `_`, its stem cut to 47 units
 * in old-style exports, a counter `(n)` before the extension; the sidecar is `NAME.supplemental-metadata`
 * (new) or `NAME` (old) cut to 46 units, the counter, `.json`.
 */
function assertNamed(f: TakeoutFile): void {
  const name = splitCounter(f.name, f.counter);
  const title = f.title.replaceAll("/", "_");
  const dot = (text: string) => text.lastIndexOf(".") > 0 ? text.lastIndexOf(".") : text.length;
  assert.equal(name.slice(dot(name)), title.slice(dot(title)), `${f.path}: the title's extension`);
  const stem = name.slice(0, dot(name));
  const titleStem = title.slice(0, dot(title));
  assert.ok(isCut(stem, titleStem, f.sidecarStyle === "old" ? 47 : Infinity), `${f.path}: the title's stem`);
  if (f.sidecar === null) return;
  const sidecar = /^(.*)\.json$/.exec(f.sidecar)?.[1];
  assert.ok(sidecar !== undefined, `${f.sidecar} ends in .json`);
  const full = f.sidecarStyle === "new" ? `${name}.supplemental-metadata` : name;
  const cut = f.counter === undefined ? sidecar : sidecar.slice(0, -`(${f.counter})`.length);
  assert.ok(f.counter === undefined || sidecar.endsWith(`(${f.counter})`), `${f.sidecar}: the counter`);
  assert.ok(isCut(cut, full, 46), `${f.sidecar}: ${full} cut to 46 units`);
}

Deno.test("the name checks fail names that break the rule", () => {
  const file = (name: string, sidecar: string | null, style: "new" | "old", counter?: number) =>
    ({ path: name, name, title: "IMG_3479.JPG", sidecar, sidecarStyle: style, counter }) as TakeoutFile;
  assertNamed(file("IMG_3479(1).JPG", "IMG_3479.JPG(1).json", "old", 1));
  for (
    const wrong of [
      file("IMG_3479.JPG", "IMG_3479.JPG(1).json", "old", 1),
      file("IMG_3479(1).JPG", "IMG_3479(1).JPG.json", "old", 1),
      file("IMG_3479.JPG", "IMG_3479.JPG.supplemental-metadata.json", "old"),
      file("IMG_3479.JPG", "IMG_3479.JPG.supplemental-metadat.json", "new"),
      file("IMG_347.JPG", null, "new"),
    ]
  ) assert.throws(() => assertNamed(wrong), assert.AssertionError, wrong.name);
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
        assertNamed(f);
        if (f.sidecar !== null) {
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
    ko: ["Google 포토", "2019년 사진", "휴지통", "-편집됨"],
    ru: ["Google Фото", "Фото за 2019 г.", "Корзина", "-измененный"],
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
      archived.length > 0 &&
        archived.every((f) => f.folder === names.yearFolder(Number(/\d{4}/.exec(f.folder)?.[0]))),
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

Deno.test("realNames adds the names users of other tools reported, by their rules", () => {
  for (const style of ["old", "new"] as const) {
    const exp = generateTakeout({ realNames: true, sidecarStyle: style, count: 5, language: "ko" });
    const find = (name: string) => exp.files.find((f) => f.name === name && !f.copyOf);
    const suffix = style === "new" ? ".supplemental-metadata" : "";
    // Originals uploaded without an extension: the title and the sidecar have none.
    for (
      const [name, title, sidecar] of [
        ["20030616.jpg", "20030616", `20030616${suffix}.json`],
        ["2013-12-23(1).jpg", "2013-12-23", `2013-12-23${suffix}(1).json`],
        ["2013-08-22.png", "2013-08-22", `2013-08-22${suffix}.json`],
        ["IMG_0412.mov", "IMG_0412", `IMG_0412${suffix}.json`],
      ]
    ) {
      const f = find(name);
      assert.ok(f, `${style}: ${name}`);
      assert.equal(f.title, title);
      assert.equal(f.sidecar, sidecar);
      assert.equal(sidecarOf(f).title, title);
      assert.ok(f.quirks.includes("no-extension"));
    }
    // Counters: each sidecar's title names the original without the counter.
    const dsc = find("DSC_0103(1).JPG")!;
    assert.equal(dsc.sidecar, `DSC_0103.JPG${suffix}(1).json`);
    assert.equal(sidecarOf(dsc).title, "DSC_0103.JPG");
    assert.equal(find("DSC_0104.JPG")!.sidecar, `DSC_0104.JPG${suffix}.json`);
    // The newer Pixel motion photo and the Korean edit.
    assert.equal(find("PXL_20240730_120132807.MV")!.motionOf, "PXL_20240730_120132807.MV.jpg");
    assert.equal(find("20230812_153012-편집됨.jpg")!.editedOf, "20230812_153012.jpg");
    // Dated by the name alone.
    const signal = find("signal-2020-10-26-163832.jpg")!;
    assert.equal(signal.sidecar, null);
    assert.equal(signal.dateSource, "name");
    assert.equal(signal.captureMs, Date.UTC(2020, 9, 26, 16, 38, 32));
  }
  const old = generateTakeout({ realNames: true, sidecarStyle: "old", count: 5 });
  const cut = old.files.find((f) => f.title.startsWith("PXL_20230809_203449253.LONG_EXPOSURE"))!;
  assert.equal(cut.name, "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg");
  assert.equal(cut.sidecar, "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json");
});

Deno.test("albumMetadata albumData writes album metadata as older exports did", () => {
  const exp = generateTakeout({ albumMetadata: "albumData", count: 20 });
  const metadata = exp.extras.filter((x) => x.kind === "album-metadata");
  assert.ok(metadata.length > 0);
  for (const x of metadata) {
    const json = JSON.parse(decoder.decode(x.bytes));
    assert.deepEqual(Object.keys(json), ["albumData"]);
    assert.deepEqual(Object.keys(json.albumData), ["title", "description", "access", "location", "date"]);
    const album = exp.albums.find((a) => x.path === `${exp.root}/${a.folder}/metadata.json`)!;
    assert.equal(json.albumData.title, album.title);
  }
});

Deno.test("the options for real names and old album metadata leave other exports as they were", async () => {
  const summary = async (exp: TakeoutExport) =>
    JSON.stringify(
      await Promise.all(
        [...exp.files.map(async (f) => [f.path, f.sidecarText, f.mtimeMs, await sha(f.bytes)])],
      ),
    );
  assert.equal(
    await summary(generateTakeout({ seed: 4, count: 20 })),
    await summary(generateTakeout({ seed: 4, count: 20, realNames: false, albumMetadata: "title" })),
  );
});
