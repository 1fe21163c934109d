/**
 * Which files of a Takeout folder are media, and which video files are the moving part of
 * a motion photo. A motion photo is one item in Google Photos but two files in Takeout; only
 * the still has a sidecar, and the video belongs with it:
 *
 * - Apple Live Photos and Samsung motion photos: `IMG_1234.HEIC` + `IMG_1234.MOV`,
 *   `20231227_152817.jpg` + `20231227_152817.MP4`;
 * - older Google Camera: `MVIMG_20190101_101010.jpg` + `MVIMG_20190101_101010.mp4`;
 * - Pixel: `PXL_20230615_123456789.MP.jpg` + `PXL_20230615_123456789.MP` (no extension of
 *   its own) or, for an edited one, `….MP~2.jpg` + `….MP~2`; newer Pixels name them
 *   `….MV.jpg` + `….MV` (both parts reported to GooglePhotosTakeoutHelper, PR 384).
 *
 * The extensions counted as media are data, in `media_extensions.json` (`pixelMotion`: the
 * Pixel video parts, each also with a `~n` of an edit).
 * @module
 */
import mediaExtensions from "./media_extensions.json" with { type: "json" };
import { splitExtension } from "./name_parts.ts";

const VIDEO_FILE_EXTENSIONS = new Set(mediaExtensions.video.map((ext) => `.${ext}`));
const MEDIA_EXTENSIONS = new Set([
  ...mediaExtensions.photo.map((ext) => `.${ext}`),
  ...VIDEO_FILE_EXTENSIONS,
]);

/** Stills that may have a video part, the likeliest first. */
const STILL_EXTENSIONS = [".heic", ".heif", ".jpg", ".jpeg"];

/** Video parts paired by stem, the likeliest first. */
const VIDEO_EXTENSIONS = [".mov", ".mp4"];

/** A Pixel video part: `PXL_….MP`, `PXL_….MP~2`, `PXL_….MV`, whose still is the same name plus `.jpg`. */
const PIXEL_VIDEO = new RegExp(`^\\.(${mediaExtensions.pixelMotion.join("|")})(~\\d+)?$`, "i");

/** Extensions of a Pixel video part's still. */
const PIXEL_STILL_EXTENSIONS = [".jpg", ".jpeg"];

/**
 * Whether a file name has a photo or video extension (any case), the Pixel motion parts
 * `.MP`, `.MP~2` and `.MV` included. Sidecars, album metadata and other files are not media.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.strictEqual(isMediaName("IMG_1234.HEIC"), true);
 * assert.strictEqual(isMediaName("PXL_20230615_123456789.MP~2"), true);
 * assert.strictEqual(isMediaName("IMG_1234.HEIC.json"), false);
 * ```
 */
export function isMediaName(name: string): boolean {
  const { ext } = splitExtension(name);
  return MEDIA_EXTENSIONS.has(ext.toLowerCase()) || PIXEL_VIDEO.test(ext);
}

/**
 * Extensions of files that are no media (lower case): sidecars and metadata of other software (`.xmp`,
 * Apple's `.aae`), a desktop's (`.ini`, `.db`, `.lnk`, `.url`, a download's `:Zone.Identifier` copied as a
 * file), text and documents, a browser's partial downloads.
 */
const NOT_MEDIA_EXTENSIONS = new Set([
  ".json",
  ".html",
  ".htm",
  ".xmp",
  ".aae",
  ".ini",
  ".db",
  ".lnk",
  ".url",
  ".identifier",
  ".txt",
  ".md",
  ".pdf",
  ".log",
  ".tmp",
  ".part",
  ".crdownload",
  ".bak",
  ".md5",
  ".sha1",
  ".sha256",
  ".zip",
  ".xml",
  ".thm",
  ".pp3",
  ".dop",
]);

/**
 * Whether a file of no listed media extension may be media all the same: any but a hidden file
 * (`.BridgeSort`) and one of a kind that is no media (JSON, `.xmp`, `.txt`, …). In a Google Photos folder
 * known by its name, which holds media only, one of no extension is (an older motion photo's `MVIMG_…`
 * video), and one of an extension not listed (`tweet.jpg_large`) is said by name (see the catalog).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.strictEqual(mayBeMedia("MVIMG_20180722_120942"), true);
 * assert.strictEqual(mayBeMedia("tweet.jpg_large"), true);
 * assert.strictEqual(mayBeMedia("notes.txt"), false);
 * assert.strictEqual(mayBeMedia(".BridgeSort"), false);
 * ```
 */
export function mayBeMedia(name: string): boolean {
  return !name.startsWith(".") && !NOT_MEDIA_EXTENSIONS.has(splitExtension(name).ext.toLowerCase());
}

/** Names of the files a desktop leaves in folders it shows (compared in lower case). */
const DESKTOP_FILES = new Set([
  ".ds_store",
  ".localized",
  "icon\r",
  "thumbs.db",
  "desktop.ini",
  ".directory",
  ".picasa.ini",
  "picasa.ini",
  ".nomedia",
]);

/**
 * Folders a desktop or a NAS makes beside the files it shows: a Finder zip's `__MACOSX`, macOS' `.AppleDouble`
 * on shares, Synology's `@eaDir` and QNAP's `.@__thumb` (thumbnails of each photo, as `.jpg` files), and
 * Synology's recycle bin `#recycle`.
 */
