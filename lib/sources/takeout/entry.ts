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
}

/** The archive (or an entry of it) cannot be read: it is truncated or corrupt. */
export class ArchiveError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ArchiveError";
  }
}
