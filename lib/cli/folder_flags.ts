/**
 * The flags of a backup folder's settings (`--xmp`, `--folder-days`), shared by `sync`, `pick` and
 * `takeout`: given once, `sync.db` remembers them for the folder (`core/folder_settings.ts`).
 * @module
 */
import { UsageError } from "../core/errors.ts";
import type { FolderRequest } from "../core/folder_settings.ts";

/** The flags' definitions, for `parseFlags`. */
export const FOLDER_FLAGS = {
  xmp: { type: "boolean" },
  "folder-days": { type: "string" },
} as const;

/** Their lines of each command's help. */
export const FOLDER_HELP =
  `  --xmp                write IMG.jpg.xmp next to each file (time, place, description, people,
                       favourite, albums); remembered for DIR, missing ones written on the next run
  --folder-days local|utc  a new DIR's folders: the day taken where it was taken (local, default)
                       or the UTC day; a DIR that holds photos keeps its rule`;

/**
 * What the flags ask of the folder.
 *
 * @example Usage
 * ```ts
 * import { folderRequest } from "./folder_flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(folderRequest({ xmp: true, "folder-days": "utc" }), { xmp: true, folderDays: "utc" });
 * assert.deepEqual(folderRequest({}), {});
 * assert.throws(() => folderRequest({ "folder-days": "UTC+2" }), /must be local or utc/);
 * ```
 */
export function folderRequest(values: { xmp?: boolean; "folder-days"?: string }): FolderRequest {
  const days = values["folder-days"];
  if (days !== undefined && days !== "local" && days !== "utc") {
    throw new UsageError(`--folder-days must be local or utc, not "${days}"`);
  }
  return { ...(values.xmp ? { xmp: true } : {}), ...(days ? { folderDays: days } : {}) };
}
