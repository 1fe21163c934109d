import assert from "node:assert/strict";
import { Renderer } from "../render.ts";
import { UsageError } from "../../core/errors.ts";
import { describe, parseVerifyFlags } from "./verify.ts";

Deno.test("verify's progress line: files, bytes of the total, rate and ETA, no index count", () => {
  let now = 0;
  const renderer = new Renderer({ tty: false, now: () => now });
  renderer.progress({ action: "verified", filesTotal: 4, bytesTotal: 4_000_000, files: 0, bytes: 0 });
  now = 2000;
  renderer.progress({ files: 1, bytes: 1_000_000 });
  assert.equal(renderer.describe(), "verified 1/4 files, 1.0 MB of 4.0 MB, 500.0 kB/s · ETA 6s");
});

Deno.test("verify's summary: the problems, one a line, then what was found and what puts it back", () => {
  const problems = [
    { id: "a", source: "library", path: "2019/01/01/a.jpg", kind: "missing" as const, hash: "00" },
    {
      id: "b",
      source: "takeout",
      path: "2019/01/02/b.jpg",
      kind: "changed" as const,
      detail: "1 bytes, recorded 2",
      hash: "11",
    },
  ];
  const report = {
    files: 2,
    bytes: 3,
    problems,
    unknown: ["x.txt"],
    left: [{ path: "2019/01/01/c.jpg", of: "2019/01/03/c.jpg" }],
    hashed: 1,
    movedAside: [],
    repaired: [],
    notRepaired: [],
  };
  assert.deepEqual(describe(report, "photos", 1), [
    "missing 2019/01/01/a.jpg (a)",
    "changed 2019/01/02/b.jpg (b): 1 bytes, recorded 2",
    "unknown x.txt (not in sync.db)",
    "left 2019/01/01/c.jpg: a second name of 2019/01/03/c.jpg that a stopped move left (one file; the next sync, pick, takeout or verify --repair removes it)",
    "verified 2 files (3 B) in 1s: 1 missing, 1 changed; 1 file not in sync.db",
    "recorded the sha256 of 1 file that had none (their size and mtime were as recorded)",
    "photosync verify --dir photos --repair puts the downloaded files back (changed files are kept aside)",
    "after that repair, photosync takeout --dir photos with the export's archives again (or --drive, or " +
    "--from=URL) puts the Takeout files back",
  ]);
});

Deno.test("verify's summary after a repair that restored nothing (a Takeout file) says what puts it back, not to repair again", () => {
  const problem = {
    id: "t",
    source: "takeout",
    path: "2019/01/02/t.jpg",
    kind: "missing" as const,
    hash: "11",
  };
  const lines = describe(
    {
      files: 1,
      bytes: 1,
      problems: [problem],
      unknown: [],
      left: [],
      hashed: 0,
      movedAside: [],
      repaired: [],
      notRepaired: [{
        ...problem,
        reason: "run photosync takeout --dir photos with the export's archives again",
      }],
    },
    "photos",
    1,
  );
  assert.ok(
    lines.includes(
      "not restored 2019/01/02/t.jpg: run photosync takeout --dir photos with the export's archives again",
    ),
  );
  assert.ok(!lines.some((line) => line.includes("--repair")), lines.join("\n"));
});

Deno.test("parseVerifyFlags: each flag, the repair's as sync defines them", () => {
  const cases: [string[], Record<string, unknown>][] = [
    [[], { dir: "." }],
    [["--dir=photos", "--json"], { dir: "photos", json: true }],
    [["--repair", "--creds=client.json"], { dir: ".", repair: true, creds: "client.json" }],
    [["--repair", "--no-browser"], { dir: ".", repair: true, "no-browser": true }],
    // Values are checked later (parseConcurrency, parseTimeout).
    [["--repair", "--concurrency=99", "--timeout=0.5"], {
      dir: ".",
      repair: true,
      concurrency: "99",
      timeout: "0.5",
    }],
    // --help answers before anything is checked.
    [["--creds=client.json", "--help"], { dir: ".", creds: "client.json", help: true }],
  ];
  for (const [args, expected] of cases) {
    assert.deepEqual({ ...parseVerifyFlags(args) }, expected, args.join(" "));
  }
});

Deno.test("parseVerifyFlags: the repair's flags without --repair, and mistakes, are UsageErrors", () => {
  const cases: [string[], string][] = [
    [
      ["--creds=client.json"],
      "--creds is for verify --repair only (the repair's downloads); see photosync verify --help",
    ],
    [
      ["--no-browser"],
      "--no-browser is for verify --repair only (the repair's downloads); see photosync verify --help",
    ],
    [
      ["--concurrency=4"],
      "--concurrency is for verify --repair only (the repair's downloads); see photosync verify --help",
    ],
    [
      ["--timeout=5"],
      "--timeout is for verify --repair only (the repair's downloads); see photosync verify --help",
    ],
    [
      ["--no-browser=1", "--repair"],
      "Option '--no-browser' does not take an argument; see photosync verify --help",
    ],
    [["--creds"], "Option '--creds <value>' argument missing; see photosync verify --help"],
    [["--browser"], "unknown flag --browser; see photosync verify --help"],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseVerifyFlags(args), (error) => {
      assert.ok(error instanceof UsageError, args.join(" "));
      assert.equal(error.message, message, args.join(" "));
      return true;
    });
  }
});
