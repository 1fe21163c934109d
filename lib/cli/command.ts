/**
 * The shape of a subcommand: one file per command under `commands/`, each parsing its own
 * flags and printing its own help.
 * @module
 */
import type { Renderer } from "./render.ts";

/** What every subcommand gets: the renderer and the process's I/O edges. */
export interface CommandContext {
  renderer: Renderer;
  env: (name: string) => string | undefined;
  /** Lines the user types (a pasted redirect URL). */
  stdin: ReadableStream<Uint8Array>;
}

/** A subcommand: parses its own flags, returns the exit code. */
export type Command = (args: string[], context: CommandContext) => Promise<number>;
