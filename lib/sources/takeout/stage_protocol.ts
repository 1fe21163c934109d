/**
 * The messages between an import and its stage workers.
 * @module
 */
import type { Staged, StageOptions } from "./stage.ts";

/** The worker's first message: its modules are loaded and it takes requests. */
export const WORKER_READY = "ready";

/** Stage the file at `index` of the zip `archive` (whose path there is `path`) under `root`. */
export interface StageRequest extends StageOptions {
  id: number;
  archive: string;
  index: number;
  path: string;
  /** The output directory (its temporary folder receives the file). */
  root: string;
}

/** The staged file, or why it could not be staged (by the kind of error thrown). */
export interface StageReply {
  id: number;
  staged?: Staged;
  error?: { kind: "body" | "archive" | "fs" | "other"; message: string; cause?: string };
}
