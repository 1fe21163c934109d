/**
 * The import rules of ARCHITECTURE.md, enforced on the real import graph: every `import`, `export ... from`,
 * dynamic import and module loaded by URL (`new URL(<module>, import.meta.url)`, for a worker) of every .ts
 * file in `main.ts`, `lib/`, `testing/`, `scripts/` and `tests/`, checked against {@linkcode RULES}.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * What each file may import, by folder: the first rule whose `from` matches a file applies to it. Targets are
 * repository paths, `node:<module>` (built-ins) and `npm:<name>` (a dependency declared in deno.json).
 * Patterns: a trailing `/` or `:` is everything under that prefix, `*` one path segment; `<name>` in `from`
 * is a folder that `may` refers to again (a source's own folder). Outside lib/ (scripts/, tests/) any module
 * of lib/ may be imported: "only lib/cli/ imports lib/cli/" is a rule inside the library.
 */
export const RULES: Rule[] = [
  { from: "main.ts", may: ["lib/", "node:"] },
  { from: "lib/core/", may: ["lib/core/", "node:"] },
  { from: "lib/google/", may: ["lib/core/", "lib/google/", "node:", "npm:oauth4webapi"] },
  // A source never imports another source.
  { from: "lib/sources/<name>/", may: ["lib/core/", "lib/google/", "lib/sources/<name>/", "node:", "npm:"] },
  // deno.json: the version that `--version` prints.
  { from: "lib/cli/", may: ["lib/", "deno.json", "node:", "npm:"] },
  // The sources' runs (lib/library.ts, ...): everything in lib/ but the command line.
  { from: "lib/*", may: ["lib/*", "lib/core/", "lib/google/", "lib/sources/", "node:", "npm:"] },
  // testing/ runs photosync through main.ts only: as a child process by its path, with the flags of
  // deno.json's task, or its runCli in-process (bad input, status).
  { from: "testing/", may: ["testing/", "main.ts", "deno.json", "node:", "npm:"] },
  { from: "scripts/", may: ["scripts/", "testing/", "lib/", "deno.json", "node:", "npm:"] },
  { from: "tests/", may: ["tests/", "testing/", "lib/", "main.ts", "deno.json", "node:", "npm:"] },
];

/** One line of {@linkcode RULES}. */
export interface Rule {
  from: string;
  may: string[];
}

/** Import graph: for each file (repository path), what it imports (repository paths, `node:x`, `npm:x`). */
export type Graph = Map<string, string[]>;

/** A pattern of {@linkcode RULES} as a regular expression; `<name>` becomes `name` or a capture. */
function patternRegExp(pattern: string, name?: string): RegExp {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    .replace("<name>", name === undefined ? "([^/]+)" : name.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .replaceAll("*", "[^/]*")
    .replace(/[/:]$/, "$&.*");
  return new RegExp(`^${source}$`);
}

/**
 * Every broken rule of `graph` as a line: an import no rule allows (or of a file no rule covers), and each
 * import circle between files.
 */
export function violations(graph: Graph, rules: readonly Rule[]): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    const rule = rules.map((rule) => ({ rule, match: patternRegExp(rule.from).exec(file) }))
      .find(({ match }) => match);
    if (!rule) {
      found.push(`${file}: no rule covers it`);
      continue;
    }
    const allowed = rule.rule.may.map((pattern) => patternRegExp(pattern, rule.match![1]));
    for (const target of imports) {
      if (!allowed.some((pattern) => pattern.test(target))) {
        found.push(`${file} imports ${target}, which "${rule.rule.from}" may not`);
      }
    }
  }
  return [...found, ...circles(graph).map((circle) => `import circle: ${circle.join(" -> ")}`)];
}

/** The import circles of `graph` (each once, from the file where the search met it). */
function circles(graph: Graph): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    const at = path.indexOf(file);
    if (at >= 0) return found.push([...path.slice(at), file]);
    if (done.has(file)) return;
    path.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

/** Every .ts file under `dir` (a repository path), recursively. */
function* tsFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/**
 * The specifiers a module's text imports. Statements start a line (deno fmt puts them there), which leaves
 * out the `@example` code in JSDoc; they may span lines and be `import type`.
 */
export function specifiers(text: string): string[] {
  const patterns = [
    // import x from "..."; import type { A, B } from "..."; export { a } from "..."; export * from "..."
    /^(?:import|export)\s+(?:type\s+)?[\w\s{},*$]*?\s*from\s*["']([^"']+)["']/gm,
    // import "..."; (for its effects)
    /^import\s*["']([^"']+)["']/gm,
    // A dynamic import, as a value or a type
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    // A module loaded by URL, e.g. for `new Worker`
    /new\s+URL\(\s*["']([^"']+\.ts)["']\s*,\s*import\.meta\.url\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]));
}

