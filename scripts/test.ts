/**
 * `deno task test`: runs the test suite and ends with a plain `N passed, N failed` line.
 *
 * Without arguments it runs, in parallel (see {@link jobs}), a few generated modules (see {@link packModules}),
 * each importing its share of:
 * - the CLI tests in `tests/`;
 * - the unit tests beside the code (the `*_test.ts` files in `lib/` and `testing/`);
 * - the `@example` blocks of the JSDoc in `lib/`, `scripts/` and `testing/` (what `deno test --doc` runs),
 *   one test each.
 *
 * Why so few modules: `deno test` starts every test module (and every JSDoc block it runs) in a new
 * runtime, which loads that module's graph again (the harness, photosync, the emulator): 0.3 to 0.45 s of
 * CPU each. Every test runs as before, under its own name. The run does not type-check: `deno task
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
 * machine: `deno test --allow-all --no-check tests/FILE`, one file at a time), to share the files out evenly
 * (see {@link packModules}). A file not listed (each measured at 2 s or less) counts as {@link DEFAULT_WEIGHT}.
 * Only which module runs a file, and when, depend on these figures.
 */
const WEIGHTS: Record<string, number> = {
  "sync.test.ts": 26,
  "takeout_runs.test.ts": 25,
  "takeout_input.test.ts": 18,
  "takeout_webdav.test.ts": 37,
  "takeout_chain.test.ts": 15,
  "takeout.test.ts": 12,
  "crash.test.ts": 12,
  "verify.test.ts": 11,
  "faults.test.ts": 10,
  "pick.test.ts": 10,
  "takeout_drive.test.ts": 10,
  "ci_backup.test.ts": 9,
  "auth.test.ts": 7,
  "takeout_names.test.ts": 7,
  "authorise_again.test.ts": 9,
  "xmp_local_days.test.ts": 6,
  "storage_limits.test.ts": 5,
  "shared_file.test.ts": 6,
  "cli.test.ts": 4,
  "interrupt.test.ts": 5,
  "takeout_scale.test.ts": 7,
  "run_control.test.ts": 3,
  "report_browser.test.ts": 4,
  "local_days_downloads.test.ts": 3,
  "report.test.ts": 2,
  "name_local_days.test.ts": 3,
  "security.test.ts": 3,
  "webdav_store.test.ts": 2,
  "foreign_files.test.ts": 2,
};
const DEFAULT_WEIGHT = 1;
/** CPU seconds of the unit tests of `lib/` and of `testing/`, and of the JSDoc examples. */
const BUNDLE_WEIGHTS = { lib: 12, testing: 3, doc: 3 };

/**
 * Test modules run at once: by default one more than the cores. A CLI test mostly waits for its child
 * process or the emulator, so with one module per core a core idles now and then; more than one extra
 * only adds contention. `DENO_JOBS` sets it.
 */
function jobs(): number {
  const jobs = Number(Deno.env.get("DENO_JOBS"));
  return Number.isSafeInteger(jobs) && jobs > 0 ? jobs : navigator.hardwareConcurrency + 1;
}

/** A share of the suite: the modules one generated module imports, and their CPU seconds. */
export interface Share {
  imports: string[];
  weight: number;
}

/**
 * `parts` (each a module to import, and its CPU seconds) shared out into `count` modules of about the same
 * weight, heaviest first: each part, the heaviest first, goes to the lightest module so far. `deno test`
 * starts the modules in that order, `jobs` at a time; with two modules a job, a module that ends early is
 * followed by the next, and the last ones started are no longer than the rest.
 *
 * @example Parts shared out evenly, heaviest module first
 * ```ts
 * import assert from "node:assert/strict";
 * import { packModules } from "./test.ts";
 *
 * const shares = packModules([["a", 5], ["b", 4], ["c", 3], ["d", 3], ["e", 1]], 2);
 * assert.deepEqual(shares, [{ imports: ["a", "d"], weight: 8 }, { imports: ["b", "c", "e"], weight: 8 }]);
 * assert.deepEqual(packModules([["a", 1]], 4), [{ imports: ["a"], weight: 1 }]);
 * ```
 */
export function packModules(parts: [string, number][], count: number): Share[] {
  const shares: Share[] = Array.from({ length: Math.max(1, count) }, () => ({ imports: [], weight: 0 }));
  for (const [module, weight] of parts.toSorted((a, b) => b[1] - a[1])) {
    const lightest = shares.reduce((min, share) => share.weight < min.weight ? share : min);
    lightest.imports.push(module);
    lightest.weight += weight;
  }
  return shares.filter((share) => share.imports.length > 0).sort((a, b) => b.weight - a.weight);
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

/** A module that imports the modules at `urls`: their `Deno.test`s run in one runtime. */
function importsOf(urls: string[]): string {
  return urls.map((url) => `import ${JSON.stringify(url)};\n`).join("");
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

/** The default run's modules, written into `dir`: the suite in two modules a job, heaviest first. */
async function suiteModules(dir: string): Promise<string[]> {
  const url = (file: string) => pathToFileURL(join(ROOT, file)).href;
  const parts: [string, number][] = [];
  for (const file of await filesUnder("tests", isTest)) {
    parts.push([url(file), WEIGHTS[file.slice("tests/".length)] ?? DEFAULT_WEIGHT]);
  }
  for (const folder of ["lib", "testing"] as const) {
    const module = join(dir, `${folder}_unit_tests.ts`);
    await Deno.writeTextFile(module, importsOf((await filesUnder(folder, isTest)).map(url)));
    parts.push([pathToFileURL(module).href, BUNDLE_WEIGHTS[folder]]);
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
      exports.set(
        block.file,
        Object.keys(await import(url(block.file))).filter((name) => name !== "default"),
      );
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
  parts.push([pathToFileURL(docs).href, BUNDLE_WEIGHTS.doc]);
  const modules: string[] = [];
  for (const [i, share] of packModules(parts, 2 * jobs()).entries()) {
    const module = join(dir, `suite_${i + 1}.ts`);
    await Deno.writeTextFile(module, importsOf(share.imports));
    modules.push(module);
  }
  return modules;
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
    env: { NO_COLOR: "1", DENO_JOBS: String(jobs()) },
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
