/**
 * What reading an archive yields: its entries, and the error for an archive or entry that
 * cannot be read.
 * @module
 */

/** One file inside an archive or folder. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, as stored (hostile: may hold `..` or start with `/`). */
  path: string;
  /** Size in bytes (uncompressed). */
  size: number;
  /** Modification time stored for the entry, epoch ms. */
  mtimeMs: number;
  /** Position among the files of a zip (see `openZip` in `zip.ts`). */
  index?: number;
  /**
   * The CRC-32 of its bytes, as a zip's directory says: with the path and size, what tells an
   * entry imported from an earlier export (`records.ts`: content records) without reading it.
   */
  crc32?: number;
  /** A zip's: where its local header starts (a stage worker reads the entry from there, see `openZipEntry`). */
  offset?: number;
  /** A zip's: its size as stored (deflated), from the directory. */
  compressedSize?: number;
  /** A link (tgz): listed so that the report counts it, never followed or made. */
  link?: boolean;
  /**
   * The bytes, streamed. Call at most once, and read it to the end or cancel it. For a tgz, do
   * so before asking for the next entry; see `ArchiveSource.sequential`.
   */
  body(): ReadableStream<Uint8Array>;
  /**
   * Instead of {@link body} (call one of them, once): the entry's bytes as the zip stores them,
   * for a stage worker to inflate and check (`stored_entry.ts`), so that the thread reading the
   * archive only moves bytes. Only where that thread is not the one that would decode them: a zip
   * in a remote store, whose bytes the main thread fetches.
   */
  stored?(): StoredEntry;
}

/** A zip entry as stored: what its directory says of it, and its bytes from its local header on. */
export interface StoredEntry {
  /** The compression method (0 stored, 8 deflated; others are refused). */
  method: number;
  /** Whether it is encrypted (refused). */
  encrypted: boolean;
  /** The bytes of its data (after the local header), as the directory says. */
  compressedSize: number;
  /** The CRC-32 of its uncompressed bytes, as the directory says. */
  crc32: number;
  /** The size of its uncompressed bytes, as the directory says: it is read no further. */
  size: number;
  /** Its bytes from the first of its local header, to the end of its data at least. */
  bytes: ReadableStream<Uint8Array>;
}

/** The archive (or an entry of it) cannot be read: it is truncated or corrupt. */
export class ArchiveError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ArchiveError";
  }
}

/**
 * The bytes of a stream still being opened, as a stream at once (what {@link ArchiveEntry.body}
 * returns): a failure to open it reaches the reader, as a failed read does.
 *
 * @example Usage
 * ```ts
 * import { whenOpened } from "./entry.ts";
 * import assert from "node:assert/strict";
 *
 * const body = whenOpened(Promise.resolve(ReadableStream.from([new Uint8Array([1, 2])])));
 * assert.deepEqual(await Array.fromAsync(body), [new Uint8Array([1, 2])]);
 * await assert.rejects(Array.fromAsync(whenOpened(Promise.reject(new Error("gone")))), /gone/);
 * ```
 */
export function whenOpened(opening: Promise<ReadableStream<Uint8Array>>): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  opening.then((body) => body.pipeTo(writable), (error) => writable.abort(error))
    .catch(() => {}); // The reader of `readable` hears it.
  return readable;
}
