/**
 * The GitHub Actions example (`examples/github-actions-backup.yml`) run as a runner would: its own `run:`
 * steps, read from the YAML, with bash, against the emulator. The `uses:` steps are GitHub's (the cache is
 * played by copying its paths from one run's workspace to the next; the upload by listing `increment/`),
 * and the step fetching the release binary is replaced by a `./photosync` running this checkout.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { generateLibrary } from "../testing/library_fixture.ts";
import { cliCommand, listFiles, TestEnv } from "../testing/harness.ts";
import { assertItemFiles, assertOneLineError, expectedPath } from "../testing/asserts.ts";

const WORKFLOW = new URL("../examples/github-actions-backup.yml", import.meta.url);

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
}

/** One run of the job on a fresh runner. */
interface JobRun {
  /** The runner's workspace. */
  workspace: string;
  /** The outputs of each step by id. */
  outputs: Record<string, Record<string, string>>;
  /** The output of each step that ran, by name. */
  logs: Record<string, { code: number; stdout: string; stderr: string }>;
  /** Whether a step failed: the job's verdict. */
  failed: boolean;
}

Deno.test("the GitHub Actions example uploads each run's new files; out of time it stops with 3, nothing partial", async () => {
  const workflow = parse(await Deno.readTextFile(WORKFLOW)) as Workflow;
  const [job] = Object.values(workflow.jobs);
  const items = generateLibrary({ count: 6, seed: 70 });
  await using env = await TestEnv.start({ items });

  // Once, on a desktop: authorise, then print the refresh token for the repository secret.
  const desktop = join(env.root, "desktop");
  const authorised = await env.cli(
    [`--dir=${desktop}`, "--creds=clientsecret.json", "--index-only", "--no-browser"],
    { auth: "browser" },
  );
  assert.equal(authorised.code, 0, authorised.stderr);
  const printed = await env.cli(["token", `--dir=${desktop}`]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, `${env.refreshToken()}\n`);
  assert.match(printed.stderr, /^warning: .*keep it secret/);
  const secrets = {
    PHOTOSYNC_REFRESH_TOKEN: printed.stdout.trim(),
    PHOTOSYNC_CLIENT_ID: env.emulator.clientId,
    PHOTOSYNC_CLIENT_SECRET: env.emulator.clientSecret,
  };

  const first = await runJob(env, workflow, secrets);
  assert.equal(first.outputs.backup.code, "0", first.logs["Back up"].stderr);
  assert.ok(!first.failed, JSON.stringify(first.logs, null, 2));
  assert.match(first.outputs.collect.date, /^\d{4}-\d\d-\d\d-\d{4}$/);
  assert.deepEqual(await listFiles(join(first.workspace, "increment")), items.map(expectedPath).sort());
  // The cached sync.db holds no token: an unattended run saves none.
  const cached = await env.cli(["token", `--dir=${join(first.workspace, "photos")}`]);
  assertOneLineError(cached, 4, /no authorisation is saved/);

  const added = generateLibrary({ count: 3, seed: 71, from: "2025-01-01", to: "2025-06-30" });
  for (const it of added) env.emulator.items.set(it.id, it);
  const second = await runJob(env, workflow, secrets, first);
  assert.equal(second.outputs.backup.code, "0", second.logs["Back up"].stderr);
  assert.deepEqual(await listFiles(join(second.workspace, "increment")), added.map(expectedPath).sort());
  await assertItemFiles(join(second.workspace, "increment"), added);

  // Out of time: half of the new downloads stall when the budget runs out.
  const late = generateLibrary({ count: 12, seed: 72, from: "2025-07-01", to: "2025-12-31" });
  for (const it of late) env.emulator.items.set(it.id, it);
  env.emulator.faults = { seed: 3, rates: { media: { stall: 0.5 } } };
  // A stalled download ends only when the run stops (the idle timeout is a minute): exit 3 says that
  // --max-time stopped it.
  const third = await runJob(env, workflow, secrets, second, { MAX_TIME: "1s" });
  assert.equal(third.outputs.backup.code, "3", third.logs["Back up"].stderr);
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

  // The job's verdict from photosync's exit code: only 1, 2 and 4 fail it.
  const result = job.steps.find((step) => step.name === "Result")!;
  for (const code of [0, 1, 2, 3, 4, 5]) {
    const ran = await runStep(result, third.workspace, {
      ...stepEnv(workflow, result, {}),
      CODE: String(code),
    });
    assert.equal(ran.code === 0, [0, 3, 5].includes(code), `exit ${code}: ${ran.stdout}`);
  }
});

