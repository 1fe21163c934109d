/**
 * End-to-end: bad input through the CLI. Every case must exit non-zero (2, bad input) with exactly one
 * `error: ` line on stderr that says what is wrong, no stack trace, no request to the API, and every file
 * that existed before still there with the same bytes.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Emulator } from "../testing/emulator.ts";
import { type CliResult, runCli, workspace } from "../testing/harness.ts";

const BAD_INPUT = 2;

/** An emulator and a workspace (`clientsecret.json`, and a photo already in `photos/`). */
async function setup() {
  const emulator = await Emulator.start();
  const root = await workspace(emulator);
  const dir = join(root, "photos");
  await Deno.mkdir(join(dir, "2020/01/01"), { recursive: true });
  await Deno.writeTextFile(join(dir, "2020/01/01/keep.jpg"), "a photo synced earlier");
  return {
    emulator,
    root,
    dir,
    run: (args: string[]) => runCli(args, emulator, { cwd: root }),
    async [Symbol.asyncDispose]() {
      await emulator.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Every file under `dir` (relative path → bytes). */
async function snapshot(dir: string, prefix = ""): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      for (const [sub, bytes] of await snapshot(dir, path)) files.set(sub, bytes);
    } else if (entry.isFile) files.set(path, await Deno.readFile(join(dir, path)));
  }
  return files;
}

/** Exit code 2 and one `error: ` line matching `message`, without a stack trace. */
function assertOneLineError(result: CliResult, message: RegExp): void {
  const detail = `exit ${result.code}\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}`;
  assert.deepEqual(result.code, BAD_INPUT, detail);
  assert.doesNotMatch(result.stderr, /^\s+at /m, `stack trace on stderr\n${detail}`);
  const lines = result.stderr.split("\n");
  assert.deepEqual(lines.length, 1, `stderr is not one line\n${detail}`);
  assert.match(lines[0], /^error: /, detail);
  assert.match(lines[0], message, detail);
}

/** Run `args` in `env.root`; assert a one-line bad-input error, no API request and no file lost or changed. */
async function assertBadInput(env: Setup, args: string[], message: RegExp): Promise<CliResult> {
  const before = await snapshot(env.root);
  const result = await env.run(args);
  assertOneLineError(result, message);
  assert.deepEqual(env.emulator.requests.map((r) => r.url), [], "bad input reaches no endpoint");
  const after = await snapshot(env.root);
  for (const [path, bytes] of before) {
    const now = after.get(path);
    assert.ok(now !== undefined, `${path} was deleted`);
    assert.ok(Buffer.from(now).equals(bytes), `${path} was changed`);
  }
  return result;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

// Flags.

Deno.test("an unknown flag is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, [`--dir=${env.dir}`, "--bogus"], /unknown flag --bogus/);
});

Deno.test("an unknown flag on status is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, ["status", `--dir=${env.dir}`, "--bogus"], /unknown flag --bogus.*status/);
});

Deno.test("--dates that is not a date is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, [`--dir=${env.dir}`, "--dates=notadate"], /--dates.*"notadate".*YYYY-MM-DD/);
});

Deno.test("--dates with month 13 is refused", async () => {
  await using env = await setup();
  await assertBadInput(
    env,
    [`--dir=${env.dir}`, "--dates=2024-13-01"],
    /--dates.*"2024-13-01" is not a date/,
  );
});

Deno.test("--dates on February 30 is refused", async () => {
  await using env = await setup();
  await assertBadInput(
    env,
    [`--dir=${env.dir}`, "--dates=2024-02-30"],
    /--dates.*"2024-02-30" is not a date/,
  );
});

Deno.test("--dates with the later date first is refused", async () => {
  await using env = await setup();
  await assertBadInput(
    env,
    [`--dir=${env.dir}`, "--dates=2024-05-01:2024-04-01"],
    /--dates.*2024-05-01 is after 2024-04-01/,
  );
});

