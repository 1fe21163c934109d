/**
 * The Picker API as a {@link Source}: the items picked in a session, page by page, into the
 * store; then their bytes from the `baseUrl` they were picked with. Those URLs last 60 minutes
 * and cannot be renewed (there is no batchGet for picked items), so each item's JSON keeps its
 * `baseUrl` and when it expires; an item whose URL expired stays pending until it is picked again.
 * @module
 */
import { FALLBACK_CAPTURE_MS, parseTimestamp, undatedItem } from "../../core/dates.ts";
import { itemFileName } from "../../core/names.ts";
import {
  type IndexBatch,
  ItemError,
  type PlacedRow,
  type Skipped,
  type Source,
  type Transfer,
} from "../../core/source.ts";
import type { NewItem } from "../../core/store.ts";
import { mediaAnswer } from "../../google/http.ts";
import type { PickedMediaItem, PickerClient } from "./client.ts";

/** How long a picked item's `baseUrl` lasts, counted from when it was listed (Google: 60 minutes). */
export const PICKED_URL_TTL_MS = 60 * 60_000;

/** The note of a pending item whose picked URL expired. */
export const PICK_AGAIN =
  "its download URL from the picker expired (they last 60 minutes and cannot be renewed); pick it again with photosync pick";

/** A picked item as the store keeps it: the API's JSON and when its `baseUrl` expires. */
export interface StoredPick extends PickedMediaItem {
  baseUrlExpireTime: string;
}

/** Options of {@link pickerSource}. */
export interface PickerSourceOptions {
  /** The session whose picked items {@link Source.index} lists; without it, it lists nothing. */
  sessionId?: string;
  now: () => number;
}

/** The Picker API source, reached through `client`. */
export function pickerSource(client: PickerClient, options: PickerSourceOptions): Source {
  return {
    name: "picker",
    async *index(): AsyncGenerator<IndexBatch> {
      if (options.sessionId === undefined) return;
      for await (const page of client.pickedItems(options.sessionId)) {
        const expires = new Date(options.now() + PICKED_URL_TTL_MS).toISOString();
        yield {
          source: "picker",
          items: page.map((item) => toNewItem(item, expires)),
          warnings: page.filter((item) => parseTimestamp(item.createTime) === undefined).map((item) =>
            undatedItem(item.id, item.mediaFile?.filename ?? "", "createTime", item.createTime)
          ),
        };
      }
    },
    prepare(rows) {
      const now = options.now();
      return Promise.resolve(rows.map((row) => pickedTransfer(row, client, now)));
    },
  };
}

/**
 * What the store keeps of a picked item: all of it, with its URL's expiry; its capture time, any day from
 * 0001 to 9999, or 1970-01-01 when it has none (the batch warns of it), as for the Library's items.
 */
function toNewItem(item: PickedMediaItem, baseUrlExpireTime: string): NewItem {
  const created = parseTimestamp(item.createTime) ?? FALLBACK_CAPTURE_MS;
  const stored: StoredPick = { ...item, baseUrlExpireTime };
  return {
    id: item.id,
    source: "picker",
    filename: itemFileName(item.mediaFile?.filename ?? "", item.id, item.mediaFile?.mimeType),
    createdMs: created,
    isVideo: item.type === "VIDEO" || (item.mediaFile?.mimeType ?? "").startsWith("video/"),
    json: JSON.stringify(stored),
  };
}

/**
 * Where to download a pending picked item (`baseUrl=d` for a photo, `=dv` for a video), or why
 * it waits: its URL expired (known without a request), or it is a video Google had not finished
 * processing when it was picked.
 */
export function pickedDownload(row: PlacedRow, now: number): { url: string } | Skipped {
  const item = JSON.parse(row.json) as Partial<StoredPick>;
  const baseUrl = item.mediaFile?.baseUrl;
  if (!baseUrl || !(now < Date.parse(item.baseUrlExpireTime ?? ""))) {
    return { row, skip: "deferred", reason: PICK_AGAIN };
  }
  const status = item.mediaFile?.mediaFileMetadata?.videoMetadata?.processingStatus;
  if (row.isVideo && status !== undefined && status !== "READY") {
    return {
      row,
      skip: "deferred",
      reason:
        `the video was not ready when it was picked (${status}); pick it again later with photosync pick`,
    };
  }
  return { url: baseUrl + (row.isVideo ? "=dv" : "=d") };
}

function pickedTransfer(row: PlacedRow, client: PickerClient, now: number): Transfer | Skipped {
  const download = pickedDownload(row, now);
  if (!("url" in download)) return download;
  // A URL the access token may not go to fails the item (a warning naming it), before any request.
  const refused = client.refusedMediaUrl(download.url);
  if (refused) return { row, skip: "failed", reason: refused };
  return {
    row,
    async open(signal) {
      const response = await client.download(download.url, signal);
      if (response.status === 403 || response.status === 404) {
        await response.body?.cancel();
        throw new ItemError(`${PICK_AGAIN} (HTTP ${response.status})`);
      }
      return await mediaAnswer(response);
    },
  };
}
