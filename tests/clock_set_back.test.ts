/**
 * A wall clock set back during a run (by hand, NTP, a VM restored): what a command measures as time
 * elapsed ("done in") is on the monotonic clock, so it is never negative. In-process (`runCli`), so
 * that the test can set the process's wall clock back.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runPhotosync } from "../testing/harness.ts";
import { Store } from "../lib/core/store.ts";

Deno.test("verify says how long it took when the wall clock is set back during the run", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-clock-" });
  try {
    const dir = join(root, "photos");
    await Deno.mkdir(dir);
    Store.open(dir).close();
    const wallClock = Date.now;
    // Each reading an hour earlier than the one before: the clock goes back while the run goes on.
    let reading = wallClock();
    Date.now = () => reading -= 3_600_000;
    let result;
    try {
      result = await runPhotosync(["verify", `--dir=${dir}`], { inProcess: true });
    } finally {
      Date.now = wallClock;
    }
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, / in \d+s: all intact/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
