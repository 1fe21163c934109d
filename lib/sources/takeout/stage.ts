/**
 * Staging a media file: stream its bytes into a temporary file of the output tree, hashing
 * them (sha256) and keeping the first bytes for the EXIF reader. This is the heavy part of an
 * import (inflating, hashing, writing); it runs on the main thread or in a stage worker.
 * @module
 */
import { createHash } from "node:crypto";
import type { OutputTree } from "../../core/output_tree.ts";

/** An entry's bytes in a temporary file, not yet placed. */
export interface Staged {
  /** Path of the temporary file. */
  temp: string;
  size: number;
  /** sha256 of the bytes, hex. */
  digest: string;
  /** The first {@link StageOptions.headBytes} bytes (fewer if the file is smaller). */
  head: Uint8Array;
}

/** What to stage: where to, how many bytes to expect, and whether the first bytes are wanted. */
export interface StageOptions {
  tempName: string;
  expectedSize: number;
  /** How many of the first bytes to keep (for the EXIF reader, when no sidecar dates the file). */
  headBytes: number;
}

/**
 * Stream `body` into `tree`'s temporary file `tempName`, hashing it. Fails as
 * {@link OutputTree.writeTemp} does; on failure no temporary file is left.
 */
export async function stageFile(
  tree: OutputTree,
  body: ReadableStream<Uint8Array>,
  options: StageOptions,
): Promise<Staged> {
  const hash = createHash("sha256");
  const head = new Uint8Array(Math.min(options.headBytes, options.expectedSize));
  let headBytes = 0;
  const { temp, size } = await tree.writeTemp(body, {
    tempName: options.tempName,
    expectedSize: options.expectedSize,
    onChunk(chunk) {
      hash.update(chunk);
      if (headBytes < head.length) {
        const part = chunk.subarray(0, head.length - headBytes);
        head.set(part, headBytes);
        headBytes += part.length;
      }
    },
  });
  return { temp, size, digest: hash.digest("hex"), head: head.subarray(0, headBytes) };
}
