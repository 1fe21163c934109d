/**
 * `photosync token`: print a refresh token saved in `sync.db` (the Library scope's, or with
 * `--scope picker` the Picker's, `--scope drive` the Drive's), for an unattended run elsewhere
 * (`PHOTOSYNC_REFRESH_TOKEN`, e.g. a CI secret); with `--creds`, authorise that scope first (only
 * that: nothing is synced or imported). Nothing else ever prints one.
 * @module
 */
import { AuthError, ExitCode, UsageError } from "../../core/errors.ts";
import { Store } from "../../core/store.ts";
import { authorize, savedRefreshToken } from "../../google/credentials.ts";
import { inFolder, scopeCommands, tokenCommand as tokenAdvice } from "../../google/advice.ts";
import { DRIVE_SCOPE, LIBRARY_SCOPE, PICKER_SCOPE } from "../../google/oauth.ts";
import type { Command } from "../command.ts";
import { COMMON_FLAGS, parseFlags } from "../args.ts";
import { answerHelpOrVersion } from "../help.ts";
import { resolvePath } from "../paths.ts";
import { requireBackup } from "../existing_backup.ts";
import { prepareOutputDir } from "../../core/output_tree.ts";
import { DOWNLOAD_FLAGS } from "../download_flags.ts";
import { authorisationIo } from "../auth_io.ts";

/**
 * What `--scope` may name: the scope, the command whose runs use it, and its token's name in the hint when
 * only another scope's is saved (the commands that authorise and print it: `advice.ts`).
 */
const SCOPES = {
  library: { scope: LIBRARY_SCOPE, name: "Library", command: "photosync sync", saved: "the Library one" },
  picker: {
    scope: PICKER_SCOPE,
    name: "Picker",
    command: "photosync pick",
    saved: "photosync pick's Picker one",
  },
  drive: {
    scope: DRIVE_SCOPE,
    name: "Drive",
    command: "photosync takeout --drive",
    saved: "photosync takeout --drive's Drive one",
  },
} as const;

const HELP = `Usage: photosync token [--dir DIR] [--scope library|picker|drive] [--creds FILE]

Print a refresh token saved in DIR/sync.db by an authorisation, for PHOTOSYNC_REFRESH_TOKEN in
an unattended run: the Library scope's (photosync sync; authorised by photosync --dir DIR
--creds FILE), with --scope picker the Picker scope's (photosync pick), or with --scope drive
the Drive scope's (photosync takeout --drive). With --creds FILE, authorise that scope (again)
first and save it in DIR/sync.db (DIR and sync.db are created if missing), and nothing else: no
sync, no import (for a CI job's secret: photosync token --scope drive --creds FILE). It gives
access to your photos (the Drive one: to all of your Google Drive, read only): keep it secret
(a repository secret, a password manager), never in a file in a repository.
  --dir DIR            the folder given to sync or pick (default: .)
  --scope SCOPE        library (default), picker or drive
  --creds FILE         authorise the scope with this OAuth client secret JSON first
  --no-browser         with --creds: do not open a browser; print the URL only
  --quiet, --verbose   accepted as by every command; the token is printed either way
  --help, --version

Exit codes: 0 printed, 2 bad input (also: no sync.db in DIR without --creds, or one empty,
damaged or not photosync's), 4 no authorisation of that scope saved in DIR/sync.db (or it failed).`;

const tokenCommand: Command = async (args, context) => {
  const { renderer, paths, journal } = context;
  const { values } = parseFlags("token", args, {
    dir: { type: "string", default: "." },
    scope: { type: "string", default: "library" },
    creds: DOWNLOAD_FLAGS.creds,
    "no-browser": DOWNLOAD_FLAGS["no-browser"],
    ...COMMON_FLAGS,
  });
  const answered = answerHelpOrVersion(values, HELP, renderer);
  if (answered !== undefined) return answered;
  if (!Object.hasOwn(SCOPES, values.scope)) {
    throw new UsageError(`--scope must be library, picker or drive, not "${values.scope}"`);
  }
  const wanted = SCOPES[values.scope as keyof typeof SCOPES];
  const dir = resolvePath("--dir", values.dir, paths);
  if (values.creds !== undefined) {
    // Authorise this scope only: the token for a CI job without a sync or an import here first.
    const creds = resolvePath("--creds", values.creds, paths);
    // sync.db only, not the folder's settings: the first run that backs up chooses its day rule, and a
    // folder of dated files of the user's own asks for none here.
    await prepareOutputDir(dir);
    using store = Store.open(dir);
    const io = authorisationIo(values["no-browser"], context);
    // A token in the environment is what this replaces, not what it prints.
    const env = (name: string) => name === "PHOTOSYNC_REFRESH_TOKEN" ? undefined : io.env?.(name);
    await authorize(store, { ...io, env, scope: wanted.scope, creds, logger: renderer });
  } else if (values["no-browser"] !== undefined) {
    throw new UsageError("--no-browser is for an authorisation: give it with --creds FILE");
  }
  await requireBackup(dir);
  journal?.begin("token", dir);
  // Only its authorisation is read: a page damaged anywhere else is refused all the same (exit 2), as status does.
  using store = Store.open(dir, { readOnly: true, whole: true });
  const token = savedRefreshToken(store, wanted.scope);
  if (!token) {
    const others = Object.values(SCOPES).filter((other) =>
      other.scope !== wanted.scope && savedRefreshToken(store, other.scope)
    );
    const hints = others.map((other) =>
      `${other.saved}: ${inFolder(scopeCommands(other.scope).token, dir)} prints it`
    );
    const otherSaved = hints.length > 0 ? ` (only ${hints.join("; and ")})` : "";
    throw new AuthError(
      `no authorisation is saved in ${dir} for the ${wanted.name} scope${otherSaved}; ` +
        `run ${tokenAdvice(wanted.scope, dir)} to authorise it (and nothing else) and print its token`,
    );
  }
  renderer.warn(
    `this is the ${wanted.name} scope's refresh token (for ${wanted.command}); it gives access to your ${
      wanted.scope === DRIVE_SCOPE ? "Google Drive (read only), Takeout exports included" : "Google Photos"
    }: keep it secret`,
  );
  renderer.output(token);
  return ExitCode.ok;
};

export default tokenCommand;
