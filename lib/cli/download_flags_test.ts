import assert from "node:assert/strict";
import { join } from "node:path";
import { newFilesList } from "./download_flags.ts";

Deno.test("newFilesList: a line for each file as it lands; a listed file that moves on leaves the list for its new path at once, the list on disk naming only files there; the end's list sorted, each once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "photosync-new-files-test-" });
  try {
    const file = join(dir, "new-files.txt");
    const list = await newFilesList(file, dir);
    const put = async (path: string) => {
      await Deno.mkdir(join(dir, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, path), path);
    };
    const onDisk = () => Deno.readTextFileSync(file).split("\n").filter(Boolean);
    for (const path of ["2024/01/01/b.jpg", "2023/05/01/a.jpg"]) {
      await put(path);
      list.add(path);
    }
    list.add("2024/01/01/b.jpg");
    assert.deepEqual(onDisk(), ["2024/01/01/b.jpg", "2023/05/01/a.jpg"], "as they land, each once");
    // Moved (at both paths while it is told, as `OutputTree.move` tells it), then the old path goes.
    await Deno.mkdir(join(dir, "2023/05/03"));
    await Deno.link(join(dir, "2023/05/01/a.jpg"), join(dir, "2023/05/03/a.jpg"));
    list.add("2023/05/03/a.jpg", "2023/05/01/a.jpg");
    assert.deepEqual(onDisk(), ["2024/01/01/b.jpg", "2023/05/03/a.jpg"], "the old path gone from the list");
    await Deno.remove(join(dir, "2023/05/01/a.jpg"));
    // A file moved that this run did not list (placed by an earlier run) is listed at its new path.
    await put("2022/01/01/c.jpg");
    list.add("2022/01/01/c.jpg", "2019/01/01/c.jpg");
    await put("2024/01/01/d.jpg");
    list.add("2024/01/01/d.jpg");
    assert.deepEqual(onDisk(), [
      "2024/01/01/b.jpg",
      "2023/05/03/a.jpg",
      "2022/01/01/c.jpg",
      "2024/01/01/d.jpg",
    ]);
    await list.write();
    assert.deepEqual(onDisk(), [
      "2022/01/01/c.jpg",
      "2023/05/03/a.jpg",
      "2024/01/01/b.jpg",
      "2024/01/01/d.jpg",
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].filter((entry) => entry.isFile).map((entry) => entry.name), [
      "new-files.txt",
    ], "no temporary file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