const DESKTOP_FOLDERS = new Set(["__MACOSX", ".AppleDouble", "@eaDir", ".@__thumb", "#recycle"]);

/**
 * Whether an entry is a file a desktop or a NAS made beside the extracted ones, no photo's: macOS'
 * `.DS_Store`, `Icon\r`, its AppleDouble `._NAME` files and a Finder zip's `__MACOSX/` folder, Windows'
 * `Thumbs.db` and `desktop.ini`, KDE's `.directory`, Picasa's `.picasa.ini`, Android's `.nomedia`, the
 * thumbnails a NAS keeps in `@eaDir/` (Synology) or `.@__thumb/` (QNAP). Never read nor placed.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.strictEqual(isDesktopFile("Takeout/Google Photos/Trip/._IMG_1.jpg"), true);
 * assert.strictEqual(isDesktopFile("__MACOSX/Takeout/Google Photos/Trip/IMG_1.jpg"), true);
 * assert.strictEqual(isDesktopFile("Takeout/Google Photos/Trip/@eaDir/IMG_1.jpg/SYNOFILE_THUMB_M.jpg"), true);
 * assert.strictEqual(isDesktopFile("Takeout/Google Photos/Trip/IMG_1.jpg"), false);
 * ```
 */
export function isDesktopFile(path: string): boolean {
  const parts = path.split(/[/\\]/);
  const name = parts.at(-1) ?? "";
  return name.startsWith("._") || DESKTOP_FILES.has(name.toLowerCase()) ||
    parts.some((part) => DESKTOP_FOLDERS.has(part));
}

/**
 * Whether a media file name is a video's: a video extension, or a Pixel motion part.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.strictEqual(isVideoName("IMG_1234.MOV"), true);
 * assert.strictEqual(isVideoName("PXL_20230615_123456789.MP"), true);
 * assert.strictEqual(isVideoName("IMG_1234.HEIC"), false);
 * ```
 */
export function isVideoName(name: string): boolean {
  const { ext } = splitExtension(name);
  return VIDEO_FILE_EXTENSIONS.has(ext.toLowerCase()) || PIXEL_VIDEO.test(ext);
}

/**
 * Pair the video parts of motion photos with their stills, among the names of ONE folder:
 * a map from each video part's name to its still's name, for pairs whose two files are
 * both there. Extensions compare without regard to case, stems exactly. Each still takes
 * one video: when several could pair (`IMG_1.MOV` and `IMG_1.MP4`), `.MOV` before `.MP4`
 * and, within one extension, the name listed first; a still is chosen likewise, HEIC
 * before HEIF, JPG, JPEG. The map lists the videos in the order given.
 *
 * Same-stem pairs are not proof: a short clip and a photo given one stem by hand pair too.
 * The caller may check the video's duration if that matters.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * const names = ["IMG_1234.HEIC", "IMG_1234.MOV", "PXL_1.MP.jpg", "PXL_1.MP", "clip.mp4", "MVIMG_1.jpg", "MVIMG_1"];
 * assert.deepStrictEqual([...pairMotionPhotos(names)], [
 *   ["IMG_1234.MOV", "IMG_1234.HEIC"],
 *   ["PXL_1.MP", "PXL_1.MP.jpg"],
 *   ["MVIMG_1", "MVIMG_1.jpg"],
 * ]);
 * ```
 */
export function pairMotionPhotos(names: string[]): Map<string, string> {
  const byStem = new Map<string, Map<string, string>>();
  for (const name of names) {
    const { stem, ext } = splitExtension(name);
    let exts = byStem.get(stem);
    if (!exts) byStem.set(stem, exts = new Map());
    if (!exts.has(ext.toLowerCase())) exts.set(ext.toLowerCase(), name);
  }
  const pairs = new Map<string, string>();
  const paired = new Set<string>();
  for (const video of videoParts(names)) {
    const { stem, exts } = stillOf(video);
    const still = exts.map((ext) => byStem.get(stem)?.get(ext)).find((still) => still && !paired.has(still));
    if (!still) continue;
    pairs.set(video, still);
    paired.add(still);
  }
  return new Map(names.filter((name) => pairs.has(name)).map((video) => [video, pairs.get(video)!]));
}

/** The names that may be video parts, in the order they claim stills. */
function videoParts(names: string[]): string[] {
  return [...new Set(names)].filter((name) => videoRank(name) >= 0).sort((a, b) =>
    videoRank(a) - videoRank(b)
  );
}

/**
 * A video part's priority when claiming a still, lower first; -1 for other files. A file with no
 * extension beside a still of its name is that still's video part (`MVIMG_…` in older exports), last.
 */
function videoRank(name: string): number {
  const ext = splitExtension(name).ext.toLowerCase();
  if (PIXEL_VIDEO.test(ext)) return 0;
  if (ext === "") return VIDEO_EXTENSIONS.length + 1;
  const index = VIDEO_EXTENSIONS.indexOf(ext);
  return index < 0 ? -1 : index + 1;
}

/** Where a video part's still is: its stem and the extensions it may have, likeliest first. */
function stillOf(video: string): { stem: string; exts: string[] } {
  const { stem, ext } = splitExtension(video);
  return PIXEL_VIDEO.test(ext)
    ? { stem: video, exts: PIXEL_STILL_EXTENSIONS }
    : { stem, exts: STILL_EXTENSIONS };
}
