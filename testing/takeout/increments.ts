/**
 * Incremental Takeout (`shared/google-photos-api.md` §5b) as tests need it: one generated library cut into a
 * baseline and increments two months apart, each holding what was uploaded since the export before it, plus what
 * real increments add: edited copies of old photos without their originals, originals sent again with a sidecar
 * whose favourite, description or archived flag changed, album folders listing only their new members (some
 * without the album's `metadata.json`); and a full export made after them (every item as it is then).
 *
 * @module
 */

import { DAY_MS, evenSeconds } from "./dates.ts";
import { generateTakeout, otherExtras } from "./export.ts";
import { googleJson } from "./google_json.ts";
import type { TakeoutExport, TakeoutExtra, TakeoutFile, TakeoutLanguage } from "./model.ts";

/** Options of {@linkcode incrementalExports}. */
export interface IncrementalOptions {
  /** PRNG seed of the library; default 7. */
  seed?: number;
  /** Ordinary media items of the library; default 80. */
  count?: number;
  /** Default "en". */
  language?: TakeoutLanguage;
  /**
   * When each export was made (ISO 8601), oldest first: the baseline, then the increments. Default: the baseline
   * on 2025-11-10 and increments on 2026-01-10, 2026-03-10 and 2026-05-10.
   */
  schedule?: string[];
  /** When the full export after them was made; default 2026-07-10. */
  fullAt?: string;
}

/** An original sent again by an increment with its sidecar changed. */
export interface Resent {
  /** The copy in the increment (its sidecar says what changed). */
  file: TakeoutFile;
  /** The file the baseline had. */
  before: TakeoutFile;
}

/** A baseline, its increments and a later full export of one library. */
export interface IncrementalExports {
  /** The baseline and the increments, oldest first, as `schedule` made them. */
  exports: TakeoutExport[];
  /** A full export made after the last increment: every item, with its metadata as it is then. */
  full: TakeoutExport;
  /** Edited copies an increment sent without their original (which is in the baseline). */
  editedLater: TakeoutFile[];
  /**
   * Originals the first increment sent again, their sidecar's favourite, description or archived changed
   * (the first also its place and people); the last, its date (corrected in Google Photos: a scan dated by
   * the day it was scanned).
   */
  resent: Resent[];
  /** Album copies added by an increment after the first, whose album folder has no `metadata.json` there. */
  albumAddedWithoutMetadata: TakeoutFile[];
  /** Album copies added by the first increment (its album folder has its `metadata.json`). */
  albumAdded: TakeoutFile[];
}

const DEFAULT_SCHEDULE = [
  "2025-11-10T10:10:10Z",
  "2026-01-10T08:00:00Z",
  "2026-03-10T08:00:00Z",
  "2026-05-10T08:00:00Z",
];

/**
 * One generated library cut into a baseline and increments (see the module's description). Deterministic for
 * given options. Entry times stay those of the library, so that a file dated by its entry time gets one date in
 * every export.
 */
