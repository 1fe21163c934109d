/**
 * The EXIF of the generated JPEGs: the APP1 segment, and the text of its DateTimeOriginal and
 * OffsetTimeOriginal (and, when asked, a GPS position).
 *
 * @module
 */

import { enc, u16, u32 } from "./bytes.ts";
import { pad, parts } from "./dates.ts";

/**
 * A JPEG APP1 segment with a big-endian TIFF structure: IFD0 (Make, Model when given, the ExifIFD pointer and,
 * with `gps`, the GPS IFD pointer), an ExifIFD holding DateTimeOriginal and, when given, OffsetTimeOriginal,
 * and with `gps` a GPS IFD holding the position (degrees, minutes and hundredths of seconds, and hemispheres).
 */
export function exifSegment(
  exif: {
    dateTimeOriginal: string;
    offsetTimeOriginal?: string;
    make?: string;
    model?: string;
    gps?: { latitude: number; longitude: number };
  },
): Uint8Array {
  if (!/^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/.test(exif.dateTimeOriginal)) {
    throw new RangeError(`DateTimeOriginal must be "YYYY:MM:DD HH:MM:SS", got "${exif.dateTimeOriginal}"`);
  }
  /** A field: its tag, TIFF type (2 ASCII, 4 LONG, 5 RATIONAL), count and value bytes. */
  type Field = [tag: number, type: number, count: number, value: number[]];
  const ascii = (tag: number, text: string): Field => {
    const value = [...enc.encode(text), 0];
    return [tag, 2, value.length, value];
  };
  const ifd0: Field[] = [];
  if (exif.make) ifd0.push(ascii(0x010f, exif.make));
  if (exif.model) ifd0.push(ascii(0x0110, exif.model));
  const exifFields: Field[] = [ascii(0x9003, exif.dateTimeOriginal)];
  if (exif.offsetTimeOriginal) exifFields.push(ascii(0x9011, exif.offsetTimeOriginal));
  const gpsFields: Field[] = [];
  if (exif.gps) {
    const dms = (degrees: number) => {
      const abs = Math.abs(degrees);
      const d = Math.floor(abs);
      const m = Math.floor((abs - d) * 60);
      const hundredths = Math.round(((abs - d) * 60 - m) * 6000);
      return [...u32(d), ...u32(1), ...u32(m), ...u32(1), ...u32(hundredths), ...u32(100)];
    };
    const { latitude, longitude } = exif.gps;
    gpsFields.push(
      ascii(0x0001, latitude < 0 ? "S" : "N"),
      [0x0002, 5, 3, dms(latitude)],
      ascii(0x0003, longitude < 0 ? "W" : "E"),
      [0x0004, 5, 3, dms(longitude)],
    );
  }
  const ifdSize = (n: number) => 2 + 12 * n + 4;
  const ifd0At = 8;
  const ifd0Count = ifd0.length + 1 + (exif.gps ? 1 : 0);
  const exifAt = ifd0At + ifdSize(ifd0Count);
  const gpsAt = exifAt + ifdSize(exifFields.length);
  let dataAt = gpsAt + (exif.gps ? ifdSize(gpsFields.length) : 0);
  const data: number[] = [];
  const entries = (fields: Field[]) =>
    fields.flatMap(([tag, type, count, value]) => {
      let field: number[];
      if (value.length <= 4) field = [...value, 0, 0, 0, 0].slice(0, 4);
      else {
        field = u32(dataAt);
        data.push(...value);
        dataAt += value.length;
        if (value.length % 2) (data.push(0), dataAt++);
      }
      return [...u16(tag), ...u16(type), ...u32(count), ...field];
    });
  const ifd0Bytes = [
    ...u16(ifd0Count),
    ...entries(ifd0),
    ...[0x87, 0x69, 0, 4, 0, 0, 0, 1],
    ...u32(exifAt),
    ...(exif.gps ? [0x88, 0x25, 0, 4, 0, 0, 0, 1, ...u32(gpsAt)] : []),
    0,
    0,
    0,
    0,
  ];
  const exifBytes = [...u16(exifFields.length), ...entries(exifFields), 0, 0, 0, 0];
  const gpsBytes = exif.gps ? [...u16(gpsFields.length), ...entries(gpsFields), 0, 0, 0, 0] : [];
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, ...u32(ifd0At), ...ifd0Bytes, ...exifBytes, ...gpsBytes, ...data];
  const payload = [...enc.encode("Exif\0\0"), ...tiff];
  return Uint8Array.from([0xff, 0xe1, ...u16(payload.length + 2), ...payload]);
}

/** DateTimeOriginal's `YYYY:MM:DD HH:MM:SS` of a wall-clock time read as UTC. */
export function exifDate(wallMs: number): string {
  const p = parts(wallMs);
  return `${p.y}:${p.mo}:${p.d} ${p.h}:${p.mi}:${p.s}`;
}

/** OffsetTimeOriginal's `+HH:MM` of a zone `tzMinutes` east of UTC. */
export function offsetText(tzMinutes: number): string {
  const abs = Math.abs(tzMinutes);
  return `${tzMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
