/**
 * Writing a file the user names whole (`report --out`, `--new-files`): into a temporary file beside it,
 * then renamed over it, so that a reader never sees half of it.
 * @module
 */
import { basename, dirname, join } from "node:path";

/**
 * Write `text` to `file` whole: a temporary file beside it, renamed over it. On failure the temporary
 * file is removed and the error thrown as it came.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { join } from "node:path";
 * import { writeWhole } from "./whole_file.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * await writeWhole(join(dir, "list.txt"), "a\n");
 * assert.equal(Deno.readTextFileSync(join(dir, "list.txt")), "a\n");
 * assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), ["list.txt"]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function writeWhole(file: string, text: string): Promise<void> {
  const temp = tempBeside(file);
  try {
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, file);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** {@link writeWhole}, done before it returns: for a caller that must not let anything happen meanwhile. */
export function writeWholeSync(file: string, text: string): void {
  const temp = tempBeside(file);
  try {
    Deno.writeTextFileSync(temp, text);
    Deno.renameSync(temp, file);
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch {
      // Not made, or gone: the error is the write's.
    }
    throw error;
  }
}

/** A temporary file's name beside `file`, hidden. */
function tempBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${crypto.randomUUID()}.tmp`);
}
