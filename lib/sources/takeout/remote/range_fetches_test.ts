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

/** Tell `fetches` of one body read at a clock of its own: `chunks` of bytes, each come `ms` after it was asked for. */
function readBody(
  fetches: RangeFetches,
  clock: { ms: number },
  chunks: readonly { ms: number; bytes: number }[],
): void {
  const timing = fetches.request();
  for (const chunk of chunks) {
    timing.waiting();
    clock.ms += chunk.ms;
    timing.received(chunk.bytes);
  }
  timing.ended();
}

Deno.test("the link's bandwidth-delay product: the pace of the bytes after each request's first, times the least wait for a first byte less that byte's own time", () => {
  const clock = { ms: 0 };
  const fetches = new RangeFetches({ now: () => clock.ms });
  assert.equal(fetches.bandwidthDelay, undefined);
  // A sidecar's request: one chunk tells a wait, no pace.
  readBody(fetches, clock, [{ ms: 80, bytes: 1000 }]);
  assert.equal(fetches.bandwidthDelay, undefined);
  // A directory's tail at 200 bytes a millisecond (200 kB/s): its first 2,000 bytes came 40 ms after it was
  // asked for, 10 of them their own time at that pace: a round trip of 30 ms, 6,000 bytes.
  readBody(fetches, clock, [{ ms: 40, bytes: 2000 }, { ms: 20, bytes: 4000 }, { ms: 100, bytes: 20_000 }]);
  assert.equal(fetches.bandwidthDelay, 200 * 30);
  // A request that waited longer (behind others' bytes) moves nothing; the time its reader took between
  // reads (nothing asked of the link) is no time of the link's.
  const timing = fetches.request();
  timing.waiting();
  clock.ms += 500;
  timing.received(1000);
  clock.ms += 10_000;
  timing.waiting();
  clock.ms += 10;
  timing.received(2000);
  timing.ended();
  assert.equal(fetches.bandwidthDelay, 200 * 30);
});

Deno.test("two bodies read at once share the link: their waits are counted once, and a request ended while its reader waits adds nothing", () => {
  const clock = { ms: 0 };
  const fetches = new RangeFetches({ now: () => clock.ms });
  const a = fetches.request();
  const b = fetches.request();
  a.waiting();
  b.waiting();
  clock.ms += 10;
  a.received(100);
  b.received(100);
  // For 50 ms both wait, and 10,000 bytes come to the two: 200 bytes a millisecond, not 100.
  a.waiting();
  b.waiting();
  clock.ms += 50;
  a.received(5000);
  b.received(5000);
  a.waiting();
  clock.ms += 1000;
  a.ended();
  a.received(1_000_000);
  b.ended();
  // The first bytes waited 10 ms, half a millisecond of it their own: 9.5 ms at 200 bytes a millisecond.
  assert.equal(fetches.bandwidthDelay, 200 * 9.5);
});

Deno.test("bytes that came faster than the clock tells are a link faster than any gap", () => {
  const clock = { ms: 0 };
  const fetches = new RangeFetches({ now: () => clock.ms });
  readBody(fetches, clock, [{ ms: 1, bytes: 512 }, { ms: 0, bytes: 65_536 }]);
  assert.equal(fetches.bandwidthDelay, Infinity);
});

Deno.test("an earlier run's bandwidth-delay product stands until this run's requests tell a pace", () => {
  const clock = { ms: 0 };
  const fetches = new RangeFetches({ now: () => clock.ms, bandwidthDelay: 6000 });
  assert.equal(fetches.bandwidthDelay, 6000);
  // Sidecars' requests (one chunk each) tell no pace.
  readBody(fetches, clock, [{ ms: 30, bytes: 1000 }]);
  assert.equal(fetches.bandwidthDelay, 6000);
  readBody(fetches, clock, [{ ms: 10, bytes: 1000 }, { ms: 1, bytes: 100_000 }]);
  assert.equal(fetches.bandwidthDelay, 100_000 * 9.99);
});