Deno.test("--all with --dates is refused", async () => {
  await using env = await setup();
  await assertBadInput(
    env,
    [`--dir=${env.dir}`, "--all", "--dates=2024-01-01"],
    /--all and --dates cannot be combined/,
  );
});

Deno.test("--concurrency=0 is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, [`--dir=${env.dir}`, "--concurrency=0"], /--concurrency.*1 to 64.*"0"/);
});

Deno.test("--concurrency=abc is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, [`--dir=${env.dir}`, "--concurrency=abc"], /--concurrency.*1 to 64.*"abc"/);
});

Deno.test("--layout with an unknown token is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, [`--dir=${env.dir}`, "--layout={hour}"], /--layout.*unknown token \{hour\}/);
});

Deno.test("--layout leaving --dir is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, [`--dir=${env.dir}`, "--layout=../x"], /--layout must be a relative path inside/);
  assert.ok(!(await exists(join(env.root, "x"))), "nothing is written outside --dir");
});

Deno.test("query without an ID is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, ["query", `--dir=${env.dir}`], /query needs a media item ID/);
});

// Client secret file.

Deno.test("no clientsecret.json in the working folder and no --creds is refused", async () => {
  await using env = await setup();
  await Deno.remove(join(env.root, "clientsecret.json"));
  await assertBadInput(env, [`--dir=${env.dir}`, "--no-browser"], /clientsecret\.json not found.*--creds/);
});

Deno.test("--creds naming a missing file is refused", async () => {
  await using env = await setup();
  const missing = join(env.root, "missing.json");
  await assertBadInput(
    env,
    [`--dir=${env.dir}`, "--no-browser", `--creds=${missing}`],
    /missing\.json not found/,
  );
});

Deno.test("--creds that is not JSON is refused", async () => {
  await using env = await setup();
  const creds = join(env.root, "creds.json");
  await Deno.writeTextFile(creds, "<html>not json</html>");
  await assertBadInput(
    env,
    [`--dir=${env.dir}`, "--no-browser", `--creds=${creds}`],
    /creds\.json is not JSON/,
  );
});

Deno.test("--creds without an installed or web client is refused", async () => {
  await using env = await setup();
  const creds = join(env.root, "creds.json");
  await Deno.writeTextFile(creds, JSON.stringify({ other: { client_id: "x", client_secret: "y" } }));
  await assertBadInput(
    env,
    [`--dir=${env.dir}`, "--no-browser", `--creds=${creds}`],
    /creds\.json has no "installed" or "web" client/,
  );
});

Deno.test("--creds whose installed client lacks client_secret is refused", async () => {
  await using env = await setup();
  const creds = join(env.root, "creds.json");
  const { installed } = env.emulator.clientSecretJson() as { installed: Record<string, unknown> };
  delete installed.client_secret;
  await Deno.writeTextFile(creds, JSON.stringify({ installed }));
  await assertBadInput(
    env,
    [`--dir=${env.dir}`, "--no-browser", `--creds=${creds}`],
    /creds\.json lacks .*client_secret/,
  );
});

// Output folder.

Deno.test("--dir that is a file is refused", async () => {
  await using env = await setup();
  const file = join(env.root, "afile");
  await Deno.writeTextFile(file, "not a folder");
  await assertBadInput(env, [`--dir=${file}`, "--no-browser"], /--dir .*afile is a file, not a folder/);
});

Deno.test("--dir under a file (cannot be created, even by root) is refused", async () => {
  await using env = await setup();
  await Deno.writeTextFile(join(env.root, "afile"), "not a folder");
  const dir = join(env.root, "afile", "sub");
  await assertBadInput(env, [`--dir=${dir}`, "--no-browser"], /--dir .*afile\/sub cannot be created/);
});

// chmod does not stop root from writing, so this case only means something for other users; the case
// above covers an unusable --dir for root too.
Deno.test({
  name: "--dir that is not writable is refused",
  async fn() {
    await using env = await setup();
    const dir = join(env.root, "readonly");
    await Deno.mkdir(dir, { mode: 0o500 });
    // Root writes through file modes: as root, make the folder immutable instead.
    const asRoot = Deno.uid() === 0;
    if (asRoot) await chattr("+i", dir);
    try {
      await assertBadInput(env, [`--dir=${dir}`, "--no-browser"], /--dir .*readonly is not writable/);
    } finally {
      if (asRoot) await chattr("-i", dir);
      await Deno.chmod(dir, 0o700);
    }
  },
});

