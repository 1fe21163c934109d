/**
 * The local time of a Library or Picker download, from its own bytes: the APIs give only the UTC
 * instant (`creationTime`), so in a folder of local days `transferPending()` asks this of each staged
 * file before placing it (`TransferOptions.localTimeOf`). The rules are `core/local_time.ts`'s, for a
 * time that came from the API (not from the EXIF): `OffsetTimeOriginal`; else the zone of the EXIF
 * GPS position at that instant; else `DateTimeOriginal` as the local wall clock when it agrees with
 * the instant (`wallClockAgrees`); else none (the UTC day).
 *
 * Only the head of the file is read ({@link EXIF_HEAD_BYTES}); exifr and the zone outlines are
 * loaded at the first file asked about, so that a run in a folder of UTC days never loads them.
 * Videos are not read (exifr reads no video container): their UTC day.
 * @module
 */
import {
  EXIF_HEAD_BYTES,
  EXIF_READ_OPTIONS,
  exifBuild,
  exifFactsOf,
  type LocalTime,
  localTime,
  wallClockAgrees,
  type ZoneLookup,
} from "./core/local_time.ts";
import { readAt } from "./core/read_at.ts";

/** The zone lookup, loaded at the first file with a GPS position and no offset. */
let zoneLookup: Promise<ZoneLookup> | undefined;
const zones = () => zoneLookup ??= import("@photostructure/tz-lookup").then((module) => module.default);

/**
 * The local time of the download staged at `file`, of an item captured at `row.createdMs` (the
 * API's instant), or undefined when its bytes tell none (no EXIF, a video, an unreadable header).
 */
export async function downloadLocalTime(
  file: string,
  row: { createdMs: number; isVideo: boolean },
): Promise<LocalTime | undefined> {
  if (row.isVideo) return undefined;
  let tags: Record<string, unknown> | undefined;
  try {
    const head = readHead(file);
    // Loaded at the first file read (the runtime keeps the module).
    const { default: exifr } = exifBuild(head) === "lite"
      ? await import("exifr/lite")
      : await import("exifr");
    tags = await exifr.parse(head, EXIF_READ_OPTIONS);
  } catch {
    // Not an image exifr knows, or a damaged header: the UTC day. (A file that cannot be read
    // fails where it is placed, with that step's error.)
    return undefined;
  }
  const exif = exifFactsOf(tags);
  // A wall clock that does not agree with the API's instant says nothing of the zone.
  if (exif.time !== undefined && !wallClockAgrees(row.createdMs, exif.time)) delete exif.time;
  return await localTime(row.createdMs, exif, undefined, { zones });
}

/** The first {@link EXIF_HEAD_BYTES} of `file` (fewer when it is shorter). */
function readHead(file: string): Uint8Array {
  using handle = Deno.openSync(file, { read: true });
  return readAt(handle, 0, EXIF_HEAD_BYTES);
}
