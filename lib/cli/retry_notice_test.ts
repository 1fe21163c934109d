import assert from "node:assert/strict";
import { retryNotice, SHOWN_FROM_MS } from "./retry_notice.ts";
import { TransientError } from "../core/retry.ts";
import { testLogger } from "../core/test_logger.ts";

Deno.test("waits shorter than the threshold are verbose detail, longer ones a line", () => {
  const logger = testLogger();
  const onRetry = retryNotice(logger);
  const error = new TransientError("reading /a.zip: the connection was reset");
  onRetry(error, SHOWN_FROM_MS - 100, 2);
  onRetry(error, SHOWN_FROM_MS, 3);
  onRetry(error, 90_000, 7);
  assert.deepEqual(logger.lines.verbose, [
    "reading /a.zip: the connection was reset; trying again in 1.9s (try 3)",
  ]);
  assert.deepEqual(logger.lines.info, [
    "reading /a.zip: the connection was reset; trying again in 2.0s (try 4)",
    "reading /a.zip: the connection was reset; trying again in 1m30s (try 8)",
  ]);
});
