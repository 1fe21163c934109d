/**
 * One photo, one date: the items that share one file (the same bytes from two sources, stored once:
 * `file_of`) are recorded with one capture time, so that `status`, `report` and the folder agree.
 *
 * Whose: a source that reads Google Photos now (the Library API's `creationTime`, the Picker's
 * `createTime`: `DOWNLOADABLE_SOURCES`), over a Takeout sidecar's `photoTakenTime`. Both are Google's
 * capture time, but an export is a copy of it as it was on the export's day, which a date corrected
 * in Google Photos since (a scan dated by its scan, a camera's clock) leaves behind; the next `sync`
 * reads the Library's again in any case. A live item whose date is no date (`hasCaptureTime`) gives
 * none.
 * @module
 */
import { DOWNLOADABLE_SOURCES } from "./source.ts";
import type { ItemRow, Store } from "./store.ts";
import { hasCaptureTime } from "./xmp.ts";

/** The capture time `row` gives the items sharing its file: a live source's, when it tells one. */
export function liveCaptureMs(row: ItemRow | undefined): number | undefined {
  if (!row || !DOWNLOADABLE_SOURCES.has(row.source)) return undefined;
  return hasCaptureTime(row.source, JSON.parse(row.json)) ? row.createdMs : undefined;
}

/**
 * The capture time that another item on item `id`'s file gives it (see {@link liveCaptureMs}): the
 * holder of the file it shares, or an item sharing its own; undefined when no other item gives one.
 */
export function sharedCaptureMs(store: Store, id: string): number | undefined {
  const row = store.item(id);
  if (!row) return undefined;
  const holder = row.fileOf ? store.item(row.fileOf) : row;
  if (!holder) return undefined;
  for (const other of [holder, ...store.itemsSharing(holder.id)]) {
    if (other.id === id) continue;
    const ms = liveCaptureMs(other);
    if (ms !== undefined) return ms;
  }
  return undefined;
}
