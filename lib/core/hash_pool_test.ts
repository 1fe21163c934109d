import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { HashPool } from "./hash_pool.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test("HashPool: files of several sizes hashed by two workers, in any order; a missing file is NotFound", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sizes = [0, 1, 1 << 20, (1 << 20) + 7, 3_000_001];
    const files = sizes.map((size, i) => {
      const bytes = new Uint8Array(size).map((_, j) => (j * 31 + i) & 0xff);
      const path = join(dir, `${i}.bin`);
      Deno.writeFileSync(path, bytes);
      return { path, digest: sha256(bytes), size };
    });
    using pool = new HashPool(2);
    const hashes = await Promise.all(files.map((file) => pool.hash(file.path)));
    assert.deepEqual(hashes, files.map(({ digest, size }) => ({ digest, size })));
    await assert.rejects(pool.hash(join(dir, "gone.bin")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HashPool: without its worker module it hashes on the main thread", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "a.bin");
    Deno.writeFileSync(path, new Uint8Array([1, 2, 3]));
    using pool = new HashPool(1, new URL("./no_such_worker.ts", import.meta.url));
    assert.deepEqual(await pool.hash(path), { digest: sha256(new Uint8Array([1, 2, 3])), size: 3 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
