/**
 * Authorisation through the CLI: loopback and pasted redirects, refusals, token refresh,
 * re-authorisation and unattended refresh tokens.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { EmulatorOptions } from "../testing/emulator.ts";
import { LIBRARY_SCOPE } from "../testing/emulator/oauth.ts";
import { copyBackup } from "../testing/takeout/backup_state.ts";
import { generateLibrary } from "../testing/library_fixture.ts";
import { listFiles, TestEnv } from "../testing/harness.ts";
import { assertNoSecrets, assertOneLineError } from "../testing/asserts.ts";

/** An emulator with a library of five items, and its workspace. */
function setup(options: EmulatorOptions = {}): Promise<TestEnv> {
  return TestEnv.start({ items: generateLibrary({ count: 5, seed: 9 }), ...options });
}

Deno.test("the authorisation URL asks for the app-created-data scope with PKCE S256, offline access; the redirect URL can be pasted on stdin instead of reaching the loopback listener", async () => {
  await using env = await setup();
  const result = await env.run([], { auth: "paste" });
  assert.equal(result.code, 0, result.stderr);
  assert.equal((await listFiles(env.dir)).length, 5, "authorised by the pasted URL, the run downloaded all");
  assert.match(result.stderr, /paste here/);
  // The address the run printed (the one the harness opened and pasted back from).
  const line = result.stderr.split("\n").find((l) => l.startsWith(env.emulator.authUri))!;
  const params = new URL(line).searchParams;
  assert.equal(params.get("scope"), "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata");
  assert.equal(params.get("code_challenge_method"), "S256");
  assert.equal(params.get("access_type"), "offline");
  assert.match(params.get("redirect_uri")!, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(params.get("state")!.length >= 16);
});

Deno.test("access denied in the browser ends with one line and exit 4", async () => {
  await using env = await setup();
  const result = await env.run([], { auth: "deny" });
  assertOneLineError(result, 4, /denied/);
});

Deno.test("a redirect whose state does not match is refused", async () => {
  await using env = await setup();
  const cli = env.spawn(["--no-browser"]);
  const authUrl = await cli.waitForLine((line) => line.startsWith(env.emulator.authUri));
  const redirect = new URL(await env.emulator.consent(authUrl));
  redirect.searchParams.set("state", "forged");
  await (await fetch(redirect)).body?.cancel();
  const result = await cli.result();
  assertOneLineError(result, 4, /state/);
  assert.equal(env.emulator.counts.token, 0, "the code was not exchanged");
});

Deno.test("a code Google refuses at the exchange (invalid_grant) is one line to retry, not a saved authorisation refused", async () => {
  await using env = await setup();
  const cli = env.spawn(["--no-browser"]);
  const authUrl = await cli.waitForLine((line) => line.startsWith(env.emulator.authUri));
  const redirect = new URL(await env.emulator.consent(authUrl));
  redirect.searchParams.set("code", "4/0Aexpired");
  await (await fetch(redirect)).body?.cancel();
  assertOneLineError(
    await cli.result(),
    4,
    /^error: authorisation failed: Google refused the code it sent back \(invalid_grant: it expired or was used already\); run photosync again to retry$/,
  );
  const again = await env.run([], { auth: "browser" });
  assert.equal(again.code, 0, again.stderr);
});

Deno.test("tokens are saved, refreshed before expiry, refreshed once on a 401, never printed", async () => {
  await using env = await setup({ accessTokenTtlSec: 30 });
  const first = await env.run(["--verbose"], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  env.emulator.resetCounts();
  // 30 s tokens are within the 60 s margin: the next run refreshes before its first call.
  const second = await env.run(["--verbose"]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(env.emulator.counts.auth, 0, "no new consent");
  assert.equal(env.emulator.counts.token, 1);
  assert.ok(env.emulator.requests.every((r) => r.status !== 401));

  await using longLived = await setup();
  assert.equal((await longLived.run([], { auth: "browser" })).code, 0);
  longLived.emulator.expireAccessTokens();
  longLived.emulator.resetCounts();
  const afterExpiry = await longLived.run(["--all", "--verbose"]);
  assert.equal(afterExpiry.code, 0, afterExpiry.stderr);
  // The whole library is searched from both ends at once: each of the two first searches gets a
  // 401, and they share one refresh.
  assert.equal(longLived.emulator.requests.filter((r) => r.status === 401).length, 2);
  assert.equal(longLived.emulator.counts.token, 1);

  assertNoSecrets([first, second, afterExpiry], [
    ...env.emulator.issuedTokens,
    ...longLived.emulator.issuedTokens,
  ]);
});

Deno.test("invalid_grant asks to authorise again with --creds, which works; a rotated client secret (invalid_client) says what to give instead, exit 4; the current file with --creds works", async () => {
  await using env = await setup();
  assert.equal((await env.run([], { auth: "browser" })).code, 0);
  env.emulator.revokeRefreshTokens();
  env.emulator.expireAccessTokens();
  const refused = await env.run();
  assertOneLineError(refused, 4, /invalid_grant.*--creds/);
  const reauthorised = await env.run(["--creds=clientsecret.json", "--all"], { auth: "browser" });
  assert.equal(reauthorised.code, 0, reauthorised.stderr);

  // Authorised (again), the client's secret is rotated in the Google Cloud console.
  const refreshToken = env.emulator.issuedTokens.filter((token) => token.startsWith("1//")).at(-1)!;
  const old = join(env.root, "old.json");
  await Deno.copyFile(join(env.root, "clientsecret.json"), old);
  env.emulator.rotateClientSecret();
  env.emulator.expireAccessTokens();

  const saved = await env.run();
  assertOneLineError(
    saved,
    4,
    new RegExp(
      "^error: Google refused the OAuth client saved in sync\\.db \\(invalid_client: .*rotated.*\\): " +
        `run photosync --dir ${env.dir} --creds FILE with FILE the current client secret file`,
    ),
  );
  // Unattended, the saved client: set the environment's client (it comes first); a --creds file: give the current one.
  const unattended = await env.run([], { env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken } });
  assertOneLineError(
    unattended,
    4,
    /^error: Google refused the OAuth client saved in sync\.db \(invalid_client.*\): set PHOTOSYNC_CLIENT_ID and PHOTOSYNC_CLIENT_SECRET .*, or pass that file with --creds=FILE$/,
  );
  const file = await env.run([`--creds=${old}`], { env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken } });
  assertOneLineError(
    file,
    4,
    new RegExp(
      `^error: Google refused the OAuth client of ${old} \\(invalid_client.*\\): pass the current client secret file .*with --creds=FILE$`,
    ),
  );
  assertNoSecrets([saved, unattended, file], [refreshToken, env.emulator.clientSecret]);

  await Deno.writeTextFile(
    join(env.root, "clientsecret.json"),
    JSON.stringify(env.emulator.clientSecretJson()),
  );
  const again = await env.run(["--creds=clientsecret.json"], { auth: "browser" });
  assert.equal(again.code, 0, again.stderr);
  // A stale file given to authorise with is refused at the code's exchange the same way.
  const stale = await env.run([`--creds=${old}`], { auth: "browser" });
  assertOneLineError(
    stale,
    4,
    /^error: Google refused the OAuth client \(invalid_client.*\): pass the current client secret file/,
  );
});

Deno.test("PHOTOSYNC_REFRESH_TOKEN runs unattended with a --creds client, a web-shaped one too", async () => {
  await using env = await setup();
  // Authorised once elsewhere (the token photosync token prints): as the consent and the code exchange give it.
  const { refreshToken } = env.emulator.grant(LIBRARY_SCOPE);
  await Deno.writeTextFile(join(env.root, "web.json"), JSON.stringify(env.emulator.clientSecretJson("web")));
  const ci = await env.cli([`--dir=${join(env.root, "ci")}`, `--creds=${join(env.root, "web.json")}`], {
    env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken },
  });
  assert.equal(ci.code, 0, ci.stderr);
  assert.equal((await listFiles(join(env.root, "ci"))).length, 5);
  assert.doesNotMatch(ci.stderr, /open this URL/);
  assertNoSecrets([ci], [refreshToken]);

  // A refusal before any work: in this process.
  const noClient = await env.cli([`--dir=${join(env.root, "ci2")}`], {
    env: { PHOTOSYNC_REFRESH_TOKEN: refreshToken },
    inProcess: true,
  });
  assertOneLineError(noClient, 2, /PHOTOSYNC_CLIENT_ID/);
});

