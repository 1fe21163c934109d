/**
 * Self-checks of the archives: zip and tgz parts and folders read back with the planned entries, bytes and
 * modification times; some sidecars sit in another part than their media; damaged archives fail to read.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { archiveEntries, damageArchive, planArchives, writeArchives } from "./archives.ts";
import { generateTakeout } from "./export.ts";
import { exportOf, readAll, readTgz, readZip, sha } from "./test_helpers.ts";

Deno.test("zip parts read back; some sidecars sit in another part than their media", async () => {
  const exp = exportOf("en", "mixed");
  const dir = await Deno.makeTempDir({ prefix: "takeout-zip-" });
  try {
    const paths = await writeArchives(exp, dir, { format: "zip", parts: 3 });
    assert.deepEqual(paths.map((p) => p.slice(dir.length + 1)), [
      "takeout-20251110T101010Z-001.zip",
      "takeout-20251110T101010Z-002.zip",
      "takeout-20251110T101010Z-003.zip",
    ]);
    const plan = planArchives(exp, { parts: 3 });
    const partOf = new Map<string, number>();
    for (const [i, path] of paths.entries()) {
      const read = await readZip(path);
      assert.deepEqual([...read.keys()].sort(), plan[i].entries.map((e) => e.path).sort());
      for (const e of plan[i].entries) {
        const got = read.get(e.path)!;
        assert.equal(await sha(got.bytes), await sha(await readAll(e.open())), e.path);
        assert.equal(got.mtimeMs, e.mtimeMs, e.path);
        partOf.set(e.path, i);
      }
    }
    assert.equal(partOf.size, archiveEntries(exp).length);
    const split = exp.files.filter((f) =>
      f.sidecar && partOf.get(f.path) !== partOf.get(`${exp.root}/${f.folder}/${f.sidecar}`)
    );
    assert.ok(split.some((f) => partOf.get(f.path)! < partOf.get(`${exp.root}/${f.folder}/${f.sidecar}`)!));
    assert.ok(split.some((f) => partOf.get(f.path)! > partOf.get(`${exp.root}/${f.folder}/${f.sidecar}`)!));
    assert.ok(
      exp.files.some((f) =>
        f.motionOf && partOf.get(f.path) !== partOf.get(`${exp.root}/${f.folder}/${f.motionOf}`)
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tgz parts and folders read back with their modification times", async () => {
  const exp = generateTakeout({ language: "it", count: 20, sidecarStyle: "old" });
  const dir = await Deno.makeTempDir({ prefix: "takeout-tgz-" });
  try {
    const plan = planArchives(exp, { parts: 2 });
    const tgz = await writeArchives(exp, dir, { format: "tgz", parts: 2 });
    assert.match(tgz[1], /takeout-20251110T101010Z-002\.tgz$/);
    for (const [i, path] of tgz.entries()) {
      const read = await readTgz(path);
      assert.equal(read.size, plan[i].entries.length);
      for (const e of plan[i].entries) {
        const got = read.get(e.path)!;
        assert.ok(got, e.path);
        assert.equal(await sha(got.bytes), await sha(await readAll(e.open())), e.path);
        assert.equal(got.mtimeMs, e.mtimeMs);
      }
    }
    const folders = await writeArchives(exp, join(dir, "x"), { format: "folder", parts: 2 });
    assert.match(folders[0], /takeout-20251110T101010Z-001$/);
    for (const [i, folder] of folders.entries()) {
      for (const e of plan[i].entries) {
        const target = join(folder, ...e.path.split("/"));
        assert.equal(await sha(await Deno.readFile(target)), await sha(await readAll(e.open())), e.path);
        assert.equal((await Deno.stat(target)).mtime!.getTime(), e.mtimeMs);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("damaged archives fail to read", async () => {
  const exp = generateTakeout({ count: 15 });
  const dir = await Deno.makeTempDir({ prefix: "takeout-damage-" });
  try {
    const [zip] = await writeArchives(exp, join(dir, "t"), { format: "zip" });
    const [tgz] = await writeArchives(exp, join(dir, "g"), { format: "tgz" });
    await readZip(zip);
    await readTgz(tgz);
    const size = (await Deno.stat(zip)).size;
    await Deno.copyFile(zip, join(dir, "c.zip"));
    await damageArchive(join(dir, "c.zip"), "corrupt");
    assert.equal((await Deno.stat(join(dir, "c.zip"))).size, size);
    await assert.rejects(readZip(join(dir, "c.zip")));
    await damageArchive(zip, "truncate");
    assert.equal((await Deno.stat(zip)).size, Math.floor(size * 0.6));
    await assert.rejects(readZip(zip));
    await damageArchive(tgz, "truncate");
    await assert.rejects(readTgz(tgz));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
