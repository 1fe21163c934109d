/**
 * End-to-end: the command line as a new user meets it, the CLI run as a child process against the
 * emulator: help, version and mistyped commands; read-only commands on a folder that holds no backup;
 * `~` and `deno task`'s working folder in path flags; an authorisation nobody can answer; the tokens
 * `photosync token` prints.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateLibrary } from "../testing/library_fixture.ts";
import {
  answerAuth,
  cliCommand,
  type CliOptions,
  CliProcess,
  type CliResult,
  listFiles,
  TestEnv,
} from "../testing/harness.ts";
import { assertItemFiles, assertOneLineError } from "../testing/asserts.ts";

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const ITEMS = generateLibrary({ count: 3, seed: 240 });

/** The run printed `stdout` and nothing on stderr, exit 0. */
function assertPrinted(result: CliResult, stdout: string | RegExp): void {
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  if (typeof stdout === "string") assert.equal(result.stdout, stdout);
  else assert.match(result.stdout, stdout);
}

/** Every entry under `dir` (files and folders, relative), sorted. */
async function entries(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    found.push(path);
    if (entry.isDirectory) found.push(...await entries(dir, path));
  }
  return found.sort();
}

/** Deno's cache: a child whose HOME is a test folder finds the modules where they are. */
async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

Deno.test("help lists the commands; help COMMAND is COMMAND --help; version and --version on every command", async () => {
  await using env = await TestEnv.start();
  const help = await env.cli(["help"]);
  assertPrinted(help, /^photosync 0\.1\.0: back up Google Photos/);
  for (const command of ["sync", "takeout", "pick", "status", "query", "token", "help", "version"]) {
    assert.match(help.stdout, new RegExp(`^(?:Usage:|\\s+) photosync \\[?${command}\\b`, "m"), command);
  }
  const topLevel = await env.cli(["--help"]);
  assertPrinted(topLevel, /^photosync 0\.1\.0: back up Google Photos.*\n\nUsage: photosync \[sync\]/);
  assert.ok(
    topLevel.stdout.startsWith(help.stdout.split("\n\nRun photosync help")[0]),
    "--help lists the commands",
  );
  // Every command's help and --version: in process, in lib/cli/readme_flags_test.ts. Here `help`, `--help` and
  // `version` end to end (children, above and below), and a command's help both ways and --version, which only
  // print, in this process.
  const [viaHelp, viaFlag] = await Promise.all([
    env.cli(["help", "takeout"], { inProcess: true }),
    env.cli(["takeout", "--help"], { inProcess: true }),
  ]);
  assertPrinted(viaFlag, /--dir DIR/);
  assert.deepEqual(viaHelp, viaFlag);
  const versions = await Promise.all([
    env.cli(["version"]),
    env.cli(["--version"], { inProcess: true }),
    env.cli(["status", "--version"], { inProcess: true }),
  ]);
  for (const version of versions) assertPrinted(version, "photosync 0.1.0\n");
  assert.deepEqual(env.emulator.requests, []);
  assert.deepEqual(await entries(env.root), ["clientsecret.json"], "help and version create nothing");
});

Deno.test("a mistyped command is bad input, with a suggestion only when one is close; --quiet with --verbose too", async () => {
  await using env = await TestEnv.start();
  const cases: [string[], RegExp][] = [
    [["stauts"], /^error: unknown command "stauts"; did you mean `status`\?$/],
    [["takout", "--dir=x"], /^error: unknown command "takout"; did you mean `takeout`\?$/],
    [["Sync"], /^error: unknown command "Sync"; did you mean `sync`\?$/],
    [["photos"], /^error: unknown command "photos"; see photosync help for the commands$/],
    [["help", "stauts"], /^error: unknown command "stauts"; did you mean `status`\?$/],
    [["--quiet", "--verbose"], /^error: --quiet and --verbose cannot be combined: choose one$/],
    [["status", "--verbose", "--quiet"], /^error: --quiet and --verbose cannot be combined: choose one$/],
  ];
  const results = await Promise.all(cases.map(([args]) => env.cli(args, { inProcess: true })));
  cases.forEach(([args, message], i) => {
    assertOneLineError(results[i], 2, message, { alone: true });
    assert.equal(results[i].stdout, "", args.join(" "));
  });
  assert.deepEqual(env.emulator.requests, []);
  assert.deepEqual(await entries(env.root), ["clientsecret.json"], "nothing is created");
});

