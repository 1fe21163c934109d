/**
 * The Library API's MediaItem, as far as photosync reads it.
 * @module
 */
import { parseTimestamp } from "../../core/dates.ts";

/** A media item from the Library API (`mediaItems:search`, `batchGet`). */
export interface MediaItem {
  id: string;
  description?: string;
  productUrl?: string;
  /** Short-lived (60 minutes) URL of the bytes; never stored. */
  baseUrl?: string;
  mimeType?: string;
  /** Whatever the uploader called the file: hostile input. */
  filename?: string;
  mediaMetadata?: {
    creationTime?: string;
    width?: string;
    height?: string;
    photo?: Record<string, unknown>;
    video?: { status?: string } & Record<string, unknown>;
  };
}

/** Whether the item is a video (downloaded with `=dv`). */
export function isVideo(item: MediaItem): boolean {
  return item.mediaMetadata?.video !== undefined || (item.mimeType ?? "").startsWith("video/");
}

/**
 * Creation time in epoch milliseconds, any day from 0001 to 9999 (`parseTimestamp`); undefined when the
 * API gave none or no date.
 */
export function creationMs(item: MediaItem): number | undefined {
  return parseTimestamp(item.mediaMetadata?.creationTime);
}