/**
 * The specifiers a module's text loads when it is loaded: its static imports and re-exports, not those of
 * types only (erased) nor dynamic ones (loaded when that code runs).
 */
export function loadedSpecifiers(text: string): string[] {
  const patterns = [
    /^(?:import|export)\s+(?!type\s)[\w\s{},*$]*?\s*from\s*["']([^"']+)["']/gm,
    /^import\s*["']([^"']+)["']/gm,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]));
}

/** A specifier of `file` as a graph target: a repository path, `node:x`, `npm:<name>`, or itself. */
function target(file: string, specifier: string): string {
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    return relative(ROOT, normalize(join(ROOT, dirname(file), specifier)));
  }
  if (specifier.startsWith("node:")) return specifier;
  const declared = (denoJson.imports as Record<string, string>)[specifier];
  if (declared?.startsWith("npm:")) return `npm:${specifier}`;
  return specifier; // jsr:, https:, an undeclared npm: — allowed by no rule
}

/** Whether a repository path is a file. */
function isFile(path: string): boolean {
  try {
    return Deno.statSync(join(ROOT, path)).isFile;
  } catch {
    return false;
  }
}

/** The repository's import graph. */
function repositoryGraph(): Graph {
  const files = ["main.ts", ...["lib", "testing", "scripts", "tests"].flatMap((dir) => [...tsFiles(dir)])];
  return new Map(files.map((file) => {
    const text = Deno.readTextFileSync(join(ROOT, file));
    return [file, [...new Set(specifiers(text).map((specifier) => target(file, specifier)))]];
  }));
}

Deno.test("the import graph keeps the rules: lib/core knows nothing else, sources know no other source, testing/ no lib/, no circles", () => {
  const graph = repositoryGraph();
  assert.ok(graph.size > 100, `${graph.size} files read`);
  // The reader found the edges it must: a multi-line `import type`, a worker loaded by URL, a re-export.
  assert.ok(graph.get("lib/sources/takeout/stage_pool.ts")!.includes("lib/sources/takeout/stage_worker.ts"));
  assert.ok(graph.get("testing/harness.ts")!.includes("testing/emulator.ts"));
  assert.ok(graph.get("testing/emulator.ts")!.includes("testing/emulator/server.ts"));
  // Every file imported is there (but a unit test may name a missing module on purpose: a missing worker).
  for (const [file, targets] of graph) {
    if (file.endsWith("_test.ts")) continue;
    for (const path of targets.filter((target) => !/^(node|npm):/.test(target))) {
      assert.ok(graph.has(path) || isFile(path), `${file} imports ${path}, which is no file`);
    }
  }
  assert.deepEqual(violations(graph, RULES), []);
});

/** The modules (repository paths, `node:` and `npm:` specifiers) that loading `starts` loads up front. */
function loadedBy(starts: string[]): Set<string> {
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    if (/^(node|npm):/.test(file)) return;
    const text = Deno.readTextFileSync(join(ROOT, file));
    for (const specifier of loadedSpecifiers(text)) visit(target(file, specifier));
  };
  starts.forEach(visit);
  return loaded;
}

Deno.test("sync and pick load no EXIF reader nor zone outlines up front: they are imported where first used", () => {
  // A `sync`, `pick` or `status` run never runs those imports in a folder of UTC days (nor does `status`).
  // What a `sync` or `pick` run loads before its first download: the CLI, its command and its run.
  const loaded = loadedBy([
    "main.ts",
    "lib/cli/commands/sync.ts",
    "lib/library.ts",
    "lib/cli/commands/pick.ts",
    "lib/picker.ts",
  ]);
  assert.ok(
    loaded.has("lib/core/transfer.ts") && loaded.has("lib/download_local_time.ts"),
    "the graph was read",
  );
  const heavy = ["npm:exifr", "npm:@photostructure/tz-lookup", "npm:tar-stream"];
  assert.deepEqual(heavy.filter((module) => loaded.has(module)), []);
  assert.deepEqual(loadedSpecifiers('import type { A } from "exifr";\nimport { type B, c } from "./c.ts";'), [
    "./c.ts",
  ]);
});

Deno.test("--help, --version and bad input load no source's run, no OAuth client, no QR code drawing and no node:crypto: sync, takeout and pick import their run where it starts", () => {
  // `photosync --version` is `sync --version`: every start that ends before the work (help, bad input) paid
  // the Library's modules, node:crypto and oauth4webapi when sync.ts imported library.ts up front, and every
  // start uqr (the renderer's QR code, which only `pick` draws).
  assertGraphWithout(
    ["main.ts", "lib/cli/commands/sync.ts", "lib/cli/commands/takeout.ts", "lib/cli/commands/pick.ts"],
    ["lib/cli/args.ts", "lib/cli/folder_flags.ts"],
    [
      "lib/library.ts",
      "lib/takeout.ts",
      "lib/picker.ts",
      "lib/core/place.ts",
      "npm:oauth4webapi",
      "npm:uqr",
      "node:crypto",
    ],
  );
});

