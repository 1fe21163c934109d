/**
 * Reading a zip (zip.js, ZIP64 included) at random: its directory, then any entry's bytes,
 * streamed. Kept apart from the other archive kinds so that a stage worker loads only this.
 * @module
 */
import {
  configure,
  ERR_BAD_FORMAT,
  ERR_CENTRAL_DIRECTORY_NOT_FOUND,
  ERR_EOCDR_NOT_FOUND,
  type FileEntry,
  Reader,
  ZipReader,
} from "@zip.js/zip.js";
import { crc32 } from "node:zlib";
import { type ArchiveEntry, ArchiveError } from "./entry.ts";
import { ZIP_HANDLES } from "./stage_protocol.ts";

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

  constructor(format: CompressionFormat) {
    if (format !== "deflate-raw") throw new TypeError(`${format}: only deflate-raw is inflated in pieces`);
    const inflater = new DecompressionStream(format) as ReadableWritablePair<Uint8Array, Uint8Array>;
    const writer = inflater.writable.getWriter();
    const reader = inflater.readable.getReader();
    let produced = 0;
    let piece = MIN_PIECE;
    this.readable = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read();
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
      abort: (reason) => writer.abort(reason),
    });
  }
}

// Decompression runs in the native DecompressionStream (in pieces, as raw deflate); no zip.js workers (photosync
// has its own), no WebAssembly fetched.
configure({
  useWebWorkers: false,
  useCompressionStream: true,
  DecompressionStream: InflateInPieces as unknown as typeof DecompressionStream,
});

export { ZIP_HANDLES } from "./stage_protocol.ts";

/**
 * Random access to a file for zip.js. Each entry's body is read front to back, so a read goes
 * to an idle handle already at its offset (no seek); up to {@link ZIP_HANDLES} are opened, so
 * that that many bodies can be read at once without moving each other's file position.
 */
class FileReader extends Reader<string> implements Disposable {
  readonly #path: string;
  readonly #idle: { file: Deno.FsFile; at: number }[] = [];
  readonly #waiting: (() => void)[] = [];
  #opened = 0;

  constructor(path: string, first: Deno.FsFile, size: number) {
    super("");
    this.#path = path;
    this.#idle.push({ file: first, at: 0 });
    this.#opened = 1;
    this.size = size;
  }

