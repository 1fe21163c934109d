/**
 * Byte builders shared by the file formats' headers and the EXIF segment: UTF-8 text, concatenation and
 * big-endian integers.
 *
 * @module
 */

export const enc = new TextEncoder();

/** `parts` one after the other: byte lists, byte arrays and text (as UTF-8). */
export function bytesOf(...parts: (number[] | Uint8Array | string)[]): Uint8Array {
  const arrays = parts.map((p) =>
    typeof p === "string" ? enc.encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Big-endian bytes of a 16-bit and of a 32-bit unsigned integer. */
export const u16 = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
export const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
