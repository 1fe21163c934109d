/**
 * `deno task compile`: self-contained executables for the five release targets in `dist/`.
 * `deno compile` downloads a runtime (denort) per target, so this runs where that is
 * reachable: the release workflow (.github/workflows/release.yml).
 * @module
 */
import { runFlags } from "./run_flags.ts";

const TARGETS: Record<string, typeof Deno.build.os> = {
  "x86_64-unknown-linux-gnu": "linux",
  "aarch64-unknown-linux-gnu": "linux",
  "x86_64-apple-darwin": "darwin",
  "aarch64-apple-darwin": "darwin",
  "x86_64-pc-windows-msvc": "windows",
};

/** Worker modules (photosync falls back to the main thread when one is missing, only slower). */
const WORKERS = ["lib/sources/takeout/stage_worker.ts"];

const only = Deno.args.length > 0 ? Deno.args : Object.keys(TARGETS);
for (const target of only) {
  const os = TARGETS[target];
  if (!os) throw new Error(`unknown target ${target}; use one of ${Object.keys(TARGETS).join(", ")}`);
  const output = `dist/photosync-${target}${target.includes("windows") ? ".exe" : ""}`;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      ...runFlags([os]),
      "--no-prompt",
      "--target",
      target,
      "--output",
      output,
      // Loaded by `new Worker(...)`, which deno compile does not follow on its own.
      ...WORKERS.flatMap((worker) => ["--include", worker]),
      "main.ts",
    ],
  }).spawn().status;
  if (code !== 0) Deno.exit(code);
}
