import assert from "node:assert/strict";
import { formatBytes, formatDuration } from "./format.ts";

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