/** The static graph of `roots` holds `read` (so it was read) and none of `absent`. */
function assertGraphWithout(roots: string[], read: string[], absent: string[]): void {
  const loaded = loadedBy(roots);
  assert.deepEqual(read.filter((module) => !loaded.has(module)), [], "the graph was read");
  assert.deepEqual(absent.filter((module) => loaded.has(module)), []);
}

Deno.test("status, report, verify and help load no node:crypto up front: only the runs that place or hash files do", () => {
  // Deno's node:crypto takes 40–80 ms of CPU to load; every start of the CLI paid it once output_tree.ts
  // imported the hasher (a `status` in a cron job, each of the suite's hundreds of CLI runs). A `verify`
  // hashes on its workers, which load their own: its main thread loads the placer and the Library's run
  // (for a repair's downloads) and the XMP sidecars' digest only when it needs them.
  assertGraphWithout(
    ["main.ts", "lib/cli/commands/status.ts", "lib/cli/commands/report.ts", "lib/cli/commands/verify.ts"],
    ["lib/core/store.ts", "lib/core/verify.ts"],
    ["node:crypto", "lib/library.ts", "lib/core/place.ts"],
  );
});

Deno.test("specifiers: multi-line and type-only imports, re-exports, dynamic and URL imports; not JSDoc examples", () => {
  const text = [
    `import {`,
    `  type A,`,
    `  b,`,
    `} from "./a.ts";`,
    `import type { C } from "../c.ts";`,
    `import "./effects.ts";`,
    `export * from "./d.ts";`,
    `export { e } from "node:fs";`,
    // \u0028 is "(": written out, these lines would be imports of this file.
    `export function f(): import\u0028"./g.ts").G {}`,
    `const worker = new URL\u0028"./h_worker.ts", import.meta.url);`,
    `/**`,
    ` * import { nope } from "./example.ts";`,
    ` */`,
    `const text = "import x from 'y'";`,
  ].join("\n");
  assert.deepEqual(specifiers(text).sort(), [
    "../c.ts",
    "./a.ts",
    "./d.ts",
    "./effects.ts",
    "./g.ts",
    "./h_worker.ts",
    "node:fs",
  ]);
});

Deno.test("violations: a synthetic graph breaking each kind of rule is reported line by line", () => {
  const graph: Graph = new Map([
    ["main.ts", ["lib/library.ts"]],
    ["lib/library.ts", ["lib/core/store.ts", "lib/cli/render.ts"]],
    ["lib/core/store.ts", ["node:sqlite", "lib/google/http.ts"]],
    ["lib/google/http.ts", ["lib/core/store.ts", "npm:oauth4webapi", "npm:yaml"]],
    ["lib/sources/takeout/import.ts", ["lib/sources/takeout/zip.ts", "lib/sources/library/client.ts"]],
    ["lib/sources/takeout/zip.ts", ["npm:@zip.js/zip.js", "jsr:@std/path"]],
    ["lib/cli/render.ts", ["main.ts"]],
    ["testing/harness.ts", ["scripts/run_flags.ts", "lib/core/store.ts"]],
    ["scripts/run_flags.ts", ["testing/harness.ts"]],
    ["docs/x.ts", []],
  ]);
  assert.deepEqual(violations(graph, RULES), [
    `lib/library.ts imports lib/cli/render.ts, which "lib/*" may not`,
    `lib/core/store.ts imports lib/google/http.ts, which "lib/core/" may not`,
    `lib/google/http.ts imports npm:yaml, which "lib/google/" may not`,
    `lib/sources/takeout/import.ts imports lib/sources/library/client.ts, which "lib/sources/<name>/" may not`,
    `lib/sources/takeout/zip.ts imports jsr:@std/path, which "lib/sources/<name>/" may not`,
    `lib/cli/render.ts imports main.ts, which "lib/cli/" may not`,
    `testing/harness.ts imports scripts/run_flags.ts, which "testing/" may not`,
    `testing/harness.ts imports lib/core/store.ts, which "testing/" may not`,
    "docs/x.ts: no rule covers it",
    "import circle: lib/core/store.ts -> lib/google/http.ts -> lib/core/store.ts",
    "import circle: main.ts -> lib/library.ts -> lib/cli/render.ts -> main.ts",
    "import circle: testing/harness.ts -> scripts/run_flags.ts -> testing/harness.ts",
  ]);
});
