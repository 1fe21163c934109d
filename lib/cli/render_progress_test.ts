// deno-lint-ignore-file no-console -- the renderer writes through the console; the test reads what it wrote
import assert from "node:assert/strict";
import { PLAIN_PROGRESS_MS, Renderer } from "./render.ts";

/** The lines `fn` writes to stderr through the console. */
function linesOf(fn: () => void): string[] {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...data: unknown[]) => lines.push(data.join(" "));
  try {
    fn();
  } finally {
    console.error = original;
  }
  return lines;
}

Deno.test("off a terminal, indexing progress is a line every few seconds, not one per page", () => {
  let now = 0;
  const renderer = new Renderer({ tty: false, now: () => now });
  const lines = linesOf(() => {
    // 300 pages over 12 s; every third one empty (nothing new to count).
    let indexed = 0;
    for (let page = 1; page <= 300; page++) {
      now = page * 40;
      if (page % 3 !== 0) indexed += 100;
      renderer.progress({ indexed });
    }
  });
  assert.equal(PLAIN_PROGRESS_MS, 5_000);
  assert.deepEqual(lines, ["indexed 8400 items so far", "indexed 16700 items so far"]);
});

Deno.test("off a terminal, downloads and quiet runs add no indexing lines", () => {
  let now = 0;
  const renderer = new Renderer({ tty: false, now: () => now });
  const quiet = new Renderer({ tty: false, now: () => now, verbosity: "quiet" });
  const lines = linesOf(() => {
    for (let second = 1; second <= 20; second++) {
      now = second * 1000;
      renderer.progress({ files: second, filesTotal: 20, bytes: second * 1000 });
      quiet.progress({ indexed: second * 1000 });
    }
  });
  assert.deepEqual(lines, []);
});
