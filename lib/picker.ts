/**
 * `pick()`: back up what the user picks by hand in Google Photos' picker (the Picker API, which
 * reaches the whole library). Authorise with the Picker scope, open a picking session, wait
 * while the user picks on any device, store the picked items in `sync.db` and drain them through
 * the shared transfer pool. The session is deleted whatever happens: after success, an error,
 * the session's timeout, or an interruption.
 * @module
 */
import { type Backup, openBackup, RunStop } from "./core/backup.ts";
import { PhotosyncError } from "./core/errors.ts";
import { ingest, refileRedated } from "./core/ingest.ts";
import type { OnNewEntry } from "./core/output_tree.ts";
import type { FolderRequest } from "./core/folder_settings.ts";
import type { PathMapper } from "./core/layout.ts";
import type { Logger } from "./core/logger.ts";
import { delay, type RetryOptions } from "./core/retry.ts";
import { transferPending, type TransferResult } from "./core/transfer.ts";
import { writeXmpSidecars } from "./core/xmp_sidecars.ts";
import { fitNamesForXmp } from "./core/fit_names.ts";
import { finishStoppedMoves } from "./core/place.ts";
import { downloadLocalTime } from "./download_local_time.ts";
import { authorize } from "./google/credentials.ts";
import type { GoogleIo } from "./google/io.ts";
import { PICKER_SCOPE, type TokenSource } from "./google/oauth.ts";
import { PickerClient, type PickingSession } from "./sources/picker/client.ts";
import { pickerSource } from "./sources/picker/source.ts";

/** The one line a run prints when the user picked nothing in time. */
export const TIMED_OUT = "nothing was picked before the picking session expired; run photosync pick again";

/** Poll this often when the session does not say (Google's usual interval is a few seconds). */
const DEFAULT_POLL_MS = 5000;

/** The I/O edges of a pick run: those of a sync, and a QR code of the picker's address. */
export interface PickIo extends GoogleIo {
  /** Show the picker's address as a QR code too (where a terminal can draw one). */
  showQrCode?: (url: string) => void;
}

/** What to pick. */
export interface PickOptions extends FolderRequest {
  /** Output directory: holds `sync.db` and the photos. */
  dir: string;
  logger: Logger;
  /** Client secret file; giving it authorises again. */
  creds?: string;
  /** Most items the user may pick (`pickingConfig.maxItemCount`; default Google's, 2,000). */
  maxItems?: number;
  /** Downloads at once (default 8). */
  concurrency?: number;
  /** Give up on a request that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Where an item goes under `dir` (default: the `{year}/{month}/{day}` layout). */
  pathMapper?: PathMapper;
  /** Picker API root (default Google's). */
  pickerUrl?: string;
  retry?: RetryOptions;
  /** Called with each file's path (relative to `dir`) once it is in place. */
  onFile?: OnNewEntry;
  /**
   * The run's stop: abort it (Ctrl-C) to end the run, within a second or two, with its reason
   * thrown once the session is deleted. The run aborts it too, on a fatal download error, and
   * disposes of it at its end. Default: one of its own.
   */
  stop?: RunStop;
  io?: PickIo;
}

/** What a pick run did. */
export interface PickSummary {
  /** Picked items new to `sync.db`. */
  added: number;
  /** Picked items `sync.db` already had, to fetch still (their metadata now the picker's). */
  updated: number;
  /** Picked items another source (a sync) downloaded already: their file is the backup's. */
  others: number;
  downloads: TransferResult;
  /** Files not moved to a date corrected in Google Photos (each said in a warning; tried again next run). */
  notRedated: number;
}

