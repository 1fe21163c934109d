/**
 * `kill -9` at random moments (while indexing, mid-download, during database writes), then a
 * plain re-run: the same tree as an uninterrupted run, never a truncated file at a final
 * path, no temporary files, a sound database.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type FixtureItem, generateLibrary, mulberry32 } from "../testing/library_fixture.ts";
import { type CliOptions, type CliProcess, type CliResult, listFiles, TestEnv } from "../testing/harness.ts";
import type { LoggedRequest } from "../testing/emulator.ts";
import { assertSameBytes } from "../testing/asserts.ts";

/** Runs to kill; `PHOTOSYNC_TEST_KILLS` raises it for a soak run. */
const KILLS = Number(Deno.env.get("PHOTOSYNC_TEST_KILLS") ?? 12);
/** Runs in one series at the most: a series that never ends fails instead of hanging. */
const MAX_RUNS_PER_SERIES = 200;

/**
 * An emulator with `items` whose {@linkcode killedRun}s are killed (SIGKILL) as the k-th request that
 * `counts` is answered. Requests are events: killing as one is answered lands anywhere in the
 * pipeline, and the run is still waiting for that answer, so it cannot have finished.
 */
async function killingEnv(items: FixtureItem[], counts: (request: LoggedRequest) => boolean = () => true) {
  let victim: CliProcess | undefined;
  let [killAt, served, killed] = [0, 0, false];
  const env = await TestEnv.start({
    items,
    onRequest: (request) => {
      if (victim && counts(request) && ++served === killAt) {
        victim.child.kill("SIGKILL");
        killed = true;
      }
    },
  });
  /** A sync with `args`, killed as the `at`-th counted request is answered (if it gets that far). */
  const killedRun = async (args: string[], at: number, options?: CliOptions) => {
    [killAt, served, killed] = [at, 0, false];
    victim = env.spawn(args, options);
    const result: CliResult & { killed?: boolean } = await victim.result();
    victim = undefined;
    return Object.assign(result, { killed });
  };
  return Object.assign(env, { killedRun });
}

Deno.test(`${KILLS} random kill -9s: each series of interrupted runs ends with an uninterrupted run's tree`, async () => {
  const items = generateLibrary({ count: 150, seed: 77, minSize: 30_000, maxSize: 300_000, videoRatio: 0.2 });
  const next = mulberry32(2026); // Reproducible kill points.
  await using env = await killingEnv(items);
  const reference = join(env.root, "reference");
  const clean = await env.cli([`--dir=${reference}`, "--no-browser"], { auth: "browser" });
  assert.equal(clean.code, 0, clean.stderr);
  const expected = await listFiles(reference);
  assert.equal(expected.length, items.length);
  const cliEnv = { PHOTOSYNC_REFRESH_TOKEN: env.refreshToken() };
  const byId = new Map(items.map((it) => [it.id, it]));
  let kills = 0;
  while (kills < KILLS) {
    // A series: from an empty folder, runs killed at random points until one is not killed (or
    // enough were), which must then end with an uninterrupted run's tree.
    await Deno.remove(env.dir, { recursive: true }).catch(() => {});
    for (let runs = 1;; runs++) {
      assert.ok(runs <= MAX_RUNS_PER_SERIES, `a series ends within ${MAX_RUNS_PER_SERIES} runs`);
      // Once enough runs were killed, the series ends with a plain run (0: no kill).
      const killAt = kills < KILLS ? 1 + Math.floor(next() * 60) : 0;
      const args = ["--creds=clientsecret.json", "--concurrency=4"];
      const { code, stderr, killed } = await env.killedRun(args, killAt, { env: cliEnv });
      if (!killed) {
        assert.equal(code, 0, `the series ends with a run that exits 0\n${stderr}`);
        break;
      }
      assert.notEqual(code, 0, `a killed run does not exit 0\n${stderr}`);
      assert.doesNotMatch(stderr, /^done in /m, "the kill came before the run finished");
      kills++;
      await assertConsistent(env.dir, byId);
    }
    const files = await listFiles(env.dir);
    assert.deepEqual(files, expected, "the same tree as an uninterrupted run");
    for (const file of files) {
      await assertSameBytes(join(env.dir, file), await Deno.readFile(join(reference, file)));
    }
  }
});

/** After a kill: every file at a final path is complete; the database passes its integrity check. */
async function assertConsistent(dir: string, items: Map<string, FixtureItem>) {
  using db = new DatabaseSync(join(dir, "sync.db"));
  assert.equal(
    (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check,
    "ok",
  );
  const rows = db.prepare("SELECT id, path, status FROM items WHERE path IS NOT NULL").all() as {
    id: string;
    path: string;
    status: string;
  }[];
  for (const row of rows) {
    const bytes = await Deno.readFile(join(dir, row.path)).catch(() => undefined);
    if (row.status === "downloaded") assert.ok(bytes, `${row.path} is marked downloaded but missing`);
    if (bytes) await assertSameBytes(bytes, items.get(row.id)!, `${row.path} is not whole`);
  }
}

Deno.test("kill -9 while indexing a skewed library, again and again: the index ends whole, nothing left open", async () => {
  // Bursts, growth and a few old scans: shards, shards paged from both ends, tail splits.
  const items = [
    ...generateLibrary({ count: 2_000, seed: 78, from: "2012-01-01", to: "2024-12-31", spread: "skewed" }),
    ...generateLibrary({ count: 20, seed: 79, from: "1960-01-01", to: "1999-12-31" }),
  ];
  const next = mulberry32(2027);
  await using env = await killingEnv(items, (request) => request.route === "search");
  const first = await env.run(["--index-only", "--dates=1900-01-01"], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  const cliEnv = { PHOTOSYNC_REFRESH_TOKEN: env.refreshToken() };
  for (let series = 0; series < 2; series++) {
    for (const file of ["sync.db", "sync.db-wal", "sync.db-shm"]) {
      await Deno.remove(join(env.dir, file)).catch(() => {});
    }
    let kills = 0;
    for (let runs = 1;; runs++) {
      assert.ok(runs <= MAX_RUNS_PER_SERIES, `a series ends within ${MAX_RUNS_PER_SERIES} runs`);
      // Early kills while there is much to index, then later ones: the series ends.
      const killAt = 1 + Math.floor(next() * (10 + 5 * runs));
      const args = ["--index-only", "--creds=clientsecret.json"];
      const { code, stderr, killed } = await env.killedRun(args, killAt, { env: cliEnv });
      if (!killed) {
        assert.equal(code, 0, stderr);
        break;
      }
      kills++;
    }
    assert.ok(kills > 0, "killed at least once");
    using db = new DatabaseSync(join(env.dir, "sync.db"), { readOnly: true });
    const ids = (db.prepare("SELECT id FROM items").all() as { id: string }[]).map((row) => row.id);
    assert.deepEqual(new Set(ids), new Set(items.map((it) => it.id)), "every item, once");
    assert.equal(ids.length, items.length);
    // The Library source's resume points (each source's last run is kept beside them).
    assert.deepEqual(
      db.prepare("SELECT key FROM checkpoints WHERE source = 'library'").all(),
      [],
      "no search left open",
    );
  }
});
