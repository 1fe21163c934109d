import assert from "node:assert/strict";
import { IdleWatchdog, StalledError } from "./idle_watchdog.ts";

Deno.test("IdleWatchdog aborts when nothing moves for idleMs, or with the stop's reason", async () => {
  {
    using watchdog = new IdleWatchdog(40, () => Promise.resolve(0));
    const aborted = Promise.withResolvers<void>();
    watchdog.signal.addEventListener("abort", () => aborted.resolve());
    await aborted.promise;
    assert.ok(watchdog.signal.reason instanceof StalledError);
  }
  const stop = new AbortController();
  {
    using watchdog = new IdleWatchdog(60_000, () => Promise.resolve(0), stop.signal);
    const reason = new Error("time is up");
    stop.abort(reason);
    assert.equal(watchdog.signal.reason, reason);
  }
  // Made after the stop: aborted from the start.
  using late = new IdleWatchdog(60_000, () => Promise.resolve(0), stop.signal);
  assert.ok(late.signal.aborted);
});
