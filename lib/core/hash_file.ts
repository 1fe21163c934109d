/**
 * The sha256 of a file, read in large chunks: what the hash workers run, and what runs on the
 * main thread where they cannot start.
 * @module
 */
import { createHash } from "node:crypto";

/** Bytes read at a time: large enough that a call costs little per byte. */
const CHUNK = 1 << 20;

/** A request to a hash worker: the file at `path`. */
export interface HashRequest {
  id: number;
  path: string;
}

/** A hash worker's answer: the file's hash, or why it could not be read (`missing`: no file there). */
export type HashReply = { id: number } & (FileHash | { error: string; missing: boolean });

/** A file's sha256 (hex) and the bytes it was taken over. */
export interface FileHash {
  digest: string;
  size: number;
}

/**
 * The sha256 (hex) of the file at `path` and its size, read with `buffer` (one per caller: calls
 * must not share one at once). Synchronous reads: in a worker nothing else waits, and a read from
 * the page cache is shorter than an asynchronous call's round trip.
 *
 * @example Usage
 * ```ts
 * import { hashFileSync } from "./hash_file.ts";
 * import assert from "node:assert/strict";
 *
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "abc");
 * assert.deepEqual(hashFileSync(path), {
 *   digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 *   size: 3,
 * });
 * Deno.removeSync(path);
 * ```
 */
export function hashFileSync(path: string, buffer: Uint8Array = new Uint8Array(CHUNK)): FileHash {
  const hash = createHash("sha256");
  let size = 0;
  using file = Deno.openSync(path, { read: true });
  for (;;) {
    const count = file.readSync(buffer);
    if (count === null) break;
    hash.update(buffer.subarray(0, count));
    size += count;
  }
  return { digest: hash.digest("hex"), size };
}

/** {@link hashFileSync} with reads that let other work run between them (on the main thread). */
export async function hashFile(path: string, buffer: Uint8Array = new Uint8Array(CHUNK)): Promise<FileHash> {
  const hash = createHash("sha256");
  let size = 0;
  using file = await Deno.open(path, { read: true });
  for (;;) {
    const count = await file.read(buffer);
    if (count === null) break;
    hash.update(buffer.subarray(0, count));
    size += count;
  }
  return { digest: hash.digest("hex"), size };
}
