/**
 * The shape of a generated Takeout export: its media files with all that an import should make of them (dates and
 * where each comes from, albums, trash, the quirks that make a file hard), its albums and its other entries. Tests
 * check an import against these.
 *
 * @module
 */

/** Languages of the localised folder names and edited-copy suffixes. */
export type TakeoutLanguage = "en" | "de" | "fr" | "es" | "it" | "nl" | "ko" | "ru";

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
  /** The original was uploaded without an extension: Google added one to the name, not to the sidecar or title. */
  | "no-extension"
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
