/**
 * What photosync tells the user to run when Google refuses an authorisation, when none is saved, or when
 * nobody can give one here: each scope's commands, and the backup's folder they name (quoted for a shell).
 * Every such message is built here, so that the command it names, run as printed (FILE being the client
 * secret file), authorises that scope for that folder: `photosync --creds` authorises the Library scope
 * only, so the Picker's and the Drive's advice names commands of their own.
 * @module
 */
import { shellWord } from "../core/escape.ts";
import { DRIVE_SCOPE, LIBRARY_SCOPE, PICKER_SCOPE } from "./oauth.ts";

/** A scope's commands. */
export interface ScopeCommands {
  /** What authorises the scope again in a folder (`--dir DIR --creds FILE` follow). */
  authorise: string;
  /** What prints the scope's saved refresh token; with `--creds`, it authorises the scope first (and nothing else). */
  token: string;
  /** The CI secret that holds the scope's refresh token (the example workflow's name). */
  secret: string;
}

const COMMANDS: Readonly<Record<string, ScopeCommands>> = {
  // A sync after the authorisation: the run the user was making.
  [LIBRARY_SCOPE]: { authorise: "photosync", token: "photosync token", secret: "PHOTOSYNC_REFRESH_TOKEN" },
  // A pick after the authorisation: the run the user was making.
  [PICKER_SCOPE]: {
    authorise: "photosync pick",
    token: "photosync token --scope picker",
    secret: "PHOTOSYNC_REFRESH_TOKEN",
  },
  // The authorisation only: `takeout --drive --creds` would first import every export on Drive. The
  // example workflow keeps Drive's token in a secret of its own.
  [DRIVE_SCOPE]: {
    authorise: "photosync token --scope drive",
    token: "photosync token --scope drive",
    secret: "PHOTOSYNC_DRIVE_REFRESH_TOKEN",
  },
};

/** The commands of `scope` (default the Library's). */
export function scopeCommands(scope = LIBRARY_SCOPE): ScopeCommands {
  return COMMANDS[scope] ?? COMMANDS[LIBRARY_SCOPE];
}

/**
 * `command --dir DIR`, the folder quoted for a shell where needed.
 *
 * @example Usage
 * ```ts
 * import { inFolder } from "./advice.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(inFolder("photosync token", "/home/anna/photos"), "photosync token --dir /home/anna/photos");
 * assert.equal(inFolder("photosync token", "/mnt/Anna's photos"), "photosync token --dir '/mnt/Anna'\\''s photos'");
 * ```
 */
export function inFolder(command: string, dir: string): string {
  return `${command} --dir ${shellWord(dir)}`;
}

/**
 * The command that authorises `scope` again for the backup in `dir`.
 *
 * @example Usage
 * ```ts
 * import { authoriseCommand } from "./advice.ts";
 * import { DRIVE_SCOPE, LIBRARY_SCOPE, PICKER_SCOPE } from "./oauth.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(authoriseCommand(LIBRARY_SCOPE, "/p"), "photosync --dir /p --creds FILE");
 * assert.equal(authoriseCommand(PICKER_SCOPE, "/p"), "photosync pick --dir /p --creds FILE");
 * assert.equal(authoriseCommand(DRIVE_SCOPE, "/my p"), "photosync token --scope drive --dir '/my p' --creds FILE");
 * ```
 */
export function authoriseCommand(scope: string | undefined, dir: string): string {
  return `${inFolder(scopeCommands(scope).authorise, dir)} --creds FILE`;
}

/** What to do when Google refuses the authorisation of `scope` saved in `dir`'s `sync.db`, or none is saved. */
export function authoriseAgain(scope: string | undefined, dir: string): string {
  return `run ${authoriseCommand(scope, dir)} to authorise again`;
}

/** The command that authorises `scope` for the backup in `dir` (and nothing else), then prints its token. */
export function tokenCommand(scope: string | undefined, dir: string): string {
  return `${inFolder(scopeCommands(scope).token, dir)} --creds FILE`;
}

/**
 * What to do when Google refuses the `PHOTOSYNC_REFRESH_TOKEN` of `scope`: a new token from the computer
 * it was made on (this run's folder may be a CI runner's, not the one authorised in), put in its secret.
 */
export function renewSecret(scope: string | undefined): string {
  const { token, secret } = scopeCommands(scope);
  return `on the computer you authorised on, run ${token} --creds FILE again with the --dir you authorised in ` +
    `(it authorises again and prints the new token) and put what it prints in the secret ${secret}`;
}

/** What to do when `PHOTOSYNC_REFRESH_TOKEN` of `scope` is set but empty (a CI secret never set). */
export function setSecret(scope: string | undefined): string {
  const { token, secret } = scopeCommands(scope);
  return `set it (in CI, the repository secret ${secret}) to what ${token} --creds FILE prints on a computer ` +
    "with a browser (with the --dir you authorise in)";
}

/** What to do when nobody can authorise `scope` here (no browser, no terminal), for the backup in `dir`. */
export function authoriseElsewhere(scope: string | undefined, dir: string): string {
  return `on a terminal, run ${tokenCommand(scope, dir)} (it authorises, then prints the token) and set ` +
    "PHOTOSYNC_REFRESH_TOKEN to what it prints";
}
