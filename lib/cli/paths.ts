/**
 * Path flags (`--dir`, `--creds`, `--new-files`, Takeout's PATHs) as the user meant them: a leading
 * `~` is their home folder, and a relative path is relative to the folder they ran photosync from.
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../core/errors.ts";

/** Where path flags are resolved from. */
export interface PathBase {
  /** The home folder that a leading `~` stands for, when known. */
  home?: string;
  /**
   * The folder relative paths are resolved against, when it is not the process's own: `deno task`
   * runs photosync in deno.json's folder and says in `INIT_CWD` where it was run from.
   */
  cwd?: string;
}

/**
 * The {@link PathBase} of this process: home from `HOME` (`USERPROFILE` on Windows), the folder from
 * `INIT_CWD`. Only `deno task photosync` may read `INIT_CWD` (its `--allow-env`), so the compiled
 * binary and `deno run` resolve against their own working folder.
 */
export function pathBase(
  env: (name: string) => string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): PathBase {
  return {
    home: env(os === "windows" ? "USERPROFILE" : "HOME") || undefined,
    cwd: env("INIT_CWD") || undefined,
  };
}

/**
 * `path` of the flag `flag` with a leading `~` or `~/` (also `~\` on Windows) made the home folder and,
 * when `base.cwd` is set, a relative path made absolute against it; otherwise unchanged, so that the
 * process's working folder applies. Shells do not expand `~` after `=` (`--dir=~/photos`), and `deno
 * task` does not run in the user's folder: both are done here. `~user` is left as it is.
 *
 * @example Usage
 * ```ts
 * import { resolvePath } from "./paths.ts";
 * import assert from "node:assert/strict";
 *
 * const base = { home: "/home/ann", cwd: "/home/ann/src" };
 * assert.equal(resolvePath("--dir", "~/photos", base, "linux"), "/home/ann/photos");
 * assert.equal(resolvePath("--dir", "photos", base, "linux"), "/home/ann/src/photos");
 * assert.equal(resolvePath("--dir", "photos", { home: "/home/ann" }, "linux"), "photos");
 * ```
 */
export function resolvePath(
  flag: string,
  path: string,
  base: PathBase,
  os: typeof Deno.build.os = Deno.build.os,
): string {
  const home = os === "windows" ? /^~(?:$|[/\\])/ : /^~(?:$|\/)/;
  if (home.test(path)) {
    if (!base.home) {
      throw new UsageError(
        `${flag} ${path}: cannot expand ~, ${
          os === "windows" ? "USERPROFILE" : "HOME"
        } is not set; give the full path`,
      );
    }
    return join(base.home, path.slice(2));
  }
  if (path === "" || !base.cwd || isAbsolute(path)) return path;
  return resolve(base.cwd, path);
}
