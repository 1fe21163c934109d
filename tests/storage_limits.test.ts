/**
 * The CLI (a child process) on a backup whose storage refuses writes: a file size limit that stops sync.db's
 * WAL growing. A run that writes says why it cannot, in one line (exit 1); nothing it did is lost.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type CliResult, runPhotosync } from "../testing/harness.ts";
import { assertOneLineError } from "../testing/asserts.ts";
import { writeArchives } from "../testing/takeout/archives.ts";
import { generateTakeout } from "../testing/takeout/export.ts";

const WORK = await Deno.makeTempDir({ prefix: "photosync-storage-limits-" });
Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

/** photosync with `args`, TZ=UTC, its command line run by `wrap` when given. */
const cli = (args: string[], wrap?: string[]): Promise<CliResult> =>
  runPhotosync(args, { env: { TZ: "UTC" }, wrap });

Deno.test("a file size limit that stops sync.db's WAL growing is one line naming sync.db and the limit (exit 1); a run after it completes", async () => {
  // 40 photos of a few kB each: the WAL grows past 512 kB as they are recorded, no photo comes near it.
  const [zip] = await writeArchives(
    generateTakeout({ seed: 7, count: 40, specials: false, language: "en" }),
    join(WORK, "export-40"),
    { parts: 1 },
  );
  // Without a limit: the import completes (and Deno's caches are written, as it writes them when it starts,
  // before photosync takes SIGXFSZ: with the limit they are written already).
  const unlimited = await cli(["takeout", `--dir=${join(WORK, "unlimited")}`, zip]);
  assert.equal(unlimited.code, 0, unlimited.stderr);
  const dir = join(WORK, "limited");
  const limited = await cli(["takeout", `--dir=${dir}`, zip], [
    "bash",
    "-c",
    'ulimit -f 512; exec "$@"',
    "bash",
  ]);
  assertOneLineError(
    limited,
    1,
    /^error: the disk is full or a file size limit stopped it \(writing .*sync\.db: disk I\/O error\); free some space or raise the limit \(the shell's ulimit -f, a disk quota\)/,
  );
  const again = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(again.code, 0, again.stderr);
  const count = async (at: string) =>
    JSON.parse((await cli(["status", `--dir=${join(WORK, at)}`, "--json"])).stdout).downloaded;
  assert.equal(await count("limited"), await count("unlimited"));
});
