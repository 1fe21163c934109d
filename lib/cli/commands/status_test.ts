import assert from "node:assert/strict";
import { lastVerifyLines } from "./status.ts";

Deno.test("status's line for the last verify: none before the first; when, files and what it found", () => {
  assert.deepEqual(lastVerifyLines(undefined), []);
  assert.deepEqual(
    lastVerifyLines({
      startedMs: 0,
      finishedMs: Date.UTC(2026, 11, 5, 7, 30),
      files: 6,
      bytes: 3,
      missing: 1,
      changed: 2,
      unknown: 0,
      hashed: 0,
      repaired: 3,
    }),
    ["last verify: 2026-12-05 07:30 UTC, 6 files, 1 missing, 2 changed, 3 restored"],
  );
});
