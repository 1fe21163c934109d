/**
 * What the Takeout fixture's self-checks share: exports generated once per options, a file's sidecar as JSON,
 * SHA-256 of bytes, and reading written zip and tgz archives back.
 *
 * @module
 */

import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from "@zip.js/zip.js";
import tar from "tar-stream";
import { generateTakeout } from "./export.ts";
import type { TakeoutExport, TakeoutFile, TakeoutLanguage } from "./model.ts";

/** Generated once per options: generation is deterministic. */
const cache = new Map<string, TakeoutExport>();
export function exportOf(
  language: TakeoutLanguage = "en",
  sidecarStyle: "new" | "old" | "mixed" = "mixed",
  seed = 1,
) {
  const key = `${language}/${sidecarStyle}/${seed}`;
  let exp = cache.get(key);
  if (!exp) cache.set(key, exp = generateTakeout({ language, sidecarStyle, seed }));
  return exp;
}

export const sidecarOf = (f: TakeoutFile) => JSON.parse(f.sidecarText!);

export async function sha(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream as ReadableStream<Uint8Array<ArrayBuffer>>).arrayBuffer());
}

export interface ReadEntry {
  bytes: Uint8Array;
  mtimeMs: number;
}

export async function readZip(path: string): Promise<Map<string, ReadEntry>> {
  const reader = new ZipReader(new Uint8ArrayReader(await Deno.readFile(path)), { checkCrc32: true });
  const out = new Map<string, ReadEntry>();
  try {
    for (const entry of await reader.getEntries()) {
      if (entry.directory) continue;
      out.set(entry.filename, {
        bytes: await entry.getData(new Uint8ArrayWriter()),
        mtimeMs: entry.lastModDate.getTime(),
      });
    }
  } finally {
    await reader.close();
  }
  return out;
}

export async function readTgz(path: string): Promise<Map<string, ReadEntry>> {
  const extract = tar.extract();
  const out = new Map<string, ReadEntry>();
  const done = (async () => {
    for await (const entry of extract) {
      const bytes = await readAll(ReadableStream.from(entry as AsyncIterable<Uint8Array>));
      out.set(entry.header.name, { bytes, mtimeMs: entry.header.mtime!.getTime() });
    }
  })();
  try {
    const file = await Deno.open(path);
    const gunzip = new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
    for await (const chunk of file.readable.pipeThrough(gunzip)) {
      if (!extract.write(chunk)) await new Promise<void>((resolve) => extract.once("drain", () => resolve()));
    }
    extract.end(undefined);
  } catch (error) {
    extract.destroy(error as Error);
    await done.catch(() => {});
    throw error;
  }
  await done;
  return out;
}
