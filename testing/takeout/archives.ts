/**
 * An export on disk: its entries in archive order (now and then a sidecar in another part than its media, as in
 * real exports), split into parts, written as zip or tgz archives or as extracted folders; and damaged on
 * purpose.
 *
 * @module
 */

import { configure, ZipWriter } from "@zip.js/zip.js";
import tar from "tar-stream";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { mulberry32 } from "../library_fixture.ts";
import { enc } from "./bytes.ts";
import { fileStream } from "./content.ts";
import type { TakeoutExport, TakeoutFile } from "./model.ts";

/** One entry of an archive. */
export interface TakeoutEntry {
  /** Path inside the archive. */
  path: string;
  size: number;
  mtimeMs: number;
  kind: "media" | "sidecar" | "album-metadata" | "other";
  /** The media file, for media and sidecar entries. */
  file?: TakeoutFile;
  /** A new stream of the entry's bytes. */
  open(): ReadableStream<Uint8Array>;
}

/** One archive (or extracted folder) of an export. */
export interface ArchivePart {
  /** `takeout-20251110T101010Z-001.zip` (`.tgz`; no extension for folders). */
  name: string;
  entries: TakeoutEntry[];
  /** Sum of the entries' sizes. */
  bytes: number;
}

/** How to split and write an export. */
export interface ArchiveOptions {
  /** Default "zip". */
  format?: "zip" | "tgz" | "folder";
  /** Number of parts, balanced by size (default 1). Not together with `maxPartBytes`. */
  parts?: number;
  /** Start a new part before an entry would make a part larger than this (uncompressed). */
  maxPartBytes?: number;
  /** Deflate level of zips, 0–9 (default 6, which uses the native `CompressionStream`). */
  level?: number;
  /** Write zips in the ZIP64 format even when small (as archives over 4 GB must be). */
  zip64?: boolean;
}

const bytesStream = (bytes: Uint8Array) => () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });

/**
 * All entries of an export in archive order: extras and, folder by folder, each media file followed by its
 * sidecar; except that about one sidecar in seven of the first 40 % is moved to the very end and about one in
 * seven of the last 40 % to the very start (with a motion video and an edited copy moved to the end too), so that
 * a split puts them in another archive than their media, as real exports do.
 */
export function archiveEntries(exp: TakeoutExport): TakeoutEntry[] {
  const entries: TakeoutEntry[] = [];
  const extras = exp.extras.map((x): TakeoutEntry => ({
    path: x.path,
    size: x.bytes.length,
    mtimeMs: x.mtimeMs,
    kind: x.kind,
    open: bytesStream(x.bytes),
  }));
  const firstExtras = extras.filter((x) => x.path === "Takeout/archive_browser.html");
  entries.push(...firstExtras);
  const albumMeta = new Map(extras.filter((x) => x.kind === "album-metadata").map((x) => [x.path, x]));
  let folder = "";
  for (const file of exp.files) {
    if (file.folder !== folder) {
      folder = file.folder;
      const meta = albumMeta.get(`${exp.root}/${folder}/metadata.json`);
      if (meta) entries.push(meta);
    }
    entries.push({
      path: file.path,
      size: file.size,
      mtimeMs: file.mtimeMs,
      kind: "media",
      file,
      open: () => fileStream(file),
    });
    if (file.sidecar && file.sidecarText !== undefined) {
      const bytes = enc.encode(file.sidecarText);
      entries.push({
        path: `${exp.root}/${file.folder}/${file.sidecar}`,
        size: bytes.length,
        mtimeMs: file.mtimeMs,
        kind: "sidecar",
        file,
        open: bytesStream(bytes),
      });
    }
  }
  entries.push(...extras.filter((x) => x.kind === "other" && !firstExtras.includes(x)));

  const random = mulberry32(exp.seed ^ 0x5eed);
  const n = entries.length;
  const early: TakeoutEntry[] = [];
  const late: TakeoutEntry[] = [];
  let movedVideo = false;
  let movedEdited = false;
  for (const [i, e] of entries.entries()) {
    if (e.kind === "sidecar" && i < n * 0.4 && (late.length === 0 || random() < 1 / 7)) late.push(e);
    else if (e.kind === "sidecar" && i > n * 0.6 && (early.length === 0 || random() < 1 / 7)) early.push(e);
    else if (e.kind === "media" && e.file?.motionOf && !movedVideo && i < n * 0.5) {
      (late.push(e), movedVideo = true);
    } else if (e.kind === "media" && e.file?.editedOf && !movedEdited && i < n * 0.5) {
      (late.push(e), movedEdited = true);
    }
  }
  const moved = new Set([...early, ...late]);
  return [...early, ...entries.filter((e) => !moved.has(e)), ...late];
}

