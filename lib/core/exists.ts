/**
 * Whether anything is at a path.
 * @module
 */

/**
 * Whether anything (a file, a folder, a link, even a broken one) is at `path`; false too where it cannot
 * be looked at (a folder on the way that is no folder, or not readable).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { existsSync } from "./exists.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * assert.equal(existsSync(dir), true);
 * assert.equal(existsSync(`${dir}/none`), false);
 * Deno.removeSync(dir);
 * ```
 */
export function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
