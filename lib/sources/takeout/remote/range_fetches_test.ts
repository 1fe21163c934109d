import assert from "node:assert/strict";
import { PERIOD_MS, RangeFetches } from "./range_fetches.ts";

Deno.test("slots go to waiting requests by plan, then by place in the file; no more than allowed at once", async () => {
  const fetches = new RangeFetches({ large: 2, small: 1 });
  const early = fetches.rank();
  const late = fetches.rank();
  const held = [await fetches.slot("large", [late, 0]), await fetches.slot("large", [late, 10])];
  const started: string[] = [];
  const wait = (name: string, order: readonly [number, number]) =>
    fetches.slot("large", order).then((release) => {
      started.push(name);
      return release;
    });
  const waiting = [
    wait("late@5", [late, 5]),
    wait("early@900", [early, 900]),
    wait("early@100", [early, 100]),
  ];
  // A small request has slots of its own.
  (await fetches.slot("small", [late, 0]))();
  await Promise.resolve();
  assert.deepEqual(started, []);
  held[0]();
  held[0](); // A second release gives nothing back.
  const first = await waiting[2];
  assert.deepEqual(started, ["early@100"]);
  held[1]();
  first();
  await Promise.all(waiting.map(async (slot) => (await slot)()));
  assert.deepEqual(started, ["early@100", "early@900", "late@5"]);
});

Deno.test("a request waiting for a slot is taken out of line when its signal aborts", async () => {
  const fetches = new RangeFetches({ large: 1 });
  const held = await fetches.slot("large", [1, 0]);
  const stop = new AbortController();
  const stopped = fetches.slot("large", [1, 5], stop.signal);
  const next = fetches.slot("large", [1, 9]);
  stop.abort(new Error("stopped"));
  await assert.rejects(stopped, /stopped/);
  held();
  (await next)();
  await assert.rejects(fetches.slot("large", [1, 0], stop.signal), /stopped/);
});

Deno.test("the import is network-bound once readers waited over half of two periods in a row", () => {
  let now = 0;
  const fetches = new RangeFetches({ now: () => now });
  const woken: string[] = [];
  fetches.onNetworkBound(() => woken.push("first"));
  const takenBack = fetches.onNetworkBound(() => woken.push("taken back"));
  takenBack();
  // A third of a period waited: not bound.
  let stop = fetches.waiting();
  now += PERIOD_MS / 3;
  stop();
  now = PERIOD_MS;
  assert.equal(fetches.networkBound, false);
  // One period waited nearly whole: not yet.
  stop = fetches.waiting();
  now += PERIOD_MS * 0.9;
  stop();
  now = 2 * PERIOD_MS;
  assert.equal(fetches.networkBound, false);
  assert.deepEqual(woken, []);
  // Two readers at once count once; the second period in a row over half: bound, and those waiting told.
  stop = fetches.waiting();
  const other = fetches.waiting();
  now += PERIOD_MS * 0.6;
  other();
  stop();
  now = 3 * PERIOD_MS;
  assert.equal(fetches.networkBound, true);
  assert.deepEqual(woken, ["first"]);
  let told = false;
  fetches.onNetworkBound(() => (told = true));
  assert.equal(told, true);
  // A period without waiting ends it.
  now = 4 * PERIOD_MS;
  assert.equal(fetches.networkBound, false);
});

Deno.test("slot counts are checked up front", () => {
  assert.throws(() => new RangeFetches({ large: 0 }), RangeError);
  assert.throws(() => new RangeFetches({ small: 1.5 }), RangeError);
});

Deno.test("once a reader has waited a while, the periods are judged as they end: the spans waiting for it are woken with no other call", async () => {
  // The real clock: nothing but the waiting reader, and no call in, as when every reader and fetch is parked.
  const fetches = new RangeFetches();
  const { promise: woken, resolve } = Promise.withResolvers<void>();
  fetches.onNetworkBound(resolve);
  const stop = fetches.waiting();
  await woken;
  assert.equal(fetches.networkBound, true);
  stop();
});
