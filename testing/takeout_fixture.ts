/**
 * Deterministic fake Google Takeout "Google Photos" exports, with the quirks of real ones, for the tests and the
 * demo of `photosync takeout`: {@linkcode generateTakeout} makes an export in memory (the truth a test checks
 * against), {@linkcode writeArchives} writes it as `takeout-…-001.zip`/`.tgz` parts or as extracted folders,
 * {@linkcode damageArchive} breaks a written archive, and {@linkcode bigExport} makes a large export for the
 * benchmark whose bytes are generated while they are written.
 *
 * The layout follows `shared/google-photos-api.md` §5. Where real exports were not observed, the choices are
 * marked "assumed" in the comments below.
 *
 * @module
 */
import { configure, ZipWriter } from "@zip.js/zip.js";
import tar from "tar-stream";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  type Content as FillerContent,
  contentStream,
  fill,
  hash,
  mulberry32,
  overlay,
} from "./library_fixture.ts";

/** Languages of the localised folder names and edited-copy suffixes. */
export type TakeoutLanguage = "en" | "de" | "fr" | "es" | "it" | "nl";

/** `new`: `NAME.supplemental-metadata.json` (since about Oct 2024); `old`: `NAME.json`. */
export type SidecarStyle = "new" | "old";

/** Tags on a {@linkcode TakeoutFile} naming what makes it hard, so that tests can pick files by quirk. */
export type TakeoutQuirk =
  /** Name and sidecar name are hand-written copies of names seen in real exports, not computed by the rule. */
  | "literal"
  /** The media name carries a duplicate counter `(n)`, which the sidecar name carries before `.json`. */
  | "counter"
  /** The sidecar name is cut (46 UTF-16 units before the counter and `.json`). */
  | "sidecar-cut"
  /** The media name is cut to 47 UTF-16 units before its extension (old-style exports). */
  | "name-cut"
  /** The title holds a ` (38)` that is part of the original name, not a counter. */
  | "real-parens"
  /** Emoji (two UTF-16 units each) in the name. */
  | "emoji"
  /** A non-Latin script in the name (Cyrillic, CJK, Arabic, Greek, Hebrew, Devanagari, Hangul, Thai). */
  | "script"
  /** The name is in Unicode NFD (decomposed accents, as macOS writes them). */
  | "nfd"
  /** A `/` of the title became `_` in the name. */
  | "slash"
  /** An edited copy (`-edited`, `-bearbeitet`, …) without a sidecar of its own. */
  | "edited"
  /** The still of a motion photo; it has the sidecar. */
  | "motion-still"
  /** The video of a motion photo; no sidecar of its own. */
  | "motion-video"
  /** No sidecar; the date is in the EXIF. */
  | "exif-only"
  /** The sidecar says `photoTakenTime.timestamp` "0"; the date is in the EXIF. */
  | "zero-timestamp"
  /** No sidecar, no EXIF; the date is in the name. */
  | "name-only"
  /** No sidecar, no EXIF, no date in the name: dated by the archive entry's modification time. */
  | "undated"
  /** The sidecar's date (set by the user in Google Photos) differs from the EXIF date (camera clock unset). */
  | "date-edited"
  /** Taken before 1970 (negative timestamp). */
  | "pre-1970"
  /** Taken after the export (a wrong camera clock), past 2038-01-19. */
  | "future"
  /** One of many shots within minutes. */
  | "burst"
  /** In the trash folder; its sidecar says `"trashed": true`. */
  | "trashed"
  /** Archived; in a year folder; its sidecar says `"archived": true`. */
  | "archived"
  /** The copy in an album folder of a file that is also in a year folder. */
  | "album-copy";

/** A place as the sidecar's `geoData`/`geoDataExif` give it. */
export interface TakeoutGeo {
  latitude: number;
  longitude: number;
  altitude: number;
}

/** One media file of an export: the truth that tests check an import against. */
export interface TakeoutFile {
  /** Identity of the media item (`AF1Qip…`): every copy (year folder, album folders) has the same one. */
  id: string;
  /** Folder under {@linkcode TakeoutExport.root}: a year folder, an album folder or the trash folder. */
  folder: string;
  /** File name inside the folder as Google wrote it (title with `/` → `_`, maybe cut, maybe a counter). */
  name: string;
  /** `${root}/${folder}/${name}`: the path inside the archive. */
  path: string;
  /** Original file name (the sidecar's `title`). */
  title: string;
  /** E.g. `image/jpeg`, `image/heic`, `video/mp4`, `video/quicktime`. */
  mimeType: string;
  /** Byte length. */
  size: number;
  /** The content (for a {@linkcode bigExport}, generated anew on each read). Album copies share it. */
  readonly bytes: Uint8Array;
  /** Modification time of the archive entry (whole even seconds, so zip's DOS time holds it exactly). */
  mtimeMs: number;
  /** Name of its own sidecar in the same folder; `null` when it has none. */
  sidecar: string | null;
  /** Style of its sidecar name (also set for files without a sidecar: the style of the name rule). */
  sidecarStyle: SidecarStyle;
  /** The duplicate counter in `name` (`IMG_3479(1).JPG` → 1); undefined when there is none. */
  counter?: number;
  /** Exact text of its own sidecar. */
  sidecarText?: string;
  /** `photoTakenTime` of the sidecar that applies (its own, or that of the original/still for edited copies and
   * motion videos), in ms; undefined when there is none or it says "0". */
  takenMs?: number;
  /** `creationTime` (upload) of that sidecar, in ms. */
  uploadMs?: number;
  /** EXIF of the JPEG as written: DateTimeOriginal and maybe OffsetTimeOriginal. */
  exif?: { dateTimeOriginal: string; offsetTimeOriginal?: string };
  /** The instant the EXIF stands for: exact with an offset; without one, the wall-clock time read as UTC. */
  exifMs?: number;
  /** Date and time in the name (`IMG_20190405_101112.jpg`), the wall-clock time read as UTC (Pixel `PXL_` names
   * are UTC already). */
  nameMs?: number;
  /** The capture time an import should give the file: `takenMs`, else `exifMs`, else `nameMs`, else `mtimeMs`. */
  captureMs: number;
  /** Which of those `captureMs` is. */
  dateSource: "sidecar" | "exif" | "name" | "entry";
  trashed: boolean;
  archived: boolean;
  favorited: boolean;
  /** The sidecar's `description`, when not empty. */
  description?: string;
  /** The sidecar's `geoData`, when not all zero. */
  geo?: TakeoutGeo;
  /** The sidecar's `geoDataExif`, when not all zero. */
  geoExif?: TakeoutGeo;
  /** Names in the sidecar's `people`. */
  people?: string[];
  /** Folders of the albums holding this media item (the same on every copy). */
  albums: string[];
  /** For a copy in an album folder: the `path` of the copy in the year (or trash) folder. */
  copyOf?: string;
  /** For an edited copy: the `name` of the original in the same folder. */
  editedOf?: string;
  /** For the video of a motion photo: the `name` of its still in the same folder. */
  motionOf?: string;
  /** For the still of a motion photo: the `name` of its video in the same folder. */
  motionVideo?: string;
  quirks: TakeoutQuirk[];
}

/** An album of an export. */
export interface TakeoutAlbum {
  /** Folder under the root, e.g. `Urlaub 2019(1)`. */
  folder: string;
  /** Title in the album's `metadata.json` (may differ from the folder; "" for an untitled album). */
  title: string;
  description: string;
  /** The album's `date` in `metadata.json`, in ms. */
  dateMs: number;
}

/** A non-media entry other than a sidecar: album `metadata.json`, `print-subscriptions.json`, …. */
export interface TakeoutExtra {
  /** Path inside the archive. */
  path: string;
  bytes: Uint8Array;
  mtimeMs: number;
  kind: "album-metadata" | "other";
}

/** A generated export. */
export interface TakeoutExport {
  seed: number;
  language: TakeoutLanguage;
  /** `Takeout/<localised "Google Photos">`. */
  root: string;
  /** When Google made the export; names the archives (`takeout-20251110T101010Z-001.zip`). */
  exportedMs: number;
  /** Every media file, album copies included, in the order they are written (before sidecars are displaced). */
  files: TakeoutFile[];
  albums: TakeoutAlbum[];
  extras: TakeoutExtra[];
}

/** Options of {@linkcode generateTakeout}. */
export interface TakeoutOptions {
  /** PRNG seed; default 1. */
  seed?: number;
  /** Number of ordinary media items (motion videos, edited and album copies come on top); default 60. */
  count?: number;
  /** Default "en". */
  language?: TakeoutLanguage;
  /** Default "new"; "mixed" gives each item one style at random (and each hand-written case its own). */
  sidecarStyle?: SidecarStyle | "mixed";
  /** Include the hand-written quirk cases (literal names, dating edge cases, trash, …); default true. */
  specials?: boolean;
  /** First year of the ordinary items; default 2009. Later years get more items. */
  fromYear?: number;
  /** When the export was made, ISO 8601; default `2025-11-10T10:10:10Z`. Ordinary items are taken before. */
  exportedAt?: string;
  /** Smallest photo size in bytes (videos are three times larger); default 2,000. */
  minSize?: number;
  /** Largest photo size in bytes; default 8,000. */
  maxSize?: number;
}

/** The localised names of an export's folders. */
export interface TakeoutNames {
  /** Folder under `Takeout/`. */
  root: string;
  yearFolder(year: number): string;
  trash: string;
  /** Suffix of edited copies, before the extension. */
  edited: string;
  /** Folder of an untitled album (assumed localised like this). */
  untitled: string;
  /** Title of the holiday album the fixture creates. */
  vacation: string;
}

