/**
 * Where the parts of Takeout exports are kept when they are not on this disk: a folder of Google
 * Drive (`../drive/`), a WebDAV folder (`../webdav/`). A store lists files and reads byte ranges
 * of them, nothing else; the zip reader over a store (`ranged_zip.ts`) asks only for a zip's
 * directory and the entries an import wants, so no archive crosses the network whole.
 * @module
 */

/** One file of a store. */
export interface RemoteFile {
  /** The store's own handle for it (a Drive file id, a WebDAV URL). */
  readonly id: string;
  /** Its file name (`takeout-20251110T101010Z-001.zip`): what parts and exports are told by. */
  readonly name: string;
  /** How messages name it (`Drive: Takeout/takeout-…-001.zip`; a URL without credentials). */
  readonly location: string;
  /** Its size in bytes. */
  readonly size: number;
  /** When it last changed, epoch ms, when the store says. */
  readonly modifiedMs?: number;
  /** When it came into the store, epoch ms, when the store says (Drive does; WebDAV, as a rule, not). */
  readonly createdMs?: number;
}

/** A place that holds exports' parts, read by byte ranges. */
export interface RemoteStore {
  /** How messages name the store ("Google Drive", a WebDAV folder's URL without credentials). */
  readonly description: string;
  /**
   * Every file that may be a Takeout part (a store may list more: names are checked by the
   * caller). Throws an error for the user (an `AuthError`, a `UsageError`) when the store refuses.
   */
  list(signal?: AbortSignal): AsyncGenerator<RemoteFile>;
  /**
   * Bytes `start` (inclusive) to `end` (exclusive) of `file`, streamed, in one request. A request
   * that fails before its body starts is retried by the store under the shared retry rules; a body
   * that breaks errors the stream, and the caller asks again from where it broke.
   */
  read(
    file: RemoteFile,
    start: number,
    end: number,
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>>;
}

/**
 * Throw a `RangeError` unless bytes `start` (inclusive) to `end` (exclusive) lie inside `file`: a
 * store's {@link RemoteStore.read} checks what it is asked before it asks anything of its own.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRange } from "./remote_store.ts";
 *
 * const file = { id: "f", name: "f.zip", location: "f.zip", size: 10 };
 * checkRange(file, 0, 10);
 * assert.throws(() => checkRange(file, 5, 11), RangeError);
 * ```
 */
export function checkRange(file: RemoteFile, start: number, end: number): void {
  if (
    !Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > file.size
  ) {
    throw new RangeError(`bytes ${start} to ${end} are not inside ${file.location} (${file.size} bytes)`);
  }
}