Deno.test("read-only commands on a folder without sync.db: one line, exit 2, no authorisation, nothing created", async () => {
  await using env = await TestEnv.start({ items: ITEMS });
  const empty = join(env.root, "empty");
  await Deno.mkdir(empty);
  await Deno.copyFile(join(env.root, "clientsecret.json"), join(empty, "clientsecret.json"));
  const commands = [
    ["status"],
    ["status", "--json"],
    ["query", "ID1"],
    ["query", "ID1", "--creds=clientsecret.json"],
    ["--query=ID1"],
    ["token"],
    ["token", "--scope=picker"],
  ];
  for (
    const [where, dirFlags] of [[empty, []], [env.root, [
      `--dir=${join(env.root, "missing", "photos")}`,
    ]]] as const
  ) {
    // Without --dir, children: the default folder is where photosync was started (the message says `.`).
    // With an absolute --dir the refusal is the same in-process, where it costs no process start.
    const inProcess = dirFlags.length > 0;
    const results = await Promise.all(
      commands.map((args) => env.cli([...args, ...dirFlags], { cwd: where, inProcess })),
    );
    const dir = dirFlags.length > 0 ? join(env.root, "missing", "photos") : ".";
    results.forEach((result, i) => {
      assertOneLineError(
        result,
        2,
        new RegExp(`^error: no sync\\.db in ${dir.replaceAll(".", "\\.")}: .*check --dir`),
        { alone: true },
      );
      assert.equal(result.stdout, "", commands[i].join(" "));
    });
  }
  assert.deepEqual(env.emulator.requests, [], "no authorisation, no API call");
  assert.equal(env.emulator.counts.auth, 0);
  assert.deepEqual(
    await entries(env.root),
    ["clientsecret.json", "empty", "empty/clientsecret.json"],
    "no folder, sync.db or lock file",
  );
});

Deno.test("a leading ~ in --dir, --creds, --new-files and Takeout's PATHs is the home folder, also after =", async () => {
  await using env = await TestEnv.start({ items: ITEMS });
  const elsewhere = join(env.root, "elsewhere");
  await Deno.mkdir(elsewhere);
  const home = { HOME: env.root, DENO_DIR: await denoDir() };
  const synced = await env.cli(
    ["--dir=~/photos", "--creds=~/clientsecret.json", "--new-files=~/new.txt", "--no-browser"],
    { cwd: elsewhere, env: home, auth: "browser" },
  );
  assert.equal(synced.code, 0, synced.stderr);
  await assertItemFiles(join(env.root, "photos"), ITEMS);
  const added = (await Deno.readTextFile(join(env.root, "new.txt"))).trim().split("\n");
  assert.deepEqual(added, await listFiles(join(env.root, "photos")));

  const extracted = join(env.root, "export", "Takeout", "Google Photos", "Photos from 2019");
  await Deno.mkdir(extracted, { recursive: true });
  await Deno.writeTextFile(join(extracted, "IMG_20190405_101112.jpg"), "a photo from a Takeout export");
  const imported = await env.cli(["takeout", "--dir=~/photos", "~/export"], { cwd: elsewhere, env: home });
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(
    await Deno.readTextFile(join(env.root, "photos", "2019/04/05/IMG_20190405_101112.jpg")),
    "a photo from a Takeout export",
  );
  // status only reads: in this process, with the same HOME and starting folder.
  const status = await env.cli(["status", "--dir=~/photos", "--json"], {
    cwd: elsewhere,
    env: home,
    inProcess: true,
  });
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).items, ITEMS.length + 1);
  assert.deepEqual(await entries(elsewhere), [], "no folder named ~");
});

/**
 * `options` for running the CLI through `deno task photosync` in `cwd` (the harness's command line,
 * `deno run <flags> main.ts ARGS`, is replaced by `deno task --config <repository>/deno.json photosync ARGS`).
 */
function throughDenoTask(cwd: string, env: Record<string, string>): CliOptions {
  const replaced = cliCommand([]).length;
  const script = `shift ${replaced}; exec "$0" task --quiet --config "${REPOSITORY}deno.json" photosync "$@"`;
  return { cwd, env, wrap: ["sh", "-c", script, Deno.execPath()] };
}