/** The parts {@linkcode writeArchives} writes, with their names and entries. */
export function planArchives(exp: TakeoutExport, options: ArchiveOptions = {}): ArchivePart[] {
  const { format = "zip", parts, maxPartBytes } = options;
  if (parts !== undefined && maxPartBytes !== undefined) {
    throw new RangeError("Give parts or maxPartBytes, not both");
  }
  if (parts !== undefined && (!Number.isSafeInteger(parts) || parts < 1)) {
    throw new RangeError(`parts must be >= 1, got ${parts}`);
  }
  if (maxPartBytes !== undefined && !(maxPartBytes > 0)) {
    throw new RangeError(`maxPartBytes must be > 0, got ${maxPartBytes}`);
  }
  const entries = archiveEntries(exp);
  const groups: TakeoutEntry[][] = [];
  if (maxPartBytes !== undefined) {
    let current: TakeoutEntry[] = [];
    let size = 0;
    for (const e of entries) {
      if (current.length > 0 && size + e.size > maxPartBytes) (groups.push(current), current = [], size = 0);
      current.push(e);
      size += e.size;
    }
    groups.push(current);
  } else {
    const n = Math.min(parts ?? 1, entries.length);
    const total = entries.reduce((s, e) => s + e.size, 0);
    let at = 0;
    let sum = 0;
    for (let k = 1; k <= n; k++) {
      const group: TakeoutEntry[] = [];
      const target = k === n ? Infinity : (total * k) / n;
      // Leave at least one entry for each part still to come.
      while (at < entries.length - (n - k) && (group.length === 0 || sum + entries[at].size / 2 <= target)) {
        sum += entries[at].size;
        group.push(entries[at++]);
      }
      groups.push(group);
    }
  }
  const stamp = new Date(exp.exportedMs).toISOString().replace(/[-:]|\.\d+/g, "");
  const ext = format === "zip" ? ".zip" : format === "tgz" ? ".tgz" : "";
  return groups.map((group, i) => ({
    name: `takeout-${stamp}-${String(i + 1).padStart(3, "0")}${ext}`,
    entries: group,
    bytes: group.reduce((s, e) => s + e.size, 0),
  }));
}

/** The bytes of the files at `paths` together (an export's parts: what a run that fetches each once fetches). */
export async function totalSize(paths: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const path of paths) bytes += (await Deno.stat(path)).size;
  return bytes;
}

/**
 * Writes an export into `dir` as zip or tgz archives, or as folders (each part extracted into a folder named like
 * its archive), streaming every entry, and returns the paths written. Entries keep their modification times;
 * archives are dated a minute apart from a minute after the export's time.
 */
