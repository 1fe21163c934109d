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
  Reader,
  ZipReader,
} from "@zip.js/zip.js";
import { type ArchiveEntry, ArchiveError } from "./entry.ts";

// Decompression runs in the native DecompressionStream; no zip.js workers (photosync has its
// own), no WebAssembly fetched.
configure({ useWebWorkers: false, useCompressionStream: true });

/** How many bodies of one zip are read at once without seeking: one file handle each. */
export const ZIP_HANDLES = 3;

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
  readonly entries: readonly ArchiveEntry[];
}

/**
 * Open the zip at `path` and read its directory, or throw an {@link ArchiveError}. Disposing it
 * waits for the bodies taken and still being read, then closes the file.
 */
export async function openZip(path: string): Promise<OpenZip> {
  const file = await Deno.open(path);
  const { size } = await file.stat().catch((error) => {
    file.close();
    throw error;
  });
  const reader = new FileReader(path, file, size);
  const zip = new ZipReader(reader);
  let listed;
  try {
    // Names are read as they are ("tolerant"): zip.js would otherwise reject the whole archive
    // for one entry named `../x` or `/x`, losing every other entry. photosync never uses an
    // entry's path as an output path (only its sanitised base name), as for tgz and folders.
    listed = await zip.getEntries({ filenameEncoding: "utf-8", filenameValidation: "tolerant" });
  } catch (error) {
    reader[Symbol.dispose]();
    const message = (error as Error).message;
    // The directory sits at the end of a zip: without it nothing in the file can be found safely.
    const cut = [ERR_EOCDR_NOT_FOUND, ERR_CENTRAL_DIRECTORY_NOT_FOUND, ERR_BAD_FORMAT].includes(message);
    throw new ArchiveError(
      cut
        ? `the zip's directory (at its end) is missing or damaged: the file is cut short, or not a zip; download this part of the export again (${message})`
        : `cannot read the zip directory (${message})`,
      { cause: error },
    );
  }
  // Bodies taken and still being read: the file stays open until they are done.
  const reading = new Set<Promise<unknown>>();
  const entries: ArchiveEntry[] = [];
  for (const entry of listed) {
    if (entry.directory || !entry.getData) continue;
    const getData = entry.getData.bind(entry);
    entries.push({
      path: entry.filename,
      size: entry.uncompressedSize,
      mtimeMs: entry.lastModDate.getTime(),
      index: entries.length,
      body() {
        const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
        const done = getData(writable, { checkSignature: true }).catch(async (error: unknown) => {
          // zip.js closes the stream itself when it succeeds; on failure the reader must hear why.
          await writable.abort(new ArchiveError(`${entry.filename}: ${(error as Error).message}`)).catch(
            () => {},
          );
        }).finally(() => reading.delete(done));
        reading.add(done);
        return readable;
      },
    });
  }
  return {
    entries,
    async [Symbol.asyncDispose]() {
      await Promise.allSettled(reading);
      await zip.close();
      reader[Symbol.dispose]();
    },
  };
}
