/**
 * Security through the CLI: the loopback listener, links inside --dir, secrets in output,
 * and the permissions photosync runs with.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtureItem as item } from "../testing/library_fixture.ts";
import { listFiles, TestEnv } from "../testing/harness.ts";
import { assertNoSecrets } from "../testing/asserts.ts";
import { runFlags } from "../testing/run_flags.ts";
import { BROWSER_OPENERS } from "../lib/cli/browser.ts";
import { RewritingProxy } from "../testing/rewriting_proxy.ts";

Deno.test("the loopback listener ignores stray requests, takes one callback, then closes", async () => {
  await using env = await TestEnv.start({ items: [item("S1", "a.jpg", "2020-01-01T00:00:00Z")] });
  const cli = env.spawn(["--no-browser"]);
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
  await using env = await TestEnv.start({
    items: [
      item("L1", "through-dir-link.jpg", "2020-05-05T00:00:00Z"),
      item("L2", "file-link.jpg", "2021-06-06T00:00:00Z"),
    ],
  });
  // A folder of the workspace beside --dir (photos/), removed with it.
  const outside = join(env.root, "outside");
  await Deno.mkdir(outside);
  await Deno.mkdir(env.dir);
  await Deno.symlink(outside, join(env.dir, "2020"));
  await Deno.mkdir(join(env.dir, "2021/06/06"), { recursive: true });
  await Deno.writeTextFile(join(outside, "victim.txt"), "keep me");
  await Deno.symlink(join(outside, "victim.txt"), join(env.dir, "2021/06/06/file-link.jpg"));

  const run = await env.run([], { auth: "browser" });
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /2020 is a symbolic link/);
  assert.deepEqual(await listFiles(outside), ["victim.txt"], "nothing was written outside --dir");
  assert.equal(await Deno.readTextFile(join(outside, "victim.txt")), "keep me");
  // A link at the final path is not photosync's: it is kept as it is, and the photo takes the next name.
  const day = join(env.dir, "2021/06/06");
  assert.ok((await Deno.lstat(join(day, "file-link.jpg"))).isSymlink, "the user's link is kept");
  const photos = [];
  for await (const entry of Deno.readDir(day)) if (entry.name !== "file-link.jpg") photos.push(entry);
  assert.equal(photos.length, 1);
  assert.ok(photos[0].isFile && /^file-link.+\.jpg$/.test(photos[0].name), photos[0].name);

  const counts = await env.status();
  assert.deepEqual([counts.downloaded, counts.pending], [1, 1]);
  assert.match(counts.notes[0].note, /symbolic link/);
});

Deno.test("secrets never reach the output, even with --verbose and on errors", async () => {
  await using env = await TestEnv.start({ items: [item("T1", "a.jpg", "2020-01-01T00:00:00Z")] });
  const outputs = [await env.run(["--verbose"], { auth: "browser" })];
  env.emulator.expireAccessTokens();
  outputs.push(await env.run(["--verbose", "--all"]));
  env.emulator.expireAccessTokens();
  env.emulator.revokeRefreshTokens();
  outputs.push(await env.run(["--verbose"]));
  assert.deepEqual(outputs.map((o) => o.code), [0, 0, 4]);
  const secrets = [...env.emulator.issuedTokens, env.emulator.clientSecret];
  assert.ok(secrets.length >= 4);
  assertNoSecrets(outputs, secrets);
  assert.equal((await Deno.stat(join(env.dir, "sync.db"))).mode! & 0o777, 0o600);
});

Deno.test("the run task (which the tests run with) names every variable and program it allows; the network is open, for the reason ARCHITECTURE.md gives", async () => {
  const flags = runFlags();
  for (const flag of flags) {
    assert.ok(!["--allow-all", "-A", "--allow-env", "--allow-run", "--allow-ffi"].includes(flag), flag);
  }
  assert.deepEqual(
    flags.filter((flag) => flag.startsWith("--allow-run")),
    [`--allow-run=${BROWSER_OPENERS.linux!.command},${BROWSER_OPENERS.darwin!.command}`],
  );
  // takeout --from=URL reaches a WebDAV server on any host (a NAS, a Nextcloud, rclone), which no list
  // written in advance can name: the network is the one permission left open, and it says why.
  assert.deepEqual(flags.filter((flag) => flag.startsWith("--allow-net")), ["--allow-net"]);
  const permissions = /^## Permissions\n([^]*?)(?=^## |(?![^]))/m.exec(
    await Deno.readTextFile(new URL("../ARCHITECTURE.md", import.meta.url)),
  )?.[1];
  assert.match(permissions ?? "", /--allow-net[^]*--from/);
  const env = flags.find((flag) => flag.startsWith("--allow-env="))!.slice("--allow-env=".length).split(",");
  for (const name of ["PHOTOSYNC_REFRESH_TOKEN", "PHOTOSYNC_WEBDAV_USER", "PHOTOSYNC_WEBDAV_PASSWORD"]) {
    assert.ok(env.includes(name), name);
  }
});

Deno.test("Library downloads send no Authorization, wherever a baseUrl points", async () => {
  await using env = await TestEnv.start({ items: [item("S1", "a.jpg", "2020-01-01T00:00:00Z")] });
  const first = await env.run(["--index-only", "--dates=1900-01-01"], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  const reached: (string | null)[] = [];
  await using elsewhere = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    reached.push(request.headers.get("authorization"));
    return new Response("not here", { status: 404 });
  });
  const origin = env.emulator.origin;
  await using proxy = new RewritingProxy(env.emulator, {
    answer: (json) => {
      const items = [
        ...(json.mediaItems as { baseUrl: string }[] ?? []),
        ...(json.mediaItemResults as { mediaItem?: { baseUrl: string } }[] ?? []).flatMap((result) =>
          result.mediaItem ? [result.mediaItem] : []
        ),
      ];
      for (const mediaItem of items) {
        mediaItem.baseUrl = mediaItem.baseUrl.replace(origin, `http://127.0.0.1:${elsewhere.addr.port}`);
      }
    },
  });
  const run = await env.run(["--all"], { env: proxy.env });
  assert.notEqual(run.code, 0, run.stderr);
  assert.ok(reached.length > 0, "the download went to the other host");
  assert.deepEqual(reached.filter((authorization) => authorization !== null), []);
});
