/**
 * Reading a zip (zip.js, ZIP64 included): its directory (the catalog), and any entry's bytes, streamed
 * from its local header where the directory puts it (`stored_entry.ts`, as a stage worker reads them).
 * @module
 */
// deno.json maps "@zip.js/zip.js" to the package's one-file build (index.min.js): the same API and code
// as one module instead of about eighty, about 15 ms less CPU at every start of a Takeout run.
import {
  configure,
  ERR_BAD_FORMAT,
  ERR_CENTRAL_DIRECTORY_NOT_FOUND,
  ERR_EOCDR_NOT_FOUND,
  type FileEntry,
  Reader,
  ZipReader,
} from "@zip.js/zip.js";
import { type ArchiveEntry, ArchiveError, whenOpened } from "./entry.ts";
import { openZipEntry } from "./stored_entry.ts";

// zip.js only lists: no workers of its own (photosync has its own), no WebAssembly fetched.
configure({ useWebWorkers: false });

/**
 * Random access to a file for zip.js, which reads only the directory through it (each entry's body
 * is read from its local header through a handle of its own, see {@link fileEntry}): one handle,
 * its reads one at a time, seeking only where a read does not start where the last one ended.
 */
class FileReader extends Reader<string> implements Disposable {
  readonly #file: Deno.FsFile;
  #at = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: Deno.FsFile, size: number) {
    super("");
    this.#file = file;
    this.size = size;
  }

  override readUint8Array(index: number, length: number): Promise<Uint8Array> {
    const read = this.#queue.then(() => this.#read(index, length));
    this.#queue = read.catch(() => {});
    return read;
  }

  async #read(index: number, length: number): Promise<Uint8Array> {
    try {
      if (this.#at !== index) await this.#file.seek(index, Deno.SeekMode.Start);
      this.#at = index;
      const data = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const count = await this.#file.read(data.subarray(filled));
        if (count === null) break;
        filled += count;
      }
      this.#at += filled;
      return data.subarray(0, filled);
    } catch (error) {
      this.#at = -1; // Position unknown: seek on next use.
      throw error;
    }
  }

  [Symbol.dispose](): void {
    this.#file.close();
  }
}

/** A zip opened for reading: its files in stored order, each with its {@link ArchiveEntry.index}. */
export interface OpenZip extends AsyncDisposable {
  /**
   * The files, read from the directory as they are asked for: a zip of 100,000 entries is never
   * held as 100,000 entries (zip.js keeps about 6 KB for each). The first call goes on from the read
   * that opened the zip; each later one reads the directory anew.
   */
  entries(): AsyncGenerator<ArchiveEntry>;
}

/**
 * Open the zip at `path` and read the start of its directory, or throw an {@link ArchiveError}.
 * Listing its files may still throw an {@link ArchiveError} where the directory is damaged.
 * Disposing it closes the file (the bodies taken read through handles of their own).
 */
export async function openZip(path: string): Promise<OpenZip> {
  const file = await Deno.open(path);
  const { size } = await file.stat().catch((error) => {
    file.close();
    throw error;
  });
  const reader = new FileReader(file, size);
  const zip = new ZipReader(reader);
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
      yield fileEntry(path, entry, index++);
    }
  }
  // The directory's start is read now, so that a file that is no zip fails here. That listing is
  // the first one handed out: zip.js reads the whole directory at once (11 MB for 100,000 entries),
  // and reading it once less is less time and fewer large buffers for the allocator to keep.
  const probe = files();
  let first: IteratorResult<ArchiveEntry>;
  try {
    first = await probe.next();
  } catch (error) {
    reader[Symbol.dispose]();
    throw error;
  }
  let unused: AsyncGenerator<ArchiveEntry> | undefined = (async function* () {
    if (first.done) return;
    yield first.value;
    yield* probe;
  })();
  /** A listing from the first file: the probe's while no one took it, else a new one. */
  const listing = () => {
    const taken = unused ?? files();
    unused = undefined;
    return taken;
  };
  return {
    entries: listing,
    async [Symbol.asyncDispose]() {
      // A probe no one took is let go of here (the wrapper around it was never started).
      if (unused) await probe.return(undefined);
      await zip.close();
      reader[Symbol.dispose]();
    },
  };
}

/**
 * The zip.js entry of a file of the zip at `path` as an {@link ArchiveEntry}. Its body is read through a
 * file handle of its own, from its local header (`openZipEntry`): zip.js's own reading (streams and a
 * codec per entry) took about 0.7 ms for each small sidecar, most of a 100,000-entry catalog pass.
 */
function fileEntry(path: string, entry: FileEntry, index: number): ArchiveEntry {
  const { filename, offset, compressedSize, signature: crc32, uncompressedSize: size } = entry;
  return {
    path: filename,
    size,
    mtimeMs: entry.lastModDate.getTime(),
    index,
    crc32,
    offset,
    compressedSize,
    // A damaged entry's error (thrown as it opens) reaches the body's reader.
    body: () =>
      whenOpened(
        new Promise((resolve) =>
          resolve(openZipEntry(path, filename, { offset, compressedSize, crc32, size }))
        ),
      ),
  };
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
