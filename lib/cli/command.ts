/**
 * The shape of a subcommand: one file per command under `commands/`, each parsing its own
 * flags and printing its own help.
 * @module
 */
import type { Renderer } from "./render.ts";
import type { PathBase } from "./paths.ts";
import type { RunJournal } from "./run_journal.ts";

/** What every subcommand gets: the renderer and the process's I/O edges. */
export interface CommandContext {
  renderer: Renderer;
  env: (name: string) => string | undefined;
  /** Lines the user types (a pasted redirect URL). */
  stdin: ReadableStream<Uint8Array>;
  /**
   * Whether a person may be at this run: stdin or stderr is a terminal. Unattended, with no
   * browser to open, an authorisation ends as soon as stdin does (nobody can paste the address).
   */
  attended: boolean;
  /** Where path flags resolve from: `~` and the folder photosync was run from (see paths.ts). */
  paths: PathBase;
  /**
   * The run's journal: a command names the backup it works on (`begin`); the command line then
   * records the run and appends the CI job summary.
   */
  journal?: RunJournal;
}

/** A subcommand: parses its own flags, returns the exit code. */
export type Command = (args: string[], context: CommandContext) => Promise<number>;
