import assert from "node:assert/strict";
import { Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { ArchiveError, type StoredEntry } from "./entry.ts";
import { decodeStored } from "./stored_entry.ts";
import { openZip } from "./zip.ts";

/**
 * A zip of `data` (deflated, or stored at level 0) and what its directory says of its one entry: its
 * stored bytes are the zip's from the start to its directory.
 */
async function oneEntryZip(data: Uint8Array<ArrayBuffer>, level: number) {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { level });
  await writer.add("Takeout/Google Photos/2020/IMG_1.jpg", new Blob([data]).stream());
  const zip = await writer.close();
  const path = await Deno.makeTempFile({ suffix: ".zip" });
  await Deno.writeFile(path, zip);
  await using open = await openZip(path);
  const entry = (await Array.fromAsync(open.entries()))[0];
  await Deno.remove(path);
  const method = level === 0 ? 0 : 8;
  return { zip, crc32: entry.crc32!, method };
}

/** `bytes` in chunks of `size`. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

function compressedSizeOf(zip: Uint8Array): number {
  // The directory's entry: its compressed size at byte 20 of the central header (`PK\x01\x02`).
  const at = zip.findIndex((_, i) =>
    zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 1 && zip[i + 3] === 2
  );
  return new DataView(zip.buffer, zip.byteOffset).getUint32(at + 20, true);
}

const photo = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);

Deno.test("decodeStored: a deflated or stored entry comes out whole, whatever the chunks (the header split too)", async () => {
  for (const level of [0, 6]) {
    const { zip, crc32, method } = await oneEntryZip(photo, level);
    for (const size of [7, 4096, 1 << 20]) {
      const entry: StoredEntry = {
        method,
        encrypted: false,
        compressedSize: compressedSizeOf(zip),
        crc32,
        size: photo.length,
        bytes: chunked(zip, size),
      };
      const out = new Uint8Array(await new Response(decodeStored("IMG_1.jpg", entry)).arrayBuffer());
      assert.deepEqual(out, photo, `level ${level}, chunks of ${size}`);
    }
  }
});

Deno.test("decodeStored: damage is an ArchiveError: a wrong CRC-32, bytes ending early, no local header, a method not deflate", async () => {
  const { zip, crc32, method } = await oneEntryZip(photo, 6);
  const compressedSize = compressedSizeOf(zip);
  const decode = (entry: Partial<StoredEntry>) =>
    new Response(decodeStored("IMG_1.jpg", {
      method,
      encrypted: false,
      compressedSize,
      crc32,
      size: photo.length,
      bytes: chunked(zip, 65536),
      ...entry,
    })).arrayBuffer();
  await assert.rejects(
    decode({ crc32: crc32 ^ 1 }),
    (error) => error instanceof ArchiveError && /CRC-32/.test(error.message),
  );
  await assert.rejects(decode({ bytes: chunked(zip.slice(0, 1000), 300) }), /ends inside this entry/);
  await assert.rejects(decode({ bytes: chunked(zip.slice(1), 300) }), /no entry starts where/);
  await assert.rejects(decode({ method: 12 }), /compression method \(12\)/);
  await assert.rejects(decode({ encrypted: true }), /encrypted/);
});

Deno.test("decodeStored: an entry that inflates to more than the directory's size fails there, passing no byte past it; to fewer, at its end", async () => {
  for (const level of [0, 6]) {
    const { zip, crc32, method } = await oneEntryZip(photo, level);
    const decoded = (size: number) =>
      decodeStored("IMG_1.jpg", {
        method,
        encrypted: false,
        compressedSize: compressedSizeOf(zip),
        crc32,
        size,
        bytes: chunked(zip, 4096),
      });
    let passed = 0;
    const counted = decoded(1000).pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          passed += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
    await assert.rejects(
      new Response(counted).arrayBuffer(),
      (error) =>
        error instanceof ArchiveError &&
        error.message ===
          "IMG_1.jpg: it inflates to more than the 1000 bytes the zip's directory says (the entry is damaged)",
    );
    assert.ok(passed <= 1000, `level ${level}: ${passed} bytes passed on`);
    await assert.rejects(
      new Response(decoded(photo.length + 1)).arrayBuffer(),
      (error) =>
        error instanceof ArchiveError &&
        error.message ===
          `IMG_1.jpg: it holds ${photo.length} bytes, not the ${
            photo.length + 1
          } the zip's directory says (the entry is damaged)`,
    );
  }
});
