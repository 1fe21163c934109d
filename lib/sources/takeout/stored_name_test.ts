import assert from "node:assert/strict";
import { storedFileName } from "./stored_name.ts";

Deno.test("storedFileName: the title when it carries the entry's extension", () => {
  assert.equal(storedFileName("IMG_3479(1).JPG", "IMG_3479.JPG"), "IMG_3479.JPG");
  assert.equal(
    storedFileName(
      "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg",
      "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg",
    ),
    "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg",
  );
  assert.equal(
    storedFileName("Oma & Opa 24_12_1998.jpg", "Oma & Opa 24/12/1998.jpg"),
    "Oma & Opa 24/12/1998.jpg",
  );
  // The case of the extension is the uploader's.
  assert.equal(storedFileName("IMG_0001.jpg", "IMG_0001.JPG"), "IMG_0001.JPG");
  assert.equal(
    storedFileName("PXL_20230615_123456789.MP.jpg", "PXL_20230615_123456789.MP.jpg"),
    "PXL_20230615_123456789.MP.jpg",
  );
});

Deno.test("storedFileName: a title without an extension gets the entry's", () => {
  // GooglePhotosTakeoutHelper, PR 369: uploaded as `2013-08-22`, exported as `2013-08-22.png`.
  assert.equal(storedFileName("2013-08-22.png", "2013-08-22"), "2013-08-22.png");
  assert.equal(storedFileName("20030616.jpg", "20030616"), "20030616.jpg");
  assert.equal(storedFileName("2013-12-23(1).jpg", "2013-12-23"), "2013-12-23.jpg");
  assert.equal(storedFileName("IMG_0412.mov", "IMG_0412"), "IMG_0412.mov");
  // A dot in the title starts no extension that is not one.
  assert.equal(storedFileName("Dr. Who.jpg", "Dr. Who"), "Dr. Who.jpg");
  assert.equal(storedFileName("v1.2 final.mp4", "v1.2 final"), "v1.2 final.mp4");
});

Deno.test("storedFileName: a title naming another media type takes the entry's", () => {
  assert.equal(storedFileName("IMG_5821.jpg", "IMG_5821.HEIC"), "IMG_5821.jpg");
  assert.equal(storedFileName("clip.mp4", "clip.mov"), "clip.mp4");
});

Deno.test("storedFileName: a title with something after the entry's extension loses it", () => {
  assert.equal(storedFileName("giphy.gif", "giphy.gif.json"), "giphy.gif");
  assert.equal(storedFileName("scan.JPG", "scan.jpg.txt"), "scan.jpg");
  // …unless the entry's extension is not there: then it is added.
  assert.equal(storedFileName("notes.gif", "notes.txt"), "notes.txt.gif");
});

Deno.test("storedFileName: without a title, the entry's own name", () => {
  assert.equal(storedFileName("IMG_0412.mov", undefined), "IMG_0412.mov");
  assert.equal(storedFileName("IMG_0412.mov", ""), "IMG_0412.mov");
});

Deno.test("storedFileName: an entry without an extension keeps the title", () => {
  assert.equal(storedFileName("README", "Read me"), "Read me");
});
