/**
 * The messages between an import and its stage workers.
 * @module
 */
import type { TempFile } from "../../core/output_tree.ts";

/**
 * How many bodies of one zip are read at once without seeking: one file handle each (here, apart
 * from `zip.ts`, so that what only counts them does not load zip.js).
 */
export const ZIP_HANDLES = 3;

export { WORKER_READY } from "../../core/workers.ts";

/**
 * Stream the entry `path` of the zip `archive`, whose local header is at `offset` and which is
 * `compressedSize` bytes as stored, into `root`'s temporary folder, checked against `crc32`.
 */
export interface StageRequest {
  id: number;
  archive: string;
  offset: number;
  compressedSize: number;
  crc32?: number;
  path: string;
  /** The output directory (its temporary folder receives the file). */
  root: string;
  tempName: string;
  expectedSize: number;
}

/** The staged file, or why it could not be staged (by the kind of error thrown). */
export interface StageReply {
  id: number;
  staged?: TempFile;
  error?: { kind: "body" | "archive" | "fs" | "other"; message: string; cause?: string };
}
