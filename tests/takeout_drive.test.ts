/**
 * `photosync takeout --drive` through the CLI against the emulated Drive API: the first export gives what the
 * local import of the same parts gives; a later export fetches only its new photos (bytes served counted) and
 * applies changed sidecars; an export still being delivered waits; faults are retried and a kill -9 resumes; a
 * token without the Drive scope gets one line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { CliProcess, type CliResult, listFiles, runPhotosync, TestEnv } from "../testing/harness.ts";
import type { Emulator, LoggedRequest } from "../testing/emulator.ts";
import { LIBRARY_SCOPE } from "../testing/emulator/oauth.ts";
import { planArchives, writeArchives, writeZip } from "../testing/takeout/archives.ts";
import { generateTakeout } from "../testing/takeout/export.ts";
import type { TakeoutExport, TakeoutFile } from "../testing/takeout/model.ts";
import { backupTree } from "../testing/takeout/backup_state.ts";
import { assertOneLineError } from "../testing/asserts.ts";

const WORK = await Deno.makeTempDir({ prefix: "photosync-takeout-drive-" });
Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

/** Photos large enough that a zip's sidecars lie further apart than the reader joins into one request. */
const SIZES = { minSize: 300_000, maxSize: 420_000 };
const A = generateTakeout({ seed: 18, count: 10, ...SIZES, specials: false });
const DAY = 86_400_000;

/** A later export of the same library: `A`'s files, one sidecar changed (favourite), and `extra` new photos. */
function laterExport(extra: TakeoutFile[]): { exp: TakeoutExport; changed: TakeoutFile } {
  const target = A.files.find((file) =>
    file.sidecarText && !file.favorited && !file.copyOf && !A.files.some((copy) => copy.copyOf === file.id)
  )!;
  const sidecar = JSON.parse(target.sidecarText!);
  sidecar.favorited = true;
  const changed = Object.assign(Object.create(Object.getPrototypeOf(target)), target, {
    sidecarText: JSON.stringify(sidecar, null, 2),
  }) as TakeoutFile;
  Object.defineProperty(changed, "bytes", { get: () => target.bytes });
  const files = A.files.map((file) => file === target ? changed : file);
  return { exp: { ...A, exportedMs: A.exportedMs + 61 * DAY, files: [...files, ...extra] }, changed };
}

const NEW_LIBRARY = generateTakeout({ seed: 81, count: 6, ...SIZES, specials: false });
const NEW = NEW_LIBRARY.files
  .filter((file) => !file.copyOf && !file.editedOf && !file.motionOf && !file.trashed).slice(0, 3);
const B = laterExport(NEW);

/** Writes `exp` as `parts` zips under WORK; returns their paths. */
function written(exp: TakeoutExport, name: string, parts = 3): Promise<string[]> {
  // Stored (level 0): photos do not deflate, and writing is quick.
  return writeArchives(exp, join(WORK, name), { parts, level: 0 });
}

const partsA = await written(A, "a");

/**
 * Puts the zips at `paths` into the emulated Drive's Takeout folder (dated by their files, as the fixtures
 * date a delivery, unless `options.time` is given); returns their ids. `abusive`: the paths Drive flags.
 */
async function upload(
  emulator: Emulator,
  paths: string[],
  options: { time?: string; abusive?: string[] } = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (const path of paths) {
    ids.push(
      await emulator.drive.add({
        name: path.split("/").pop()!,
        path,
        ...(options.time ? { createdTime: options.time, modifiedTime: options.time } : {}),
        abusive: options.abusive?.includes(path),
      }),
    );
  }
  return ids;
}

interface Item {
  id: string;
  filename: string;
  created_ms: number;
  json: string;
  path: string;
  size: number;
  status: string;
}

/** The items of `dir`'s sync.db, and album memberships. */
function rows(dir: string): { items: Item[]; members: string[] } {
  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  try {
    const items = db.prepare(
      "SELECT id, filename, created_ms, json, path, size, status FROM items ORDER BY id",
    )
      .all() as unknown as Item[];
    const members = (db.prepare("SELECT item_id, album_id FROM item_albums ORDER BY 1, 2").all() as {
      item_id: string;
      album_id: string;
    }[]).map((row) => `${row.item_id} ${row.album_id}`);
    return { items, members };
  } finally {
    db.close();
  }
}

/** What a backup holds: its tree and its rows. */
async function backupOf(dir: string) {
  return { tree: await backupTree(dir), ...rows(dir) };
}

