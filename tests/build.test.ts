import assert from "node:assert";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Every `.ts` file under `dir`, relative to the repository. */
function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) yield path;
  }
}

Deno.test("deno compile includes every worker module that photosync starts", async () => {
  const workers = [];
  for (const file of sources("lib")) {
    const text = await Deno.readTextFile(join(ROOT, file));
    for (const [, specifier] of text.matchAll(/new URL\("(\.\/[^"]+_worker\.ts)", import\.meta\.url\)/g)) {
      workers.push(relative(ROOT, join(ROOT, dirname(file), specifier)));
    }
  }
  assert.ok(workers.length > 0, "no worker module found: are worker modules still named *_worker.ts?");
  const compile = await Deno.readTextFile(join(ROOT, "scripts/compile.ts"));
  const included = JSON.parse(/const WORKERS = (\[[^\]]*\])/.exec(compile)?.[1] ?? "[]");
  assert.deepStrictEqual(included.sort(), workers.sort());
});
