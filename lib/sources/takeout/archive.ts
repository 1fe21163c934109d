/**
 * Reading what `photosync takeout` is given, whatever its form: a `.zip` (zip.js, ZIP64
 * included), a `.tgz`/`.tar.gz` (tar-stream over the built-in gzip `DecompressionStream`) or an
 * extracted folder, as one sequence of entries whose bytes are streamed, never held whole.
 * @module
 */
import { Readable } from "node:stream";
import { join, relative, sep } from "node:path";
import { configure, Reader, ZipReader } from "@zip.js/zip.js";
import tar from "tar-stream";
import { UsageError } from "../../core/errors.ts";

// Decompression runs in the native DecompressionStream; no workers, no WebAssembly fetched.
configure({ useWebWorkers: false, useCompressionStream: true });

/** What a path given to `photosync takeout` is. */
export type ArchiveKind = "zip" | "tgz" | "folder";

/** One file inside an archive or folder. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, as stored (hostile: may hold `..` or start with `/`). */
  path: string;
  /** Size in bytes (uncompressed). */
  size: number;
  /** Modification time stored for the entry, epoch ms. */
  mtimeMs: number;
  /** Position among the files of a zip (see {@link openZip}). */
  index?: number;
  /** A link (tgz): listed so that the report counts it, never followed or made. */
  link?: boolean;
  /**
   * The bytes, streamed. Call at most once, and read it to the end or cancel it. For a tgz, do
   * so before asking for the next entry; see {@link readsInParallel}.
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

/** The kind of `path` by its name and what it is, or a {@link UsageError} saying why it cannot be read. */
export async function archiveKind(path: string): Promise<ArchiveKind> {
  const stat = await Deno.stat(path).catch((error) => {
    throw new UsageError(
      `${path}: ${error instanceof Deno.errors.NotFound ? "no such file" : error.message}`,
    );
  });
  if (stat.isDirectory) return "folder";
  if (/\.zip$/i.test(path)) return "zip";
  if (/\.(tgz|tar\.gz)$/i.test(path)) return "tgz";
  throw new UsageError(`${path} is not a Takeout archive (.zip, .tgz or .tar.gz) or a folder`);
}

/** Every regular file of the archive or folder at `path`, in stored order. */
export function readArchive(path: string, kind: ArchiveKind): AsyncGenerator<ArchiveEntry> {
  switch (kind) {
    case "zip":
      return zipEntries(path);
    case "tgz":
      return tgzEntries(path);
    case "folder":
      return folderEntries(path, path);
  }
}

/** How many bodies of one zip may be read at once: one file handle each, so reads need no seek. */
const ZIP_HANDLES = 3;

/**
 * Whether the bodies of `kind`'s entries may be read while later entries are asked for (and
 * in any order): a zip and a folder are read at random; a tgz is one stream.
 */
export function readsInParallel(kind: ArchiveKind): boolean {
  return kind !== "tgz";
}

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
    throw new ArchiveError(`cannot read the zip directory (${(error as Error).message})`, { cause: error });
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

async function* zipEntries(path: string): AsyncGenerator<ArchiveEntry> {
  await using zip = await openZip(path);
  yield* zip.entries;
}

async function* tgzEntries(path: string): AsyncGenerator<ArchiveEntry> {
  using file = await Deno.open(path);
  const extract = tar.extract();
  const gunzipped = file.readable.pipeThrough(new DecompressionStream("gzip"));
  const input = Readable.fromWeb(gunzipped as import("node:stream/web").ReadableStream);
  input.on("error", (error) => extract.destroy(error));
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      const { header } = entry;
      const link = header.type === "symlink" || header.type === "link";
      if (header.type !== "file" && header.type !== "contiguous-file" && !link) {
        entry.resume();
        continue;
      }
      let taken = false;
      yield {
        path: header.name,
        size: link ? 0 : header.size ?? 0,
        mtimeMs: header.mtime?.getTime() ?? 0,
        ...(link ? { link } : {}),
        body() {
          taken = true;
          return ReadableStream.from(entry as AsyncIterable<Uint8Array>);
        },
      };
      if (!taken) entry.resume();
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`cannot read the archive (${(error as Error).message})`, { cause: error });
  } finally {
    input.destroy();
  }
}

async function* folderEntries(root: string, dir: string): AsyncGenerator<ArchiveEntry> {
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry);
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of names) {
    const full = join(dir, entry.name);
    // Links are not followed: an export holds none, and one could lead outside the folder.
    if (entry.isDirectory) yield* folderEntries(root, full);
    else if (entry.isFile) {
      const stat = await Deno.lstat(full);
      yield {
        path: relative(root, full).split(sep).join("/"),
        size: stat.size,
        mtimeMs: stat.mtime?.getTime() ?? 0,
        body() {
          const stream = new TransformStream<Uint8Array, Uint8Array>();
          Deno.open(full).then((file) => file.readable.pipeTo(stream.writable)).catch((error) =>
            stream.writable.abort(error).catch(() => {})
          );
          return stream.readable;
        },
      };
    }
  }
}
