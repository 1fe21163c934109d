/**
 * The command line: picks the subcommand, owns the renderer, and is the one place where
 * errors become a one-line message and an exit code.
 * @module
 */
import { ExitCode, InterruptedError, PhotosyncError, UsageError } from "../core/errors.ts";
import { keepingLocks } from "../core/folder_lock.ts";
import { PROCESS_SINK, Renderer, type TextSink } from "./render.ts";
import type { Command, CommandContext } from "./command.ts";
import { COMMON_FLAGS, parseFlags } from "./args.ts";
import { didYouMean } from "./did_you_mean.ts";
import { answerHelpOrVersion, COMMAND_LIST, overview } from "./help.ts";
import { pathBase } from "./paths.ts";
import { RunJournal } from "./run_journal.ts";
/**
 * The subcommands by name, each loaded when it runs; `help` and `version` are answered here. Loaded
 * lazily because a command's modules are most of photosync's start-up: `status` or `--help` need
 * neither the Takeout reader nor the Library client, and each module graph costs CPU on every start.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<{ default: Command }>>> = {
  sync: () => import("./commands/sync.ts"),
  status: () => import("./commands/status.ts"),
  query: () => import("./commands/query.ts"),
  takeout: () => import("./commands/takeout.ts"),
  token: () => import("./commands/token.ts"),
  pick: () => import("./commands/pick.ts"),
  verify: () => import("./commands/verify.ts"),
  report: () => import("./commands/report.ts"),
};

/** Run the command `name` (one of {@link COMMANDS}) with `args`. */
async function runCommand(name: string, args: string[], context: CommandContext): Promise<number> {
  const { default: command } = await COMMANDS[name]();
  return await command(args, context);
}

const HELP_HELP = `${overview()}

Run photosync help COMMAND (or photosync COMMAND --help) for a command's flags.`;

/**
 * The process's edges a run of the command line uses: the process's own by default
 * ({@link processIo}); a test's, to run the command line in-process.
 */
export interface CliIo {
  /** Where the text goes: stdout (a command's output) and stderr (everything else). */
  sink: TextSink;
  /** The environment variable `name`, undefined when unset or not granted. */
  env: (name: string) => string | undefined;
  stdin: ReadableStream<Uint8Array>;
  stdinIsTerminal: boolean;
  stderrIsTerminal: boolean;
}

/**
 * The process's own {@link CliIo}. Its stdin stream is made when a command asks for it (one that may
 * authorise): making it sets up Deno's streams, CPU that every other start would pay for nothing.
 */
export function processIo(): CliIo {
  return {
    sink: PROCESS_SINK,
    env: readEnv,
    get stdin() {
      return Deno.stdin.readable;
    },
    stdinIsTerminal: Deno.stdin.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  };
}

/**
 * Run photosync with `args`; returns the exit code.
 *
 * @example In-process, with the text kept
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli } from "./run.ts";
 *
 * let stdout = "";
 * const code = await runCli(["version"], {
 *   sink: { stdout: (text) => stdout += text, stderr: () => {} },
 *   env: () => undefined,
 *   stdin: new ReadableStream({ start: (controller) => controller.close() }),
 *   stdinIsTerminal: false,
 *   stderrIsTerminal: false,
 * });
 * assert.equal(code, 0);
 * assert.match(stdout, /^photosync \d+\.\d+\.\d+/);
 * ```
 */
export async function runCli(args: string[], io: CliIo = processIo()): Promise<number> {
  // One run: the folder's lock, once the command takes it, is held until the journal has recorded the run
  // (not released in between to the next run, which would leave this one unrecorded).
  return await keepingLocks(() => runJournaled(args, io));
}

async function runJournaled(args: string[], io: CliIo): Promise<number> {
  const renderer = new Renderer({
    verbosity: args.includes("--quiet") ? "quiet" : args.includes("--verbose") ? "verbose" : "normal",
    tty: io.stderrIsTerminal,
    sink: io.sink,
  });
  const journal = new RunJournal({ env: io.env });
  let code: number;
  let message: string | undefined;
  try {
    code = await dispatch(args, {
      renderer,
      env: io.env,
      // Asked for when a command reads it (see processIo).
      get stdin() {
        return io.stdin;
      },
      attended: io.stdinIsTerminal || io.stderrIsTerminal,
      paths: pathBase(io.env),
      journal,
    });
  } catch (error) {
    renderer.finish();
    ({ code, message } = printError(error, renderer));
  }
  try {
    // The run's record and job summary: after the command, whose store is closed by now.
    const problem = await journal.end(code, message, renderer.attentionNeeded);
    if (problem) renderer.warn(problem);
  } finally {
    renderer.finish();
  }
  return code;
}

/**
 * The one top-level error printer: one line; the exit code and that line. An error a `using`'s disposal
 * threw while the run was failing already (a report file's last write on the disk that just filled) comes
 * as a `SuppressedError` holding the run's own error, the one said: the cause, not its echo.
 */
export function printError(thrown: unknown, renderer: Renderer): { code: number; message: string } {
  let error = thrown;
  while (error instanceof SuppressedError) error = error.suppressed;
  if (error instanceof InterruptedError) {
    renderer.notice(error.message);
    return { code: error.exitCode, message: error.message };
  }
  if (error instanceof PhotosyncError) {
    renderer.error(error.message);
    return { code: error.exitCode, message: error.message };
  }
  const text = error instanceof Error ? error.message : String(error);
  const message = /disk is full|no space left/i.test(text)
    ? "the disk is full; free some space and run photosync again: nothing downloaded so far is lost"
    : `unexpected failure: ${text}`;
  renderer.error(message);
  return { code: ExitCode.failure, message };
}

/** The command `args` name (`sync` when they start with a flag, or are none), run with the rest. */
function dispatch(args: string[], context: CommandContext): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined || first.startsWith("-")) return runCommand("sync", args, context);
  if (Object.hasOwn(COMMANDS, first)) return runCommand(first, rest, context);
  if (first === "help") return help(rest, context);
  if (first === "version") {
    const { values } = parseFlags("version", rest, COMMON_FLAGS);
    const code = answerHelpOrVersion(
      { ...values, version: true },
      "Usage: photosync version",
      context.renderer,
    );
    return Promise.resolve(code!);
  }
  throw unknownCommand(first);
}

/** `photosync help`: the list of commands; `photosync help COMMAND`: that command's `--help`. */
function help(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags("help", args, COMMON_FLAGS, 1);
  const [name] = positionals;
  if (name !== undefined && Object.hasOwn(COMMANDS, name)) return runCommand(name, ["--help"], context);
  if (name !== undefined && name !== "help" && name !== "version") throw unknownCommand(name);
  return Promise.resolve(
    answerHelpOrVersion({ ...values, help: !values.version }, HELP_HELP, context.renderer)!,
  );
}

function unknownCommand(word: string): UsageError {
  const guess = didYouMean(word, COMMAND_LIST.map((command) => command.name));
  return new UsageError(
    `unknown command "${word}"; ${
      guess ? `did you mean \`${guess}\`?` : "see photosync help for the commands"
    }`,
  );
}

/**
 * The variable `name`, when photosync may read it; undefined when it is not among the variables
 * granted (e.g. `INIT_CWD` outside `deno task`). Asked first, as reading an ungranted variable
 * would stop at a permission prompt on a terminal.
 */
function readEnv(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
  return Deno.env.get(name);
}
