/**
 * File names that are safe on every platform, and the stable names given to two items that
 * would share a path.
 * @module
 */

/** Longest file name most file systems take, in bytes of UTF-8: a folder's name is cut to it. */
const MAX_NAME_BYTES = 255;

/**
 * A file's name is cut shorter, by the 4 bytes of `.xmp`: its XMP sidecar (`<name>.xmp`, `--xmp`) must fit
 * in {@link MAX_NAME_BYTES} too.
 */
const MAX_FILE_NAME_BYTES = MAX_NAME_BYTES - ".xmp".length;

/**
 * What no name keeps: control characters (C0, DEL and C1: invisible, and terminals act on some) and the
 * ones Windows forbids.
 */
// deno-lint-ignore no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f<>:"|?*]/g;

/**
 * A name Windows takes for a device, whatever follows its first dot: `CON`, `PRN`, `AUX`, `NUL`, `COM0`-`COM9`
 * and `LPT0`-`LPT9` (and with a superscript `¹`, `²`, `³`), in any case, also with spaces before that dot
 * (`AUX .jpg`, which Windows reads as `AUX`).
 */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]) *(\.|$)/i;

/**
 * Whether a file's name leaves room for the `.xmp` of its sidecar (at most 251 bytes of UTF-8): every name
 * photosync gives now does; an earlier version cut names at 255 bytes.
 *
 * @example Usage
 * ```ts
 * import { leavesRoomForXmp } from "./names.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(leavesRoomForXmp("a".repeat(247) + ".jpg"), true);
 * assert.equal(leavesRoomForXmp("a".repeat(248) + ".jpg"), false);
 * ```
 */
export function leavesRoomForXmp(name: string): boolean {
  return byteLength(name) <= MAX_FILE_NAME_BYTES;
}

/**
 * Make one path segment safe on every platform: no separators, NUL, control or reserved
 * characters, no `.`/`..` (nor such parts of a path-like name), not hidden (no leading dot)
 * unless `hidden` allows it, no trailing dots or spaces, at most 251 bytes of UTF-8 (keeping the
 * extension), leaving room for the `.xmp` of its sidecar; a `folder`'s name (no sidecar beside it), 255.
 * An empty result becomes `fallback`.
 *
 * @example Usage
 * ```ts
 * import { sanitizeName } from "./names.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sanitizeName("a/b"), "a_b");
 * assert.equal(sanitizeName("../../escape.jpg"), "escape.jpg");
 * assert.equal(sanitizeName(".hidden.jpg"), "_hidden.jpg");
 * assert.equal(sanitizeName("notes. "), "notes");
 * assert.equal(sanitizeName("CON.txt"), "_CON.txt");
 * assert.equal(sanitizeName("aux .jpg"), "_aux .jpg");
 * assert.equal(sanitizeName("..", "AF1QipId"), "AF1QipId");
 * assert.equal(new TextEncoder().encode(sanitizeName("x".repeat(300) + ".jpg")).length, 251);
 * assert.equal(new TextEncoder().encode(sanitizeName("x".repeat(300), "album", { folder: true })).length, 255);
 * ```
 */
export function sanitizeName(
  name: string,
  fallback = "unnamed",
  { hidden = false, folder = false }: { hidden?: boolean; folder?: boolean } = {},
): string {
  const max = folder ? MAX_NAME_BYTES : MAX_FILE_NAME_BYTES;
  // `.` and `..` parts of a path-like name say nothing; a leading dot would hide the file
  // (`hidden`: a name the user chose may).
  const parts = name.split(/[/\\]/).filter((part) => !/^\.+$/.test(part));
  let safe = parts.join("_").replace(UNSAFE_CHARACTERS, "_").replace(/[. ]+$/, "");
  if (!hidden) safe = safe.replace(/^\.+/, "_");
  // Trimmed before the cut so that the extension kept is the real one, and again after it:
  // cutting can expose a dot or space (or a reserved name) that was not at the end before.
  // The `_` prefix may need one more cut.
  for (;;) {
    safe = truncateName(safe, max).replace(/[. ]+$/, "");
    if (safe === "") return sanitizeName(fallback, "unnamed", { folder });
    if (!WINDOWS_DEVICE.test(safe)) return safe;
    safe = `_${safe}`;
  }
}

/**
 * The names earlier versions gave an album's folder for `title` (with `fallback` for a title of nothing usable),
 * newest first, where they differ from {@link sanitizeName}'s now: an album whose links such a version made
 * keeps them in that folder (`Placer` looks for it on disk and records it in `sync.db`). Each change of
 * `sanitizeName` that can name a folder otherwise adds here the name the version before it gave.
 *
 * @example Usage
 * ```ts
 * import { earlierFolderNames, sanitizeName } from "./names.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sanitizeName("COM¹", "album", { folder: true }), "_COM¹");
 * assert.deepEqual(earlierFolderNames("COM¹", "album"), ["COM¹"]);
 * assert.deepEqual(earlierFolderNames("Trip", "album"), []);
 * ```
 */
