/**
 * The bytes of the media files: the header and trailer of each format (JPEG with EXIF or JFIF, PNG, HEIC, MP4,
 * MOV) over deterministic filler, made at once or, for the files of a big export, streamed as they are read.
 *
 * @module
 */

import { type Content as FillerContent, contentStream, fill, overlay } from "../library_fixture.ts";
import { bytesOf, enc, u16, u32 } from "./bytes.ts";
import type { TakeoutFile } from "./model.ts";

/** The formats of the generated media files. */
export type ContentKind = "jpeg" | "png" | "heic" | "mp4" | "mov";

export const MIME: Record<ContentKind, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  heic: "image/heic",
  mp4: "video/mp4",
  mov: "video/quicktime",
};

/** Bytes made of xorshift32 filler words (little endian) from `seed`, with a header and a trailer over them. */
export type Content = FillerContent & { header: Uint8Array; trailer: Uint8Array };

const JFIF_APP0 = [0xff, 0xe0, 0x00, 0x10, ...enc.encode("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
/** A baseline SOF0 for a 4032×3024 three-component image, then the start of the scan. */
const JPEG_FRAME = [
  ...[0xff, 0xc0, 0x00, 0x11, 0x08, ...u16(3024), ...u16(4032), 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01],
  ...[0x03, 0x11, 0x01],
  ...[0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00],
];
const JPEG_END = Uint8Array.of(0xff, 0xd9);
const PNG_HEADER = bytesOf([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13], "IHDR", [
  ...u32(1080),
  ...u32(2400),
  8,
  2,
  0,
  0,
  0,
  0x5c,
  0x6d,
  0x4f,
  0x21,
]);
const PNG_END = bytesOf([0, 0, 0, 0], "IEND", [0xae, 0x42, 0x60, 0x82]);
const HEIC_HEADER = bytesOf([0, 0, 0, 0x18], "ftypheic", [0, 0, 0, 0], "mif1heic");
/** An `ftyp` box followed by the header of an `mdat` box running to the end of the file. */
const MP4_HEADER = bytesOf([0, 0, 0, 32], "ftypisom", [0, 0, 2, 0], "isomiso2avc1mp41", [0, 0, 0, 0], "mdat");
const MOV_HEADER = bytesOf([0, 0, 0, 20], "ftypqt  ", [0, 0, 2, 0], "qt  ", [0, 0, 0, 0], "mdat");

/** The content of a `kind` file of `size` bytes; a JPEG's APP1 segment is `exif`, when given. */
export function contentOf(kind: ContentKind, seed: number, size: number, exif?: Uint8Array): Content {
  switch (kind) {
    case "jpeg":
      return {
        seed,
        size,
        header: bytesOf([0xff, 0xd8], exif ?? JFIF_APP0, JPEG_FRAME),
        trailer: JPEG_END,
      };
    case "png":
      return { seed, size, header: PNG_HEADER, trailer: PNG_END };
    case "heic":
      return { seed, size, header: HEIC_HEADER, trailer: new Uint8Array() };
    case "mp4":
      return { seed, size, header: MP4_HEADER, trailer: new Uint8Array() };
    case "mov":
      return { seed, size, header: MOV_HEADER, trailer: new Uint8Array() };
  }
}

/** All the bytes of `content` at once. */
export function render(content: Content): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(content.size);
  fill(bytes, content.seed);
  overlay(bytes, 0, content);
  return bytes;
}

/** Contents of files whose bytes are generated on demand ({@linkcode bigExport}). */
export const lazyContent = new WeakMap<TakeoutFile, Content>();

/** The bytes of a file as a stream; for a {@linkcode bigExport} generated chunk by chunk as they are read. */
export function fileStream(file: TakeoutFile): ReadableStream<Uint8Array> {
  const content = lazyContent.get(file);
  if (content) return contentStream(content);
  const bytes = file.bytes;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
