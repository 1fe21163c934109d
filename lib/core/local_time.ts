/**
 * The capture's local time: its offset from UTC where the photo was taken, which makes the folder
 * of a folder filed by local days (`--folder-days=local`) and the offset of the XMP sidecar's
 * `exif:DateTimeOriginal`. Shared by every source: Takeout reads it from an entry's EXIF and its
 * sidecar, a Library or Picker download from its own EXIF once its bytes are staged. The first
 * rule that gives one:
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
 * So is a time read from a date in a Takeout file's name (`IMG_20230105_093000.jpg`): its wall
 * clock is the local time, before every other rule (`name local time`), so that its day is the
 * name's whatever zone the import ran in.
 *
 * Pure: what reads the bytes (exifr) and the zone outlines (tz-lookup) is the caller's, loaded only
 * when a folder of local days needs them (`lib/core` imports no package).
 * @module
 */
import { parseJsonObject } from "./json_object.ts";
import { LOCAL_OFFSET_KEY, MAX_OFFSET_MINUTES } from "./layout.ts";

/** Bytes of a file's start handed to the EXIF reader: EXIF lives in the header. */
export const EXIF_HEAD_BYTES = 256 * 1024;

/**
 * What the EXIF reader (exifr) reads: the dates and the GPS position only, picked block by block (exifr's
 * lite build, {@link exifBuild}, takes no list of tags for all blocks at once). One object for every call:
 * exifr keeps each options object it is given for good (a new one per file held about 9.5 KB per file it
 * read).
 */
export const EXIF_READ_OPTIONS = {
  ifd0: false,
  exif: ["DateTimeOriginal", "OffsetTimeOriginal", "CreateDate"],
  gps: ["GPSLatitude", "GPSLatitudeRef", "GPSLongitude", "GPSLongitudeRef"],
  reviveValues: false,
  ifd1: false,
  xmp: false,
};

/**
 * Which of exifr's builds reads the EXIF of a file whose first bytes are `head`: a JPEG, HEIC or AVIF (most
 * photos) its lite build; anything else (a TIFF-based raw photo: DNG, NEF, CR2; a PNG) its full build,
 * which loads `node:zlib` and its PNG, ICC and IPTC readers as it loads: 50 to 100 ms more before a run's
 * first photo is dated (BENCHMARKS.md, fifteenth session), paid by every import and download run that needs
 * no more than the lite build.
 *
 * @example Usage
 * ```ts
 * import { exifBuild } from "./local_time.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(exifBuild(new Uint8Array([0xff, 0xd8, 0xff, 0xe1])), "lite");
 * assert.equal(exifBuild(new TextEncoder().encode("\0\0\0\x18ftypheic")), "lite");
 * assert.equal(exifBuild(new Uint8Array([0x49, 0x49, 0x2a, 0x00])), "full");
 * ```
 */
export function exifBuild(head: Uint8Array): "lite" | "full" {
  const jpeg = head[0] === 0xff && head[1] === 0xd8;
  // HEIC and AVIF: an ISO base media file, its first box `ftyp`.
  const isoMedia = head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70;
  return jpeg || isoMedia ? "lite" : "full";
}

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

/**
 * The {@link ExifFacts} in the tags the EXIF reader gave for {@link EXIF_READ_OPTIONS} (undefined:
 * none).
 *
 * @example Usage
 * ```ts
 * import { exifFactsOf } from "./local_time.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   exifFactsOf({
 *     DateTimeOriginal: "2023:07:01 23:30:00 ",
 *     GPSLatitude: [34, 3, 7.92], GPSLatitudeRef: "N",
 *     GPSLongitude: [118, 14, 37.32], GPSLongitudeRef: "W",
 *   }),
 *   { time: "2023:07:01 23:30:00", latitude: 34.0522, longitude: -118.2437 },
 * );
 * // A camera without a fix writes 0/0: no place.
 * assert.deepEqual(exifFactsOf({ GPSLatitude: [0, 0, 0], GPSLongitude: [0, 0, 0] }), {});
 * ```
 */