export function earlierFolderNames(title: string, fallback: string): string[] {
  const now = sanitizeName(title, fallback, { folder: true });
  return [folderNameBefore20261207(title, fallback)].filter((name, at, names) =>
    name !== now && names.indexOf(name) === at
  );
}

/**
 * A folder's name as `sanitizeName` gave it from 2026-11-25 to 2026-12-07 (`git log -p lib/core/names.ts`):
 * C1 control characters (U+0080-U+009F) kept; only `CON`, `PRN`, `AUX`, `NUL`, `COM0`-`COM9`, `LPT0`-`LPT9`
 * right before a dot or the end taken for a device (not `AUX .jpg`, nor `COM¹`); a long name cut between code
 * points (inside a character made of several).
 */
function folderNameBefore20261207(name: string, fallback: string): string {
  const parts = name.split(/[/\\]/).filter((part) => !/^\.+$/.test(part));
  // deno-lint-ignore no-control-regex
  let safe = parts.join("_").replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_").replace(/[. ]+$/, "");
  safe = safe.replace(/^\.+/, "_");
  for (;;) {
    if (byteLength(safe) > MAX_NAME_BYTES) {
      const { stem, ext } = splitExtension(safe, MAX_EXT_LENGTH);
      const keepExt = byteLength(ext) < MAX_NAME_BYTES / 2 ? ext : "";
      safe = cutCodePoints(keepExt ? stem : safe, MAX_NAME_BYTES - byteLength(keepExt)) + keepExt;
    }
    safe = safe.replace(/[. ]+$/, "");
    if (safe === "") return folderNameBefore20261207(fallback, "unnamed");
    if (!/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(safe)) return safe;
    safe = `_${safe}`;
  }
}

/**
 * A name with nothing to name a file by: empty, or only dots, spaces, separators and control characters,
 * but for an extension (`.jpg`, `...JPG`).
 */
// deno-lint-ignore no-control-regex
const NO_STEM = /^[\s\u0000-\u001f./\\]*(\.[^\s\u0000-\u001f./\\]{1,15})?[\s\u0000-\u001f.]*$/;

/** The extensions of the types Google Photos stores (and a few more cameras make), by MIME type. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "image/heic": ".heic",
  "image/heif": ".heif",
  "image/avif": ".avif",
  "image/bmp": ".bmp",
  "image/tiff": ".tif",
  "image/x-icon": ".ico",
  "image/vnd.microsoft.icon": ".ico",
  "image/x-adobe-dng": ".dng",
  "image/dng": ".dng",
  "image/x-canon-cr2": ".cr2",
  "image/x-canon-cr3": ".cr3",
  "image/x-nikon-nef": ".nef",
  "image/x-sony-arw": ".arw",
  "image/x-fuji-raf": ".raf",
  "image/x-olympus-orf": ".orf",
  "image/x-panasonic-rw2": ".rw2",
  "video/mp4": ".mp4",
  "video/quicktime": ".mov",
  "video/3gpp": ".3gp",
  "video/3gpp2": ".3g2",
  "video/x-m4v": ".m4v",
  "video/x-msvideo": ".avi",
  "video/avi": ".avi",
  "video/x-ms-wmv": ".wmv",
  "video/x-ms-asf": ".asf",
  "video/x-matroska": ".mkv",
  "video/webm": ".webm",
  "video/mpeg": ".mpg",
  "video/mp2t": ".mts",
};

/**
 * The name to save an item under (made safe later by {@link sanitizeName}): its own `filename`; or, when
 * that has nothing to name a file by (`""`, `.`, `..`, spaces, only an extension such as `.jpg`), its id
 * with the extension of its `mimeType` (else the one the name had, else none): never a bare id nor a
 * hidden `_jpg`.
 *
 * @example Usage
 * ```ts
 * import { itemFileName } from "./names.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(itemFileName("IMG_1.jpg", "AF1Qip", "image/jpeg"), "IMG_1.jpg");
 * assert.equal(itemFileName("", "AF1Qip", "image/jpeg"), "AF1Qip.jpg");
 * assert.equal(itemFileName(".mov", "AF1Qip", "video/mp4"), "AF1Qip.mp4");
 * assert.equal(itemFileName(".png", "AF1Qip"), "AF1Qip.png");
 * assert.equal(itemFileName(".hidden.jpg", "AF1Qip", "image/jpeg"), ".hidden.jpg");
 * ```
 */
