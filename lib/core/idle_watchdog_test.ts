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

Deno.test("IdleWatchdog still notices a stall when the wall clock is set back meanwhile", async () => {
  const wallClock = Date.now;
  let polls = 0;
  // Set back an hour (by hand, NTP, a VM restored) during the stall: after the first poll saw the
  // work's progress, before the second finds it still.
  const stalled = () => {
    if (++polls === 2) Date.now = () => wallClock() - 3_600_000;
    return Promise.resolve(0);
  };
  try {
    using watchdog = new IdleWatchdog(40, stalled);
    const aborted = new Promise<string>((resolve) =>
      watchdog.signal.addEventListener("abort", () => resolve("aborted"))
    );
    // A guard only: measured by the wall clock, the abort would come an hour late.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<string>((resolve) => guard = setTimeout(() => resolve("late"), 5_000));
    try {
      assert.equal(await Promise.race([aborted, late]), "aborted");
    } finally {
      clearTimeout(guard);
    }
    assert.ok(watchdog.signal.reason instanceof StalledError);
  } finally {
    Date.now = wallClock;
  }
});
