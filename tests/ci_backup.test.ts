/**
 * The GitHub Actions example (`examples/github-actions-backup.yml`) run as a runner would: its own `run:`
 * steps, read from the YAML, with bash, against the emulator, each when its `if:` says so. GitHub's side is
 * played here: the `uses:` steps (the cache keeps its paths from one run to the next, the upload keeps the
 * artifact's folders, and can be made to fail as when the storage quota is used up), the repository's
 * variables and secrets, and the `gh` commands the workflow calls (the artifact list and download). The step
 * fetching the release binary is replaced by a `./photosync` running this checkout.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { type FixtureItem, generateLibrary } from "../testing/library_fixture.ts";
import { cliCommand, listFiles, TestEnv } from "../testing/harness.ts";
import { assertItemFiles, assertOneLineError, expectedPath } from "../testing/asserts.ts";
import { rcloneAvailable } from "../testing/rclone_webdav.ts";
import { LIBRARY_SCOPE } from "../testing/emulator/oauth.ts";

const WORKFLOW = new URL("../examples/github-actions-backup.yml", import.meta.url);
const REPOSITORY = "someone/photos-backup";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number>;
}

interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
}

/** One run of the job on a fresh runner. */
interface JobRun {
  /** The runner's workspace. */
  workspace: string;
  /** Each step's outputs and outcome by id. */
  steps: Record<string, { outputs: Record<string, string>; outcome: Outcome }>;
  /** The output of each step that ran, by name. */
  logs: Record<string, { code: number; stdout: string; stderr: string }>;
  /** Whether a step failed: the job's verdict. */
  failed: boolean;
}

type Outcome = "success" | "failure" | "skipped";

/** An artifact GitHub keeps: the upload's folders under `dir`. */
interface Artifact {
  id: number;
  name: string;
  runId: number;
  dir: string;
  createdAt: string;
  with: Record<string, string>;
}

/** GitHub's side of the job, kept from one run to the next. */
class GitHub {
  /** The newest cache entry's folder (the paths it saved, relative to the workspace); none when evicted. */
  cache?: string;
  readonly artifacts: Artifact[] = [];
  /** Make `actions/upload-artifact` fail, as it does when the account's artifact storage is used up. */
  uploadFails = false;
  vars: Record<string, string> = {};
  runs = 0;
  readonly bin: string;

  constructor(readonly root: string, readonly secrets: Record<string, string>) {
    this.bin = join(root, "bin");
  }

  /** The `gh` the workflow calls: the artifact list of the REST API, and `gh run download` of one artifact. */
  async installGh(): Promise<void> {
    await Deno.mkdir(this.bin, { recursive: true });
    await Deno.writeTextFile(
      join(this.bin, "gh"),
      `#!/bin/bash
set -euo pipefail
store='${join(this.root, "artifacts")}'
[ -n "\${GH_TOKEN:-}" ] || { echo "gh: GH_TOKEN is not set" >&2; exit 4; }
if [ "$#" = 3 ] && [ "$1 $2" = "api --paginate" ] &&
  [ "$3" = "repos/$GITHUB_REPOSITORY/actions/artifacts?per_page=100" ]; then
  cat "$store/list.json"
elif [ "$#" = 9 ] && [ "$1 $2" = "run download" ] && [ "$4 $5" = "--repo $GITHUB_REPOSITORY" ] &&
  [ "$6" = --name ] && [ "$8" = --dir ]; then
  for artifact in "$store"/*/; do
    if [ "$(cat "$artifact/run-id")" = "$3" ] && [ "$(cat "$artifact/name")" = "$7" ]; then
      mkdir -p "$9" && cp -R "$artifact/files/." "$9" && exit 0
    fi
  done
  echo "gh: no artifact $7 in run $3" >&2; exit 1
else
  echo "gh: not played by the test: $*" >&2; exit 1
fi
`,
      { mode: 0o755 },
    );
    await this.#writeList();
  }

  /** `actions/upload-artifact`: keeps the upload's folders, or fails. */
  async upload(name: string, paths: string[], workspace: string, options: Record<string, string>) {
    if (this.uploadFails) {
      throw new Error("Artifact storage quota has been hit. Unable to upload any new artifacts.");
    }
    const taken = this.artifacts.some((artifact) => artifact.name === name && artifact.runId === this.runs);
    assert.ok(!taken, `one artifact named ${name} in a run`);
    const id = this.artifacts.length + 1;
    const dir = join(this.root, "artifacts", String(id));
    // `!folder/`: a folder of those left out (with what is in it).
    const excluded = paths.filter((path) => path.startsWith("!")).map((path) =>
      join(workspace, path.slice(1))
    );
    for (const path of paths.filter((path) => !path.startsWith("!"))) {
      // All are top-level folders of the workspace: the artifact keeps them by name.
      assert.match(path, /^[\w-]+\/$/);
      await copyTree(join(workspace, path), join(dir, "files", path), excluded);
    }
    await Deno.writeTextFile(join(dir, "run-id"), String(this.runs));
    await Deno.writeTextFile(join(dir, "name"), name);
    // GitHub gives the time to the second.
    const createdAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    this.artifacts.push({ id, name, runId: this.runs, dir, createdAt, with: options });
    await this.#writeList();
  }

