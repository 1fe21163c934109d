/**
 * `kill -9` at random moments (while indexing, mid-download, during database writes), then a
 * plain re-run: the same tree as an uninterrupted run, never a truncated file at a final
 * path, no temporary files, a sound database.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Emulator } from "../testing/emulator.ts";
import { generateLibrary, mediaBytes, mulberry32 } from "../testing/library_fixture.ts";
import { CliProcess, listFiles, runCli, workspace } from "../testing/harness.ts";

/** Runs to kill; `PHOTOSYNC_TEST_KILLS` raises it for a soak run. */
const KILLS = Number(Deno.env.get("PHOTOSYNC_TEST_KILLS") ?? 12);

Deno.test(`${KILLS} random kill -9s: each series of interrupted runs ends with an uninterrupted run's tree`, async () => {
  const items = generateLibrary({ count: 150, seed: 77, minSize: 30_000, maxSize: 300_000, videoRatio: 0.2 });
  const next = mulberry32(2026); // Reproducible kill points.
  let victim: CliProcess | undefined;
  let killAt = 0;
  let served = 0;
  const emulator = await Emulator.start({
    items,
    onRequest: () => {
      // Requests are events: killing as the k-th is answered lands anywhere in the pipeline.
      if (victim && ++served === killAt) victim.child.kill("SIGKILL");
    },
  });
  const root = await workspace(emulator);
  const dir = join(root, "photos");
  const reference = join(root, "reference");
  try {
    const clean = await runCli([`--dir=${reference}`, "--no-browser"], emulator, {
      cwd: root,
      auth: "browser",
    });
    assert.equal(clean.code, 0, clean.stderr);
    const expected = await listFiles(reference);
    assert.equal(expected.length, items.length);
    const env = { PHOTOSYNC_REFRESH_TOKEN: emulator.issuedTokens.find((token) => token.startsWith("1//"))! };
    const byId = new Map(items.map((it) => [it.id, it]));
    let kills = 0;
    let cycles = 0;
    while (kills < KILLS) {
      // A cycle: from an empty folder, runs killed at random points until one finishes.
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      for (;;) {
        served = 0;
        killAt = 1 + Math.floor(next() * 60);
        victim = new CliProcess([`--dir=${dir}`, "--creds=clientsecret.json", "--concurrency=4"], emulator, {
          cwd: root,
          env,
        });
        const { code } = await victim.result();
        victim = undefined;
        if (code === 0) break;
        kills++;
        await assertConsistent(dir, byId);
      }
      cycles++;
      const files = await listFiles(dir);
      assert.deepEqual(files, expected, "the same tree as an uninterrupted run");
      for (const file of files) {
        const [a, b] = await Promise.all([
          Deno.readFile(join(dir, file)),
          Deno.readFile(join(reference, file)),
        ]);
        assert.ok(Buffer.from(a).equals(b), `${file} differs`);
      }
    }
    assert.ok(cycles >= 1 && kills >= KILLS);
  } finally {
    await emulator.close();
    await Deno.remove(root, { recursive: true });
  }
});

/** After a kill: every file at a final path is complete; the database passes its integrity check. */
async function assertConsistent(dir: string, items: Map<string, ReturnType<typeof generateLibrary>[number]>) {
  const db = new DatabaseSync(join(dir, "sync.db"));
  try {
    assert.equal(
      (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check,
      "ok",
    );
    const rows = db.prepare("SELECT id, path, status FROM items WHERE path IS NOT NULL").all() as {
      id: string;
      path: string;
      status: string;
    }[];
    for (const row of rows) {
      const bytes = await Deno.readFile(join(dir, row.path)).catch(() => undefined);
      if (row.status === "downloaded") assert.ok(bytes, `${row.path} is marked downloaded but missing`);
      if (bytes) {
        assert.ok(Buffer.from(bytes).equals(mediaBytes(items.get(row.id)!)), `${row.path} is not whole`);
      }
    }
  } finally {
    db.close();
  }
}
