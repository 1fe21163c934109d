/**
 * The Library API's MediaItem, as far as photosync reads it.
 * @module
 */
import { captureMs, FALLBACK_CAPTURE_MS } from "../../core/dates.ts";

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
 * Creation time in epoch milliseconds; 0 (1970-01-01) when the API gave none, an unreadable one
 * or no sane date (`captureMs`: year 0001 or 275760 would make folders like `0001/01/01`).
 */
export function creationMs(item: MediaItem): number {
  return captureMs(Date.parse(item.mediaMetadata?.creationTime ?? "")) ?? FALLBACK_CAPTURE_MS;
}
