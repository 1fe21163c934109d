import assert from "node:assert/strict";
import { describeShape } from "./status_shape.ts";

Deno.test("describeShape: the years oldest first, a year before 1000 too", () => {
  const year = { items: 1, downloaded: 1, files: 1, pending: 0, failed: 0, bytes: 10, sources: {} };
  // As yearFigures gives them: a JavaScript object lists "1750" and "2020" before "0800".
  const years = { "1750": year, "2020": year, "0800": year };
  const lines = describeShape({ years, oldest: null, newest: null, runs: {} });
  assert.deepEqual(lines.slice(1).map((line) => line.slice(0, 4)), ["0800", "1750", "2020"]);
});
