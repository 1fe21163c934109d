/**
 * Deterministic fake Google Takeout "Google Photos" exports, with the quirks of real ones, for the tests and the
 * demo of `photosync takeout`: {@linkcode generateTakeout} makes an export in memory (the truth a test checks
 * against, shaped as `./model.ts` says). `./archives.ts` writes an export as `takeout-…-001.zip`/`.tgz` parts or
 * as extracted folders and breaks a written archive; `./big_export.ts` makes a large export for the benchmark
 * whose bytes are generated while they are written.
 *
 * The layout follows `shared/google-photos-api.md` §5. Where real exports were not observed, the choices are
 * marked "assumed" in the comments of these modules.
 *
 * @module
 */

import { hash, mulberry32 } from "../library_fixture.ts";
import { enc } from "./bytes.ts";
import { type ContentKind, contentOf, MIME, render } from "./content.ts";
import { DAY_MS, evenSeconds, utc, YEAR_MS } from "./dates.ts";
import { CITIES, DESCRIPTIONS, type Draft, PEOPLE } from "./draft.ts";
import { exifDate, exifSegment, offsetText } from "./exif.ts";
import { googleJson, sidecarJson, stamp } from "./google_json.ts";
import type {
  SidecarStyle,
  TakeoutAlbum,
  TakeoutExport,
  TakeoutExtra,
  TakeoutFile,
  TakeoutLanguage,
  TakeoutQuirk,
} from "./model.ts";
import { mediaName, sidecarName, takeoutNames, withCounter } from "./names.ts";
import { ordinaryDrafts } from "./ordinary_drafts.ts";
import { realNameDrafts } from "./real_name_drafts.ts";
import { specialDrafts } from "./special_drafts.ts";

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
  /** Include the names reported by users of other Takeout tools (`./real_name_drafts.ts`); default false. */
  realNames?: boolean;
  /** `albumData`: album `metadata.json` as older exports wrote it, its fields under `albumData`; default `title`. */
  albumMetadata?: "title" | "albumData";
  /** First year of the ordinary items; default 2009. Later years get more items. */
  fromYear?: number;
  /** When the export was made, ISO 8601; default `2025-11-10T10:10:10Z`. Ordinary items are taken before. */
  exportedAt?: string;
  /** Smallest photo size in bytes (videos are three times larger); default 2,000. */
  minSize?: number;
  /** Largest photo size in bytes; default 8,000. */
  maxSize?: number;
}

interface Place {
  names: Set<string>;
  sidecars: Set<string>;
}

/** Generates a Google Photos Takeout export: deterministic for given options. */
export function generateTakeout(options: TakeoutOptions = {}): TakeoutExport {
  const {
    seed = 1,
    count = 60,
    language = "en",
    sidecarStyle = "new",
    specials = true,
    realNames = false,
    albumMetadata = "title",
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
  if (realNames) drafts.push(...realNameDrafts());
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
    // What the draft's files (the photo, its motion video, its edited copy) have in common.
    const ofDraft = (
      file: Omit<Parameters<typeof makeFile>[0], "root" | "folder" | "sidecarStyle" | "draft">,
    ) =>
      makeFile({
        root,
        folder,
        sidecarStyle: style,
        draft: d,
        takenMs,
        uploadMs: d.uploadMs,
        nameMs: d.nameMs,
        ...file,
      });
    const main = ofDraft({
      id,
      name: placed.name,
      title: d.title,
      kind: d.kind,
      bytes: render(contentOf(d.kind, hash(`${seed}:${id}`), size, exifBytes)),
      sidecar: placed.sidecar,
      counter: placed.counter,
      exif,
      exifMs,
      quirks,
    });
    if (placed.sidecar) {
      main.sidecarText = googleJson(sidecarJson(d, id, language)) + "\n";
    }
    const group = [main];
    if (d.motion) {
      const video = placeName(place, mediaName(d.motion.title, style), style, false);
      const vid = photoId(random);
      const motionFile = ofDraft({
        id: vid,
        name: video.name,
        title: d.motion.title,
        kind: d.motion.kind,
        bytes: render(contentOf(d.motion.kind, hash(`${seed}:${vid}`), size * 3, undefined)),
        sidecar: null,
        counter: video.counter,
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
      const edited = ofDraft({
        id: eid,
        name: editedName,
        title: d.title,
        kind: d.kind,
        bytes: render(contentOf(d.kind, hash(`${seed}:${eid}`), Math.max(minSize, size - 300), exifBytes)),
        sidecar: null,
        exif,
        exifMs,
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
    const { title, description } = def;
    const date = stamp(dateMs, language);
    // Older exports: the fields under `albumData`, with a `location` (as in immich-go's issue 212).
    const metadata = albumMetadata === "albumData"
      ? { albumData: { title, description, access: "protected", location: "", date } }
      : { title, description, access: "protected", date };
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

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A media item's identity (`AF1Qip…`), as random as Google's. */
export function photoId(random: () => number): string {
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

/** The entries of an export that are neither media nor sidecars nor album metadata. */
export function otherExtras(root: string, exportedMs: number, language: TakeoutLanguage): TakeoutExtra[] {
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
