import assert from "node:assert/strict";
import { jobSummary } from "./job_summary.ts";

Deno.test("the job summary's totals say a count of one in the singular", () => {
  const after = { library: { items: 1, downloaded: 1, files: 1, pending: 0, failed: 0, bytes: 10 } };
  const text = jobSummary({
    command: "sync",
    exitCode: 0,
    outcome: "complete",
    before: {},
    after,
    warnings: [],
  });
  assert.match(text, /^\*\*Totals:\*\* 1 item, 1 downloaded \(10 B\), 0 left for the next run, 0 failed\.$/m);
});
