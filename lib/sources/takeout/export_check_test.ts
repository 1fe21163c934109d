import assert from "node:assert/strict";
import { UsageError } from "../../core/errors.ts";
import type { ArchiveSource } from "./archive_source.ts";
import { checkIsExport, PhotosScope } from "./export_check.ts";

const STAMP = "20250102T030405Z";

/** A scope told of `folders` (of one export, `STAMP`). */
function scopeOf(folders: string[]): PhotosScope {
  const scope = new PhotosScope();
  for (const folder of folders) scope.add(STAMP, folder);
  return scope;
}

Deno.test("PhotosScope: beside a Google Photos folder of a known name, every other product and folder is left out", () => {
  const scope = scopeOf([
    "Takeout/Zdjęcia Google/Zdjęcia z 2020/",
    "Takeout/Zdjęcia Google/Wakacje/",
    "Takeout/Drive/My Drive/photos/",
    "Takeout/YouTube and YouTube Music/videos/",
    "Takeout/",
    "Pictures/",
    "",
  ]);
  assert.equal(scope.leftOut(STAMP, "Takeout/Zdjęcia Google/Zdjęcia z 2020/"), undefined);
  assert.equal(scope.leftOut(STAMP, "Takeout/Zdjęcia Google/Wakacje/"), undefined);
  assert.deepEqual(scope.leftOut(STAMP, "Takeout/Drive/My Drive/photos/"), {
    top: "Takeout/Drive/",
    why: "another Takeout product",
  });
  assert.equal(
    scope.leftOut(STAMP, "Takeout/YouTube and YouTube Music/videos/")?.top,
    "Takeout/YouTube and YouTube Music/",
  );
  // A file loose in Takeout/ or beside it is no Google Photos file either.
  assert.deepEqual(scope.leftOut(STAMP, "Takeout/"), {
    top: "Takeout/",
    why: "outside the export's Google Photos folder",
  });
  assert.equal(scope.leftOut(STAMP, "Pictures/")?.top, "Pictures/");
  assert.equal(scope.leftOut(STAMP, "")?.top, "./");
  // Hostile names: a zip's absolute path and a climb out keep their first folder.
  assert.equal(scope.leftOut(STAMP, "/abs/deeper/")?.top, "/abs/");
  assert.equal(scope.leftOut(STAMP, "../../")?.top, "../");
});

Deno.test("PhotosScope: an export extracted deep in a folder given keeps its Google Photos folder, and only that", () => {
  const root = "photosync-test-1/export/takeout-20250102T030405Z-001/Takeout";
  const scope = scopeOf([
    `${root}/Google Photos/Photos from 2020/`,
    `${root}/Drive/`,
    "photosync-test-1/",
    "scratch/",
  ]);
  assert.equal(scope.leftOut(STAMP, `${root}/Google Photos/Photos from 2020/`), undefined);
  assert.deepEqual(scope.leftOut(STAMP, `${root}/Drive/`), {
    top: `${root}/Drive/`,
    why: "another Takeout product",
  });
  assert.equal(scope.leftOut(STAMP, "photosync-test-1/")?.top, "photosync-test-1/");
  assert.equal(scope.leftOut(STAMP, "scratch/")?.top, "scratch/");
});

Deno.test("PhotosScope: without a Google Photos folder of a known name, nothing is left out; each export is judged alone", () => {
  // A language not in the list (with an album named as the folder is in English), the Google Photos folder
  // given itself (with such an album), `Takeout` given itself: no root right under a `Takeout/`.
  const scope = new PhotosScope();
  scope.add(STAMP, "Takeout/Google Ảnh/Ảnh từ 2020/");
  scope.add(STAMP, "Takeout/Google Ảnh/Google Photos/");
  scope.add(STAMP, "Takeout/Drive/");
  scope.add("", "Photos from 2020/");
  scope.add("", "Google Fotos/");
  scope.add("", "Trip/");
  scope.add("19990101T000000Z", "Google Photos/Photos from 2020/");
  scope.add("19990101T000000Z", "Drive/");
  scope.add("20260101T000000Z", "Takeout/Google Photos/Photos from 2021/");
  assert.equal(scope.leftOut(STAMP, "Takeout/Drive/"), undefined);
  assert.equal(scope.leftOut(STAMP, "Takeout/Google Ảnh/Ảnh từ 2020/"), undefined);
  assert.equal(scope.leftOut("", "Trip/"), undefined);
  assert.equal(scope.leftOut("19990101T000000Z", "Drive/"), undefined);
  assert.equal(scope.leftOut("20260101T000000Z", "Takeout/Google Photos/Photos from 2021/"), undefined);
});

/** A part listing `paths` (no bodies are read by the check). */
function part(path: string, paths: string[]): ArchiveSource {
  return {
    path,
    name: path,
    sequential: false,
    async *entries() {
      for (const entry of paths) {
        yield {
          path: entry,
          size: 1,
          mtimeMs: 0,
          body: () => ReadableStream.from([]),
        };
      }
    },
  };
}

Deno.test("checkIsExport: a part of another Takeout product alone says which, and to leave it out", async () => {
  await checkIsExport(part("a.zip", ["Takeout/Drive/x.jpg", "Takeout/Google Photos/Photos from 2020/y.jpg"]));
  await assert.rejects(
    () =>
      checkIsExport(part("b.zip", ["Takeout/Drive/x.jpg", "Takeout/Drive/y/z.pdf", "Takeout/Keep/n.png"])),
    (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.equal(
        error.message,
        "b.zip holds no Google Photos files, only another Takeout product's (Takeout/Drive/, Takeout/Keep/): " +
          "leave it out, and give the parts of the export that hold Google Photos",
      );
      return true;
    },
  );
  await assert.rejects(
    () => checkIsExport(part("c.zip", ["notes.txt"])),
    /c\.zip is not a Google Photos export/,
  );
});
