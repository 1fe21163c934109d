/**
 * `photosync takeout` at scale, as a user runs it (the CLI as a child process): a zip of very many tiny entries
 * and a zip of one highly compressible video import completely and correctly. How much memory they take is the
 * benchmark's to measure (`deno task bench`), not a test's.
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { runPhotosync } from "../testing/harness.ts";
import {
  type ScaleZip,
  writeCompressibleZip,
  writeManyEntriesZip,
} from "../testing/takeout/scale_archives.ts";

/** Entries of the many-entries zip: enough that per-entry costs show, few enough for a quick test. */
const MANY = 1_500;

/** `YYYY/MM/DD` of an instant in UTC (the default layout, under TZ=UTC). */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "/");
}

/** Import `zip` into a new folder under `root`; returns the folder. */
async function imported(root: string, zip: ScaleZip): Promise<string> {
  const dir = join(root, "photos");
  const run = await runPhotosync(["takeout", `--dir=${dir}`, zip.path], { env: { TZ: "UTC" } });
  assert.equal(run.code, 0, run.stderr);
  return dir;
}

/**
 * Every file of `zip` is in the tree once, at its capture day under its own name, with its bytes and its capture
 * time as mtime, recorded in sync.db with the date source of the truth; nothing else is in the tree.
 */
async function assertComplete(dir: string, zip: ScaleZip): Promise<void> {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  const items = db.prepare("SELECT hash, path, created_ms, status, json FROM items").all() as unknown as {
    hash: string;
    path: string;
    created_ms: number;
    status: string;
    json: string;
  }[];
  db.close();
  assert.equal(items.length, zip.files.length, "one item per file");
  const byHash = new Map(items.map((item) => [item.hash, item]));
  const onDisk = new Set<string>();
  for await (const year of Deno.readDir(dir)) {
    if (!year.isDirectory || !/^\d{4}$/.test(year.name)) continue;
    for await (const month of Deno.readDir(join(dir, year.name))) {
      for await (const day of Deno.readDir(join(dir, year.name, month.name))) {
        for await (const file of Deno.readDir(join(dir, year.name, month.name, day.name))) {
          onDisk.add(`${year.name}/${month.name}/${day.name}/${file.name}`);
        }
      }
    }
  }
  assert.equal(onDisk.size, zip.files.length, "no file but the imported ones");
  for (const f of zip.files) {
    const item = byHash.get(f.sha256);
    assert.ok(item, `${f.path} imported`);
    assert.equal(item.status, "downloaded");
    assert.equal(item.path, `${utcDay(f.takenMs)}/${f.name}`, `${f.path}: where`);
    assert.equal(item.created_ms, f.takenMs, `${f.path}: capture time`);
    assert.equal(JSON.parse(item.json).takeout.dateSource, f.dateSource, `${f.path}: date source`);
    assert.ok(onDisk.has(item.path), `${item.path} on disk`);
    const path = join(dir, item.path);
    const stat = await Deno.stat(path);
    assert.equal(stat.size, f.size, `${item.path}: size`);
    assert.equal(stat.mtime!.getTime(), f.takenMs, `${item.path}: mtime`);
    const hash = createHash("sha256");
    for await (const chunk of (await Deno.open(path)).readable) hash.update(chunk);
    assert.equal(hash.digest("hex"), f.sha256, `${item.path}: bytes`);
  }
  assert.equal(await Deno.lstat(join(dir, ".photosync-tmp")).then(() => true, () => false), false);
}

Deno.test(`a zip of ${MANY} tiny entries imports every file, dated by sidecar, EXIF or entry time`, async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-scale-" });
  try {
    const zip = await writeManyEntriesZip(join(root, "takeout-001.zip"), MANY);
    assert.equal(zip.entries, MANY);
    const dir = await imported(root, zip);
    await assertComplete(dir, zip);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a highly compressible entry (16 MB from about 16 KB) imports whole and unchanged", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-scale-" });
  try {
    const zip = await writeCompressibleZip(join(root, "takeout-001.zip"), 16 * 1024 * 1024);
    assert.ok((await Deno.stat(zip.path)).size < 1024 * 1024, "the zip is small");
    await assertComplete(await imported(root, zip), zip);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
