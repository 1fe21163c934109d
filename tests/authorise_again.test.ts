/**
 * The advice to authorise again, through the CLI, for each scope (`sync`'s Library, `pick`'s Picker,
 * `takeout --drive`'s Drive) and each way its authorisation is missing or refused: none saved and nobody
 * to authorise here (no browser, no terminal), the saved refresh token refused (invalid_grant), the API
 * refusing the access token (401). The command each message names, run as printed in a shell (FILE being
 * the client secret file), authorises that scope for that folder: the run refused then works.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateLibrary } from "../testing/library_fixture.ts";
import { answerAuth, type CliOptions, CliProcess, type CliResult, TestEnv } from "../testing/harness.ts";
import { assertOneLineError } from "../testing/asserts.ts";

const ITEMS = generateLibrary({ count: 2, seed: 31, videoRatio: 0 });

/** A scope as a user meets it: the command whose runs use it. */
interface Scope {
  name: string;
  /** What prints its token, and the example workflow's secret for it. */
  token: string;
  secret: string;
  /** The command line of a run, into `dir`. */
  args(dir: string): string[];
  /** Environment of its runs. */
  env?(env: TestEnv): Record<string, string>;
  /** Whether a run of it (or of the command the advice names) asks the user to pick. */
  picks(command: string[]): boolean;
  /**
   * The API's routes (by prefix) that the command the advice names must not call: it authorises only (a first
   * `takeout --drive` would fetch every export on Drive before the user could run what failed again).
   */
  untouched?: string;
}

const SCOPES: Scope[] = [
  {
    name: "Library (sync)",
    token: "photosync token",
    secret: "PHOTOSYNC_REFRESH_TOKEN",
    args: (dir) => [`--dir=${dir}`],
    picks: () => false,
  },
  {
    name: "Picker (pick)",
    token: "photosync token --scope picker",
    secret: "PHOTOSYNC_REFRESH_TOKEN",
    args: (dir) => ["pick", `--dir=${dir}`],
    picks: (args) => args.includes("pick"),
  },
  {
    name: "Drive (takeout --drive)",
    token: "photosync token --scope drive",
    secret: "PHOTOSYNC_DRIVE_REFRESH_TOKEN",
    args: (dir) => ["takeout", "--drive", `--dir=${dir}`],
    env: (env) => ({ PHOTOSYNC_DRIVE_URL: env.emulator.driveUrl }),
    picks: () => false,
    untouched: "drive",
  },
];

/**
 * Runs `args`, or with `shell` that command line as a shell runs it (`photosync` being the CLI); plays the
 * browser when `consent`, and unless the run is to be `refused`, the user who picks when it asks to. Stdin
 * is no terminal and ends when the run is waited for: with no browser to open (no DISPLAY), nobody can
 * authorise unless `consent`.
 */
