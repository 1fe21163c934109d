/**
 * `deno task test`: runs the test suite and ends with a plain `N passed, N failed` line.
 * Without arguments it runs the unit tests beside the code (the `*_test.ts` files in `lib/`),
 * the `@example` blocks of the JSDoc (`--doc`) and the CLI tests in `tests/`. Arguments replace
 * that and go to `deno test` as they are (e.g. a test file or `--filter`).
 * @module
 */

// Folders, not `.`: `--doc` also runs the TypeScript blocks of every Markdown file under the
// paths given, and README.md's library example is there to be read, not run (it syncs).
const DEFAULT_ARGS = ["--doc", "tests/", "lib/", "testing/"];

const args = Deno.args.length > 0 ? Deno.args : DEFAULT_ARGS;
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", "--parallel", ...args],
  stdout: "piped",
  stderr: "inherit",
  env: { NO_COLOR: "1" },
}).spawn();

let tail = "";
const encoder = new TextEncoder();
for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
  await Deno.stdout.write(encoder.encode(chunk));
  tail = (tail + chunk).slice(-4096);
}
const { code } = await child.status;
// Deno's summary, the last line of this shape: "ok | 12 passed (3 steps) | 0 failed (4s)" or
// "FAILED | 3 passed (2 steps) | 2 failed (1 step) | 1 ignored (1s)". Doc tests count as tests.
const summary = [...tail.matchAll(/^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/gm)].at(
  -1,
);
const passed = summary ? Number(summary[1]) : 0;
const failed = summary ? Number(summary[2]) : 1;
await Deno.stdout.write(encoder.encode(`\n${passed} passed, ${failed} failed\n`));
Deno.exit(code !== 0 ? code : failed > 0 || !summary ? 1 : 0);