/** The local import of export A's parts: what every Drive import of A must give. */
let expected: Awaited<ReturnType<typeof backupOf>> | undefined;
async function expectedBackup() {
  if (!expected) {
    const dir = join(WORK, "local");
    const local = await runPhotosync(["takeout", `--dir=${dir}`, ...partsA], { env: { TZ: "UTC" } });
    assert.equal(local.code, 0, local.stderr);
    expected = await backupOf(dir);
  }
  return expected;
}

/** `photosync takeout --drive` into `env.dir`, against its emulator. */
function drive(
  env: TestEnv,
  args: string[] = [],
  options: Parameters<TestEnv["cli"]>[1] = {},
): Promise<CliResult> {
  return env.cli(driveArgs(env, args, options), {
    ...options,
    env: { TZ: "UTC", PHOTOSYNC_DRIVE_URL: env.emulator.driveUrl, ...options.env },
  });
}

function driveArgs(env: TestEnv, args: string[], options: { auth?: string }): string[] {
  const auth = options.auth && options.auth !== "none" ? ["--no-browser"] : [];
  return ["takeout", "--drive", `--dir=${env.dir}`, ...auth, ...args];
}

Deno.test("takeout --drive: the first export as the local import gives it; a later one fetches only what is new", async () => {
  await using env = await TestEnv.start();
  const { emulator } = env;
  // Drive flagged one part as malware or spam: the user's own export is downloaded all the same.
  const [, flagged] = await upload(emulator, partsA, { abusive: [partsA[1]] });
  // An export of another product (a Takeout of Drive itself) and a file that is no part are left alone.
  const other = join(WORK, "takeout-20251201T000000Z-001.zip");
  await writeZip(other, [{
    path: "Takeout/Drive/notes.txt",
    size: 2,
    mtimeMs: 0,
    kind: "other",
    open: () => new Blob(["hi"]).stream(),
  }], {});
  await emulator.drive.add({ name: "takeout-20251201T000000Z-001.zip", path: other });
  await emulator.drive.add({
    name: "takeout-notes.txt",
    bytes: new TextEncoder().encode("x"),
    folder: "Docs",
  });
  // Another person's Takeout of Google Photos, shared with the user: not theirs, never read.
  const shared = await written({ ...NEW_LIBRARY, exportedMs: A.exportedMs - 30 * DAY }, "shared", 1);
  const sharedId = await emulator.drive.add({
    name: shared[0].split("/").pop()!,
    path: shared[0],
    sharedBy: "relative@example.com",
  });

  const first = await drive(env, [], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(await backupOf(env.dir), await expectedBackup());
  assert.ok(!emulator.requests.some((r) => r.url.includes(sharedId)), "the shared export was not read");
  assert.match(first.stderr, /export 20251110T101010Z is imported in full: its 3 files may now be deleted/);
  assert.match(first.stderr, /Drive: Takeout\/takeout-20251110T101010Z-001\.zip/);
  const warned = first.stderr.split("\n").filter((line) => line.includes("flagged this part as malware"));
  assert.equal(warned.length, 1, first.stderr);
  assert.match(warned[0], /Drive: Takeout\/takeout-20251110T101010Z-002\.zip: .*acknowledgeAbuse/);
  // Refused once, then every range of it asked for acknowledging the flag.
  const reads = emulator.requests.filter((r) =>
    r.route === "driveGet" && r.url.includes(`/${flagged}?alt=media`)
  );
  assert.deepEqual(reads.filter((r) => r.status === 403).length, 1);
  assert.ok(reads.length > 2 && reads.slice(1).every((r) => r.url.includes("acknowledgeAbuse=true")));

  // The CI form: the Drive token printed by photosync token, in PHOTOSYNC_REFRESH_TOKEN. (Printing a saved
  // token only reads sync.db: in-process.)
  const token = await env.cli(["token", `--dir=${env.dir}`, "--scope=drive"], { inProcess: true });
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stderr, /Drive scope's refresh token/);

  // A later export: a changed sidecar, three new photos; and a third one still being delivered.
  const partsB = await written(B.exp, "b");
  await upload(emulator, partsB);
  const partsC = planArchives({ ...A, exportedMs: A.exportedMs + 122 * DAY }, { parts: 3 }).map((part) =>
    part.name
  );
  const written3 = await written({ ...A, exportedMs: A.exportedMs + 122 * DAY }, "c");
  // (its parts came an hour ago: a gap a day old would be a part lost in delivery)
  await upload(emulator, [written3[0], written3[2]], {
    time: new Date(Date.now() - 3_600_000).toISOString(),
  });
  // And a fourth whose two parts so far are full-size (as large as each other), the newest an hour old: more
  // may follow, nothing of it is imported yet.
  const partsD = await written({ ...A, exportedMs: A.exportedMs + 183 * DAY }, "d");
  const [sizeD1, sizeD2] = await Promise.all(
    partsD.slice(0, 2).map(async (path) => (await Deno.stat(path)).size),
  );
  assert.ok(sizeD2 >= 0.95 * sizeD1 && sizeD2 <= sizeD1 * 1.05, `${sizeD1} ${sizeD2}`);
  const idsD = await upload(emulator, partsD.slice(0, 2), {
    time: new Date(Date.now() - 3_600_000).toISOString(),
  });
  const stampD = partsD[0].split("/").pop()!.slice(8, 24);
  emulator.drive.bytesServed = 0;
  const newFiles = join(env.root, "new-files.txt");
  const second = await drive(env, [`--new-files=${newFiles}`], {
    // The client is the one saved with the first authorisation.
    env: { PHOTOSYNC_REFRESH_TOKEN: token.stdout.trim() },
  });
  assert.equal(second.code, 0, second.stderr);
  assert.match(
    second.stderr,
    new RegExp(`export \\S+ is not complete yet .*: ${partsC[1].replace(/\./g, "\\.")} missing`),
  );
  assert.match(second.stderr, /1 export was imported before/);
  assert.match(
    second.stderr,
    new RegExp(
      `export ${stampD} may not be complete yet .*: its highest part is as large as the others and came less ` +
        `than a day ago, so takeout-${stampD}-003\\.zip may follow; nothing of it was imported, the next run takes it`,
    ),
  );
  assert.doesNotMatch(second.stderr, new RegExp(`export ${stampD} \\(`));
  // Only the new photos' bytes, the sidecars and the zips' directories were read.
  const sizeB = (await Promise.all(partsB.map((path) => Deno.stat(path)))).reduce(
    (sum, s) => sum + s.size,
    0,
  );
  const newBytes = NEW.reduce((sum, file) => sum + file.size, 0);
  const served = emulator.drive.bytesServed;
  assert.ok(served >= newBytes, `served ${served} < ${newBytes}`);
  assert.ok(served < newBytes + 0.1 * sizeB, `served ${served} of ${sizeB} for ${newBytes} new`);
  assert.ok(sizeB > 4 * newBytes, `${sizeB} bytes in all`);
  const listed = (await Deno.readTextFile(newFiles)).trim().split("\n");
  assert.equal(listed.length, NEW.length, listed.join("\n"));
  const { items } = rows(env.dir);
  const favourite = items.find((item) => JSON.parse(item.json).takeout.entry === B.changed.path)!;
  assert.equal(JSON.parse(favourite.json).favorited, true);
  assert.match(second.stderr, /3 imported .* already present/);

  // A day later with no part come since: the delivery has finished, and the fourth export is taken as it is.
  for (const id of idsD) {
    const file = emulator.drive.files.get(id)!;
    file.createdTime = file.modifiedTime = new Date(Date.now() - 25 * 3_600_000).toISOString();
  }
  const third = await drive(env, [], { env: { PHOTOSYNC_REFRESH_TOKEN: token.stdout.trim() } });
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, new RegExp(`export ${stampD} \\(2 parts\\):`));
  assert.match(third.stderr, new RegExp(`export ${stampD} is imported in full: its 2 files`));
  assert.doesNotMatch(third.stderr, /may not be complete yet/);
});

