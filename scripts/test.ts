/**
 * `deno task test`: runs the test suite and ends with a plain `N passed, N failed` line.
 *
 * Without arguments it runs, in parallel (see {@link jobs}):
 * - the CLI tests in `tests/`, the longest first (see {@link WEIGHTS}): one module each, but the short
 *   ones share one (see {@link SHARED_MODULE_WEIGHT});
 * - the unit tests beside the code (the `*_test.ts` files in `lib/` and `testing/`), imported by
 *   two modules (one for `lib/`, one for `testing/`);
 * - the `@example` blocks of the JSDoc in `lib/`, `scripts/` and `testing/` (what `deno test --doc` runs),
 *   one test each, imported by one module.
 *
 * Why so few modules: `deno test` starts every test module (and every JSDoc block it runs) in a new
 * runtime, about 0.3 s of CPU each; the ~90 unit test files and example blocks cost about 25 s of CPU
 * that way. Every test runs as before, under its own name. The run does not type-check: `deno task
 * check` type-checks every module and every JSDoc example (`deno check --doc`), and a second check here
 * (another set of roots, so not cached) cost 5 to 8 s on one core before any test started.
 *
 * Arguments replace all that and go to `deno test` as they are (e.g. a test file or `--filter`).
 * @module
 */
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * CPU seconds of each CLI test file (user + sys, test process and CLI children, measured on the 2-core
 * machine: `deno test --allow-all --no-check tests/FILE`, one file at a time), to start the longest
 * first: a long file started last would run alone at the end. A file not listed (all measured under 4 s)
 * counts as {@link DEFAULT_WEIGHT}. Only the order, and which files share a module, depend on these figures.
 */
const WEIGHTS: Record<string, number> = {
  "sync.test.ts": 19,
  "takeout_runs.test.ts": 18,
  "takeout.test.ts": 13,
  "ci_backup.test.ts": 13,
  "crash.test.ts": 12,
  "faults.test.ts": 10,
  "authorise_again.test.ts": 10,
  "pick.test.ts": 9,
  "takeout_webdav.test.ts": 8,
  "takeout_chain.test.ts": 8,
  "cli.test.ts": 8,
  "takeout_scale.test.ts": 8,
  "auth.test.ts": 7,
  "shared_file.test.ts": 7,
  "takeout_drive.test.ts": 6,
  "interrupt.test.ts": 6,
  "takeout_input.test.ts": 5,
  "takeout_names.test.ts": 5,
  "run_control.test.ts": 4,
  "report_browser.test.ts": 3,
  "verify.test.ts": 3,
};
const DEFAULT_WEIGHT = 2;
/**
 * CLI test files of at most this weight share one module (one runtime: about 0.3 s of CPU each saved); the
 * longer ones keep a module each, so that they spread over the jobs.
 */
const SHARED_MODULE_WEIGHT = 4;
/** CPU seconds of the unit tests of `lib/` and of `testing/`, and of the JSDoc examples, so imported. */
const BUNDLE_WEIGHTS = { lib: 7, testing: 3, doc: 3 };

/**
 * Test modules run at once: by default one more than the cores. A CLI test mostly waits for its child
 * process or the emulator, so with one module per core a core idles now and then; more than one extra
 * only adds contention. `DENO_JOBS` sets it.
 */
function jobs(): string {
  return Deno.env.get("DENO_JOBS") ?? String(navigator.hardwareConcurrency + 1);
}

/** The files under `dir` (relative to the root, `/`-separated) whose name passes `test`, sorted. */
async function filesUnder(dir: string, test: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await filesUnder(path, test));
    else if (entry.isFile && test(entry.name)) found.push(path);
  }
  return found.sort();
}

const isTest = (name: string) => /[._]test\.(ts|tsx|js|mjs|jsx)$/.test(name);
const isSource = (name: string) => /\.(ts|tsx|js|mjs|jsx)$/.test(name) && !isTest(name);

/** A module that imports `files` (relative to the root): their `Deno.test`s run in one runtime. */
function importsOf(files: string[]): string {
  return files.map((file) => `import ${JSON.stringify(pathToFileURL(join(ROOT, file)).href)};\n`).join("");
}

/** One runnable code block of a JSDoc comment: its file, the lines of its fences (1-based), and its code. */
export interface DocBlock {
  file: string;
  start: number;
  end: number;
  code: string;
}

/**
 * The blocks `deno test --doc` runs: fenced `ts`, `typescript`, `js`, `javascript`, `tsx`, `jsx` blocks in
 * JSDoc comments, but not those marked `ignore`.
 *
 * @example A block is found with its lines, the comment's stars gone
 * ```ts
 * import { docBlocks } from "./test.ts";
 * import assert from "node:assert/strict";
 *
 * const fence = "`".repeat(3);
 * const text = ["/**", " * @example", ` * ${fence}ts`, " * const x = 1;", ` * ${fence}`, " * /"].join("\n");
 * assert.deepEqual(docBlocks("a.ts", text), [{ file: "a.ts", start: 3, end: 5, code: "const x = 1;" }]);
 * ```
 */
