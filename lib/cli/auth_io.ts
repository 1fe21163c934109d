/**
 * What an authorisation needs from the command line: the user's browser, the terminal, the folder
 * photosync was run from.
 * @module
 */
import type { GoogleIo } from "../google/io.ts";
import { browserOpener } from "./browser.ts";
import type { CommandContext } from "./command.ts";

/**
 * The I/O edges of a run that may authorise: the user's browser (unless `--no-browser`), the
 * terminal a redirect address may be pasted on and whether anyone is there, and the folder a
 * default client secret file is looked for in.
 */
export function authorisationIo(noBrowser: boolean | undefined, context: CommandContext): GoogleIo {
  const { env, stdin, attended, paths } = context;
  return {
    env,
    openBrowser: noBrowser ? undefined : browserOpener(env),
    input: stdin,
    attended,
    cwd: paths.cwd,
  };
}
