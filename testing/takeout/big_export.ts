/**
 * A large export for the benchmark: Pixel-style JPEGs whose bytes are generated only while they are read, so
 * that a gigabyte export never sits in memory.
 *
 * @module
 */

import { hash, mulberry32 } from "../library_fixture.ts";
import { contentOf, lazyContent, render } from "./content.ts";
import { DAY_MS, evenSeconds, pad, parts } from "./dates.ts";
import { ANDROID, type Draft, TIMEZONES } from "./draft.ts";
import { exifDate, exifSegment, offsetText } from "./exif.ts";
import { otherExtras, photoId } from "./export.ts";
import { googleJson, sidecarJson } from "./google_json.ts";
import type { TakeoutExport, TakeoutFile, TakeoutLanguage } from "./model.ts";
import { sidecarName, takeoutNames } from "./names.ts";

/** Options of {@linkcode bigExport}. */
export interface BigExportOptions {
  /** About how many media bytes; default 1,000,000,000. */
  totalBytes?: number;
  /** Mean media file size; sizes vary ±20 %; default 2,500,000. */
  fileBytes?: number;
  /** Default 1. */
  seed?: number;
  /** Default "en". */
  language?: TakeoutLanguage;
  /** Default `2025-11-10T10:10:10Z`. */
  exportedAt?: string;
}

/**
 * A large export for benchmarks: Pixel-style JPEGs with EXIF and incompressible content (like real JPEGs), each
 * with a new-style sidecar, spread over 2015 to the export. The bytes are generated only while they are read
 * ({@linkcode fileStream}, {@linkcode writeArchives}); `file.bytes` renders a file anew on each read. Write it with
 * e.g. `writeArchives(bigExport(), dir, { format: "zip", parts: 4 })`.
 */
export function bigExport(options: BigExportOptions = {}): TakeoutExport {
  const {
    totalBytes = 1_000_000_000,
    fileBytes = 2_500_000,
    seed = 1,
    language = "en",
    exportedAt = "2025-11-10T10:10:10Z",
  } = options;
  if (!(fileBytes >= 1000) || !(totalBytes >= fileBytes)) {
    throw new RangeError(`Need 1000 <= fileBytes <= totalBytes, got ${fileBytes} and ${totalBytes}`);
  }
  const names = takeoutNames(language);
  const root = `Takeout/${names.root}`;
  const exportedMs = evenSeconds(Date.parse(exportedAt));
  const random = mulberry32(seed);
  const count = Math.max(1, Math.round(totalBytes / fileBytes));
  const start = Date.UTC(2015, 0, 1);
  const slot = (exportedMs - DAY_MS - start) / count;
  const files: TakeoutFile[] = [];
  let remaining = totalBytes;
  for (let i = 0; i < count; i++) {
    const takenMs = Math.floor((start + (i + random()) * slot) / 1000) * 1000;
    const tz = TIMEZONES[i % TIMEZONES.length];
    const u = parts(takenMs);
    const title = `PXL_${u.y}${u.mo}${u.d}_${u.h}${u.mi}${u.s}${pad(i % 1000, 3)}.jpg`;
    const size = i === count - 1
      ? Math.max(1000, remaining)
      : Math.max(1000, Math.round(fileBytes * (0.8 + 0.4 * random())));
    remaining -= size;
    const id = photoId(random);
    const exif = { dateTimeOriginal: exifDate(takenMs + tz * 60_000), offsetTimeOriginal: offsetText(tz) };
    const content = contentOf(
      "jpeg",
      hash(`${seed}:${id}`),
      size,
      exifSegment({ ...exif, make: "Google", model: "Pixel 7" }),
    );
    const folder = names.yearFolder(u.y);
    const draft: Draft = {
      title,
      kind: "jpeg",
      takenMs,
      tz,
      sidecar: "yes",
      origin: ANDROID,
      uploadMs: takenMs + 600_000,
      quirks: [],
      albums: [],
    };
    const file: TakeoutFile = {
      id,
      folder,
      name: title,
      path: `${root}/${folder}/${title}`,
      title,
      mimeType: "image/jpeg",
      size,
      get bytes() {
        return render(content);
      },
      mtimeMs: exportedMs + 2000 * i,
      sidecar: sidecarName(title, "new"),
      sidecarStyle: "new",
      sidecarText: googleJson(sidecarJson(draft, id, language)) + "\n",
      takenMs,
      uploadMs: draft.uploadMs,
      exif,
      exifMs: takenMs,
      nameMs: takenMs,
      captureMs: takenMs,
      dateSource: "sidecar",
      trashed: false,
      archived: false,
      favorited: false,
      albums: [],
      quirks: [],
    };
    lazyContent.set(file, content);
    files.push(file);
  }
  return {
    seed,
    language,
    root,
    exportedMs,
    files,
    albums: [],
    extras: otherExtras(root, exportedMs, language),
  };
}
