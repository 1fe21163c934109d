/**
 * `photosync pick`: back up the photos and videos you pick by hand in Google Photos.
 * @module
 */
import { DEFAULT_LAYOUT, layoutMapper } from "../../core/layout.ts";
import { RunStop } from "../../core/backup.ts";
import { GOOGLE_PICKER_URL, MAX_ITEM_COUNT } from "../../google/endpoints.ts";
import { parseConcurrency, parseFlags, parseTimeout, parseWholeNumber } from "../args.ts";
import { authorisationIo } from "../auth_io.ts";
import { answerHelpOrVersion } from "../help.ts";
import { resolvePath } from "../paths.ts";
import { FOLDER_HELP, folderRequest } from "../folder_flags.ts";
import type { Command } from "../command.ts";
import { Interrupt } from "../interrupt.ts";
import { formatBytes, formatCount, formatDuration, formatFiles, stopwatch } from "../format.ts";
import { ExitCode } from "../../core/errors.ts";
import { DOWNLOAD_FLAGS, downloadsExitCode } from "../download_flags.ts";
import { retryNotice } from "../retry_notice.ts";

const HELP = `Usage: photosync pick [--dir DIR] [--creds FILE] [--max N] [--no-browser] [flags]

Back up the photos and videos you pick by hand in Google Photos' picker: the way to
reach items of your library that photosync sync cannot (it sees only what photosync
uploaded). photosync prints the picker's address (and draws it as a QR code on a
terminal, for a phone), opens it in a browser, waits while you pick on any device
signed in to your account and press Done, then downloads the picked items into the
same sync.db and YYYY/MM/DD tree as sync. Picking an item again stores it once.

  --dir DIR            folder for sync.db and the photos (default: .; created if missing)
  --creds FILE         OAuth client secret JSON; needed only when nothing is saved yet;
                       giving it authorises again
  --max N              let the picker take at most N items, 1-${MAX_ITEM_COUNT} (default ${MAX_ITEM_COUNT})
  --no-browser         do not open a browser; print the addresses only
  --concurrency N      downloads at once, 1-64 (default 8)
  --timeout SECONDS    give up on a request that sends nothing for this long (default 60)
  --layout TEMPLATE    folders under --dir (default ${DEFAULT_LAYOUT}; which day: --folder-days)
${FOLDER_HELP}
  --quiet, --verbose   less / more output
  --help, --version

Picked download links last 60 minutes and cannot be renewed: what is not downloaded by
then (Ctrl-C, errors) is fetched by the next photosync pick or plain photosync run while
the links last, and afterwards waits, with a note in photosync status, to be picked again.

Environment:
  PHOTOSYNC_REFRESH_TOKEN   authorise unattended with this refresh token of the Picker scope
                            (photosync token --scope picker prints it)
  PHOTOSYNC_PICKER_URL      Picker API root (default ${GOOGLE_PICKER_URL})

Exit codes: 0 all picked items downloaded, 1 failure (also: nothing picked before the
session expired), 2 bad input, 3 some items not downloaded (see photosync status),
4 authorisation needed or refused (also: no browser and no terminal to authorise on), 5 Google's daily quota used up, 130/143 stopped by
Ctrl-C/SIGTERM (the session is deleted; a second Ctrl-C quits at once).`;

/** The flags of `photosync pick`, parsed strictly. */
export function parsePickFlags(args: string[]) {
  const { values } = parseFlags("pick", args, { ...DOWNLOAD_FLAGS, max: { type: "string" } });
  return { ...values, max: parseWholeNumber("--max", values.max, MAX_ITEM_COUNT) };
}

const pickCommand: Command = async (args, context) => {
  const { renderer, env, paths } = context;
  const flags = parsePickFlags(args);
  const answered = answerHelpOrVersion(flags, HELP, renderer);
  if (answered !== undefined) return answered;
  const dir = resolvePath("--dir", flags.dir, paths);
  context.journal?.begin("pick", dir, "picker");
  const elapsed = stopwatch();
  // The picker's run and the QR code's drawing, loaded for a run only: `pick --help` needs neither.
  const [{ pick }, { qrCodeText }] = await Promise.all([import("../../picker.ts"), import("../qr_code.ts")]);
  // Ctrl-C aborts the run's stop: every request, poll and backoff sleep ends, the session is deleted.
  const stop = new RunStop();
  using _interrupt = new Interrupt(renderer, "stopping: deleting the picking session", stop);
  const summary = await pick({
    dir,
    logger: renderer,
    creds: flags.creds === undefined ? undefined : resolvePath("--creds", flags.creds, paths),
    maxItems: flags.max,
    concurrency: parseConcurrency(flags.concurrency),
    idleTimeoutMs: parseTimeout(flags.timeout),
    retry: { onRetry: retryNotice(renderer) },
    pathMapper: layoutMapper(flags.layout),
    ...folderRequest(flags),
    pickerUrl: env("PHOTOSYNC_PICKER_URL"),
    stop,
    io: {
      ...authorisationIo(flags["no-browser"], context),
      showQrCode: (url) => renderer.qrCode(url, qrCodeText),
    },
  });
  renderer.finish();
  const { added, updated, others, downloads } = summary;
  const seconds = elapsed();
  const synced = others > 0 ? `, ${others} backed up by a sync already` : "";
  renderer.info(
    `done in ${formatDuration(seconds)}: picked ${
      formatCount(added + updated + others, "item")
    } (${added} new${synced}), ` +
      `downloaded ${formatFiles(downloads.downloaded)} (${formatBytes(downloads.bytes)})`,
  );
  const code = downloadsExitCode(downloads, dir, renderer);
  // A file not moved to its corrected day was said in its own warning line: the run is not complete.
  return summary.notRedated > 0 ? ExitCode.incomplete : code;
};

export default pickCommand;
