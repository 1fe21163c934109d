import assert from "node:assert/strict";
import { Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { ArchiveError } from "../entry.ts";
import { PERIOD_MS, RangeFetches } from "./range_fetches.ts";
import { RemoteReadError } from "./range_read.ts";
import { RangedZip, SMALL_BYTES_AHEAD, SMALL_SPANS_AHEAD, SPAN_GAP, spanGap } from "./ranged_zip.ts";
import type { RemoteFile, RemoteStore } from "./remote_store.ts";

/** A store of one file held in memory, counting what it serves; `fault` may break a read. */
function memoryStore(
  bytes: Uint8Array,
  fault?: (start: number, end: number) => "refuse" | "break" | undefined,
) {
  const file: RemoteFile = {
    id: "1",
    name: "takeout-20250101T000000Z-001.zip",
    location: "memory",
    size: bytes.length,
  };
  const served = { bytes: 0, requests: 0 };
  const store: RemoteStore = {
    description: "memory",
    async *list() {
      yield file;
    },
    read(_file, start, end) {
      served.requests++;
      const what = fault?.(start, end);
      if (what === "refuse") return Promise.reject(new RemoteReadError("memory: refused"));
      const part = bytes.slice(start, end);
      served.bytes += what === "break" ? part.length >> 1 : part.length;
      return Promise.resolve(
        new ReadableStream<Uint8Array>({
          start(controller) {
            if (what === "break") {
              controller.enqueue(part.slice(0, part.length >> 1));
              controller.error(new TypeError("connection reset"));
            } else {
              controller.enqueue(part);
              controller.close();
            }
          },
        }),
      );
    },
  };
  return { store, file, served };
}

/** A zip of `count` entries of `size` pseudo-random bytes each, stored (level 0) or deflated. */
async function makeZip(
  count: number,
  size: number,
  level = 0,
): Promise<{ zip: Uint8Array; contents: Uint8Array[] }> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { level });
  const contents: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(size);
    for (let at = 0; at < size; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536));
    contents.push(data);
    await writer.add(`Takeout/Google Photos/2020/IMG_${i}.jpg`, new Blob([data]).stream());
  }
  return { zip: await writer.close(), contents };
}

const tmp = () => Deno.makeTempDir({ prefix: "ranged-zip-test-" });

Deno.test("a ranged zip fetches only the planned entries, in spans, and reads them whole", async () => {
  const { zip, contents } = await makeZip(20, 300_000, 6);
  const { store, file, served } = memoryStore(zip);
  const spoolDir = await tmp();
  const ranged = await RangedZip.open(store, file, { spoolDir });
  const directoryBytes = served.bytes;
  assert.ok(directoryBytes < 150_000, `the directory took ${directoryBytes} bytes`);
  const wanted = new Set([3, 4, 5, 15]);
  ranged.willRead([...wanted]);
  for await (const entry of ranged.entries()) {
    if (!wanted.has(entry.index!)) continue;
    assert.equal(typeof entry.crc32, "number");
    const bytes = new Uint8Array(await new Response(entry.body()).arrayBuffer());
    assert.deepEqual(bytes, contents[entry.index!]);
  }
  // Entries 3-5 make one span, 15 another; nothing else of the body is fetched.
  assert.ok(
    served.bytes - directoryBytes < 4 * 300_200 + 256 * 1024,
    `fetched ${served.bytes - directoryBytes}`,
  );
  assert.equal(served.requests - 1, 2);
  ranged.close();
  await Deno.remove(spoolDir, { recursive: true });
});

Deno.test("a broken body is resumed where it broke; an unplanned read is fetched alone", async () => {
  const { zip, contents } = await makeZip(4, 2_000_000);
  let broken = 0;
  const { store, file } = memoryStore(
    zip,
    (start, end) => (end - start > 1_000_000 && broken++ < 2 ? "break" : undefined),
  );
  const spoolDir = await tmp();
  const ranged = await RangedZip.open(store, file, { spoolDir, retry: { baseDelayMs: 1 } });
  ranged.willRead([1, 2]);
  for await (const entry of ranged.entries()) {
    if (entry.index === 0) continue;
    const bytes = new Uint8Array(await new Response(entry.body()).arrayBuffer());
    assert.deepEqual(bytes, contents[entry.index!]);
  }
  // Requests of over a million bytes: the span of entries 1 and 2 twice broken and once resumed, and the
  // first piece (a MiB) of entry 3, read alone as it was not planned.
  assert.equal(broken, 4);
  ranged.close();
  await Deno.remove(spoolDir, { recursive: true });
});

