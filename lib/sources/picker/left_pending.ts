/**
 * The picked items earlier `pick` runs left pending (a video still processing, a run stopped
 * before its downloads finished), as a source for the shared transfer: a plain `sync` drains
 * them after the Library's items, while their URLs last.
 * @module
 */
import { ItemError, type Source } from "../../core/source.ts";
import type { Store } from "../../core/store.ts";
import { environmentTokens, savedTokens } from "../../google/credentials.ts";
import { authoriseAgain } from "../../google/advice.ts";
import type { GoogleIo } from "../../google/io.ts";
import { PICKER_SCOPE, type TokenSource } from "../../google/oauth.ts";
import type { Logger } from "../../core/logger.ts";
import type { RetryOptions } from "../../core/retry.ts";
import { PickerClient } from "./client.ts";
import { pickerSource } from "./source.ts";

/** How the picked items' bytes are reached. */
export interface LeftPendingOptions {
  logger: Logger;
  /** Picker API root (default Google's). */
  pickerUrl?: string;
  retry?: RetryOptions;
  idleTimeoutMs?: number;
  io?: GoogleIo;
  /** The run's stop. */
  signal: AbortSignal;
}

/**
 * The Picker source over the pending picked items, downloaded with the saved Picker tokens, else
 * `PHOTOSYNC_REFRESH_TOKEN`; without either they stay pending with a note. Undefined when no
 * picked item is pending.
 */
export function leftPendingPicks(store: Store, options: LeftPendingOptions): Source | undefined {
  if (store.pendingCount("picker") === 0) return undefined;
  const { io = {}, logger, signal } = options;
  // The Picker tokens a `pick` saved come first: a cron job's PHOTOSYNC_REFRESH_TOKEN is the Library's.
  const input = { ...io, logger, scope: PICKER_SCOPE, signal };
  const tokens: TokenSource = savedTokens(store, input) ?? environmentTokens(store, input) ?? {
    accessToken: () =>
      Promise.reject(new ItemError("no Picker authorisation is saved; pick it again with photosync pick")),
    // Never asked: no request is sent without a token.
    renew: authoriseAgain(PICKER_SCOPE, store.dir),
  };
  const client = new PickerClient({
    tokens,
    apiUrl: options.pickerUrl,
    fetch: io.fetch,
    retry: options.retry,
    idleTimeoutMs: options.idleTimeoutMs,
    signal,
  });
  return pickerSource(client, { now: io.now ?? Date.now });
}
