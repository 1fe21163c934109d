/**
 * A Takeout entry's local time: the rules of `core/local_time.ts` (EXIF offset, the place's zone,
 * the EXIF wall clock), with the zone lookup loaded on first use: only a folder of local days, or an
 * XMP sidecar's offset, needs it.
 * @module
 */
import {
  type ExifFacts,
  type LocalTime,
  localTime as localTimeBy,
  type Place,
  type ZoneLookup,
} from "../../core/local_time.ts";

/** The zone lookup, loaded on first use. */
let zoneLookup: Promise<ZoneLookup> | undefined;
const zones = () => zoneLookup ??= import("@photostructure/tz-lookup").then((module) => module.default);

/**
 * The local time of a capture at `ms` (epoch ms), by the rules of `core/local_time.ts`; `place`:
 * the sidecar's `geoData`. `exifDated`: `ms` was read from the EXIF wall clock itself.
 * `nameClockMs`: `ms` was read from a date in the file's name, whose wall clock (read as UTC) this is.
 */
export function localTime(
  ms: number,
  exif: ExifFacts,
  place: Place | undefined,
  exifDated = false,
  nameClockMs?: number,
): Promise<LocalTime | undefined> {
  return localTimeBy(ms, exif, place, { exifDated, nameClockMs, zones });
}
