/**
 * `deno task compile`: self-contained executables for the five release targets in `dist/`.
 * `deno compile` downloads a runtime (denort) per target, so this runs where that is
 * reachable: the release workflow (.github/workflows/release.yml). `--dry-run` prints each
 * `deno compile` command line (one JSON array a line) instead of running it.
 * @module
 */
import { BROWSER_OPENERS } from "../lib/cli/browser.ts";
import { LAZY_IMPORTS_FLAG, runFlags } from "../testing/run_flags.ts";

const TARGETS: Record<string, typeof Deno.build.os> = {
  "x86_64-unknown-linux-gnu": "linux",
  "aarch64-unknown-linux-gnu": "linux",
  "x86_64-apple-darwin": "darwin",
  "aarch64-apple-darwin": "darwin",
  "x86_64-pc-windows-msvc": "windows",
};

/** Worker modules (photosync falls back to the main thread when one is missing, only slower). */
const WORKERS = ["lib/core/hash_worker.ts", "lib/sources/takeout/stage_worker.ts"];

/** Read by `deno task photosync` only (the folder the task was run from); a binary uses its own working folder. */
export const TASK_ONLY_ENV = "INIT_CWD";

/**
 * The `deno run` flags of deno.json's task, but for `--allow-run`, which names the browser opener of the
 * target's system (the task names those of Linux and macOS), and without {@link TASK_ONLY_ENV} and
 * {@link LAZY_IMPORTS_FLAG} (the binary holds every command's modules).
 */
function targetFlags(os: typeof Deno.build.os): string[] {
  const opener = BROWSER_OPENERS[os]?.command;
  const binaryFlag = (flag: string) =>
    flag.startsWith("--allow-env=")
      ? `--allow-env=${flag.slice("--allow-env=".length).split(",").filter((name) => name !== TASK_ONLY_ENV)}`
      : flag;
  return [
    ...runFlags().filter((flag) => !flag.startsWith("--allow-run=") && flag !== LAZY_IMPORTS_FLAG).map(
      binaryFlag,
    ),
    ...(opener ? [`--allow-run=${opener}`] : []),
  ];
}

const dryRun = Deno.args.includes("--dry-run");
const targets = Deno.args.filter((arg) => arg !== "--dry-run");
const only = targets.length > 0 ? targets : Object.keys(TARGETS);
for (const target of only) {
  const os = TARGETS[target];
  if (!os) throw new Error(`unknown target ${target}; use one of ${Object.keys(TARGETS).join(", ")}`);
  const output = `dist/photosync-${target}${target.includes("windows") ? ".exe" : ""}`;
  const args = [
    "compile",
    ...targetFlags(os),
    "--no-prompt",
    "--target",
    target,
    "--output",
    output,
    // Loaded by `new Worker(...)`, which deno compile does not follow on its own.
    ...WORKERS.flatMap((worker) => ["--include", worker]),
    "main.ts",
  ];
  if (dryRun) {
    await Deno.stdout.write(new TextEncoder().encode(`${JSON.stringify(args)}\n`));
    continue;
  }
  const { code } = await new Deno.Command(Deno.execPath(), { args }).spawn().status;
  if (code !== 0) Deno.exit(code);
}
