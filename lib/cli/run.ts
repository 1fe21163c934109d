/**
 * The command line: picks the subcommand, owns the renderer, and is the one place where
 * errors become a one-line message and an exit code.
 * @module
 */
import { ExitCode, InterruptedError, PhotosyncError } from "../core/errors.ts";
import { Renderer } from "./render.ts";
import type { Command } from "./command.ts";
import syncCommand from "./commands/sync.ts";
import statusCommand from "./commands/status.ts";
import queryCommand from "./commands/query.ts";
import takeoutCommand from "./commands/takeout.ts";
import tokenCommand from "./commands/token.ts";
import pickCommand from "./commands/pick.ts";

const COMMANDS: Record<string, Command> = {
  sync: syncCommand,
  status: statusCommand,
  query: queryCommand,
  takeout: takeoutCommand,
  token: tokenCommand,
  pick: pickCommand,
};

/** Run photosync with `args`; returns the exit code. */
export async function runCli(args: string[]): Promise<number> {
  const renderer = new Renderer({
    verbosity: args.includes("--quiet") ? "quiet" : args.includes("--verbose") ? "verbose" : "normal",
  });
  const [first, ...rest] = args;
  const named = first !== undefined && Object.hasOwn(COMMANDS, first);
  const command = named ? COMMANDS[first] : syncCommand;
  try {
    return await command(named ? rest : args, { renderer, env: readEnv, stdin: Deno.stdin.readable });
  } catch (error) {
    renderer.finish();
    if (error instanceof InterruptedError) {
      renderer.notice(error.message);
      return error.exitCode;
    }
    if (error instanceof PhotosyncError) {
      renderer.error(error.message);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    renderer.error(
      /disk is full|no space left/i.test(message)
        ? "the disk is full; free some space and run photosync again: nothing downloaded so far is lost"
        : `unexpected failure: ${message}`,
    );
    return ExitCode.failure;
  } finally {
    renderer.finish();
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // Not among the variables photosync is allowed to read.
  }
}
