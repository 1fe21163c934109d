import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { parseConcurrency, parseDuration, parseFlags, parseSize, parseTimeout } from "./args.ts";

/** Assert that `fn` throws a {@link UsageError} (exit code 2) with exactly `message`. */
function assertUsageError(fn: () => unknown, message: string, label: string) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof UsageError, `${label}: ${error}`);
    assert.equal(error.message, message, label);
    assert.equal(error.exitCode, 2);
    return true;
  });
}

const OPTIONS = {
  dir: { type: "string", default: "." },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

Deno.test("parseFlags: values, defaults and positionals", () => {
  const cases: { args: string[]; positionals?: number; values: Record<string, unknown>; rest?: string[] }[] =
    [
      { args: [], values: { dir: "." } },
      { args: ["--dir=photos", "--json"], values: { dir: "photos", json: true } },
      { args: ["--dir", "photos"], values: { dir: "photos" } },
      { args: ["--dir=a", "--dir=b"], values: { dir: "b" } },
      { args: ["--dir="], values: { dir: "" } },
      { args: ["-h"], values: { dir: ".", help: true } },
      { args: ["ID1", "--json"], positionals: 1, values: { dir: ".", json: true }, rest: ["ID1"] },
      { args: ["--", "--json"], positionals: 1, values: { dir: "." }, rest: ["--json"] },
    ];
  for (const { args, positionals, values, rest = [] } of cases) {
    const parsed = parseFlags("status", args, OPTIONS, positionals);
    assert.deepEqual({ ...parsed.values }, values, args.join(" "));
    assert.deepEqual(parsed.positionals, rest, args.join(" "));
  }
});

Deno.test("parseFlags: mistakes become one-line UsageErrors naming the command", () => {
  const cases: { args: string[]; positionals?: number; message: string }[] = [
    { args: ["--bogus"], message: "unknown flag --bogus; see photosync status --help" },
    { args: ["-x"], message: "unknown flag -x; see photosync status --help" },
    { args: ["-hx"], message: "unknown flag -x; see photosync status --help" },
    { args: ["--Dir=photos"], message: "unknown flag --Dir; see photosync status --help" },
    { args: ["--dir"], message: "Option '--dir <value>' argument missing; see photosync status --help" },
    {
      args: ["--json=yes"],
      message: "Option '--json' does not take an argument; see photosync status --help",
    },
    { args: ["extra"], message: 'unexpected argument "extra"; see photosync status --help' },
    // A full stop in the argument does not cut the message short.
    { args: ["photo.jpg"], message: 'unexpected argument "photo.jpg"; see photosync status --help' },
    { args: ["--", "--json"], message: 'unexpected argument "--json"; see photosync status --help' },
    { args: ["a", "b.c"], positionals: 1, message: 'unexpected argument "b.c"; see photosync status --help' },
  ];
  for (const { args, positionals, message } of cases) {
    assertUsageError(() => parseFlags("status", args, OPTIONS, positionals), message, args.join(" "));
  }
});

/**
 * `parse` turns each of `good` into its value and refuses each of `bad` with the {@link UsageError} `message`
 * gives for it.
 */
function assertParses(
  parse: (text: string | undefined) => number | undefined,
  good: [string | undefined, number | undefined][],
  bad: string[],
  message: (text: string) => string,
) {
  for (const [text, value] of good) assert.equal(parse(text), value, String(text));
  for (const text of bad) assertUsageError(() => parse(text), message(text), text);
}

Deno.test("parseTimeout: seconds from 0.1 to 3600, in milliseconds", () => {
  assertParses(
    parseTimeout,
    [
      [undefined, undefined],
      ["0.1", 100],
      ["0.3", 300],
      ["1", 1000],
      ["60", 60_000],
      ["2.5", 2500],
      ["3600", 3_600_000],
      ["3600.0", 3_600_000],
    ],
    ["0", "0.0", "0.05", "3600.5", "3601", "-1", "", " 5", "5s", "1e3", ".5", "10.", "Infinity", "NaN"],
    (text) => `--timeout must be a number of seconds from 0.1 to 3600, not "${text}"`,
  );
});

Deno.test("parseConcurrency: a whole number from 1 to 64", () => {
  assertParses(
    parseConcurrency,
    [[undefined, undefined], ["1", 1], ["8", 8], ["08", 8], ["64", 64]],
    ["0", "65", "1000", "-1", "+2", "1.0", "2.5", "", " 4", "four", "0x10"],
    (text) => `--concurrency must be a whole number from 1 to 64, not "${text}"`,
  );
});

Deno.test("parseDuration: hours, minutes and seconds in that order, from 0.1s to 500h, in milliseconds", () => {
  assertParses(
    parseDuration,
    [
      [undefined, undefined],
      ["5h30m", 19_800_000],
      ["90m", 5_400_000],
      ["45s", 45_000],
      ["1h2m3s", 3_723_000],
      ["1.5h", 5_400_000],
      ["0.1s", 100],
      ["2h0m", 7_200_000],
      ["500h", 1_800_000_000],
    ],
    ["", "90", "5m30h", "1d", "0s", "0.05s", "501h", "-5m", "5 m", "h", "1.h", "5H", "1e3s"],
    (text) => `--max-time must be a duration such as 5h30m, 90m or 45s (from 0.1s to 500h), not "${text}"`,
  );
});

Deno.test("parseSize: a number and a unit, decimal or binary, any case, from 1B to 1PB, in bytes", () => {
  assertParses(
    parseSize,
    [
      [undefined, undefined],
      ["500MB", 500_000_000],
      ["10GB", 10_000_000_000],
      ["1.5TB", 1_500_000_000_000],
      ["512MiB", 536_870_912],
      ["2GiB", 2_147_483_648],
      ["100kB", 100_000],
      ["400mb", 400_000_000],
      ["1B", 1],
      ["1000TB", 1e15],
    ],
    ["", "500", "MB", "0MB", "0.1B", "5 MB", "-5MB", "1.MB", "10XB", "1e3MB", "1001TB", "10G"],
    (text) => `--max-bytes must be a size such as 500MB, 10GB or 512MiB (from 1B to 1PB), not "${text}"`,
  );
});
