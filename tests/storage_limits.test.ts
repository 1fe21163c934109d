/**
 * The CLI (a child process) on a backup whose storage refuses writes: a read-only mount, a full disk, a file
 * size limit that stops sync.db's WAL growing. The commands that only read a backup (`status`, `report --out`
 * elsewhere, `verify` without `--repair`) read it; a run that writes says why it cannot, in one line (exit 1),
 * and nothing it did is lost.
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

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** A small export, as two zips. */
const ZIPS = await writeArchives(
  generateTakeout({ seed: 5, count: 6, specials: false, language: "en" }),
  join(WORK, "export"),
  { parts: 2 },
);

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
  // And Deno writes no code cache under the limit (`--no-code-cache` after `run`): its cache is a database
  // that other tests' runs grow past 512 kB meanwhile, and a write there would be Deno's SIGXFSZ (exit 153).
  const limited = await cli(["takeout", `--dir=${dir}`, zip], [
    "bash",
    "-c",
    'ulimit -f 512; exec "$1" "$2" --no-code-cache "${@:3}"',
    "bash",
  ]);
  assertOneLineError(
    limited,
    1,
    /^error: the disk is full or a file size limit stopped it \(writing .*sync\.db: disk I\/O error\); free some space or raise the limit \(the shell's ulimit -f, a disk quota\)/,
  );
  const again = await cli(["takeout", `--dir=${dir}`, zip]);
  assert.equal(again.code, 0, again.stderr);
  // status only reads: in this process (the test below runs it as a child, on each mount).
  const count = async (at: string) =>
    JSON.parse(
      (await runPhotosync(["status", `--dir=${join(WORK, at)}`, "--json"], { inProcess: true })).stdout,
    ).downloaded;
  assert.equal(await count("limited"), await count("unlimited"));
});

/** Whether a mount namespace of our own can be made (`unshare -rm`: no root needed where user namespaces are allowed). */
const NAMESPACES = Deno.build.os === "linux" &&
  await new Deno.Command("unshare", { args: ["-rm", "true"], stdout: "null", stderr: "null" }).output()
    .then((output) => output.success, () => false);

/**
 * {@link ZIPS} imported into a folder of its own, once, by the first test that asks: the tests below read it
 * (each run on a copy of it, on a mount of its own).
 */
let imported: Promise<string> | undefined;
function importedZips(): Promise<string> {
  return imported ??= (async () => {
    const backup = join(WORK, "backup");
    const first = await cli(["takeout", `--dir=${backup}`, ...ZIPS]);
    assert.equal(first.code, 0, first.stderr);
    return backup;
  })();
}

/**
 * The command line (for the harness's `wrap`) running photosync in a mount namespace of its own, where a copy
 * of the folder `backup` is on a 1 MB tmpfs mounted at `at`: mounted read-only again, or with its space filled
 * (a file as large as fits, then files of one byte, a page each, until not one more fits).
 */
function onTmpfs(backup: string, at: string, storage: "read-only" | "full"): string[] {
  const prepare = storage === "read-only"
    ? 'mount -o remount,ro "$1" || exit 99'
    : 'head -c 2m /dev/zero >"$1/filler" 2>/dev/null; i=0; while echo >"$1/filler-$i"; do i=$((i+1)); done 2>/dev/null';
  const script =
    `mount -t tmpfs -o size=1m tmpfs "$1" && cp -a "$2/." "$1" || exit 99; ${prepare}; "\${@:3}"`;
  return ["unshare", "-rm", "bash", "-c", script, "bash", at, backup];
}

Deno.test({
  name:
    "on a read-only mount and on a full disk, status, report --out and verify read the backup; takeout says the disk is full (exit 1)",
  ignore: !NAMESPACES,
  fn: async () => {
    const backup = await importedZips();
    // As a run that writes leaves the folder: sync.db alone, nothing a reader would need beside it.
    assert.deepEqual(
      await Promise.all(["sync.db-wal", "sync.db-shm"].map((name) => exists(join(backup, name)))),
      [false, false],
    );
    const at = join(WORK, "mounted");
    await Deno.mkdir(at);
    const seen: Record<string, unknown> = {};
    for (const storage of ["read-only", "full"] as const) {
      const wrap = onTmpfs(backup, at, storage);
      const status = await cli(["status", `--dir=${at}`, "--json"], wrap);
      assert.equal(status.code, 0, `${storage}: ${status.stderr}`);
      seen[storage] = JSON.parse(status.stdout);
      const page = join(WORK, `report-${storage}.html`);
      const report = await cli(["report", `--dir=${at}`, `--out=${page}`], wrap);
      assert.equal(report.code, 0, `${storage}: ${report.stderr}`);
      assert.match(await Deno.readTextFile(page), /<html/i);
      const verified = await cli(["verify", `--dir=${at}`, "--json"], wrap);
      assert.equal(verified.code, 0, `${storage}: ${verified.stderr}`);
      const { files, problems } = JSON.parse(verified.stdout);
      assert.deepEqual(
        [files, problems],
        [(seen[storage] as { downloaded: number }).downloaded, []],
        storage,
      );
      assert.match(
        verified.stderr,
        /^warning: .*: the files are checked, but nothing is recorded in sync\.db \(this verify, the hashes it takes\)$/m,
      );
    }
    // What the backup's own folder shows: read last, so that each copy above held the folder as takeout left it.
    const status = await runPhotosync(["status", `--dir=${backup}`, "--json"], { inProcess: true });
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(seen, { "read-only": JSON.parse(status.stdout), full: JSON.parse(status.stdout) });
    // A run that writes: the disk's fault (exit 1), not bad input.
    const full = await cli(["takeout", `--dir=${at}`, ...ZIPS], onTmpfs(backup, at, "full"));
    assertOneLineError(full, 1, /^error: the disk is full.*\(writing \S*\/sync\.db\b.*; free some space/);
  },
});

Deno.test({
  name:
    "report on a read-only mount without --out is one line saying to give --out (exit 2); with --out elsewhere it writes",
  ignore: !NAMESPACES,
  fn: async () => {
    const backup = await importedZips();
    const at = join(WORK, "mounted-report");
    await Deno.mkdir(at);
    const wrap = onTmpfs(backup, at, "read-only");
    const refused = await cli(["report", `--dir=${at}`], wrap);
    assertOneLineError(
      refused,
      2,
      /^error: cannot write the report to \S+\/photosync-report\.html: the folder \S+ is on a read-only file system; give --out FILE to write it elsewhere/,
    );
    assert.doesNotMatch(refused.stderr, /\.tmp|os error/);
    const inside = await cli(["report", `--dir=${at}`, `--out=${join(at, "page.html")}`], wrap);
    assertOneLineError(
      inside,
      2,
      /^error: --out \S+page\.html: the folder \S+ is on a read-only file system; give --out a file/,
    );
    const page = join(WORK, "report-elsewhere.html");
    const elsewhere = await cli(["report", `--dir=${at}`, `--out=${page}`], wrap);
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.match(await Deno.readTextFile(page), /<html/i);
  },
});
