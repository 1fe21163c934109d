/**
 * The flags photosync runs with (its Deno permissions and V8 settings), read from their one definition:
 * deno.json's `photosync` task, the command users run. The test harness, the bench and `deno compile` take
 * them from here, so every run of photosync has the same permissions as the user's.
 *
 * The V8 flags: a small young generation (downloads allocate buffers at a high rate, and V8's default
 * semi-spaces let the resident set grow past 150 MB for no gain in speed), and a heap grown by a fifth (not
 * V8's default of up to double) before the next full collection (indexing parses page after page, mostly
 * garbage, which otherwise lifted the resident set of a 50,000-item index from about 90 MB to 115 MB), and
 * pages a collection freed given back to the system after a second unused, not V8's 8 (a remote Takeout's
 * catalog leaves about 16 MB of them, which otherwise stayed through the first seconds of the import, when
 * its buffers come: the peak of a 3,000 MB baseline over WebDAV; see BENCHMARKS.md).
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/**
 * The task's flag that loads the modules behind a dynamic `import()` when it runs, not with the graph at
 * the start: without it, every start of `deno run` read and looked up the modules of every command (about
 * 20 ms of CPU). Not for `deno compile` (`scripts/compile.ts`), which embeds the modules of the graph it
 * builds: with this flag and no type check, that graph leaves out the modules behind each `import()`.
 */
export const LAZY_IMPORTS_FLAG = "--unstable-lazy-dynamic-imports";

/** The words of deno.json's `photosync` task between `deno run` and `main.ts`. */
export function runFlags(): string[] {
  const task = denoJson.tasks.photosync;
  const words = task.split(" ");
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== "main.ts" || /["'\\]/.test(task)) {
    throw new Error(`deno.json's photosync task is not "deno run <flags> main.ts" without quoting: ${task}`);
  }
  return words.slice(2, -1);
}

/**
 * The environment variables photosync may read: its `--allow-env` list in {@link runFlags}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { grantedEnv } from "./run_flags.ts";
 *
 * assert.ok(grantedEnv().has("PHOTOSYNC_API_URL"));
 * assert.ok(!grantedEnv().has("PATH"));
 * ```
 */
export function grantedEnv(): Set<string> {
  const flag = runFlags().find((word) => word.startsWith("--allow-env="));
  if (!flag) throw new Error("deno.json's photosync task grants no --allow-env list");
  return new Set(flag.slice("--allow-env=".length).split(","));
}