Deno.test("deno task photosync resolves relative paths against the folder it was run from", async () => {
  await using env = await TestEnv.start({ items: ITEMS });
  const task = throughDenoTask(env.root, { DENO_DIR: await denoDir() });
  // No --creds: the default clientsecret.json is looked for where the task was run from too.
  const synced = await env.cli(["--dir=rel", "--new-files=new.txt", "--no-browser"], {
    ...task,
    auth: "browser",
  });
  assert.equal(synced.code, 0, synced.stderr);
  await assertItemFiles(join(env.root, "rel"), ITEMS);
  assert.equal((await Deno.readTextFile(join(env.root, "new.txt"))).trim().split("\n").length, ITEMS.length);
  const status = await env.cli(["status", "--dir=./rel/", "--json"], task);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).items, ITEMS.length);
  for (const path of ["rel", "new.txt"]) {
    assert.equal(
      await Deno.lstat(join(REPOSITORY, path)).catch(() => undefined),
      undefined,
      `${path} in the checkout`,
    );
  }
});

Deno.test("an authorisation nobody can answer (no browser, stdin not a terminal and ended) fails at once with exit 4", async () => {
  await using env = await TestEnv.start({ items: ITEMS });
  // The harness closes stdin at once when it answers nothing, and photosync has no DISPLAY: no opener.
  const dir = join(env.root, "my photos");
  // Each scope's token is printed by its own command (the Picker's and the Drive's with --scope). The refusal
  // comes before any request: the first run a child, the others in this process (its stdin ended too).
  for (
    const [args, token, inProcess] of [
      [["--creds=clientsecret.json"], "photosync token", false],
      [["--no-browser"], "photosync token", true],
      [["pick", "--no-browser"], "photosync token --scope picker", true],
      [["takeout", "--drive", "--no-browser"], "photosync token --scope drive", true],
    ] as const
  ) {
    // The command said runs as written: the folder named, quoted for a shell.
    const result = await env.cli([...args, `--dir=${dir}`], { inProcess });
    assertOneLineError(
      result,
      4,
      new RegExp(
        "^error: cannot authorise here: no browser to open and no terminal to paste the address on; " +
          `on a terminal, run ${token} --dir '${dir}' --creds FILE \\(it authorises, then prints the token\\) ` +
          "and set PHOTOSYNC_REFRESH_TOKEN to what it prints$",
      ),
    );
  }
  assert.equal(env.emulator.counts.token, 0, "no code was exchanged");
  assert.deepEqual(await listFiles(dir), []);
});

Deno.test("photosync token --scope picker prints the Picker scope's token, which authorises another pick", async () => {
  await using env = await TestEnv.start({ items: ITEMS, picker: { pollIntervalMs: 20, timeoutMs: 60_000 } });
  const pick = async (args: string[], options: CliOptions) => {
    const cli = new CliProcess(["pick", "--no-browser", ...args], {
      emulator: env.emulator,
      cwd: env.root,
      ...options,
    });
    await answerAuth(cli, env.emulator, options.auth);
    const uri = await cli.waitForLine((line) => line.startsWith(env.emulator.pickerUrl));
    await env.emulator.pick(uri, [ITEMS[0].id]);
    return await cli.result();
  };
  const first = await pick([`--dir=${env.dir}`], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);

  // The refusals only read sync.db: in this process; the token printed, by a child.
  const library = await env.cli(["token", `--dir=${env.dir}`], { inProcess: true });
  assertOneLineError(
    library,
    4,
    new RegExp(
      "for the Library scope \\(only photosync pick's Picker one: " +
        `photosync token --scope picker --dir ${env.dir} prints it\\)`,
    ),
  );
  const drive = await env.cli(["token", `--dir=${env.dir}`, "--scope=drive"], { inProcess: true });
  assertOneLineError(
    drive,
    4,
    new RegExp(
      `for the Drive scope \\(only photosync pick's Picker one: photosync token --scope picker --dir ${env.dir} ` +
        `prints it\\); run photosync token --scope drive --dir ${env.dir} --creds FILE to authorise it \\(and nothing else\\) and print its token$`,
    ),
  );
  const printed = await env.cli(["token", `--dir=${env.dir}`, "--scope=picker"]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, `${env.refreshToken()}\n`);
  assert.match(
    printed.stderr,
    /^warning: this is the Picker scope's refresh token \(for photosync pick\).*keep it secret$/,
  );

  const consents = env.emulator.counts.auth;
  const unattended = await pick([`--dir=${join(env.root, "ci")}`, "--creds=clientsecret.json"], {
    env: { PHOTOSYNC_REFRESH_TOKEN: printed.stdout.trim() },
    auth: "none",
  });
  assert.equal(unattended.code, 0, unattended.stderr);
  assert.equal(env.emulator.counts.auth, consents, "no consent asked");
  await assertItemFiles(join(env.root, "ci"), [ITEMS[0]]);
});
