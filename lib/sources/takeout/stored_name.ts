/**
 * The name a Takeout media file is stored under. The sidecar's `title` is the original,
 * full name (not cut to 47 units, without Google's `(n)` counter), so it names the file;
 * but it is what the uploader called the file, and its extension may be missing (a file
 * uploaded without one, to which Google added `.jpg`) or say something else than the bytes
 * Google exported. The media entry's extension says what the file is, and is kept.
 * @module
 */
import { isMediaName } from "./motion.ts";
import { splitExtension } from "./name_parts.ts";

/**
 * The file name to store the media entry `mediaName` under, given its sidecar's `title`:
 * the title when it ends with the entry's extension (in any case); else the title with the
 * entry's extension in place of a media extension of its own (`IMG_1.HEIC` for a `.jpg`
 * gives `IMG_1.jpg`), or without a trailing non-media extension after the entry's
 * (`clip.gif.json` gives `clip.gif`), or with the entry's extension added (`20030616` gives
 * `20030616.jpg`). Without a title, the entry's own name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(storedFileName("IMG_3479(1).JPG", "IMG_3479.JPG"), "IMG_3479.JPG");
 * assert.equal(storedFileName("20030616.jpg", "20030616"), "20030616.jpg");
 * assert.equal(storedFileName("IMG_0412.mov", undefined), "IMG_0412.mov");
 * ```
 */
export function storedFileName(mediaName: string, title: string | undefined): string {
  if (!title) return mediaName;
  const { ext } = splitExtension(mediaName);
  if (endsWithExtension(title, ext)) return title;
  const own = splitExtension(title);
  if (own.ext && isMediaName(title)) return own.stem + ext;
  if (own.ext && endsWithExtension(own.stem, ext)) return own.stem;
  return title + ext;
}

/** Whether `name` ends with `ext` (any case); every name ends with no extension. */
function endsWithExtension(name: string, ext: string): boolean {
  return name.slice(name.length - ext.length).toLowerCase() === ext.toLowerCase() &&
    name.length > ext.length;
}
