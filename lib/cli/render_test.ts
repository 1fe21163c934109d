import assert from "node:assert/strict";
import { formatBytes, formatDuration, Renderer } from "./render.ts";

Deno.test("formatBytes never shows 1000 of a unit", () => {
  const table: [number, string][] = [
    [0, "0 B"],
    [999, "999 B"],
    [999.6, "1.0 kB"],
    [1000, "1.0 kB"],
    [999_949, "999.9 kB"],
    [999_999, "1.0 MB"],
    [1_500_000_000, "1.5 GB"],
  ];
  for (const [bytes, shown] of table) assert.equal(formatBytes(bytes), shown, `${bytes}`);
});

Deno.test("formatDuration", () => {
  assert.equal(formatDuration(45), "45s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(7800), "2h10m");
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
