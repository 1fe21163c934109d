/**
 * `photosync token`: print the Library scope's refresh token saved in `sync.db`, for an
 * unattended run elsewhere (`PHOTOSYNC_REFRESH_TOKEN`, e.g. a CI secret). Nothing else ever
 * prints it, and the Picker scope's token (`photosync pick`) is never printed.
 * @module
 */
import { AuthError, ExitCode } from "../../core/errors.ts";
import { Store } from "../../core/store.ts";
import { savedRefreshToken } from "../../google/credentials.ts";
import { PICKER_SCOPE } from "../../google/oauth.ts";
import type { Command } from "../command.ts";
import { parseFlags } from "../args.ts";

const HELP = `Usage: photosync token [--dir=DIR]

Print the Library scope's refresh token saved in DIR/sync.db by an authorisation (photosync
--dir=DIR --creds=FILE), for PHOTOSYNC_REFRESH_TOKEN in an unattended sync. (The Picker scope's
token that photosync pick saved is not printed.) It gives access to your photos: keep it
secret (a repository secret, a password manager), never in a file in a repository.
  --dir=DIR   the folder given to sync (default: .)`;

const tokenCommand: Command = (args, { renderer }) => {
  const { values } = parseFlags("token", args, {
    dir: { type: "string", default: "." },
    quiet: { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    renderer.output(HELP);
    return Promise.resolve(ExitCode.ok);
  }
  using store = Store.open(values.dir, { readOnly: true });
  const token = savedRefreshToken(store);
  if (!token) {
    const pickerOnly = savedRefreshToken(store, PICKER_SCOPE) ? " (only photosync pick's Picker one)" : "";
    throw new AuthError(
      `no authorisation is saved in ${values.dir} for the Library scope${pickerOnly}; ` +
        `run photosync --dir=${values.dir} --creds=FILE first`,
    );
  }
  renderer.warn(
    "this is the Library scope's refresh token (for photosync sync); it gives access to your Google Photos: keep it secret",
  );
  renderer.output(token);
  return Promise.resolve(ExitCode.ok);
};

export default tokenCommand;
