/**
 * The release build's command lines, checked without building: `deno compile` needs a runtime (denort)
 * download per target, which the test machine cannot make, so this runs `deno task compile --dry-run` and
 * checks every `deno compile` command line it would run.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BROWSER_OPENERS } from "../lib/cli/browser.ts";
import { LAZY_IMPORTS_FLAG, runFlags } from "../testing/run_flags.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Every `.ts` file under `dir` but tests, relative to the repository. */
function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) yield path;
  }
}

/**
 * Modules that lib/ loads by URL rather than by import (`new URL(<module>, import.meta.url)`, handed to
 * `new Worker`), which `deno compile` does not follow on its own, and every `*_worker.ts`.
 */
function modulesLoadedByUrl(): string[] {
  const modules = new Set<string>();
  for (const file of sources("lib")) {
    if (file.endsWith("_worker.ts")) modules.add(file);
    const text = Deno.readTextFileSync(join(ROOT, file));
    for (
      const [, specifier] of text.matchAll(/new\s+URL\(\s*"(\.\.?\/[^"]+\.ts)",\s*import\.meta\.url\s*\)/g)
    ) {
      modules.add(relative(ROOT, join(ROOT, dirname(file), specifier)));
    }
  }
  return [...modules].sort();
}

/** The command lines `deno task compile --dry-run` prints, one per release target. */
async function compileCommands(): Promise<string[][]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "compile", "--dry-run"],
    cwd: ROOT,
    stdin: "null",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim().split("\n").map((line) => JSON.parse(line));
}

/** The values of each `flag value` pair in `args`. */
const values = (args: string[], flag: string) => args.flatMap((arg, i) => arg === flag ? [args[i + 1]] : []);

Deno.test("deno task compile --dry-run: each target's command line includes every module lib/ loads by URL", async () => {
  const workers = modulesLoadedByUrl();
  assert.ok(
    workers.includes("lib/sources/takeout/stage_worker.ts"),
    `the scan finds the stage worker (found ${workers.join(", ")})`,
  );
  const commands = await compileCommands();
  assert.deepEqual(commands.map((args) => values(args, "--target")[0]).sort(), [
    "aarch64-apple-darwin",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "x86_64-unknown-linux-gnu",
  ]);
  for (const args of commands) {
    assert.equal(args[0], "compile");
    assert.equal(args.at(-1), "main.ts");
    const included = values(args, "--include");
    assert.deepEqual(included.toSorted(), workers, args.join(" "));
    for (const file of [...included, "main.ts"]) {
      assert.ok(Deno.statSync(join(ROOT, file)).isFile, `${file} exists`);
    }
  }
});

Deno.test("deno task compile --dry-run: each target gets the task's permissions (but INIT_CWD) and its own browser opener", async () => {
  const task = runFlags();
  const taskEnv = task.find((flag) => flag.startsWith("--allow-env="))!.split("=")[1].split(",");
  assert.ok(taskEnv.includes("INIT_CWD"));
  for (const args of await compileCommands()) {
    const target = values(args, "--target")[0];
    const os = target.includes("windows") ? "windows" : target.includes("apple") ? "darwin" : "linux";
    for (
      const flag of task.filter((flag) => !/^--allow-(run|env)=/.test(flag) && flag !== LAZY_IMPORTS_FLAG)
    ) {
      assert.ok(args.includes(flag), `${target}: ${flag}`);
    }
    // The binary embeds the modules behind each `import()`: its graph is built whole.
    assert.ok(task.includes(LAZY_IMPORTS_FLAG) && !args.includes(LAZY_IMPORTS_FLAG), target);
    // A binary resolves relative paths against its own working folder, whoever set INIT_CWD.
    const binaryEnv = args.find((arg) => arg.startsWith("--allow-env="))!.split("=")[1].split(",");
    assert.deepEqual(binaryEnv, taskEnv.filter((name) => name !== "INIT_CWD"));
    assert.deepEqual(
      args.filter((arg) => arg.startsWith("--allow-run")),
      [`--allow-run=${BROWSER_OPENERS[os]!.command}`],
      target,
    );
  }
});
