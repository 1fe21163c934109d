/**
 * A zip entry decoded from its stored bytes (`StoredEntry`: its local header and data, as a remote
 * zip's are fetched) with what the zip's directory says of it: the local header is stepped over, the
 * data inflated (natively, in pieces, as for a local zip) and its CRC-32 checked. What a stage worker
 * runs for an entry whose bytes the main thread fetched, so that the main thread only moves them.
 * @module
 */
import { ArchiveError, type StoredEntry } from "./entry.ts";
import { readAt } from "../../core/read_at.ts";
import { checkedCrc, checkedSize, InflateInPieces, MAX_PIECE } from "./inflate.ts";

/** A local file header's signature (`PK\x03\x04`), little-endian, and its fixed part's length. */
const LOCAL_HEADER = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;

/**
 * The uncompressed bytes of the entry `path` stored as `entry`, streamed; the stream errors with an
 * {@link ArchiveError} when the entry is encrypted, compressed by a method other than deflate, its
 * local header is not one, its bytes end before its data does, they inflate to more or fewer bytes
 * than its size (no more than that size is ever passed on), or they do not match its CRC-32;
 * with `entry.bytes`' own error when that breaks. The bytes past the data (a data descriptor, or
 * whatever the stream holds after it) are not read: `entry.bytes` is cancelled once the data is in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeStored } from "./stored_entry.ts";
 * const data = new TextEncoder().encode("hello");
 * const header = new Uint8Array(30);
 * new DataView(header.buffer).setUint32(0, 0x04034b50, true);
 * const bytes = new Blob([header, data]).stream();
 * const entry = { method: 0, encrypted: false, compressedSize: 5, crc32: 0x3610a686, size: 5, bytes };
 * assert.equal(await new Response(decodeStored("hello.txt", entry)).text(), "hello");
 * ```
 */
export function decodeStored(path: string, entry: StoredEntry): ReadableStream<Uint8Array> {
  const refused = entry.encrypted
    ? "it is encrypted"
    : entry.method !== 0 && entry.method !== 8
    ? `its compression method (${entry.method}) is not deflate`
    : undefined;
  if (refused) {
    entry.bytes.cancel().catch(() => {});
    return errored(new ArchiveError(`${path}: cannot be read: ${refused}`));
  }
  const data = dataOf(path, entry);
  const plain = entry.method === 8 ? data.pipeThrough(new InflateInPieces("deflate-raw", path)) : data;
  return plain.pipeThrough(checkedSize(path, entry.size)).pipeThrough(checkedCrc(path, entry.crc32));
}

/** The `compressedSize` bytes of `entry` after its local header. */
function dataOf(path: string, entry: StoredEntry): ReadableStream<Uint8Array> {
  const reader = entry.bytes.getReader();
  /** Bytes of the local header still to step over (known once its fixed part is read). */
  let skip: number | undefined;
  let header: Uint8Array = new Uint8Array(0);
  let left = entry.compressedSize;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        if (left === 0 && skip === 0) {
          controller.close();
          await reader.cancel().catch(() => {});
          return;
        }
        const { value, done } = await reader.read();
        if (done) throw new ArchiveError(`${path}: the archive ends inside this entry (it is damaged)`);
        let chunk = value;
        if (skip === undefined) {
          header = concat(header, chunk);
          if (header.length < LOCAL_HEADER_BYTES) continue;
          const view = new DataView(header.buffer, header.byteOffset, header.length);
          if (view.getUint32(0, true) !== LOCAL_HEADER) {
            throw new ArchiveError(`${path}: no entry starts where the zip's directory says (it is damaged)`);
          }
          skip = LOCAL_HEADER_BYTES + view.getUint16(26, true) + view.getUint16(28, true);
          chunk = header;
          header = new Uint8Array(0);
        }
        const stepped = Math.min(skip, chunk.length);
        skip -= stepped;
        chunk = chunk.subarray(stepped, stepped + left);
        if (chunk.length === 0) continue;
        left -= chunk.length;
        controller.enqueue(chunk);
        return;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function errored(error: Error): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.error(error);
    },
  });
}

/**
 * Stored bytes read at once by {@link openZipEntry}: at most a piece the inflater takes at once.
 * Reads of 256 KB held up to 80 MB of inflated output of a highly compressible entry at a time (a
 * gigabyte of zeros took the import to 274 MB, against 167 MB so).
 */
const STORED_READ_BYTES = MAX_PIECE;

/**
 * The bytes of the entry `name` of the local zip at `path`, read from its local header at `offset`
 * (which the directory gives: `ArchiveEntry.offset`), `compressedSize` bytes as stored, `size` once
 * inflated (`ArchiveEntry.size`: no more is read, see {@link decodeStored}), decoded as
 * {@link decodeStored} decodes a remote entry's. A stage worker reads entries so, without the zip's
 * directory: zip.js keeps all of it, and every name it read, for as long as a listing is open (about
 * 200 bytes an entry, for the whole import). Throws an {@link ArchiveError} for a damaged local header;
 * the stream fails with one for damaged bytes.
 */
export function openZipEntry(
  path: string,
  name: string,
  { offset, compressedSize, crc32, size }: {
    offset: number;
    compressedSize: number;
    crc32?: number;
    size: number;
  },
): ReadableStream<Uint8Array> {
  const file = Deno.openSync(path);
  try {
    // The method and the encryption flag are the local header's (the catalog keeps neither).
    const header = readAt(file, offset, LOCAL_HEADER_BYTES);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (header.length < LOCAL_HEADER_BYTES || view.getUint32(0, true) !== LOCAL_HEADER) {
      throw new ArchiveError(`${name}: no entry starts where the zip's directory says (it is damaged)`);
    }
    const length = LOCAL_HEADER_BYTES + view.getUint16(26, true) + view.getUint16(28, true) + compressedSize;
    return decodeStored(name, {
      method: view.getUint16(8, true),
      encrypted: (view.getUint16(6, true) & 1) === 1,
      compressedSize,
      crc32: crc32 as number,
      size,
      bytes: fileSpan(file, name, offset, length),
    });
  } catch (error) {
    file.close();
    throw error;
  }
}

/** `length` bytes of `file` from `offset`, in pieces; the file is closed at the end or when cancelled. */
function fileSpan(
  file: Deno.FsFile,
  name: string,
  offset: number,
  length: number,
): ReadableStream<Uint8Array> {
  let left = length;
  let open = true;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  let first = true;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      try {
        if (left === 0) {
          close();
          return controller.close();
        }
        const chunk = readAt(file, first ? offset : undefined, Math.min(STORED_READ_BYTES, left));
        first = false;
        if (chunk.length === 0) {
          throw new ArchiveError(`${name}: the zip ends inside the entry (it is cut short)`);
        }
        left -= chunk.length;
        controller.enqueue(chunk);
      } catch (error) {
        close();
        throw error;
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
}
