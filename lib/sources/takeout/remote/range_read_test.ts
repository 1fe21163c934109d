import assert from "node:assert/strict";
import { rangeChunks } from "./range_read.ts";
import type { RemoteFile, RemoteStore } from "./remote_store.ts";

const file: RemoteFile = { id: "f", name: "takeout-20250101T000000Z-001.zip", location: "memory", size: 0 };

/**
 * A store whose bodies are byte streams, as WebDAV's are, serving `bytes` in pieces of at most `piece`;
 * the first body breaks after `breakAfter` bytes. Counts the buffers its readers gave it.
 */
function byteStore(bytes: Uint8Array, piece: number, breakAfter = Infinity) {
  const given: number[] = [];
  let bodies = 0;
  const store: RemoteStore = {
    description: "memory",
    async *list() {},
    read(_file, start, end) {
      const broken = bodies++ === 0 ? start + breakAfter : Infinity;
      let at = start;
      return Promise.resolve(
        new ReadableStream({
          type: "bytes",
          pull(controller) {
            if (at >= broken) return controller.error(new TypeError("connection reset"));
            const request = controller.byobRequest!;
            const view = request.view!;
            given.push(view.buffer.byteLength);
            const count = Math.min(view.byteLength, piece, end - at, broken - at);
            new Uint8Array(view.buffer, view.byteOffset, count).set(bytes.subarray(at, at + count));
            at += count;
            request.respond(count);
            if (at >= end) controller.close();
          },
        }, { highWaterMark: 0 }),
      );
    },
  };
  return { store, given };
}

async function readAll(chunks: ReturnType<typeof rangeChunks>): Promise<Uint8Array> {
  const parts: number[] = [];
  for (let chunk; (chunk = await chunks.next()) !== undefined;) parts.push(...chunk);
  return new Uint8Array(parts);
}

Deno.test("a range of a byte-stream store is read into one buffer, no larger than the range", async () => {
  const bytes = crypto.getRandomValues(new Uint8Array(5_000));
  const { store, given } = byteStore(bytes, 700);
  assert.deepEqual(
    await readAll(rangeChunks(store, file, 100, 2_100, { reuse: true })),
    bytes.subarray(100, 2_100),
  );
  // A sidecar's range does not take a buffer of a large span's size.
  assert.ok(given.length >= 3);
  assert.ok(given.every((size) => size === 2_000), `buffers of ${given}`);
});

Deno.test("a byte-stream body that breaks is read on from where it broke, byte-exact", async () => {
  const bytes = crypto.getRandomValues(new Uint8Array(50_000));
  const { store } = byteStore(bytes, 4_096, 10_000);
  const chunks = rangeChunks(store, file, 1_000, 49_000, {
    reuse: true,
    retry: { sleep: () => Promise.resolve() },
  });
  assert.deepEqual(await readAll(chunks), bytes.subarray(1_000, 49_000));
});
