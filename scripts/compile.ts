/**
 * `deno task compile`: self-contained executables for the five release targets in `dist/`.
 * `deno compile` downloads a runtime (denort) per target, so this runs where that is
 * reachable: the release workflow (.github/workflows/release.yml).
 * @module
 */
import { RUN_PERMISSIONS } from "./permissions.ts";

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const only = Deno.args.length > 0 ? Deno.args : TARGETS;
for (const target of only) {
  const output = `dist/photosync-${target}${target.includes("windows") ? ".exe" : ""}`;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["compile", ...RUN_PERMISSIONS, "--no-prompt", "--target", target, "--output", output, "main.ts"],
  }).spawn().status;
  if (code !== 0) Deno.exit(code);
}
