import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { BlobWriter, Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { BodyError, OutputTree } from "../../core/output_tree.ts";
import { ArchiveError } from "./entry.ts";
import { StagePool } from "./stage_pool.ts";
import type { StagedFile } from "./stage_protocol.ts";
import { openZipEntry } from "./stored_entry.ts";
import { openZip } from "./zip.ts";
import { RemoteReadError } from "./remote/range_read.ts";
import { RangedZip } from "./remote/ranged_zip.ts";
import type { RemoteFile, RemoteStore } from "./remote/remote_store.ts";

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
  const { offset, compressedSize, crc32 } = (await Array.fromAsync(listed.entries()))[1];
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

/** The sha256 (hex) of `bytes`. */
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test("StagePool: a worker stages a zip entry: its bytes in the temporary file, and their sha256", async (t) => {
  await using f = await fixture(t);
  using pool = await StagePool.start(1) as StagePool;
  assert.ok(pool instanceof StagePool);
  const staged = await pool.stage(f.photoRequest);
  assert.equal(staged.temp, join(f.tree.tempDir, "photo.part"));
  assert.deepEqual(await Deno.readFile(staged.temp), f.photo);
  assert.equal(staged.size, f.photo.length);
  assert.equal(staged.sha256, sha256(f.photo));
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
  const local = await f.tree.writeTemp((await Array.fromAsync(zip.entries()))[1].body(), {
    tempName: "local.part",
  }).catch((
    error,
  ) => error);
  assert.ok(local instanceof BodyError);
  assert.equal(error.message, local.message);
  assert.equal((error.cause as Error).message, (local.cause as Error).message);
  assert.deepEqual([...Deno.readDirSync(f.tree.tempDir)], []);

  // A place in the zip where no entry starts (a directory that does not match the file).
  const misplaced = await pool.stage({ ...request, offset: request.offset + 1 }).catch((error) => error);
  assert.ok(misplaced instanceof ArchiveError, String(misplaced));
  assert.match(misplaced.message, /no entry starts where/);
});

Deno.test("StagePool: an entry that inflates past the size its zip directory says fails as it does on the main thread (a BodyError saying so); no temporary file stays", async (t) => {
  // A CLI run of an export this small stages on the main thread (see WORKER_MIN_BYTES): the worker's own way here.
  await using f = await fixture(t);
  using pool = await StagePool.start(1) as StagePool;
  const request = { ...f.photoRequest, expectedSize: 1000 };
  const error = await pool.stage(request).catch((error) => error);
  assert.ok(error instanceof BodyError, String(error));
  assert.match(error.message, /it inflates to more than the 1000 bytes the zip's directory says/);
  const { offset, compressedSize, crc32 } = request;
  const local = await f.tree.writeTemp(
    openZipEntry(f.archive, request.path, { offset, compressedSize, crc32, size: 1000 }),
    { tempName: "local.part" },
  ).catch((error) => error);
  assert.ok(local instanceof BodyError);
  assert.equal(error.message, local.message);
  assert.deepEqual([...Deno.readDirSync(f.tree.tempDir)], []);
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

/** A store holding `zip` in memory; `fault` may break a read's body halfway. */
function memoryStore(zip: Uint8Array, fault?: (start: number, end: number) => boolean) {
  const file: RemoteFile = {
    id: "1",
    name: "takeout-20250101T000000Z-001.zip",
    location: "memory",
    size: zip.length,
  };
  const store: RemoteStore = {
    description: "memory",
    async *list() {
      yield file;
    },
    read(_file, start, end) {
      const part = zip.slice(start, end);
      const broken = fault?.(start, end) ?? false;
      return Promise.resolve(
        new ReadableStream<Uint8Array>({
          start(controller) {
            if (!broken) {
              controller.enqueue(part);
              return controller.close();
            }
            controller.enqueue(part.slice(0, part.length >> 1));
            controller.error(new TypeError("connection reset"));
          },
        }),
      );
    },
  };
  return { store, file };
}

/** A remote zip of three deflated photos of 2 MB (one span), and an output tree. */
async function remoteFixture() {
  const root = await Deno.makeTempDir({ prefix: "photosync-stage-remote-" });
  // Random bytes: they deflate to about their size, so that the spans are spooled.
  const photos = [1, 2, 3].map(() => {
    const photo = new Uint8Array(2_000_000);
    for (let at = 0; at < photo.length; at += 65536) crypto.getRandomValues(photo.subarray(at, at + 65536));
    return photo;
  });
  const writer = new ZipWriter(new Uint8ArrayWriter(), { level: 6 });
  for (const [i, photo] of photos.entries()) {
    await writer.add(`Takeout/Google Photos/Trip/IMG_${i}.jpg`, new Uint8ArrayReader(photo));
  }
  const zip = await writer.close();
  const tree = new OutputTree(join(root, "out"));
  await tree.clearTemp();
  return {
    zip,
    photos,
    tree,
    spoolDir: join(root, "spans"),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** Stage every entry of `ranged` (planned all) on `pool`; the staged files, or the errors. */
async function stageAll(pool: StagePool, ranged: RangedZip, tree: OutputTree) {
  ranged.willRead([0, 1, 2]);
  const staged: Promise<StagedFile>[] = [];
  for await (const entry of ranged.entries()) {
    const request = {
      path: entry.path,
      root: tree.root,
      tempName: `${entry.index}.part`,
      expectedSize: entry.size,
    };
    staged.push(pool.stageStored(request, entry.stored!()));
  }
  return await Promise.allSettled(staged);
}

Deno.test("StagePool: a worker stages a remote zip's entries from the bytes fetched here; a body broken mid-span is resumed", async () => {
  await using f = await remoteFixture();
  let broken = 0;
  const { store, file } = memoryStore(f.zip, (start, end) => end - start > 1_000_000 && broken++ < 2);
  const ranged = await RangedZip.open(store, file, { spoolDir: f.spoolDir, retry: { baseDelayMs: 1 } });
  using pool = await StagePool.start(1) as StagePool;
  const results = await stageAll(pool, ranged, f.tree);
  ranged.close();
  assert.equal(broken, 3);
  for (const [i, result] of results.entries()) {
    assert.equal(result.status, "fulfilled", String((result as PromiseRejectedResult).reason));
    const { temp, size, sha256: digest } = (result as PromiseFulfilledResult<StagedFile>).value;
    assert.equal(size, f.photos[i].length);
    assert.deepEqual(await Deno.readFile(temp), f.photos[i]);
    // Hashed as the worker wrote it (the bytes were deflated: the hash is the inflated bytes').
    assert.equal(digest, sha256(f.photos[i]));
  }
});

Deno.test("StagePool: a remote entry whose bytes do not match their CRC-32 is not staged; the others are", async () => {
  await using f = await remoteFixture();
  const { store, file } = memoryStore(f.zip);
  const ranged = await RangedZip.open(store, file, { spoolDir: f.spoolDir });
  // A byte of the second entry's deflated data, once the directory was read.
  const local = f.zip.findIndex((_, i) =>
    i > 100 && f.zip[i] === 0x50 && f.zip[i + 1] === 0x4b && f.zip[i + 2] === 3 && f.zip[i + 3] === 4
  );
  f.zip[local + 200_000] ^= 0xff;
  using pool = await StagePool.start(1) as StagePool;
  const [first, damaged, third] = await stageAll(pool, ranged, f.tree);
  ranged.close();
  assert.equal(first.status, "fulfilled");
  assert.equal(third.status, "fulfilled");
  assert.equal(damaged.status, "rejected");
  const error = (damaged as PromiseRejectedResult).reason;
  assert.ok(error instanceof BodyError || error instanceof ArchiveError, String(error));
  assert.match(`${error.message} ${(error.cause as Error | undefined)?.message}`, /CRC|invalid|damaged/i);
  const left = [...Deno.readDirSync(f.tree.tempDir)].map((entry) => entry.name).sort();
  assert.deepEqual(left, ["0.part", "2.part"]);
});

Deno.test("StagePool: a store that fails for good fails the entry with the store's own error, and the worker leaves no file", async () => {
  await using f = await remoteFixture();
  let opened = false;
  const { store, file } = memoryStore(f.zip, () => opened);
  const ranged = await RangedZip.open(store, file, {
    spoolDir: f.spoolDir,
    retry: { baseDelayMs: 1, attempts: 2 },
  });
  opened = true;
  using pool = await StagePool.start(1) as StagePool;
  const results = await stageAll(pool, ranged, f.tree).catch((
    error,
  ) => [{ status: "rejected", reason: error }]);
  ranged.close();
  const failed = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
  assert.ok(failed.reason instanceof RemoteReadError, String(failed.reason));
  assert.deepEqual([...Deno.readDirSync(f.tree.tempDir)], []);
});
