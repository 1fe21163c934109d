/**
 * `deno task test`: runs the test suite and ends with a plain `N passed, N failed` line.
 * Extra arguments go to `deno test` (e.g. a test file or `--filter`).
 * @module
 */

const args = Deno.args.length > 0 ? Deno.args : ["tests/"];
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
// Deno's summary: "ok | 12 passed (3 steps) | 0 failed (4s)".
const summary = /(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(tail);
const passed = summary ? Number(summary[1]) : 0;
const failed = summary ? Number(summary[2]) : 1;
await Deno.stdout.write(encoder.encode(`\n${passed} passed, ${failed} failed\n`));
Deno.exit(code !== 0 ? code : failed > 0 || !summary ? 1 : 0);
