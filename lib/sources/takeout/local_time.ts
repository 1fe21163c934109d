/**
 * The capture's local time: its offset from UTC where the photo was taken, which makes the folder
 * of a folder filed by local days (`--folder-days=local`) and the offset of the XMP sidecar's
 * `exif:DateTimeOriginal`. The first rule that gives one:
 *
 * 1. EXIF `OffsetTimeOriginal`;
 * 2. the place's time zone at that instant: the sidecar's `geoData`, else EXIF GPS, looked up
 *    offline with `@photostructure/tz-lookup` (73 KB of zone outlines; its authors measure about
 *    one point in ten of inhabited land getting another zone than the exact outlines give, about one
 *    in twenty with another offset: near borders);
 * 3. EXIF `DateTimeOriginal` without an offset: the camera's wall clock is the local time (its
 *    difference from the instant, to the quarter hour, when within ±14 hours);
 *
 * else none (the UTC day). A time taken from EXIF without an offset (no sidecar date) is the wall
 * clock itself: rule 3 comes first for it, as the zone of the place would move it off its own day.
 * @module
 */
import { MAX_OFFSET_MINUTES } from "../../core/layout.ts";
import type { ExifFacts } from "./exif_date.ts";

/** Which rule gave the local time. */
export type LocalRule = "exif offset" | "location" | "exif local time";

/** A capture's offset from UTC in minutes, and the rule that gave it. */
export interface LocalTime {
  offsetMinutes: number;
  rule: LocalRule;
}

/** A place in decimal degrees. */
export interface Place {
  latitude: number;
  longitude: number;
}

/** The zone lookup, loaded on first use: only a Takeout import needs it. */
let zoneLookup: Promise<(latitude: number, longitude: number) => string> | undefined;

/**
 * The local time of a capture at `ms` (epoch ms), by the rules of this module. `exifDated`: `ms`
 * was read from the EXIF wall clock itself.
 */
export async function localTime(
  ms: number,
  exif: ExifFacts,
  place: Place | undefined,
  exifDated = false,
): Promise<LocalTime | undefined> {
  const offset = parseOffset(exif.offset);
  if (offset !== undefined) return { offsetMinutes: offset, rule: "exif offset" };
  const wall = wallClockOffset(ms, exif.time);
  if (exifDated && wall !== undefined) return { offsetMinutes: wall, rule: "exif local time" };
  const where = place ??
    (exif.latitude !== undefined && exif.longitude !== undefined
      ? { latitude: exif.latitude, longitude: exif.longitude }
      : undefined);
  if (where) {
    zoneLookup ??= import("@photostructure/tz-lookup").then((module) => module.default);
    const zone = zoneAt(await zoneLookup, where);
    const minutes = zone === undefined ? undefined : zoneOffset(zone, ms);
    if (minutes !== undefined) return { offsetMinutes: minutes, rule: "location" };
  }
  return wall === undefined ? undefined : { offsetMinutes: wall, rule: "exif local time" };
}

/** The IANA zone of a place, or undefined (no valid place, or a zone this runtime does not know). */
function zoneAt(lookup: (latitude: number, longitude: number) => string, place: Place): string | undefined {
  try {
    return lookup(place.latitude, place.longitude);
  } catch {
    return undefined; // Coordinates out of range.
  }
}

/** Formatters by zone: making one costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat | undefined>();

/**
 * The offset from UTC of IANA zone `zone` at the instant `ms`, in minutes, or undefined for a
 * zone the runtime's time zone data lacks.
 *
 * @example Usage
 * ```ts
 * import { zoneOffset } from "./local_time.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(zoneOffset("America/Los_Angeles", Date.UTC(2023, 6, 1)), -420); // summer time
 * assert.equal(zoneOffset("America/Los_Angeles", Date.UTC(2023, 0, 1)), -480);
 * assert.equal(zoneOffset("Asia/Kolkata", Date.UTC(2023, 0, 1)), 330);
 * assert.equal(zoneOffset("Nowhere/Atlantis", 0), undefined);
 * ```
 */
export function zoneOffset(zone: string, ms: number): number | undefined {
  if (!formatters.has(zone)) {
    let format: Intl.DateTimeFormat | undefined;
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch {
      format = undefined;
    }
    formatters.set(zone, format);
  }
  const format = formatters.get(zone);
  if (!format) return undefined;
  const whole = Math.floor(ms / 1000) * 1000;
  const parts = Object.fromEntries(format.formatToParts(whole).map((part) => [part.type, part.value]));
  const year = parts.era === "BC" || parts.era === "B" ? 1 - Number(parts.year) : Number(parts.year);
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  const minutes = Math.round((wall.getTime() - whole) / 60_000);
  return Number.isFinite(minutes) && Math.abs(minutes) <= MAX_OFFSET_MINUTES ? minutes : undefined;
}

/** EXIF's `±HH:MM` as minutes east of UTC, or undefined. */
function parseOffset(text: string | undefined): number | undefined {
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text?.trim() ?? "");
  if (!match) return undefined;
  const minutes = (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  return Math.abs(minutes) <= MAX_OFFSET_MINUTES ? minutes : undefined;
}

/**
 * How far the wall clock `time` (`YYYY:MM:DD HH:MM:SS`) is from the instant `ms`, in minutes
 * rounded to the quarter hour (zones are), when within ±14 hours; else (a clock set wrong) undefined.
 */
function wallClockOffset(ms: number, time: string | undefined): number | undefined {
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(time ?? "");
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  const wall = new Date(0);
  wall.setUTCFullYear(y, mo - 1, d);
  wall.setUTCHours(h, mi, s, 0);
  const minutes = Math.round((wall.getTime() - ms) / (15 * 60_000)) * 15 + 0; // + 0: no -0
  return Number.isFinite(minutes) && Math.abs(minutes) <= MAX_OFFSET_MINUTES ? minutes : undefined;
}
