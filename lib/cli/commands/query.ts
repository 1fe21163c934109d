/**
 * `photosync query ID`: print one media item's JSON as the API returns it.
 * @module
 */
import { authorize } from "../../google/credentials.ts";
import { browserOpener } from "../browser.ts";
import { ExitCode, UsageError } from "../../core/errors.ts";
import { LibraryClient } from "../../sources/library/client.ts";
import { prepareOutputDir } from "../../core/output_tree.ts";
import { Store } from "../../core/store.ts";
import type { Command } from "../command.ts";
import { parseFlags } from "../args.ts";

const HELP = `Usage: photosync query ID [--dir=DIR] [--creds=FILE]

Print the media item ID as JSON, fresh from the Library API.
  --dir=DIR      the folder given to sync, whose saved authorisation is used (default: .)
  --creds=FILE   authorise with this client secret file`;

const queryCommand: Command = async (args, { renderer, env, stdin }) => {
  const { values, positionals } = parseFlags("query", args, {
    dir: { type: "string", default: "." },
    creds: { type: "string" },
    "no-browser": { type: "boolean" },
    quiet: { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, 1);
  if (values.help) {
    renderer.output(HELP);
    return ExitCode.ok;
  }
  const [id] = positionals;
  if (!id) throw new UsageError("photosync query needs a media item ID; see photosync query --help");
  // query reads what sync saved: a mistyped --dir must not start a new folder and authorisation.
  if (!values.creds && !(await Deno.stat(values.dir).catch(() => undefined))?.isDirectory) {
    throw new UsageError(`--dir ${values.dir} is not a folder photosync has synced into; check --dir`);
  }
  await prepareOutputDir(values.dir);
  using store = Store.open(values.dir);
  const tokens = await authorize(store, {
    creds: values.creds,
    env,
    logger: renderer,
    openBrowser: values["no-browser"] ? undefined : browserOpener(env),
    input: stdin,
  });
  const library = new LibraryClient({ tokens, apiUrl: env("PHOTOSYNC_API_URL") });
  renderer.output(JSON.stringify(await library.get(id), null, 2));
  return ExitCode.ok;
};

export default queryCommand;