export async function writeArchives(
  exp: TakeoutExport,
  dir: string,
  options: ArchiveOptions = {},
): Promise<string[]> {
  const { format = "zip", level, zip64 } = options;
  if (level !== undefined && (!Number.isSafeInteger(level) || level < 0 || level > 9)) {
    throw new RangeError(`level must be 0..9, got ${level}`);
  }
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [i, part] of planArchives(exp, options).entries()) {
    const path = join(dir, part.name);
    if (format === "zip") await writeZip(path, part.entries, { level, zip64 });
    else if (format === "tgz") await writeTgz(path, part.entries);
    else await writeFolder(path, part.entries);
    // Dated as a delivery writes an export's parts: one after another, soon after the export's time. A
    // store (the emulated Drive, rclone's WebDAV) reports this time, and a part that came within the
    // last day may be held back as a delivery still running (see remote/store_exports.ts).
    if (format !== "folder") {
      const delivered = new Date(exp.exportedMs + (i + 1) * 60_000);
      await Deno.utime(path, delivered, delivered);
    }
    paths.push(path);
  }
  return paths;
}

let zipConfigured = false;

/** Writes `entries` as a zip at `path`, streaming each, with its modification time. */
export async function writeZip(
  path: string,
  entries: TakeoutEntry[],
  options: { level?: number; zip64?: boolean },
): Promise<void> {
  if (!zipConfigured) (configure({ useWebWorkers: false }), zipConfigured = true);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const zip = new ZipWriter(file.writable, {
    ...(options.level === undefined ? {} : { level: options.level }),
    ...(options.zip64 ? { zip64: true } : {}),
  });
  for (const e of entries) {
    await zip.add(e.path, e.open(), { lastModDate: new Date(e.mtimeMs) });
  }
  await zip.close();
}

async function writeTgz(path: string, entries: TakeoutEntry[]): Promise<void> {
  const pack = tar.pack();
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const gzip = new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const written = ReadableStream.from(pack as AsyncIterable<Uint8Array>).pipeThrough(gzip).pipeTo(
    file.writable,
  );
  try {
    for (const e of entries) {
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(
          { name: e.path, size: e.size, mtime: new Date(e.mtimeMs), mode: 0o644 },
          (error?: Error | null) => error ? reject(error) : resolve(),
        );
        (async () => {
          for await (const chunk of e.open()) {
            if (!sink.write(chunk)) await new Promise<void>((drained) => sink.once("drain", () => drained()));
          }
          sink.end(undefined);
        })().catch(reject);
      });
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    written.catch(() => {});
    throw error;
  }
  await written;
}

async function writeFolder(path: string, entries: TakeoutEntry[]): Promise<void> {
  for (const e of entries) {
    const target = join(path, ...e.path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await Deno.writeFile(target, e.open());
    const seconds = e.mtimeMs / 1000;
    await Deno.utime(target, seconds, seconds);
  }
}

/**
 * Damages a written archive in place: `truncate` cuts it to 60 % of its length (a zip loses its central
 * directory, a tgz its end); `corrupt` inverts 64 bytes in its middle, keeping the length: the entry there no
 * longer matches its CRC-32 (which zip.js checks only with `checkCrc32: true`; gzip always checks its own), while
 * the rest of a zip stays readable.
 */
export async function damageArchive(path: string, how: "truncate" | "corrupt"): Promise<void> {
  const { size, isFile } = await Deno.stat(path);
  if (!isFile) throw new Error(`Not a file: ${path}`);
  if (how === "truncate") return await Deno.truncate(path, Math.floor(size * 0.6));
  if (how !== "corrupt") throw new RangeError(`how must be "truncate" or "corrupt", got "${how}"`);
  const file = await Deno.open(path, { read: true, write: true });
  try {
    const at = Math.floor(size / 2);
    const buffer = new Uint8Array(Math.min(64, size - at));
    await file.seek(at, Deno.SeekMode.Start);
    let read = 0;
    while (read < buffer.length) {
      const n = await file.read(buffer.subarray(read));
      if (n === null) break;
      read += n;
    }
    for (let i = 0; i < read; i++) buffer[i] ^= 0xff;
    await file.seek(at, Deno.SeekMode.Start);
    let written = 0;
    while (written < read) written += await file.write(buffer.subarray(written, read));
  } finally {
    file.close();
  }
}
