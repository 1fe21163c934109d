/**
 * Ctrl-C and SIGTERM in `sync` and `takeout` (as in `pick`, tested in pick.test.ts): one line says what was
 * kept, no temporary file stays, the exit code is 130 (143), and the next run goes on from there.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type FixtureItem, generateLibrary } from "../testing/library_fixture.ts";
import { answerAuth, CliProcess, listFiles, runPhotosync, TestEnv } from "../testing/harness.ts";
import { assertTree } from "../testing/asserts.ts";
import { writeArchives } from "../testing/takeout/archives.ts";
import { generateTakeout } from "../testing/takeout/export.ts";

/** The last line a stopped run printed. */
const lastLine = (stderr: string) => stderr.trimEnd().split("\n").at(-1);

Deno.test("Ctrl-C in sync while downloads stall: one line, finished files kept, no partial file; the next run completes", async () => {
  const items: FixtureItem[] = generateLibrary({ count: 6, seed: 91, minSize: 40_000, maxSize: 50_000 });
  let stalled: () => void = () => {};
  await using env = await TestEnv.start({
    items,
    onRequest: (request) => request.fault === "stall" && stalled(),
  });
  // Every download stalls halfway: the folder's first run (it authorises, the harness playing the browser,
  // and indexes) is stopped with two partial files being written.
  env.emulator.faults = { rates: { media: { stall: 1 } } };
  const stall = new Promise<void>((resolve) => stalled = resolve);
  const cli = env.spawn(["--concurrency=2"], { auth: "browser" });
  await answerAuth(cli, env.emulator, "browser");
  await stall;
  cli.child.kill("SIGINT");
  const stopped = await cli.result();
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /^stopping: finished files are kept, partial ones removed/m);
  assert.equal(
    lastLine(stopped.stderr),
    "stopped by Ctrl-C (SIGINT); 0 files downloaded in this run are kept, partial ones removed; run it again to go on",
  );
  assert.doesNotMatch(stopped.stderr, /^error: /m);
  assert.deepEqual(await listFiles(env.dir), [], "no partial file, no temporary folder");

  env.emulator.faults = {};
  const next = await env.run();
  assert.equal(next.code, 0, next.stderr);
  await assertTree(env.dir, items);
});

Deno.test("SIGTERM while sync waits for the browser: exit 143 with one line, nothing but sync.db", async () => {
  await using env = await TestEnv.start({ items: generateLibrary({ count: 1, seed: 92 }) });
  const cli = env.spawn([]);
  await cli.waitForLine((line) => line.startsWith(env.emulator.authUri));
  cli.child.kill("SIGTERM");
  // The stop is aborted by the time this line is out; only then is stdin closed (result() closes it), which
  // would otherwise end the wait as "nobody can answer".
  await cli.waitForLine((line) => line.startsWith("stopping: "));
  const stopped = await cli.result();
  assert.equal(stopped.code, 143, stopped.stderr);
  assert.match(lastLine(stopped.stderr)!, /^stopped by SIGTERM; 0 files downloaded in this run are kept/);
  assert.doesNotMatch(stopped.stderr, /^error: /m);
  assert.deepEqual(await listFiles(env.dir), []);
});

Deno.test("Ctrl-C in takeout: imported files kept and recorded, no temporary file; a re-run gives the uninterrupted tree", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-interrupt-" });
  try {
    // A stream (tgz) of many small files: stopped after its first file, most of it is still to come.
    const exp = generateTakeout({ seed: 93, count: 150, sidecarStyle: "new" });
    const archives = await writeArchives(exp, join(root, "export"), { format: "tgz" });
    const run = (dir: string) =>
      runPhotosync(["takeout", `--dir=${dir}`, ...archives], { env: { TZ: "UTC" } });
    const whole = await run(join(root, "whole"));
    assert.equal(whole.code, 0, whole.stderr);
    const expected = await listFiles(join(root, "whole"));

    const dir = join(root, "stopped");
    const cli = new CliProcess(["takeout", `--dir=${dir}`, ...archives], { env: { TZ: "UTC" } });
    await cli.waitForLine((line) => line.startsWith("imported "));
    cli.child.kill("SIGINT");
    const stopped = await cli.result();
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.equal(
      lastLine(stopped.stderr),
      "stopped by Ctrl-C (SIGINT); what was imported is kept, partial files removed; run the same command again to go on",
    );
    const kept = await listFiles(dir);
    assert.ok(kept.length > 0 && kept.length < expected.length, `${kept.length} of ${expected.length}`);
    assert.ok(kept.every((path) => expected.includes(path)), "every kept file is where a whole run puts it");
    assert.ok(!kept.some((path) => path.startsWith(".photosync-tmp/")), "no temporary file");

    const resumed = await run(dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(await listFiles(dir), expected);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a sync stopped after moving a file to its corrected date counts the files downloaded, not the move", async () => {
  const items = generateLibrary({ count: 3, seed: 94, minSize: 40_000, maxSize: 50_000 });
  let stalled: () => void = () => {};
  await using env = await TestEnv.start({
    items,
    onRequest: (request) => request.fault === "stall" && stalled(),
  });
  const first = await env.run(["--xmp"], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);

  // A date corrected in Google Photos (the run moves that file and rewrites its sidecar), and a new photo
  // whose download stalls: the run is stopped with no file downloaded.
  env.emulator.items.set(items[0].id, { ...items[0], creationTime: "1975-06-07T12:00:00Z" });
  const [added] = generateLibrary({ count: 1, seed: 95, minSize: 40_000, maxSize: 50_000 });
  assert.ok(!env.emulator.items.has(added.id));
  env.emulator.items.set(added.id, added);
  env.emulator.faults = { rates: { media: { stall: 1 } } };
  const stall = new Promise<void>((resolve) => stalled = resolve);
  const cli = env.spawn(["--xmp", "--all"]);
  await stall;
  cli.child.kill("SIGINT");
  const stopped = await cli.result();
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.ok((await listFiles(env.dir)).some((path) => path.startsWith("1975/06/07/")), stopped.stderr);
  assert.equal(
    lastLine(stopped.stderr),
    "stopped by Ctrl-C (SIGINT); 0 files downloaded in this run are kept, partial ones removed; run it again to go on",
  );
});
