import assert from "node:assert/strict";
import { delay, retryAfterMs, TransientError, withRetry } from "./retry.ts";

Deno.test("retryAfterMs reads seconds and HTTP dates; garbage, 0 and the past are undefined (the backoff applies)", () => {
  const now = Date.parse("2015-10-21T07:27:00Z");
  const cases: [string | null, number | undefined][] = [
    ["120", 120_000],
    ["0", undefined],
    ["1.5", 1500],
    ["-5", undefined],
    ["Wed, 21 Oct 2015 07:28:00 GMT", 60_000],
    ["Wed, 21 Oct 2015 07:27:00 GMT", undefined],
    ["Wed, 21 Oct 2015 07:26:00 GMT", undefined],
    ["soon", undefined],
    ["12 parsecs", undefined],
    ["", undefined],
    [null, undefined],
  ];
  for (const [header, expected] of cases) assert.equal(retryAfterMs(header, now), expected, String(header));
});

/** Records the delays asked for instead of waiting. */
function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: (ms: number) => (delays.push(ms), Promise.resolve()) };
}

Deno.test("withRetry makes `attempts` attempts in all, then throws the last error", async () => {
  const { delays, sleep } = recordingSleep();
  const errors: TransientError[] = [];
  await assert.rejects(
    withRetry(() => {
      const error = new TransientError(`busy ${errors.length + 1}`);
      errors.push(error);
      return Promise.reject(error);
    }, { attempts: 3, sleep }),
    (error) => error === errors[2],
  );
  assert.equal(errors.length, 3);
  assert.equal(delays.length, 2);
});

Deno.test("withRetry returns the first success", async () => {
  const { delays, sleep } = recordingSleep();
  let calls = 0;
  const value = await withRetry(() => {
    calls++;
    return calls < 3 ? Promise.reject(new TransientError("busy")) : Promise.resolve("done");
  }, { attempts: 5, sleep });
  assert.equal(value, "done");
  assert.equal(calls, 3);
  assert.equal(delays.length, 2);
});

Deno.test("withRetry ends at once on an error that is not transient", async () => {
  const { delays, sleep } = recordingSleep();
  let calls = 0;
  const final = new Error("bad request");
  await assert.rejects(
    withRetry(() => {
      calls++;
      return Promise.reject(final);
    }, { attempts: 5, sleep }),
    (error) => error === final,
  );
  assert.equal(calls, 1);
  assert.deepEqual(delays, []);
});

Deno.test("withRetry backs off exponentially with jitter, up to maxDelayMs", async () => {
  const { delays, sleep } = recordingSleep();
  const onRetry: number[] = [];
  await assert.rejects(
    withRetry(() => Promise.reject(new TransientError("busy")), {
      attempts: 6,
      baseDelayMs: 100,
      maxDelayMs: 500,
      sleep,
      onRetry: (_error, delay, attempt) => onRetry.push(attempt, delay),
    }),
    TransientError,
  );
  // Each delay is between half and all of min(maxDelayMs, base·2^(n-1)).
  const ceilings = [100, 200, 400, 500, 500];
  assert.equal(delays.length, ceilings.length);
  delays.forEach((delay, i) => {
    assert.ok(delay >= ceilings[i] / 2 && delay <= ceilings[i], `retry ${i + 1}: ${delay} ms`);
  });
  assert.deepEqual(onRetry, delays.flatMap((delay, i) => [i + 1, delay]));
});

Deno.test("withRetry waits what Retry-After says, capped at 5 minutes, instead of backing off", async () => {
  const { delays, sleep } = recordingSleep();
  const afters = [1234, 0, 10 * 60_000, 5 * 60_000];
  let calls = 0;
  const value = await withRetry(() => {
    const after = afters[calls++];
    return after === undefined
      ? Promise.resolve("ok")
      : Promise.reject(new TransientError("slow down", { retryAfterMs: after }));
  }, { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000, sleep });
  assert.equal(value, "ok");
  // Retry-After is obeyed even above maxDelayMs (the server asked for it), but not beyond 5 minutes.
  assert.deepEqual(delays, [1234, 0, 300_000, 300_000]);
});

Deno.test("withRetry refuses attempts that are not a whole number of at least 1, before calling fn", async () => {
  for (const attempts of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    let calls = 0;
    await assert.rejects(
      withRetry(() => {
        calls++;
        return Promise.resolve();
      }, { attempts, sleep: () => Promise.resolve() }),
      (error) => {
        assert.ok(error instanceof RangeError, String(attempts));
        assert.match(error.message, /attempts must be a whole number of at least 1/);
        return true;
      },
    );
    assert.equal(calls, 0, String(attempts));
  }
  // One attempt is allowed: no retry.
  let calls = 0;
  await assert.rejects(
    withRetry(() => {
      calls++;
      return Promise.reject(new TransientError("busy"));
    }, { attempts: 1, sleep: () => Promise.reject(new Error("no sleep expected")) }),
    TransientError,
  );
  assert.equal(calls, 1);
});

Deno.test("withRetry: aborting its signal ends a backoff sleep at once with its reason, and no attempt follows", async () => {
  const stop = new AbortController();
  const reason = new Error("stop");
  let calls = 0;
  let settled = false;
  const stopped = Promise.withResolvers<boolean>();
  const run = withRetry(() => {
    calls++;
    return Promise.reject(new TransientError("busy", { retryAfterMs: 60_000 }));
  }, {
    signal: stop.signal,
    // The first failure asks for a minute's wait; the stop comes while it sleeps. The next timer turn
    // after the stop tells whether the run had settled by then.
    onRetry: () =>
      setTimeout(() => {
        stop.abort(reason);
        setTimeout(() => stopped.resolve(settled), 0);
      }, 10),
  });
  run.catch(() => settled = true);
  assert.equal(await stopped.promise, true, "the sleep ended at once");
  await assert.rejects(run, (error) => error === reason);
  assert.equal(calls, 1);
});

Deno.test("withRetry: an attempt broken by the stop rejects with the stop's reason, not a retry", async () => {
  const stop = new AbortController();
  const reason = new Error("the disk is full");
  let calls = 0;
  await assert.rejects(
    withRetry(() => {
      calls++;
      stop.abort(reason);
      return Promise.reject(new TransientError("download broke off"));
    }, { signal: stop.signal, sleep: () => Promise.reject(new Error("no sleep expected")) }),
    (error) => error === reason,
  );
  assert.equal(calls, 1);
  // Aborted before it starts: fn is not called.
  await assert.rejects(
    withRetry(() => Promise.resolve(calls++), { signal: stop.signal }),
    (e) => e === reason,
  );
  assert.equal(calls, 1);
  await assert.rejects(delay(10, stop.signal), (error) => error === reason);
});
