/**
 * Inflating a zip entry's stored bytes with backpressure, and checking their CRC-32, both natively. Kept
 * apart from `zip.ts` (zip.js) so that a stage worker, which reads entries from their local headers, does
 * not load zip.js.
 * @module
 */
import { crc32 } from "node:zlib";
import { ArchiveError } from "./entry.ts";

/**
 * Compressed bytes handed to the native inflater at once: at least this many. The inflater answers
 * each write with all it inflates from it, up to 1,032 times as many bytes, so an entry that
 * compresses well (a gigabyte of zeros deflates to about a megabyte) is fed in pieces this small
 * (at most about a megabyte out each); see {@link InflateInPieces}.
 */
const MIN_PIECE = 1024;
/** ...and at most this many: one piece of a highly compressible stretch inflates to at most 66 MB. */
export const MAX_PIECE = 64 * 1024;
/** About the bytes a piece should inflate to. */
const OUTPUT_PIECE = 1 << 20;

/**
 * Raw deflate inflated by the native DecompressionStream, written to in pieces sized by how much
 * the last piece inflated to, each once the output of the one before was taken. zip.js's reads
 * are of 256 KB: passed on whole, one read of a highly compressible entry became 256 MB at once
 * and the import's memory passed 1.8 GB.
 *
 * Only "deflate-raw": zip.js inflates with "gzip" (to have the CRC checked natively) where it
 * can, but then queues all a read inflates to without waiting for it to be taken. Refused, it
 * inflates raw deflate, with backpressure, and checks the CRC itself.
 */
export class InflateInPieces implements ReadableWritablePair<Uint8Array, Uint8Array> {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;

  /**
   * `name`: the entry's, for the {@link ArchiveError} its bytes fail with when they do not inflate
   * (the inflater's own errors, "corrupt deflate stream" or "failed to write whole buffer" for bytes
   * past the stream's end, say nothing a user can act on). An error of the bytes' source is passed on.
   */
  constructor(format: CompressionFormat, name = "the entry") {
    if (format !== "deflate-raw") throw new TypeError(`${format}: only deflate-raw is inflated in pieces`);
    const inflater = new DecompressionStream(format) as ReadableWritablePair<Uint8Array, Uint8Array>;
    const writer = inflater.writable.getWriter();
    const reader = inflater.readable.getReader();
    let produced = 0;
    let piece = MIN_PIECE;
    /** Whether the bytes' source failed (its error reaches the reader as it is). */
    let sourceFailed = false;
    this.readable = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read().catch((error) => {
          if (sourceFailed || error instanceof ArchiveError) throw error;
          throw new ArchiveError(
            `${name}: its compressed bytes are damaged (they do not inflate); download this part of the export again`,
          );
        });
        if (done) controller.close();
        else {
          produced += value.length;
          controller.enqueue(value);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({
      async write(chunk) {
        for (let at = 0; at < chunk.length;) {
          const part = chunk.subarray(at, at + piece);
          const before = produced;
          await writer.write(part);
          // Resolved once the output of `part` was taken (the inflater holds one chunk at most).
          await writer.ready;
          at += part.length;
          const out = produced - before;
          // Grow by doubling at most (an output not counted yet must not grow it at once).
          const fitting = out > 0 ? Math.floor(part.length * OUTPUT_PIECE / out) : MAX_PIECE;
          piece = Math.max(MIN_PIECE, Math.min(MAX_PIECE, 2 * part.length, fitting));
        }
      },
      close: () => writer.close(),
      abort: (reason) => {
        sourceFailed = true;
        return writer.abort(reason);
      },
    });
  }
}

/**
 * A pass-through that fails, with an {@link ArchiveError}, as soon as more than `size` bytes (the
 * zip directory's uncompressed size) pass, before passing on the chunk that is too many; and at the
 * end when fewer did. A directory that understates an entry (120 bytes said, gigabytes inflated) is
 * damage: the entry must never be read, held or written past what the directory promised.
 */
export function checkedSize(name: string, size: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.length;
      if (seen > size) {
        throw new ArchiveError(
          `${name}: it inflates to more than the ${size} bytes the zip's directory says (the entry is damaged)`,
        );
      }
      controller.enqueue(chunk);
    },
    flush() {
      if (seen < size) {
        throw new ArchiveError(
          `${name}: it holds ${seen} bytes, not the ${size} the zip's directory says (the entry is damaged)`,
        );
      }
    },
  });
}

/**
 * A pass-through that computes the CRC-32 of what passes (natively, `node:zlib`'s `crc32`) and
 * fails at the end, with an {@link ArchiveError}, when it is not `expected` (the zip directory's;
 * zip.js types it as optional: a listed entry always has one).
 */
export function checkedCrc(
  name: string,
  expected: number | undefined,
): TransformStream<Uint8Array, Uint8Array> {
  let crc = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      crc = crc32(chunk, crc);
      controller.enqueue(chunk);
    },
    flush() {
      if (expected !== undefined && crc >>> 0 !== expected >>> 0) {
        throw new ArchiveError(`${name}: the bytes do not match their CRC-32 (the entry is damaged)`);
      }
    },
  });
}
