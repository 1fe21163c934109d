/**
 * Archives written by hand for tests of hostile or odd input: a zip or tgz holding exactly the entries given,
 * names as they are (`../`, control characters), with the times given.
 *
 * @module
 */

import { ZipWriter } from "@zip.js/zip.js";
import tar from "tar-stream";

/** A zip of `entries` (name, bytes, entry time in ms; default 2024-01-01), names exactly as given. */
export async function writeZip(
  path: string,
  entries: [string, Uint8Array, number?][],
  options: { level?: number } = {},
): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const zip = new ZipWriter(file.writable, { level: options.level ?? 6 });
  for (const [name, bytes, mtimeMs] of entries) {
    await zip.add(name, ReadableStream.from([bytes]), {
      lastModDate: new Date(mtimeMs ?? Date.UTC(2024, 0, 1)),
    });
  }
  await zip.close();
}

/** A tgz entry: its bytes, or a link (no bytes). */
export type TgzContent = Uint8Array | { type: "symlink" | "link"; linkname: string };

/** The bytes of an uncompressed tar of `entries` (name, content, entry time in ms; default 2024-01-01). */
export async function tarOf(entries: [string, TgzContent, number?][]): Promise<Uint8Array> {
  const pack = tar.pack();
  for (const [name, content, mtimeMs] of entries) {
    const mtime = new Date(mtimeMs ?? Date.UTC(2024, 0, 1));
    if (content instanceof Uint8Array) pack.entry({ name, mtime }, content);
    else pack.entry({ name, mtime, ...content });
  }
  pack.finalize();
  return await new Response(ReadableStream.from(pack as AsyncIterable<Uint8Array>)).bytes();
}

/**
 * Write `seconds` as a base-256 mtime (as GNU tar writes times octal cannot hold) into the tar header at
 * `offset` of `tarBytes` (from {@link tarOf}), and its checksum again: an entry time no date can hold.
 */
export function base256Mtime(tarBytes: Uint8Array, offset: number, seconds: bigint): void {
  const header = tarBytes.subarray(offset, offset + 512);
  const field = [0x80];
  for (let shift = 80n; shift >= 0n; shift -= 8n) field.push(Number((seconds >> shift) & 0xffn));
  header.set(field, 136);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
}

/** `tarBytes` gzipped into the file `path`. */
export async function writeGzip(path: string, tarBytes: Uint8Array): Promise<void> {
  const gzip = new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  await Deno.writeFile(path, ReadableStream.from([tarBytes]).pipeThrough(gzip));
}

/** A tgz of `entries`, names exactly as given; an entry with a `linkname` is a link (no bytes). */
export async function writeTgz(path: string, entries: [string, TgzContent, number?][]): Promise<void> {
  await writeGzip(path, await tarOf(entries));
}

/**
 * Make the directory of the zip at `path` (from {@link writeZip}) lie about its entry `name`: say that it is
 * `size` bytes uncompressed, whatever it inflates to, or that its local header is at `offset` (another
 * entry's: overlapping entries). Its CRC-32 is left as it is.
 */
export async function editDirectoryEntry(
  path: string,
  name: string,
  { size, offset }: { size?: number; offset?: number },
): Promise<void> {
  const zip = await Deno.readFile(path);
  const view = new DataView(zip.buffer);
  const wanted = new TextEncoder().encode(name);
  for (let at = zip.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    const found = zip.subarray(at + 46, at + 46 + nameLength);
    if (found.length === wanted.length && found.every((byte, i) => byte === wanted[i])) {
      if (size !== undefined) view.setUint32(at + 24, size, true);
      if (offset !== undefined) view.setUint32(at + 42, offset, true);
      await Deno.writeFile(path, zip);
      return;
    }
  }
  throw new Error(`${path}: no entry ${name} in the directory`);
}
