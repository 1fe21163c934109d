import assert from "node:assert";
import mediaExtensions from "./media_extensions.json" with { type: "json" };
import { isMediaName, isVideoName, pairMotionPhotos } from "./motion.ts";

Deno.test("pairMotionPhotos: Live Photo, Samsung and MVIMG pairs by stem", () => {
  const pairs = pairMotionPhotos([
    "IMG_1234.HEIC",
    "IMG_1234.MOV",
    "20231227_152817.jpg",
    "20231227_152817.MP4",
    "MVIMG_20190101_101010.jpg",
    "MVIMG_20190101_101010.mp4",
  ]);
  assert.deepStrictEqual(Object.fromEntries(pairs), {
    "IMG_1234.MOV": "IMG_1234.HEIC",
    "20231227_152817.MP4": "20231227_152817.jpg",
    "MVIMG_20190101_101010.mp4": "MVIMG_20190101_101010.jpg",
  });
});

Deno.test("pairMotionPhotos: Pixel .MP and .MP~2 parts", () => {
  const pairs = pairMotionPhotos([
    "PXL_20230615_123456789.MP.jpg",
    "PXL_20230615_123456789.MP",
    "PXL_20210102_221126856.MP~2.jpg",
    "PXL_20210102_221126856.MP~2",
    "PXL_20210102_221126856.MP.JPG",
  ]);
  assert.deepStrictEqual(Object.fromEntries(pairs), {
    "PXL_20230615_123456789.MP": "PXL_20230615_123456789.MP.jpg",
    "PXL_20210102_221126856.MP~2": "PXL_20210102_221126856.MP~2.jpg",
  });
});

Deno.test("pairMotionPhotos: newer Pixel .MV parts", () => {
  const pairs = pairMotionPhotos([
    "PXL_20240730_120132807.MV.jpg",
    "PXL_20240730_120132807.MV",
    "PXL_20240922_143018728.MV~2.jpg",
    "PXL_20240922_143018728.MV~2",
    "PXL_20240922_143018728.MV.jpg",
  ]);
  assert.deepStrictEqual(Object.fromEntries(pairs), {
    "PXL_20240730_120132807.MV": "PXL_20240730_120132807.MV.jpg",
    "PXL_20240922_143018728.MV~2": "PXL_20240922_143018728.MV~2.jpg",
  });
});

Deno.test("pairMotionPhotos: extensions in any case, stems exactly", () => {
  assert.deepStrictEqual([...pairMotionPhotos(["a.Heic", "a.mov"])], [["a.mov", "a.Heic"]]);
  assert.deepStrictEqual([...pairMotionPhotos(["A.heic", "a.mov"])], []);
});

Deno.test("pairMotionPhotos: only when both files are there", () => {
  assert.strictEqual(pairMotionPhotos(["IMG_1.MOV", "IMG_2.HEIC", "PXL_1.MP", "clip.mp4"]).size, 0);
});

Deno.test("pairMotionPhotos: other extensions do not pair", () => {
  assert.strictEqual(pairMotionPhotos(["a.png", "a.mov", "b.jpg", "b.avi", "c.jpg.json", "c.jpg"]).size, 0);
});

Deno.test("pairMotionPhotos: one video per still, .MOV first, HEIC first", () => {
  assert.deepStrictEqual([...pairMotionPhotos(["a.mp4", "a.jpg", "a.mov", "a.heic"])], [
    ["a.mp4", "a.jpg"],
    ["a.mov", "a.heic"],
  ]);
  assert.deepStrictEqual([...pairMotionPhotos(["a.mp4", "a.MOV", "a.mov", "a.HEIC"])], [["a.MOV", "a.HEIC"]]);
});

Deno.test("pairMotionPhotos: counters and edits pair within their own stem", () => {
  const pairs = pairMotionPhotos(["IMG_1.HEIC", "IMG_1(1).HEIC", "IMG_1(1).MOV", "IMG_1-edited.HEIC"]);
  assert.deepStrictEqual([...pairs], [["IMG_1(1).MOV", "IMG_1(1).HEIC"]]);
});

Deno.test("isMediaName: listed extensions in any case", () => {
  for (const ext of [...mediaExtensions.photo, ...mediaExtensions.video]) {
    assert.strictEqual(isMediaName(`a.${ext}`), true, ext);
    assert.strictEqual(isMediaName(`a.${ext.toUpperCase()}`), true, ext);
  }
  for (const name of ["IMG_1.HEIC", "IMG_1.dng", "x.CR2", "x.nef", "x.ARW", "x.webp", "x.3gp", "x.MTS"]) {
    assert.strictEqual(isMediaName(name), true, name);
  }
});

Deno.test("isMediaName: Pixel motion parts", () => {
  for (
    const name of ["PXL_1.MP", "PXL_1.mp", "PXL_1.MP~2", "PXL_1.MP~12", "PXL_1.MV", "PXL_1.mv", "PXL_1.MV~2"]
  ) {
    assert.strictEqual(isMediaName(name), true, name);
    assert.strictEqual(isVideoName(name), true, name);
  }
  for (const name of ["PXL_1.MP~", "PXL_1.MP~x", "PXL_1.jpg~2", "PXL_1.MV~", "PXL_1.MVI", "PXL_1.M"]) {
    assert.strictEqual(isMediaName(name), false, name);
  }
});

Deno.test("isMediaName: sidecars and other files are not media", () => {
  for (const name of ["IMG_1.jpg.json", "metadata.json", "notes.txt", "jpg", ".jpg", "archive.zip", ""]) {
    assert.strictEqual(isMediaName(name), false, name);
  }
});