Deno.test("unattended: an unset secret is named in one line; a refused PHOTOSYNC_REFRESH_TOKEN asks for a new one", async () => {
  await using env = await setup();
  // Authorised once elsewhere (the token photosync token prints): as the consent and the code exchange give it.
  const { refreshToken } = env.emulator.grant(LIBRARY_SCOPE);
  const client = {
    PHOTOSYNC_CLIENT_ID: env.emulator.clientId,
    PHOTOSYNC_CLIENT_SECRET: env.emulator.clientSecret,
  };
  // A CI job's secrets that were never set arrive as empty variables.
  const ci = (vars: Record<string, string>) =>
    env.cli([`--dir=${join(env.root, "ci")}`, `--creds=${join(env.root, "clientsecret.json")}`], {
      env: vars,
    });
  // The unset secrets are refused before any work: in this process; the refused token, by a child.
  const noToken = await env.cli([`--dir=${join(env.root, "ci")}`], {
    env: { ...client, PHOTOSYNC_REFRESH_TOKEN: "" },
    inProcess: true,
  });
  assertOneLineError(
    noToken,
    2,
    /^error: PHOTOSYNC_REFRESH_TOKEN is empty: set it \(in CI, the repository secret PHOTOSYNC_REFRESH_TOKEN\) to what photosync token/,
  );
  assert.doesNotMatch(noToken.stderr, /clientsecret\.json/);
  const noSecret = await env.cli([`--dir=${join(env.root, "ci")}`], {
    env: {
      PHOTOSYNC_REFRESH_TOKEN: refreshToken,
      PHOTOSYNC_CLIENT_ID: env.emulator.clientId,
      PHOTOSYNC_CLIENT_SECRET: "",
    },
    inProcess: true,
  });
  assertOneLineError(
    noSecret,
    2,
    /set PHOTOSYNC_CLIENT_SECRET \(in CI, the repository secret\) to the "client_secret"/,
  );
  assertNoSecrets([noToken, noSecret], [refreshToken]);

  env.emulator.revokeRefreshTokens();
  const refused = await ci({ PHOTOSYNC_REFRESH_TOKEN: refreshToken });
  assertOneLineError(
    refused,
    4,
    /^error: Google refused PHOTOSYNC_REFRESH_TOKEN \(invalid_grant.*on the computer you authorised on, run photosync token --creds FILE again with the --dir you authorised in .*the secret PHOTOSYNC_REFRESH_TOKEN$/,
  );
  assert.doesNotMatch(refused.stderr, /saved authorisation|DIR/);
});

Deno.test("many concurrent searches refused with 401 cause exactly one token refresh", async () => {
  let expireAtSearch = 0;
  await using env = await setup({
    items: generateLibrary({ count: 2000, seed: 10, videoRatio: 0 }),
    onRequest: (request) => {
      // The first two searches (the library's two ends) plan the shards: these go out together
      // with the old token.
      if (expireAtSearch > 0 && request.route === "search" && --expireAtSearch === 0) {
        env.emulator.expireAccessTokens();
      }
    },
  });
  const first = await env.run(["--index-only", "--dates=1900-01-01"], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  env.emulator.resetCounts();
  expireAtSearch = 2;
  const run = await env.run(["--index-only", "--all"]);
  assert.equal(run.code, 0, run.stderr);
  const refused = env.emulator.requests.filter((request) => request.status === 401);
  assert.ok(refused.length > 1, `the searches in flight were refused together (${refused.length})`);
  assert.ok(refused.every((request) => request.route === "search"));
  assert.equal(env.emulator.counts.token, 1, "one refresh");
  assert.equal((await env.status()).items, 2000);
});

Deno.test({
  name: "--query honours --no-browser: the browser opener runs only without it",
  // A private mount namespace puts a fake browser opener at /usr/bin/xdg-open: Linux, Deno not in /usr/bin.
  ignore: Deno.build.os !== "linux" || Deno.execPath().startsWith("/usr/bin/"),
  fn: async () => {
    await using env = await setup();
    const [{ id }] = env.emulator.items.values().toArray();
    const bin = join(env.root, "bin");
    const opened = join(env.root, "opened.txt");
    await Deno.mkdir(bin);
    await Deno.copyFile("/usr/bin/bash", join(bin, "bash"));
    await Deno.chmod(join(bin, "bash"), 0o755);
    await Deno.writeTextFile(join(bin, "xdg-open"), `#!/usr/bin/bash\nprintf '%s\\n' "$1" >> '${opened}'\n`, {
      mode: 0o755,
    });
    const wrap = [
      "unshare",
      "-rm",
      "bash",
      "-c",
      'mount --bind "$1" /usr/bin && shift && exec "$@"',
      "bash",
      bin,
    ];
    // query reads an existing backup: a first sync makes it (its browser played by the harness only), and each
    // folder below is a copy of it.
    const first = await env.cli([`--dir=${join(env.root, "first")}`, "--index-only", "--dates=1900-01-01"], {
      auth: "browser",
    });
    assert.equal(first.code, 0, first.stderr);
    for (const [folder, flags] of [["browser", []], ["no-browser", ["--no-browser"]]] as const) {
      await copyBackup(join(env.root, "first"), join(env.root, folder));
      // --creds authorises again.
      const args = [
        `--dir=${join(env.root, folder)}`,
        "--creds=clientsecret.json",
        `--query=${id}`,
        ...flags,
      ];
      const result = await env.cli(args, { wrap, env: { DISPLAY: ":0" }, auth: "browser" });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).id, id);
    }
    const urls = (await Deno.readTextFile(opened)).trim().split("\n");
    assert.equal(urls.length, 1, "the browser was opened once, for the run without --no-browser");
    assert.ok(urls[0].startsWith(env.emulator.authUri), urls[0]);
  },
});

