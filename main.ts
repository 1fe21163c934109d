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
import type { SyncOptions, SyncSummary } from "./lib/library.ts";
import type {
  RemoteTakeoutOptions,
  RemoteTakeoutReport,
  TakeoutOptions,
  TakeoutReport,
} from "./lib/takeout.ts";
import type { PickOptions, PickSummary } from "./lib/picker.ts";
import type { VerifyOptions, VerifyReport } from "./lib/verify.ts";

export type { SyncIo, SyncOptions, SyncSummary } from "./lib/library.ts";
export type { TakeoutOptions, TakeoutReport } from "./lib/takeout.ts";
export type { PickIo, PickOptions, PickSummary } from "./lib/picker.ts";
export type { VerifyOptions, VerifyReport } from "./lib/verify.ts";
export type { PathItem, PathMapper } from "./lib/core/layout.ts";
export type { Logger, Progress } from "./lib/core/logger.ts";
export { Renderer } from "./lib/cli/render.ts";
export { runCli };

// The four runs are loaded when first called, as the command line loads only the command it runs: each
// source's modules cost CPU on every start of photosync.

/** Run one sync (the Library API): index, then download. */
export async function sync(options: SyncOptions): Promise<SyncSummary> {
  return await (await import("./lib/library.ts")).sync(options);
}

/**
 * Import a Takeout export: its archives (`paths`), or every export in a `store` not imported in full
 * yet; see `takeout` in lib/takeout.ts.
 */
export async function takeout(options: TakeoutOptions): Promise<TakeoutReport>;
export async function takeout(options: RemoteTakeoutOptions): Promise<RemoteTakeoutReport>;
export async function takeout(
  options: TakeoutOptions | RemoteTakeoutOptions,
): Promise<TakeoutReport | RemoteTakeoutReport> {
  const run = await import("./lib/takeout.ts");
  // Split for the type checker: each call matches one of lib/takeout.ts's overloads.
  return "store" in options ? await run.takeout(options) : await run.takeout(options);
}

/** Run one pick: a session, the user's picks, their downloads. */
export async function pick(options: PickOptions): Promise<PickSummary> {
  return await (await import("./lib/picker.ts")).pick(options);
}

/** Run one verify (and repair). */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  return await (await import("./lib/verify.ts")).verify(options);
}

if (import.meta.main) {
  // A file size limit (the shell's `ulimit -f`) ends a process that writes past it unless the signal is
  // taken: then the write fails, and the run says in one line which limit stopped it.
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGXFSZ", () => {});
  Deno.exit(await runCli(Deno.args));
}
