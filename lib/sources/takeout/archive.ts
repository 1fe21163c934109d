/**
 * Reading what `photosync takeout` is given on the local disk, whatever its form: a `.zip`
 * (`zip.ts`: zip.js, ZIP64 included), a `.tgz`/`.tar.gz` (tar-stream over the built-in gzip
 * `DecompressionStream`) or an extracted folder, each an {@link ArchiveSource}: one sequence of
 * entries whose bytes are streamed, never held whole.
 * @module
 */
import { readAt } from "../../core/read_at.ts";
import { Readable } from "node:stream";
import { basename, join, relative, resolve, sep } from "node:path";
import { PhotosyncError, UsageError } from "../../core/errors.ts";
import type { ArchiveSource } from "./archive_source.ts";
import { type ArchiveEntry, ArchiveError, whenOpened } from "./entry.ts";
import { checkIsExport, isPhotosFolder, OtherProductError } from "./export_check.ts";
import { archivePart } from "./parts.ts";
import { finished } from "node:stream/promises";

export { type ArchiveEntry, ArchiveError } from "./entry.ts";

/** What a path given to `photosync takeout` is. */
export type ArchiveKind = "zip" | "tgz" | "folder";

/** The kind of `path` by its name and what it is, or a {@link UsageError} saying why it cannot be read. */
async function archiveKind(path: string): Promise<ArchiveKind> {
  const stat = await Deno.stat(path).catch((error) => {
    throw new UsageError(
      `${path}: ${error instanceof Deno.errors.NotFound ? "no such file" : error.message}`,
    );
  });
  if (stat.isDirectory) return "folder";
  const kind = /\.zip$/i.test(path) ? "zip" : /\.(tgz|tar\.gz)$/i.test(path) ? "tgz" : undefined;
  if (!kind) throw new UsageError(`${path} is not a Takeout archive (.zip, .tgz or .tar.gz) or a folder`);
  const start = await firstBytes(path, 4);
  // A file that cannot be read now is reported by the import, which goes on with the others; so is
  // one that ends before its first bytes do (an empty file: a download that never got going): it is
  // cut short, not something else (see `readArchive`).
  if (
    start && !MAGIC[kind].some((magic) => magic.every((byte, i) => i >= start.length || start[i] === byte))
  ) {
    throw new UsageError(
      `${path} is not a ${
        kind === "zip" ? "zip" : "gzip-compressed tar"
      } file (it does not start like one); ` +
        "give the archives Google made, as downloaded",
    );
  }
  return kind;
}

/**
 * How each kind of file starts: a zip with a local header (`PK\x03\x04`), or is an empty one
 * (`PK\x05\x06`) or a split one's first part (`PK\x07\x08`); gzip with `1f 8b`. A damaged archive
 * still starts right, or ends before its start does (and is reported as damaged); a text file named
 * `.zip` does not.
 */
const MAGIC: Record<"zip" | "tgz", number[][]> = {
  zip: [[0x50, 0x4b, 3, 4], [0x50, 0x4b, 5, 6], [0x50, 0x4b, 7, 8]],
  tgz: [[0x1f, 0x8b]],
};

/** The first `count` bytes of the file at `path` (fewer when shorter), or undefined when it cannot be read. */
async function firstBytes(path: string, count: number): Promise<Uint8Array | undefined> {
  try {
    using file = await Deno.open(path);
    return readAt(file, 0, count);
  } catch {
    return undefined;
  }
}

/**
 * A second `Takeout` folder's name, as macOS' Archive Utility names the parts it extracts side by
 * side (`Takeout 2`), or a file manager a copy (`Takeout (2)`, `Takeout-2`).
 */
const TAKEOUT_COPY = /^Takeout(?: \d+| ?\(\d+\)|-\d+)$/i;

/**
 * A part of an export given to `photosync takeout`, or found in a folder given ({@link localArchives}).
 * `otherProduct`: it holds no Google Photos file, only another Takeout product's folder
 * (`Takeout/Drive/`); whether it is read (beside the parts of its export that hold Google Photos files),
 * left out or refused depends on the other parts given (see `lib/takeout.ts`).
 */
export interface LocalPart {
  source: ArchiveSource;
  otherProduct?: OtherProductError;
  /** Found in a folder given, not named by the user. */
  found?: true;
}

