/**
 * Capture dates written into file names by cameras and apps: the last resort for an item's
 * date, after the sidecar's `photoTakenTime` and EXIF. Names carry wall-clock time without
 * a zone, so the fields are read as local time where the import runs (the zone the phone
 * most likely was in, and the one a user browsing the backup sees). The wall clock itself
 * ({@link wallClockOfName}) is the capture's local time: a folder of local days files the item
 * under the name's own day whatever zone the import runs in.
 * @module
 */

import namePatterns from "./name_date_patterns.json" with { type: "json" };

/**
 * The ways names write a date, tried in order; the first that yields a real date wins. They
 * are data, in `name_date_patterns.json`, each with the names it was written for and the
 * wall-clock time each stands for (checked by the tests). Named groups y, mo, d and
 * optionally h, mi, s, ms. Digits may not touch a match on either side, so parts of longer
 * numbers are never read as dates.
 */
const PATTERNS: RegExp[] = namePatterns.map(({ pattern }) => new RegExp(`(?<!\\d)${pattern}(?!\\d)`, "g"));

/** Years a name's date may have; others are taken for some other number. */
const FIRST_YEAR = 1900;
const LAST_YEAR = 2100;

/**
 * The capture time a file name gives, in epoch milliseconds, or undefined when it has
 * none. The fields are wall-clock time: by default in this process's time zone (as
 * `new Date(y, m - 1, d, h, min, s, ms)` reads them, so `TZ` applies); or in the zone
 * `timeZoneOffsetMinutes` describes: called with the fields read as if they were UTC, it
 * returns that zone's offset east of UTC in minutes at that time (120 for CEST, -300 for
 * EST; note the sign is the opposite of `Date.prototype.getTimezoneOffset`).
 *
 * Names with a day but no time (WhatsApp) give local noon of that day: midnight would put
 * such an item on the day before in a folder of UTC days when the zone is east of UTC; noon
 * keeps the UTC day for every zone within ±12 hours (a folder of local days keeps the name's
 * day in every zone: see {@link wallClockOfName}).
 *
 * Impossible dates (month 13, 30 February, hour 24) and years outside 1900–2100 are no date.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.strictEqual(dateFromName("IMG_20190405_101112.jpg"), new Date(2019, 3, 5, 10, 11, 12).getTime());
 * assert.strictEqual(dateFromName("IMG_20190405_101112.jpg", () => 120), Date.UTC(2019, 3, 5, 8, 11, 12));
 * assert.strictEqual(dateFromName("IMG_20191305_101112.jpg"), undefined);
 * ```
 */
export function dateFromName(
  name: string,
  timeZoneOffsetMinutes?: (localMs: number) => number,
): number | undefined {
  const fields = firstWallClock(name);
  if (!fields) return undefined;
  if (!timeZoneOffsetMinutes) {
    return new Date(fields.y, fields.mo - 1, fields.d, fields.h, fields.mi, fields.s, fields.ms).getTime();
  }
  return fields.utcMs - timeZoneOffsetMinutes(fields.utcMs) * 60_000;
}

/**
 * The wall clock a file name gives (the same fields {@link dateFromName} reads, noon for a day
 * without a time) read as if it were UTC, in epoch milliseconds, or undefined when it has none.
 * Its difference from the instant {@link dateFromName} gives is the offset of the zone the name
 * was read in at that instant: the capture's local time is the name's own wall clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.strictEqual(wallClockOfName("IMG_20230105_093000.jpg"), Date.UTC(2023, 0, 5, 9, 30));
 * assert.strictEqual(wallClockOfName("IMG-20230105-WA0001.jpg"), Date.UTC(2023, 0, 5, 12));
 * assert.strictEqual(wallClockOfName("IMG_1234.jpg"), undefined);
 * ```
 */
export function wallClockOfName(name: string): number | undefined {
  return firstWallClock(name)?.utcMs;
}

/** The fields of the first pattern match in `name` that names a real moment. */
function firstWallClock(name: string): WallClock | undefined {
  for (const pattern of PATTERNS) {
    for (const match of name.matchAll(pattern)) {
      const fields = wallClock(match.groups!);
      if (fields) return fields;
    }
  }
  return undefined;
}

interface WallClock {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
  /** The fields read as UTC. */
  utcMs: number;
}

/** The matched fields as numbers, or undefined when they name no real moment. */
function wallClock(groups: Record<string, string | undefined>): WallClock | undefined {
  const [y, mo, d, h, mi, s, ms] = ["y", "mo", "d", "h", "mi", "s", "ms"].map((key) =>
    Number(groups[key] ?? 0)
  );
  // A day without a time (WhatsApp) means noon, so that its UTC day is the named one in any
  // zone within ±12 hours (midnight east of UTC falls on the UTC day before).
  if (groups.h === undefined) return wallClock({ ...groups, h: "12" });
  if (y < FIRST_YEAR || y > LAST_YEAR) return undefined;
  const utcMs = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(utcMs);
  const real = back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && back.getUTCHours() === h &&
    back.getUTCMinutes() === mi && back.getUTCSeconds() === s;
  return real ? { y, mo, d, h, mi, s, ms, utcMs } : undefined;
}
