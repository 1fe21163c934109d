import assert from "node:assert/strict";
import { join } from "node:path";
import { configure, Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import { DEFAULT_LAYOUT, layoutMapper } from "../../core/layout.ts";
import { OutputTree } from "../../core/output_tree.ts";
import { Store } from "../../core/store.ts";
import { testLogger } from "../../core/test_logger.ts";
import { localArchive } from "./archive.ts";
import type { ArchiveSource } from "./archive_source.ts";
import { catalog } from "./catalog.ts";
import { importTakeout } from "./import.ts";
import { TakeoutRecords } from "./records.ts";
import { WORKER_ENTRY_BYTES } from "./stage.ts";

const GP = "Takeout/Google Photos";
const TAKEN = Date.UTC(2020, 4, 1, 9);

Deno.test("importTakeout of a local zip: the main thread lists its directory once (for the catalog); entries are read from their local headers, large ones by the stage worker", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-import-zip-test-" });
  try {
    const path = join(root, "takeout-001.zip");
    configure({ useWebWorkers: false });
    const file = await Deno.open(path, { write: true, createNew: true });
    const writer = new ZipWriter(file.writable, { keepOrder: true });
    const sidecar = JSON.stringify({ title: "a.jpg", photoTakenTime: { timestamp: String(TAKEN / 1000) } });
    const files: [string, string][] = [
      [`${GP}/Photos from 2020/a.jpg`, "photo a"],
      [`${GP}/Photos from 2020/a.jpg.supplemental-metadata.json`, sidecar],
      [`${GP}/Photos from 2020/b.jpg`, "photo b"],
      // One path twice: written as "b.jpX", renamed below (zip.js writes no name twice).
      [`${GP}/Photos from 2020/b.jpX`, "photo b, a second entry of that path"],
      // Large enough for the stage worker; the others are staged on the main thread.
      [`${GP}/Photos from 2020/c.jpg`, "photo c ".repeat(WORKER_ENTRY_BYTES / 8)],
    ];
    for (const [name, text] of files) {
      await writer.add(name, new Uint8ArrayReader(new TextEncoder().encode(text)));
    }
    await writer.close();
    const bytes = await Deno.readFile(path);
    const standIn = new TextEncoder().encode("b.jpX");
    for (let at = 0; at < bytes.length; at++) {
      if (standIn.every((byte, i) => bytes[at + i] === byte)) bytes[at + 4] = "g".charCodeAt(0);
    }
    await Deno.writeFile(path, bytes);
    const local = await localArchive(path);
    let listings = 0;
    const input: ArchiveSource = {
      ...local,
      entries() {
        listings++;
        return local.entries();
      },
    };
    const dir = join(root, "photos");
    await Deno.mkdir(dir);
    using store = Store.open(dir);
    const records = new TakeoutRecords(store, [input.name]);
    const found = await catalog([input], { earlier: (...at) => records.earlier(...at) });
    const logger = testLogger();
    const report = await importTakeout(found, {
      store,
      tree: new OutputTree(dir),
      inputs: [input],
      records,
      logger,
      pathMapper: layoutMapper(DEFAULT_LAYOUT),
      albums: "none",
      includeTrashed: false,
    });
    assert.deepEqual(
      logger.lines.verbose.filter((line) => line.startsWith("staging on the main thread")),
      [],
    );
    assert.equal(listings, 1);
    assert.deepEqual([report.imported, report.sidecarsUsed, report.failed, report.unread], [4, 1, 0, 0]);
    const day = new Date(TAKEN).toISOString().slice(0, 10).replaceAll("-", "/");
    assert.equal(await Deno.readTextFile(join(dir, day, "a.jpg")), "photo a");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
