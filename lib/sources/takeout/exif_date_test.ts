import assert from "node:assert/strict";
import exifr from "exifr";
import exifrLite from "exifr/lite";
import { dateOfExif, exifDateTime, readExif } from "./exif_date.ts";

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

/** A JPEG whose APP1 segment holds {@link tiffWithDate}'s TIFF structure. */
function jpegWithDate(dateTimeOriginal: string): Uint8Array {
  const tiff = tiffWithDate(dateTimeOriginal);
  const length = 2 + 6 + tiff.length;
  return new Uint8Array([
    ...[0xff, 0xd8, 0xff, 0xe1, length >> 8, length & 0xff],
    ...new TextEncoder().encode("Exif\0\0"),
    ...tiff,
    ...[0xff, 0xd9],
  ]);
}

Deno.test("readExif gives exifr one options object for every file: exifr keeps each object it is given, for good", async () => {
  // A JPEG is read by exifr's lite build, a TIFF (a raw photo) by its full build: each keeps what it is given.
  const builds = [exifr, exifrLite].map((build) => {
    const { Options } = build as unknown as { Options: { useCached(options: unknown): unknown } };
    return { Options, cached: Options.useCached };
  });
  const given = new Map<unknown, Set<unknown>>(builds.map(({ Options }) => [Options, new Set()]));
  for (const { Options, cached } of builds) {
    Options.useCached = function (options: unknown) {
      given.get(Options)!.add(options);
      return cached.call(this, options);
    };
  }
  try {
    for (const day of [1, 2, 3]) {
      const expected = new Date(2019, 3, day, 10, 11, 12).getTime();
      assert.equal(dateOfExif(await readExif(tiffWithDate(`2019:04:0${day} 10:11:12`))), expected);
      assert.equal(dateOfExif(await readExif(jpegWithDate(`2019:04:0${day} 10:11:12`))), expected);
    }
  } finally {
    for (const { Options, cached } of builds) Options.useCached = cached;
  }
  assert.deepEqual([...given.values()].map((objects) => objects.size), [1, 1]);
  assert.equal(new Set([...given.values()].flatMap((objects) => [...objects])).size, 1);
});

Deno.test("exifDateTime: any real day of 0001 to 9999, with or without an offset; a leap second stays on its day", () => {
  const cases: [string, string | undefined, number][] = [
    ["1750:06:15 10:00:00", "+00:00", Date.UTC(1750, 5, 15, 10)],
    ["1850:05:04 03:02:01", "-05:00", Date.UTC(1850, 4, 4, 8, 2, 1)],
    ["0050:01:02 03:04:05", "+00:00", Date.parse("0050-01-02T03:04:05Z")],
    ["9999:12:31 23:59:59", "+00:00", Date.UTC(9999, 11, 31, 23, 59, 59)],
    ["2016:12:31 23:59:60", "+00:00", Date.UTC(2016, 11, 31, 23, 59, 59)],
  ];
  for (const [time, offset, ms] of cases) assert.equal(exifDateTime(time, offset), ms, time);
  // Without an offset: the importing machine's wall clock, in any year.
  const local = new Date(1750, 5, 15, 10);
  assert.equal(exifDateTime("1750:06:15 10:00:00", undefined), local.getTime());
  const early = new Date(50, 0, 2, 3, 4, 5);
  early.setFullYear(50, 0, 2);
  assert.equal(exifDateTime("0050:01:02 03:04:05", undefined), early.getTime());
  for (
    const time of ["0000:00:00 00:00:00", "2019:02:30 10:11:12", "2019:13:01 10:11:12", "2019:00:01 10:11:12"]
  ) {
    assert.equal(exifDateTime(time, "+00:00"), undefined, time);
  }
  // Year 0000 in UTC is no capture time.
  assert.equal(exifDateTime("0001:01:01 00:30:00", "+01:00"), undefined);
});