Deno.test("takeout --drive: a part lost in delivery (a gap a day old) is one line and exit 3, in status and the job summary; importing that part lets the next run take the export", async () => {
  await using env = await TestEnv.start();
  const { emulator } = env;
  // Parts 1 and 3 came 25 hours ago; part 2 never will. The folder's name needs quoting in a shell.
  await upload(emulator, [partsA[0], partsA[2]], {
    time: new Date(Date.now() - 25 * 3_600_000).toISOString(),
  });
  const dir = join(env.root, "my photos");
  const summary = join(env.root, "summary.md");
  const part2 = partsA[1].split("/").pop()!;
  const run = (args: string[], options: Parameters<TestEnv["cli"]>[1] = {}) =>
    env.cli(["takeout", "--drive", `--dir=${dir}`, ...args], {
      ...options,
      env: { TZ: "UTC", PHOTOSYNC_DRIVE_URL: emulator.driveUrl, GITHUB_STEP_SUMMARY: summary },
    });
  const lost = await run(["--no-browser"], { auth: "browser" });
  assert.equal(lost.code, 3, lost.stderr);
  const warned = lost.stderr.split("\n").filter((line) => line.startsWith("warning: "));
  assert.equal(warned.length, 1, lost.stderr);
  const line = new RegExp(
    `export 20251110T101010Z in Google Drive lacks ${
      part2.replaceAll(".", "\\.")
    }, and its delivery has ended ` +
      `\\(no part came since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\): download that part from takeout\\.google\\.com .*` +
      `photosync takeout --dir '${dir}' ${
        part2.replaceAll(".", "\\.")
      } \\(the next run then imports the rest\\), ` +
      "or ask Takeout for a new export$",
  );
  assert.match(warned[0], line);
  assert.doesNotMatch(lost.stderr, /the next run takes it/);
  // A folder whose files are stored elsewhere (it keeps sync.db only): an import by path would list nothing
  // to store, so the part is to go where the runs read.
  const elsewhere = await env.cli(
    ["takeout", "--drive", `--dir=${join(env.root, "elsewhere")}`, "--files-elsewhere", "--no-browser"],
    { auth: "browser", env: { TZ: "UTC", PHOTOSYNC_DRIVE_URL: emulator.driveUrl } },
  );
  assert.equal(elsewhere.code, 3, elsewhere.stderr);
  assert.match(
    elsewhere.stderr,
    /download that part from takeout\.google\.com \(Manage exports\) while the link lasts and put it in Google Drive beside the others \(the next run imports the export and lists its files with --new-files\), or ask Takeout for a new export$/m,
  );
  // The job summary: exit 3, the line as a warning.
  const text = await Deno.readTextFile(summary);
  assert.match(text, /^### photosync takeout: .* \(exit 3\)$/m);
  assert.match(text, /^> \[!WARNING\]\n> - export 20251110T101010Z in Google Drive lacks /m);
  // status: the last run with that line, in words and in JSON.
  const status = await env.cli(["status", `--dir=${dir}`], { inProcess: true });
  assert.equal(status.code, 0, status.stderr);
  assert.match(
    status.stdout,
    /^ {2}takeout takeout .* UTC, .*\n {4}warning: export 20251110T101010Z in Google Drive lacks /m,
  );
  const json = JSON.parse((await env.cli(["status", `--dir=${dir}`, "--json"], { inProcess: true })).stdout);
  assert.equal(json.runs.takeout.exitCode, 3);
  assert.match(json.runs.takeout.warnings[0], line);

  // The suggested command, run where the part was downloaded to, then the next unattended run.
  const local = await runPhotosync(["takeout", `--dir=${dir}`, part2], {
    cwd: join(WORK, "a"),
    env: { TZ: "UTC" },
  });
  assert.equal(local.code, 0, local.stderr);
  const next = await run([]);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /export 20251110T101010Z \(2 parts\):/);
  assert.match(next.stderr, /export 20251110T101010Z is imported in full/);
  assert.deepEqual((await backupOf(dir)).tree, (await expectedBackup()).tree);
});

