/**
 * Security through the CLI: the loopback listener, links inside --dir, secrets in output,
 * and the permissions photosync runs with.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Emulator } from "../testing/emulator.ts";
import type { FixtureItem } from "../testing/library_fixture.ts";
import { CliProcess, listFiles, runCli, workspace } from "../testing/harness.ts";
import { runFlags } from "../scripts/run_flags.ts";

function item(id: string, filename: string, creationTime: string): FixtureItem {
  return { id, filename, mimeType: "image/jpeg", creationTime, width: 10, height: 10, size: 4000 };
}

async function setup(items: FixtureItem[]) {
  const emulator = await Emulator.start({ items });
  const root = await workspace(emulator);
  return {
    emulator,
    root,
    dir: join(root, "photos"),
    async [Symbol.asyncDispose]() {
      await emulator.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("the loopback listener ignores stray requests, takes one callback, then closes", async () => {
  await using env = await setup([item("S1", "a.jpg", "2020-01-01T00:00:00Z")]);
  const cli = new CliProcess([`--dir=${env.dir}`, "--no-browser"], env.emulator, { cwd: env.root });
  const authUrl = await cli.waitForLine((line) => line.startsWith(env.emulator.authUri));
  const redirect = new URL(await env.emulator.consent(authUrl));
  assert.equal(redirect.hostname, "127.0.0.1");
  const stray = await fetch(new URL("/favicon.ico", redirect));
  await stray.body?.cancel();
  assert.equal(stray.status, 404, "a stray request does not end the flow");
  const callback = await fetch(redirect);
  assert.match(await callback.text(), /authorised/);
  await cli.waitForLine((line) => line.startsWith("done in"));
  await assert.rejects(fetch(redirect), "the listener is closed after the callback");
  assert.equal((await cli.result()).code, 0);
});

Deno.test("links inside --dir are never written through", async () => {
  const outside = await Deno.makeTempDir({ prefix: "photosync-outside-" });
  await using env = await setup([
    item("L1", "through-dir-link.jpg", "2020-05-05T00:00:00Z"),
    item("L2", "file-link.jpg", "2021-06-06T00:00:00Z"),
  ]);
  try {
    await Deno.mkdir(env.dir);
    await Deno.symlink(outside, join(env.dir, "2020"));
    await Deno.mkdir(join(env.dir, "2021/06/06"), { recursive: true });
    await Deno.writeTextFile(join(outside, "victim.txt"), "keep me");
    await Deno.symlink(join(outside, "victim.txt"), join(env.dir, "2021/06/06/file-link.jpg"));

    const run = await runCli([`--dir=${env.dir}`, "--no-browser"], env.emulator, {
      cwd: env.root,
      auth: "browser",
    });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /2020 is a symbolic link/);
    assert.deepEqual(await listFiles(outside), ["victim.txt"], "nothing was written outside --dir");
    assert.equal(await Deno.readTextFile(join(outside, "victim.txt")), "keep me");
    const replaced = await Deno.lstat(join(env.dir, "2021/06/06/file-link.jpg"));
    assert.ok(replaced.isFile && !replaced.isSymlink, "a link at the final path is replaced, not followed");

    const status = await runCli(["status", `--dir=${env.dir}`, "--json"], env.emulator, { cwd: env.root });
    const counts = JSON.parse(status.stdout);
    assert.deepEqual([counts.downloaded, counts.pending], [1, 1]);
    assert.match(counts.notes[0].note, /symbolic link/);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("secrets never reach the output, even with --verbose and on errors", async () => {
  await using env = await setup([item("T1", "a.jpg", "2020-01-01T00:00:00Z")]);
  const outputs = [
    await runCli([`--dir=${env.dir}`, "--no-browser", "--verbose"], env.emulator, {
      cwd: env.root,
      auth: "browser",
    }),
  ];
  env.emulator.expireAccessTokens();
  outputs.push(await runCli([`--dir=${env.dir}`, "--verbose", "--all"], env.emulator, { cwd: env.root }));
  env.emulator.expireAccessTokens();
  env.emulator.revokeRefreshTokens();
  outputs.push(await runCli([`--dir=${env.dir}`, "--verbose"], env.emulator, { cwd: env.root }));
  assert.deepEqual(outputs.map((o) => o.code), [0, 0, 4]);
  const secrets = [...env.emulator.issuedTokens, env.emulator.clientSecret];
  assert.ok(secrets.length >= 4);
  for (const output of outputs) {
    for (const secret of secrets) {
      assert.ok(!(output.stdout + output.stderr).includes(secret), "a secret leaked");
    }
  }
  assert.equal((await Deno.stat(join(env.dir, "sync.db"))).mode! & 0o777, 0o600);
});

Deno.test("the run task carries exactly the permissions the tests use; other hosts are refused", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(
    denoJson.tasks.photosync,
    `deno run --quiet ${runFlags(["linux", "darwin"]).join(" ")} main.ts`,
  );
  for (const flag of runFlags()) {
    assert.ok(flag !== "--allow-net" && flag !== "--allow-env" && flag !== "--allow-run");
  }

  await using env = await setup([]);
  const first = await runCli([`--dir=${env.dir}`, "--no-browser"], env.emulator, {
    cwd: env.root,
    auth: "browser",
  });
  assert.equal(first.code, 0, first.stderr);
  const refused = await runCli([`--dir=${env.dir}`], env.emulator, {
    cwd: env.root,
    env: { PHOTOSYNC_API_URL: "http://photos.example.test" },
  });
  assert.equal(refused.code, 2, refused.stderr);
  const errors = refused.stderr.split("\n").filter((line) => line.startsWith("error: "));
  assert.equal(errors.length, 1, refused.stderr);
  assert.match(errors[0], /may not connect/);
});