const NAMES: Record<TakeoutLanguage, TakeoutNames> = {
  en: {
    root: "Google Photos",
    yearFolder: (y) => `Photos from ${y}`,
    trash: "Trash",
    edited: "-edited",
    untitled: "Untitled",
    vacation: "Vacation 2019",
  },
  de: {
    root: "Google Fotos",
    yearFolder: (y) => `Fotos von ${y}`,
    trash: "Papierkorb",
    edited: "-bearbeitet",
    untitled: "Ohne Titel",
    vacation: "Urlaub 2019",
  },
  fr: {
    root: "Google Photos",
    yearFolder: (y) => `Photos de ${y}`,
    trash: "Corbeille",
    edited: "-modifié",
    untitled: "Sans titre",
    vacation: "Vacances 2019",
  },
  es: {
    root: "Google Fotos",
    yearFolder: (y) => `Fotos de ${y}`,
    trash: "Papelera",
    edited: "-editado",
    untitled: "Sin título",
    vacation: "Vacaciones 2019",
  },
  it: {
    root: "Google Foto",
    yearFolder: (y) => `Foto dal ${y}`,
    trash: "Cestino",
    edited: "-modificato",
    untitled: "Senza titolo",
    vacation: "Vacanze 2019",
  },
  nl: {
    root: "Google Foto",
    yearFolder: (y) => `Foto's uit ${y}`,
    trash: "Prullenbak",
    edited: "-bewerkt",
    untitled: "Zonder titel",
    vacation: "Vakantie 2019",
  },
};

const LOCALES: Record<TakeoutLanguage, string> = {
  en: "en-US",
  de: "de-DE",
  fr: "fr-FR",
  es: "es-ES",
  it: "it-IT",
  nl: "nl-NL",
};

/** The localised folder names of a language. */
export function takeoutNames(language: TakeoutLanguage): TakeoutNames {
  const names = NAMES[language];
  if (!names) throw new RangeError(`Unknown language "${language}"`);
  return names;
}

// ---------------------------------------------------------------------------------------------------------------
// Name rules

/**
 * The first `units` UTF-16 code units of `text`; a cut that would split a surrogate pair keeps the whole pair
 * (seen for media names cut to 47 units; assumed for sidecar names, which real exports show cut only between
 * code points).
 */
export function cutUnits(text: string, units: number): string {
  if (text.length <= units) return text;
  const last = text.charCodeAt(units - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? units + 1 : units);
}

/**
 * The name Google gives a media file with original name `title`: `/` becomes `_`; in old-style exports a stem
 * (the part before the last `.`) longer than 47 UTF-16 units is cut to 47, the extension kept; a duplicate
 * counter goes between stem and extension (`IMG_3479(1).JPG`).
 */
export function mediaName(title: string, style: SidecarStyle, counter?: number): string {
  const clean = title.replaceAll("/", "_");
  const dot = clean.lastIndexOf(".");
  let stem = dot > 0 ? clean.slice(0, dot) : clean;
  const ext = dot > 0 ? clean.slice(dot) : "";
  if (style === "old") stem = cutUnits(stem, 47);
  return counter ? `${stem}(${counter})${ext}` : stem + ext;
}

/**
 * The sidecar name of the media file named `name` (without its counter, i.e. `mediaName(title, style)`): take
 * `NAME.supplemental-metadata` (new) or `NAME` (old), keep its first 46 UTF-16 units, append the media name's
 * counter `(n)` if it has one, then `.json`.
 */
export function sidecarName(name: string, style: SidecarStyle, counter?: number): string {
  const full = style === "new" ? `${name}.supplemental-metadata` : name;
  return `${cutUnits(full, 46)}${counter ? `(${counter})` : ""}.json`;
}

/** `name` with a duplicate counter before its extension. */
function withCounter(name: string, counter: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)}(${counter})${name.slice(dot)}` : `${name}(${counter})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Content

type ContentKind = "jpeg" | "png" | "heic" | "mp4" | "mov";

const MIME: Record<ContentKind, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  heic: "image/heic",
  mp4: "video/mp4",
  mov: "video/quicktime",
};

/** Bytes made of xorshift32 filler words (little endian) from `seed`, with a header and a trailer over them. */
type Content = FillerContent & { header: Uint8Array; trailer: Uint8Array };

const enc = new TextEncoder();

