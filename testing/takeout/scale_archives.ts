/**
 * Zips for memory at scale, written fast: one of very many tiny media files (a real 50 GB part holds tens of
 * thousands), and one of a single highly compressible video (a gigabyte from about a megabyte of deflate), each
 * with the truth an import must reproduce.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { configure, Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import { enc } from "./bytes.ts";
import { contentOf, render } from "./content.ts";
import { exifDate, exifSegment } from "./exif.ts";

/** A media file of a scale zip and where an import must date it (UTC). */
export interface ScaleFile {
  /** Entry path. */
  path: string;
  /** The file name an import gives it. */
  name: string;
  size: number;
  /** sha256 of its bytes, hex. */
  sha256: string;
  /** The capture time an import must find (sidecar, EXIF or entry time). */
  takenMs: number;
  dateSource: "sidecar" | "exif" | "file time";
}

/** A written scale zip. */
export interface ScaleZip {
  path: string;
  /** Entries in the zip. */
  entries: number;
  /** Its media files, each of distinct bytes. */
  files: ScaleFile[];
}

const ROOT = "Takeout/Google Photos";
const MTIME_MS = Date.UTC(2025, 10, 10, 10, 10, 10);
const YEARS = 20;

/**
 * A zip of `count` entries (stored, not deflated: the entries are tiny and the zip is written in seconds): in
 * folders of 20 years, groups of a photo with its sidecar, a photo dated by its EXIF only and a photo with no date
 * at all (dated by its entry time); every photo's bytes differ. The last group may be cut short.
 */
export async function writeManyEntriesZip(path: string, count: number): Promise<ScaleZip> {
  const files: ScaleFile[] = [];
  let entries = 0;
  await writeZip(path, 0, async (add) => {
    for (let i = 0; entries < count; i++) {
      const year = 2000 + (i % YEARS);
      const folder = `${ROOT}/Photos from ${year}`;
      const takenMs = Date.UTC(year, i % 12, 1 + (i % 28), 12, 0, 0);
      const kind = i % 3;
      const name = `IMG_${String(i).padStart(6, "0")}.jpg`;
      const exif = kind === 1 ? exifSegment({ dateTimeOriginal: exifDate(takenMs) }) : undefined;
      const bytes = render(contentOf("jpeg", i + 1, 400, exif));
      await add(`${folder}/${name}`, bytes);
      entries++;
      files.push({
        path: `${folder}/${name}`,
        name,
        size: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        takenMs: kind === 2 ? MTIME_MS : takenMs,
        dateSource: kind === 0 ? "sidecar" : kind === 1 ? "exif" : "file time",
      });
      if (kind === 0 && entries < count) {
        const sidecar = { title: name, photoTakenTime: { timestamp: String(takenMs / 1000) } };
        await add(`${folder}/${name}.supplemental-metadata.json`, enc.encode(JSON.stringify(sidecar)));
        entries++;
      }
    }
  });
  return { path, entries, files };
}

/**
 * A zip of one video of `bytes` bytes, all zeros after its header (deflated at the highest level: about a
 * thousandth of its size), with its sidecar.
 */
export async function writeCompressibleZip(path: string, bytes: number): Promise<ScaleZip> {
  const name = "VID_20200102_030405.mp4";
  const takenMs = Date.UTC(2020, 0, 2, 3, 4, 5);
  const header = render(contentOf("mp4", 1, 64));
  const chunk = new Uint8Array(1 << 20);
  const hash = createHash("sha256");
  await writeZip(path, 9, async (add) => {
    const folder = `${ROOT}/Photos from 2020`;
    let sent = 0;
    await add(
      `${folder}/${name}`,
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) {
            controller.enqueue(header);
            hash.update(header);
            sent = header.length;
          } else if (sent < bytes) {
            const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
            controller.enqueue(part.slice());
            hash.update(part);
            sent += part.length;
          } else controller.close();
        },
      }),
    );
    const sidecar = { title: name, photoTakenTime: { timestamp: String(takenMs / 1000) } };
    await add(`${folder}/${name}.supplemental-metadata.json`, enc.encode(JSON.stringify(sidecar)));
  });
  return {
    path,
    entries: 2,
    files: [{
      path: `${ROOT}/Photos from 2020/${name}`,
      name,
      size: bytes,
      sha256: hash.digest("hex"),
      takenMs,
      dateSource: "sidecar",
    }],
  };
}

/** Write a zip at `path` at deflate `level`, its entries added by `fill` (all with the same entry time). */
async function writeZip(
  path: string,
  level: number,
  fill: (
    add: (name: string, bytes: Uint8Array | ReadableStream<Uint8Array>) => Promise<void>,
  ) => Promise<void>,
): Promise<void> {
  configure({ useWebWorkers: false });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const zip = new ZipWriter(file.writable, { level, keepOrder: true });
  const lastModDate = new Date(MTIME_MS);
  await fill(async (name, bytes) => {
    await zip.add(name, bytes instanceof Uint8Array ? new Uint8ArrayReader(bytes) : bytes, { lastModDate });
  });
  await zip.close();
}
