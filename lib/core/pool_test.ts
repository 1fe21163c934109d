import assert from "node:assert/strict";
import { pooled } from "./pool.ts";

/**
 * Workers that wait until the test releases them, one by one; `until` waits for the pool to
 * reach a state, woken by every change instead of polling.
 */
function gatedWorkers() {
  const started: number[] = [];
  const finished: number[] = [];
  const gates = new Map<number, PromiseWithResolvers<void>>();
  let inFlight = 0;
  let maxInFlight = 0;
  let changed = Promise.withResolvers<void>();
  const notify = () => {
    changed.resolve();
    changed = Promise.withResolvers<void>();
  };
  return {
    started,
    finished,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    async worker(item: number) {
      const gate = Promise.withResolvers<void>();
      gates.set(item, gate);
      started.push(item);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      notify();
      try {
        await gate.promise;
      } finally {
        inFlight--;
        finished.push(item);
        notify();
      }
    },
    release(item: number) {
      gates.get(item)!.resolve();
    },
    fail(item: number, error: Error) {
      gates.get(item)!.reject(error);
    },
    async until(condition: () => boolean) {
      while (!condition()) await changed.promise;
    },
  };
}

/** An async iterable of 0..count-1 that records how it is driven. */
function source(count: number) {
  const calls = { next: 0, return: 0 };
  let index = 0;
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next() {
        calls.next++;
        return Promise.resolve(
          index < count ? { done: false, value: index++ } : { done: true, value: undefined },
        );
      },
      return() {
        calls.return++;
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  };
  return { iterable, calls };
}

/**
 * Whether `promise` has settled once every queued microtask has run: a zero-delay timer
 * fires only after them. Used to show that something has not happened yet, which no event
 * can announce.
 */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return settled;
}

Deno.test("pooled runs every item, never more than `concurrency` at once", async () => {
  const pool = gatedWorkers();
  const { iterable, calls } = source(10);
  const run = pooled(iterable, 3, (item) => pool.worker(item));
  // Release the oldest running worker each time the pool is full (or holds all that is left).
  for (let done = 0; done < 10; done++) {
    await pool.until(() => pool.inFlight === Math.min(3, 10 - done));
    pool.release(pool.started.find((item) => !pool.finished.includes(item))!);
    await pool.until(() => pool.finished.length === done + 1);
  }
  await run;
  assert.equal(pool.maxInFlight, 3);
  assert.deepEqual(pool.started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(pool.finished, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Done: nothing to close early.
  assert.equal(calls.return, 0);
});

Deno.test("pooled with fewer items than lanes, and with none", async () => {
  const seen: number[] = [];
  await pooled(source(2).iterable, 8, (item) => {
    seen.push(item);
    return Promise.resolve();
  });
  assert.deepEqual(seen.sort(), [0, 1]);
  await pooled(source(0).iterable, 8, () => Promise.reject(new Error("no items expected")));
});

Deno.test("pooled: on the first error nothing new starts, running workers finish, then it throws", async () => {
  const pool = gatedWorkers();
  const { iterable, calls } = source(100);
  const run = pooled(iterable, 3, (item) => pool.worker(item));
  await pool.until(() => pool.inFlight === 3);
  const first = new Error("item 1 failed");
  pool.fail(1, first);
  await pool.until(() => pool.finished.includes(1));
  // Items 0 and 2 are still running: the pool must wait for them.
  assert.equal(await isSettled(run), false);
  pool.fail(2, new Error("a later error is not the one thrown"));
  assert.equal(await isSettled(run), false);
  pool.release(0);
  await assert.rejects(run, (error) => error === first);
  assert.deepEqual(pool.started, [0, 1, 2]);
  assert.deepEqual(pool.finished.sort(), [0, 1, 2]);
  // The source was asked for three items only, and closed.
  assert.equal(calls.next, 3);
  assert.equal(calls.return, 1);
});

Deno.test("pooled: an error from the source stops it the same way", async () => {
  const pool = gatedWorkers();
  const broken = new Error("listing failed");
  let returned = 0;
  let handed = 0;
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: () => handed < 2 ? Promise.resolve({ done: false, value: handed++ }) : Promise.reject(broken),
      return: () => (returned++, Promise.resolve({ done: true, value: undefined })),
    }),
  };
  const run = pooled(iterable, 3, (item) => pool.worker(item));
  await pool.until(() => pool.inFlight === 2);
  assert.equal(await isSettled(run), false);
  pool.release(0);
  pool.release(1);
  await assert.rejects(run, (error) => error === broken);
  assert.deepEqual(pool.finished.sort(), [0, 1]);
  assert.equal(returned, 1);
});

Deno.test("pooled closes an async generator source early on failure (its finally runs)", async () => {
  let closed = false;
  let produced = 0;
  async function* items() {
    try {
      for (;;) yield produced++;
    } finally {
      closed = true;
    }
  }
  const boom = new Error("boom");
  await assert.rejects(
    pooled(items(), 2, (item) => item === 3 ? Promise.reject(boom) : Promise.resolve()),
    (error) => error === boom,
  );
  assert.ok(closed);
  assert.ok(produced < 10, `${produced} items produced after the failure`);
});

Deno.test("pooled refuses a concurrency below 1 before starting anything", async () => {
  let started = 0;
  async function* one() {
    yield 1;
  }
  for (const concurrency of [0, -1, 1.5, Number.NaN]) {
    await assert.rejects(pooled(one(), concurrency, () => Promise.resolve(void started++)), RangeError);
  }
  assert.equal(started, 0);
});

Deno.test("pooled aborts `stop` with the first error, so that workers heeding it end at once", async () => {
  const stop = new AbortController();
  const started: number[] = [];
  const first = new Error("the daily quota is used up");
  const { iterable, calls } = source(100);
  const run = pooled(iterable, 3, (item) => {
    started.push(item);
    if (item === 2) return Promise.reject(first);
    // The others wait (as for a long Retry-After) until the stop.
    return new Promise((_, reject) =>
      stop.signal.addEventListener("abort", () => reject(stop.signal.reason))
    );
  }, stop);
  await assert.rejects(run, (error) => error === first);
  assert.equal(stop.signal.reason, first);
  assert.deepEqual(started, [0, 1, 2]);
  assert.equal(calls.return, 1);
});

Deno.test("pooled: `stop` aborted from outside starts nothing new and throws its reason", async () => {
  const stop = new AbortController();
  const pool = gatedWorkers();
  const { iterable, calls } = source(100);
  const run = pooled(iterable, 2, (item) => pool.worker(item), stop);
  await pool.until(() => pool.inFlight === 2);
  const timeUp = new Error("time is up");
  stop.abort(timeUp);
  // A worker that ignores the signal still finishes; nothing new starts after it.
  pool.release(0);
  pool.release(1);
  await assert.rejects(run, (error) => error === timeUp);
  assert.deepEqual(pool.started, [0, 1]);
  assert.equal(calls.next, 2);
});