/**
 * The archives and folders of the export(s) at `path`: the archive or folder itself (see
 * {@link localArchive}); or, for a folder that holds an export's parts as they were downloaded or
 * extracted, those parts. A folder holds them when it holds archives named as Google names parts
 * (`takeout-20251110T101010Z-001.zip`: a downloads folder), or parts extracted each into a folder of
 * its own: named as its archive (`takeout-20251110T101010Z-001/Takeout/…`, Windows' "Extract all"),
 * or every part's `Takeout` folder side by side (`Takeout/`, `Takeout 2/`, …, macOS). Read as one
 * folder, the parts' folders would be different folders (a sidecar in `Takeout 2/Google Photos/…` is
 * no sidecar of a photo in `Takeout/Google Photos/…`), and only one of them the export's. Files of
 * that folder outside those parts are none of the export's, and are not read.
 */
export async function localArchives(path: string): Promise<LocalPart[]> {
  if ((await archiveKind(path)) !== "folder") return [await localPart(path)];
  const folders: string[] = [];
  const files: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (entry.isDirectory) folders.push(entry.name);
    else if (entry.isFile && /\.(zip|tgz|tar\.gz)$/i.test(entry.name) && archivePart(entry.name)) {
      files.push(entry.name);
    }
  }
  const wrappers = folders.filter((name) => archivePart(name) !== undefined);
  const copies = folders.filter((name) => TAKEOUT_COPY.test(name));
  if (wrappers.length + copies.length + files.length === 0) return [await localPart(path)];
  const names = [...files, ...wrappers, ...copies, ...folders.filter((name) => name === "Takeout")].sort();
  const parts: LocalPart[] = [];
  for (const name of names) parts.push(await localPart(join(path, name), true));
  return parts;
}

/**
 * The archive or folder at `path` as a {@link LocalPart}: a part of another Takeout product only is
 * returned with its refusal; any other {@link UsageError} (no export at all) is thrown. `found`: in a
 * folder given, where a folder counts by its entries only (see {@link checkIsExport}).
 */
async function localPart(path: string, found?: true): Promise<LocalPart> {
  const { folder, ...source } = await unchecked(path);
  try {
    await checkIsExport(source, found ? undefined : folder);
    return { source, ...(found ? { found } : {}) };
  } catch (error) {
    if (!(error instanceof OtherProductError)) throw error;
    return { source, otherProduct: error, ...(found ? { found } : {}) };
  }
}

/**
 * The archive or folder at `path`, checked to be (part of) a Google Photos export; or a
 * {@link UsageError} saying why it cannot be read or is none.
 */
export async function localArchive(path: string): Promise<ArchiveSource> {
  const { folder, ...source } = await unchecked(path);
  await checkIsExport(source, folder);
  return source;
}

/**
 * The archive or folder at `path` (`folder`: its path, when it is one), not yet checked to be an export.
 * A folder's entries are read as the part's archive lists them (`Takeout/Google Photos/…`), from where
 * it lies in its part ({@link partPlace}): a sidecar in one part dates a photo in another only when both
 * have the same folder, and the export's Google Photos folder is one path whichever way each part was given.
 */
async function unchecked(path: string): Promise<ArchiveSource & { folder?: string }> {
  const kind = await archiveKind(path);
  const place = kind === "folder" ? partPlace(path) : "";
  return {
    path,
    name: basename(path),
    sequential: kind === "tgz",
    ...(kind === "zip" ? { zipPath: path, size: (await Deno.stat(path)).size } : {}),
    ...(kind === "folder" ? { folder: path } : {}),
    entries: kind === "folder" ? () => readFolder(path, place) : () => readArchive(path, kind),
  };
}

/**
 * Where a folder given lies in its part, as the prefix of its entries' paths there: "" for a part's top
 * (a folder holding a `Takeout` folder: Windows' `takeout-…-001/`, or any folder a part was extracted
 * into); `Takeout/` for a part's `Takeout` folder itself, under whichever name macOS gave it (`Takeout 2`,
 * see {@link TAKEOUT_COPY}); `Takeout/Google Photos/…` for a Google Photos folder given itself, or one of
 * its folders (a year's), wherever it was moved; `Takeout/` for a folder of another name holding the
 * Google Photos folder; else from the last `Takeout` folder on its path, or "" (nowhere known: its
 * entries are read as they lie).
 */
