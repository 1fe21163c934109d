/**
 * Running photosync as cron jobs and scripts do: overlapping runs on one folder, unattended
 * runs after an interactive one, mistyped folders.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtureItem as item, generateLibrary } from "../testing/library_fixture.ts";
import { listFiles, TestEnv } from "../testing/harness.ts";
import { assertItemFiles, assertOneLineError, assertTree, expectedPath } from "../testing/asserts.ts";

/** An environment whose library was indexed by a first, authorised run. */
async function indexed(items: ReturnType<typeof generateLibrary>): Promise<TestEnv> {
  const env = await TestEnv.start({ items });
  const first = await env.run(["--index-only"], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  return env;
}

Deno.test("a second run on a folder in use says so in one line and harms nothing; PHOTOSYNC_REFRESH_TOKEN alone uses the client saved by an earlier --creds run", async () => {
  const items = generateLibrary({ count: 12, seed: 41, minSize: 20_000, maxSize: 40_000 });
  await using env = await indexed(items);
  // Downloads are slow now: the first run is still at work when the second starts. The first runs
  // unattended, as a cron job does: the token from the environment, the client the indexing run saved.
  env.emulator.faults = { latencyMs: { media: 400 } };
  const running = env.spawn(["--concurrency=1"], { env: { PHOTOSYNC_REFRESH_TOKEN: env.refreshToken() } });
  await running.waitForLine((line) => line.startsWith("downloaded "));
  const second = await env.run();
  assert.equal(second.code, 1);
  assert.match(second.stderr, /^error: another photosync is using .*photos/);
  assert.equal(second.stderr.trim().split("\n").length, 1, second.stderr);
  env.emulator.faults = {};
  const done = await running.result();
  assert.equal(done.code, 0, done.stderr);
  assert.equal(
    (await listFiles(env.dir)).length,
    items.length,
    "the first run, unattended with the saved client, finished every file",
  );
});

Deno.test("query with a mistyped --dir creates nothing and does not start authorisation", async () => {
  await using env = await TestEnv.start({ items: generateLibrary({ count: 1, seed: 43 }) });
  const typo = join(env.root, "phtoos");
  // A refusal before any work: in this process (cli.test.ts runs query's refusal as a child).
  const result = await env.cli(["query", "SOME_ID", `--dir=${typo}`, "--no-browser"], { inProcess: true });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: no sync\.db in .*phtoos: .*check --dir/);
  assert.equal(env.emulator.counts.auth ?? 0, 0, "no authorisation was started");
  await assert.rejects(Deno.stat(typo), Deno.errors.NotFound);
});

Deno.test("a daily quota refusal while other downloads wait out a Retry-After ends the run without waiting", async () => {
  const items = generateLibrary({ count: 8, seed: 44 });
  await using env = await TestEnv.start({ items });
  // Three downloads are asked to come back in 5 minutes (the longest wait photosync honours); the fourth is
  // refused for the day. The run ends without a retry: had the refusal not cut the waits short, this test
  // would last those 5 minutes (no clock is read here, the suite's running time shows it).
  env.emulator.faults = { retryAfterSec: 300, dailyMediaQuota: 3, rates: { media: { "429": 1 } } };
  // The folder's first run: it authorises (the harness plays the browser) and indexes, then downloads.
  const run = await env.run(["--concurrency=4"], { auth: "browser" });
  assertOneLineError(run, 5, /daily quota/);
  assert.equal(env.emulator.injected["media:429"], 3);
  const media = env.emulator.requests.filter((request) => request.route === "media");
  assert.deepEqual(media.map((request) => request.fault), ["429", "429", "429", "quota-day"], "no retry");
  assert.deepEqual(await listFiles(env.dir), [], "no partial files");
});

