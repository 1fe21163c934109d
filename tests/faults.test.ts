/**
 * Network and API faults through the CLI: retries with backoff, Retry-After, stalls,
 * truncated bodies, the per-day quota, and per-item batchGet failures.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type FixtureItem, generateLibrary } from "../testing/library_fixture.ts";
import { cliCommand, listFiles, TestEnv } from "../testing/harness.ts";
import { assertOneLineError, assertSameBytes, assertTree, expectedPath } from "../testing/asserts.ts";

/** An emulator with `items`, authorised once (without faults, indexing nothing) into `dir`. */
async function authorised(items: FixtureItem[]): Promise<TestEnv> {
  const env = await TestEnv.start({ items });
  const first = await env.run(["--index-only", "--dates=1900-01-01"], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  env.emulator.resetCounts();
  return env;
}

/** Without faults, a plain run completes the sync: every item on disk and nothing else. */
async function assertResumes(env: TestEnv, items: FixtureItem[]): Promise<void> {
  env.emulator.faults = {};
  const resumed = await env.run();
  assert.equal(resumed.code, 0, resumed.stderr);
  await assertTree(env.dir, items);
}

Deno.test("429s, 5xx and broken connections on every endpoint are retried until the sync is whole", async () => {
  const items = generateLibrary({ count: 60, seed: 51, videoRatio: 0.2 });
  await using env = await authorised(items);
  const api = { "429": 0.05, "429-bare": 0.04, "500": 0.04, "503": 0.04, reset: 0.03 };
  env.emulator.faults = {
    seed: 7,
    retryAfterSec: 0,
    rates: { token: api, search: api, batchGet: api, media: { ...api, short: 0.05 } },
  };
  env.emulator.expireAccessTokens(); // The token endpoint is exercised (and faulted) too.
  const run = await env.run(["--all"]);
  assert.equal(run.code, 0, run.stderr);
  await assertTree(env.dir, items);
  const injected = Object.entries(env.emulator.injected).filter(([, n]) => n > 0).map(([key]) => key);
  for (const fault of ["429", "429-bare", "500", "503", "reset", "short"]) {
    assert.ok(
      injected.some((key) => key.endsWith(`:${fault}`)),
      `${fault} was injected (${injected.join(", ")})`,
    );
  }
  assert.ok(new Set(injected.map((key) => key.split(":")[0])).size >= 2, "on more than one endpoint");
});

Deno.test("Retry-After is honoured", async () => {
  const items = generateLibrary({ count: 4, seed: 52, videoRatio: 0 });
  await using env = await authorised(items);
  env.emulator.faults = { seed: 3, retryAfterSec: 1, rates: { media: { "429": 0.3 } } };
  const run = await env.run(["--all", "--concurrency=1"]);
  assert.equal(run.code, 0, run.stderr);
  const media = env.emulator.requests.filter((r) => r.route === "media");
  const gaps: number[] = [];
  assert.ok(media.some((r) => r.status === 429), "a 429 was sent");
  for (const [index, request] of media.entries()) {
    if (request.status === 429 && media[index + 1]) gaps.push(media[index + 1].time - request.time);
  }
  assert.ok(gaps.length > 0 && gaps.every((gap) => gap >= 950), `waited ${gaps.join(", ")} ms`);
  await assertTree(env.dir, items);
});

Deno.test("a stalled download times out (--timeout) and is tried again", async () => {
  const items = generateLibrary({ count: 8, seed: 53, videoRatio: 0 });
  await using env = await authorised(items);
  env.emulator.faults = { seed: 5, rates: { media: { stall: 0.3 } } };
  const run = await env.run(["--all", "--timeout=0.3", "--concurrency=1"]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(env.emulator.injected["media:stall"] > 0, "a download stalled");
  await assertTree(env.dir, items);
});

Deno.test("bodies shorter than Content-Length are never marked downloaded", async () => {
  const items = generateLibrary({ count: 10, seed: 54, videoRatio: 0.3 });
  await using env = await authorised(items);
  env.emulator.faults = { seed: 9, rates: { media: { short: 0.35 } } };
  const run = await env.run(["--all", "--concurrency=1"]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(env.emulator.injected["media:short"] > 0);
  await assertTree(env.dir, items);
  const counts = await env.status();
  assert.equal(counts.bytes, items.reduce((sum, it) => sum + it.size, 0));
});

Deno.test("the per-day API quota stops the run cleanly with exit 5; the next day resumes", async () => {
  const items = generateLibrary({ count: 250, seed: 55 });
  await using env = await authorised(items);
  env.emulator.faults = { dailyApiQuota: 2 };
  const stopped = await env.run(["--all"]);
  assertOneLineError(stopped, 5, /daily quota.*run photosync again after midnight Pacific Time/);
  const kept = (await env.status()).items;
  assert.ok(kept >= 100 && kept < items.length, `the pages that arrived are kept (${kept})`);
  const refused = env.emulator.requests.filter((r) => r.fault === "quota-day").map((r) =>
    JSON.stringify(r.body)
  );
  assert.ok(refused.length > 0);
  assert.equal(new Set(refused).size, refused.length, "no search refused for the day is retried");
  await assertResumes(env, items);
});

Deno.test("the per-day byte quota stops downloads cleanly: finished files kept, no partial ones", async () => {
  const items = generateLibrary({ count: 30, seed: 56 });
  await using env = await authorised(items);
  env.emulator.faults = { dailyMediaQuota: 12 };
  const stopped = await env.run(["--all", "--concurrency=4"]);
  assertOneLineError(stopped, 5);
  // Downloads still in flight at the refusal are dropped at once (up to 3 of the 12 allowed).
  const counts = await env.status();
  assert.ok(counts.downloaded >= 12 - 3 && counts.downloaded <= 12, `${counts.downloaded} downloaded`);
  const files = await listFiles(env.dir);
  assert.equal(files.length, counts.downloaded, "only whole files, each marked; no temporary ones");
  await assertResumes(env, items);
});

Deno.test("a batchGet per-item error marks that item failed; re-indexing its day repairs it", async () => {
  const items = generateLibrary({ count: 12, seed: 57 });
  await using env = await authorised(items);
  assert.equal((await env.run(["--all", "--index-only"])).code, 0);
  const [victim] = items.slice(5, 6);
  env.emulator.items.delete(victim.id);
  const run = await env.run();
  assert.equal(run.code, 3, run.stderr);
  const counts = await env.status();
  assert.deepEqual([counts.downloaded, counts.failed], [11, 1]);
  assert.equal(counts.failures[0].id, victim.id);
  assert.match(counts.failures[0].reason, /Invalid media item ID/);

  env.emulator.items.set(victim.id, victim);
  const repaired = await env.run([`--dates=${victim.creationTime.slice(0, 10)}`]);
  assert.equal(repaired.code, 0, repaired.stderr);
  assert.deepEqual([(await env.status()).downloaded, (await env.status()).failed], [12, 0]);
  await assertTree(env.dir, items);
});

Deno.test("a full disk stops the run with one line; whole files and pending rows are kept", async () => {
  const items = generateLibrary({ count: 20, seed: 58, minSize: 90_000, maxSize: 110_000, videoRatio: 0 });
  await using env = await authorised(items);
  const refreshToken = env.refreshToken();
  const full = join(env.root, "full");
  const after = join(env.root, "after");
  await Deno.mkdir(full);
  // A private mount namespace with a 1 MB tmpfs as --dir; its content is copied out before it goes.
  const script = 'mount -t tmpfs -o size=1m tmpfs "$1" && "${@:3}"; code=$?; cp -a "$1" "$2"; exit $code';
  const cli = cliCommand([`--dir=${full}`, "--creds=clientsecret.json", "--all", "--concurrency=2"]);
  const run = await new Deno.Command("unshare", {
    args: ["-rm", "bash", "-c", script, "bash", full, after, ...cli],
    cwd: env.root,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      PHOTOSYNC_API_URL: env.emulator.apiUrl,
      PHOTOSYNC_REFRESH_TOKEN: refreshToken,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const [stdout, stderr] = [run.stdout, run.stderr].map((bytes) => new TextDecoder().decode(bytes));
  assertOneLineError(
    { code: run.code, stdout, stderr },
    1,
    /disk is full.*free some space and run photosync again/,
  );

  const files = await listFiles(after);
  assert.ok(files.length > 0 && files.length < items.length, `${files.length} files fit`);
  const byPath = new Map(items.map((it) => [expectedPath(it), it]));
  for (const file of files) await assertSameBytes(join(after, file), byPath.get(file)!, file);
  // Files marked downloaded are all there; a file whose mark did not fit on the disk is fetched again.
  const counts = await env.status(after);
  assert.ok(counts.downloaded <= files.length);
  assert.equal(counts.pending, items.length - counts.downloaded);

  // With room again, a plain run completes the rest.
  const resumed = await env.cli([`--dir=${after}`, "--creds=clientsecret.json"], {
    env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken },
  });
  assert.equal(resumed.code, 0, resumed.stderr);
  await assertTree(after, items);
});
