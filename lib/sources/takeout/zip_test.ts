import assert from "node:assert/strict";
import { join } from "node:path";
import { configure, Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import { ArchiveError } from "./entry.ts";
import { openZip } from "./zip.ts";
import { openZipEntry } from "./stored_entry.ts";

/** Write a zip of `files` (name, bytes) at deflate `level` into a new folder; returns its path. */
async function writeZip(files: [string, Uint8Array][], level: number) {
  const dir = await Deno.makeTempDir({ prefix: "photosync-zip-test-" });
  const path = join(dir, "takeout-001.zip");
  configure({ useWebWorkers: false });
  const file = await Deno.open(path, { write: true, createNew: true });
  const zip = new ZipWriter(file.writable, { level, keepOrder: true });
  for (const [name, bytes] of files) {
    await zip.add(name, new Uint8ArrayReader(bytes));
  }
  await zip.close();
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Every chunk of `body`. */
async function chunksOf(body: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks;
}

const text = (value: string) => new TextEncoder().encode(value);

Deno.test("openZip: an entry whose bytes no longer match its CRC-32 fails with an ArchiveError; the others read whole", async () => {
  const damaged = text("photo one, whose bytes will change");
  await using zip = await writeZip([["a/one.jpg", damaged], ["a/two.jpg", text("photo two")]], 0);
  // A stored entry: its bytes are in the file as they are, so only the CRC-32 can tell.
  const bytes = await Deno.readFile(zip.path);
  const at = bytes.findIndex((_, i) => damaged.every((byte, j) => bytes[i + j] === byte));
  assert.ok(at > 0);
  bytes[at] ^= 0xff;
  await Deno.writeFile(zip.path, bytes);

  await using opened = await openZip(zip.path);
  const entries = [];
  for await (const entry of opened.entries()) entries.push(entry);
  assert.deepEqual(entries.map((entry) => [entry.path, entry.index]), [["a/one.jpg", 0], ["a/two.jpg", 1]]);
  await assert.rejects(chunksOf(entries[0].body()), (error: Error) => {
    assert.ok(error instanceof ArchiveError, String(error));
    assert.match(error.message, /^a\/one\.jpg: .*CRC-32/);
    return true;
  });
  assert.equal(new TextDecoder().decode((await chunksOf(entries[1].body()))[0]), "photo two");
});

Deno.test("openZipEntry: an entry read from where the directory puts it (deflated or stored) has its bytes; a damaged one fails", async () => {
  const photo = new Uint8Array(200_000).map((_, i) => (i * 31) % 7);
  const written = new Map([["a/one.jpg", text("first")], ["a/two.jpg", photo]]);
  for (const level of [0, 9]) {
    await using zip = await writeZip([...written], level);
    await using opened = await openZip(zip.path);
    for await (const entry of opened.entries()) {
      const direct = openZipEntry(zip.path, entry.path, {
        offset: entry.offset!,
        compressedSize: entry.compressedSize!,
        crc32: entry.crc32,
        size: entry.size,
      });
      const read = new Uint8Array(await new Response(direct).arrayBuffer());
      assert.deepEqual(read, written.get(entry.path), entry.path);
      assert.deepEqual(new Uint8Array(await new Response(entry.body()).arrayBuffer()), read, entry.path);
    }
    const two = (await Array.fromAsync(opened.entries()))[1];
    const span = {
      offset: two.offset!,
      compressedSize: two.compressedSize!,
      crc32: two.crc32,
      size: two.size,
    };
    // Another CRC-32 than the bytes': the end of the stream fails.
    const wrong = openZipEntry(zip.path, two.path, { ...span, crc32: (two.crc32! + 1) >>> 0 });
    await assert.rejects(new Response(wrong).arrayBuffer(), /CRC-32/);
    // No local header where the directory points.
    assert.throws(() => openZipEntry(zip.path, two.path, { ...span, offset: span.offset + 1 }), ArchiveError);
    // The zip cut inside the entry.
    const bytes = await Deno.readFile(zip.path);
    await Deno.writeFile(zip.path, bytes.subarray(0, span.offset + 100));
    const cut = openZipEntry(zip.path, two.path, span);
    await assert.rejects(new Response(cut).arrayBuffer(), /cut short/);
  }
});
