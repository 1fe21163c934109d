import assert from "node:assert/strict";
import { FileSystemError } from "../core/output_tree.ts";
import { Renderer } from "./render.ts";
import { printError } from "./run.ts";

Deno.test("an error a disposal threw while the run failed already is not said: the run's own error is", () => {
  let stderr = "";
  const renderer = new Renderer({ tty: false, sink: { stdout: () => {}, stderr: (text) => stderr += text } });
  const full = new FileSystemError(
    "the disk is full (writing /photos/.photosync-tmp/a.part); free some space and run photosync again: " +
      "nothing downloaded so far is lost",
  );
  // As `using` builds it: the last disposal's error outermost, the run's innermost.
  const reportFlush = new Error("No space left on device (os error 28)");
  const storeClose = new Error("disk I/O error");
  const thrown = new SuppressedError(
    storeClose,
    new SuppressedError(reportFlush, full, "disposal"),
    "disposal",
  );
  assert.deepEqual(printError(thrown, renderer), { code: 1, message: full.message });
  assert.equal(stderr, `error: ${full.message}\n`);
});
