/**
 * Time helpers of the generator: the length of a day and a year, the wall-clock parts of a time read as UTC,
 * parsing wall-clock text as UTC, and rounding to the whole even seconds that zip's DOS time holds.
 *
 * @module
 */

export const DAY_MS = 86_400_000;
export const YEAR_MS = 365.25 * DAY_MS;

export const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Wall-clock parts of an epoch-ms time read as UTC. */
export function parts(ms: number) {
  const d = new Date(ms);
  return {
    y: d.getUTCFullYear(),
    mo: pad(d.getUTCMonth() + 1),
    d: pad(d.getUTCDate()),
    h: pad(d.getUTCHours()),
    mi: pad(d.getUTCMinutes()),
    s: pad(d.getUTCSeconds()),
    ms: pad(d.getUTCMilliseconds(), 3),
  };
}

/** Parses `YYYY-MM-DD HH:MM:SS[.mmm]` as UTC. */
export function utc(text: string): number {
  const ms = Date.parse(`${text.replace(" ", "T")}Z`);
  if (Number.isNaN(ms)) throw new RangeError(`Bad date "${text}"`);
  return ms;
}

/** `ms` rounded down to whole even seconds, which zip's DOS time holds exactly. */
export function evenSeconds(ms: number): number {
  return Math.floor(ms / 2000) * 2000;
}
