import assert from "node:assert/strict";
import { ArchiveError } from "./entry.ts";
import { InflateInPieces } from "./inflate.ts";

Deno.test("InflateInPieces: one write that inflates to 64 MB is let through only as its output is read, a megabyte at a time", async () => {
  const size = 64 * 1024 * 1024;
  const deflated = new Uint8Array(
    await new Response(
      new Blob([new Uint8Array(size)]).stream().pipeThrough(new CompressionStream("deflate-raw")),
    ).arrayBuffer(),
  );
  const inflater = new InflateInPieces("deflate-raw");
  const writer = inflater.writable.getWriter();
  let read = 0;
  let readWhenWritten = -1;
  // zip.js writes what it read (256 KB at a time): here all of the entry at once.
  const written = writer.write(deflated).then(() => readWhenWritten = read);
  const reader = inflater.readable.getReader();
  let largest = 0;
  while (read < size) {
    const { value, done } = await reader.read();
    if (done) break;
    read += value.length;
    largest = Math.max(largest, value.length);
  }
  await written;
  await writer.close();
  assert.equal((await reader.read()).done, true);
  assert.equal(read, size);
  assert.ok(largest <= 2 * 1024 * 1024, `a piece of ${largest} bytes`);
  // The write waited for its output to be taken: at most a piece was left unread when it ended.
  assert.ok(readWhenWritten >= size - largest, `written when ${readWhenWritten} of ${size} bytes were read`);
});

Deno.test("InflateInPieces: bytes that do not inflate are an ArchiveError naming the entry; an error of their source passes as it is", async () => {
  const deflated = new Uint8Array(
    await new Response(
      new Blob([new TextEncoder().encode("a photo ".repeat(100))]).stream()
        .pipeThrough(new CompressionStream("deflate-raw")),
    ).arrayBuffer(),
  );
  const said =
    "IMG_1.jpg: its compressed bytes are damaged (they do not inflate); download this part of the export again";
  for (
    const bad of [
      new Uint8Array([...deflated, 1, 2, 3, 4]), // bytes past the stream's end: another entry's
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3]), // no deflate stream at all
    ]
  ) {
    const inflated = ReadableStream.from([bad]).pipeThrough(new InflateInPieces("deflate-raw", "IMG_1.jpg"));
    await assert.rejects(
      new Response(inflated).arrayBuffer(),
      (error) => error instanceof ArchiveError && error.message === said,
    );
  }
  const gone = new Error("the network went away");
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(deflated.subarray(0, 10));
      controller.error(gone);
    },
  });
  await assert.rejects(
    new Response(source.pipeThrough(new InflateInPieces("deflate-raw", "IMG_1.jpg"))).arrayBuffer(),
    (error) => error === gone,
  );
});
