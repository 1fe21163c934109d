/**
 * Each command's `--help` and the README's flag table for it name the same flags, and the parser takes
 * every flag the README shows.
 */
import assert from "node:assert/strict";
import { runCli } from "./run.ts";

const README = await Deno.readTextFile(new URL("../../README.md", import.meta.url));

/** Every command with a flag table, and the heading's start that names it in the README. */
const COMMANDS: [string, string][] = [
  ["sync", "### `photosync [sync]"],
  ["takeout", "### `photosync takeout"],
  ["pick", "### `photosync pick"],
  ["status", "### `photosync status"],
  ["verify", "### `photosync verify"],
  ["report", "### `photosync report"],
  ["query", "### `photosync query"],
  ["token", "### `photosync token"],
];

/** A value for each placeholder the README's tables use, that the parser takes. */
const SAMPLES: Record<string, string> = {
  DIR: "photos",
  FILE: "clientsecret.json",
  N: "2",
  SECONDS: "5",
  TEMPLATE: "{year}/{month}",
  DURATION: "1h",
  "FROM[:TO]": "2024-01-01",
  ID: "AF1Qip",
  SCOPE: "picker",
};

/** The exit code and what `runCli(args)` printed on stdout. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    sink: { stdout: (text) => stdout += text, stderr: (text) => stderr += text },
    env: () => undefined,
    stdin: new ReadableStream({ start: (controller) => controller.close() }),
    stdinIsTerminal: false,
    stderrIsTerminal: false,
  });
  return { code, stdout, stderr };
}

/** The flags of the option lines of a help text (`  --dir DIR   ...`, `  --quiet, --verbose   ...`). */
function helpFlags(help: string): Set<string> {
  const flags = new Set<string>();
  for (const line of help.split("\n")) {
    const names = /^ {2}(--\S.*?)(?: {2,}|$)/.exec(line)?.[1];
    for (const [flag] of names?.matchAll(/--[a-z][a-z-]*/g) ?? []) flags.add(flag);
  }
  return flags;
}

/** The flags in the first column of the README's table under `heading`, each with its placeholder, if any. */
function readmeFlags(heading: string): Map<string, string | undefined> {
  const start = README.split("\n").findIndex((line) => line.startsWith(heading));
  assert.ok(start >= 0, `no README section ${heading}`);
  const flags = new Map<string, string | undefined>();
  for (const line of README.split("\n").slice(start + 1)) {
    if (line.startsWith("#")) break;
    const cell = /^\| ([^|]+) \|/.exec(line)?.[1];
    for (const [, flag, value] of cell?.matchAll(/`(--[a-z][a-z-]*)(?: ([^`]+))?`/g) ?? []) {
      flags.set(flag, value);
    }
  }
  assert.ok(flags.size > 0, `no flag table under ${heading}`);
  return flags;
}

for (const [command, heading] of COMMANDS) {
  Deno.test(`photosync ${command} --help and the README's table name the same flags`, async () => {
    const help = await run([command, "--help"]);
    assert.equal(help.code, 0, help.stderr);
    const documented = readmeFlags(heading);
    assert.deepEqual([...helpFlags(help.stdout)].sort(), [...documented.keys()].sort());
  });

  Deno.test(`photosync ${command} takes every flag of its README table`, async () => {
    for (const [flag, value] of readmeFlags(heading)) {
      const arg = value === undefined ? flag : `${flag}=${SAMPLES[value] ?? value}`;
      // --help answers once the flags are parsed and checked, before anything runs.
      const flags = flag === "--help" ? [arg] : [arg, "--help"];
      const result = await run([command, ...flags]);
      assert.equal(result.code, 0, `${command} ${arg}: ${result.stderr}`);
    }
  });
}

Deno.test("every command: help COMMAND prints COMMAND --help, and COMMAND --version the version", async () => {
  for (const [command] of COMMANDS) {
    const [viaHelp, viaFlag] = [await run(["help", command]), await run([command, "--help"])];
    assert.equal(viaFlag.code, 0, command);
    assert.match(viaFlag.stdout, /--dir DIR/, command);
    assert.deepEqual(viaHelp, viaFlag, command);
    const version = await run([command, "--version"]);
    assert.deepEqual([version.code, version.stdout.trim()], [0, "photosync 0.1.0"], command);
  }
});