export function exifFactsOf(tags: Record<string, unknown> | undefined): ExifFacts {
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
 * EXIF's GPS degrees, minutes, seconds (three numbers) and hemisphere as signed decimal degrees.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpsDegrees } from "./local_time.ts";
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

/** Which rule gave the local time. */
export type LocalRule = "exif offset" | "location" | "exif local time" | "name local time";

/** A capture's offset from UTC in minutes, and the rule that gave it. */
export interface LocalTime {
  offsetMinutes: number;
  rule: LocalRule;
}

/** The key of an item's JSON that names the rule of its {@link LOCAL_OFFSET_KEY}. */
export const LOCAL_RULE_KEY = "localRule";

/**
 * An item's JSON (`sync.db`'s `json`) with its local time recorded: the offset under
 * {@link LOCAL_OFFSET_KEY} (which `--folder-days=local` and the XMP sidecar read), its rule under
 * {@link LOCAL_RULE_KEY}. JSON that is no object is given back as it is.
 *
 * @example Usage
 * ```ts
 * import { withLocalTime } from "./local_time.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   withLocalTime('{"id":"AF1"}', { offsetMinutes: 540, rule: "exif offset" }),
 *   '{"id":"AF1","localOffsetMinutes":540,"localRule":"exif offset"}',
 * );
 * ```
 */
export function withLocalTime(json: string, local: LocalTime): string {
  const object = parseJsonObject(json);
  if (!object) return json;
  delete object[LOCAL_OFFSET_KEY];
  delete object[LOCAL_RULE_KEY];
  return JSON.stringify({ ...object, [LOCAL_OFFSET_KEY]: local.offsetMinutes, [LOCAL_RULE_KEY]: local.rule });
}

/**
 * A remote source's fresh JSON for an item whose recorded JSON (`known`) holds a local time read from
 * its downloaded bytes: the API never gives one, so the fresh JSON keeps it (else every index of the
 * item would count as a change and lose its offset). Fresh JSON that has one of its own is kept as it is.
 *
 * @example Usage
 * ```ts
 * import { keptLocalTime } from "./local_time.ts";
 * import assert from "node:assert/strict";
 *
 * const known = '{"id":"AF1","localOffsetMinutes":540,"localRule":"exif offset"}';
 * assert.equal(keptLocalTime(known, '{"id":"AF1"}'), known);
 * assert.equal(keptLocalTime('{"id":"AF1"}', '{"id":"AF1","n":2}'), '{"id":"AF1","n":2}');
 * ```
 */
export function keptLocalTime(known: string, fresh: string): string {
  // Most items have none: no parse for them.
  if (!known.includes(LOCAL_OFFSET_KEY) || fresh.includes(LOCAL_OFFSET_KEY)) return fresh;
  const recorded = parseJsonObject(known);
  const offset = recorded?.[LOCAL_OFFSET_KEY];
  const rule = recorded?.[LOCAL_RULE_KEY];
  if (typeof offset !== "number" || typeof rule !== "string") return fresh;
  return withLocalTime(fresh, { offsetMinutes: offset, rule: rule as LocalRule });
}

/** A place in decimal degrees. */
export interface Place {
  latitude: number;
  longitude: number;
}

/** The IANA zone of a place (tz-lookup's function); throws for coordinates out of range. */
export type ZoneLookup = (latitude: number, longitude: number) => string;

/** How {@link localTime} reads. */
export interface LocalTimeOptions {
  /** `ms` was read from the EXIF wall clock itself (rule 3 then comes first). */
  exifDated?: boolean;
  /**
   * `ms` was read from a date in the file's name: that name's wall clock read as if it were UTC
   * (epoch ms). The name's wall clock is the local time, whatever the EXIF or the place say.
   */
  nameClockMs?: number;
  /** The zone lookup, asked for only when a place is known (so that it can be loaded then). */
  zones: () => Promise<ZoneLookup>;
}

/** The local time of a capture at `ms` (epoch ms), by the rules of this module. */
export async function localTime(
  ms: number,
  exif: ExifFacts,
  place: Place | undefined,
  { exifDated = false, nameClockMs, zones }: LocalTimeOptions,
): Promise<LocalTime | undefined> {
  // The name was read in the importing machine's zone (`ms`): the difference is that zone's offset
  // at that instant, to the minute, so the local day is the name's own (an importer in Auckland, at
  // +13 in January, made `IMG_20230105_093000` 20:30 UTC on 4 January: its UTC day).
  if (nameClockMs !== undefined) {
    const minutes = Math.round((nameClockMs - ms) / 60_000) + 0; // + 0: no -0
    if (Math.abs(minutes) <= MAX_OFFSET_MINUTES) return { offsetMinutes: minutes, rule: "name local time" };
  }
  const offset = parseOffset(exif.offset);
  if (offset !== undefined) return { offsetMinutes: offset, rule: "exif offset" };
  const wall = wallClockOffset(ms, exif.time);
  if (exifDated && wall !== undefined) return { offsetMinutes: wall, rule: "exif local time" };
  const where = place ??
    (exif.latitude !== undefined && exif.longitude !== undefined
      ? { latitude: exif.latitude, longitude: exif.longitude }
      : undefined);
  if (where) {
    const zone = zoneAt(await zones(), where);
    const minutes = zone === undefined ? undefined : zoneOffset(zone, ms);
    if (minutes !== undefined) return { offsetMinutes: minutes, rule: "location" };
  }
  return wall === undefined ? undefined : { offsetMinutes: wall, rule: "exif local time" };
}

/** The IANA zone of a place, or undefined (no valid place, or a zone this runtime does not know). */
function zoneAt(lookup: ZoneLookup, place: Place): string | undefined {
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

/** The wall clock `time` (`YYYY:MM:DD HH:MM:SS`) read as if it were UTC, in epoch ms; undefined if no time. */
function wallClockMs(time: string | undefined): number | undefined {
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(time ?? "");
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  const wall = new Date(0);
  wall.setUTCFullYear(y, mo - 1, d);
  wall.setUTCHours(h, mi, s, 0);
  return Number.isFinite(wall.getTime()) ? wall.getTime() : undefined;
}

/**
 * How far the wall clock `time` (`YYYY:MM:DD HH:MM:SS`) is from the instant `ms`, in minutes
 * rounded to the quarter hour (zones are), when within ±14 hours; else (a clock set wrong) undefined.
 */
function wallClockOffset(ms: number, time: string | undefined): number | undefined {
  const wall = wallClockMs(time);
  if (wall === undefined) return undefined;
  const minutes = Math.round((wall - ms) / QUARTER_HOUR_MS) * 15 + 0; // + 0: no -0
  return Math.abs(minutes) <= MAX_OFFSET_MINUTES ? minutes : undefined;
}

const QUARTER_HOUR_MS = 15 * 60_000;
/** How far from a whole quarter hour a wall clock that agrees with an instant may be (seconds rounded, leap seconds). */
const WALL_CLOCK_SLACK_MS = 60_000;

/**
 * Whether the EXIF wall clock `time` tells the zone of the instant `ms` that a Library or Picker
 * item's `creationTime` gives: they differ by whole quarter hours (within a minute), at most ±14
 * hours. Google derives `creationTime` from `DateTimeOriginal` and the zone it settles on, so the
 * difference is that zone's offset; any other difference means the instant came from elsewhere (a
 * date changed in Google Photos, a camera clock set wrong), and the clock then says nothing of the
 * zone: the UTC day stays.
 *
 * @example Usage
 * ```ts
 * import { wallClockAgrees } from "./local_time.ts";
 * import assert from "node:assert/strict";
 *
 * const evening = Date.UTC(2023, 6, 2, 6, 30); // 23:30 on 1 July in Los Angeles
 * assert.equal(wallClockAgrees(evening, "2023:07:01 23:30:00"), true);
 * assert.equal(wallClockAgrees(evening, "2023:07:02 12:00:00"), true); // UTC+05:30
 * assert.equal(wallClockAgrees(evening, "2023:07:01 23:37:00"), false); // 7 minutes off any zone
 * assert.equal(wallClockAgrees(evening, "2023:07:04 06:30:00"), false); // two days off
 * assert.equal(wallClockAgrees(evening, "0000:00:00 00:00:00"), false);
 * ```
 */
export function wallClockAgrees(ms: number, time: string): boolean {
  const wall = wallClockMs(time);
  if (wall === undefined || wallClockOffset(ms, time) === undefined) return false;
  const off = (wall - ms) % QUARTER_HOUR_MS;
  return Math.min(Math.abs(off), QUARTER_HOUR_MS - Math.abs(off)) <= WALL_CLOCK_SLACK_MS;
}
