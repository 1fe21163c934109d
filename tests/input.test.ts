/**
 * End-to-end: bad input through the CLI. Every case must exit non-zero (2, bad input) with exactly one
 * `error: ` line on stderr that says what is wrong, no stack trace, no request to the API, and every file
 * that existed before still there with the same bytes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type CliResult, TestEnv } from "../testing/harness.ts";
import { assertOneLineError, assertSameBytes } from "../testing/asserts.ts";
import { locked } from "../testing/locked.ts";

const BAD_INPUT = 2;

/**
 * An emulator and a workspace (`clientsecret.json`, and a photo of the user's already in `photos/`: not
 * in a dated folder, which without a sync.db would make the run ask for `--folder-days` first).
 */
async function setup(): Promise<TestEnv> {
  const env = await TestEnv.start();
  await Deno.mkdir(env.dir, { recursive: true });
  await Deno.writeTextFile(join(env.dir, "keep.jpg"), "a photo of the user's");
  return env;
}

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

/**
 * Run `args` in `env.root`; assert exit 2 with stderr one `error: ` line matching `message` (no stack trace),
 * no API request, and no file lost or changed.
 */
async function assertBadInput(env: TestEnv, args: string[], message: RegExp): Promise<CliResult> {
  const before = await snapshot(env.root);
  // In-process: bad input ends before any work, so a child process would be mostly its own start.
  const result = await env.cli(args, { inProcess: true });
  assertOneLineError(result, BAD_INPUT, message, { alone: true });
  assert.deepEqual(env.emulator.requests.map((r) => r.url), [], "bad input reaches no endpoint");
  const after = await snapshot(env.root);
  for (const [path, bytes] of before) {
    const now = after.get(path);
    assert.ok(now !== undefined, `${path} was deleted`);
    await assertSameBytes(now, bytes, `${path} was changed`);
  }
  return result;
}

