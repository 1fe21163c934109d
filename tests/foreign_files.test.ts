/**
 * A file photosync did not write is never replaced: a user's own file already at the path a photo would
 * take keeps its bytes, and the photo is saved under the tagged name (`<name> (<tag>).<ext>`), by `sync` and
 * by `takeout` alike.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertSameBytes, expectedPath } from "../testing/asserts.ts";
import { listFiles, TestEnv } from "../testing/harness.ts";
import { fixtureItem } from "../testing/library_fixture.ts";

const USERS_OWN = new TextEncoder().encode("the user's own photo, not from Google");

/** Put the user's own file at `path` under `dir`. */
async function userFile(dir: string, path: string): Promise<void> {
  await Deno.mkdir(join(dir, path, ".."), { recursive: true });
  await Deno.writeFile(join(dir, path), USERS_OWN);
}

Deno.test("sync: a user's own file at a photo's path keeps its bytes; the photo gets the tagged name, and keeps it", async () => {
  const photo = fixtureItem("AF1QipForeign", "IMG_0001.JPG", "2023-07-01T08:00:00Z");
  await using env = await TestEnv.start({ items: [photo] });
  await userFile(env.dir, expectedPath(photo));
  // A dated folder with a file in it and no sync.db: the run is told the folder's days (else it asks).
  const run = await env.run(["--verbose", "--folder-days=local"], { auth: "browser" });
  assert.equal(run.code, 0, run.stderr);
  const files = await listFiles(env.dir);
  assert.equal(files.length, 2, files.join("\n"));
  assert.deepEqual(await Deno.readFile(join(env.dir, expectedPath(photo))), USERS_OWN);
  const tagged = files.find((path) => path !== expectedPath(photo))!;
  assert.match(tagged, /^2023\/07\/01\/IMG_0001 \([0-9a-f]{8}\)\.JPG$/);
  await assertSameBytes(join(env.dir, tagged), photo);
  assert.match(run.stderr, /kept 2023\/07\/01\/IMG_0001\.JPG \(not photosync's\)/);

  // Downloaded again (its file went missing), the photo keeps its name; the user's file is untouched.
  await Deno.remove(join(env.dir, tagged));
  const resync = await env.run(["--resync"]);
  assert.equal(resync.code, 0, resync.stderr);
  assert.deepEqual(await listFiles(env.dir), files);
  assert.deepEqual(await Deno.readFile(join(env.dir, expectedPath(photo))), USERS_OWN);
  await assertSameBytes(join(env.dir, tagged), photo);
});

Deno.test("takeout: a user's own file at a photo's path keeps its bytes; the photo gets the tagged name", async () => {
  await using env = await TestEnv.start();
  const photo = new TextEncoder().encode("the photo's bytes, from the export");
  const folder = join(env.root, "Takeout", "Google Photos", "Photos from 2020");
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeFile(join(folder, "IMG_0002.jpg"), photo);
  await Deno.writeTextFile(
    join(folder, "IMG_0002.jpg.json"),
    JSON.stringify({
      title: "IMG_0002.jpg",
      photoTakenTime: { timestamp: String(Date.UTC(2020, 1, 3, 4) / 1000) },
    }),
  );
  await userFile(env.dir, "2020/02/03/IMG_0002.jpg");
  // A dated folder with a file in it and no sync.db: the run is told the folder's days (else it asks).
  const run = await env.cli([
    "takeout",
    `--dir=${env.dir}`,
    "--verbose",
    "--folder-days=local",
    join(env.root, "Takeout"),
  ]);
  assert.equal(run.code, 0, run.stderr);
  const files = await listFiles(env.dir);
  assert.equal(files.length, 2, files.join("\n"));
  assert.deepEqual(await Deno.readFile(join(env.dir, "2020/02/03/IMG_0002.jpg")), USERS_OWN);
  const tagged = files.find((path) => path !== "2020/02/03/IMG_0002.jpg")!;
  assert.match(tagged, /^2020\/02\/03\/IMG_0002 \([0-9a-f]{8}\)\.jpg$/);
  await assertSameBytes(join(env.dir, tagged), photo);
  assert.match(run.stderr, /kept 2020\/02\/03\/IMG_0002\.jpg \(not photosync's\)/);
});
