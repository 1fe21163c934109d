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
  // Lines at 5 s and 10 s (pages 125 and 250), each with the count at that moment.
  assert.deepEqual(lines, ["indexed 8400 items so far", "indexed 16700 items so far"]);
});

Deno.test("off a terminal, an indexing line comes no sooner than PLAIN_PROGRESS_MS after the last one", () => {
  let now = 0;
  const renderer = new Renderer({ tty: false, now: () => now });
  const seen: string[][] = [];
  let indexed = 0;
  for (
    const at of [PLAIN_PROGRESS_MS - 1, PLAIN_PROGRESS_MS, 2 * PLAIN_PROGRESS_MS - 1, 2 * PLAIN_PROGRESS_MS]
  ) {
    now = at;
    indexed += 10;
    seen.push(linesOf(() => renderer.progress({ indexed })));
  }
  assert.deepEqual(seen, [[], ["indexed 20 items so far"], [], ["indexed 40 items so far"]]);
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

Deno.test("the progress line: an import shows files and bytes of the total with an ETA by bytes", () => {
  let now = 0;
  const renderer = new Renderer({ tty: false, now: () => now });
  renderer.progress({ action: "imported", filesTotal: 4, bytesTotal: 4_000_000, files: 0, bytes: 0 });
  now = 2000;
  renderer.progress({ files: 1, bytes: 1_000_000 });
  assert.equal(renderer.describe(), "imported 1/4 files, 1.0 MB of 4.0 MB, 500.0 kB/s · ETA 6s");
});

Deno.test("the progress line: a sync shows what it indexed and downloaded, ETA by files", () => {
  let now = 0;
  const renderer = new Renderer({ tty: false, now: () => now });
  renderer.progress({ indexed: 10, filesTotal: 10, files: 0, bytes: 0 });
  now = 1000;
  renderer.progress({ files: 5, bytes: 5000 });
  assert.equal(renderer.describe(), "indexed 10 · downloaded 5/10 files, 5.0 kB, 5.0 kB/s · ETA 1s");
});

Deno.test("off a terminal, indexing lines go on when the wall clock is set back: the renderer's clock is monotonic", () => {
  const renderer = new Renderer({ tty: false });
  const wallClock = Date.now;
  const monotonic = performance.now();
  // An hour set back on the wall clock while PLAIN_PROGRESS_MS pass.
  Date.now = () => wallClock() - 3_600_000;
  Object.defineProperty(performance, "now", {
    value: () => monotonic + PLAIN_PROGRESS_MS,
    configurable: true,
  });
  try {
    assert.deepEqual(linesOf(() => renderer.progress({ indexed: 10 })), ["indexed 10 items so far"]);
  } finally {
    Date.now = wallClock;
    delete (performance as { now?: unknown }).now;
  }
});
