/**
 * What the user sees while a server (Google's APIs, Drive, WebDAV) keeps failing and photosync
 * waits to try again: a blip (the first retries, under {@link SHOWN_FROM_MS} each) is detail for
 * `--verbose`; a longer wait is a line, so that a run that cannot reach its server says so instead
 * of falling silent for the half minute its retries take.
 * @module
 */
import type { Logger } from "../core/logger.ts";
import type { RetryOptions } from "../core/retry.ts";
import { formatDuration } from "./format.ts";

/** Waits from this long on are said at the normal level. */
export const SHOWN_FROM_MS = 2_000;

/**
 * The `onRetry` for a run's requests to a server.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryNotice } from "./retry_notice.ts";
 * import { TransientError } from "../core/retry.ts";
 * import { testLogger } from "../core/test_logger.ts";
 *
 * const logger = testLogger();
 * const onRetry = retryNotice(logger);
 * onRetry(new TransientError("listing /: connection refused"), 500, 1);
 * onRetry(new TransientError("listing /: connection refused"), 4_000, 4);
 * assert.deepEqual(logger.lines.verbose, ["listing /: connection refused; trying again in 0.5s (try 2)"]);
 * assert.deepEqual(logger.lines.info, ["listing /: connection refused; trying again in 4.0s (try 5)"]);
 * ```
 */
export function retryNotice(logger: Logger): NonNullable<RetryOptions["onRetry"]> {
  return (error, delayMs, attempt) => {
    const wait = delayMs < 10_000
      ? `${(delayMs / 1000).toFixed(1)}s`
      : formatDuration(Math.round(delayMs / 1000));
    const line = `${error.message}; trying again in ${wait} (try ${attempt + 1})`;
    if (delayMs < SHOWN_FROM_MS) logger.verbose(line);
    else logger.info(line);
  };
}
