/**
 * What the commands that fetch and place files share (`sync`, `pick`, `takeout`): their flags for the
 * folder, authorising and downloading, the limits of an unattended run, `--new-files`, and the exit code
 * of a run that left items. Its own module, so that a command loads none of another's pipeline.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { DEFAULT_LAYOUT } from "../core/layout.ts";
import { ExitCode, PhotosyncError, UsageError } from "../core/errors.ts";
import type { TransferResult } from "../core/transfer.ts";
import { COMMON_FLAGS } from "./args.ts";
import { writeWhole, writeWholeSync } from "./whole_file.ts";
import { formatCount } from "./format.ts";
import { FOLDER_FLAGS } from "./folder_flags.ts";
import type { Renderer } from "./render.ts";
import { shellWord } from "../core/escape.ts";

/** The flags `sync` and `pick` share: the folder, authorising, downloading, how much to say. */
export const DOWNLOAD_FLAGS = {
  dir: { type: "string", default: "." },
  creds: { type: "string" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  layout: { type: "string", default: DEFAULT_LAYOUT },
  "no-browser": { type: "boolean" },
  ...FOLDER_FLAGS,
  ...COMMON_FLAGS,
} as const;

/** The flags that bound an unattended run and list what it added: `sync`'s, and `takeout --drive`'s. */
export const RUN_LIMIT_FLAGS = {
  "max-time": { type: "string" },
  "max-bytes": { type: "string" },
  "new-files": { type: "string" },
} as const;

/** 0, or 3 with a warning pointing at `photosync status` when some items were not downloaded. */
export function downloadsExitCode(downloads: TransferResult, dir: string, renderer: Renderer): number {
  if (!downloads.failed && !downloads.deferred) return ExitCode.ok;
  renderer.warn(
    `${formatCount(downloads.failed, "item")} failed and ${
      formatCount(downloads.deferred, "item")
    } still pending; see photosync status --dir ${shellWord(dir)}`,
  );
  return ExitCode.incomplete;
}

/** What {@link newFilesList} gives: add a path (`from`: the path a file moved there left), write the list. */
export interface NewFilesList {
  add(path: string, from?: string): void;
  write(): Promise<void>;
}

/**
 * `--new-files`: the paths this run placed (relative to `dir`), one a line: files, and the album links a
 * Takeout import made (symbolic links, listed as such: a job stores them as links). The list grows as files
 * land, a line written at once for each: a run stopped in any way, a kill included, leaves listed
 * every file it placed (and so every file its records in sync.db name). A file it listed that moves on
 * (re-dated by a later export's sidecar, a date corrected in Google Photos) leaves the list for its new path
 * while it is at both (see `OutputTree.move`): the whole list written again, atomically (a temporary file
 * beside it, renamed), so that a run killed at any moment leaves a list a job can copy every file of, none
 * missing. At the end it is written again so: sorted, each once, only the files still there (an album link
 * made again elsewhere, a file removed as trash). Its folder is checked up front, so that a mistyped path is
 * bad input before anything is fetched.
 */
export async function newFilesList(file: string, dir: string): Promise<NewFilesList> {
  const folder = dirname(resolve(file));
  // The list replaces what is there whole (a rename): a device (/dev/stdout), a link or a folder would be.
  const there = await Deno.lstat(file).catch(() => undefined);
  if (there && !there.isFile) {
    throw new UsageError(`--new-files ${file} is no regular file: give a file's path`);
  }
  if (!(await Deno.stat(folder).catch(() => undefined))?.isDirectory) {
    throw new UsageError(`--new-files ${file}: the folder ${folder} does not exist`);
  }
  const cannot = (error: unknown) =>
    new PhotosyncError(`cannot write --new-files ${file}: ${(error as Error).message}`, { cause: error });
  let growing: Deno.FsFile | undefined;
  try {
    growing = await Deno.open(file, { write: true, create: true, truncate: true });
  } catch (error) {
    throw cannot(error);
  }
  const paths = new Set<string>();
  const encoder = new TextEncoder();
  let failed: unknown;
  return {
    add(path: string, from?: string) {
      const moved = from !== undefined && paths.delete(from);
      if (!moved && paths.has(path)) return;
      paths.add(path);
      if (!growing || failed !== undefined) return;
      try {
        if (moved) {
          // Done before this returns, while the file is at both paths (the caller removes the old one then).
          growing.close();
          growing = undefined;
          writeWholeSync(file, [...paths].map((listed) => `${listed}\n`).join(""));
          growing = Deno.openSync(file, { append: true });
          return;
        }
        const line = encoder.encode(`${path}\n`);
        for (let at = 0; at < line.length;) at += growing.writeSync(line.subarray(at));
      } catch (error) {
        // Said by `write`: the place and record step goes on.
        failed = error;
      }
    },
    async write() {
      growing?.close();
      growing = undefined;
      // A file, or an album's link (a link to a file elsewhere in the tree, or to one stored elsewhere).
      const there = [...paths].filter((path) => {
        try {
          const stat = Deno.lstatSync(join(dir, ...path.split("/")));
          return stat.isFile || stat.isSymlink;
        } catch {
          return false;
        }
      });
      await writeWhole(file, there.sort().map((path) => `${path}\n`).join("")).catch((error) => {
        throw cannot(error);
      });
      if (failed !== undefined) throw cannot(failed);
    },
  };
}