Deno.test("photosync token --scope drive --creds FILE authorises the Drive scope only: nothing is imported here, and its token imports in CI", async () => {
  await using env = await TestEnv.start();
  const { emulator } = env;
  await upload(emulator, partsA);
  // Once, on the computer: authorise and print, into a folder that does not exist yet.
  const desktop = join(env.root, "photosync ci");
  const printed = await env.cli(
    ["token", `--dir=${desktop}`, "--scope=drive", "--creds=clientsecret.json", "--no-browser"],
    { auth: "browser" },
  );
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, /^\S+\n$/);
  assert.match(printed.stderr, /^warning: this is the Drive scope's refresh token .*keep it secret$/m);
  assert.deepEqual(emulator.requests.filter((r) => r.route.startsWith("drive")), [], "Drive was not read");
  assert.deepEqual(await listFiles(desktop), [], "nothing imported");
  // Printed again without --creds: the one saved (only read: in-process).
  const again = await env.cli(["token", `--dir=${desktop}`, "--scope=drive"], { inProcess: true });
  assert.equal(again.stdout, printed.stdout, again.stderr);
  // --no-browser belongs to an authorisation.
  const stray = await env.cli(["token", `--dir=${desktop}`, "--no-browser"], { inProcess: true });
  assertOneLineError(stray, 2, /--no-browser is for an authorisation: give it with --creds FILE$/);

  // The CI job, with that token: the exports are imported there.
  const ci = await drive(env, ["--creds=clientsecret.json"], {
    env: { PHOTOSYNC_REFRESH_TOKEN: printed.stdout.trim() },
  });
  assert.equal(ci.code, 0, ci.stderr);
  assert.match(ci.stderr, /export 20251110T101010Z is imported in full/);
  assert.deepEqual((await backupOf(env.dir)).tree, (await expectedBackup()).tree);
  // The token's folder chose no day rule: its first import chooses one.
  const first = await env.cli(["takeout", "--drive", `--dir=${desktop}`, "--folder-days=utc"], {
    env: { PHOTOSYNC_DRIVE_URL: emulator.driveUrl },
  });
  assert.equal(first.code, 0, first.stderr);
});