async function chattr(flag: string, path: string) {
  const { code, stderr } = await new Deno.Command("chattr", { args: [flag, path], stderr: "piped" }).output();
  assert.equal(code, 0, `chattr ${flag} ${path}: ${new TextDecoder().decode(stderr)}`);
}

// sync.db.

Deno.test("a sync.db that is not SQLite is refused and left untouched", async () => {
  await using env = await setup();
  await Deno.writeTextFile(join(env.dir, "sync.db"), "hello");
  const before = [...(await snapshot(env.dir)).keys()].sort();
  await assertBadInput(env, [`--dir=${env.dir}`, "--no-browser"], /sync\.db is not a photosync database/);
  assert.deepEqual([...(await snapshot(env.dir)).keys()].sort(), before, "no file is added next to it");
});

Deno.test("status on a sync.db that is not SQLite is refused and leaves it untouched", async () => {
  await using env = await setup();
  await Deno.writeTextFile(join(env.dir, "sync.db"), "hello");
  const before = [...(await snapshot(env.dir)).keys()].sort();
  await assertBadInput(env, ["status", `--dir=${env.dir}`], /sync\.db is not a photosync database/);
  assert.deepEqual([...(await snapshot(env.dir)).keys()].sort(), before, "no file is added next to it");
});

Deno.test("a sync.db with a SQLite header but damaged content is refused and left untouched", async () => {
  await using env = await setup();
  await Deno.writeTextFile(join(env.dir, "sync.db"), "SQLite format 3\0" + "x".repeat(2000));
  const before = [...(await snapshot(env.dir)).keys()].sort();
  await assertBadInput(env, [`--dir=${env.dir}`, "--no-browser"], /sync\.db.*not a database/);
  assert.deepEqual([...(await snapshot(env.dir)).keys()].sort(), before, "no file is added next to it");
});

Deno.test("a sync.db from a newer photosync is refused and left untouched", async () => {
  await using env = await setup();
  const db = new DatabaseSync(join(env.dir, "sync.db"));
  db.exec("CREATE TABLE future (id TEXT PRIMARY KEY, data BLOB); INSERT INTO future VALUES ('a', x'00ff');");
  db.exec("PRAGMA user_version = 99");
  db.close();
  const before = [...(await snapshot(env.dir)).keys()].sort();
  await assertBadInput(env, [`--dir=${env.dir}`, "--no-browser"], /sync\.db .*newer photosync/);
  assert.deepEqual([...(await snapshot(env.dir)).keys()].sort(), before, "no file is added next to it");
});

Deno.test("status on a folder without sync.db is refused and creates nothing", async () => {
  await using env = await setup();
  await assertBadInput(env, ["status", `--dir=${env.dir}`], /no .*sync\.db.*run photosync/);
  assert.ok(!(await exists(join(env.dir, "sync.db"))), "status does not create sync.db");
});

// Help and version.

Deno.test("--help prints usage to stdout and exits 0", async () => {
  await using env = await setup();
  const result = await env.run(["--help"]);
  assert.deepEqual(result.code, 0, result.stderr);
  assert.match(result.stdout, /^photosync .*\n\nUsage: photosync \[sync\] \[flags\]/);
  assert.match(result.stdout, /--dates=FROM\[:TO\]/);
  assert.deepEqual(result.stderr, "");
  assert.ok(!(await exists(join(env.root, "sync.db"))), "--help touches nothing");
});

Deno.test("--version prints photosync 0.1.0 and exits 0", async () => {
  await using env = await setup();
  const result = await env.run(["--version"]);
  assert.deepEqual(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout, "photosync 0.1.0\n");
  assert.deepEqual(result.stderr, "");
});
