import assert from "node:assert/strict";
import { archivePart, exportStamps, inExportOrder, missingParts, stampMs } from "./parts.ts";

Deno.test("archivePart: the stamp, the series and the number of Google's part names, zip, tgz or extracted", () => {
  assert.deepEqual(archivePart("takeout-20251110T101010Z-001.zip"), {
    stamp: "20251110T101010Z",
    series: "20251110T101010Z",
    number: 1,
  });
  assert.deepEqual(archivePart("takeout-20260105T080000Z-2-017.tgz"), {
    stamp: "20260105T080000Z",
    series: "20260105T080000Z-2",
    number: 17,
  });
  assert.equal(archivePart("takeout-20251110T101010Z-004.tar.gz")?.number, 4);
  assert.equal(archivePart("takeout-20251110T101010Z-004")?.number, 4, "an extracted part");
  // Downloaded again: the browser's counter.
  for (const again of ["takeout-20251110T101010Z-004 (1).zip", "takeout-20251110T101010Z-004(2).zip"]) {
    assert.deepEqual(archivePart(again), {
      stamp: "20251110T101010Z",
      series: "20251110T101010Z",
      number: 4,
    });
  }
  assert.equal(archivePart("takeout-20251110T101010Z-004 (1)")?.number, 4, "extracted from it");
  for (
    const other of [
      "photos.zip",
      "takeout-2025-001.zip",
      "takeout-20251110T101010Z.zip",
      "Takeout",
      "takeout-20251110T101010Z-004 copy.zip",
    ]
  ) {
    assert.equal(archivePart(other), undefined, other);
  }
});

Deno.test("missingParts: the gaps below the highest part seen", () => {
  assert.deepEqual(missingParts([1, 2, 3]), []);
  assert.deepEqual(missingParts([1]), []);
  assert.deepEqual(missingParts([3]), [1, 2]);
  assert.deepEqual(missingParts([1, 4, 2, 6]), [3, 5]);
  assert.deepEqual(missingParts([]), []);
});

Deno.test("exportStamps: an archive or folder named otherwise joins the one export of the others, else none", () => {
  const [a, b] = ["takeout-20251110T101010Z-001.zip", "takeout-20260105T080000Z-001.zip"];
  assert.deepEqual(exportStamps([a, "Takeout", "photos.zip"]), Array(3).fill("20251110T101010Z"));
  assert.deepEqual(exportStamps([a, b, "Takeout"]), ["20251110T101010Z", "20260105T080000Z", ""]);
  assert.deepEqual(exportStamps(["Takeout", "photos.zip"]), ["", ""]);
});

Deno.test("inExportOrder: oldest export first whatever the order or folder given, the ...-n-001 form too", () => {
  const input = (path: string) => ({ path, name: path.split("/").pop()! });
  const given = [
    input("/b/takeout-20260310T080000Z-001.zip"),
    input("/a/takeout-20260110T080000Z-2-002.zip"),
    input("/z/takeout-20251110T101010Z-002.zip"),
    input("/a/takeout-20260110T080000Z-2-001.zip"),
    input("/z/takeout-20251110T101010Z-001.zip"),
  ];
  assert.deepEqual(inExportOrder(given).map(({ path }) => path), [
    "/z/takeout-20251110T101010Z-001.zip",
    "/z/takeout-20251110T101010Z-002.zip",
    "/a/takeout-20260110T080000Z-2-001.zip",
    "/a/takeout-20260110T080000Z-2-002.zip",
    "/b/takeout-20260310T080000Z-001.zip",
  ]);
  // A folder not named by Google joins the one export of the others; by path when names are equal.
  assert.deepEqual(
    inExportOrder([input("/x/takeout-20251110T101010Z-002.zip"), input("/y/Takeout"), input("/x/Takeout")])
      .map(({ path }) => path),
    ["/x/Takeout", "/y/Takeout", "/x/takeout-20251110T101010Z-002.zip"],
  );
});

Deno.test("stampMs: a stamp's instant, nothing for another text", () => {
  assert.equal(stampMs("20251110T101010Z"), Date.UTC(2025, 10, 10, 10, 10, 10));
  assert.equal(stampMs(""), undefined);
  assert.equal(stampMs("2025-11-10"), undefined);
});
