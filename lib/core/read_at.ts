/**
 * Exact reads of a file: as many bytes as asked for, fewer only at its end (one `read` may return
 * fewer at any time).
 * @module
 */

/**
 * Up to `length` bytes of `file` from `offset` (from where it is, when undefined): fewer only at
 * its end.
 *
 * @example Usage
 * ```ts
 * import { readAt } from "./read_at.ts";
 * import assert from "node:assert/strict";
 *
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "abcdef");
 * using file = Deno.openSync(path);
 * assert.deepEqual(await readAt(file, 2, 3), new TextEncoder().encode("cde"));
 * assert.deepEqual(await readAt(file, undefined, 9), new TextEncoder().encode("f"));
 * Deno.removeSync(path);
 * ```
 */
export async function readAt(
  file: Deno.FsFile,
  offset: number | undefined,
  length: number,
): Promise<Uint8Array> {
  if (offset !== undefined) await file.seek(offset, Deno.SeekMode.Start);
  const data = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const count = await file.read(data.subarray(filled));
    if (count === null) break;
    filled += count;
  }
  return data.subarray(0, filled);
}
