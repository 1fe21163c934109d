/**
 * Network and API faults through the CLI: retries with backoff, Retry-After, stalls,
 * truncated bodies, the per-day quota, and per-item batchGet failures.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { Emulator } from "../testing/emulator.ts";
import { type FixtureItem, generateLibrary, mediaBytes } from "../testing/library_fixture.ts";
import { listFiles, MAIN, runCli, workspace } from "../testing/harness.ts";
import { runFlags } from "../scripts/run_flags.ts";

/** An emulator with `items`, authorised once (without faults) into `dir`. */
async function authorised(items: FixtureItem[]) {
  const emulator = await Emulator.start({ items });
  const root = await workspace(emulator);
  const dir = join(root, "photos");
  const first = await runCli(
    [`--dir=${dir}`, "--no-browser", "--index-only", "--dates=1900-01-01"],
    emulator,
    {
      cwd: root,
      auth: "browser",
    },
  );
  assert.equal(first.code, 0, first.stderr);
  emulator.resetCounts();
  return {
    emulator,
    root,
    dir,
    run: (args: string[] = []) => runCli([`--dir=${dir}`, ...args], emulator, { cwd: root }),
    status: async () =>
      JSON.parse((await runCli(["status", `--dir=${dir}`, "--json"], emulator, { cwd: root })).stdout),
    async [Symbol.asyncDispose]() {
      await emulator.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

async function assertTree(dir: string, items: Iterable<FixtureItem>) {
  let count = 0;
  for (const it of items) {
    const path = join(dir, it.creationTime.slice(0, 10).replaceAll("-", "/"), it.filename);
    assert.ok(Buffer.from(await Deno.readFile(path)).equals(mediaBytes(it)), `${path} differs`);
    count++;
  }
  assert.equal((await listFiles(dir)).length, count, "no other files (no temporary ones)");
}

function oneErrorLine(stderr: string): string {
  const errors = stderr.split("\n").filter((line) => line.startsWith("error: "));
  assert.equal(errors.length, 1, stderr);
  assert.doesNotMatch(stderr, /^\s+at /m);
  return errors[0];
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
  assert.equal(stopped.code, 5, stopped.stderr);
  assert.match(oneErrorLine(stopped.stderr), /daily quota.*run photosync again after midnight Pacific Time/);
  const kept = (await env.status()).items;
  assert.ok(kept >= 100 && kept < items.length, `the pages that arrived are kept (${kept})`);
  const refused = env.emulator.requests.filter((r) => r.fault === "quota-day").map((r) =>
    JSON.stringify(r.body)
  );
  assert.ok(refused.length > 0);
  assert.equal(new Set(refused).size, refused.length, "no search refused for the day is retried");

  env.emulator.faults = {};
  const resumed = await env.run();
  assert.equal(resumed.code, 0, resumed.stderr);
  await assertTree(env.dir, items);
});

Deno.test("the per-day byte quota stops downloads cleanly: finished files kept, no partial ones", async () => {
  const items = generateLibrary({ count: 30, seed: 56 });
  await using env = await authorised(items);
  env.emulator.faults = { dailyMediaQuota: 12 };
  const stopped = await env.run(["--all", "--concurrency=4"]);
  assert.equal(stopped.code, 5, stopped.stderr);
  oneErrorLine(stopped.stderr);
  const counts = await env.status();
  assert.equal(counts.downloaded, 12);
  assert.equal((await listFiles(env.dir)).length, 12, "only whole files, no temporary ones");

  env.emulator.faults = {};
  const resumed = await env.run();
  assert.equal(resumed.code, 0, resumed.stderr);
  await assertTree(env.dir, items);
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
  const refreshToken = env.emulator.issuedTokens.find((token) => token.startsWith("1//"))!;
  const full = join(env.root, "full");
  const after = join(env.root, "after");
  await Deno.mkdir(full);
  // A private mount namespace with a 1 MB tmpfs as --dir; its content is copied out before it goes.
  const script = 'mount -t tmpfs -o size=1m tmpfs "$1" && "${@:3}"; code=$?; cp -a "$1" "$2"; exit $code';
  const cli = [
    Deno.execPath(),
    "run",
    ...runFlags(),
    MAIN,
    `--dir=${full}`,
    "--creds=clientsecret.json",
  ];
  const run = await new Deno.Command("unshare", {
    args: ["-rm", "bash", "-c", script, "bash", full, after, ...cli, "--all", "--concurrency=2"],
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
  const stderr = new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 1, stderr);
  assert.match(oneErrorLine(stderr), /disk is full.*free some space and run photosync again/);

  const files = await listFiles(after);
  assert.ok(files.length > 0 && files.length < items.length, `${files.length} files fit`);
  const byPath = new Map(
    items.map((it) => [`${it.creationTime.slice(0, 10).replaceAll("-", "/")}/${it.filename}`, it]),
  );
  for (const file of files) {
    assert.ok(
      Buffer.from(await Deno.readFile(join(after, file))).equals(mediaBytes(byPath.get(file)!)),
      file,
    );
  }
  // Files marked downloaded are all there; a file whose mark did not fit on the disk is fetched again.
  const counts = JSON.parse((await runCli(["status", `--dir=${after}`, "--json"], env.emulator)).stdout);
  assert.ok(counts.downloaded <= files.length);
  assert.equal(counts.pending, items.length - counts.downloaded);

  // With room again, a plain run completes the rest.
  const resumed = await runCli([`--dir=${after}`, "--creds=clientsecret.json"], env.emulator, {
    cwd: env.root,
    env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken },
  });
  assert.equal(resumed.code, 0, resumed.stderr);
  await assertTree(after, items);
});
