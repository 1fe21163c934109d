/**
 * What a backup folder remembers of how it is written, whatever the run: which day a photo's
 * folder is (`--folder-days`: the capture's local day, or its UTC day) and whether XMP sidecars
 * are written (`--xmp`). Kept in `sync.db` as resume points of the pseudo-source `folder` (no new
 * table, no schema change), written on a folder's first run.
 * @module
 */
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
    days = request.folderDays ?? "local";
  }
  const xmp = request.xmp === true || store.checkpoint(SETTINGS_SOURCE, XMP_KEY) === "on";
  const put = [];
  if (recorded !== days) put.push({ key: DAYS_KEY, value: days });
  if (xmp && store.checkpoint(SETTINGS_SOURCE, XMP_KEY) !== "on") put.push({ key: XMP_KEY, value: "on" });
  if (put.length > 0) store.updateCheckpoints(SETTINGS_SOURCE, { put });
  return { days, xmp };
}

function describe(days: FolderDays): string {
  return days === "local" ? "the day they were taken where they were taken (local days)" : "their UTC day";
}