Deno.test("a store that fails while the directory is read is the store's error, not a damaged zip", async () => {
  const { zip } = await makeZip(2, 1000);
  const { store, file } = memoryStore(zip, () => "refuse");
  await assert.rejects(RangedZip.open(store, file, { spoolDir: "unused" }), RemoteReadError);
  const cut = memoryStore(zip.slice(0, zip.length - 30));
  await assert.rejects(
    RangedZip.open(cut.store, { ...cut.file, size: zip.length - 30 }, { spoolDir: "unused" }),
    (error) =>
      error instanceof ArchiveError &&
      /cut short.*put a good copy of this part there \(download it from Takeout again\)/.test(error.message),
  );
});

Deno.test("an empty part where it is stored says so and what to do, reading nothing", async () => {
  const { store, file, served } = memoryStore(new Uint8Array());
  await assert.rejects(
    RangedZip.open(store, file, { spoolDir: "unused" }),
    (error) =>
      error instanceof ArchiveError &&
      error.message ===
        "the file is empty (0 bytes): its copy there stopped before it began; put a good copy of this part there (download it from Takeout again) and run again",
  );
  assert.equal(served.requests, 0);
});

Deno.test("a body that keeps breaking fails with the store's error", async () => {
  const { zip } = await makeZip(2, 2_000_000);
  let opened = false;
  const { store, file } = memoryStore(zip, () => (opened ? "break" : undefined));
  const spoolDir = await tmp();
  const ranged = await RangedZip.open(store, file, { spoolDir, retry: { baseDelayMs: 1, attempts: 3 } });
  opened = true;
  ranged.willRead([0, 1]);
  const entries = ranged.entries();
  const first = (await entries.next()).value!;
  await assert.rejects(new Response(first.body()).arrayBuffer());
  await assert.rejects(entries.next(), RemoteReadError);
  ranged.close();
  await Deno.remove(spoolDir, { recursive: true });
});

/** Whether `path` exists. */
async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("a large span streams through a small window: read three at a time, whole; nothing spooled", async () => {
  // Stored: 12 MB of entries in one span, six times the window.
  const { zip, contents } = await makeZip(8, 1_500_000);
  const { store, file, served } = memoryStore(zip);
  const dir = await tmp();
  const spoolDir = `${dir}/spans`;
  const ranged = await RangedZip.open(store, file, { spoolDir });
  const directoryBytes = served.bytes;
  ranged.willRead([0, 1, 2, 3, 4, 5, 6, 7]);
  const reading: Promise<void>[] = [];
  for await (const entry of ranged.entries()) {
    reading.push(
      new Response(entry.body()).bytes().then((bytes) => assert.deepEqual(bytes, contents[entry.index!])),
    );
    if (reading.length >= 3) await reading.shift();
  }
  await Promise.all(reading);
  // One request for the span, its bytes once.
  assert.equal(served.requests, 2);
  assert.ok(served.bytes - directoryBytes < zip.length);
  ranged.close();
  // Read in order, one at a time, the window never needed a spool file.
  const again = await RangedZip.open(store, file, { spoolDir });
  again.willRead([0, 1, 2, 3, 4, 5, 6, 7]);
  for await (const entry of again.entries()) {
    assert.deepEqual(await new Response(entry.body()).bytes(), contents[entry.index!]);
  }
  assert.equal(await exists(spoolDir), false);
  again.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a reader past the window while the entry before it is read on: nothing spooled", async () => {
  // An import reads three entries at once: the second's reader waits for bytes past the window until
  // the first's moves on, which it does as its stage worker takes its bytes. Spilled at once instead, the
  // span went to disk and was read back for nothing.
  const { zip, contents } = await makeZip(3, 1_500_000);
  const { store, file, served } = memoryStore(zip);
  const dir = await tmp();
  const spoolDir = `${dir}/spans`;
  // However slow the machine, the second's reader waits for the first (a minute: no timing in the test, and a wait that never ends fails).
  const ranged = await RangedZip.open(store, file, { spoolDir, behindMs: 60_000 });
  const directoryRequests = served.requests;
  ranged.willRead([0, 1, 2]);
  const bodies: ReadableStream<Uint8Array>[] = [];
  for await (const entry of ranged.entries()) bodies.push(entry.body());
  // The second entry's first piece lies past the window, which holds the first entry's bytes.
  const second = new Response(bodies[1]).bytes();
  assert.deepEqual(await new Response(bodies[0]).bytes(), contents[0]);
  assert.deepEqual(await second, contents[1]);
  assert.deepEqual(await new Response(bodies[2]).bytes(), contents[2]);
  assert.equal(served.requests - directoryRequests, 1);
  assert.equal(await exists(spoolDir), false);
  ranged.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a reader ahead of an entry no one reads yet: the window spills into a spool file, nothing lost", async () => {
  const { zip, contents } = await makeZip(6, 2_500_000);
  const { store, file, served } = memoryStore(zip);
  const dir = await tmp();
  const spoolDir = `${dir}/spans`;
  // It spills as soon as the window is full (the default waits half a second first).
  const ranged = await RangedZip.open(store, file, { spoolDir, behindMs: 0 });
  ranged.willRead([0, 1, 2, 3, 4, 5]);
  let first: ReadableStream<Uint8Array> | undefined;
  for await (const entry of ranged.entries()) {
    if (entry.index === 0) {
      // Entry 0 is opened but not read while entry 1, past the window, is read whole.
      first = entry.body();
      continue;
    }
    assert.deepEqual(await new Response(entry.body()).bytes(), contents[entry.index!]);
    if (entry.index === 1) {
      assert.equal(await exists(spoolDir), true);
      assert.deepEqual(await new Response(first).bytes(), contents[0]);
    }
  }
  // The span once: what the window held went to the spool file, not to a second request.
  assert.equal(served.requests, 2);
  ranged.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("when the import waits on the network, large spans are fetched ahead into spool files", async () => {
  let now = 0;
  const fetches = new RangeFetches({ now: () => now });
  // Readers waited through two periods: network-bound.
  const stop = fetches.waiting();
  now += PERIOD_MS;
  assert.equal(fetches.networkBound, false);
  now += PERIOD_MS;
  stop();
  assert.equal(fetches.networkBound, true);
  const { zip, contents } = await makeZip(4, 1_500_000);
  const { store, file } = memoryStore(zip);
  const dir = await tmp();
  const spoolDir = `${dir}/spans`;
  const ranged = await RangedZip.open(store, file, { spoolDir, fetches });
  ranged.willRead([0, 1, 2, 3]);
  for await (const entry of ranged.entries()) {
    assert.deepEqual(await new Response(entry.body()).bytes(), contents[entry.index!]);
    assert.equal(await exists(spoolDir), true);
  }
  ranged.close();
  await Deno.remove(dir, { recursive: true });
});

/**
 * A zip of `count` pairs: a photo of `photoSize` bytes no one reads, then a small entry of `readSize`
 * bytes that is read (a sidecar, as Takeout puts one after its photo); the read entries' indices.
 */
async function pairsZip(count: number, photoSize: number, readSize: number) {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { level: 0 });
  const contents = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const photo = new Uint8Array(photoSize);
    for (let at = 0; at < photoSize; at += 65536) crypto.getRandomValues(photo.subarray(at, at + 65536));
    await writer.add(`Takeout/Google Photos/2020/IMG_${i}.jpg`, new Blob([photo]).stream());
    const read = new Uint8Array(readSize).fill(i % 251);
    await writer.add(`Takeout/Google Photos/2020/IMG_${i}.jpg.json`, new Blob([read]).stream());
    contents.set(2 * i + 1, read);
  }
  return { zip: await writer.close(), contents };
}

