/**
 * A Takeout file's capture time: the first rule that gives a sane date (`captureMs` in
 * `core/dates.ts`: any day from 0001 to 9999) of the sidecar's `photoTakenTime`, EXIF, a date in the
 * file name and the archive entry's time (a narrower window: {@link entryTimeMs}); when none does, a
 * fixed fallback. A rule whose value is no date (a sidecar's `"1e20"`, an entry time of year 2242 or
 * 275760) is passed over and said so.
 * @module
 */
import { captureMs, FALLBACK_CAPTURE_MS, utcTime } from "../../core/dates.ts";
import type { ExifFacts, LocalTime } from "../../core/local_time.ts";
import { dateOfExif, readExif } from "./exif_date.ts";
import { localTime } from "./local_time.ts";
import { dateFromName, wallClockOfName } from "./name_dates.ts";
import type { SidecarData } from "./sidecar.ts";

/** Where a media file's capture time came from; `none`: no rule gave one (1970-01-01 UTC). */
export type DateSource = "sidecar" | "exif" | "name" | "file time" | "none";

/** A capture time, where it came from, and the rules passed over because their value was no date. */
export interface CaptureTime {
  ms: number;
  source: DateSource;
  /** E.g. `sidecar time "1e20" is no date`; empty when no rule was passed over. */
  skipped: string[];
  /** What the EXIF header said of the time and place (empty without one, or when not read). */
  exif: ExifFacts;
  /** The capture's offset from UTC where it was taken, when a rule of `local_time.ts` gives one. */
  local?: LocalTime;
}

/**
 * What the rules look at of a media file (a `MediaPlan` of `catalog.ts`, named by its shape:
 * the catalog's records import {@link DateSource} from here).
 */
export interface DatedMedia {
  name: string;
  entry: { mtimeMs: number };
  sidecar?: { data: SidecarData };
}

/**
 * The capture time of `media`, whose first bytes (for EXIF; empty: not read) are `head`, and its
 * local time.
 */
export async function captureTime(media: DatedMedia, head: Uint8Array): Promise<CaptureTime> {
  const exif = head.length > 0 ? await readExif(head) : {};
  const dated = datedBy(media, exif);
  if (dated.source === "none") return { ...dated, exif };
  const local = await localTime(
    dated.ms,
    exif,
    media.sidecar?.data.geo,
    dated.source === "exif" && exif.offset === undefined,
    dated.source === "name" ? wallClockOfName(media.name) : undefined,
  );
  return { ...dated, exif, ...(local ? { local } : {}) };
}

/** The first rule that dates `media`. */
function datedBy(media: DatedMedia, facts: ExifFacts): Omit<CaptureTime, "exif"> {
  const skipped: string[] = [];
  const data = media.sidecar?.data;
  if (data?.takenMs !== undefined) return { ms: data.takenMs, source: "sidecar", skipped };
  if (data?.invalidTakenTime !== undefined) {
    skipped.push(`sidecar time ${JSON.stringify(data.invalidTakenTime)} is no date`);
  }
  const exif = dateOfExif(facts);
  if (captureMs(exif) !== undefined) return { ms: exif!, source: "exif", skipped };
  if (exif !== undefined) skipped.push(`EXIF date ${describeMs(exif)} is no date`);
  const named = captureMs(dateFromName(media.name));
  if (named !== undefined) return { ms: named, source: "name", skipped };
  const entry = media.entry.mtimeMs;
  if (entryTimeMs(entry) !== undefined) return { ms: entry, source: "file time", skipped };
  skipped.push(`entry time ${describeMs(entry)} is no date`);
  return { ms: FALLBACK_CAPTURE_MS, source: "none", skipped };
}

/**
 * An archive entry's time when it can stand for a capture time: from 1800 up to (not including) 2200.
 * Not every day a photo's own date may have: the entry time is when some computer wrote the file, and
 * one out of this window is a placeholder (tar's largest octal time, year 2242), not a date.
 */
function entryTimeMs(ms: number): number | undefined {
  return captureMs(ms) !== undefined && ms >= utcTime(1800, 1, 1) && ms < utcTime(2200, 1, 1)
    ? ms
    : undefined;
}

/** An epoch-ms value for a message: an ISO time where one exists, else the number. */
function describeMs(ms: number): string {
  const date = new Date(ms);
  return Number.isFinite(date.getTime()) ? date.toISOString() : String(ms);
}
