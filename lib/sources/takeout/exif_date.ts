/**
 * A capture time from a file's EXIF header (read with exifr, from the first bytes only), and what
 * else of it tells the capture's local time: its offset, its GPS position.
 * @module
 */

/** Bytes of a file's start handed to the EXIF reader: EXIF lives in the header. */
export const EXIF_HEAD_BYTES = 256 * 1024;

/**
 * What the EXIF reader reads: the dates only. One object for every call: exifr keeps each options
 * object it is given for good (a new one per file held about 9.5 KB per file it read).
 */
const EXIF_OPTIONS = {
  pick: [
    "DateTimeOriginal",
    "OffsetTimeOriginal",
    "CreateDate",
    "GPSLatitude",
    "GPSLatitudeRef",
    "GPSLongitude",
    "GPSLongitudeRef",
  ],
  reviveValues: false,
  tiff: true,
  exif: true,
  gps: true,
  ifd1: false,
  xmp: false,
  icc: false,
  iptc: false,
};

/** What a file's EXIF says of when and where it was taken (each part only when present and sane). */
export interface ExifFacts {
  /** `DateTimeOriginal` (else `CreateDate`) as written: `YYYY:MM:DD HH:MM:SS`, the camera's wall clock. */
  time?: string;
  /** `OffsetTimeOriginal` as written: `±HH:MM`. */
  offset?: string;
  /** The GPS position, in decimal degrees. */
  latitude?: number;
  longitude?: number;
}

/** The EXIF facts of a file whose first bytes are `head`; empty when it has none exifr reads. */
export async function readExif(head: Uint8Array): Promise<ExifFacts> {
  let tags: Record<string, unknown> | undefined;
  try {
    // Loaded on first use: only a Takeout import reads EXIF.
    const { default: exifr } = await import("exifr");
    tags = await exifr.parse(head, EXIF_OPTIONS);
  } catch {
    return {}; // Not an image exifr knows, or a damaged header: the next rule dates it.
  }
  const facts: ExifFacts = {};
  const time = tags?.DateTimeOriginal ?? tags?.CreateDate;
  if (typeof time === "string") facts.time = time.trim();
  if (typeof tags?.OffsetTimeOriginal === "string") facts.offset = tags.OffsetTimeOriginal.trim();
  const latitude = gpsDegrees(tags?.GPSLatitude, tags?.GPSLatitudeRef, "S", 90);
  const longitude = gpsDegrees(tags?.GPSLongitude, tags?.GPSLongitudeRef, "W", 180);
  // 0/0 is what a camera without a fix writes.
  if (latitude !== undefined && longitude !== undefined && (latitude !== 0 || longitude !== 0)) {
    Object.assign(facts, { latitude, longitude });
  }
  return facts;
}

/**
 * `DateTimeOriginal` as epoch ms: with `OffsetTimeOriginal` when present, else read in the
 * importing machine's time zone (`TZ`); undefined when there is none or it is not a date.
 */
export function dateOfExif(facts: ExifFacts): number | undefined {
  return exifDateTime(facts.time, facts.offset);
}

/**
 * EXIF's GPS degrees, minutes, seconds (three numbers) and hemisphere as signed decimal degrees.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpsDegrees } from "./exif_date.ts";
 * assert.equal(gpsDegrees([34, 3, 7.2], "N", "S", 90), 34.052);
 * assert.equal(gpsDegrees([118, 14, 34.8], "W", "W", 180), -118.243);
 * assert.equal(gpsDegrees([91, 0, 0], "N", "S", 90), undefined);
 * ```
 */
export function gpsDegrees(value: unknown, ref: unknown, negative: string, max: number): number | undefined {
  const parts = Array.isArray(value) ? value : typeof value === "number" ? [value] : undefined;
  if (
    !parts || parts.length === 0 || parts.some((part) => typeof part !== "number" || !Number.isFinite(part))
  ) {
    return undefined;
  }
  const [d, m = 0, s = 0] = parts as number[];
  const degrees = Number((d + m / 60 + s / 3600).toFixed(7));
  if (degrees > max || degrees < 0) return undefined;
  return typeof ref === "string" && ref.trim().toUpperCase() === negative ? -degrees : degrees;
}

/**
 * An EXIF `YYYY:MM:DD HH:MM:SS` date and an optional `±HH:MM` offset as epoch ms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exifDateTime } from "./exif_date.ts";
 * assert.equal(exifDateTime("2019:04:05 10:11:12", "+02:00"), Date.UTC(2019, 3, 5, 8, 11, 12));
 * assert.equal(exifDateTime("0000:00:00 00:00:00", undefined), undefined);
 * ```
 */
export function exifDateTime(value: unknown, offset: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const zone = typeof offset === "string" ? /^([+-])(\d{2}):?(\d{2})$/.exec(offset.trim()) : null;
  if (zone) {
    const minutes = (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3]));
    return Date.UTC(y, mo - 1, d, h, mi, s) - minutes * 60_000;
  }
  const local = new Date(y, mo - 1, d, h, mi, s);
  local.setFullYear(y); // Years before 100 would otherwise be read as 19xx.
  return local.getTime();
}
