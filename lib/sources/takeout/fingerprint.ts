/**
 * The fingerprint of a staged file: its sha256 (the item's identity) and its first bytes (for
 * the EXIF reader), read back from the temporary file, which is still in the page cache. A stage
 * worker hashes what it writes (`stage_worker.ts`): for its files only the first bytes are read
 * here; the rest (small entries, a tgz, a folder, no worker) are read back whole, on the main thread.
 * @module
 */
import type { Hash } from "node:crypto";

/**
 * `createHash` of node:crypto, loaded once an import makes its first {@link Fingerprinter}: Deno's
 * node:crypto takes about 0.1 s of CPU to load, which every run of the CLI paid (a sync, pick or
 * status run never hashes this way). Loading it then, not at the first file, lets it load while the
 * main thread waits for the first entry's bytes.
 */
let createHash: Promise<(algorithm: string) => Hash> | undefined;

/**
 * Reads staged files back with one buffer, and keeps a file's first bytes in another; use one per
 * import (its calls must not overlap). A new head buffer per file (256 KB for each file without a
 * sidecar date) left tens of megabytes of garbage between collections.
 */
export class Fingerprinter {
  readonly #buffer = new Uint8Array(1 << 20);
  #head = new Uint8Array(0);

  constructor() {
    createHash ??= import("node:crypto").then((crypto) => crypto.createHash);
    createHash.catch(() => {}); // A failure to load is the first file's to report.
  }

  /**
   * The sha256 (hex) of the file at `path` and its first `headBytes` bytes (fewer if the file
   * is smaller); `head` is valid until the next call. With `digest` (a stage worker hashed the
   * bytes as it wrote them), only the first bytes are read.
   */
  async of(path: string, headBytes: number, digest?: string): Promise<{ digest: string; head: Uint8Array }> {
    if (digest !== undefined) return { digest, head: this.#readHead(path, headBytes) };
    const hash = (await createHash!)("sha256");
    if (this.#head.length < headBytes) this.#head = new Uint8Array(headBytes);
    const head = this.#head;
    let headFilled = 0;
    using file = Deno.openSync(path);
    while (true) {
      const count = file.readSync(this.#buffer);
      if (count === null) break;
      const chunk = this.#buffer.subarray(0, count);
      if (headFilled < headBytes) {
        const part = chunk.subarray(0, headBytes - headFilled);
        head.set(part, headFilled);
        headFilled += part.length;
      }
      hash.update(chunk);
    }
    return { digest: hash.digest("hex"), head: head.subarray(0, headFilled) };
  }

  /** The first `headBytes` bytes of the file at `path` (fewer if it is smaller), valid until the next call. */
  #readHead(path: string, headBytes: number): Uint8Array {
    if (this.#head.length < headBytes) this.#head = new Uint8Array(headBytes);
    let filled = 0;
    if (headBytes > 0) {
      using file = Deno.openSync(path);
      while (filled < headBytes) {
        const count = file.readSync(this.#head.subarray(filled, headBytes));
        if (count === null) break;
        filled += count;
      }
    }
    return this.#head.subarray(0, filled);
  }
}

/**
 * A content's digest (hex) kept as a number: its first 48 bits, not its 64 characters (about 100 bytes a
 * file) where a run keeps one per file. Two contents sharing them: about one chance in 10^5 for 100,000.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestKey } from "./fingerprint.ts";
 *
 * assert.equal(digestKey("00000000000a" + "f".repeat(52)), 10);
 * ```
 */
export function digestKey(digest: string): number {
  return parseInt(digest.slice(0, 12), 16);
}