/** {@linkcode assertBadInput}, and no file is added to `env.dir` (next to its sync.db). */
async function assertBadInputAddsNothing(env: TestEnv, args: string[], message: RegExp): Promise<void> {
  const before = [...(await snapshot(env.dir)).keys()].sort();
  await assertBadInput(env, args, message);
  assert.deepEqual([...(await snapshot(env.dir)).keys()].sort(), before, "no file is added next to it");
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

// Flags.

/** Sync flags refused as bad input: the test's name, the flags after `--dir`, the error. */
const REFUSED_FLAGS: [string, string[], RegExp][] = [
  ["an unknown flag is refused", ["--bogus"], /unknown flag --bogus/],
  ["--dates that is not a date is refused", ["--dates=notadate"], /--dates.*"notadate".*YYYY-MM-DD/],
  ["--dates with month 13 is refused", ["--dates=2024-13-01"], /--dates.*"2024-13-01" is not a date/],
  ["--dates on February 30 is refused", ["--dates=2024-02-30"], /--dates.*"2024-02-30" is not a date/],
  [
    "--dates with the later date first is refused",
    ["--dates=2024-05-01:2024-04-01"],
    /--dates.*2024-05-01 is after 2024-04-01/,
  ],
  ["--concurrency=0 is refused", ["--concurrency=0"], /--concurrency.*1 to 64.*"0"/],
  ["--concurrency=abc is refused", ["--concurrency=abc"], /--concurrency.*1 to 64.*"abc"/],
  ["--layout with an unknown token is refused", ["--layout={hour}"], /--layout.*unknown token \{hour\}/],
  ["--max-time without a unit is refused", ["--max-time=90"], /--max-time must be a duration .*"90"/],
  [
    "--new-files in a missing folder is refused",
    ["--new-files=nowhere/new.txt"],
    /--new-files .*does not exist/,
  ],
  [
    "--new-files naming a device (its list would replace it) is refused",
    ["--new-files=/dev/null"],
    /--new-files \/dev\/null is no regular file: give a file's path/,
  ],
];

for (const [name, flags, message] of REFUSED_FLAGS) {
  Deno.test(name, async () => {
    await using env = await setup();
    await assertBadInput(env, [`--dir=${env.dir}`, ...flags], message);
  });
}

Deno.test("an unknown flag on status is refused", async () => {
  await using env = await setup();
  await assertBadInput(env, ["status", `--dir=${env.dir}`, "--bogus"], /unknown flag --bogus.*status/);
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

/** Client secret files refused: the test's name, the file's name and content (none: missing), the error. */
const REFUSED_CREDS: [string, string, (env: TestEnv) => string | undefined, RegExp][] = [
  ["--creds naming a missing file is refused", "missing.json", () => undefined, /missing\.json not found/],
  [
    "--creds that is not JSON is refused",
    "creds.json",
    () => "<html>not json</html>",
    /creds\.json is not JSON/,
  ],
  [
    "--creds without an installed or web client is refused",
    "creds.json",
    () => JSON.stringify({ other: { client_id: "x", client_secret: "y" } }),
    /creds\.json has no "installed" or "web" client/,
  ],
  [
    "--creds whose installed client lacks client_secret is refused",
    "creds.json",
    (env) => {
      const { installed } = env.emulator.clientSecretJson() as { installed: Record<string, unknown> };
      delete installed.client_secret;
      return JSON.stringify({ installed });
    },
    /creds\.json lacks .*client_secret/,
  ],
  [
    "--creds whose token_uri is no URL is refused before authorising",
    "creds.json",
    (env) => {
      const { installed } = env.emulator.clientSecretJson() as { installed: Record<string, unknown> };
      return JSON.stringify({ installed: { ...installed, token_uri: "oauth2.example/token" } });
    },
    /creds\.json: its token_uri is no http\(s\) URL; download the file again/,
  ],
];

for (const [name, file, content, message] of REFUSED_CREDS) {
  Deno.test(name, async () => {
    await using env = await setup();
    const creds = join(env.root, file);
    const text = content(env);
    if (text !== undefined) await Deno.writeTextFile(creds, text);
    await assertBadInput(env, [`--dir=${env.dir}`, "--no-browser", `--creds=${creds}`], message);
  });
}

// Output folder.

Deno.test("--dir that is a file is refused", async () => {
  await using env = await setup();
  const file = join(env.root, "afile");
  await Deno.writeTextFile(file, "not a folder");
  await assertBadInput(env, [`--dir=${file}`, "--no-browser"], /--dir .*afile is a file, not a folder/);
});

Deno.test("--dir that is a link to nowhere (a backup disk not mounted) is refused, by sync and status, creating nothing", async () => {
  await using env = await setup();
  const link = join(env.root, "photos-on-usb");
  await Deno.symlink(join(env.root, "mnt", "usb", "photos"), link);
  for (const args of [[`--dir=${link}`, "--no-browser"], ["status", `--dir=${link}`]]) {
    await assertBadInput(
      env,
      args,
      /--dir .*photos-on-usb cannot be reached: it is a link to .*usb\/photos, which leads nowhere \(is the disk it is on mounted\?\)/,
    );
  }
  assert.equal(await exists(join(env.root, "mnt")), false);
});

Deno.test("--dir under /dev (a tmpfs such as /dev/shm), where Deno lets only a program granted every permission write, is refused with what to do", async () => {
  await using env = await setup();
  // A child with the task's grants: the test process itself has every permission.
  const result = await env.cli([`--dir=/dev/shm/photosync-test-${crypto.randomUUID()}`, "--no-browser"]);
  assertOneLineError(
    result,
    BAD_INPUT,
    /--dir \/dev\/shm\/\S+ cannot be created: photosync may not write there .*; choose another --dir/,
    { alone: true },
  );
});

Deno.test("--dir under a file (cannot be created, even by root) is refused", async () => {
  await using env = await setup();
  await Deno.writeTextFile(join(env.root, "afile"), "not a folder");
  const dir = join(env.root, "afile", "sub");
  await assertBadInput(env, [`--dir=${dir}`, "--no-browser"], /--dir .*afile\/sub cannot be created/);
});

// chmod does not stop root from writing, so this case only means something for other users; the case
// above covers an unusable --dir for root too.
Deno.test("--dir that is not writable is refused", async () => {
  await using env = await setup();
  const dir = join(env.root, "readonly");
  await Deno.mkdir(dir);
  await using _ = await locked(dir, { mode: 0o500, restore: 0o700 });
  await assertBadInput(env, [`--dir=${dir}`, "--no-browser"], /--dir .*readonly is not writable/);
});

// sync.db.

Deno.test("a sync.db that is not SQLite is refused and left untouched", async () => {
  await using env = await setup();
  await Deno.writeTextFile(join(env.dir, "sync.db"), "hello");
  await assertBadInputAddsNothing(
    env,
    [`--dir=${env.dir}`, "--no-browser"],
    /sync\.db is not a photosync database/,
  );
});

Deno.test("status on a sync.db that is not SQLite is refused and leaves it untouched", async () => {
  await using env = await setup();
  await Deno.writeTextFile(join(env.dir, "sync.db"), "hello");
  await assertBadInputAddsNothing(
    env,
    ["status", `--dir=${env.dir}`],
    /sync\.db is not a photosync database/,
  );
});

Deno.test("a sync.db with a SQLite header but damaged content is refused and left untouched", async () => {
  await using env = await setup();
  await Deno.writeTextFile(join(env.dir, "sync.db"), "SQLite format 3\0" + "x".repeat(2000));
  await assertBadInputAddsNothing(env, [`--dir=${env.dir}`, "--no-browser"], /sync\.db.*not a database/);
});

Deno.test("a sync.db from a newer photosync is refused and left untouched", async () => {
  await using env = await setup();
  const db = new DatabaseSync(join(env.dir, "sync.db"));
  db.exec("CREATE TABLE future (id TEXT PRIMARY KEY, data BLOB); INSERT INTO future VALUES ('a', x'00ff');");
  db.exec("PRAGMA user_version = 99");
  db.close();
  await assertBadInputAddsNothing(env, [`--dir=${env.dir}`, "--no-browser"], /sync\.db .*newer photosync/);
});

Deno.test("status on a folder without sync.db is refused and creates nothing", async () => {
  await using env = await setup();
  await assertBadInput(env, ["status", `--dir=${env.dir}`], /no .*sync\.db.*run photosync/);
  assert.ok(!(await exists(join(env.dir, "sync.db"))), "status does not create sync.db");
  // The command it suggests runs as shown, copied: a folder with a space (or a quote) is quoted.
  const spaced = join(env.root, "Anna's photos");
  await Deno.mkdir(spaced);
  const result = await assertBadInput(env, ["status", `--dir=${spaced}`], /run photosync --dir '/);
  assert.ok(
    result.stderr.includes(`run photosync --dir '${spaced.replace("'", "'\\''")}' first`),
    result.stderr,
  );
});

// Help and version.

Deno.test("--help prints usage to stdout and exits 0", async () => {
  await using env = await setup();
  const result = await env.cli(["--help"], { inProcess: true });
  assert.deepEqual(result.code, 0, result.stderr);
  assert.match(result.stdout, /^photosync .*\n\nUsage: photosync \[sync\] /);
  assert.match(result.stdout, /--dates FROM\[:TO\]/);
  assert.deepEqual(result.stderr, "");
  assert.ok(!(await exists(join(env.root, "sync.db"))), "--help touches nothing");
});

Deno.test("--version prints photosync 0.1.0 and exits 0", async () => {
  await using env = await setup();
  const result = await env.cli(["--version"], { inProcess: true });
  assert.deepEqual(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout, "photosync 0.1.0\n");
  assert.deepEqual(result.stderr, "");
});
