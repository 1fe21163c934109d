import assert from "node:assert/strict";
import { UsageError } from "../../core/errors.ts";
import { DEFAULT_LAYOUT } from "../../core/layout.ts";
import { parseSyncFlags } from "./sync.ts";

const DEFAULTS = { dir: ".", layout: DEFAULT_LAYOUT };

Deno.test("parseSyncFlags: each flag, with the defaults for --dir and --layout", () => {
  const cases: [string[], Record<string, unknown>][] = [
    [[], DEFAULTS],
    [["--dir=photos"], { ...DEFAULTS, dir: "photos" }],
    [["--dir", "my photos"], { ...DEFAULTS, dir: "my photos" }],
    [["--creds=client.json"], { ...DEFAULTS, creds: "client.json" }],
    [["--all"], { ...DEFAULTS, all: true }],
    [["--dates=2024-01-01:2024-12-31"], { ...DEFAULTS, dates: "2024-01-01:2024-12-31" }],
    [["--resync"], { ...DEFAULTS, resync: true }],
    [["--index-only"], { ...DEFAULTS, "index-only": true }],
    // Values are checked later (parseConcurrency, parseTimeout, parseDateRange, layoutMapper).
    [["--concurrency=99"], { ...DEFAULTS, concurrency: "99" }],
    [["--timeout=0.5"], { ...DEFAULTS, timeout: "0.5" }],
    [["--layout={year}"], { ...DEFAULTS, layout: "{year}" }],
    [["--layout="], { ...DEFAULTS, layout: "" }],
    [["--query=AF1Qip"], { ...DEFAULTS, query: "AF1Qip" }],
    [["--no-browser"], { ...DEFAULTS, "no-browser": true }],
    [["--quiet"], { ...DEFAULTS, quiet: true }],
    [["--verbose"], { ...DEFAULTS, verbose: true }],
    [["-h"], { ...DEFAULTS, help: true }],
    [["--help"], { ...DEFAULTS, help: true }],
    [["--version"], { ...DEFAULTS, version: true }],
    // The last of a repeated flag wins.
    [["--dir=a", "--dir=b"], { ...DEFAULTS, dir: "b" }],
    [["--all", "--dates=2024-01-01"], { ...DEFAULTS, all: true, dates: "2024-01-01" }],
  ];
  for (const [args, expected] of cases) {
    assert.deepEqual({ ...parseSyncFlags(args) }, expected, args.join(" "));
  }
});

Deno.test("parseSyncFlags: mistakes are UsageErrors pointing at photosync sync --help", () => {
  const cases: [string[], string][] = [
    [["--bogus"], "unknown flag --bogus; see photosync sync --help"],
    [["--date=2024-01-01"], "unknown flag --date; see photosync sync --help"],
    [["--no-quiet"], "unknown flag --no-quiet; see photosync sync --help"],
    [["-v"], "unknown flag -v; see photosync sync --help"],
    [["--dir"], "Option '--dir <value>' argument missing; see photosync sync --help"],
    [["--all=yes"], "Option '--all' does not take an argument; see photosync sync --help"],
    [["--no-browser=1"], "Option '--no-browser' does not take an argument; see photosync sync --help"],
    [["photos"], 'unexpected argument "photos"; see photosync sync --help'],
    [["IMG_0001.jpg"], 'unexpected argument "IMG_0001.jpg"; see photosync sync --help'],
    [["--quiet", "--verbose"], "--quiet and --verbose cannot be combined: choose one"],
    [["--verbose", "--dir=x", "--quiet"], "--quiet and --verbose cannot be combined: choose one"],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseSyncFlags(args), (error) => {
      assert.ok(error instanceof UsageError, args.join(" "));
      assert.equal(error.message, message, args.join(" "));
      return true;
    });
  }
});
