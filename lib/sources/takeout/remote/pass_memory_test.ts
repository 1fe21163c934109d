import assert from "node:assert/strict";
import { Store } from "../../../core/store.ts";
import type { ArchiveSource } from "../archive_source.ts";
import { catalog } from "../catalog.ts";
import type { ArchiveEntry } from "../entry.ts";
import { PASS_MEMORY, PassMemory } from "./pass_memory.ts";
import type { RemoteFile } from "./remote_store.ts";

const part = (name: string, size = 1000, modifiedMs = 5): RemoteFile => ({
  id: name,
  name,
  location: name,
  size,
  modifiedMs,
});
const entry = (index: number, path: string, crc32 = 7): ArchiveEntry => ({
  path,
  size: 20,
  mtimeMs: 0,
  index,
  crc32,
  body: () => new Response("").body!,
});

Deno.test("PassMemory keeps a part's directory and JSON texts for the next run (a run that keeps: one with a time limit), only for the same copy of the part, and forgets an export whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = part("takeout-20250101T000000Z-001.zip");
    const other = part("takeout-20250301T000000Z-001.zip");
    const sidecar = entry(3, "Takeout/Google Photos/Photos from 2020/IMG_1.jpg.json");
    {
      using store = Store.open(dir);
      using memory = new PassMemory(store, { keep: true });
      memory.keepDirectory("20250101T000000Z", first, [{ start: 900, bytes: new Uint8Array([1, 2, 255]) }]);
      memory.keepJson("20250101T000000Z", first, sidecar, '{"title":"IMG_1.jpg"}');
      memory.keepJson("20250301T000000Z", other, sidecar, '{"title":"other"}');
      // Not written yet, but known to this run.
      assert.equal(memory.json("20250101T000000Z", first, sidecar), '{"title":"IMG_1.jpg"}');
    }
    // The next run (the first disposed of: what it kept is written), one without a time limit: it keeps
    // nothing of its own, but uses what was kept.
    using store = Store.open(dir);
    const memory = new PassMemory(store, { keep: false });
    memory.keepJson(
      "20250101T000000Z",
      first,
      entry(4, "Takeout/Google Photos/Photos from 2020/IMG_2.jpg.json"),
      "{}",
    );
    memory.flush();
    assert.equal(
      memory.json(
        "20250101T000000Z",
        first,
        entry(4, "Takeout/Google Photos/Photos from 2020/IMG_2.jpg.json"),
      ),
      undefined,
    );
    assert.deepEqual(memory.directory("20250101T000000Z", first), [{
      start: 900,
      bytes: new Uint8Array([1, 2, 255]),
    }]);
    assert.equal(memory.json("20250101T000000Z", first, sidecar), '{"title":"IMG_1.jpg"}');
    // Another copy of the part put there (another size or time), another entry there: read anew.
    assert.equal(memory.directory("20250101T000000Z", part(first.name, 1001)), undefined);
    assert.equal(memory.json("20250101T000000Z", part(first.name, 1000, 6), sidecar), undefined);
    assert.equal(memory.json("20250101T000000Z", first, entry(3, sidecar.path, 8)), undefined);
    memory.forget("20250101T000000Z");
    assert.equal(memory.directory("20250101T000000Z", first), undefined);
    assert.equal(memory.json("20250101T000000Z", first, sidecar), undefined);
    assert.equal(memory.json("20250301T000000Z", other, sidecar), '{"title":"other"}');
    memory.forget("20250301T000000Z");
    assert.equal(store.hasCheckpoints(PASS_MEMORY), false, "all forgotten");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PassMemory keeps the link's bandwidth-delay product of each store for the next run (kept by a run with a time limit), whatever export is forgotten", async () => {
  const dir = await Deno.makeTempDir();
  try {
    {
      using store = Store.open(dir);
      // A run without a time limit keeps none.
      new PassMemory(store, { keep: false }).keepLink("Google Drive", 1);
      const memory = new PassMemory(store, { keep: true });
      assert.equal(memory.link("Google Drive"), undefined);
      memory.keepLink("Google Drive", 6000.5);
      memory.keepLink("http://127.0.0.1:8080/", Infinity);
    }
    using store = Store.open(dir);
    const memory = new PassMemory(store, { keep: false });
    memory.forget("20250101T000000Z");
    assert.equal(memory.link("Google Drive"), 6000.5);
    assert.equal(memory.link("http://127.0.0.1:8080/"), Infinity);
    assert.equal(memory.link("http://127.0.0.1:8081/"), undefined);
    // Kept apart from the exports': a backup with no export's pass kept has nothing to look up in a pass.
    assert.equal(store.hasCheckpoints(PASS_MEMORY), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PassMemory.forgetAllBut forgets what was kept of every export the store's listing no longer holds (its parts deleted before it was imported in full), and keeps those listed and the links", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gone = part("takeout-20250101T000000Z-001.zip");
    const listed = part("takeout-20250301T000000Z-001.zip");
    const sidecar = entry(3, "Takeout/Google Photos/Photos from 2020/IMG_1.jpg.json");
    {
      using store = Store.open(dir);
      using memory = new PassMemory(store, { keep: true });
      for (const [stamp, file] of [["20250101T000000Z", gone], ["20250301T000000Z", listed]] as const) {
        memory.keepDirectory(stamp, file, [{ start: 900, bytes: new Uint8Array([1, 2, 3]) }]);
        memory.keepJson(stamp, file, sidecar, '{"title":"IMG_1.jpg"}');
      }
      memory.keepLink("Google Drive", 6000);
    }
    // The next run (one without a time limit: it only uses and forgets) lists the store in full.
    using store = Store.open(dir);
    const memory = new PassMemory(store, { keep: false });
    memory.forgetAllBut(["20250301T000000Z", "20250401T000000Z"]);
    assert.equal(memory.directory("20250101T000000Z", gone), undefined);
    assert.equal(memory.json("20250101T000000Z", gone, sidecar), undefined);
    assert.deepEqual(memory.directory("20250301T000000Z", listed), [{
      start: 900,
      bytes: new Uint8Array([1, 2, 3]),
    }]);
    assert.equal(memory.json("20250301T000000Z", listed, sidecar), '{"title":"IMG_1.jpg"}');
    assert.equal(memory.link("Google Drive"), 6000);
    // A store that lists no export at all: nothing of a pass is left; the link's measure is.
    memory.forgetAllBut([]);
    assert.deepEqual(store.checkpointKeysFrom(PASS_MEMORY, ""), []);
    assert.equal(memory.link("Google Drive"), 6000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a sidecar damaged by zero bytes at its end (a copy cut short) is read the same from what a stopped run kept: no JSON object, though sync.db's text ends at its first NUL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = part("takeout-20250101T000000Z-001.zip");
    const bytes = new TextEncoder().encode(
      '{"title":"IMG_1.jpg","photoTakenTime":{"timestamp":"1"}}\0\0\0\0',
    );
    // A zip's part as a remote store gives it: every entry with its index and CRC-32.
    const input: ArchiveSource = {
      path: file.location,
      name: file.name,
      sequential: false,
      async *entries() {
        yield {
          path: "Takeout/Google Photos/Trip/IMG_1.jpg",
          size: 5,
          mtimeMs: 0,
          index: 0,
          crc32: 1,
          body: () => ReadableStream.from([new Uint8Array(5)]),
        };
        yield {
          path: "Takeout/Google Photos/Trip/IMG_1.jpg.json",
          size: bytes.length,
          mtimeMs: 0,
          index: 1,
          crc32: 2,
          body: () => ReadableStream.from([bytes]),
        };
      },
    };
    const run = async (keep: boolean) => {
      using store = Store.open(dir);
      using memory = new PassMemory(store, { keep });
      const found = await catalog([input], {
        memory: {
          text: (_, entry) => memory.json("20250101T000000Z", file, entry),
          keep: (_, entry, text) => memory.keepJson("20250101T000000Z", file, entry, text),
        },
      });
      return found.unreadable.map(({ ref, error }) => [ref.path, error]);
    };
    const first = await run(true);
    assert.equal(first.length, 1, "the damaged sidecar is said");
    assert.deepEqual(await run(false), first, "read from what the first run kept");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the catalog pass goes on when what it read cannot be kept (sync.db's write fails: a full disk): nothing is thrown where no one awaits it, the pass's result is the one without a memory", async () => {
  const sidecarOf = (n: number) => new TextEncoder().encode(`{"title":"IMG_${n}.jpg"}`);
  const input: ArchiveSource = {
    path: "takeout-20250101T000000Z-001.zip",
    name: "takeout-20250101T000000Z-001.zip",
    sequential: false,
    async *entries() {
      for (let n = 0; n < 3; n++) {
        const bytes = sidecarOf(n);
        yield {
          path: `Takeout/Google Photos/Trip/IMG_${n}.jpg.json`,
          size: bytes.length,
          mtimeMs: 0,
          index: n,
          crc32: n,
          body: () => ReadableStream.from([bytes]),
        };
      }
    },
  };
  const tried: string[] = [];
  const found = await catalog([input], {
    memory: {
      text: () => undefined,
      keep: (_, entry) => {
        tried.push(entry.path);
        throw new Error("database or disk is full");
      },
    },
  });
  // Every text read was offered, each refusal went no further.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(tried.length, 3);
  assert.deepEqual(
    found.unreadable.map(({ ref }) => ref.path),
    (await catalog([input])).unreadable.map(({ ref }) => ref.path),
  );
});

Deno.test("PassMemory lets what it keeps go when sync.db's write fails (a full disk; here a closed store): nothing is thrown, so a run's own error is the one said; the next run reads it all again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = Store.open(dir);
    const memory = new PassMemory(store, { keep: true });
    const first = part("takeout-20250101T000000Z-001.zip");
    memory.keepJson("20250101T000000Z", first, entry(3, "Takeout/Google Photos/a.jpg.json"), "{}");
    store.close();
    memory.flush();
    memory.keepDirectory("20250101T000000Z", first, [{ start: 0, bytes: new Uint8Array([1]) }]);
    memory[Symbol.dispose]();
    using again = Store.open(dir);
    assert.equal(again.hasCheckpoints(PASS_MEMORY), false, "nothing kept");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
