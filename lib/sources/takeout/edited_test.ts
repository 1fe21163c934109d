import assert from "node:assert";
import suffixes from "./edited_suffixes.json" with { type: "json" };
import { editedOriginal } from "./edited.ts";

Deno.test("editedOriginal strips the suffix before the extension", () => {
  assert.strictEqual(editedOriginal("IMG_1234-edited.jpg"), "IMG_1234.jpg");
  assert.strictEqual(
    editedOriginal("PXL_20220405_090123740.PORTRAIT-modifié.jpg"),
    "PXL_20220405_090123740.PORTRAIT.jpg",
  );
  assert.strictEqual(editedOriginal("IMG_1234-edited"), "IMG_1234");
});

Deno.test("editedOriginal keeps Google's counter, moved back after the stem", () => {
  assert.strictEqual(editedOriginal("IMG_1234-edited(1).jpg"), "IMG_1234(1).jpg");
  assert.strictEqual(editedOriginal("IMG_1234-bearbeitet(12).HEIC"), "IMG_1234(12).HEIC");
});

Deno.test("editedOriginal keeps a counter that was part of the original name", () => {
  assert.strictEqual(editedOriginal("Party (2)-edited.jpg"), "Party (2).jpg");
});

Deno.test("editedOriginal ignores case", () => {
  assert.strictEqual(editedOriginal("IMG_1234-EDITED.JPG"), "IMG_1234.JPG");
  assert.strictEqual(editedOriginal("DSC06824-Modifié.JPG"), "DSC06824.JPG");
});

Deno.test("editedOriginal knows every listed language", () => {
  for (const suffix of suffixes) {
    assert.strictEqual(editedOriginal(`IMG_1${suffix}.jpg`), "IMG_1.jpg", suffix);
  }
  assert.strictEqual(editedOriginal("IMG_1-ha editado.jpg"), "IMG_1.jpg");
  assert.strictEqual(editedOriginal("IMG_1-編集済み.jpg"), "IMG_1.jpg");
});

Deno.test("editedOriginal: Korean and Russian exports", () => {
  assert.strictEqual(editedOriginal("20230812_153012-편집됨.jpg"), "20230812_153012.jpg");
  assert.strictEqual(editedOriginal("IMG_4411-편집됨(1).HEIC"), "IMG_4411(1).HEIC");
  assert.strictEqual(editedOriginal("IMG_20220815_101010-измененный.jpg"), "IMG_20220815_101010.jpg");
  assert.strictEqual(editedOriginal("IMG_20220815_101010-ИЗМЕНЕННЫЙ.JPG"), "IMG_20220815_101010.JPG");
  // macOS archives hold Hangul decomposed into its letters (NFD).
  assert.strictEqual(editedOriginal("사진-편집됨.jpg".normalize("NFD")), "사진.jpg".normalize("NFD"));
});

Deno.test("editedOriginal matches suffixes in NFD too", () => {
  const name = "IMG_1-modifié.jpg".normalize("NFD");
  assert.strictEqual(editedOriginal(name), "IMG_1.jpg");
});

Deno.test("editedOriginal: not an edited copy", () => {
  for (
    const name of [
      "IMG_1234.jpg",
      "IMG_1234(1).jpg",
      "-edited.jpg",
      "IMG_1234-edited-2.jpg",
      "IMG_1234.jpg-edited",
      "edited.jpg",
      "IMG_1234_edited.jpg",
      "",
    ]
  ) {
    assert.strictEqual(editedOriginal(name), undefined, name);
  }
});