Deno.test({
  name:
    "a browser opener that fails (DISPLAY set, no browser) or is missing is no browser: no terminal, exit 4 at once",
  // A private mount namespace puts the opener at /usr/bin/xdg-open: Linux, Deno not in /usr/bin.
  ignore: Deno.build.os !== "linux" || Deno.execPath().startsWith("/usr/bin/"),
  fn: async () => {
    await using env = await setup();
    const mounted = async (name: string, opener?: string) => {
      const bin = join(env.root, name);
      await Deno.mkdir(bin);
      await Deno.copyFile("/usr/bin/bash", join(bin, "bash"));
      await Deno.chmod(join(bin, "bash"), 0o755);
      if (opener) await Deno.writeTextFile(join(bin, "xdg-open"), opener, { mode: 0o755 });
      return [
        "unshare",
        "-rm",
        "bash",
        "-c",
        'mount --bind "$1" /usr/bin && shift && exec "$@"',
        "bash",
        bin,
      ];
    };
    // xdg-open's answer when DISPLAY is set but no browser can be started (exit 3: a tool it needs is missing).
    const opened = join(env.root, "opened.txt");
    const failing = await mounted("failing", `#!/usr/bin/bash\nprintf '%s\\n' "$1" >> '${opened}'\nexit 3\n`);
    const missing = await mounted("missing");
    for (const wrap of [failing, missing]) {
      const dir = join(env.root, `photos ${wrap === failing ? "failing" : "missing"}`);
      // stdin ends at once and is no terminal; the harness answers nothing.
      const result = await env.cli([`--dir=${dir}`, "--creds=clientsecret.json"], {
        wrap,
        env: { DISPLAY: ":0" },
      });
      assertOneLineError(
        result,
        4,
        new RegExp(
          "^error: cannot authorise here: no browser to open and no terminal to paste the address on; " +
            `on a terminal, run photosync token --dir '${dir}' --creds FILE `,
        ),
      );
    }
    assert.equal((await Deno.readTextFile(opened)).trim().split("\n").length, 1, "the opener was run");
    assert.equal(env.emulator.counts.token, 0, "no code was exchanged");
  },
});