Deno.test("--max-bytes with downloads in flight: a download goes on only when its Content-Length fits in what is left; one larger than the whole budget goes alone", async () => {
  // Eight videos at once (the default concurrency), each more than half the budget: one fits.
  const items = Array.from(
    { length: 8 },
    (_, i) =>
      item(`V${i}`, `VID_${i}.mp4`, `2021-07-0${i + 1}T07:07:07Z`, {
        mimeType: "video/mp4",
        video: { status: "READY" },
        size: 100_000,
      }),
  );
  await using env = await TestEnv.start({ items });
  // The folder's first run: it authorises (the harness plays the browser) and indexes, then downloads.
  const limited = await env.run(["--max-bytes=150kB"], { auth: "browser" });
  assert.equal(limited.code, 3, limited.stderr);
  assert.match(limited.stderr, /^warning: --max-bytes=150kB reached: 7 items left for the next run$/m);
  assert.deepEqual(await listFiles(env.dir), ["2021/07/01/VID_0.mp4"]);
  const status = await env.status();
  assert.deepEqual([status.bytes, status.pending], [100_000, 7]);
  // A budget smaller than every file: the run that has written nothing else takes the first alone, so
  // that no budget leaves a video behind for ever; and only it.
  const small = await env.run(["--max-bytes=50kB"]);
  assert.equal(small.code, 3, small.stderr);
  assert.deepEqual(await listFiles(env.dir), ["2021/07/01/VID_0.mp4", "2021/07/02/VID_1.mp4"]);
  assert.equal((await env.status()).pending, 6);
});

Deno.test("--max-bytes: a run writes no more than that: exit 3, nothing partial, --new-files lists what arrived", async () => {
  const items = generateLibrary({ count: 10, seed: 45, minSize: 20_000, maxSize: 40_000 });
  await using env = await TestEnv.start({ items });
  // One at a time, in creation order: the files that arrive are the first ones whose sizes fit in 80 kB.
  const inOrder = items.toSorted((a, b) =>
    a.creationTime.localeCompare(b.creationTime) || a.id.localeCompare(b.id)
  );
  const arrive = inOrder.findIndex((_, i) =>
    inOrder.slice(0, i + 1).reduce((sum, it) => sum + it.size, 0) > 80_000
  );
  assert.ok(arrive >= 2 && arrive < items.length, `${arrive} of ${items.length}`);
  const list = join(env.root, "new-files.txt");
  // The folder's first run: it authorises (the harness plays the browser) and indexes, then downloads.
  const limited = await env.run(["--concurrency=1", "--max-bytes=80kB", `--new-files=${list}`], {
    auth: "browser",
  });
  assert.equal(limited.code, 3, limited.stderr);
  const left = items.length - arrive;
  assert.match(
    limited.stderr,
    new RegExp(`^warning: --max-bytes=80kB reached: ${left} items left for the next run$`, "m"),
  );
  const arrived = inOrder.slice(0, arrive);
  assert.deepEqual(
    await listFiles(env.dir),
    arrived.map(expectedPath).sort(),
    "only whole files, no partial one",
  );
  await assertItemFiles(env.dir, arrived);
  assert.deepEqual(
    (await Deno.readTextFile(list)).split("\n").filter(Boolean),
    arrived.map(expectedPath).sort(),
  );

  // Several at once, the budget enough for all: the next run gets the rest.
  const rest = await env.run(["--max-bytes=1MB", `--new-files=${list}`]);
  assert.equal(rest.code, 0, rest.stderr);
  assert.deepEqual(
    (await Deno.readTextFile(list)).split("\n").filter(Boolean),
    inOrder.slice(arrive).map(expectedPath).sort(),
  );
  await assertTree(env.dir, items);
  // Bad input, refused before any work: in this process.
  const bad = await env.cli([`--dir=${env.dir}`, "--max-bytes=50"], { inProcess: true });
  assertOneLineError(bad, 2, /--max-bytes must be a size such as 500MB/);
  // --xmp (remembered for the folder from now on): the sidecars a run writes are its new files too.
  const xmp = await env.run(["--xmp", `--new-files=${list}`]);
  assert.equal(xmp.code, 0, xmp.stderr);
  assert.deepEqual(
    (await Deno.readTextFile(list)).split("\n").filter(Boolean),
    items.map((item) => `${expectedPath(item)}.xmp`).sort(),
  );
});
