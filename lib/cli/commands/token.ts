/**
 * `photosync token`: print the refresh token saved in `sync.db`, for an unattended run
 * elsewhere (`PHOTOSYNC_REFRESH_TOKEN`, e.g. a CI secret). Nothing else ever prints it.
 * @module
 */
import { AuthError, ExitCode } from "../../core/errors.ts";
import { Store } from "../../core/store.ts";
import { savedRefreshToken } from "../../google/credentials.ts";
import type { Command } from "../command.ts";
import { parseFlags } from "../args.ts";

const HELP = `Usage: photosync token [--dir=DIR]

Print the refresh token saved in DIR/sync.db by an authorisation (photosync --dir=DIR
--creds=FILE), for PHOTOSYNC_REFRESH_TOKEN in an unattended run. It gives access to your
photos: keep it secret (a repository secret, a password manager), never in a file in a repository.
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
    throw new AuthError(
      `no authorisation is saved in ${values.dir}; run photosync --dir=${values.dir} --creds=FILE first`,
    );
  }
  renderer.warn("this refresh token gives access to your Google Photos: keep it secret");
  renderer.output(token);
  return Promise.resolve(ExitCode.ok);
};

export default tokenCommand;
