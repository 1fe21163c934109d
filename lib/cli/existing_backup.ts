/**
 * The commands that only read a backup (`status`, `report`, `verify`, `query`, `token`) work on one that
 * exists: a mistyped `--dir` must be one line of bad input, not a new folder, `sync.db` and authorisation
 * (and a `sync.db` there that is empty is refused by `Store.open`, never given a fresh schema).
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../core/errors.ts";
import { DB_FILE } from "../core/db_files.ts";
import { shellWord } from "../core/escape.ts";
import { danglingLinkMessage } from "../core/output_tree.ts";

/** Refuses (exit 2, creating nothing) a `dir` that holds no `sync.db`. */
export async function requireBackup(dir: string): Promise<void> {
  const stat = await Deno.stat(join(dir, DB_FILE)).catch(() => undefined);
  if (stat?.isFile) return;
  const link = await Deno.lstat(dir).catch(() => undefined);
  if (link?.isSymlink && !(await Deno.stat(dir).catch(() => undefined))) {
    throw new UsageError(danglingLinkMessage(dir));
  }
  throw new UsageError(
    `no ${DB_FILE} in ${dir}: nothing was backed up there; check --dir, or run photosync --dir ${
      shellWord(dir)
    } first`,
  );
}