function partPlace(folder: string): string {
  const parts = resolve(folder).split(sep).filter(Boolean);
  const last = parts.length - 1;
  const isTakeout = (name: string) => name === "Takeout" || TAKEOUT_COPY.test(name);
  if (isFolder(join(folder, "Takeout"))) return "";
  if (isTakeout(parts[last] ?? "")) return "Takeout/";
  const photos = isPhotosFolder(parts[last] ?? "")
    ? last
    : last > 0 && isPhotosFolder(parts[last - 1])
    ? last - 1
    : -1;
  if (photos >= 0) return `Takeout/${parts.slice(photos).join("/")}/`;
  // A part's `Takeout` folder's contents extracted into a folder of the user's: read from anywhere else,
  // its photos would lie outside the export's `Takeout/Google Photos/` the other parts show, and be left out.
  if (holdsPhotosFolder(folder)) return "Takeout/";
  const at = parts.findLastIndex(isTakeout);
  return at >= 0 ? `Takeout/${parts.slice(at + 1).map((part) => `${part}/`).join("")}` : "";
}

/** Whether `folder` holds a folder named as the Google Photos folder (in any language of the list). */
function holdsPhotosFolder(folder: string): boolean {
  try {
    for (const entry of Deno.readDirSync(folder)) {
      if (entry.isDirectory && isPhotosFolder(entry.name)) return true;
    }
  } catch {
    // Unreadable: the import reports it.
  }
  return false;
}

function isFolder(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Every regular file of the archive at `path`, in stored order (a folder's: {@link readFolder}).
 * Whatever stops the listing (no permission to read it) is an {@link ArchiveError}: that archive
 * is reported, the others are imported.
 */
async function* readArchive(path: string, kind: "zip" | "tgz"): AsyncGenerator<ArchiveEntry> {
  try {
    if ((await Deno.stat(path)).size === 0) {
      throw new ArchiveError(
        "the file is empty (0 bytes): its download stopped before it began; download this part of the export again",
      );
    }
    if (kind === "zip") return yield* zipEntries(path);
    using file = await Deno.open(path);
    return yield* tgzEntries(file.readable);
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`cannot read it (${(error as Error).message})`, { cause: error });
  }
}

async function* zipEntries(path: string): AsyncGenerator<ArchiveEntry> {
  // Loaded when first needed (as tar-stream below): a sync or pick run never reads an archive.
  const { openZip } = await import("./zip.ts");
  await using zip = await openZip(path);
  yield* zip.entries();
}

/**
 * The entries of a tgz read from `stream` (a local file's, or a remote one's), each body read
 * before the next is asked for; an {@link ArchiveError} where it breaks.
 */
export async function* tgzEntries(stream: ReadableStream<Uint8Array>): AsyncGenerator<ArchiveEntry> {
  const { default: tar } = await import("tar-stream");
  const extract = tar.extract();
  const gunzipped = stream.pipeThrough(
    new DecompressionStream("gzip") as ReadableWritablePair<Uint8Array, Uint8Array>,
  );
  const input = Readable.fromWeb(gunzipped as import("node:stream/web").ReadableStream);
  // Kept as well as passed on: an error that comes once the tar has ended (a wrong gzip trailer) finds
  // the extractor done, and a stream that failed before `finished` is called is not always reported
  // by it; the last entries count as whole only when the stream ended without one.
  let broken: Error | undefined;
  input.on("error", (error) => {
    broken ??= error;
    extract.destroy(error);
  });
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
    // The gzip trailer (the CRC-32 and length of everything) is checked only at the stream's end:
    // read past the tar's last block to it before the last entries count as whole.
    input.unpipe(extract);
    input.resume();
    await finished(input);
    if (broken) throw broken;
  } catch (error) {
    // A remote store that failed (network, authorisation) is the run's error, not the archive's.
    if (error instanceof ArchiveError || error instanceof PhotosyncError) throw error;
    // Cut short, or damaged on the way: gzip tells neither apart from other damage, nor need it.
    throw new ArchiveError(
      `cannot read the archive (${(error as Error).message}); download this part of the export again`,
      { cause: error },
    );
  } finally {
    input.destroy();
  }
}

/**
 * The files of the extracted part (or folder of one) in `folder`, their paths led by `prefix`; whatever
 * stops the listing (no permission, a folder gone) is an {@link ArchiveError}, as for {@link readArchive}.
 */
async function* readFolder(folder: string, prefix: string): AsyncGenerator<ArchiveEntry> {
  try {
    for await (const entry of folderEntries(folder, folder)) yield { ...entry, path: prefix + entry.path };
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`cannot read it (${(error as Error).message})`, { cause: error });
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
        body: () => whenOpened(Deno.open(full).then((file) => file.readable)),
      };
    }
  }
}
