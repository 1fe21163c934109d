/**
 * The read-only commands (`status`, `query`, `token`) work on a backup that exists: a mistyped
 * `--dir` must be one line of bad input, not a new folder, `sync.db` and authorisation.
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../core/errors.ts";
import { DB_FILE } from "../core/db_files.ts";
import { shellWord } from "../core/escape.ts";

/** Refuses (exit 2, creating nothing) a `dir` that holds no `sync.db`. */
export async function requireBackup(dir: string): Promise<void> {
  const stat = await Deno.stat(join(dir, DB_FILE)).catch(() => undefined);
  if (stat?.isFile) return;
  throw new UsageError(
    `no ${DB_FILE} in ${dir}: nothing was backed up there; check --dir, or run photosync --dir ${
      shellWord(dir)
    } first`,
  );
}
