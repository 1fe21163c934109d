/**
 * What every command says about itself: the list of commands, and the answer to `--help` and
 * `--version`.
 * @module
 */
import { ExitCode } from "../core/errors.ts";
import type { Renderer } from "./render.ts";
import { VERSION } from "./version.ts";

/** Every command word, how it is used and what it does, in the order `photosync help` lists them. */
export const COMMAND_LIST: readonly { name: string; usage: string; summary: string }[] = [
  {
    name: "sync",
    usage: "[sync] [--dir DIR] [flags]",
    summary: "back up what is new (Library API; the default)",
  },
  {
    name: "takeout",
    usage: "takeout [--dir DIR] PATH...",
    summary: "import Takeout archives: no Cloud project",
  },
  {
    name: "pick",
    usage: "pick [--dir DIR] [flags]",
    summary: "back up what you pick in Google Photos' picker",
  },
  { name: "status", usage: "status [--dir DIR] [--json]", summary: "what DIR/sync.db holds" },
  { name: "verify", usage: "verify [--dir DIR] [--repair]", summary: "check every file's sha256; repair" },
  { name: "report", usage: "report [--dir DIR]", summary: "the backup at a glance: one HTML page" },
  { name: "query", usage: "query ID [--dir DIR]", summary: "one item's JSON, fresh from the Library API" },
  { name: "token", usage: "token [--dir DIR] [--scope S]", summary: "print a saved refresh token" },
  { name: "help", usage: "help [COMMAND]", summary: "this list, or COMMAND's flags" },
  { name: "version", usage: "version", summary: "print the version (or --version)" },
];

/** The first lines of `photosync --help` and all of `photosync help`: the version and the commands. */
export function overview(): string {
  const width = Math.max(...COMMAND_LIST.map((command) => command.usage.length));
  const lines = COMMAND_LIST.map(({ usage, summary }, i) =>
    `${i === 0 ? "Usage:" : "      "} photosync ${usage.padEnd(width)}  ${summary}`
  );
  return `photosync ${VERSION}: back up Google Photos to a local folder\n\n${lines.join("\n")}`;
}

/**
 * The answer to `--help` (print `help`) or `--version` (print the version), whichever the flags
 * ask for, as the exit code; undefined when they ask for neither.
 */
export function answerHelpOrVersion(
  flags: { help?: boolean; version?: boolean },
  help: string,
  renderer: Renderer,
): number | undefined {
  if (flags.help) renderer.output(help);
  else if (flags.version) renderer.output(`photosync ${VERSION}`);
  else return undefined;
  return ExitCode.ok;
}
