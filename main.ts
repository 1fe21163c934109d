/**
 * photosync: back up Google Photos to a local folder.
 *
 * Every source ends in the same place and record step:
 *
 * ```text
 * library, picker: index → sync.db → transfer pool: a pending item's bytes → <dir>/.photosync-tmp/
 * takeout:         catalog → plan → stage: an archive entry's bytes → <dir>/.photosync-tmp/ → commit: hash, date
 * then, for both:  place and record: <dir>/YYYY/MM/DD/<file> (mtime = capture time; never over a file
 *                  photosync did not write), its row in sync.db, album links
 * ```
 *
 * - {@link sync}: the Library API (`lib/sources/library/`); {@link takeout}: Google Takeout
 *   archives (`lib/sources/takeout/`); {@link pick}: the items a user picks in Google Photos'
 *   picker (`lib/sources/picker/`); {@link verify}: every file checked against its sha256, and
 *   repaired; {@link runCli}: the command line.
 * - Stop it at any moment; the next run resumes from what `sync.db` recorded.
 *
 * See ARCHITECTURE.md for the folders and what may import what.
 * @module
 */
import { runCli } from "./lib/cli/run.ts";

export { sync, type SyncIo, type SyncOptions, type SyncSummary } from "./lib/library.ts";
export { takeout, type TakeoutOptions, type TakeoutReport } from "./lib/takeout.ts";
export { pick, type PickIo, type PickOptions, type PickSummary } from "./lib/picker.ts";
export { verify, type VerifyOptions, type VerifyReport } from "./lib/verify.ts";
export type { PathItem, PathMapper } from "./lib/core/layout.ts";
export type { Logger, Progress } from "./lib/core/logger.ts";
export { Renderer } from "./lib/cli/render.ts";
export { runCli };

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