export function itemFileName(filename: string, id: string, mimeType?: string): string {
  const match = NO_STEM.exec(filename);
  if (!match) return filename;
  return id + (EXTENSIONS[mimeType?.trim().toLowerCase() ?? ""] ?? match[1] ?? "");
}

/**
 * `IMG.jpg` → `IMG (tag).jpg`, still within 251 bytes (room for `.xmp`, see {@link sanitizeName}): the
 * name for a second item at a taken path.
 *
 * @example Usage
 * ```ts
 * import { taggedName } from "./names.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(taggedName("2024/05/01/IMG.jpg", "1a2b3c4d"), "2024/05/01/IMG (1a2b3c4d).jpg");
 * ```
 */
export function taggedName(path: string, tag: string): string {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const { stem, ext } = splitExtension(name, MAX_EXT_LENGTH);
  const suffix = ` (${tag})${ext}`;
  return dir + truncateName(stem, MAX_FILE_NAME_BYTES - byteLength(suffix)) + suffix;
}

/**
 * `Trip` → `Trip (tag)`, still within 255 bytes (a folder's name has no extension to keep, nor a sidecar): the
 * folder of a second album whose title is made the name of another's (see `Placer`'s album folders).
 *
 * @example Usage
 * ```ts
 * import { taggedFolderName } from "./names.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(taggedFolderName("Trip_ 2024", "1a2b3c4d"), "Trip_ 2024 (1a2b3c4d)");
 * assert.equal(taggedFolderName("v1.2", "1a2b3c4d"), "v1.2 (1a2b3c4d)");
 * assert.equal(new TextEncoder().encode(taggedFolderName("x".repeat(255), "1a2b3c4d")).length, 255);
 * ```
 */
export function taggedFolderName(name: string, tag: string): string {
  const suffix = ` (${tag})`;
  // A dot in a title starts no extension: the name is cut at its end, as a whole.
  return truncateName(name, MAX_NAME_BYTES - byteLength(suffix), { extension: false }) + suffix;
}

/**
 * A short, stable tag derived from an item id (FNV-1a, 8 hex digits).
 *
 * @example Usage
 * ```ts
 * import { idTag } from "./names.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(idTag("foobar"), "bf9cf968");
 * ```
 */
export function idTag(id: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(id)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * A file name's stem and extension (from the last dot; a leading dot starts no extension).
 * `maxExtLength`: a longer "extension" (dot included) is part of the stem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitExtension } from "./names.ts";
 * assert.deepEqual(splitExtension("PXL_1.MP.jpg"), { stem: "PXL_1.MP", ext: ".jpg" });
 * assert.deepEqual(splitExtension(".hidden"), { stem: ".hidden", ext: "" });
 * ```
 */
export function splitExtension(name: string, maxExtLength = Infinity): { stem: string; ext: string } {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || name.length - dot > maxExtLength) return { stem: name, ext: "" };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** Extensions kept when a name is cut or tagged are at most this long, dot included. */
const MAX_EXT_LENGTH = 16;

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Characters as a reader sees them (grapheme clusters): made once, when a first name is cut. */
let graphemes: Intl.Segmenter | undefined;

/**
 * Cut `name` to `max` UTF-8 bytes between characters as a reader sees them, keeping a short extension (unless
 * `extension` is false: a folder's name): never inside one made of several code points (`é` decomposed, a
 * flag's two regional indicators, a Hangul syllable written in jamo, an emoji joined by ZWJ), which would leave
 * another letter or symbol than the name had.
 */
function truncateName(name: string, max: number, { extension = true }: { extension?: boolean } = {}): string {
  if (byteLength(name) <= max) return name;
  const { stem, ext } = extension ? splitExtension(name, MAX_EXT_LENGTH) : { stem: name, ext: "" };
  const keepExt = byteLength(ext) < max / 2 ? ext : "";
  let budget = max - byteLength(keepExt);
  let out = "";
  graphemes ??= new Intl.Segmenter("und", { granularity: "grapheme" });
  for (const { segment } of graphemes.segment(keepExt ? stem : name)) {
    const size = byteLength(segment);
    if (size <= budget) {
      out += segment;
      budget -= size;
      continue;
    }
    // A first one longer than the whole name may be (a letter under hundreds of marks) is cut inside:
    // else nothing would be left of the name.
    if (out === "") out = cutCodePoints(segment, budget);
    break;
  }
  return out + keepExt;
}

/** The code points of `text` that fit in `max` UTF-8 bytes. */
function cutCodePoints(text: string, max: number): string {
  let out = "";
  for (const char of text) {
    if (byteLength(out + char) > max) break;
    out += char;
  }
  return out;
}
