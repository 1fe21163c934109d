import assert from "node:assert/strict";
import exifr from "exifr";
import { dateOfExif, readExif } from "./exif_date.ts";

/** A little-endian TIFF header whose Exif IFD holds `DateTimeOriginal` (as exifr reads a JPEG's APP1). */
function tiffWithDate(dateTimeOriginal: string): Uint8Array {
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49]); // "II": little-endian.
  view.setUint16(2, 42, true);
  view.setUint32(4, 8, true); // IFD0
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, count, true);
    view.setUint32(at + 8, value, true);
  };
  view.setUint16(8, 1, true);
  entry(10, 0x8769, 4, 1, 26); // ExifIFD pointer (LONG)
  view.setUint16(26, 1, true);
  entry(28, 0x9003, 2, 20, 44); // DateTimeOriginal (ASCII, 19 characters and NUL)
  bytes.set(new TextEncoder().encode(dateTimeOriginal), 44);
  return bytes;
}

Deno.test("readExif gives exifr one options object for every file: exifr keeps each object it is given, for good", async () => {
  const { Options } = exifr as unknown as { Options: { useCached(options: unknown): unknown } };
  const cached = Options.useCached;
  const given = new Set<unknown>();
  Options.useCached = function (options: unknown) {
    given.add(options);
    return cached.call(this, options);
  };
  try {
    for (const day of [1, 2, 3]) {
      assert.equal(
        dateOfExif(await readExif(tiffWithDate(`2019:04:0${day} 10:11:12`))),
        new Date(2019, 3, day, 10, 11, 12).getTime(),
      );
    }
  } finally {
    Options.useCached = cached;
  }
  assert.equal(given.size, 1);
});
