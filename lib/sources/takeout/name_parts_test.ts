import assert from "node:assert";
import { splitCounter, splitExtension } from "./name_parts.ts";

Deno.test("splitExtension cuts at the last dot", () => {
  assert.deepStrictEqual(splitExtension("IMG_1234.jpg"), { stem: "IMG_1234", ext: ".jpg" });
  assert.deepStrictEqual(splitExtension("PXL_1.MP~2"), { stem: "PXL_1", ext: ".MP~2" });
  assert.deepStrictEqual(splitExtension("archive.tar.gz"), { stem: "archive.tar", ext: ".gz" });
});

Deno.test("splitExtension: no dot or a leading dot means no extension", () => {
  assert.deepStrictEqual(splitExtension("README"), { stem: "README", ext: "" });
  assert.deepStrictEqual(splitExtension(".nomedia"), { stem: ".nomedia", ext: "" });
  assert.deepStrictEqual(splitExtension(""), { stem: "", ext: "" });
});

Deno.test("splitCounter takes the counter out before the extension", () => {
  assert.deepStrictEqual(splitCounter("IMG_3479(1).JPG"), { base: "IMG_3479.JPG", counter: "(1)" });
  assert.deepStrictEqual(splitCounter("Scan35(12).jpg"), { base: "Scan35.jpg", counter: "(12)" });
  assert.deepStrictEqual(splitCounter("PXL_1(2).MP"), { base: "PXL_1.MP", counter: "(2)" });
  assert.deepStrictEqual(splitCounter("noext(3)"), { base: "noext", counter: "(3)" });
});

Deno.test("splitCounter takes only the last counter", () => {
  assert.deepStrictEqual(splitCounter("a(1)(2).jpg"), { base: "a(1).jpg", counter: "(2)" });
});

Deno.test("splitCounter leaves names without a counter alone", () => {
  for (const name of ["IMG_3479.JPG", "(1).jpg", "a(x).jpg", "a(1)b.jpg", "a(1).tar.gz", "a()", ""]) {
    assert.deepStrictEqual(splitCounter(name), { base: name, counter: "" }, name);
  }
});

Deno.test("splitCounter splits a counter that follows a space too", () => {
  assert.deepStrictEqual(splitCounter("Urlaub (38).JPG"), { base: "Urlaub .JPG", counter: "(38)" });
});