  override async readUint8Array(index: number, length: number): Promise<Uint8Array> {
    const handle = await this.#take(index);
    try {
      if (handle.at !== index) await handle.file.seek(index, Deno.SeekMode.Start);
      handle.at = index;
      const data = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const count = await handle.file.read(data.subarray(filled));
        if (count === null) break;
        filled += count;
      }
      handle.at += filled;
      return data.subarray(0, filled);
    } catch (error) {
      handle.at = -1; // Position unknown: seek on next use.
      throw error;
    } finally {
      this.#idle.push(handle);
      this.#waiting.shift()?.();
    }
  }

  /** An idle handle, preferring one at `index`; a new one while fewer than the limit are open. */
  async #take(index: number): Promise<{ file: Deno.FsFile; at: number }> {
    while (true) {
      const at = this.#idle.findIndex((handle) => handle.at === index);
      if (at >= 0) return this.#idle.splice(at, 1)[0];
      if (this.#opened < ZIP_HANDLES) {
        this.#opened++;
        return { file: await Deno.open(this.#path), at: 0 };
      }
      if (this.#idle.length > 0) return this.#idle.shift()!;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  [Symbol.dispose](): void {
    for (const { file } of this.#idle.splice(0)) file.close();
  }
}

/** A zip opened for reading: its files in stored order, each with its {@link ArchiveEntry.index}. */
export interface OpenZip extends AsyncDisposable {
  /**
   * The files, read from the directory as they are asked for: a zip of 100,000 entries is never
   * held as 100,000 entries (zip.js keeps about 6 KB for each). Each call reads the directory anew.
   */
  entries(): AsyncGenerator<ArchiveEntry>;
  /**
   * The file at `index` (undefined past the last): quick when asked in increasing order, as
   * stage workers are; going back reads the directory again from its start.
   */
  entryAt(index: number): Promise<ArchiveEntry | undefined>;
}

/**
 * Open the zip at `path` and read the start of its directory, or throw an {@link ArchiveError}.
 * Listing its files may still throw an {@link ArchiveError} where the directory is damaged.
 * Disposing it waits for the bodies taken and still being read, then closes the file.
 */
export async function openZip(path: string): Promise<OpenZip> {
  const file = await Deno.open(path);
  const { size } = await file.stat().catch((error) => {
    file.close();
    throw error;
  });
  const reader = new FileReader(path, file, size);
  const zip = new ZipReader(reader);
  // Bodies taken and still being read: the file stays open until they are done.
  const reading = new Set<Promise<unknown>>();
  /** The files in stored order, numbered; directory errors as ArchiveErrors. */
  async function* files(): AsyncGenerator<ArchiveEntry> {
    // Names are read as they are ("tolerant"): zip.js would otherwise reject the whole archive
    // for one entry named `../x` or `/x`, losing every other entry. photosync never uses an
    // entry's path as an output path (only its sanitised base name), as for tgz and folders.
    const listed = zip.getEntriesGenerator({ filenameEncoding: "utf-8", filenameValidation: "tolerant" });
    let index = 0;
    while (true) {
      let next;
      try {
        next = await listed.next();
      } catch (error) {
        throw directoryError(error);
      }
      if (next.done) return;
      const entry = next.value;
      if (entry.directory || !entry.getData) continue;
      yield fileEntry(entry, index++, reading);
    }
  }
  // The directory's start is read now, so that a file that is no zip fails here.
  const probe = files();
  try {
    await probe.next();
    await probe.return(undefined);
  } catch (error) {
    reader[Symbol.dispose]();
    throw error;
  }
  /** Where {@link OpenZip.entryAt} is in a listing: the last file it gave. */
  let cursor: { files: AsyncGenerator<ArchiveEntry>; last?: ArchiveEntry } | undefined;
  /** Calls of entryAt, one after the other: they move the same cursor. */
  let queue: Promise<unknown> = Promise.resolve();
  const entryAt = async (index: number) => {
    if (!cursor || (cursor.last?.index ?? -1) > index) cursor = { files: files() };
    while ((cursor.last?.index ?? -1) < index) {
      const next = await cursor.files.next();
      if (next.done) return undefined;
      cursor.last = next.value;
    }
    return cursor.last;
  };
  return {
    entries: files,
    entryAt(index) {
      const found = queue.then(() => entryAt(index));
      queue = found.catch(() => {});
      return found;
    },
    async [Symbol.asyncDispose]() {
      await Promise.allSettled(reading);
      await zip.close();
      reader[Symbol.dispose]();
    },
  };
}

/** The zip.js entry of a file as an {@link ArchiveEntry}; bodies being read are kept in `reading`. */
function fileEntry(entry: FileEntry, index: number, reading: Set<Promise<unknown>>): ArchiveEntry {
  const getData = entry.getData.bind(entry);
  return {
    path: entry.filename,
    size: entry.uncompressedSize,
    mtimeMs: entry.lastModDate.getTime(),
    index,
    crc32: entry.signature,
    offset: entry.offset,
    compressedSize: entry.compressedSize,
    body() {
      const { readable, writable } = checkedCrc(entry.filename, entry.signature);
      // The CRC-32 is checked by checkedCrc, natively: zip.js's own check (in JavaScript, at
      // about 150 MB/s) took more time than inflating.
      const done = getData(writable, { checkSignature: false }).catch(async (error: unknown) => {
        // zip.js closes the stream itself when it succeeds; on failure the reader must hear why.
        await writable.abort(new ArchiveError(`${entry.filename}: ${(error as Error).message}`)).catch(
          () => {},
        );
      }).finally(() => reading.delete(done));
      reading.add(done);
      return readable;
    },
  };
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

/** Why a zip's directory cannot be read, as an {@link ArchiveError}. */
function directoryError(error: unknown): ArchiveError {
  const message = (error as Error).message;
  // The directory sits at the end of a zip: without it nothing in the file can be found safely.
  const cut = [ERR_EOCDR_NOT_FOUND, ERR_CENTRAL_DIRECTORY_NOT_FOUND, ERR_BAD_FORMAT].includes(message);
  return new ArchiveError(
    cut
      ? `the zip's directory (at its end) is missing or damaged: the file is cut short, or not a zip; download this part of the export again (${message})`
      : `cannot read the zip directory (${message})`,
    { cause: error },
  );
}
