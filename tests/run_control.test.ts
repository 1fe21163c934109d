/**
 * Running photosync as cron jobs and scripts do: overlapping runs on one folder, unattended
 * runs after an interactive one, mistyped folders.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Emulator } from "../testing/emulator.ts";
import { generateLibrary } from "../testing/library_fixture.ts";
import { CliProcess, listFiles, runCli, workspace } from "../testing/harness.ts";

Deno.test("a second run on a folder in use says so in one line and harms nothing", async () => {
  const items = generateLibrary({ count: 12, seed: 41, minSize: 20_000, maxSize: 40_000 });
  await using emulator = await Emulator.start({ items });
  const root = await workspace(emulator);
  const dir = join(root, "photos");
  try {
    const first = await runCli([`--dir=${dir}`, "--no-browser", "--index-only"], emulator, {
      cwd: root,
      auth: "browser",
    });
    assert.equal(first.code, 0, first.stderr);
    // Downloads are slow now: the first run is still at work when the second starts.
    emulator.faults = { latencyMs: { media: 400 } };
    const running = new CliProcess([`--dir=${dir}`, "--concurrency=1"], emulator, { cwd: root });
    await running.waitForLine((line) => line.startsWith("downloaded "));
    const second = await runCli([`--dir=${dir}`], emulator, { cwd: root });
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^error: another photosync is using .*photos/);
    assert.equal(second.stderr.trim().split("\n").length, 1, second.stderr);
    emulator.faults = {};
    const done = await running.result();
    assert.equal(done.code, 0, done.stderr);
    assert.equal((await listFiles(dir)).length, items.length, "the first run finished every file");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("PHOTOSYNC_REFRESH_TOKEN alone uses the client saved by an earlier --creds run", async () => {
  const items = generateLibrary({ count: 3, seed: 42 });
  await using emulator = await Emulator.start({ items });
  const root = await workspace(emulator);
  const dir = join(root, "photos");
  try {
    const first = await runCli([`--dir=${dir}`, "--no-browser", "--index-only"], emulator, {
      cwd: root,
      auth: "browser",
    });
    assert.equal(first.code, 0, first.stderr);
    const refreshToken = emulator.issuedTokens.find((token) => token.startsWith("1//"))!;
    const unattended = await runCli([`--dir=${dir}`], emulator, {
      cwd: root,
      env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken },
    });
    assert.equal(unattended.code, 0, unattended.stderr);
    assert.equal((await listFiles(dir)).length, items.length);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("query with a mistyped --dir creates nothing and does not start authorisation", async () => {
  await using emulator = await Emulator.start({ items: generateLibrary({ count: 1, seed: 43 }) });
  const root = await workspace(emulator);
  try {
    const typo = join(root, "phtoos");
    const result = await runCli(["query", "SOME_ID", `--dir=${typo}`, "--no-browser"], emulator, {
      cwd: root,
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: --dir .*phtoos is not a folder/);
    assert.equal(emulator.counts.auth ?? 0, 0, "no authorisation was started");
    await assert.rejects(Deno.stat(typo), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
