/**
 * `photosync query ID`: print one media item's JSON as the API returns it.
 * @module
 */
import { authorize } from "../../google/credentials.ts";
import { ExitCode, UsageError } from "../../core/errors.ts";
import { LibraryClient } from "../../sources/library/client.ts";
import { Store } from "../../core/store.ts";
import type { Command } from "../command.ts";
import { COMMON_FLAGS, parseFlags } from "../args.ts";
import { authorisationIo } from "../auth_io.ts";
import { answerHelpOrVersion } from "../help.ts";
import { resolvePath } from "../paths.ts";
import { requireBackup } from "../existing_backup.ts";
import { retryNotice } from "../retry_notice.ts";

const HELP = `Usage: photosync query ID [--dir DIR] [--creds FILE] [--no-browser]

Print the media item ID as JSON, fresh from the Library API, with the authorisation saved in
DIR/sync.db (or PHOTOSYNC_REFRESH_TOKEN). Creates nothing: a DIR without sync.db, or with one
empty, damaged or not photosync's, is bad input (exit 2), before any authorisation.
  --dir DIR            the folder given to sync (default: .)
  --creds FILE         authorise again with this client secret file (saved in DIR/sync.db)
  --no-browser         do not open a browser to authorise; print the URL only
  --quiet, --verbose   less / more output
  --help, --version`;

const queryCommand: Command = async (args, context) => {
  const { renderer, env, paths } = context;
  const { values, positionals } = parseFlags("query", args, {
    dir: { type: "string", default: "." },
    creds: { type: "string" },
    "no-browser": { type: "boolean" },
    ...COMMON_FLAGS,
  }, 1);
  const answered = answerHelpOrVersion(values, HELP, renderer);
  if (answered !== undefined) return answered;
  const [id] = positionals;
  if (!id) throw new UsageError("photosync query needs a media item ID; see photosync query --help");
  const dir = resolvePath("--dir", values.dir, paths);
  await requireBackup(dir);
  context.journal?.begin("query", dir);
  // Only its authorisation is read (and saved, with --creds): an empty or damaged sync.db is refused, untouched.
  using store = Store.open(dir, { existing: true, whole: true });
  const onRetry = retryNotice(renderer);
  const tokens = await authorize(store, {
    ...authorisationIo(values["no-browser"], context),
    creds: values.creds === undefined ? undefined : resolvePath("--creds", values.creds, paths),
    logger: renderer,
    onRetry,
  });
  const library = new LibraryClient({ tokens, apiUrl: env("PHOTOSYNC_API_URL"), retry: { onRetry } });
  renderer.output(JSON.stringify(await library.get(id), null, 2));
  return ExitCode.ok;
};

export default queryCommand;