/**
 * Runs the job's `run:` steps in a fresh workspace, as a runner would (a failed step skips the later ones
 * but for `if: always()`), with `cache` (the previous run) restored as `actions/cache` would.
 */
async function runJob(
  env: TestEnv,
  workflow: Workflow,
  secrets: Record<string, string>,
  cache?: JobRun,
  overrides: Record<string, string> = {},
): Promise<JobRun> {
  const [job] = Object.values(workflow.jobs);
  const workspace = await Deno.makeTempDir({ dir: env.root, prefix: "runner-" });
  const restore = job.steps.find((step) => step.uses?.startsWith("actions/cache/restore@"))!;
  const save = job.steps.find((step) => step.uses?.startsWith("actions/cache/save@"))!;
  assert.deepEqual(save.with?.path, restore.with?.path, "the cache saves what it restores");
  for (const path of cache ? restore.with!.path.trim().split("\n") : []) {
    await Deno.mkdir(join(workspace, path, ".."), { recursive: true });
    await Deno.copyFile(join(cache!.workspace, path), join(workspace, path)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  // The binary's stand-in: this checkout against the emulator. The emulator's token endpoint is not
  // Google's, so the client comes from its client secret file (--creds) rather than from the secrets.
  const command = [...cliCommand([]), `--creds=${join(env.root, "clientsecret.json")}`];
  await Deno.writeTextFile(
    join(workspace, "photosync"),
    `#!/bin/sh\nexec ${command.map((word) => `'${word}'`).join(" ")} "$@"\n`,
    { mode: 0o755 },
  );
  const run: JobRun = { workspace, outputs: {}, logs: {}, failed: false };
  for (const step of job.steps) {
    if (step.uses || step.id === "get-photosync") continue;
    if (run.failed && !step.if?.includes("always()")) continue;
    const steps = Object.fromEntries(Object.entries(run.outputs).map(([id, outputs]) => [id, { outputs }]));
    const values = { secrets, steps };
    const stepVars = {
      ...stepEnv(workflow, step, values),
      PHOTOSYNC_API_URL: env.emulator.apiUrl,
      ...overrides,
    };
    const ran = await runStep(step, workspace, stepVars);
    run.logs[step.name ?? step.run!] = ran;
    if (step.id) run.outputs[step.id] = ran.outputs;
    if (ran.code !== 0) run.failed = true;
  }
  return run;
}

/** The environment of `step`: the workflow's, the job's and its own, `${{ … }}` taken from `values`. */
function stepEnv(workflow: Workflow, step: Step, values: Record<string, unknown>): Record<string, string> {
  const [job] = Object.values(workflow.jobs);
  const vars = { ...workflow.env, ...job.env, ...step.env };
  return Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [
      name,
      String(value).replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, path: string) => {
        const found = path.split(".").reduce<unknown>(
          (at, key) => (at as Record<string, unknown>)?.[key],
          values,
        );
        if (found === undefined && !path.startsWith("steps.")) {
          throw new Error(`no value for ${path} in ${name}`);
        }
        return String(found ?? "");
      }),
    ]),
  );
}

/** Runs one step's script with bash as GitHub does (`-eo pipefail`); returns its exit code, output and outputs. */
async function runStep(step: Step, workspace: string, vars: Record<string, string>) {
  const scripts = await Deno.makeTempDir({ dir: join(workspace, ".."), prefix: "step-" });
  const script = join(scripts, "script.sh");
  const outputs = join(scripts, "outputs");
  await Deno.writeTextFile(script, step.run!);
  await Deno.writeTextFile(outputs, "");
  const result = await new Deno.Command("bash", {
    args: ["--noprofile", "--norc", "-eo", "pipefail", script],
    cwd: workspace,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      GITHUB_OUTPUT: outputs,
      ...vars,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = (await Deno.readTextFile(outputs)).split("\n").filter((line) => line.includes("="));
  return {
    code: result.code,
    stdout: new TextDecoder().decode(result.stdout),
    stderr: new TextDecoder().decode(result.stderr),
    outputs: Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    ),
  };
}
