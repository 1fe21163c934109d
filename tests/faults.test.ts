/**
 * Network and API faults through the CLI: retries with backoff, Retry-After, stalls,
 * truncated bodies, the per-day quota, and per-item batchGet failures.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type FixtureItem, fixtureItem as item, generateLibrary } from "../testing/library_fixture.ts";
import { answerAuth, listFiles, TestEnv } from "../testing/harness.ts";
import { Emulator } from "../testing/emulator.ts";
import { copyBackup } from "../testing/takeout/backup_state.ts";
import { assertOneLineError, assertSameBytes, assertTree, expectedPath } from "../testing/asserts.ts";
import { RewritingProxy } from "../testing/rewriting_proxy.ts";

/**
 * An emulator of its own with `items`, authorised once (without faults, indexing nothing) into `dir`: for a test
 * that expires the access tokens it issued (a shared emulator's would then be refused in the next test).
 */
async function authorisedAlone(items: FixtureItem[]): Promise<TestEnv> {
  const env = await TestEnv.start({ items });
  const first = await env.run(["--index-only", "--dates=1900-01-01"], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  env.emulator.resetCounts();
  return env;
}

/**
 * The emulator the other tests of {@link authorised} share: each gives it its library, and its faults, counts
 * and daily quotas anew. None of them expires or revokes the tokens it issued.
 */
const SHARED = await Emulator.start();
/** A workspace on {@link SHARED} whose folder was authorised once (without faults, indexing nothing). */
let authorisedOnce: Promise<TestEnv> | undefined;
Deno.test.afterAll?.(async () => {
  await (await authorisedOnce)?.[Symbol.asyncDispose]();
  await SHARED.close();
});

/**
 * The shared emulator with `items` and no faults, and a workspace whose `dir` is a copy of a folder authorised
 * once (without faults, indexing nothing): as {@link authorisedAlone} gives it, but for the run authorising.
 */
async function authorised(items: FixtureItem[]): Promise<TestEnv> {
  const template = await (authorisedOnce ??= (async () => {
    const env = await TestEnv.on(SHARED);
    const first = await env.run(["--index-only", "--dates=1900-01-01"], { auth: "browser" });
    assert.equal(first.code, 0, first.stderr);
    return env;
  })());
  SHARED.faults = {};
  SHARED.resetQuota();
  SHARED.items.clear();
  for (const it of items) SHARED.items.set(it.id, it);
  const env = await TestEnv.on(SHARED);
  await copyBackup(template.dir, env.dir);
  SHARED.resetCounts();
  return env;
}

/** Without faults, a plain run completes the sync: every item on disk and nothing else. */
async function assertResumes(env: TestEnv, items: FixtureItem[]): Promise<void> {
  env.emulator.faults = {};
  const resumed = await env.run();
  assert.equal(resumed.code, 0, resumed.stderr);
  await assertTree(env.dir, items);
}

Deno.test("429s, 5xx and broken connections on every endpoint are retried until the sync is whole; a token refresh that fails is tried again, and each wait is said with what failed", async () => {
  const items = generateLibrary({ count: 60, seed: 51, videoRatio: 0.2 });
  await using env = await authorisedAlone(items);
  const api = { "429": 0.05, "429-bare": 0.04, "500": 0.04, "503": 0.04, reset: 0.03 };
  env.emulator.faults = {
    seed: 7,
    retryAfterSec: 0.001,
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

  // Two items more, the access tokens expired again, and now only refreshes fail (503), most of them.
  const added = generateLibrary({ count: 2, seed: 55, videoRatio: 0 });
  for (const it of added) env.emulator.items.set(it.id, it);
  env.emulator.resetCounts();
  env.emulator.expireAccessTokens();
  env.emulator.faults = { seed: 4, retryAfterSec: 0.001, rates: { token: { "503": 0.6 } } };
  const refreshing = await env.run(["--all", "--verbose"]);
  assert.equal(refreshing.code, 0, refreshing.stderr);
  assert.ok(env.emulator.injected["token:503"] > 0, "a refresh was refused");
  assert.match(
    refreshing.stderr,
    /the token endpoint http:\/\/127\.0\.0\.1:\d+\/\S*: HTTP 503; trying again in 0\.0s \(try 2\)/,
    "the refused refresh is tried again, each wait said with what failed",
  );
  await assertTree(env.dir, [...items, ...added]);
});

Deno.test("Retry-After is honoured", async () => {
  const items = generateLibrary({ count: 4, seed: 52, videoRatio: 0 });
  await using env = await authorised(items);
  env.emulator.faults = { seed: 3, retryAfterSec: 1, rates: { media: { "429": 0.3 } } };
  const run = await env.run(["--all", "--concurrency=1", "--verbose"]);
  assert.equal(run.code, 0, run.stderr);
  // Each wait is said (with --verbose, as it is under 2 s), with what was answered.
  assert.match(run.stderr, /\b429\b.*; trying again in \d+\.\ds \(try \d\)/);
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

Deno.test("a full disk stops the run with one line, broken connections are retried; whole files are kept", async () => {
  const items = generateLibrary({ count: 20, seed: 58, minSize: 90_000, maxSize: 110_000, videoRatio: 0 });
  await using env = await authorised(items);
  const refreshToken = env.refreshToken();
  const full = join(env.root, "full");
  const after = join(env.root, "after");
  await Deno.mkdir(full);
  // Reading errors are the network's (retried), writing errors the file system's (the run stops).
  env.emulator.faults = { seed: 4, rates: { media: { reset: 0.25 } } };
  // A private mount namespace with a 1 MB tmpfs as --dir; its content is copied out before it goes.
  const script = 'mount -t tmpfs -o size=1m tmpfs "$1" && "${@:3}"; code=$?; cp -a "$1" "$2"; exit $code';
  const run = await env.cli([`--dir=${full}`, "--creds=clientsecret.json", "--all", "--concurrency=2"], {
    wrap: ["unshare", "-rm", "bash", "-c", script, "bash", full, after],
    env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken },
  });
  assertOneLineError(run, 1, /disk is full.*free some space and run photosync again/);
  assert.ok(env.emulator.injected["media:reset"] > 0, "connections broke before the disk filled");

  const files = await listFiles(after);
  assert.ok(files.length > 0 && files.length < items.length, `${files.length} files fit`);
  const byPath = new Map(items.map((it) => [expectedPath(it), it]));
  for (const file of files) await assertSameBytes(join(after, file), byPath.get(file)!, file);
  // Files marked downloaded are all there; a file whose mark did not fit on the disk is fetched again.
  const counts = await env.status(after);
  assert.ok(counts.downloaded <= files.length);
  assert.equal(counts.pending, items.length - counts.downloaded);

  // With room again, a plain run completes the rest.
  env.emulator.faults = {};
  const resumed = await env.cli([`--dir=${after}`, "--creds=clientsecret.json"], {
    env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken },
  });
  assert.equal(resumed.code, 0, resumed.stderr);
  await assertTree(after, items);
});

Deno.test("one retry layer per request; when Google keeps failing, one line says so and progress is saved", async () => {
  const items = generateLibrary({ count: 1, seed: 59 });
  let failBatchGet = false;
  // Every media URL is expired at once: each download attempt renews it with one batchGet.
  await using env = await TestEnv.start({
    items,
    baseUrlTtlMs: 0,
    onRequest: (request) => {
      // The download's own batchGets fail (after the one preparing it succeeded).
      if (failBatchGet && request.route === "batchGet") {
        env.emulator.faults = { retryAfterSec: 0.001, rates: { batchGet: { "503": 1 } } };
      }
    },
  });
  env.emulator.faults = { retryAfterSec: 0.001, rates: { search: { "503": 1 } } };
  // The folder's first run: it authorises (the harness plays the browser), then every search fails.
  const searching = await env.run(["--all"], { auth: "browser" });
  assertOneLineError(
    searching,
    1,
    /^error: Google kept failing \(mediaItems:search: HTTP 503 UNAVAILABLE: .*\); progress is saved/,
  );
  // Each search (the same request body) was tried 8 times at the most, and one of them 8 times.
  const attempts = new Map<string, number>();
  for (const request of env.emulator.requests.filter((request) => request.route === "search")) {
    const key = JSON.stringify(request.body);
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
  }
  assert.equal(Math.max(...attempts.values()), 8, "8 attempts for the search that gave up");

  env.emulator.faults = {};
  env.emulator.resetCounts();
  failBatchGet = true;
  const downloading = await env.run();
  assert.equal(downloading.code, 3, downloading.stderr);
  // 8 download attempts: the first finds its URL expired, each later one asks batchGet once.
  assert.deepEqual([env.emulator.counts.media, env.emulator.counts.batchGet], [1, 1 + 7]);
  assert.match((await env.status()).notes[0].note, /HTTP 503 .*gave up after retries/);
});

Deno.test("media sent gzip-encoded despite accept-encoding: identity are decoded; cut ones are not kept", async () => {
  const items = generateLibrary({ count: 10, seed: 60, videoRatio: 0.2 });
  await using env = await TestEnv.start({
    items,
    mediaEncoding: "gzip",
    faults: { seed: 2, rates: { media: { short: 0.3 } } },
  });
  const run = await env.run([], { auth: "browser" });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(env.emulator.injected["media:short"] > 0, "encoded bodies were cut short");
  await assertTree(env.dir, items);
});

Deno.test("a finished download is marked in sync.db while another one still runs", async () => {
  const items = [
    item("M1", "small.jpg", "2020-01-01T00:00:00Z", { size: 10_000 }),
    item("M2", "big.jpg", "2020-01-02T00:00:00Z", { size: 400_000 }),
  ];
  const stalled = Promise.withResolvers<void>();
  await using env = await TestEnv.start({
    items,
    onRequest: (request) => {
      if (request.fault === "stall") stalled.resolve();
      // After the first download, the next one stalls halfway (until the run is killed).
      if (request.route === "media") env.emulator.faults = { rates: { media: { stall: 1 } } };
    },
  });
  // The folder's first run: it authorises (the harness plays the browser), indexes, then downloads.
  const cli = env.spawn(["--concurrency=1"], { auth: "browser" });
  await answerAuth(cli, env.emulator, "browser");
  const ended = new AbortController();
  cli.child.status.then(() => ended.abort(new Error("the run ended first")));
  await cli.waitForLine((line) => line === "downloaded 2020/01/01/small.jpg");
  // big.jpg is downloading now, stalled halfway: it cannot finish while the run lives, and its first attempt
  // is its only one (a stall given up after the idle timeout would be retried, and stall again).
  await stalled.promise;
  await downloadedMark(join(env.dir, "sync.db"), "M1", ended.signal);
  assert.equal(env.emulator.injected["media:stall"], 1, "big.jpg's first attempt is still downloading");
  cli.child.kill("SIGKILL");
  await cli.result();
  assert.equal((await env.status()).downloaded, 1, "the mark survives a kill");
});

/** Resolves once item `id` is marked downloaded in the database `db`, woken by each change of its folder. */
async function downloadedMark(db: string, id: string, signal: AbortSignal): Promise<void> {
  using watcher = Deno.watchFs(dirname(db), { recursive: false });
  const stop = () => watcher.close();
  signal.addEventListener("abort", stop, { once: true });
  const marked = () => {
    using connection = new DatabaseSync(db, { readOnly: true });
    const row = connection.prepare("SELECT status FROM items WHERE id = ?").get(id) as { status: string };
    return row.status === "downloaded";
  };
  try {
    if (marked()) return;
    for await (const _ of watcher) if (marked()) return;
  } finally {
    signal.removeEventListener("abort", stop);
  }
  throw new Error(`${id} was not marked downloaded: ${signal.reason}`);
}

Deno.test("a search whose nextPageToken comes round again stops in one line (exit 1), the pages saved kept; a plain run completes", async () => {
  const items = generateLibrary({ count: 30, seed: 58, videoRatio: 0 });
  await using env = await authorised(items);
  // Every search page says its next one is "LOOP", which answers the first page again (up to 50 pages: a
  // run that kept asking would end, and fail the test, rather than hang it).
  let loops = 0;
  await using proxy = new RewritingProxy(env.emulator, {
    request: (_url, body) => {
      if (body?.pageToken === "LOOP") delete body.pageToken;
    },
    answer: (json, url) => {
      if (url.pathname === "/v1/mediaItems:search" && loops++ < 50) json.nextPageToken = "LOOP";
    },
  });
  const looped = await env.run(["--all", "--index-only"], { env: proxy.env });
  assertOneLineError(
    looped,
    1,
    /^error: searching the library, .+ first: Google gave a page token it had given before \(after 2 pages\), so its pages would repeat for ever; photosync stopped asking, and what was saved is kept: run photosync again later$/m,
  );
  // Each search asked for its looping page once: no more.
  assert.ok(env.emulator.counts.search <= 12, `${env.emulator.counts.search} searches`);
  assert.ok((await env.status()).items > 0, "the pages that came are saved");
  await assertResumes(env, items);
});