/** Run one pick: a session, the user's picks, their downloads. */
export async function pick(options: PickOptions): Promise<PickSummary> {
  const { logger, io = {} } = options;
  const now = io.now ?? Date.now;
  using stop = options.stop ?? new RunStop();
  using backup = await openBackup(options.dir, options);
  // A file a stopped move left under two names has one (its old name gone) before anything looks for it.
  await finishStoppedMoves({ ...backup, logger, onPlaced: options.onFile });
  // First: the files moved (renamed) here are where the rest of the run finds them.
  if (backup.xmp) await fitNamesForXmp({ ...backup, logger, onPlaced: options.onFile });
  const { store } = backup;
  const tokens = await authorize(store, {
    ...io,
    creds: options.creds,
    logger,
    scope: PICKER_SCOPE,
    signal: stop.signal,
    onRetry: options.retry?.onRetry,
  });
  const client = pickerClient(tokens, options, stop.signal);
  // Deleting the sessions is what a stopped run still does: that client does not heed the stop.
  const sessions = pickerClient(tokens, options);
  // Sessions of runs that were killed before they could delete them.
  await deleteSessions(sessions, backup, logger);
  const session = await client.createSession(options.maxItems);
  store.updateCheckpoints("picker", { put: [{ key: session.id, value: "open" }] });
  try {
    // Google's advice: with /autoclose the picker closes itself once the user is done.
    const uri = `${session.pickerUri.replace(/\/+$/, "")}/autoclose`;
    logger.notice(
      "Open this address on any device signed in to your Google account, pick, then press Done:",
    );
    logger.notice(uri);
    void io.openBrowser?.(uri);
    io.showQrCode?.(uri);
    if (!await picked(client, session, logger, now, stop.signal)) throw new PhotosyncError(TIMED_OUT);
    const indexed = await ingest(
      store,
      pickerSource(client, { sessionId: session.id, now }),
      logger,
      stop.signal,
    );
    // An item picked again since its date was corrected in Google Photos: its file goes to that day.
    const refile = { ...backup, logger, onPlaced: options.onFile, notMoved: new Set<string>() };
    const { failed: notRedatedBefore } = await refileRedated(refile);
    const downloads = await transferPending({
      ...backup,
      source: pickerSource(client, { now }),
      logger,
      retry: options.retry,
      idleTimeoutMs: options.idleTimeoutMs,
      stop,
      onFile: options.onFile,
      localTimeOf: downloadLocalTime,
    });
    // A picked photo that shares a Takeout file dated otherwise: the file goes to the picked one's day.
    const { failed: notRedatedAfter } = await refileRedated(refile);
    const notRedated = notRedatedBefore + notRedatedAfter;
    if (backup.xmp) await writeXmpSidecars({ ...backup, logger, onFile: options.onFile });
    return { ...indexed, downloads, notRedated };
  } finally {
    await deleteSessions(sessions, backup, logger);
  }
}

/** A Picker API client; with `signal`, the run's stop, its calls end when the run stops. */
function pickerClient(tokens: TokenSource, options: PickOptions, signal?: AbortSignal): PickerClient {
  return new PickerClient({
    tokens,
    apiUrl: options.pickerUrl,
    fetch: options.io?.fetch,
    retry: options.retry,
    idleTimeoutMs: options.idleTimeoutMs,
    signal,
  });
}

/**
 * Poll the session at its `pollInterval` until the user is done (true) or its `timeoutIn` runs
 * out (false). The waits end at once when `signal` aborts.
 */
async function picked(
  client: PickerClient,
  first: PickingSession,
  logger: Logger,
  now: () => number,
  signal?: AbortSignal,
): Promise<boolean> {
  let session = first;
  let deadline = Date.parse(session.expireTime ?? "") || now() + 30 * 60_000;
  const minutes = Math.ceil((durationMs(session.pollingConfig?.timeoutIn) ?? deadline - now()) / 60_000);
  logger.info(`waiting for your picks: the session ends in ${minutes} min (Ctrl-C stops)`);
  try {
    for (;;) {
      if (session.mediaItemsSet) return true;
      const timeoutIn = durationMs(session.pollingConfig?.timeoutIn);
      if (timeoutIn !== undefined) deadline = now() + timeoutIn;
      const left = deadline - now();
      if (left <= 0) return false;
      logger.progress({ waiting: `waiting for your picks · ${Math.ceil(left / 60_000)} min left` });
      const interval = durationMs(session.pollingConfig?.pollInterval) ?? DEFAULT_POLL_MS;
      await delay(Math.min(interval, left), signal);
      session = await client.getSession(first.id);
    }
  } finally {
    logger.progress({ waiting: undefined });
  }
}

/**
 * Delete the sessions recorded in `sync.db` (this run's, and those of runs that were killed);
 * one that cannot be deleted now is left to time out on its own, with a warning.
 */
async function deleteSessions(client: PickerClient, { store }: Backup, logger: Logger): Promise<void> {
  for (const { key: id } of store.checkpoints("picker")) {
    try {
      await client.deleteSession(id);
      store.updateCheckpoints("picker", { remove: [id] });
      logger.verbose(`deleted the picking session ${id}`);
    } catch (error) {
      logger.warn(
        `could not delete the picking session (${(error as Error).message}); it times out on its own`,
      );
    }
  }
}

/**
 * A protobuf Duration in JSON (`"3.5s"`) in milliseconds, or undefined.
 *
 * @example Usage
 * ```ts
 * import { durationMs } from "./picker.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(durationMs("3.5s"), 3500);
 * assert.equal(durationMs("0s"), 0);
 * assert.equal(durationMs(undefined), undefined);
 * ```
 */
export function durationMs(text: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text ?? "");
  return match ? Number(match[1]) * 1000 : undefined;
}