function bytesOf(...parts: (number[] | Uint8Array | string)[]): Uint8Array {
  const arrays = parts.map((p) =>
    typeof p === "string" ? enc.encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

const u16 = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

const JFIF_APP0 = [0xff, 0xe0, 0x00, 0x10, ...enc.encode("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
/** A baseline SOF0 for a 4032×3024 three-component image, then the start of the scan. */
const JPEG_FRAME = [
  ...[0xff, 0xc0, 0x00, 0x11, 0x08, ...u16(3024), ...u16(4032), 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01],
  ...[0x03, 0x11, 0x01],
  ...[0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00],
];
const JPEG_END = Uint8Array.of(0xff, 0xd9);
const PNG_HEADER = bytesOf([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13], "IHDR", [
  ...u32(1080),
  ...u32(2400),
  8,
  2,
  0,
  0,
  0,
  0x5c,
  0x6d,
  0x4f,
  0x21,
]);
const PNG_END = bytesOf([0, 0, 0, 0], "IEND", [0xae, 0x42, 0x60, 0x82]);
const HEIC_HEADER = bytesOf([0, 0, 0, 0x18], "ftypheic", [0, 0, 0, 0], "mif1heic");
/** An `ftyp` box followed by the header of an `mdat` box running to the end of the file. */
const MP4_HEADER = bytesOf([0, 0, 0, 32], "ftypisom", [0, 0, 2, 0], "isomiso2avc1mp41", [0, 0, 0, 0], "mdat");
const MOV_HEADER = bytesOf([0, 0, 0, 20], "ftypqt  ", [0, 0, 2, 0], "qt  ", [0, 0, 0, 0], "mdat");

/**
 * A JPEG APP1 segment with a big-endian TIFF structure: IFD0 (Make, Model when given, and the ExifIFD pointer)
 * and an ExifIFD holding DateTimeOriginal and, when given, OffsetTimeOriginal.
 */
export function exifSegment(
  exif: { dateTimeOriginal: string; offsetTimeOriginal?: string; make?: string; model?: string },
): Uint8Array {
  if (!/^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/.test(exif.dateTimeOriginal)) {
    throw new RangeError(`DateTimeOriginal must be "YYYY:MM:DD HH:MM:SS", got "${exif.dateTimeOriginal}"`);
  }
  type Tag = [tag: number, text: string];
  const ifd0: Tag[] = [];
  if (exif.make) ifd0.push([0x010f, exif.make]);
  if (exif.model) ifd0.push([0x0110, exif.model]);
  const exifTags: Tag[] = [[0x9003, exif.dateTimeOriginal]];
  if (exif.offsetTimeOriginal) exifTags.push([0x9011, exif.offsetTimeOriginal]);
  const ifdSize = (n: number) => 2 + 12 * n + 4;
  const ifd0At = 8;
  const exifAt = ifd0At + ifdSize(ifd0.length + 1);
  let dataAt = exifAt + ifdSize(exifTags.length);
  const data: number[] = [];
  const entries = (tags: Tag[]) =>
    tags.flatMap(([tag, text]) => {
      const value = [...enc.encode(text), 0];
      let field: number[];
      if (value.length <= 4) field = [...value, 0, 0, 0, 0].slice(0, 4);
      else {
        field = u32(dataAt);
        data.push(...value);
        dataAt += value.length;
        if (value.length % 2) (data.push(0), dataAt++);
      }
      return [...u16(tag), ...u16(2), ...u32(value.length), ...field];
    });
  const ifd0Bytes = [
    ...u16(ifd0.length + 1),
    ...entries(ifd0),
    ...[0x87, 0x69, 0, 4, 0, 0, 0, 1],
    ...u32(exifAt),
    0,
    0,
    0,
    0,
  ];
  const exifBytes = [...u16(exifTags.length), ...entries(exifTags), 0, 0, 0, 0];
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, ...u32(ifd0At), ...ifd0Bytes, ...exifBytes, ...data];
  const payload = [...enc.encode("Exif\0\0"), ...tiff];
  return Uint8Array.from([0xff, 0xe1, ...u16(payload.length + 2), ...payload]);
}

function contentOf(kind: ContentKind, seed: number, size: number, exif?: Uint8Array): Content {
  switch (kind) {
    case "jpeg":
      return {
        seed,
        size,
        header: bytesOf([0xff, 0xd8], exif ?? JFIF_APP0, JPEG_FRAME),
        trailer: JPEG_END,
      };
    case "png":
      return { seed, size, header: PNG_HEADER, trailer: PNG_END };
    case "heic":
      return { seed, size, header: HEIC_HEADER, trailer: new Uint8Array() };
    case "mp4":
      return { seed, size, header: MP4_HEADER, trailer: new Uint8Array() };
    case "mov":
      return { seed, size, header: MOV_HEADER, trailer: new Uint8Array() };
  }
}

function render(content: Content): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(content.size);
  fill(bytes, content.seed);
  overlay(bytes, 0, content);
  return bytes;
}

/** Contents of files whose bytes are generated on demand ({@linkcode bigExport}). */
const lazyContent = new WeakMap<TakeoutFile, Content>();

/** The bytes of a file as a stream; for a {@linkcode bigExport} generated chunk by chunk as they are read. */
export function fileStream(file: TakeoutFile): ReadableStream<Uint8Array> {
  const content = lazyContent.get(file);
  if (content) return contentStream(content);
  const bytes = file.bytes;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Dates and sidecar JSON

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Wall-clock parts of an epoch-ms time read as UTC. */
function parts(ms: number) {
  const d = new Date(ms);
  return {
    y: d.getUTCFullYear(),
    mo: pad(d.getUTCMonth() + 1),
    d: pad(d.getUTCDate()),
    h: pad(d.getUTCHours()),
    mi: pad(d.getUTCMinutes()),
    s: pad(d.getUTCSeconds()),
    ms: pad(d.getUTCMilliseconds(), 3),
  };
}

function exifDate(wallMs: number): string {
  const p = parts(wallMs);
  return `${p.y}:${p.mo}:${p.d} ${p.h}:${p.mi}:${p.s}`;
}

function offsetText(tzMinutes: number): string {
  const abs = Math.abs(tzMinutes);
  return `${tzMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Parses `YYYY-MM-DD HH:MM:SS[.mmm]` as UTC. */
function utc(text: string): number {
  const ms = Date.parse(`${text.replace(" ", "T")}Z`);
  if (Number.isNaN(ms)) throw new RangeError(`Bad date "${text}"`);
  return ms;
}

const formatters = new Map<TakeoutLanguage, Intl.DateTimeFormat>();

/** The sidecar's `{timestamp, formatted}` for an epoch-ms time: seconds as a string, and a localised text. */
function stamp(ms: number, language: TakeoutLanguage): { timestamp: string; formatted: string } {
  let format = formatters.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], {
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      second: "2-digit",
      timeZone: "UTC",
      timeZoneName: "short",
    });
    formatters.set(language, format);
  }
  return { timestamp: String(Math.floor(ms / 1000)), formatted: format.format(ms) };
}

/**
 * JSON as Google writes sidecars: two-space indent, objects in arrays opened on the array's line
 * (`[{` … `}, {` … `}]`), and floats always with a fraction (`0.0`).
 */
function googleJson(value: unknown, indent = ""): string {
  if (typeof value === "number") return Number.isInteger(value) ? `${value}.0` : String(value);
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => googleJson(v, indent)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  const inner = indent + "  ";
  return `{\n${
    entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${googleJson(v, inner)}`).join(",\n")
  }\n${indent}}`;
}

const ZERO_GEO = { latitude: 0, longitude: 0, altitude: 0, latitudeSpan: 0, longitudeSpan: 0 };

// ---------------------------------------------------------------------------------------------------------------
// Generation

type Origin =
  | { mobileUpload: { deviceFolder?: { localFolderName: string }; deviceType: string } }
  | { webUpload: { computerUpload: Record<string, never> } };

const ANDROID: Origin = {
  mobileUpload: { deviceFolder: { localFolderName: "" }, deviceType: "ANDROID_PHONE" },
};
const IOS: Origin = { mobileUpload: { deviceType: "IOS_PHONE" } };
const WHATSAPP: Origin = {
  mobileUpload: { deviceFolder: { localFolderName: "WhatsApp Images" }, deviceType: "ANDROID_PHONE" },
};
const COMPUTER: Origin = { webUpload: { computerUpload: {} } };

/** One media item to place, with its motion video and edited copy. */
interface Draft {
  title: string;
  kind: ContentKind;
  /** True capture instant, whole seconds. */
  takenMs: number;
  /** Minutes east of UTC where it was taken. */
  tz: number;
  sidecar: "yes" | "zero" | "none";
  /** EXIF: wall clock (read as UTC) and whether OffsetTimeOriginal is written. */
  exif?: { wallMs: number; offset: boolean; make: string; model: string };
  nameMs?: number;
  /** Style when the export is "mixed". */
  prefer?: SidecarStyle;
  /** Hand-written name and sidecar name per style. */
  literal?: Partial<Record<SidecarStyle, { name: string; sidecar: string; counter?: number }>>;
  trashed?: boolean;
  archived?: boolean;
  favorited?: boolean;
  description?: string;
  people?: string[];
  geo?: { data: TakeoutGeo; exif: TakeoutGeo };
  origin: Origin;
  uploadMs?: number;
  /** Year folder to use instead of the year of `takenMs`. */
  folderYear?: number;
  edited?: boolean;
  motion?: { title: string; kind: ContentKind };
  quirks: TakeoutQuirk[];
  /** Indexes into the album list. */
  albums: number[];
}

interface Place {
  names: Set<string>;
  sidecars: Set<string>;
}

const TIMEZONES = [60, 120, 0, -300, -240, -420, 330, 540, 600, 120, 60, 60];
const CITIES: TakeoutGeo[] = [
  { latitude: 52.520008, longitude: 13.404954, altitude: 34 },
  { latitude: 48.8566, longitude: 2.3522, altitude: 35.2 },
  { latitude: 35.6762, longitude: 139.6503, altitude: 40 },
  { latitude: -33.8688, longitude: 151.2093, altitude: 58.1 },
  { latitude: 40.7128, longitude: -74.006, altitude: 10 },
  { latitude: 50.2833, longitude: 6.4333, altitude: 512 },
  { latitude: 43.7696, longitude: 11.2558, altitude: 50 },
  { latitude: 55.755826, longitude: 37.6173, altitude: 144 },
];
const DESCRIPTIONS = [
  "Sonnenuntergang am Meer",
  "Семейный ужин у бабушки",
  "家族で花見",
  "عيد ميلاد سعيد",
  "Tour Eiffel ✨ avec toute la famille",
  'Line 1\nLine 2, with "quotes" and a tab\t.',
];
const PEOPLE = ["Anna", "Bernd", "Дочь", "田中さん", "José", "Zoë"];
const MULTI_SCRIPT = [
  "Москва зимой.jpg",
  "東京タワーの夜景.jpg",
  "رحلة إلى دبي.jpg",
  "Ακρόπολη.jpg",
  "서울 야경.jpg",
  "ताज महल.jpg",
  "שבת שלום.jpg",
  "กรุงเทพมหานคร.jpg",
  // 52 UTF-16 units before the extension: cut in old-style exports.
  "京都の清水寺で撮った紅葉の写真と友達と一緒に食べた湯豆腐と抹茶パフェと夜のライトアップと帰り道の夕焼け.jpg",
];

/** Generates a Google Photos Takeout export: deterministic for given options. */
export function generateTakeout(options: TakeoutOptions = {}): TakeoutExport {
  const {
    seed = 1,
    count = 60,
    language = "en",
    sidecarStyle = "new",
    specials = true,
    fromYear = 2009,
    exportedAt = "2025-11-10T10:10:10Z",
    minSize = 2_000,
    maxSize = 8_000,
  } = options;
  const names = takeoutNames(language);
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be >= 0, got ${count}`);
  if (
    !Number.isSafeInteger(minSize) || minSize < 600 || !Number.isSafeInteger(maxSize) || maxSize < minSize
  ) {
    throw new RangeError(`Sizes must satisfy 600 <= minSize <= maxSize, got ${minSize}..${maxSize}`);
  }
  if (!["new", "old", "mixed"].includes(sidecarStyle)) {
    throw new RangeError(`Bad sidecarStyle "${sidecarStyle}"`);
  }
  const exportedMs = evenSeconds(Date.parse(exportedAt));
  if (Number.isNaN(exportedMs)) throw new RangeError(`exportedAt must be an ISO date, got "${exportedAt}"`);
  const exportYear = new Date(exportedMs).getUTCFullYear();
  if (!Number.isSafeInteger(fromYear) || fromYear < 1990 || fromYear >= exportYear) {
    throw new RangeError(`fromYear must be in 1990..${exportYear - 1}, got ${fromYear}`);
  }
  const random = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const root = `Takeout/${names.root}`;

  const albumDefs: { folder: string; title: string; description: string }[] = [
    { folder: names.vacation, title: names.vacation, description: "" },
    { folder: `${names.vacation}(1)`, title: names.vacation, description: "" },
    { folder: "Дача 🌻", title: "Дача 🌻", description: "Лето на даче" },
    { folder: "2018 - Toscana", title: "2018 - Toscana", description: "" },
    { folder: names.untitled, title: "", description: "" },
  ];

  const drafts: Draft[] = specials ? specialDrafts() : [];
  drafts.push(...ordinaryDrafts(count, fromYear, exportedMs, random));
  const ordinaryStart = drafts.length - count;

  // Fill in what the drafts leave open, in a fixed order so the PRNG stays deterministic.
  for (const [i, d] of drafts.entries()) {
    const ordinary = i >= ordinaryStart;
    if (d.uploadMs === undefined) {
      const latest = exportedMs - DAY_MS;
      d.uploadMs = d.takenMs < utc("2005-01-01 00:00:00") || d.takenMs > latest
        ? utc("2016-01-01 00:00:00") + Math.floor(random() * (latest - utc("2016-01-01 00:00:00")))
        : Math.min(latest, d.takenMs + int(60, 30 * 86_400) * 1000);
      d.uploadMs = Math.floor(d.uploadMs / 1000) * 1000;
    }
    if (!ordinary) continue;
    if (random() < 0.08) d.favorited = true;
    if (random() < 0.1) d.description = pick(DESCRIPTIONS);
    if (random() < 0.1) d.people = [pick(PEOPLE), ...(random() < 0.4 ? [pick(PEOPLE)] : [])];
    if (random() < 0.45) {
      const city = pick(CITIES);
      const data = {
        latitude: city.latitude + (random() - 0.5) / 50,
        longitude: city.longitude + (random() - 0.5) / 50,
        altitude: Math.round(city.altitude * 1000 + random() * 20_000) / 1000,
      };
      // Now and then the user moved the pin: geoData then differs from geoDataExif.
      d.geo = { data, exif: random() < 0.1 ? { ...data, latitude: data.latitude + 0.01 } : data };
    }
    if (random() < 0.03) {
      d.trashed = true;
      d.quirks.push("trashed");
    } else if (random() < 0.04) {
      d.archived = true;
      d.quirks.push("archived");
    }
  }

  // Albums: the special drafts name theirs; ordinary drafts of fitting years join too.
  const inYear = (y: number) =>
    drafts.filter((d, i) => i >= ordinaryStart && !d.trashed && new Date(d.takenMs).getUTCFullYear() === y);
  const addToAlbum = (album: number, list: Draft[], max: number) => {
    for (const d of list.slice(0, max)) if (!d.albums.includes(album)) d.albums.push(album);
  };
  addToAlbum(0, inYear(2019), 8);
  addToAlbum(1, inYear(2019).slice(-4), 4); // overlaps album 0 when 2019 is small: a file in three folders
  addToAlbum(2, inYear(2021), 5);
  addToAlbum(3, inYear(2018), 5);
  addToAlbum(4, inYear(2023), 3);
  const usedAlbums = albumDefs.map((_, i) => drafts.some((d) => d.albums.includes(i)));

  // Place every file: the year (or trash) folder first, then album copies.
  const places = new Map<string, Place>();
  const placeOf = (folder: string) => {
    let place = places.get(folder);
    if (!place) places.set(folder, place = { names: new Set(), sidecars: new Set() });
    return place;
  };
  const claim = (place: Place, name: string, sidecar: string | null) => {
    if (place.names.has(name) || (sidecar !== null && place.sidecars.has(sidecar))) {
      throw new Error(`Fixture bug: "${name}" / "${sidecar}" placed twice`);
    }
    place.names.add(name);
    if (sidecar !== null) place.sidecars.add(sidecar);
  };
  /** The name of `base` in `place` with the first counter that frees both the name and the sidecar name. */
  const placeName = (place: Place, base: string, style: SidecarStyle, withSidecar: boolean) => {
    for (let n = 0;; n++) {
      const name = n ? withCounter(base, n) : base;
      const sidecar = withSidecar ? sidecarName(base, style, n || undefined) : null;
      if (!place.names.has(name) && (sidecar === null || !place.sidecars.has(sidecar))) {
        claim(place, name, sidecar);
        return { name, sidecar, counter: n || undefined };
      }
    }
  };

  const files: TakeoutFile[] = [];
  const groups: TakeoutFile[][] = [];
  for (const d of drafts) {
    const style: SidecarStyle = sidecarStyle === "mixed"
      ? d.prefer ?? (random() < 0.5 ? "new" : "old")
      : sidecarStyle;
    const folder = d.trashed
      ? names.trash
      : names.yearFolder(d.folderYear ?? new Date(d.takenMs).getUTCFullYear());
    const place = placeOf(folder);
    const id = photoId(random);
    const size = int(minSize, maxSize);
    const base = mediaName(d.title, style);
    const literal = d.literal?.[style];
    const hasSidecar = d.sidecar !== "none";
    let placed: { name: string; sidecar: string | null; counter?: number };
    const quirks = [...d.quirks];
    if (literal) {
      placed = { name: literal.name, sidecar: hasSidecar ? literal.sidecar : null, counter: literal.counter };
      claim(place, placed.name, placed.sidecar);
      quirks.unshift("literal");
    } else {
      placed = placeName(place, base, style, hasSidecar);
    }
    if (placed.counter) quirks.push("counter");
    if (base !== d.title.replaceAll("/", "_")) quirks.push("name-cut");
    if (placed.sidecar && (style === "new" ? base.length + 22 : base.length) > 46) quirks.push("sidecar-cut");
    const exif = d.exif && d.kind === "jpeg"
      ? {
        dateTimeOriginal: exifDate(d.exif.wallMs),
        ...(d.exif.offset ? { offsetTimeOriginal: offsetText(d.tz) } : {}),
      }
      : undefined;
    const exifMs = exif && d.exif ? d.exif.wallMs - (d.exif.offset ? d.tz * 60_000 : 0) : undefined;
    const exifBytes = exif && d.exif
      ? exifSegment({ ...exif, make: d.exif.make, model: d.exif.model })
      : undefined;
    const takenMs = d.sidecar === "yes" ? d.takenMs : undefined;
    const main = makeFile({
      id,
      root,
      folder,
      name: placed.name,
      title: d.title,
      kind: d.kind,
      bytes: render(contentOf(d.kind, hash(`${seed}:${id}`), size, exifBytes)),
      sidecar: placed.sidecar,
      sidecarStyle: style,
      counter: placed.counter,
      takenMs,
      uploadMs: d.uploadMs,
      exif,
      exifMs,
      nameMs: d.nameMs,
      draft: d,
      quirks,
    });
    if (placed.sidecar) {
      main.sidecarText = googleJson(sidecarJson(d, id, language)) + "\n";
    }
    const group = [main];
    if (d.motion) {
      const video = placeName(place, mediaName(d.motion.title, style), style, false);
      const vid = photoId(random);
      const motionFile = makeFile({
        id: vid,
        root,
        folder,
        name: video.name,
        title: d.motion.title,
        kind: d.motion.kind,
        bytes: render(contentOf(d.motion.kind, hash(`${seed}:${vid}`), size * 3, undefined)),
        sidecar: null,
        sidecarStyle: style,
        counter: video.counter,
        takenMs,
        uploadMs: d.uploadMs,
        nameMs: d.nameMs,
        draft: d,
        quirks: ["motion-video", ...d.quirks.filter((q) => q !== "motion-still")],
      });
      motionFile.motionOf = main.name;
      main.motionVideo = motionFile.name;
      group.push(motionFile);
    }
    if (d.edited && !placed.counter) {
      const dot = placed.name.lastIndexOf(".");
      const editedName = `${placed.name.slice(0, dot)}${names.edited}${placed.name.slice(dot)}`;
      claim(place, editedName, null);
      const eid = photoId(random);
      const edited = makeFile({
        id: eid,
        root,
        folder,
        name: editedName,
        title: d.title,
        kind: d.kind,
        bytes: render(contentOf(d.kind, hash(`${seed}:${eid}`), Math.max(minSize, size - 300), exifBytes)),
        sidecar: null,
        sidecarStyle: style,
        takenMs,
        uploadMs: d.uploadMs,
        exif,
        exifMs,
        nameMs: d.nameMs,
        draft: d,
        quirks: ["edited", ...d.quirks.filter((q) => q !== "literal")],
      });
      edited.editedOf = main.name;
      group.push(edited);
    }
    groups.push(group);
    files.push(...group);
  }

  // Album copies: the same bytes (the same array) and the same sidecar text again.
  const albumOf = (i: number) => albumDefs[i].folder;
  for (const [gi, d] of drafts.entries()) {
    if (d.albums.length === 0) continue;
    const group = groups[gi];
    const folders = d.albums.map(albumOf);
    for (const f of group) f.albums = folders;
    for (const folder of folders) {
      const place = placeOf(folder);
      const renamed = new Map<string, string>();
      for (const f of group) {
        let name = f.name;
        let sidecar = f.sidecar;
        let counter = f.counter;
        if (place.names.has(name) || (sidecar !== null && place.sidecars.has(sidecar))) {
          ({ name, sidecar, counter } = placeName(
            place,
            mediaName(f.title, f.sidecarStyle),
            f.sidecarStyle,
            sidecar !== null,
          ));
        } else claim(place, name, sidecar);
        renamed.set(f.name, name);
        const copy: TakeoutFile = {
          ...f,
          folder,
          name,
          path: `${root}/${folder}/${name}`,
          sidecar,
          counter,
          copyOf: f.path,
          quirks: [...f.quirks.filter((q) => q !== "literal" || name === f.name), "album-copy"],
        };
        if (!counter) copy.quirks = copy.quirks.filter((q) => q !== "counter");
        else if (!copy.quirks.includes("counter")) copy.quirks.push("counter");
        files.push(copy);
      }
      for (const f of files.slice(-group.length)) {
        if (f.motionOf) f.motionOf = renamed.get(f.motionOf);
        if (f.motionVideo) f.motionVideo = renamed.get(f.motionVideo);
        if (f.editedOf) f.editedOf = renamed.get(f.editedOf);
      }
    }
  }

  // Order: year folders ascending, then albums, then the trash; within a folder as placed. Entry times run on
  // from the export time, two seconds a file, as Google's archives show.
  const folderRank = (folder: string) => {
    if (folder === names.trash) return [3, 0];
    const album = albumDefs.findIndex((a) => a.folder === folder);
    if (album >= 0) return [2, album];
    return [1, Number(/\d+$/.exec(folder)?.[0] ?? 0)];
  };
  const ordered = files
    .map((f, i) => ({ f, i, rank: folderRank(f.folder) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.i - b.i)
    .map(({ f }) => f);
  for (const [i, f] of ordered.entries()) {
    f.mtimeMs = exportedMs + 2000 * i;
    const date = dateOf(f);
    f.captureMs = date.ms;
    f.dateSource = date.source;
  }

  const albums: TakeoutAlbum[] = [];
  const extras: TakeoutExtra[] = [];
  for (const [i, def] of albumDefs.entries()) {
    if (!usedAlbums[i]) continue;
    const members = files.filter((f) => f.folder === def.folder);
    // Made an hour after its last upload.
    const lastUpload = Math.max(0, ...members.map((f) => f.uploadMs ?? 0)) || exportedMs - YEAR_MS;
    const dateMs = evenSeconds(lastUpload + 3_600_000);
    albums.push({ ...def, dateMs });
    const metadata = {
      title: def.title,
      description: def.description,
      access: "protected",
      date: stamp(dateMs, language),
    };
    extras.push({
      path: `${root}/${def.folder}/metadata.json`,
      bytes: enc.encode(googleJson(metadata) + "\n"),
      mtimeMs: Math.min(dateMs, exportedMs),
      kind: "album-metadata",
    });
  }
  extras.push(...otherExtras(root, exportedMs, language));
  return { seed, language, root, exportedMs, files: ordered, albums, extras };
}

function evenSeconds(ms: number): number {
  return Math.floor(ms / 2000) * 2000;
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function photoId(random: () => number): string {
  let id = "AF1Qip";
  for (let i = 0; i < 38; i++) id += BASE64URL[Math.floor(random() * 64)];
  return id;
}

function makeFile(a: {
  id: string;
  root: string;
  folder: string;
  name: string;
  title: string;
  kind: ContentKind;
  bytes: Uint8Array;
  sidecar: string | null;
  sidecarStyle: SidecarStyle;
  counter?: number;
  takenMs?: number;
  uploadMs?: number;
  exif?: TakeoutFile["exif"];
  exifMs?: number;
  nameMs?: number;
  draft: Draft;
  quirks: TakeoutQuirk[];
}): TakeoutFile {
  const d = a.draft;
  const file: TakeoutFile = {
    id: a.id,
    folder: a.folder,
    name: a.name,
    path: `${a.root}/${a.folder}/${a.name}`,
    title: a.title,
    mimeType: MIME[a.kind],
    size: a.bytes.length,
    bytes: a.bytes,
    mtimeMs: 0,
    sidecar: a.sidecar,
    sidecarStyle: a.sidecarStyle,
    captureMs: 0,
    dateSource: "entry",
    trashed: !!d.trashed,
    archived: !!d.archived,
    favorited: !!d.favorited,
    albums: [],
    quirks: [...new Set(a.quirks)],
  };
  if (a.counter) file.counter = a.counter;
  if (a.takenMs !== undefined) file.takenMs = a.takenMs;
  if (a.uploadMs !== undefined && d.sidecar !== "none") file.uploadMs = a.uploadMs;
  if (a.exif) file.exif = a.exif;
  if (a.exifMs !== undefined) file.exifMs = a.exifMs;
  if (a.nameMs !== undefined) file.nameMs = a.nameMs;
  if (d.sidecar !== "none") {
    if (d.description) file.description = d.description;
    if (d.geo) (file.geo = d.geo.data, file.geoExif = d.geo.exif);
    if (d.people) file.people = d.people;
  }
  return file;
}

function dateOf(f: TakeoutFile): { ms: number; source: TakeoutFile["dateSource"] } {
  if (f.takenMs !== undefined) return { ms: f.takenMs, source: "sidecar" };
  if (f.exifMs !== undefined) return { ms: f.exifMs, source: "exif" };
  if (f.nameMs !== undefined) return { ms: f.nameMs, source: "name" };
  return { ms: f.mtimeMs, source: "entry" };
}

function sidecarJson(d: Draft, id: string, language: TakeoutLanguage): Record<string, unknown> {
  const views = hash(id) % 140;
  const geo = (g: TakeoutGeo | undefined) => g ? { ...g, latitudeSpan: 0, longitudeSpan: 0 } : ZERO_GEO;
  return {
    title: d.title,
    description: d.description ?? "",
    imageViews: String(views),
    creationTime: stamp(d.uploadMs!, language),
    photoTakenTime: d.sidecar === "zero" ? stamp(0, language) : stamp(d.takenMs, language),
    geoData: geo(d.geo?.data),
    geoDataExif: geo(d.geo?.exif),
    people: d.people?.map((name) => ({ name })),
    url: `https://photos.google.com/photo/${id}`,
    googlePhotosOrigin: d.origin,
    favorited: d.favorited || undefined,
    archived: d.archived || undefined,
    trashed: d.trashed || undefined,
  };
}

function otherExtras(root: string, exportedMs: number, language: TakeoutLanguage): TakeoutExtra[] {
  const json = (value: unknown) => enc.encode(googleJson(value) + "\n");
  return [
    {
      path: "Takeout/archive_browser.html",
      bytes: enc.encode(
        `<!DOCTYPE html>\n<html lang="${language}"><head><meta charset="utf-8"><title>Google Takeout</title></head>` +
          `<body><h1>Google Takeout</h1><p>${takeoutNames(language).root}</p></body></html>\n`,
      ),
      mtimeMs: exportedMs,
      kind: "other",
    },
    {
      path: `${root}/print-subscriptions.json`,
      bytes: json({ printSubscriptions: [] }),
      mtimeMs: exportedMs,
      kind: "other",
    },
    { path: `${root}/shared_album_comments.json`, bytes: json([]), mtimeMs: exportedMs, kind: "other" },
    {
      path: `${root}/user-generated-memory-titles.json`,
      bytes: json({ title: [] }),
      mtimeMs: exportedMs,
      kind: "other",
    },
  ];
}

/** The ordinary items: camera-like names, more in recent years, some burst days. */
function ordinaryDrafts(count: number, fromYear: number, exportedMs: number, random: () => number): Draft[] {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const exportYear = new Date(exportedMs).getUTCFullYear();
  const years: number[] = [];
  const weights: number[] = [];
  for (let y = fromYear; y <= exportYear; y++) (years.push(y), weights.push(1.3 ** (y - fromYear)));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const counters = { iphone: int(1000, 8000), camera: int(100, 9000), whatsapp: 0 };
  // Shots first, then names in time order, so that camera counters rise with time.
  const shots: { wall: number; takenMs: number; tz: number; device: Device; burst: boolean }[] = [];
  while (shots.length < count) {
    let r = random() * totalWeight;
    let year = years[years.length - 1];
    for (const [i, w] of weights.entries()) {
      if ((r -= w) < 0) {
        year = years[i];
        break;
      }
    }
    const yearStart = Date.UTC(year, 0, 1);
    const yearEnd = Math.min(Date.UTC(year + 1, 0, 1), exportedMs - 3 * DAY_MS);
    const day = yearStart + Math.floor(random() * Math.max(1, (yearEnd - yearStart) / DAY_MS)) * DAY_MS;
    const tz = pick(TIMEZONES);
    const burst = random() < 0.12;
    const n = Math.min(count - shots.length, burst ? int(5, 14) : int(1, 3));
    const device = pickDevice(year, random);
    let wall = day + int(7 * 3600, 20 * 3600) * 1000;
    for (let k = 0; k < n; k++) {
      if (k > 0) wall += (burst ? int(1, 40) : int(30, 3600)) * 1000;
      const takenMs = wall - tz * 60_000;
      if (takenMs >= exportedMs - DAY_MS) break;
      shots.push({ wall, takenMs, tz, device, burst });
    }
  }
  shots.sort((a, b) => a.takenMs - b.takenMs);
  return shots.map((s) => deviceDraft(s.device, s.wall, s.takenMs, s.tz, random, counters, s.burst));
}

type Device = "android" | "pixel" | "iphone" | "camera" | "whatsapp" | "screenshot";

function pickDevice(year: number, random: () => number): Device {
  const r = random();
  if (r < 0.06) return "whatsapp";
  if (r < 0.1) return "screenshot";
  if (r < 0.22) return "camera";
  if (r < 0.55) return "iphone";
  return year >= 2020 ? "pixel" : "android";
}

function deviceDraft(
  device: Device,
  wall: number,
  takenMs: number,
  tz: number,
  random: () => number,
  counters: { iphone: number; camera: number; whatsapp: number },
  burst: boolean,
): Draft {
  const p = parts(wall);
  const stamp = `${p.y}${p.mo}${p.d}_${p.h}${p.mi}${p.s}`;
  const video = !burst && random() < 0.12;
  const base: Draft = {
    title: "",
    kind: "jpeg",
    takenMs,
    tz,
    sidecar: "yes",
    origin: ANDROID,
    quirks: burst ? ["burst"] : [],
    albums: [],
  };
  switch (device) {
    case "android": {
      const motion = !video && p.y >= 2017 && random() < 0.15;
      const exif = { wallMs: wall, offset: random() < 0.5, make: "samsung", model: "SM-G960F" };
      if (video) return { ...base, title: `VID_${stamp}.mp4`, kind: "mp4", nameMs: wall };
      if (motion) {
        return {
          ...base,
          title: `MVIMG_${stamp}.jpg`,
          exif,
          nameMs: wall,
          motion: { title: `MVIMG_${stamp}.mp4`, kind: "mp4" },
          quirks: [...base.quirks, "motion-still"],
        };
      }
      return { ...base, title: `IMG_${stamp}.jpg`, exif, nameMs: wall, edited: random() < 0.06 };
    }
    case "pixel": {
      const u = parts(takenMs);
      const name = `PXL_${u.y}${u.mo}${u.d}_${u.h}${u.mi}${u.s}${u.ms.slice(0, 2)}${
        Math.floor(random() * 10)
      }`;
      const nameMs = utc(`${u.y}-${u.mo}-${u.d} ${u.h}:${u.mi}:${u.s}`);
      if (video) return { ...base, title: `${name}.mp4`, kind: "mp4", nameMs };
      const exif = { wallMs: wall, offset: true, make: "Google", model: "Pixel 7" };
      if (random() < 0.25) {
        return {
          ...base,
          title: `${name}.MP.jpg`,
          exif,
          nameMs,
          motion: { title: `${name}.MP`, kind: "mp4" },
          quirks: [...base.quirks, "motion-still"],
        };
      }
      return { ...base, title: `${name}.jpg`, exif, nameMs, edited: random() < 0.06 };
    }
    case "iphone": {
      const name = `IMG_${String(counters.iphone++ % 10_000).padStart(4, "0")}`;
      const ios = { ...base, origin: IOS };
      if (video) return { ...ios, title: `${name}.MOV`, kind: "mov" };
      if (p.y >= 2018) {
        const live = random() < 0.4;
        return {
          ...ios,
          title: `${name}.HEIC`,
          kind: "heic",
          ...(live ? { motion: { title: `${name}.MOV`, kind: "mov" as const } } : {}),
          quirks: live ? [...base.quirks, "motion-still"] : base.quirks,
        };
      }
      return {
        ...ios,
        title: `${name}.JPG`,
        exif: { wallMs: wall, offset: p.y >= 2017, make: "Apple", model: "iPhone 6s" },
        edited: random() < 0.06,
      };
    }
    case "camera": {
      const name = `DSC${String(counters.camera++ % 100_000).padStart(5, "0")}`;
      return {
        ...base,
        title: `${name}.JPG`,
        origin: COMPUTER,
        exif: { wallMs: wall, offset: false, make: "SONY", model: "ILCE-6000" },
      };
    }
    case "whatsapp": {
      counters.whatsapp++;
      return {
        ...base,
        title: `IMG-${p.y}${p.mo}${p.d}-WA${String(counters.whatsapp % 10_000).padStart(4, "0")}.jpg`,
        origin: WHATSAPP,
      };
    }
    case "screenshot":
      return {
        ...base,
        title: `Screenshot_${p.y}${p.mo}${p.d}-${p.h}${p.mi}${p.s}.png`,
        kind: "png",
        nameMs: wall,
      };
  }
}

/** The hand-written cases: literal names from real exports, and the dating and folder edge cases. */
function specialDrafts(): Draft[] {
  /** A draft taken at local wall-clock time `wall` (`YYYY-MM-DD HH:MM:SS`) in a zone `tz` minutes east of UTC. */
  const at = (wall: string, tz: number, rest: Partial<Draft> & { title: string }): Draft => {
    const wallMs = utc(wall);
    return {
      kind: "jpeg",
      takenMs: wallMs - tz * 60_000,
      tz,
      sidecar: "yes",
      origin: ANDROID,
      albums: [],
      ...rest,
      quirks: rest.quirks ?? [],
    };
  };
  const exifAt = (wall: string, offset: boolean, make = "samsung", model = "SM-G960F") => ({
    wallMs: utc(wall),
    offset,
    make,
    model,
  });
  const summer = "🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋🍊🍏🍎🍇";
  const smileys = "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛";
  const drafts: Draft[] = [
    // `.supplemental-metadata` cut to `.supple`, and a counter after the cut.
    at("2023-10-27 12:33:03", 120, {
      title: "Screenshot_20231027_123303_Facebook.jpg",
      nameMs: utc("2023-10-27 12:33:03"),
      prefer: "new",
      literal: {
        new: {
          name: "Screenshot_20231027_123303_Facebook.jpg",
          sidecar: "Screenshot_20231027_123303_Facebook.jpg.supple.json",
        },
        old: {
          name: "Screenshot_20231027_123303_Facebook.jpg",
          sidecar: "Screenshot_20231027_123303_Facebook.jpg.json",
        },
      },
    }),
    at("2023-10-27 12:33:03", 120, {
      title: "Screenshot_20231027_123303_Facebook.jpg",
      nameMs: utc("2023-10-27 12:33:03"),
      prefer: "new",
      literal: {
        new: {
          name: "Screenshot_20231027_123303_Facebook(1).jpg",
          sidecar: "Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
          counter: 1,
        },
        old: {
          name: "Screenshot_20231027_123303_Facebook(1).jpg",
          sidecar: "Screenshot_20231027_123303_Facebook.jpg(1).json",
          counter: 1,
        },
      },
    }),
    // A counter after the whole `.supplemental-metadata`.
    ...[0, 1].map((n) =>
      at(`2016-03-12 1${n}:00:00`, 60, {
        title: "Scan35.jpg",
        origin: COMPUTER,
        prefer: "new",
        literal: {
          new: {
            name: n ? "Scan35(1).jpg" : "Scan35.jpg",
            sidecar: n ? "Scan35.jpg.supplemental-metadata(1).json" : "Scan35.jpg.supplemental-metadata.json",
            ...(n ? { counter: 1 } : {}),
          },
          old: {
            name: n ? "Scan35(1).jpg" : "Scan35.jpg",
            sidecar: n ? "Scan35.jpg(1).json" : "Scan35.jpg.json",
            ...(n ? { counter: 1 } : {}),
          },
        },
      })
    ),
    // Old style: the counter moves behind the extension.
    ...[0, 1].map((n) =>
      at(`2009-08-14 1${4 + n}:2${n}:00`, 120, {
        title: "IMG_3479.JPG",
        origin: IOS,
        exif: exifAt(`2009-08-14 1${4 + n}:2${n}:00`, false, "Apple", "iPhone 3GS"),
        prefer: "old",
        albums: [4],
        literal: {
          old: {
            name: n ? "IMG_3479(1).JPG" : "IMG_3479.JPG",
            sidecar: n ? "IMG_3479.JPG(1).json" : "IMG_3479.JPG.json",
            ...(n ? { counter: 1 } : {}),
          },
          new: {
            name: n ? "IMG_3479(1).JPG" : "IMG_3479.JPG",
            sidecar: n
              ? "IMG_3479.JPG.supplemental-metadata(1).json"
              : "IMG_3479.JPG.supplemental-metadata.json",
            ...(n ? { counter: 1 } : {}),
          },
        },
      })
    ),
    // 45 units: `NAME..json` in new style.
    at("2018-06-10 15:42:00", 120, {
      title: "Familienfeier bei Oma und Opa im Garten 9.jpg",
      exif: exifAt("2018-06-10 15:42:00", true),
      prefer: "new",
      literal: {
        new: {
          name: "Familienfeier bei Oma und Opa im Garten 9.jpg",
          sidecar: "Familienfeier bei Oma und Opa im Garten 9.jpg..json",
        },
        old: {
          name: "Familienfeier bei Oma und Opa im Garten 9.jpg",
          sidecar: "Familienfeier bei Oma und Opa im Garten 9.jpg.json",
        },
      },
    }),
    // 44 units: `.s.json` in new style. Pixel names are in UTC.
    at("2022-07-04 20:32:45", 120, {
      title: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg",
      exif: exifAt("2022-07-04 20:32:45", true, "Google", "Pixel 6"),
      nameMs: utc("2022-07-04 18:32:45.123"),
      prefer: "new",
      literal: {
        new: {
          name: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg",
          sidecar: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg.s.json",
        },
        old: {
          name: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg",
          sidecar: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg.json",
        },
      },
    }),
    // 47 units with a " (38)" of its own: no counter.
    at("2014-07-20 11:05:00", 120, {
      title: "Urlaub in Knaufspesch in der Schneifel (38).JPG",
      exif: exifAt("2014-07-20 11:05:00", false, "Canon", "Canon PowerShot S95"),
      origin: COMPUTER,
      prefer: "old",
      literal: {
        old: {
          name: "Urlaub in Knaufspesch in der Schneifel (38).JPG",
          sidecar: "Urlaub in Knaufspesch in der Schneifel (38).JP.json",
        },
        new: {
          name: "Urlaub in Knaufspesch in der Schneifel (38).JPG",
          sidecar: "Urlaub in Knaufspesch in der Schneifel (38).JP.json",
        },
      },
      quirks: ["real-parens"],
    }),
    // Two titles whose old-style names cut to the same 47 units: the second gets a counter.
    ...["Tanz", "Torte"].map((what, n) =>
      at(`2018-09-01 1${6 + n}:00:00`, 120, {
        title: `Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benrath_${what}.jpg`,
        origin: COMPUTER,
        prefer: "old",
        albums: [3],
        literal: {
          old: {
            name: n
              ? "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benr(1).jpg"
              : "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benr.jpg",
            sidecar: n
              ? "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Ben(1).json"
              : "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Ben.json",
            ...(n ? { counter: 1 } : {}),
          },
        },
      })
    ),
    // Emoji are two units each; the old-style name cut keeps the pair it would split.
    at("2021-08-08 17:00:00", 180, {
      title: `Sommer${summer}.jpg`,
      prefer: "old",
      albums: [2],
      literal: {
        old: {
          name: "Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋.jpg",
          sidecar: "Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭.json",
        },
        new: {
          name: `Sommer${summer}.jpg`,
          sidecar: "Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭.json",
        },
      },
      quirks: ["emoji"],
    }),
    at("2023-05-01 09:00:00", 120, {
      title: `${smileys}.jpg`,
      prefer: "new",
      literal: {
        new: { name: `${smileys}.jpg`, sidecar: "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.j.json" },
        old: { name: `${smileys}.jpg`, sidecar: "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.j.json" },
      },
      quirks: ["emoji"],
    }),
    at("2020-02-29 19:30:00", 60, {
      title: "🎉 Geburtstag 🎂.jpg",
      exif: exifAt("2020-02-29 19:30:00", true),
      prefer: "new",
      literal: {
        new: { name: "🎉 Geburtstag 🎂.jpg", sidecar: "🎉 Geburtstag 🎂.jpg.supplemental-metadata.json" },
        old: { name: "🎉 Geburtstag 🎂.jpg", sidecar: "🎉 Geburtstag 🎂.jpg.json" },
      },
      quirks: ["emoji"],
    }),
    // NFD names (macOS uploads): more units than their NFC form, so the cut lands elsewhere.
    at("2019-06-21 22:10:00", 120, {
      title: "Cafe\u0301 de Flore.jpg",
      origin: IOS,
      prefer: "new",
      literal: {
        new: {
          name: "Cafe\u0301 de Flore.jpg",
          sidecar: "Cafe\u0301 de Flore.jpg.supplemental-metadata.json",
        },
        old: { name: "Cafe\u0301 de Flore.jpg", sidecar: "Cafe\u0301 de Flore.jpg.json" },
      },
      quirks: ["nfd"],
    }),
    at("2019-12-20 20:15:00", 60, {
      title: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg",
      origin: IOS,
      prefer: "new",
      literal: {
        new: {
          name: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg",
          sidecar: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg.sup.json",
        },
        old: {
          name: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg",
          sidecar: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg.json",
        },
      },
      quirks: ["nfd"],
    }),
    // A `/` in the title; 24 units, so the new-style sidecar name is exactly 46 units before `.json`.
    at("1998-12-24 18:00:00", 60, {
      title: "Oma & Opa 24/12/1998.jpg",
      origin: COMPUTER,
      prefer: "new",
      literal: {
        new: {
          name: "Oma & Opa 24_12_1998.jpg",
          sidecar: "Oma & Opa 24_12_1998.jpg.supplemental-metadata.json",
        },
        old: { name: "Oma & Opa 24_12_1998.jpg", sidecar: "Oma & Opa 24_12_1998.jpg.json" },
      },
      quirks: ["slash"],
    }),
    // Motion photos: only the still has a sidecar.
    at("2021-04-03 10:20:30", 120, {
      title: "IMG_0421.HEIC",
      kind: "heic",
      origin: IOS,
      motion: { title: "IMG_0421.MOV", kind: "mov" },
      literal: {
        new: { name: "IMG_0421.HEIC", sidecar: "IMG_0421.HEIC.supplemental-metadata.json" },
        old: { name: "IMG_0421.HEIC", sidecar: "IMG_0421.HEIC.json" },
      },
      quirks: ["motion-still"],
    }),
    at("2023-06-15 14:34:56", 120, {
      title: "PXL_20230615_123456789.MP.jpg",
      exif: exifAt("2023-06-15 14:34:56", true, "Google", "Pixel 7"),
      nameMs: utc("2023-06-15 12:34:56.789"),
      motion: { title: "PXL_20230615_123456789.MP", kind: "mp4" },
      albums: [4],
      literal: {
        new: {
          name: "PXL_20230615_123456789.MP.jpg",
          sidecar: "PXL_20230615_123456789.MP.jpg.supplemental-met.json",
        },
        old: { name: "PXL_20230615_123456789.MP.jpg", sidecar: "PXL_20230615_123456789.MP.jpg.json" },
      },
      quirks: ["motion-still"],
    }),
    at("2019-07-04 12:00:00", 120, {
      title: "MVIMG_20190704_120000.jpg",
      exif: exifAt("2019-07-04 12:00:00", false, "Google", "Pixel 3"),
      nameMs: utc("2019-07-04 12:00:00"),
      motion: { title: "MVIMG_20190704_120000.mp4", kind: "mp4" },
      albums: [0, 1],
      literal: {
        new: {
          name: "MVIMG_20190704_120000.jpg",
          sidecar: "MVIMG_20190704_120000.jpg.supplemental-metadat.json",
        },
        old: { name: "MVIMG_20190704_120000.jpg", sidecar: "MVIMG_20190704_120000.jpg.json" },
      },
      quirks: ["motion-still"],
    }),
    // An edited copy without a sidecar of its own (suffix in the export's language).
    at("2017-05-13 16:45:10", 120, {
      title: "IMG_1234.jpg",
      exif: exifAt("2017-05-13 16:45:10", true),
      edited: true,
      literal: {
        new: { name: "IMG_1234.jpg", sidecar: "IMG_1234.jpg.supplemental-metadata.json" },
        old: { name: "IMG_1234.jpg", sidecar: "IMG_1234.jpg.json" },
      },
    }),
    // Dated by EXIF only: no sidecar at all, or a sidecar saying "0" (filed under 1970, assumed).
    at("2015-05-02 14:22:10", 120, {
      title: "DSC01234.JPG",
      sidecar: "none",
      origin: COMPUTER,
      exif: exifAt("2015-05-02 14:22:10", false, "SONY", "DSC-RX100"),
      quirks: ["exif-only"],
    }),
    at("2012-09-15 08:30:00", 120, {
      title: "DSC05678.JPG",
      sidecar: "zero",
      origin: COMPUTER,
      exif: exifAt("2012-09-15 08:30:00", true, "NIKON", "COOLPIX P7100"),
      folderYear: 1970,
      quirks: ["zero-timestamp"],
    }),
    // Dated by the name only.
    at("2019-04-05 10:11:12", 120, {
      title: "IMG_20190405_101112.jpg",
      sidecar: "none",
      nameMs: utc("2019-04-05 10:11:12"),
      albums: [0],
      quirks: ["name-only"],
    }),
    // No date at all: the archive entry's time.
    at("2020-01-18 12:00:00", 60, {
      title: "scan0001.jpg",
      sidecar: "none",
      origin: COMPUTER,
      quirks: ["undated"],
    }),
    // The user fixed the date in Google Photos; the camera's clock had been reset.
    at("2016-07-15 13:14:15", 120, {
      title: "DSC00042.JPG",
      origin: COMPUTER,
      exif: exifAt("2000-01-01 00:02:13", false, "Canon", "Canon EOS 400D"),
      quirks: ["date-edited"],
    }),
    // Before 1970 (a scan dated by hand) and after 2038 (a wrong camera clock).
    at("1962-06-16 14:00:00", 60, {
      title: "Hochzeit Oma und Opa 1962.jpg",
      origin: COMPUTER,
      quirks: ["pre-1970"],
    }),
    at("2039-05-01 08:00:00", 120, {
      title: "IMG_20390501_080000.jpg",
      exif: exifAt("2039-05-01 08:00:00", true),
      nameMs: utc("2039-05-01 08:00:00"),
      quirks: ["future"],
    }),
    // Trash and archive.
    at("2020-03-14 15:09:26", 60, {
      title: "IMG_20200314_150926.jpg",
      exif: exifAt("2020-03-14 15:09:26", true),
      nameMs: utc("2020-03-14 15:09:26"),
      trashed: true,
      quirks: ["trashed"],
    }),
    at("2020-03-14 15:10:02", 60, {
      title: "VID_20200314_151002.mp4",
      kind: "mp4",
      nameMs: utc("2020-03-14 15:10:02"),
      trashed: true,
      quirks: ["trashed"],
    }),
    at("2021-08-02 09:30:15", 120, {
      title: "IMG_20210802_093015.jpg",
      exif: exifAt("2021-08-02 09:30:15", true),
      nameMs: utc("2021-08-02 09:30:15"),
      archived: true,
      favorited: true,
      description: "Nur für mich",
      quirks: ["archived"],
    }),
  ];
  // Names in many scripts, with descriptions and people; the long Japanese one is cut in old-style exports.
  for (const [i, title] of MULTI_SCRIPT.entries()) {
    drafts.push(at(`2021-0${1 + (i % 9)}-1${i % 10} 1${i % 10}:00:00`, 540, {
      title,
      origin: IOS,
      description: DESCRIPTIONS[i % DESCRIPTIONS.length],
      people: [PEOPLE[i % PEOPLE.length]],
      geo: { data: CITIES[i % CITIES.length], exif: CITIES[i % CITIES.length] },
      albums: i === 0 ? [2] : [],
      quirks: ["script"],
    }));
  }
  return drafts;
}

// ---------------------------------------------------------------------------------------------------------------
// Big exports

/** Options of {@linkcode bigExport}. */
export interface BigExportOptions {
  /** About how many media bytes; default 1,000,000,000. */
  totalBytes?: number;
  /** Mean media file size; sizes vary ±20 %; default 2,500,000. */
  fileBytes?: number;
  /** Default 1. */
  seed?: number;
  /** Default "en". */
  language?: TakeoutLanguage;
  /** Default `2025-11-10T10:10:10Z`. */
  exportedAt?: string;
}

/**
 * A large export for benchmarks: Pixel-style JPEGs with EXIF and incompressible content (like real JPEGs), each
 * with a new-style sidecar, spread over 2015 to the export. The bytes are generated only while they are read
 * ({@linkcode fileStream}, {@linkcode writeArchives}); `file.bytes` renders a file anew on each read. Write it with
 * e.g. `writeArchives(bigExport(), dir, { format: "zip", parts: 4 })`.
 */
export function bigExport(options: BigExportOptions = {}): TakeoutExport {
  const {
    totalBytes = 1_000_000_000,
    fileBytes = 2_500_000,
    seed = 1,
    language = "en",
    exportedAt = "2025-11-10T10:10:10Z",
  } = options;
  if (!(fileBytes >= 1000) || !(totalBytes >= fileBytes)) {
    throw new RangeError(`Need 1000 <= fileBytes <= totalBytes, got ${fileBytes} and ${totalBytes}`);
  }
  const names = takeoutNames(language);
  const root = `Takeout/${names.root}`;
  const exportedMs = evenSeconds(Date.parse(exportedAt));
  const random = mulberry32(seed);
  const count = Math.max(1, Math.round(totalBytes / fileBytes));
  const start = Date.UTC(2015, 0, 1);
  const slot = (exportedMs - DAY_MS - start) / count;
  const files: TakeoutFile[] = [];
  let remaining = totalBytes;
  for (let i = 0; i < count; i++) {
    const takenMs = Math.floor((start + (i + random()) * slot) / 1000) * 1000;
    const tz = TIMEZONES[i % TIMEZONES.length];
    const u = parts(takenMs);
    const title = `PXL_${u.y}${u.mo}${u.d}_${u.h}${u.mi}${u.s}${pad(i % 1000, 3)}.jpg`;
    const size = i === count - 1
      ? Math.max(1000, remaining)
      : Math.max(1000, Math.round(fileBytes * (0.8 + 0.4 * random())));
    remaining -= size;
    const id = photoId(random);
    const exif = { dateTimeOriginal: exifDate(takenMs + tz * 60_000), offsetTimeOriginal: offsetText(tz) };
    const content = contentOf(
      "jpeg",
      hash(`${seed}:${id}`),
      size,
      exifSegment({ ...exif, make: "Google", model: "Pixel 7" }),
    );
    const folder = names.yearFolder(u.y);
    const draft: Draft = {
      title,
      kind: "jpeg",
      takenMs,
      tz,
      sidecar: "yes",
      origin: ANDROID,
      uploadMs: takenMs + 600_000,
      quirks: [],
      albums: [],
    };
    const file: TakeoutFile = {
      id,
      folder,
      name: title,
      path: `${root}/${folder}/${title}`,
      title,
      mimeType: "image/jpeg",
      size,
      get bytes() {
        return render(content);
      },
      mtimeMs: exportedMs + 2000 * i,
      sidecar: sidecarName(title, "new"),
      sidecarStyle: "new",
      sidecarText: googleJson(sidecarJson(draft, id, language)) + "\n",
      takenMs,
      uploadMs: draft.uploadMs,
      exif,
      exifMs: takenMs,
      nameMs: takenMs,
      captureMs: takenMs,
      dateSource: "sidecar",
      trashed: false,
      archived: false,
      favorited: false,
      albums: [],
      quirks: [],
    };
    lazyContent.set(file, content);
    files.push(file);
  }
  return {
    seed,
    language,
    root,
    exportedMs,
    files,
    albums: [],
    extras: otherExtras(root, exportedMs, language),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Archives

/** One entry of an archive. */
export interface TakeoutEntry {
  /** Path inside the archive. */
  path: string;
  size: number;
  mtimeMs: number;
  kind: "media" | "sidecar" | "album-metadata" | "other";
  /** The media file, for media and sidecar entries. */
  file?: TakeoutFile;
  /** A new stream of the entry's bytes. */
  open(): ReadableStream<Uint8Array>;
}

/** One archive (or extracted folder) of an export. */
export interface ArchivePart {
  /** `takeout-20251110T101010Z-001.zip` (`.tgz`; no extension for folders). */
  name: string;
  entries: TakeoutEntry[];
  /** Sum of the entries' sizes. */
  bytes: number;
}

/** How to split and write an export. */
export interface ArchiveOptions {
  /** Default "zip". */
  format?: "zip" | "tgz" | "folder";
  /** Number of parts, balanced by size (default 1). Not together with `maxPartBytes`. */
  parts?: number;
  /** Start a new part before an entry would make a part larger than this (uncompressed). */
  maxPartBytes?: number;
  /** Deflate level of zips, 0–9 (default 6, which uses the native `CompressionStream`). */
  level?: number;
  /** Write zips in the ZIP64 format even when small (as archives over 4 GB must be). */
  zip64?: boolean;
}

const bytesStream = (bytes: Uint8Array) => () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });

/**
 * All entries of an export in archive order: extras and, folder by folder, each media file followed by its
 * sidecar; except that about one sidecar in seven of the first 40 % is moved to the very end and about one in
 * seven of the last 40 % to the very start (with a motion video and an edited copy moved to the end too), so that
 * a split puts them in another archive than their media, as real exports do.
 */
export function archiveEntries(exp: TakeoutExport): TakeoutEntry[] {
  const entries: TakeoutEntry[] = [];
  const extras = exp.extras.map((x): TakeoutEntry => ({
    path: x.path,
    size: x.bytes.length,
    mtimeMs: x.mtimeMs,
    kind: x.kind,
    open: bytesStream(x.bytes),
  }));
  const firstExtras = extras.filter((x) => x.path === "Takeout/archive_browser.html");
  entries.push(...firstExtras);
  const albumMeta = new Map(extras.filter((x) => x.kind === "album-metadata").map((x) => [x.path, x]));
  let folder = "";
  for (const file of exp.files) {
    if (file.folder !== folder) {
      folder = file.folder;
      const meta = albumMeta.get(`${exp.root}/${folder}/metadata.json`);
      if (meta) entries.push(meta);
    }
    entries.push({
      path: file.path,
      size: file.size,
      mtimeMs: file.mtimeMs,
      kind: "media",
      file,
      open: () => fileStream(file),
    });
    if (file.sidecar && file.sidecarText !== undefined) {
      const bytes = enc.encode(file.sidecarText);
      entries.push({
        path: `${exp.root}/${file.folder}/${file.sidecar}`,
        size: bytes.length,
        mtimeMs: file.mtimeMs,
        kind: "sidecar",
        file,
        open: bytesStream(bytes),
      });
    }
  }
  entries.push(...extras.filter((x) => x.kind === "other" && !firstExtras.includes(x)));

  const random = mulberry32(exp.seed ^ 0x5eed);
  const n = entries.length;
  const early: TakeoutEntry[] = [];
  const late: TakeoutEntry[] = [];
  let movedVideo = false;
  let movedEdited = false;
  for (const [i, e] of entries.entries()) {
    if (e.kind === "sidecar" && i < n * 0.4 && (late.length === 0 || random() < 1 / 7)) late.push(e);
    else if (e.kind === "sidecar" && i > n * 0.6 && (early.length === 0 || random() < 1 / 7)) early.push(e);
    else if (e.kind === "media" && e.file?.motionOf && !movedVideo && i < n * 0.5) {
      (late.push(e), movedVideo = true);
    } else if (e.kind === "media" && e.file?.editedOf && !movedEdited && i < n * 0.5) {
      (late.push(e), movedEdited = true);
    }
  }
  const moved = new Set([...early, ...late]);
  return [...early, ...entries.filter((e) => !moved.has(e)), ...late];
}

/** The parts {@linkcode writeArchives} writes, with their names and entries. */
export function planArchives(exp: TakeoutExport, options: ArchiveOptions = {}): ArchivePart[] {
  const { format = "zip", parts, maxPartBytes } = options;
  if (parts !== undefined && maxPartBytes !== undefined) {
    throw new RangeError("Give parts or maxPartBytes, not both");
  }
  if (parts !== undefined && (!Number.isSafeInteger(parts) || parts < 1)) {
    throw new RangeError(`parts must be >= 1, got ${parts}`);
  }
  if (maxPartBytes !== undefined && !(maxPartBytes > 0)) {
    throw new RangeError(`maxPartBytes must be > 0, got ${maxPartBytes}`);
  }
  const entries = archiveEntries(exp);
  const groups: TakeoutEntry[][] = [];
  if (maxPartBytes !== undefined) {
    let current: TakeoutEntry[] = [];
    let size = 0;
    for (const e of entries) {
      if (current.length > 0 && size + e.size > maxPartBytes) (groups.push(current), current = [], size = 0);
      current.push(e);
      size += e.size;
    }
    groups.push(current);
  } else {
    const n = Math.min(parts ?? 1, entries.length);
    const total = entries.reduce((s, e) => s + e.size, 0);
    let at = 0;
    let sum = 0;
    for (let k = 1; k <= n; k++) {
      const group: TakeoutEntry[] = [];
      const target = k === n ? Infinity : (total * k) / n;
      // Leave at least one entry for each part still to come.
      while (at < entries.length - (n - k) && (group.length === 0 || sum + entries[at].size / 2 <= target)) {
        sum += entries[at].size;
        group.push(entries[at++]);
      }
      groups.push(group);
    }
  }
  const stamp = new Date(exp.exportedMs).toISOString().replace(/[-:]|\.\d+/g, "");
  const ext = format === "zip" ? ".zip" : format === "tgz" ? ".tgz" : "";
  return groups.map((group, i) => ({
    name: `takeout-${stamp}-${String(i + 1).padStart(3, "0")}${ext}`,
    entries: group,
    bytes: group.reduce((s, e) => s + e.size, 0),
  }));
}

/**
 * Writes an export into `dir` as zip or tgz archives, or as folders (each part extracted into a folder named like
 * its archive), streaming every entry, and returns the paths written. Entries keep their modification times.
 */
export async function writeArchives(
  exp: TakeoutExport,
  dir: string,
  options: ArchiveOptions = {},
): Promise<string[]> {
  const { format = "zip", level, zip64 } = options;
  if (level !== undefined && (!Number.isSafeInteger(level) || level < 0 || level > 9)) {
    throw new RangeError(`level must be 0..9, got ${level}`);
  }
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const part of planArchives(exp, options)) {
    const path = join(dir, part.name);
    if (format === "zip") await writeZip(path, part.entries, { level, zip64 });
    else if (format === "tgz") await writeTgz(path, part.entries);
    else await writeFolder(path, part.entries);
    paths.push(path);
  }
  return paths;
}

let zipConfigured = false;

async function writeZip(
  path: string,
  entries: TakeoutEntry[],
  options: { level?: number; zip64?: boolean },
): Promise<void> {
  if (!zipConfigured) (configure({ useWebWorkers: false }), zipConfigured = true);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const zip = new ZipWriter(file.writable, {
    ...(options.level === undefined ? {} : { level: options.level }),
    ...(options.zip64 ? { zip64: true } : {}),
  });
  for (const e of entries) {
    await zip.add(e.path, e.open(), { lastModDate: new Date(e.mtimeMs) });
  }
  await zip.close();
}

async function writeTgz(path: string, entries: TakeoutEntry[]): Promise<void> {
  const pack = tar.pack();
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const gzip = new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const written = ReadableStream.from(pack as AsyncIterable<Uint8Array>).pipeThrough(gzip).pipeTo(
    file.writable,
  );
  try {
    for (const e of entries) {
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(
          { name: e.path, size: e.size, mtime: new Date(e.mtimeMs), mode: 0o644 },
          (error?: Error | null) => error ? reject(error) : resolve(),
        );
        (async () => {
          for await (const chunk of e.open()) {
            if (!sink.write(chunk)) await new Promise<void>((drained) => sink.once("drain", () => drained()));
          }
          sink.end(undefined);
        })().catch(reject);
      });
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    written.catch(() => {});
    throw error;
  }
  await written;
}

async function writeFolder(path: string, entries: TakeoutEntry[]): Promise<void> {
  for (const e of entries) {
    const target = join(path, ...e.path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await Deno.writeFile(target, e.open());
    const seconds = e.mtimeMs / 1000;
    await Deno.utime(target, seconds, seconds);
  }
}

/**
 * Damages a written archive in place: `truncate` cuts it to 60 % of its length (a zip loses its central
 * directory, a tgz its end); `corrupt` inverts 64 bytes in its middle, keeping the length: the entry there no
 * longer matches its CRC-32 (which zip.js checks only with `checkCrc32: true`; gzip always checks its own), while
 * the rest of a zip stays readable.
 */
export async function damageArchive(path: string, how: "truncate" | "corrupt"): Promise<void> {
  const { size, isFile } = await Deno.stat(path);
  if (!isFile) throw new Error(`Not a file: ${path}`);
  if (how === "truncate") return await Deno.truncate(path, Math.floor(size * 0.6));
  if (how !== "corrupt") throw new RangeError(`how must be "truncate" or "corrupt", got "${how}"`);
  const file = await Deno.open(path, { read: true, write: true });
  try {
    const at = Math.floor(size / 2);
    const buffer = new Uint8Array(Math.min(64, size - at));
    await file.seek(at, Deno.SeekMode.Start);
    let read = 0;
    while (read < buffer.length) {
      const n = await file.read(buffer.subarray(read));
      if (n === null) break;
      read += n;
    }
    for (let i = 0; i < read; i++) buffer[i] ^= 0xff;
    await file.seek(at, Deno.SeekMode.Start);
    let written = 0;
    while (written < read) written += await file.write(buffer.subarray(written, read));
  } finally {
    file.close();
  }
}