/**
 * `memoryStore` whose answers come a macrotask later, counting the requests answered by none yet
 * (`peak`: the most at once). Requests started in one pass of the pump are all open at once.
 */
function laterStore(bytes: Uint8Array) {
  const { store, file, served } = memoryStore(bytes);
  const open = { now: 0, peak: 0 };
  const later: RemoteStore = {
    ...store,
    async read(f, start, end) {
      open.peak = Math.max(open.peak, ++open.now);
      await new Promise((resolve) => setTimeout(resolve, 0));
      open.now--;
      return await store.read(f, start, end);
    },
  };
  return { store: later, file, served, open };
}

/**
 * Plan the reads of every entry in `contents` (by index) at once, read them through `ranged`, each checked
 * byte-exact; then close it and remove its spool folder.
 */
async function readAllPlanned(ranged: RangedZip, contents: Map<number, Uint8Array>, spoolDir: string) {
  ranged.willRead([...contents.keys()]);
  for await (const entry of ranged.entries()) {
    const want = contents.get(entry.index!);
    if (want) assert.deepEqual(await new Response(entry.body()).bytes(), want);
  }
  ranged.close();
  await Deno.remove(spoolDir, { recursive: true });
}

/**
 * Read every read entry of a {@link pairsZip} through a ranged zip, planned all at once, with as many
 * small requests at once as it likes: checks each byte-exact and gives the most requests open at once.
 */
async function peakOfReading(count: number, readSize: number): Promise<number> {
  const { zip, contents } = await pairsZip(count, SPAN_GAP + 10_000, readSize);
  const { store, file, open } = laterStore(zip);
  const spoolDir = await tmp();
  const ranged = await RangedZip.open(store, file, { spoolDir, fetches: new RangeFetches({ small: 1000 }) });
  open.peak = 0;
  await readAllPlanned(ranged, contents, spoolDir);
  return open.peak;
}