async function run(
  env: TestEnv,
  scope: Scope,
  args: string[],
  options: { shell?: string; consent?: boolean; refused?: boolean; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const cliOptions: CliOptions = {
    emulator: env.emulator,
    cwd: env.root,
    env: { ...scope.env?.(env), ...options.env },
    // `photosync` is the CLI's command line, passed after the script; the printed command is `$0`.
    wrap: options.shell === undefined
      ? undefined
      : ["bash", "-c", 'cli=("$@"); photosync() { "${cli[@]}" "$@"; }; eval "$0"', options.shell],
  };
  const before = env.emulator.requests.length;
  const cli = new CliProcess(options.shell === undefined ? args : [], cliOptions);
  if (options.consent) await answerAuth(cli, env.emulator, "browser");
  if (!options.refused && scope.picks(options.shell === undefined ? args : options.shell.split(" "))) {
    const uri = await cli.waitForLine((line) => line.startsWith(env.emulator.pickerUrl));
    await env.emulator.pick(uri, [ITEMS[0].id]);
  }
  const result = await cli.result();
  if (options.shell !== undefined && scope.untouched !== undefined) {
    const called = env.emulator.requests.slice(before).filter((r) => r.route.startsWith(scope.untouched!));
    assert.deepEqual(called.map((r) => r.url), [], `${options.shell} authorises only`);
  }
  return result;
}

/** The command a message names, with the client secret file for FILE, as the user would run it. */
function named(line: string, pattern: RegExp): string {
  const command = pattern.exec(line)?.[1];
  assert.ok(command, `no command in: ${line}`);
  assert.match(command, / --creds FILE$/);
  return command.replace(/ --creds FILE$/, " --creds clientsecret.json");
}

for (const scope of SCOPES) {
  Deno.test(`${scope.name}: each advice to authorise again, run as printed, authorises that scope for that folder`, async () => {
    // Access tokens made by a refresh are refused from when `refuseRefreshed` is set (a new authorisation's are not).
    let refuseRefreshed = false;
    await using env = await TestEnv.start({
      items: ITEMS,
      picker: { pollIntervalMs: 20, timeoutMs: 60_000 },
      onRequest: (request) => {
        const grant = (request.body as Record<string, string> | undefined)?.grant_type;
        if (refuseRefreshed && request.route === "token" && grant === "refresh_token") {
          env.emulator.expireAccessTokens();
        }
      },
    });
    // A folder a shell must be told quoted (a space, a quote), as every command printed names it.
    const dir = join(env.root, "Anna's photos");
    const args = scope.args(dir);

    // A CI job whose secret was never set: the command that prints this scope's token, and its secret.
    const unset = await run(env, scope, args, { refused: true, env: { PHOTOSYNC_REFRESH_TOKEN: "" } });
    assertOneLineError(
      unset,
      2,
      new RegExp(
        `^error: PHOTOSYNC_REFRESH_TOKEN is empty: set it \\(in CI, the repository secret ${scope.secret}\\) ` +
          `to what ${scope.token} --creds FILE prints on a computer with a browser`,
      ),
    );

    // None saved, and nobody here to authorise (cron): the command that authorises on a terminal and prints
    // the token for PHOTOSYNC_REFRESH_TOKEN.
    const nobody = await run(env, scope, args, { refused: true });
    const elsewhere = named(
      assertOneLineError(nobody, 4, /cannot authorise here/),
      /; on a terminal, run (photosync .+ --creds FILE) \(it authorises, then prints the token\) and set PHOTOSYNC_REFRESH_TOKEN to what it prints$/,
    );
    assert.ok(elsewhere.startsWith(`${scope.token} --dir `), elsewhere);
    const printed = await run(env, scope, args, { shell: elsewhere, consent: true });
    assert.equal(printed.code, 0, printed.stderr);
    const token = printed.stdout.trim();
    assert.ok(env.emulator.issuedTokens.includes(token), `a refresh token printed: ${printed.stdout}`);
    const unattended = await run(env, scope, args, { env: { PHOTOSYNC_REFRESH_TOKEN: token } });
    assert.equal(unattended.code, 0, unattended.stderr);

    // The saved refresh token refused (invalid_grant), then the access token refused (401): the command that
    // authorises this scope again for this folder.
    const refusals = [
      { why: "invalid_grant", refuse: () => env.emulator.revokeRefreshTokens(), message: /invalid_grant/ },
      { why: "401", refuse: () => refuseRefreshed = true, message: /refused access \(401 UNAUTHENTICATED:/ },
    ];
    for (const { why, refuse, message } of refusals) {
      refuse();
      env.emulator.expireAccessTokens();
      const refused = await run(env, scope, args, { refused: true });
      const again = named(
        assertOneLineError(refused, 4, message),
        /; run (photosync .+ --creds FILE) to authorise again$/,
      );
      const authorised = await run(env, scope, args, { shell: again, consent: true });
      assert.equal(authorised.code, 0, `${why}: ${again}\n${authorised.stderr}`);
      // Without a new consent: the authorisation saved for this folder.
      const consents = env.emulator.counts.auth;
      const rerun = await run(env, scope, args);
      assert.equal(rerun.code, 0, `${why}: ${rerun.stderr}`);
      assert.equal(env.emulator.counts.auth, consents);
    }
  });
}