/** Kills the run in `env`'s process `victim` as the `at`-th Drive byte request is answered. */
function killer(at: number) {
  let [count, victim]: [number, CliProcess | undefined] = [0, undefined];
  return {
    onRequest(request: LoggedRequest) {
      if (request.route === "driveGet" && request.url.includes("alt=media") && ++count === at) {
        victim?.child.kill("SIGKILL");
      }
    },
    set victim(cli: CliProcess) {
      victim = cli;
    },
  };
}

Deno.test("takeout --drive: faults are retried, a kill -9 resumes, a token without the Drive scope is one line", async () => {
  const kill = killer(12);
  await using env = await TestEnv.start({ onRequest: (request) => kill.onRequest(request) });
  const { emulator } = env;
  await upload(emulator, partsA);
  emulator.faults = {
    seed: 3,
    retryAfterSec: 0.001,
    latencyMs: { driveGet: 5 },
    rates: {
      driveList: { "403-rate": 0.3, "503": 0.2 },
      driveGet: { "403-rate": 0.05, "500": 0.05, "429": 0.05, reset: 0.05, short: 0.05 },
    },
  };
  const cli = new CliProcess(driveArgs(env, [], { auth: "browser" }), {
    emulator,
    cwd: env.root,
    env: { TZ: "UTC", PHOTOSYNC_DRIVE_URL: emulator.driveUrl },
  });
  kill.victim = cli;
  const authUrl = await cli.waitForLine((line) => line.startsWith(emulator.authUri));
  await (await fetch(await emulator.consent(authUrl))).body?.cancel();
  const killed = await cli.result();
  assert.notEqual(killed.code, 0, `the run was not killed:\n${killed.stderr}`);
  const resumed = await drive(env);
  assert.equal(resumed.code, 0, resumed.stderr);
  const injected = (fault: string) => emulator.injected[fault] ?? 0;
  assert.ok(injected("driveList:403-rate") > 0, JSON.stringify(emulator.injected));
  assert.ok(injected("driveGet:reset") + injected("driveGet:short") > 0, JSON.stringify(emulator.injected));
  assert.deepEqual(await backupOf(env.dir), await expectedBackup());

  // A refresh token granted the Library scope only, given for Drive.
  const libraryToken = emulator.grant(LIBRARY_SCOPE).refreshToken;
  emulator.faults = {};
  const refused = await drive(env, [], {
    env: { PHOTOSYNC_REFRESH_TOKEN: libraryToken },
  });
  assert.equal(refused.code, 4, refused.stderr);
  const lines = refused.stderr.trim().split("\n").filter((line) => !line.startsWith("looking for"));
  assert.deepEqual(lines.length, 1, refused.stderr);
  // Its secret is what to renew: the command that prints a Drive token, on the computer authorised on.
  assert.match(
    lines[0],
    new RegExp(
      "no Google Drive access \\(scope drive\\.readonly\\): on the computer you authorised on, " +
        "run photosync token --scope drive --creds FILE again with the --dir you authorised in .*" +
        "the secret PHOTOSYNC_DRIVE_REFRESH_TOKEN$",
    ),
  );

  // The saved Drive authorisation revoked: the advice names what authorises Drive again, and only that
  // (`photosync --creds` would authorise the Library scope only, `takeout --drive --creds` import first),
  // and so does an unattended token's.
  emulator.revokeRefreshTokens();
  emulator.expireAccessTokens();
  const revoked = await drive(env);
  assertOneLineError(
    revoked,
    4,
    new RegExp(
      `invalid_grant.*run photosync token --scope drive --dir ${env.dir} --creds FILE to authorise again`,
    ),
  );
  const unattended = await drive(env, [], { env: { PHOTOSYNC_REFRESH_TOKEN: "revoked-token" } });
  assertOneLineError(
    unattended,
    4,
    /run photosync token --scope drive --creds FILE again with the --dir you authorised in .*PHOTOSYNC_DRIVE_REFRESH_TOKEN$/,
  );
});
