/**
 * The messages between an import and its stage workers.
 * @module
 */
import type { TempFile } from "../../core/output_tree.ts";

/**
 * Bytes of a stored entry sent to a worker and not yet taken by it: the main thread sends more as
 * the worker takes them, so that a slow disk holds back the fetching, not the memory.
 */
export const STORED_AHEAD = 4 * 1024 * 1024;

export { WORKER_READY } from "../../core/workers.ts";

/** Where the staged file goes. */
interface StageTarget {
  id: number;
  /** The entry's path in its archive (for messages, and to check the local header found). */
  path: string;
  /** The output directory (its temporary folder receives the file). */
  root: string;
  tempName: string;
  expectedSize: number;
}

/**
 * Stream the entry of the local zip `archive` whose local header is at `offset` and which is
 * `compressedSize` bytes as stored into `root`'s temporary folder, checked against `crc32`.
 */
export interface ZipStageRequest extends StageTarget {
  kind: "zip";
  archive: string;
  offset: number;
  compressedSize: number;
  crc32?: number;
}

/**
 * Decode a zip entry whose stored bytes follow as {@link StoredChunk}s (`StoredEntry` without its
 * stream) into `root`'s temporary folder.
 */
export interface StoredStageRequest extends StageTarget {
  kind: "stored";
  method: number;
  encrypted: boolean;
  compressedSize: number;
  crc32: number;
  size: number;
}

export type StageRequest = ZipStageRequest | StoredStageRequest;

/**
 * The next bytes of a stored entry (`bytes`, transferred), its end (`end`), or that the main thread
 * stopped sending them (`stop`: their source failed; the worker drops the entry).
 */
export interface StoredChunk {
  kind: "chunk";
  id: number;
  bytes?: Uint8Array;
  end?: boolean;
  stop?: boolean;
}

/** What the main thread sends a worker. */
export type ToWorker = StageRequest | StoredChunk;

/**
 * A staged file; `sha256` (hex) when a stage worker staged it: the hash of the bytes as it wrote
 * them, so that the commit need not read the file back for it.
 */
export interface StagedFile extends TempFile {
  sha256?: string;
}

/** The staged file, or why it could not be staged (by the kind of error thrown). */
export interface StageReply {
  kind: "reply";
  id: number;
  staged?: StagedFile;
  error?: { kind: "body" | "archive" | "fs" | "other"; message: string; cause?: string };
}

/** The worker took `taken` more bytes of a stored entry: room for as many more. */
export interface StoredTaken {
  kind: "taken";
  id: number;
  taken: number;
}

/** What a worker sends the main thread. */
export type FromWorker = StageReply | StoredTaken;
