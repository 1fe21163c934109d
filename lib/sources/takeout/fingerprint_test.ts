import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { Fingerprinter } from "./fingerprint.ts";

Deno.test("Fingerprinter: sha256 and the first bytes (or only those), over files larger and smaller than its buffer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "photosync-fingerprint-" });
  try {
    const fingerprinter = new Fingerprinter();
    for (const size of [0, 10, 1_000_000, (1 << 20) + 7, 3_000_001]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 31 + size) % 256);
      const path = join(dir, `${size}.part`);
      await Deno.writeFile(path, bytes);
      const { digest, head } = await fingerprinter.of(path, 256 * 1024);
      assert.equal(digest, createHash("sha256").update(bytes).digest("hex"), `sha256 of ${size} bytes`);
      assert.deepEqual(head, bytes.subarray(0, 256 * 1024), `head of ${size} bytes`);
      assert.equal((await fingerprinter.of(path, 0)).head.length, 0);
      // Hashed already: the digest given back, the first bytes read.
      assert.deepEqual(await fingerprinter.of(path, 256 * 1024, "given"), {
        digest: "given",
        head: bytes.subarray(0, 256 * 1024),
      }, `head of ${size}`);
      assert.equal((await fingerprinter.of(path, 0, "given")).head.length, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
