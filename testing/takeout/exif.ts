/**
 * The EXIF of the generated JPEGs: the APP1 segment, and the text of its DateTimeOriginal and
 * OffsetTimeOriginal.
 *
 * @module
 */

import { enc, u16, u32 } from "./bytes.ts";
import { pad, parts } from "./dates.ts";

/**
 * A JPEG APP1 segment with a big-endian TIFF structure: IFD0 (Make, Model when given, and the ExifIFD pointer)
 * and an ExifIFD holding DateTimeOriginal and, when given, OffsetTimeOriginal.
 */
export function exifSegment(
  exif: { dateTimeOriginal: string; offsetTimeOriginal?: string; make?: string; model?: string },
): Uint8Array {
  if (!/^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/.test(exif.dateTimeOriginal)) {
    throw new RangeError(`DateTimeOriginal must be "YYYY:MM:DD HH:MM:SS", got "${exif.dateTimeOriginal}"`);
  }
  type Tag = [tag: number, text: string];
  const ifd0: Tag[] = [];
  if (exif.make) ifd0.push([0x010f, exif.make]);
  if (exif.model) ifd0.push([0x0110, exif.model]);
  const exifTags: Tag[] = [[0x9003, exif.dateTimeOriginal]];
  if (exif.offsetTimeOriginal) exifTags.push([0x9011, exif.offsetTimeOriginal]);
  const ifdSize = (n: number) => 2 + 12 * n + 4;
  const ifd0At = 8;
  const exifAt = ifd0At + ifdSize(ifd0.length + 1);
  let dataAt = exifAt + ifdSize(exifTags.length);
  const data: number[] = [];
  const entries = (tags: Tag[]) =>
    tags.flatMap(([tag, text]) => {
      const value = [...enc.encode(text), 0];
      let field: number[];
      if (value.length <= 4) field = [...value, 0, 0, 0, 0].slice(0, 4);
      else {
        field = u32(dataAt);
        data.push(...value);
        dataAt += value.length;
        if (value.length % 2) (data.push(0), dataAt++);
      }
      return [...u16(tag), ...u16(2), ...u32(value.length), ...field];
    });
  const ifd0Bytes = [
    ...u16(ifd0.length + 1),
    ...entries(ifd0),
    ...[0x87, 0x69, 0, 4, 0, 0, 0, 1],
    ...u32(exifAt),
    0,
    0,
    0,
    0,
  ];
  const exifBytes = [...u16(exifTags.length), ...entries(exifTags), 0, 0, 0, 0];
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, ...u32(ifd0At), ...ifd0Bytes, ...exifBytes, ...data];
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
