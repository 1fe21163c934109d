import assert from "node:assert/strict";
import { join } from "node:path";
import { BlobWriter, Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import { BodyError, OutputTree } from "../../core/output_tree.ts";
import { ArchiveError } from "./entry.ts";
import { StagePool } from "./stage_pool.ts";
import { openZip } from "./zip.ts";

/** A folder holding `export.zip` (two stored entries) and an output tree with its temporary folder. */
async function fixture(t: { name: string }) {
  const root = await Deno.makeTempDir({ prefix: "photosync-stage-" });
  const photo = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
  const writer = new ZipWriter(new BlobWriter("application/zip"));
  await writer.add(
    "Takeout/Google Photos/Trip/note.txt",
    new Uint8ArrayReader(new TextEncoder().encode(t.name)),
  );
  await writer.add("Takeout/Google Photos/Trip/IMG_0001.jpg", new Uint8ArrayReader(photo), { level: 0 });
  const zip = new Uint8Array(await (await writer.close()).arrayBuffer());
  const archive = join(root, "export.zip");
  await Deno.writeFile(archive, zip);
  const tree = new OutputTree(join(root, "out"));
  await tree.clearTemp();
  // Where the photo is, as the main thread's listing says.
  await using listed = await openZip(archive);
  const { offset, compressedSize, crc32 } = (await listed.entryAt(1))!;
  return {
    root,
    archive,
    photo,
    tree,
    /** The request that stages the photo (entry 1) as `photo.part`. */
    photoRequest: {
      archive,
      offset: offset!,
      compressedSize: compressedSize!,
      crc32,
      path: "Takeout/Google Photos/Trip/IMG_0001.jpg",
      root: tree.root,
      tempName: "photo.part",
      expectedSize: photo.length,
    },
    /** Flip a byte in the middle of the photo's stored bytes. */
    async corrupt() {
      const at = zip.findIndex((_, i) =>
        zip[i] === photo[0] && zip[i + 1] === photo[1] && zip[i + 2] === photo[2]
      );
      zip[at + 150_000] ^= 0xff;
      await Deno.writeFile(archive, zip);
    },
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

Deno.test("StagePool: a worker stages a zip entry: its bytes in the temporary file", async (t) => {
  await using f = await fixture(t);
  using pool = await StagePool.start(1) as StagePool;
  assert.ok(pool instanceof StagePool);
  const staged = await pool.stage(f.photoRequest);
  assert.equal(staged.temp, join(f.tree.tempDir, "photo.part"));
  assert.deepEqual(await Deno.readFile(staged.temp), f.photo);
  assert.equal(staged.size, f.photo.length);
});

Deno.test("StagePool: a corrupt entry fails as it does on the main thread (a BodyError saying why); no temporary file stays", async (t) => {
  await using f = await fixture(t);
  await f.corrupt();
  using pool = await StagePool.start(1) as StagePool;
  const request = f.photoRequest;
  const error = await pool.stage(request).catch((error) => error);
  assert.ok(error instanceof BodyError, String(error));
  assert.match((error.cause as Error).message, /CRC/i);
  // The same entry staged here fails the same way.
  await using zip = await openZip(f.archive);
  const local = await f.tree.writeTemp((await zip.entryAt(1))!.body(), { tempName: "local.part" }).catch((
    error,
  ) => error);
  assert.ok(local instanceof BodyError);
  assert.equal(error.message, local.message);
  assert.equal((error.cause as Error).message, (local.cause as Error).message);
  assert.deepEqual([...Deno.readDirSync(f.tree.tempDir)], []);

  // A place in the zip where no entry starts (a directory that does not match the file).
  const misplaced = await pool.stage({ ...request, offset: request.offset + 1 }).catch((error) => error);
  assert.ok(misplaced instanceof ArchiveError, String(misplaced));
  assert.match(misplaced.message, /local header is not where/);
});

Deno.test("StagePool.start: the number of workers must be a positive integer", async () => {
  for (const count of [0, -1, 1.5, NaN]) {
    await assert.rejects(StagePool.start(count), RangeError);
  }
});

Deno.test("StagePool.start: a missing worker module (a build without it) gives the reason, not a pool (the import then stages here)", async () => {
  const missing = new URL("./no_such_worker.ts", import.meta.url);
  const started = await StagePool.start(2, missing);
  assert.ok(!(started instanceof StagePool));
  assert.match(started.unavailable, /no_such_worker/);
});