export function incrementalExports(options: IncrementalOptions = {}): IncrementalExports {
  const {
    seed = 7,
    count = 80,
    language = "en",
    schedule = DEFAULT_SCHEDULE,
    fullAt = "2026-07-10T08:00:00Z",
  } = options;
  if (schedule.length < 2) throw new RangeError("schedule needs a baseline and at least one increment");
  const times = schedule.map((at) => evenSeconds(Date.parse(at)));
  const library = generateTakeout({
    seed,
    count,
    language,
    specials: false,
    sidecarStyle: "mixed",
    fromYear: 2019,
    exportedAt: schedule.at(-1),
  });
  const { root } = library;
  /** The export an upload at `ms` is first in. */
  const exportOf = (ms: number) => {
    const i = times.findIndex((t) => ms < t);
    return i < 0 ? times.length - 1 : i;
  };
  const where = new Map<TakeoutFile, number>();
  const yearCopies = library.files.filter((f) => !f.copyOf);
  const mainOf = (f: TakeoutFile) => {
    const of = f.editedOf ?? f.motionOf;
    return of === undefined ? f : yearCopies.find((m) => m.folder === f.folder && m.name === of) ?? f;
  };
  const groupSize = (main: TakeoutFile) =>
    yearCopies.filter((f) => f.folder === main.folder && (f === main || mainOf(f) === main)).length;
  for (const f of yearCopies) {
    const main = mainOf(f);
    where.set(f, exportOf(main.uploadMs ?? main.captureMs));
  }
  // Edits of old photos: the first two edited copies of baseline photos come with the third export (or the
  // last), without their original.
  const editedLater: TakeoutFile[] = [];
  const editTo = Math.min(2, times.length - 1);
  for (const f of yearCopies) {
    if (f.editedOf && where.get(f) === 0 && !f.trashed && editedLater.length < 2) {
      where.set(f, editTo);
      editedLater.push(f);
    }
  }
  for (const f of library.files) {
    if (f.copyOf) where.set(f, where.get(yearCopies.find((y) => y.path === f.copyOf)!)!);
  }

  const extraFiles: { file: TakeoutFile; export: number }[] = [];
  // Album additions: two new photos of each increment join the library's first album.
  const album = library.albums[0];
  const albumAdded: TakeoutFile[] = [];
  const albumAddedWithoutMetadata: TakeoutFile[] = [];
  if (album) {
    const taken = new Set(library.files.filter((f) => f.folder === album.folder).map((f) => f.name));
    for (let i = 1; i < times.length; i++) {
      const joining = yearCopies.filter((f) =>
        where.get(f) === i && !f.trashed && f.albums.length === 0 && groupSize(f) === 1 && !taken.has(f.name)
      ).slice(0, 2);
      for (const f of joining) {
        taken.add(f.name);
        f.albums = [album.folder];
        const copy: TakeoutFile = {
          ...f,
          folder: album.folder,
          path: `${root}/${album.folder}/${f.name}`,
          copyOf: f.path,
          quirks: [...f.quirks, "album-copy"],
        };
        extraFiles.push({ file: copy, export: i });
        (i === 1 ? albumAdded : albumAddedWithoutMetadata).push(copy);
      }
    }
  }

  // Originals sent again by the first increment: their sidecar's favourite, description (and once archived) changed.
  const resent: Resent[] = [];
  const candidates = yearCopies.filter((f) =>
    where.get(f) === 0 && f.sidecarText !== undefined && !f.trashed && !f.archived && f.albums.length === 0 &&
    groupSize(f) === 1
  );
  for (const [k, before] of candidates.slice(0, 3).entries()) {
    const json = JSON.parse(before.sidecarText!);
    json.favorited = !before.favorited;
    json.description = `Changed after the baseline (${k + 1})`;
    if (k === 2) json.archived = true;
    // The first is also given a place and a person (the user pinned it on the map, named a face).
    const geo = k === 0 ? { latitude: 48.2082, longitude: 16.3738, altitude: 171 } : before.geo;
    const people = k === 0 ? ["Anna Müller"] : before.people;
    if (k === 0) {
      json.geoData = { ...geo, latitudeSpan: 0, longitudeSpan: 0 };
      json.people = people!.map((name) => ({ name }));
    }
    const file: TakeoutFile = {
      ...before,
      sidecarText: googleJson(json) + "\n",
      favorited: !before.favorited,
      description: json.description,
      archived: k === 2,
      ...(geo ? { geo } : {}),
      ...(people ? { people } : {}),
    };
    resent.push({ file, before });
    extraFiles.push({ file, export: 1 });
  }
  // And one's date: the user corrected it (to before the library's first year: a scan of an old print).
  const redated = candidates.slice(3).find((f) => f.takenMs !== undefined);
  if (redated) {
    const json = JSON.parse(redated.sidecarText!);
    const takenMs = Date.UTC(1987, 5, 14, 12, 30);
    json.photoTakenTime = { timestamp: String(takenMs / 1000), formatted: "14.06.1987, 12:30:00 UTC" };
    const file: TakeoutFile = {
      ...redated,
      sidecarText: googleJson(json) + "\n",
      takenMs,
      captureMs: takenMs,
    };
    resent.push({ file, before: redated });
    extraFiles.push({ file, export: 1 });
  }

  const metadataOf = new Map(
    library.extras.filter((x) => x.kind === "album-metadata").map((x) => [x.path.split("/").at(-2)!, x]),
  );
  // Files folder by folder, in the library's order of folders (an album's metadata.json goes before its files).
  const folderRank = new Map<string, number>();
  for (const f of library.files) if (!folderRank.has(f.folder)) folderRank.set(f.folder, folderRank.size);
  const exportAt = (
    i: number,
    ms: number,
    given: TakeoutFile[],
    metadataFor: (folder: string) => boolean,
  ) => {
    const files = given.map((f, at) => ({ f, at }))
      .sort((a, b) => folderRank.get(a.f.folder)! - folderRank.get(b.f.folder)! || a.at - b.at)
      .map(({ f }) => f);
    const folders = new Set(files.map((f) => f.folder));
    const albums = library.albums.filter((a) => folders.has(a.folder) && metadataFor(a.folder));
    const extras: TakeoutExtra[] = [
      ...albums.map((a) => metadataOf.get(a.folder)!),
      ...otherExtras(root, ms, language),
    ];
    return { seed: seed * 100 + i, language, root, exportedMs: ms, files, albums, extras };
  };
  const firstIn = new Map<string, number>();
  const exports = times.map((ms, i) => {
    const files = [
      ...library.files.filter((f) => where.get(f) === i),
      ...extraFiles.filter((x) => x.export === i).map((x) => x.file),
    ];
    for (const f of files) if (!firstIn.has(f.folder)) firstIn.set(f.folder, i);
    // An album's metadata comes with the first export holding it, and with the first increment again; later
    // increments list new members without it.
    return exportAt(i, ms, files, (folder) => firstIn.get(folder) === i || i === 1);
  });
  const replaced = new Map(resent.map(({ file, before }) => [before, file]));
  const full = exportAt(
    times.length,
    evenSeconds(Date.parse(fullAt)),
    [
      ...library.files.map((f) => replaced.get(f) ?? f),
      ...extraFiles.filter((x) => !resent.some((r) => r.file === x.file)).map((x) => x.file),
    ],
    () => true,
  );
  if (full.exportedMs <= times.at(-1)! + DAY_MS) {
    throw new RangeError("fullAt must be after the last increment");
  }
  return { exports, full, editedLater, resent, albumAdded, albumAddedWithoutMetadata };
}