export function docBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split("\n");
  const blocks: DocBlock[] = [];
  const fence = /^\s*\*\s?```(\S*)(.*)$/;
  for (let i = 0; i < lines.length; i++) {
    const open = fence.exec(lines[i]);
    if (!open || open[1] === "") continue;
    const close = lines.findIndex((line, j) => j > i && /^\s*\*\s?```\s*$/.test(line));
    if (close < 0) break;
    const runnable = ["ts", "typescript", "js", "javascript", "tsx", "jsx"].includes(open[1]) &&
      !/\bignore\b/.test(open[2]);
    if (runnable) {
      const code = lines.slice(i + 1, close).map((line) => line.replace(/^\s*\*\s?/, "")).join("\n");
      blocks.push({ file, start: i + 1, end: close + 1, code });
    }
    i = close;
  }
  return blocks;
}

/**
 * A block as a module of its own, written elsewhere: its relative imports made absolute (they are
 * relative to its file), and, as `deno test --doc` does, the exports of its file (`exports`) that it
 * neither imports nor declares imported from there.
 */
function blockModule(block: DocBlock, exports: string[]): string {
  const base = pathToFileURL(join(ROOT, block.file));
  const code = block.code.replace(
    /(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.\.?\/[^"']+)\2/g,
    (_, keyword: string, quote: string, specifier: string) =>
      `${keyword}${quote}${new URL(specifier, base).href}${quote}`,
  );
  const bound = new Set<string>();
  for (const [statement] of code.matchAll(/^\s*import\b[^;]*?\bfrom\b/gms)) {
    for (const [name] of statement.replace(/\bfrom$/, "").matchAll(/[\p{L}_$][\p{L}\p{N}_$]*/gu)) {
      bound.add(name);
    }
  }
  for (
    const [, name] of code.matchAll(
      /^(?:const|let|var|function|class|async function)\s+([\p{L}_$][\p{L}\p{N}_$]*)/gmu,
    )
  ) {
    bound.add(name);
  }
  const missing = exports.filter((name) => !bound.has(name));
  const header = missing.length > 0
    ? `import { ${missing.join(", ")} } from ${JSON.stringify(base.href)};\n`
    : "";
  return header + code;
}

/** The default run's modules, written into `dir`: the CLI tests and the bundles, longest first. */
async function suiteModules(dir: string): Promise<string[]> {
  const weighted: [string, number][] = [];
  const short: string[] = [];
  let shortWeight = 0;
  for (const file of await filesUnder("tests", isTest)) {
    const weight = WEIGHTS[file.slice("tests/".length)] ?? DEFAULT_WEIGHT;
    if (weight > SHARED_MODULE_WEIGHT) weighted.push([file, weight]);
    else {
      short.push(file);
      shortWeight += weight;
    }
  }
  const shortModule = join(dir, "short_cli_tests.ts");
  await Deno.writeTextFile(shortModule, importsOf(short));
  weighted.push([shortModule, shortWeight]);
  for (const folder of ["lib", "testing"] as const) {
    const module = join(dir, `${folder}_unit_tests.ts`);
    await Deno.writeTextFile(module, importsOf(await filesUnder(folder, isTest)));
    weighted.push([module, BUNDLE_WEIGHTS[folder]]);
  }
  const blocks: DocBlock[] = [];
  for (const folder of ["lib", "scripts", "testing"]) {
    for (const file of await filesUnder(folder, isSource)) {
      blocks.push(...docBlocks(file, await Deno.readTextFile(join(ROOT, file))));
    }
  }
  const tests: string[] = [];
  const exports = new Map<string, string[]>();
  for (const [i, block] of blocks.entries()) {
    if (!exports.has(block.file)) {
      const url = pathToFileURL(join(ROOT, block.file)).href;
      exports.set(block.file, Object.keys(await import(url)).filter((name) => name !== "default"));
    }
    const module = join(dir, `doc_${i}.ts`);
    await Deno.writeTextFile(module, blockModule(block, exports.get(block.file)!));
    const name = `${block.file}$${block.start}-${block.end}`;
    tests.push(`Deno.test(${JSON.stringify(name)}, async () => {
  await import(${JSON.stringify(pathToFileURL(module).href)});
});\n`);
  }
  const docs = join(dir, "doc_examples.ts");
  await Deno.writeTextFile(docs, tests.join(""));
  weighted.push([docs, BUNDLE_WEIGHTS.doc]);
  return weighted.sort((a, b) => b[1] - a[1]).map(([module]) => module);
}

if (import.meta.main) {
  const bundles = Deno.args.length > 0 ? undefined : await Deno.makeTempDir({ prefix: "photosync-suite-" });
  const args = bundles === undefined ? Deno.args : [
    "--no-check",
    "--config",
    join(ROOT, "deno.json"),
    ...(await suiteModules(bundles)).map((module) => relative(Deno.cwd(), module)),
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--parallel", ...args],
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1", DENO_JOBS: jobs() },
  }).spawn();

  let tail = "";
  const encoder = new TextEncoder();
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    await Deno.stdout.write(encoder.encode(chunk));
    tail = (tail + chunk).slice(-4096);
  }
  const { code } = await child.status;
  if (bundles !== undefined) await Deno.remove(bundles, { recursive: true });
  // Deno's summary, the last line of this shape: "ok | 12 passed (3 steps) | 0 failed (4s)" or
  // "FAILED | 3 passed (2 steps) | 2 failed (1 step) | 1 ignored (1s)". Doc tests count as tests.
  const summary = [...tail.matchAll(/^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/gm)]
    .at(-1);
  const passed = summary ? Number(summary[1]) : 0;
  const failed = summary ? Number(summary[2]) : 1;
  await Deno.stdout.write(encoder.encode(`\n${passed} passed, ${failed} failed\n`));
  Deno.exit(code !== 0 ? code : failed > 0 || !summary ? 1 : 0);
}
