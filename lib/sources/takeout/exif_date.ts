/**
 * A capture time from a file's EXIF header (read with exifr, from the first bytes only), and what
 * else of it tells the capture's local time: its offset, its GPS position.
 * @module
 */
import { captureMs, isRealDate, utcTime } from "../../core/dates.ts";
import { EXIF_READ_OPTIONS, exifBuild, type ExifFacts, exifFactsOf } from "../../core/local_time.ts";

/** The EXIF facts of a file whose first bytes are `head`; empty when it has none exifr reads. */
export async function readExif(head: Uint8Array): Promise<ExifFacts> {
  let tags: Record<string, unknown> | undefined;
  try {
    // Loaded on first use: only a Takeout import reads EXIF.
    const { default: exifr } = exifBuild(head) === "lite"
      ? await import("exifr/lite")
      : await import("exifr");
    tags = await exifr.parse(head, EXIF_READ_OPTIONS);
  } catch {
    return {}; // Not an image exifr knows, or a damaged header: the next rule dates it.
  }
  return exifFactsOf(tags);
}

/**
 * `DateTimeOriginal` as epoch ms: with `OffsetTimeOriginal` when present, else read in the
 * importing machine's time zone (`TZ`); undefined when there is none or it is not a date.
 */
export function dateOfExif(facts: ExifFacts): number | undefined {
  return exifDateTime(facts.time, facts.offset);
}

/**
 * An EXIF `YYYY:MM:DD HH:MM:SS` date and an optional `±HH:MM` offset as epoch ms: any real day of
 * years 0001 to 9999 (a scan of an 1850 print is dated so); a leap second (`23:59:60`) held at its
 * day's last second. `0000:00:00 00:00:00` (no date set) and impossible days (30 February) are none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exifDateTime } from "./exif_date.ts";
 * assert.equal(exifDateTime("2019:04:05 10:11:12", "+02:00"), Date.UTC(2019, 3, 5, 8, 11, 12));
 * assert.equal(exifDateTime("1750:06:15 10:00:00", "+00:00"), Date.UTC(1750, 5, 15, 10));
 * assert.equal(exifDateTime("0000:00:00 00:00:00", undefined), undefined);
 * assert.equal(exifDateTime("2019:02:30 10:11:12", "+02:00"), undefined);
 * ```
 */
export function exifDateTime(value: unknown, offset: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  if (y < 1 || !isRealDate({ year: y, month: mo, day: d }) || h > 23 || mi > 59 || s > 60) return undefined;
  const second = Math.min(s, 59);
  const zone = typeof offset === "string" ? /^([+-])(\d{2}):?(\d{2})$/.exec(offset.trim()) : null;
  if (zone) {
    const minutes = (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3]));
    return captureMs(utcTime(y, mo, d, h, mi, second) - minutes * 60_000);
  }
  const local = new Date(y, mo - 1, d, h, mi, second);
  local.setFullYear(y, mo - 1, d); // Years before 100 would otherwise be read as 19xx.
  return captureMs(local.getTime());
}
