/**
 * One photo from two sources is one file (`file_of` in `sync.db`): what one source does to its item
 * never takes the file from the other's. The CLI as a child process against the emulator.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fixtureItem, mediaBytes } from "../testing/library_fixture.ts";
import { CliProcess, listFiles, TestEnv } from "../testing/harness.ts";
import { expectedPath } from "../testing/asserts.ts";

const photo = fixtureItem("AF1QipShared0000000000001", "IMG_1.jpg", "2020-05-01T10:00:00Z");

/** The rows of `sync.db`, as plain objects. */
function query(dir: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  try {
    return db.prepare(sql).all().map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

/**
 * Two parts of one export, extracted: the photo (in the trash folder) without its sidecar in part 1, and
 * in part 2 the sidecar, which says it is in the trash (`trashed`).
 */
async function trashedAcrossParts(root: string): Promise<[string, string]> {
  const parts = [1, 2].map((n) => join(root, `takeout-20250101T000000Z-00${n}`)) as [string, string];
  const trash = "Takeout/Google Photos/Trash";
  for (const part of parts) await Deno.mkdir(join(part, trash), { recursive: true });
  await Deno.writeFile(join(parts[0], trash, photo.filename), mediaBytes(photo));
  const seconds = String(Date.parse(photo.creationTime) / 1000);
  const time = { timestamp: seconds, formatted: "" };
  await Deno.writeTextFile(
    join(parts[1], trash, `${photo.filename}.supplemental-metadata.json`),
    JSON.stringify({ title: photo.filename, photoTakenTime: time, creationTime: time, trashed: true }),
  );
  return parts;
}

/** `photosync pick` of `ids`, the harness playing the browser and the user. */
async function pickRun(env: TestEnv, ids: string[]) {
  const cli = new CliProcess(["pick", `--dir=${env.dir}`, "--no-browser"], {
    emulator: env.emulator,
    cwd: env.root,
  });
  const authUrl = await cli.waitForLine((line) => line.startsWith(env.emulator.authUri));
  await (await fetch(await env.emulator.consent(authUrl))).body?.cancel();
  await env.emulator.pick(await cli.waitForLine((line) => line.startsWith(env.emulator.pickerUrl)), ids);
  return await cli.result();
}

/** After the sidecar that trashes the Takeout item: the other source's item holds the one file, intact. */
async function assertKeptFor(env: TestEnv, source: string) {
  assert.deepEqual(query(env.dir, "SELECT id, source, status, path, file_of FROM items"), [
    { id: photo.id, source, status: "downloaded", path: expectedPath(photo), file_of: null },
  ]);
  assert.deepEqual((await listFiles(env.dir)).filter((path) => /^\d{4}\//.test(path)), [expectedPath(photo)]);
  assert.deepEqual(await Deno.readFile(join(env.dir, expectedPath(photo))), mediaBytes(photo));
  const verify = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stderr, /verified 1 file .*: all intact$/m);
}

Deno.test("takeout: a sidecar that puts a photo in the trash keeps its file when a pick shares it: the picked item holds it", async () => {
  let skewMs = 0;
  await using env = await TestEnv.start({
    items: [photo],
    picker: { pollIntervalMs: 20 },
    now: () => Date.now() + skewMs,
  });
  const [part1, part2] = await trashedAcrossParts(env.root);
  const first = await env.cli(["takeout", `--dir=${env.dir}`, part1]);
  assert.equal(first.code, 0, first.stderr);
  const picked = await pickRun(env, [photo.id]);
  assert.equal(picked.code, 0, picked.stderr);
  assert.match(
    query(env.dir, `SELECT file_of FROM items WHERE id = '${photo.id}'`)[0].file_of as string,
    /^takeout:/,
  );

  const second = await env.cli(["takeout", `--dir=${env.dir}`, part2]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(
    second.stderr,
    /^kept \S+IMG_1\.jpg: the picker item AF1QipShared0000000000001 has the same bytes$/m,
  );
  await assertKeptFor(env, "picker");
  // The picked link has expired since: the file the pick holds is the only copy, and stays.
  skewMs = 61 * 60_000;
  const repair = await env.cli(["verify", `--dir=${env.dir}`, "--repair"]);
  assert.equal(repair.code, 0, repair.stderr);
  await assertKeptFor(env, "picker");
});

Deno.test("takeout: a sidecar that puts a photo in the trash keeps its file when a synced Library item shares it", async () => {
  await using env = await TestEnv.start({ items: [photo] });
  const [part1, part2] = await trashedAcrossParts(env.root);
  const first = await env.cli(["takeout", `--dir=${env.dir}`, part1]);
  assert.equal(first.code, 0, first.stderr);
  const synced = await env.run(["--dates=2020-05-01"], { auth: "browser" });
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(
    query(env.dir, `SELECT file_of FROM items WHERE id = '${photo.id}'`)[0].file_of as string,
    /^takeout:/,
  );

  const second = await env.cli(["takeout", `--dir=${env.dir}`, part2]);
  assert.equal(second.code, 0, second.stderr);
  await assertKeptFor(env, "library");
  // A sync after: the Library item keeps its file, nothing is fetched again.
  const again = await env.run(["--dates=2020-05-01"]);
  assert.equal(again.code, 0, again.stderr);
  await assertKeptFor(env, "library");
});
