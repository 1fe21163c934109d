/**
 * photosync: back up Google Photos to a local folder.
 *
 * Every source runs the same pipeline:
 *
 * ```text
 * source (async batches of items)  →  Store: <dir>/sync.db, one transaction per batch
 *                                  →  transfer pool: pending items → <dir>/.photosync-tmp/
 *                                  →  output tree: renamed to <dir>/YYYY/MM/DD/<file>, mtime = capture time
 * ```
 *
 * - {@link sync}: the Library API (`lib/sources/library/`); {@link takeout}: Google Takeout
 *   archives (`lib/sources/takeout/`); {@link pick}: the items a user picks in Google Photos'
 *   picker (`lib/sources/picker/`); {@link runCli}: the command line.
 * - Stop it at any moment; the next run resumes from what `sync.db` recorded.
 *
 * See ARCHITECTURE.md for the folders and what may import what.
 * @module
 */
import { runCli } from "./lib/cli/run.ts";

export { sync, type SyncIo, type SyncOptions, type SyncSummary } from "./lib/library.ts";
export { takeout, type TakeoutOptions, type TakeoutReport } from "./lib/takeout.ts";
export { pick, type PickIo, type PickOptions, type PickSummary } from "./lib/picker.ts";
export type { PathItem, PathMapper } from "./lib/core/layout.ts";
export type { Logger, Progress } from "./lib/core/logger.ts";
export { Renderer } from "./lib/cli/render.ts";
export { runCli };

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
