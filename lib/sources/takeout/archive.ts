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
  /** A link (tgz): listed so that the report counts it, never followed or made. */
  link?: boolean;
  /**
   * The bytes, streamed. Call at most once; read it to the end (or cancel it) before asking
   * for the next entry.
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

/** Random access to a file for zip.js: reads are serialised, as they share one file position. */
class FileReader extends Reader<string> {
  readonly #file: Deno.FsFile;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: Deno.FsFile, size: number) {
    super("");
    this.#file = file;
    this.size = size;
  }

  override readUint8Array(index: number, length: number): Promise<Uint8Array> {
    const read = this.#queue.then(async () => {
      await this.#file.seek(index, Deno.SeekMode.Start);
      const data = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const count = await this.#file.read(data.subarray(filled));
        if (count === null) break;
        filled += count;
      }
      return data.subarray(0, filled);
    });
    this.#queue = read.catch(() => {});
    return read;
  }
}

async function* zipEntries(path: string): AsyncGenerator<ArchiveEntry> {
  using file = await Deno.open(path);
  const { size } = await file.stat();
  const zip = new ZipReader(new FileReader(file, size));
  let entries;
  try {
    // Names are read as they are ("tolerant"): zip.js would otherwise reject the whole archive
    // for one entry named `../x` or `/x`, losing every other entry. photosync never uses an
    // entry's path as an output path (only its sanitised base name), as for tgz and folders.
    entries = await zip.getEntries({ filenameEncoding: "utf-8", filenameValidation: "tolerant" });
  } catch (error) {
    throw new ArchiveError(`cannot read the zip directory (${(error as Error).message})`, { cause: error });
  }
  for (const entry of entries) {
    if (entry.directory || !entry.getData) continue;
    const getData = entry.getData.bind(entry);
    yield {
      path: entry.filename,
      size: entry.uncompressedSize,
      mtimeMs: entry.lastModDate.getTime(),
      body() {
        const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
        getData(writable, { checkSignature: true }).catch(async (error: unknown) => {
          // zip.js closes the stream itself when it succeeds; on failure the reader must hear why.
          await writable.abort(new ArchiveError(`${entry.filename}: ${(error as Error).message}`)).catch(
            () => {},
          );
        });
        return readable;
      },
    };
  }
  await zip.close();
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