Deno.test("many small spans (sidecars) are fetched as many at once as the run allows, not 16 a zip", async () => {
  // 100 sidecars of 2 KB, each after a photo larger than the gap that would join them: 100 spans.
  assert.equal(await peakOfReading(100, 2_000), SMALL_SPANS_AHEAD);
});

Deno.test("small spans held ahead of the reader stay within their bytes, whatever their count", async () => {
  // 40 entries of 900 KB read, each after a photo no one reads: 40 spans held in memory whole. Each span is
  // its entry and its local header (under 100 bytes): 18 of them fit in the bytes held ahead.
  assert.equal(await peakOfReading(40, 900_000), Math.floor(SMALL_BYTES_AHEAD / 900_100));
});

Deno.test("a plan's spans are let go of as they are read: a zip read through holds a few, not one for each sidecar it read", async () => {
  // 300 sidecars, each after a photo larger than the gap that would join them: the catalog's plan, 300 spans.
  const { zip, contents } = await pairsZip(300, SPAN_GAP + 10_000, 2_000);
  const { store, file } = memoryStore(zip);
  const spoolDir = await tmp();
  const ranged = await RangedZip.open(store, file, { spoolDir });
  ranged.willRead([...contents.keys()]);
  assert.equal(ranged.spansHeld, 300);
  let read = 0;
  let heldHalfway = 0;
  for await (const entry of ranged.entries()) {
    const want = contents.get(entry.index!);
    if (!want) continue;
    assert.deepEqual(await new Response(entry.body()).bytes(), want);
    if (++read === 150) heldHalfway = ranged.spansHeld;
  }
  // Kept till the next plan, the 300 held about 3 KB each (a large part's catalog: thousands).
  assert.ok(heldHalfway <= 150 + 150 / 2, `${heldHalfway} spans held halfway`);
  assert.ok(ranged.spansHeld < 32, `${ranged.spansHeld} spans held once all were read`);
  ranged.close();
  await Deno.remove(spoolDir, { recursive: true });
});

/**
 * `memoryStore` behind a link told by a clock of its own (`now`): an answer's bytes come in pieces of 16 KB,
 * the first a round trip after its request was asked for, each after its own time at `bytesPerMs`.
 */
function linkStore(bytes: Uint8Array, link: { roundTripMs: number; bytesPerMs: number }) {
  const { store, file, served } = memoryStore(bytes);
  const clock = { ms: 0 };
  const linked: RemoteStore = {
    ...store,
    async read(f, start, end) {
      const all = await new Response(await store.read(f, start, end)).bytes();
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= all.length) return controller.close();
          const piece = all.slice(at, at + 16_384);
          clock.ms += (at === 0 ? link.roundTripMs : 0) + piece.length / link.bytesPerMs;
          at += piece.length;
          controller.enqueue(piece);
        },
      }, { highWaterMark: 0 });
    },
  };
  return { store: linked, file, served, now: () => clock.ms };
}

/** The bytes and requests a ranged zip of 20 pairs (a 50 kB photo, its 1 kB sidecar) took to read the sidecars. */
async function sidecarsThrough(link: { roundTripMs: number; bytesPerMs: number }) {
  const { zip, contents } = await pairsZip(20, 50_000, 1_000);
  const { store, file, served, now } = linkStore(zip, link);
  const spoolDir = await tmp();
  const fetches = new RangeFetches({ now });
  const ranged = await RangedZip.open(store, file, { spoolDir, fetches });
  const gap = spanGap(fetches.bandwidthDelay);
  const before = { ...served };
  await readAllPlanned(ranged, contents, spoolDir);
  return { gap, bytes: served.bytes - before.bytes, requests: served.requests - before.requests };
}

Deno.test("the gap between spans is the link's bandwidth-delay product as the directory's read measured it: a slow link fetches each sidecar alone, loopback joins them over the photos", async () => {
  // 200 kB/s and 30 ms a round trip: 6,000 bytes, less than a photo; each sidecar (and its header) alone.
  const slow = await sidecarsThrough({ roundTripMs: 30, bytesPerMs: 200 });
  assert.equal(slow.gap, 6000);
  assert.equal(slow.requests, 20);
  assert.ok(slow.bytes < 20 * 1_200, `${slow.bytes} bytes`);
  // 1 GB/s and 1 ms: the most gap, 64 KB; one span over every photo.
  const fast = await sidecarsThrough({ roundTripMs: 1, bytesPerMs: 1_000_000 });
  assert.equal(fast.gap, SPAN_GAP);
  assert.equal(fast.requests, 1);
  assert.ok(fast.bytes > 19 * 50_000, `${fast.bytes} bytes`);
});
