/**
 * Whether what the user gave `photosync takeout` is (part of) a Google Photos export, decided
 * before anything is written: a folder of unrelated files or a zip of something else is bad
 * input (exit 2), not an import of nothing.
 *
 * A part is one when any entry lies in a Google Photos folder (`Takeout/Google Photos/…`, the
 * name localised: `google_photos_folders.json`), or is a sidecar anywhere. Either alone is
 * enough, because a part of a real export may hold only videos without sidecars (they sit in
 * another part), only sidecars, or folders of a language not in the list. A folder given as
 * the `Google Photos` folder itself counts by its own name.
 * @module
 */
import { resolve } from "node:path";
import { UsageError } from "../../core/errors.ts";
import type { ArchiveSource } from "./archive_source.ts";
import googlePhotosFolders from "./google_photos_folders.json" with { type: "json" };
import { isMediaName } from "./motion.ts";
import { isSidecarName } from "./sidecar_names.ts";

const comparable = (name: string) => name.normalize("NFC").toLowerCase();

const FOLDERS = new Set(googlePhotosFolders.map(comparable));

/** Google's sidecar suffix, cut to fit a name to any prefix (`.supplemental-metad`, `.supple`, `.s`). */
const SUPPLEMENTAL = "supplemental-metadata";

/**
 * Whether the entry at `path` (`/`-separated, inside a part) shows the part belongs to a Google
 * Photos export: it lies in a Google Photos folder, or its name is a sidecar's (the media
 * file's name, or `.supplemental-metadata` cut to any length, then an optional counter, then
 * `.json`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isExportEntry } from "./export_check.ts";
 * assert.equal(isExportEntry("Takeout/Google Fotos/Fotos von 2019/VID_1.mp4"), true);
 * assert.equal(isExportEntry("Takeout/Fotos von 2019/IMG_1.jpg.supplemental-metadata(1).json"), true);
 * assert.equal(isExportEntry("Takeout/Google Photos/../x.jpg"), true);
 * assert.equal(isExportEntry("holiday/IMG_1.jpg"), false);
 * assert.equal(isExportEntry("project/package.json"), false);
 * ```
 */
export function isExportEntry(path: string): boolean {
  const parts = path.split("/");
  if (parts.slice(0, -1).some((part) => FOLDERS.has(comparable(part)))) return true;
  const name = parts.at(-1)!;
  if (!/\.json$/i.test(name) || !isSidecarName(name)) return false;
  const stem = name.slice(0, -".json".length).replace(/\(\d+\)$/, "");
  const suffix = stem.slice(stem.lastIndexOf(".") + 1).toLowerCase();
  return isMediaName(stem) || (suffix !== "" && stem.includes(".") && SUPPLEMENTAL.startsWith(suffix));
}

/**
 * Throw a {@link UsageError} naming `input` unless one of its entries is an {@link isExportEntry};
 * reads only until one is found. An archive that cannot be listed is let through: the import
 * reports it (damaged, unreadable) and goes on with the others. `folder`: the local folder
 * `input` is, which counts by its own path (given as `…/Takeout/Google Photos` or a year folder in it).
 */
export async function checkIsExport(input: ArchiveSource, folder?: string): Promise<void> {
  const prefix = folder === undefined ? "" : `${resolve(folder).split(/[/\\]/).slice(-3).join("/")}/`;
  try {
    for await (const entry of input.entries()) {
      if (isExportEntry(prefix + entry.path)) return;
    }
  } catch {
    return;
  }
  throw new UsageError(
    `${input.path} is not a Google Photos export: it holds no "Takeout/Google Photos/" folder and no ` +
      `sidecar .json; give the archives (or extracted folders) of a Google Takeout of Google Photos`,
  );
}
