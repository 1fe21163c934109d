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
 *
 * Which files of an export are Google Photos': {@link PhotosScope}.
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

const OUTSIDE = "outside the export's Google Photos folder";

/** Whether `name` (one path segment) is the Google Photos folder's name in some language. */
export function isPhotosFolder(name: string): boolean {
  return FOLDERS.has(comparable(name));
}

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
  if (parts.slice(0, -1).some(isPhotosFolder)) return true;
  const name = parts.at(-1)!;
  if (!/\.json$/i.test(name) || !isSidecarName(name)) return false;
  const stem = name.slice(0, -".json".length).replace(/\(\d+\)$/, "");
  const suffix = stem.slice(stem.lastIndexOf(".") + 1).toLowerCase();
  return isMediaName(stem) || (suffix !== "" && stem.includes(".") && SUPPLEMENTAL.startsWith(suffix));
}

/** A part that holds only other Takeout products' folders (`Takeout/Drive/`): no Google Photos file. */
export class OtherProductError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = "OtherProductError";
  }
}

/**
 * Throw a {@link UsageError} naming `input` unless one of its entries is an {@link isExportEntry};
 * reads only until one is found. An archive that cannot be listed is let through: the import
 * reports it (damaged, unreadable) and goes on with the others. `folder`: the local folder
 * `input` is, which counts by its own path (given as `…/Takeout/Google Photos` or a year folder in it).
 */
export async function checkIsExport(input: ArchiveSource, folder?: string): Promise<void> {
  const prefix = folder === undefined ? "" : `${resolve(folder).split(/[/\\]/).slice(-3).join("/")}/`;
  /** The folders of other Takeout products met (`Takeout/Drive/`), for the message. */
  const products = new Set<string>();
  try {
    for await (const entry of input.entries()) {
      if (isExportEntry(prefix + entry.path)) return;
      const product = productFolder(entry.path);
      if (product && products.size < 3) products.add(product);
    }
  } catch {
    return;
  }
  if (products.size > 0) {
    throw new OtherProductError(
      `${input.path} holds no Google Photos files, only another Takeout product's (${
        [...products].join(", ")
      }): ` +
        `leave it out, and give the parts of the export that hold Google Photos`,
    );
  }
  throw new UsageError(
    `${input.path} is not a Google Photos export: it holds no "Takeout/Google Photos/" folder and no ` +
      `sidecar .json; give the archives (or extracted folders) of a Google Takeout of Google Photos`,
  );
}

/**
 * Which folders of an export hold its Google Photos files. A Takeout of several products holds each
 * in a folder of its own (`Takeout/Drive/`, `Takeout/YouTube and YouTube Music/`, …), and a folder
 * given to `photosync takeout` may hold other files beside an extracted export (a downloads folder):
 * neither is a Google Photos file, and importing them would date a Drive scan or a video of YouTube by
 * its export time in the backup. So where an export's Google Photos folder is found by its name right
 * under `Takeout/` (`…/Takeout/Google Photos/`, the name in any language of the list), only what lies
 * in it is the export's. Where none is (its name in a language not in the list, or a folder given whose
 * place in its part is not known: `archive.ts` reads a part's `Takeout` folder, under any name macOS gave
 * it, as `Takeout/…`), every folder is: no photo is left out because its folder's name is not known.
 *
 * Folders are told with {@link add} (each folder of each export, by the export's stamp) before any is
 * asked about with {@link leftOut}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PhotosScope } from "./export_check.ts";
 * const scope = new PhotosScope();
 * for (const folder of ["Takeout/Google Photos/Photos from 2020/", "Takeout/Drive/scans/", "other/"]) {
 *   scope.add("20250101T000000Z", folder);
 * }
 * scope.add("", "Photos from 2020/"); // an export whose Google Photos folder was given itself
 * assert.equal(scope.leftOut("20250101T000000Z", "Takeout/Google Photos/Photos from 2020/"), undefined);
 * assert.deepEqual(scope.leftOut("20250101T000000Z", "Takeout/Drive/scans/"), {
 *   top: "Takeout/Drive/",
 *   why: "another Takeout product",
 * });
 * assert.deepEqual(scope.leftOut("20250101T000000Z", "other/"), {
 *   top: "other/",
 *   why: "outside the export's Google Photos folder",
 * });
 * assert.equal(scope.leftOut("", "Photos from 2020/"), undefined);
 * ```
 */
export class PhotosScope {
  /** Per export stamp, the Google Photos folders found (each a path ending in `/`). */
  readonly #roots = new Map<string, Set<string>>();

  /** `folder` (a path inside a part, ending in `/`, or "" for its top) is a folder of the export `stamp`. */
  add(stamp: string, folder: string): void {
    const root = photosRoot(folder);
    if (root === undefined) return;
    let roots = this.#roots.get(stamp);
    if (!roots) this.#roots.set(stamp, roots = new Set());
    roots.add(root);
  }

  /** Whether `folder` lies in a Google Photos folder of the export `stamp` known by its name. */
  inPhotosFolder(stamp: string, folder: string): boolean {
    return [...this.#roots.get(stamp) ?? []].some((root) => folder.startsWith(root));
  }

  /**
   * Undefined when the files of `folder` are the export's (they lie in its Google Photos folder, or it
   * has none by a known name); else the folder left out, as far down as it says why (`top`).
   */
  leftOut(stamp: string, folder: string): { top: string; why: string } | undefined {
    const roots = this.#roots.get(stamp);
    if (!roots || [...roots].some((root) => folder.startsWith(root))) return undefined;
    const product = productFolder(folder);
    if (product) return { top: product, why: "another Takeout product" };
    const parts = folder.split("/");
    return {
      top: folder === "" ? "./" : `${parts.slice(0, parts[0] === "" ? 2 : 1).join("/")}/`,
      why: OUTSIDE,
    };
  }
}

/**
 * The Takeout product's folder `path` (a file's, or a folder's ending in `/`) lies in: the part up to
 * the folder under its first `Takeout` (`Takeout/Drive/`), if there is one.
 */
function productFolder(path: string): string | undefined {
  const parts = path.split("/");
  const at = parts.indexOf("Takeout");
  return at < 0 || at + 2 >= parts.length ? undefined : `${parts.slice(0, at + 2).join("/")}/`;
}

/**
 * The part of `folder` up to a `Takeout/<Google Photos>/` (the name in any language of the list), if
 * any. Only right under `Takeout`: an album of that name inside the Google Photos folder is no root.
 */
function photosRoot(folder: string): string | undefined {
  const parts = folder.split("/");
  const at = parts.findIndex((part, index) =>
    index > 0 && index < parts.length - 1 && parts[index - 1] === "Takeout" && isPhotosFolder(part)
  );
  return at < 0 ? undefined : `${parts.slice(0, at + 1).join("/")}/`;
}
