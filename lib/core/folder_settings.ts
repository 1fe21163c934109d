/**
 * What a backup folder remembers of how it is written, whatever the run: which day a photo's
 * folder is (`--folder-days`: the capture's local day, or its UTC day) and whether XMP sidecars
 * are written (`--xmp`). Kept in `sync.db` as resume points of the pseudo-source `folder` (no new
 * table, no schema change), written on a folder's first run.
 * @module
 */
import { join } from "node:path";
import { UsageError } from "./errors.ts";
import type { Store } from "./store.ts";

/** Which day `{year}/{month}/{day}` are: the capture's local day, or its UTC day. */
export type FolderDays = "local" | "utc";

/** What a folder remembers. */
export interface FolderSettings {
  days: FolderDays;
  /** Write `<file>.xmp` next to each file. */
  xmp: boolean;
}

/** What a run asks for: given once, remembered for the folder. */
export interface FolderRequest {
  /** Only for a new folder: a folder that holds items keeps its rule. */
  folderDays?: FolderDays;
  /** True: write XMP sidecars from now on (and those missing). */
  xmp?: boolean;
}

/** The name under which `sync.db` keeps the folder's settings (as a source's resume points). */
export const SETTINGS_SOURCE = "folder";
const DAYS_KEY = "days";
const XMP_KEY = "xmp";

/**
 * The folder's settings: those recorded in `sync.db`, else (its first run with this version) a
 * new folder's (local days unless `folderDays` says `utc`) or, for a folder that already holds
 * items, UTC days, as every version before filed them: nothing placed ever moves. Records them.
 * `--folder-days` that contradicts a folder's rule is a {@link UsageError}.
 *
 * A folder whose `sync.db` records nothing (lost, or never copied) but that holds a dated tree in
 * its folder (`store.dir`: a `YYYY` folder with a file in it) is no new folder: its files were filed by one rule or the
 * other, and a run under the wrong one puts a photo taken near midnight in another day's folder,
 * downloaded a second time beside the file it does not take back. Nothing on disk tells the rule
 * (the local day of a photo needs its bytes), so without `folderDays` that is a {@link UsageError}
 * asking for it.
 *
 * @example Usage
 * ```ts ignore
 * const settings = folderSettings(store, { xmp: true });
 * ```
 */
export function folderSettings(store: Store, request: FolderRequest = {}): FolderSettings {
  const recorded = store.checkpoint(SETTINGS_SOURCE, DAYS_KEY);
  let days: FolderDays;
  if (recorded === "local" || recorded === "utc") {
    days = recorded;
    if (request.folderDays !== undefined && request.folderDays !== days) {
      throw new UsageError(
        `--folder-days=${request.folderDays}: this folder files photos by ${describe(days)} ` +
          `(recorded in sync.db when it was made); files already placed never move, so it keeps that rule`,
      );
    }
  } else if (store.counts().items > 0) {
    days = "utc";
    if (request.folderDays === "local") {
      throw new UsageError(
        "--folder-days=local: this folder already holds photos filed by their UTC day (photosync before " +
          "local days); files already placed never move, so it keeps UTC days. Use a new --dir for local days",
      );
    }
  } else {
    const found = request.folderDays === undefined ? datedFile(store.dir) : undefined;
    if (found !== undefined) {
      throw new UsageError(
        `this folder holds photos in dated folders (${found}) but sync.db records no rule for their days ` +
          `(lost or not copied): say which it is, --folder-days=utc (made by photosync before local days, or ` +
          `with --folder-days=utc) or --folder-days=local (the default since), so that files already there ` +
          `are taken back, none downloaded twice`,
      );
    }
    days = request.folderDays ?? "local";
  }
  const xmp = request.xmp === true || store.checkpoint(SETTINGS_SOURCE, XMP_KEY) === "on";
  const put = [];
  if (recorded !== days) put.push({ key: DAYS_KEY, value: days });
  if (xmp && store.checkpoint(SETTINGS_SOURCE, XMP_KEY) !== "on") put.push({ key: XMP_KEY, value: "on" });
  if (put.length > 0) store.updateCheckpoints(SETTINGS_SOURCE, { put });
  return { days, xmp };
}

/** How deep under a `YYYY` folder a file is looked for (`{year}/{month}/{day}/<file>` is 3; a `--layout` may nest more). */
const MAX_DEPTH = 6;

/**
 * The path (under `dir`) of a file in a dated tree there: a `YYYY` folder, as every layout begins,
 * with a file at most {@link MAX_DEPTH} levels under it; undefined when there is none. Only the first
 * file found is looked for, so a large tree costs a few directory reads.
 */
function datedFile(dir: string): string | undefined {
  const find = (path: string, depth: number): string | undefined => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(join(dir, path))];
    } catch {
      return undefined; // Not readable (or gone): nothing there to take back.
    }
    for (const entry of entries) {
      const child = `${path}/${entry.name}`;
      if (entry.isFile) return child;
      if (entry.isDirectory && depth < MAX_DEPTH) {
        const found = find(child, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  let top: Deno.DirEntry[];
  try {
    top = [...Deno.readDirSync(dir)];
  } catch {
    return undefined;
  }
  for (const entry of top) {
    if (!entry.isDirectory || !/^\d{4}$/.test(entry.name)) continue;
    const found = find(entry.name, 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function describe(days: FolderDays): string {
  return days === "local" ? "the day they were taken where they were taken (local days)" : "their UTC day";
}
