/**
 * The download baseline of `deno task bench`: plain concurrent `fetch` of the given URLs to
 * files, at the given concurrency, in a process of its own like the CLI's (and timed the same
 * way, from start to exit).
 * Usage: deno run [photosync's flags] scripts/bench_fetch.ts URLS.json OUT_DIR CONCURRENCY
 * @module
 */
import { join } from "node:path";

const [listFile, outDir, concurrency] = Deno.args;
const urls: string[] = JSON.parse(await Deno.readTextFile(listFile));
await Deno.mkdir(outDir, { recursive: true });
let next = 0;
await Promise.all(Array.from({ length: Number(concurrency) }, async () => {
  while (next < urls.length) {
    const index = next++;
    const response = await fetch(urls[index]);
    const file = await Deno.open(join(outDir, `${index}.bin`), { write: true, create: true, truncate: true });
    await response.body!.pipeTo(file.writable);
  }
}));
