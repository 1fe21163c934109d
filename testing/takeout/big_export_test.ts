/**
 * Self-checks of {@linkcode bigExport}: its JPEGs are the same on every read, carry their EXIF and sidecar dates,
 * and do not shrink when zipped.
 *
 * @module
 */

import assert from "node:assert/strict";
import exifr from "exifr";
import { writeArchives } from "./archives.ts";
import { bigExport } from "./big_export.ts";
import { fileStream } from "./content.ts";
import { readAll, readZip, sha, sidecarOf } from "./test_helpers.ts";

Deno.test("bigExport streams incompressible JPEGs into several zip parts", async () => {
  const exp = bigExport({ totalBytes: 3_000_000, fileBytes: 500_000, seed: 3 });
  assert.equal(exp.files.length, 6);
  assert.equal(exp.files.reduce((s, f) => s + f.size, 0), 3_000_000);
  const [first] = exp.files;
  const bytes = first.bytes;
  assert.equal(bytes.length, first.size);
  assert.equal(await sha(bytes), await sha(await readAll(fileStream(first))));
  assert.equal(
    await sha(bytes),
    await sha(bigExport({ totalBytes: 3_000_000, fileBytes: 500_000, seed: 3 }).files[0].bytes),
  );
  const tags = await exifr.parse(bytes, {
    pick: ["DateTimeOriginal", "OffsetTimeOriginal"],
    reviveValues: false,
  });
  assert.equal(tags.DateTimeOriginal, first.exif!.dateTimeOriginal);
  assert.equal(sidecarOf(first).photoTakenTime.timestamp, String(first.takenMs! / 1000));
  const dir = await Deno.makeTempDir({ prefix: "takeout-big-" });
  try {
    const paths = await writeArchives(exp, dir, { format: "zip", maxPartBytes: 1_100_000 });
    assert.ok(paths.length >= 3);
    let total = 0;
    for (const path of paths) {
      const size = (await Deno.stat(path)).size;
      total += size;
      for (const [name, entry] of await readZip(path)) {
        const file = exp.files.find((f) => f.path === name);
        if (file) assert.equal(entry.bytes.length, file.size);
      }
    }
    assert.ok(total > 2_990_000, `deflate should not shrink JPEG-like bytes, got ${total}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