  /** The artifact list as GitHub's REST API gives it (`GET /repos/{owner}/{repo}/actions/artifacts`). */
  async #writeList() {
    await Deno.mkdir(join(this.root, "artifacts"), { recursive: true });
    const artifacts = this.artifacts.toReversed().map(({ id, name, runId, createdAt }) => ({
      id,
      name,
      expired: false,
      created_at: createdAt,
      workflow_run: { id: runId },
    }));
    await Deno.writeTextFile(
      join(this.root, "artifacts", "list.json"),
      JSON.stringify({ total_count: artifacts.length, artifacts }),
    );
  }
}

/**
 * An emulator with `items`, authorised once on a desktop, and GitHub with the secrets that gave. `desktop`:
 * as the workflow's comment says, photosync authorises on the desktop and `photosync token` prints the
 * refresh token; otherwise (the tests after the first that does) the emulator grants it, as the consent and
 * the code exchange give it.
 */
async function setUp(items: FixtureItem[], { desktop = false } = {}) {
  const env = await TestEnv.start({ items });
  let refreshToken = "";
  if (desktop) {
    // Once, on a desktop: authorise, then print the refresh token for the repository secret.
    const folder = join(env.root, "desktop");
    const authorised = await env.cli(
      [`--dir=${folder}`, "--creds=clientsecret.json", "--index-only", "--no-browser"],
      { auth: "browser" },
    );
    assert.equal(authorised.code, 0, authorised.stderr);
    // `token` only reads sync.db: in this process (pick.test.ts and cli.test.ts run it as a child).
    const printed = await env.cli(["token", `--dir=${folder}`], { inProcess: true });
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${env.refreshToken()}\n`);
    assert.match(printed.stderr, /^warning: .*keep it secret/);
    refreshToken = printed.stdout.trim();
  } else {
    refreshToken = env.emulator.grant(LIBRARY_SCOPE).refreshToken;
  }
  const github = new GitHub(join(env.root, "github"), {
    PHOTOSYNC_REFRESH_TOKEN: refreshToken,
    PHOTOSYNC_CLIENT_ID: env.emulator.clientId,
    PHOTOSYNC_CLIENT_SECRET: env.emulator.clientSecret,
  });
  await github.installGh();
  const workflow = parse(await Deno.readTextFile(WORKFLOW)) as Workflow;
  return { env, github, workflow };
}

/** Adds `items` to the emulator's library. */
function add(env: TestEnv, items: FixtureItem[]): FixtureItem[] {
  for (const it of items) env.emulator.items.set(it.id, it);
  return items;
}

Deno.test("the GitHub Actions example uploads each run's new files with sync.db; out of time it stops with 3, nothing partial", async () => {
  const items = generateLibrary({ count: 6, seed: 70 });
  const { env, github, workflow } = await setUp(items, { desktop: true });
  await using _env = env;

  const first = await runJob(env, workflow, github);
  assert.equal(first.steps.backup.outputs.code, "0", first.logs["Back up"].stderr);
  assert.ok(!first.failed, JSON.stringify(first.logs, null, 2));
  assert.match(first.logs["Restore sync.db from the newest increment"].stdout, /no sync\.db found/);
  assert.match(first.steps.collect.outputs.date, /^\d{4}-\d\d-\d\d-\d{6}$/);
  assert.deepEqual(await listFiles(join(first.workspace, "increment")), items.map(expectedPath).sort());
  // The artifact: kept as long as the plan allows, stored as it is (photos do not compress), with sync.db.
  const [artifact] = github.artifacts;
  assert.equal(artifact.name, `photos-${first.steps.collect.outputs.date}`);
  assert.deepEqual(artifact.with, {
    "if-no-files-found": "ignore",
    "retention-days": "90",
    "compression-level": "0",
  });
  assert.deepEqual(await listFiles(join(artifact.dir, "files", "increment")), items.map(expectedPath).sort());
  await Deno.stat(join(artifact.dir, "files", "sync-db", "sync.db"));
  // The backup at a glance, beside the sync.db it shows.
  const page = await Deno.readTextFile(join(artifact.dir, "files", "sync-db", "report.html"));
  assert.match(page, new RegExp(`<p class="sub">${items.length} items, ${items.length} downloaded`));
  assert.match(page, /<rect [^>]*data-day="\d{4}-\d\d-\d\d" data-count="[1-9]/);
  // The cached sync.db holds no token: an unattended run saves none.
  const cached = await env.cli(["token", `--dir=${join(first.workspace, "photos")}`], { inProcess: true });
  assertOneLineError(cached, 4, /no authorisation is saved/);

  const added = add(env, generateLibrary({ count: 3, seed: 71, from: "2025-01-01", to: "2025-06-30" }));
  const second = await runJob(env, workflow, github);
  assert.equal(second.steps.backup.outputs.code, "0", second.logs["Back up"].stderr);
  assert.equal(
    second.logs["Restore sync.db from the newest increment"],
    undefined,
    "sync.db came from the cache",
  );
  assert.deepEqual(await listFiles(join(second.workspace, "increment")), added.map(expectedPath).sort());
  await assertItemFiles(join(second.workspace, "increment"), added);
  // Its page: the first run's files are in the first artifact, not missing (the folder held only sync.db).
  const secondPage = await Deno.readTextFile(
    join(github.artifacts[1].dir, "files", "sync-db", "report.html"),
  );
  assert.match(secondPage, /<p>Every item is on disk\.<\/p>/);
  // Artifact names sort by date.
  const names = github.artifacts.map((it) => it.name);
  assert.deepEqual(names.toSorted(), names);

  // Out of time: half of the new downloads stall when the budget runs out.
  const late = add(env, generateLibrary({ count: 12, seed: 72, from: "2025-07-01", to: "2025-12-31" }));
  env.emulator.faults = { seed: 3, rates: { media: { stall: 0.5 } } };
  // A stalled download ends only when the run stops (the idle timeout is a minute): exit 3 says that
  // --max-time stopped it.
  const third = await runJob(env, workflow, github, { MAX_TIME: "1s" });
  env.emulator.faults = {};
  assert.equal(third.steps.backup.outputs.code, "3", third.logs["Back up"].stderr);
  assert.ok(!third.failed, "exit 3 does not fail the job");
  const increment = await listFiles(join(third.workspace, "increment"));
  const arrived = late.filter((it) => increment.includes(expectedPath(it)));
  assert.equal(arrived.length, increment.length, "only new files");
  assert.ok(increment.length < late.length, `${increment.length} of ${late.length} arrived`);
  await assertItemFiles(join(third.workspace, "increment"), arrived);
  assert.deepEqual(await listFiles(join(third.workspace, "photos")), increment, "nothing partial left");
  const left = late.length - arrived.length;
  assert.match(
    third.logs["Back up"].stderr,
    new RegExp(`^warning: .*: ${left} items left for the next run$`, "m"),
  );

  // The byte budget: a run starts no download once MAX_BYTES were written (those in flight finish), and the
  // next run goes on.
  const many = add(env, generateLibrary({ count: 20, seed: 73, from: "2026-01-01", to: "2026-06-30" }));
  const budgeted = await runJob(env, workflow, github, { MAX_BYTES: "1B" });
  assert.equal(budgeted.steps.backup.outputs.code, "3", budgeted.logs["Back up"].stderr);
  assert.ok(!budgeted.failed);
  const got = (await listFiles(join(budgeted.workspace, "increment"))).length;
  assert.ok(got >= 1 && got < left + many.length, `${got} arrived`);
  assert.match(
    budgeted.logs["Back up"].stderr,
    new RegExp(
      `^warning: --max-bytes=1B reached: ${left + many.length - got} items left for the next run$`,
      "m",
    ),
  );
  const rest = await runJob(env, workflow, github);
  assert.equal(rest.steps.backup.outputs.code, "0", rest.logs["Back up"].stderr);
  const stored = await Promise.all(
    github.artifacts.map((it) => listFiles(join(it.dir, "files", "increment"))),
  );
  const all = [...items, ...added, ...late, ...many];
  assert.deepEqual(stored.flat().sort(), all.map(expectedPath).sort(), "each once");

  // The job's verdict from photosync's exit code: only 1, 2 and 4 fail it, and so does a run whose files
  // were not stored.
  const [job] = Object.values(workflow.jobs);
  const result = job.steps.find((step) => step.name === "Result")!;
  for (const code of [0, 1, 2, 3, 4, 5]) {
    for (const saved of ["success", "skipped"]) {
      const ran = await runStep(result, third.workspace, { CODE: String(code), SAVED: saved }, github);
      const passes = saved === "success" && [0, 3, 5].includes(code);
      assert.equal(ran.code === 0, passes, `exit ${code}, sync.db ${saved}: ${ran.stdout}`);
    }
  }
});

Deno.test("the GitHub Actions example's Drive step leaves the sync what is left of MAX_TIME and MAX_BYTES: a run stores at most MAX_BYTES", async () => {
  const workflow = parse(await Deno.readTextFile(WORKFLOW)) as Workflow;
  const step = Object.values(workflow.jobs)[0].steps.find((it) => it.id === "drive")!;
  const root = await Deno.makeTempDir({ prefix: "photosync-drive-step-" });
  try {
    const github = new GitHub(join(root, "github"), {});
    /** The step run with a `./photosync` that places `bytes` bytes as one new file. */
    const drive = async (bytes: number, maxBytes: string) => {
      const workspace = await Deno.makeTempDir({ dir: root });
      await Deno.writeTextFile(
        join(workspace, "photosync"),
        `#!/bin/sh\nmkdir -p photos/2020/01/01\nhead -c ${bytes} /dev/zero > photos/2020/01/01/a.jpg\n` +
          `printf '2020/01/01/a.jpg\\n' > new-files-drive.txt\nexit 3\n`,
        { mode: 0o755 },
      );
      return await runStep(step, workspace, { MAX_TIME: "5h30m", MAX_BYTES: maxBytes }, github);
    };
    const some = await drive(300, "1kB");
    assert.equal(some.code, 0, some.stderr);
    assert.deepEqual(some.outputs, { code: "3" });
    assert.equal(some.exported.MAX_BYTES, "700B");
    assert.match(some.exported.MAX_TIME, /^\d+s$/);
    assert.ok(Number(some.exported.MAX_TIME.slice(0, -1)) > 5 * 3600, some.exported.MAX_TIME);
    assert.equal((await drive(300, "1.5KiB")).exported.MAX_BYTES, "1236B");
    // All of it spent: the sync's budget is photosync's smallest, a byte.
    assert.equal((await drive(2000, "1kB")).exported.MAX_BYTES, "1B");
    // Rounded and bounded as photosync reads --max-bytes.
    assert.equal((await drive(0, "2.5B")).exported.MAX_BYTES, "3B");
    assert.equal((await drive(0, "0.5B")).exported.MAX_BYTES, "1B");
    assert.equal((await drive(1, "2PB")).code, 1);
    const bad = await drive(1, "lots");
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /::error::MAX_BYTES=lots is no size such as 400MB/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the GitHub Actions example's verdict on the Drive import: 0 and 3 pass, 5 (Drive's daily quota) passes with a warning, others fail", async () => {
  const workflow = parse(await Deno.readTextFile(WORKFLOW)) as Workflow;
  const result = Object.values(workflow.jobs)[0].steps.find((step) => step.name === "Result")!;
  const root = await Deno.makeTempDir({ prefix: "photosync-result-step-" });
  try {
    const github = new GitHub(join(root, "github"), {});
    // No DRIVE_CODE: the Drive step did not run (no PHOTOSYNC_DRIVE_REFRESH_TOKEN).
    for (const drive of [undefined, "0", "1", "2", "3", "4", "5", "143"]) {
      const vars = { CODE: "0", SAVED: "success", ...(drive === undefined ? {} : { DRIVE_CODE: drive }) };
      const ran = await runStep(result, root, vars, github);
      const passes = [undefined, "0", "3", "5"].includes(drive);
      assert.equal(ran.code === 0, passes, `Drive exit ${drive}: ${ran.stdout}`);
      if (drive === "5") assert.match(ran.stdout, /^::warning::Google Drive's daily quota is used up/m);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the GitHub Actions example saves no sync.db when the upload fails: the next run downloads those items again; it restores sync.db from the newest increment when the cache lost it: nothing is downloaded twice", async () => {
  const items = generateLibrary({ count: 4, seed: 73 });
  const { env, github, workflow } = await setUp(items);
  await using _env = env;
  const first = await runJob(env, workflow, github);
  assert.ok(!first.failed, JSON.stringify(first.logs, null, 2));
  const cache = github.cache;

  const added = add(env, generateLibrary({ count: 3, seed: 74, from: "2025-01-01", to: "2025-06-30" }));
  github.uploadFails = true;
  const failed = await runJob(env, workflow, github);
  assert.equal(failed.steps.backup.outputs.code, "0", failed.logs["Back up"].stderr);
  assert.equal(failed.steps.upload.outcome, "failure");
  assert.equal(failed.steps.save.outcome, "skipped");
  assert.ok(failed.failed, "the job fails");
  assert.match(failed.logs.Result.stdout, /::error::this run's files were not stored/);
  assert.equal(github.cache, cache, "the cache still holds the sync.db from before");
  assert.equal(github.artifacts.length, 1);

  // Artifacts off and no other target: the job refuses to download what it could store nowhere.
  github.uploadFails = false;
  github.vars = { PHOTOSYNC_ARTIFACTS: "off" };
  const nowhere = await runJob(env, workflow, github);
  assert.ok(nowhere.failed);
  assert.match(
    nowhere.logs["Back up"].stdout,
    /::error::PHOTOSYNC_ARTIFACTS is off and PHOTOSYNC_RCLONE_TARGET/,
  );
  assert.equal(nowhere.steps.save.outcome, "skipped");

  github.vars = {};
  env.emulator.resetCounts();
  const next = await runJob(env, workflow, github);
  assert.ok(!next.failed, JSON.stringify(next.logs, null, 2));
  assert.equal(env.emulator.counts.media, added.length, "those items are downloaded again");
  assert.deepEqual(await listFiles(join(next.workspace, "increment")), added.map(expectedPath).sort());
  await assertItemFiles(join(next.workspace, "increment"), added);

  // The cache loses sync.db: the next run restores it from the newest increment (the one just stored).
  github.cache = undefined; // evicted: unused for 7 days, or the repository's cache went over 10 GB
  const newest = add(env, generateLibrary({ count: 2, seed: 77, from: "2025-07-01", to: "2025-12-31" }));
  env.emulator.resetCounts();
  const run = await runJob(env, workflow, github);
  assert.ok(!run.failed, JSON.stringify(run.logs, null, 2));
  assert.match(
    run.logs["Restore sync.db from the newest increment"].stdout,
    /restored from the newest increment/,
  );
  assert.equal(env.emulator.counts.media, newest.length, "only the new items are downloaded");
  assert.deepEqual(await listFiles(join(run.workspace, "increment")), newest.map(expectedPath).sort());
  const stored = await Promise.all(
    github.artifacts.map((it) => listFiles(join(it.dir, "files", "increment"))),
  );
  assert.deepEqual(
    stored.flat().sort(),
    [...items, ...added, ...newest].map(expectedPath).sort(),
    "each once",
  );
});

// Asked the way the WebDAV tests ask: a missing program throws as the command is spawned.
const rclone = await rcloneAvailable();

Deno.test({
  name: "the GitHub Actions example copies increments and sync.db to an rclone target, and restores from it" +
    (rclone ? "" : " (ignored: rclone is not installed; .ci/run installs it)"),
  ignore: !rclone,
  fn: async () => {
    const items = generateLibrary({ count: 4, seed: 78 });
    const { env, github, workflow } = await setUp(items);
    await using _env = env;
    const target = join(env.root, "durable");
    // rclone's local backend stands for S3, B2, WebDAV or SFTP: the same `rclone copy`, another config.
    github.vars = { PHOTOSYNC_RCLONE_TARGET: `backup:${target}`, PHOTOSYNC_ARTIFACTS: "off" };
    const noConfig = await runJob(env, workflow, github);
    assert.ok(noConfig.failed);
    assert.match(noConfig.logs["Set up rclone"].stdout, /set the repository secret PHOTOSYNC_RCLONE_CONFIG/);
    assert.equal(noConfig.steps.backup.outcome, "skipped");

    github.secrets.PHOTOSYNC_RCLONE_CONFIG = "[backup]\ntype = local\n";
    const first = await runJob(env, workflow, github);
    assert.ok(!first.failed, JSON.stringify(first.logs, null, 2));
    assert.equal(first.steps.upload.outcome, "skipped", "no artifact");
    assert.equal(github.artifacts.length, 0);
    assert.deepEqual(await listFiles(join(target, "photos")), items.map(expectedPath).sort());
    await assertItemFiles(join(target, "photos"), items);
    await Deno.stat(join(target, "sync-db", "sync.db"));

    github.cache = undefined;
    const added = add(env, generateLibrary({ count: 3, seed: 79, from: "2025-01-01", to: "2025-06-30" }));
    env.emulator.resetCounts();
    const second = await runJob(env, workflow, github);
    assert.ok(!second.failed, JSON.stringify(second.logs, null, 2));
    assert.match(second.logs["Restore sync.db from the newest increment"].stdout, /restored/);
    assert.equal(env.emulator.counts.media, added.length, "only the new items are downloaded");
    assert.deepEqual(await listFiles(join(target, "photos")), [...items, ...added].map(expectedPath).sort());
  },
});

Deno.test("the GitHub Actions example stores the album links a Takeout import lists as links: in the increment and the rclone target; artifacts, which would store copies, leave them out", async () => {
  const workflow = parse(await Deno.readTextFile(WORKFLOW)) as Workflow;
  const steps = Object.values(workflow.jobs)[0].steps;
  const step = (id: string) => steps.find((it) => it.id === id)!;
  const root = await Deno.makeTempDir({ prefix: "photosync-links-step-" });
  try {
    const github = new GitHub(join(root, "github"), {});
    const workspace = await Deno.makeTempDir({ dir: root });
    // What `takeout --files-elsewhere --new-files` leaves: a new photo and its album's link, and the link of an
    // album member an earlier run placed (and stored: here it points nowhere).
    const photos = join(workspace, "photos");
    await Deno.mkdir(join(photos, "2020/01/01"), { recursive: true });
    await Deno.mkdir(join(photos, "albums/Trip"), { recursive: true });
    await Deno.writeTextFile(join(photos, "2020/01/01/a.jpg"), "a photo");
    await Deno.symlink("../../2020/01/01/a.jpg", join(photos, "albums/Trip/a.jpg"));
    await Deno.symlink("../../2019/05/05/b.jpg", join(photos, "albums/Trip/b.jpg"));
    await Deno.writeTextFile(
      join(workspace, "new-files-drive.txt"),
      "2020/01/01/a.jpg\nalbums/Trip/a.jpg\nalbums/Trip/b.jpg\n",
    );
    const collected = await runStep(step("collect"), workspace, {}, github);
    assert.equal(collected.code, 0, collected.stderr);
    assert.equal(collected.outputs.files, "3");
    const increment = join(workspace, "increment");
    assert.equal(await Deno.readTextFile(join(increment, "2020/01/01/a.jpg")), "a photo");
    assert.equal(await Deno.readLink(join(increment, "albums/Trip/a.jpg")), "../../2020/01/01/a.jpg");
    assert.equal(await Deno.readLink(join(increment, "albums/Trip/b.jpg")), "../../2019/05/05/b.jpg");
    await playAction(
      step("upload"),
      workspace,
      { steps: { collect: { outputs: collected.outputs } }, env: { RETENTION_DAYS: "90" } },
      github,
    );
    assert.deepEqual(await listFiles(join(github.artifacts[0].dir, "files")), ["increment/2020/01/01/a.jpg"]);
    if (rclone) {
      const target = join(root, "durable");
      const config = join(root, "rclone.conf");
      await Deno.writeTextFile(config, "[backup]\ntype = local\n");
      const vars = { RCLONE_TARGET: `backup:${target}`, RCLONE_CONFIG: config };
      const copied = await runStep(step("rclone"), workspace, vars, github);
      assert.equal(copied.code, 0, copied.stderr);
      assert.equal(await Deno.readTextFile(join(target, "photos/2020/01/01/a.jpg")), "a photo");
      assert.equal(await Deno.readLink(join(target, "photos/albums/Trip/a.jpg")), "../../2020/01/01/a.jpg");
      assert.equal(await Deno.readLink(join(target, "photos/albums/Trip/b.jpg")), "../../2019/05/05/b.jpg");
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/**
 * Runs the job's steps in a fresh workspace, as a runner would: each when its `if:` holds (by default, when
 * no step failed before), `run:` steps with bash, `uses:` steps played by `github`.
 */
async function runJob(
  env: TestEnv,
  workflow: Workflow,
  github: GitHub,
  overrides: Record<string, string> = {},
): Promise<JobRun> {
  const [job] = Object.values(workflow.jobs);
  const runId = ++github.runs;
  const workspace = await Deno.makeTempDir({ dir: env.root, prefix: `runner-${runId}-` });
  const temp = await Deno.makeTempDir({ dir: env.root, prefix: `runner-temp-${runId}-` });
  // The binary's stand-in: this checkout against the emulator. The emulator's token endpoint is not
  // Google's, so the client comes from its client secret file (--creds, after the command's words)
  // rather than from the secrets; `photosync report` takes no --creds.
  const creds = `'--creds=${join(env.root, "clientsecret.json")}'`;
  const quoted = (words: string[]) => words.map((word) => `'${word}'`).join(" ");
  await Deno.writeTextFile(
    join(workspace, "photosync"),
    `#!/bin/sh\nif [ "$1" = report ]; then exec ${quoted(cliCommand([]))} "$@"; fi\nexec ${
      quoted(cliCommand([]))
    } "$@" ${creds}\n`,
    { mode: 0o755 },
  );
  const run: JobRun = { workspace, steps: {}, logs: {}, failed: false };
  const context: Record<string, unknown> = {
    github: { run_id: String(runId), run_attempt: "1", token: "a-github-token", repository: REPOSITORY },
    vars: github.vars,
    secrets: github.secrets,
    runner: { temp },
  };
  const jobEnv = { ...evaluateEnv({ ...workflow.env, ...job.env }, context), ...overrides };
  const exported: Record<string, string> = {}; // what steps wrote to $GITHUB_ENV
  for (const step of job.steps) {
    const steps = run.steps;
    const scope = { ...context, env: { ...jobEnv, ...exported }, steps };
    const status = { success: !run.failed, failure: run.failed };
    const record = (outcome: Outcome, outputs: Record<string, string> = {}) => {
      if (step.id) steps[step.id] = { outcome, outputs };
      if (outcome === "failure") run.failed = true;
    };
    if (step.id === "get-photosync") {
      record("success");
      continue;
    }
    if (!holds(step.if, scope, status)) {
      record("skipped");
      continue;
    }
    if (step.uses) {
      try {
        record("success", await playAction(step, workspace, scope, github));
      } catch (error) {
        run.logs[step.name!] = { code: 1, stdout: "", stderr: String(error) };
        record("failure");
      }
      continue;
    }
    const vars = {
      ...jobEnv,
      ...exported,
      ...evaluateEnv(step.env ?? {}, scope),
      PHOTOSYNC_API_URL: env.emulator.apiUrl,
      RUNNER_TEMP: temp,
      GITHUB_REPOSITORY: REPOSITORY,
    };
    const ran = await runStep(step, workspace, vars, github);
    Object.assign(exported, ran.exported);
    run.logs[step.name ?? step.run!] = ran;
    record(ran.code === 0 ? "success" : "failure", ran.outputs);
  }
  return run;
}

/** The `uses:` steps, as GitHub's actions do them: their outputs; a rejection is the step's failure. */
async function playAction(
  step: Step,
  workspace: string,
  scope: Record<string, unknown>,
  github: GitHub,
): Promise<Record<string, string>> {
  const given = Object.fromEntries(
    Object.entries(step.with ?? {}).map(([name, value]) => [name, interpolate(String(value), scope)]),
  );
  const paths = (given.path ?? "").trim().split("\n");
  const action = step.uses!.replace(/@v4$/, "");
  if (action === "actions/cache/restore") {
    if (!github.cache) return { "cache-hit": "false" };
    for (const path of paths) await copyFile(join(github.cache, path), join(workspace, path));
    // A restore key's match: the newest entry of an earlier run, never this run's own key.
    return { "cache-hit": "false", "cache-matched-key": "photosync-db-earlier" };
  } else if (action === "actions/cache/save") {
    const cache = await Deno.makeTempDir({ dir: github.root, prefix: "cache-" });
    for (const path of paths) await copyFile(join(workspace, path), join(cache, path));
    github.cache = cache;
  } else if (action === "actions/upload-artifact") {
    const { name, path: _, ...options } = given;
    await github.upload(name, paths, workspace, options);
  } else {
    throw new Error(`${step.uses} is not played by the test`);
  }
  return {};
}

/** `from` copied to `to` when it exists (the cache's missing paths are skipped). */
async function copyFile(from: string, to: string) {
  await Deno.mkdir(join(to, ".."), { recursive: true });
  await Deno.copyFile(from, to).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** The folder `from` copied to `to`, but the folders `excluded` (absolute paths). */
async function copyTree(from: string, to: string, excluded: readonly string[] = []) {
  if (excluded.some((folder) => join(from, "/") === join(folder, "/"))) return;
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(join(from, entry.name), join(to, entry.name), excluded);
    // As upload-artifact does, a link is stored as a copy of its file (which fails for one that points nowhere).
    else await Deno.copyFile(join(from, entry.name), join(to, entry.name));
  }
}

/** Runs one step's script with bash as GitHub does (`-eo pipefail`); returns its exit code, output and outputs. */
async function runStep(step: Step, workspace: string, vars: Record<string, string>, github: GitHub) {
  const scripts = await Deno.makeTempDir({ dir: join(workspace, ".."), prefix: "step-" });
  const script = join(scripts, "script.sh");
  const outputs = join(scripts, "outputs");
  const exported = join(scripts, "env");
  await Deno.writeTextFile(script, step.run!);
  await Deno.writeTextFile(outputs, "");
  await Deno.writeTextFile(exported, "");
  const result = await new Deno.Command("bash", {
    args: ["--noprofile", "--norc", "-eo", "pipefail", script],
    cwd: workspace,
    clearEnv: true,
    env: {
      PATH: `${github.bin}:${Deno.env.get("PATH") ?? ""}`,
      HOME: Deno.env.get("HOME") ?? "",
      GITHUB_OUTPUT: outputs,
      GITHUB_ENV: exported,
      ...vars,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: result.code,
    stdout: new TextDecoder().decode(result.stdout),
    stderr: new TextDecoder().decode(result.stderr),
    outputs: await readKeyValues(outputs),
    exported: await readKeyValues(exported),
  };
}

/** `KEY=VALUE` lines, as `$GITHUB_OUTPUT` and `$GITHUB_ENV` take them. */
async function readKeyValues(file: string): Promise<Record<string, string>> {
  const lines = (await Deno.readTextFile(file)).split("\n").filter((line) => line.includes("="));
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/** `vars` with their `${{ … }}` evaluated in `scope`. */
function evaluateEnv(vars: Record<string, string>, scope: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [name, interpolate(String(value), scope)]),
  );
}

/** `text` with each `${{ expression }}` replaced by its value. */
function interpolate(text: string, scope: Record<string, unknown>): string {
  return text.replace(
    /\$\{\{(.*?)\}\}/g,
    (_, expression: string) => String(evaluate(expression, scope) ?? ""),
  );
}

/**
 * Whether a step runs: its `if:` evaluated as GitHub does, where a condition naming no status function
 * (`always()`, `success()`, `failure()`, `cancelled()`) holds only when no step failed before.
 */
function holds(
  condition: string | undefined,
  scope: Record<string, unknown>,
  status: { success: boolean; failure: boolean },
): boolean {
  const expression = (condition ?? "success()").replace(/^\s*\$\{\{(.*)\}\}\s*$/s, "$1");
  const functions = { always: true, success: status.success, failure: status.failure, cancelled: false };
  const value = evaluate(expression, scope, functions);
  const named = /\b(always|success|failure|cancelled)\(\)/.test(expression);
  return Boolean(value) && (named || status.success);
}

/**
 * A GitHub Actions expression: property paths, 'strings', numbers, `!`, `==`, `!=`, `&&`, `||` (which give
 * an operand, as in JavaScript), parentheses and the status functions. Missing properties are null; `==`
 * compares strings ignoring case, null as ''.
 */
function evaluate(
  expression: string,
  scope: Record<string, unknown>,
  functions: Record<string, boolean> = {},
): unknown {
  const tokens = expression.match(/'(?:[^']|'')*'|==|!=|&&|\|\||[()!]|[\w.-]+/g) ?? [];
  const rest = expression.replace(/'(?:[^']|'')*'|==|!=|&&|\|\||[()!]|[\w.-]+|\s+/g, "");
  if (rest !== "") throw new Error(`cannot read ${expression}: ${rest}`);
  let at = 0;
  const peek = () => tokens[at];
  const take = (token?: string) => {
    if (token !== undefined && tokens[at] !== token) throw new Error(`expected ${token} in ${expression}`);
    return tokens[at++];
  };
  const loose = (value: unknown) => String(value ?? "").toLowerCase();
  const or = (): unknown => {
    let value = and();
    while (peek() === "||") {
      take();
      const right = and();
      value = value || right;
    }
    return value;
  };
  const and = (): unknown => {
    let value = equality();
    while (peek() === "&&") {
      take();
      const right = equality();
      value = value && right;
    }
    return value;
  };
  const equality = (): unknown => {
    let value = unary();
    while (peek() === "==" || peek() === "!=") {
      const equal = take() === "==";
      value = (loose(value) === loose(unary())) === equal;
    }
    return value;
  };
  const unary = (): unknown => {
    if (peek() === "!") {
      take();
      return !unary();
    }
    return primary();
  };
  const primary = (): unknown => {
    const token = take();
    if (token === undefined) throw new Error(`unexpected end of ${expression}`);
    if (token === "(") {
      const value = or();
      take(")");
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
    if (/^\d+$/.test(token)) return Number(token);
    if (token === "true" || token === "false") return token === "true";
    if (peek() === "(") {
      take("(");
      take(")");
      if (!(token in functions)) throw new Error(`no function ${token}() here: ${expression}`);
      return functions[token];
    }
    const [name, ...path] = token.split(".");
    if (!(name in scope)) throw new Error(`no context ${name} in ${expression}`);
    return path.reduce<unknown>(
      (value, key) => (value as Record<string, unknown> | undefined)?.[key],
      scope[name],
    ) ??
      null;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`cannot read ${expression} past ${tokens[at]}`);
  return value;
}
