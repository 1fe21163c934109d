/**
 * The benchmark of `photosync takeout --drive` (part of `deno task bench`; also runs alone:
 * `deno run --allow-all scripts/bench_drive.ts [--mb=1000] [--latency=20] [--runs=3] [--new-percent=2]`).
 *
 * An export of about `--mb` MB in 3 zips is served by the emulated Drive API with `--latency` ms added to
 * every request. Side by side, in alternating order: `photosync takeout --drive` into an empty folder, and
 * the parts downloaded by three parallel `curl`s, then extracted with `unzip` one by one; both timed until a
 * `sync` after them returns. Then a re-export of the same library with `--new-percent` % new photos is
 * imported into the first run's folder: the bytes the Drive API served, as a share of the new export's size.
 * @module
 */
// deno-lint-ignore-file no-console
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Emulator } from "../testing/emulator.ts";
import { DRIVE_SCOPE } from "../testing/emulator/oauth.ts";
import { isOwnFile, runPhotosync, workspace } from "../testing/harness.ts";
import { runWithPeakRss } from "./bench_process.ts";
import { writeArchives } from "../testing/takeout/archives.ts";
import { bigExport } from "../testing/takeout/big_export.ts";
import type { TakeoutExport } from "../testing/takeout/model.ts";

const MB = 1_000_000;
const DAY = 86_400_000;

/** What the Drive benchmark measured (medians where it ran more than once). */
export interface DriveBench {
  driveSeconds: number;
  curlUnzipSeconds: number;
  /** Of the baseline: the parallel downloads alone. */
  curlSeconds: number;
  driveRatio: number;
  drivePeakRssMb: number;
  reexportSeconds: number;
  reexportFetchedShare: number;
  reexportPeakRssMb: number;
  exportMb: number;
  files: number;
}

/** Run `photosync` with `args` until it exits (then `sync`), polling its peak RSS. */
async function measure(root: string, args: string[], env: Record<string, string>) {
  await settle();
  const started = performance.now();
  const peakRssMb = await runWithPeakRss(args, { cwd: root, env });
  await settle();
  return { seconds: (performance.now() - started) / 1000, peakRssMb };
}

async function settle(): Promise<void> {
  await new Deno.Command("sync").output();
}

/** Regular files under `dir` (photosync's own aside) and their bytes. */
async function filesUnder(dir: string): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      const inner = await filesUnder(path);
      count += inner.count;
      bytes += inner.bytes;
    } else if (entry.isFile && !isOwnFile(entry.name)) {
      count++;
      bytes += (await Deno.stat(path)).size;
    }
  }
  return { count, bytes };
}

/** Total size of the files at `paths`. */
async function sizeOf(paths: string[]): Promise<number> {
  return (await Promise.all(paths.map((path) => Deno.stat(path)))).reduce((sum, stat) => sum + stat.size, 0);
}

/**
 * Measure `takeout --drive` of `exp` (its parts already written as `archives`, under `root`) against
 * parallel curl + unzip, `runs` times after `warmup` runs, then the re-export with `newPercent` % new photos.
 */
export async function driveBench(options: {
  exp: TakeoutExport;
  archives: string[];
  root: string;
  latencyMs: number;
  runs: number;
  warmup: number;
  newPercent: number;
}): Promise<DriveBench> {
  const { exp, archives, root } = options;
  const emulator = await Emulator.start();
  const work = await workspace(emulator);
  try {
    // One authorisation of the Drive scope, against an empty Drive; each run starts from a copy of its sync.db.
    const authorised = join(work, "authorised");
    const env = { PHOTOSYNC_DRIVE_URL: emulator.driveUrl, PHOTOSYNC_API_URL: emulator.apiUrl };
    const auth = await runPhotosync(["takeout", "--drive", `--dir=${authorised}`, "--no-browser"], {
      emulator,
      cwd: work,
      auth: "browser",
      env,
    });
    if (auth.code !== 0) throw new Error(auth.stderr);
    const ids: string[] = [];
    for (const path of archives) ids.push(await emulator.drive.add({ name: path.split("/").pop()!, path }));
    const latency = options.latencyMs;
    emulator.faults = { latencyMs: { driveList: latency, driveGet: latency, token: latency } };
    const { accessToken } = emulator.grant(DRIVE_SCOPE);
    const expected = {
      count: exp.files.length,
      bytes: exp.files.reduce((sum, file) => sum + file.size, 0),
    };
    const out = join(work, "photosync");
    const unzipped = join(work, "unzip");
    const downloads = join(work, "downloads");
    const drop = async (dirs: string[]) => {
      for (const dir of dirs) await Deno.remove(dir, { recursive: true }).catch(() => {});
      await settle();
    };
    const photosync = async () => {
      await drop([out]);
      await Deno.mkdir(out);
      await Deno.copyFile(join(authorised, "sync.db"), join(out, "sync.db"));
      const measured = await measure(work, ["takeout", "--drive", `--dir=${out}`], env);
      const written = await filesUnder(out);
      if (written.count !== expected.count || written.bytes !== expected.bytes) {
        throw new Error(
          `takeout --drive wrote ${written.count} files of ${written.bytes} bytes, not ${expected.count}`,
        );
      }
      return measured;
    };
    const curlUnzip = async () => {
      await drop([unzipped, downloads]);
      await Deno.mkdir(downloads);
      const started = performance.now();
      await Promise.all(ids.map(async (id, i) => {
        const { code, stderr } = await new Deno.Command("curl", {
          args: [
            "-sS",
            "--fail",
            "-H",
            `Authorization: Bearer ${accessToken}`,
            "-o",
            join(downloads, `part-${i + 1}.zip`),
            `${emulator.driveUrl}/drive/v3/files/${id}?alt=media`,
          ],
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        }).output();
        if (code !== 0) throw new Error(`curl exited with ${code}: ${new TextDecoder().decode(stderr)}`);
      }));
      const curlSeconds = (performance.now() - started) / 1000;
      for (let i = 0; i < ids.length; i++) {
        const { code, stderr } = await new Deno.Command("unzip", {
          args: ["-q", "-o", join(downloads, `part-${i + 1}.zip`), "-d", unzipped],
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        }).output();
        if (code !== 0) throw new Error(`unzip exited with ${code}: ${new TextDecoder().decode(stderr)}`);
      }
      await settle();
      return { seconds: (performance.now() - started) / 1000, curlSeconds };
    };
    const runs: {
      drive: Awaited<ReturnType<typeof measure>>;
      curl: Awaited<ReturnType<typeof curlUnzip>>;
    }[] = [];
    for (let run = -options.warmup; run < options.runs; run++) {
      console.error(run < 0 ? "drive: warm-up run..." : `drive: run ${run + 1} of ${options.runs}...`);
      let drive;
      let curl;
      if (run % 2 === 0) {
        drive = await photosync();
        curl = await curlUnzip();
      } else {
        curl = await curlUnzip();
        drive = await photosync();
      }
      if (run >= 0) runs.push({ drive, curl });
      console.error(
        `  takeout --drive ${drive.seconds.toFixed(2)} s, curl + unzip ${curl.seconds.toFixed(2)} s`,
      );
    }
    await Deno.remove(unzipped, { recursive: true }).catch(() => {});
    await Deno.remove(downloads, { recursive: true }).catch(() => {});

    // The re-export: the same library two months later, with a few new photos, into the last run's folder.
    const extra = bigExport({
      totalBytes: (expected.bytes * options.newPercent) / 100,
      seed: 2,
      exportedAt: new Date(exp.exportedMs + 30 * DAY).toISOString(),
    });
    const later: TakeoutExport = {
      ...exp,
      exportedMs: exp.exportedMs + 61 * DAY,
      files: [...exp.files, ...extra.files],
    };
    console.error(`drive: writing the re-export (${extra.files.length} new photos)...`);
    const laterParts = await writeArchives(later, join(root, "reexport"), { format: "zip", parts: 3 });
    for (const path of laterParts) await emulator.drive.add({ name: path.split("/").pop()!, path });
    emulator.drive.bytesServed = 0;
    const again = await measure(work, ["takeout", "--drive", `--dir=${out}`], env);
    const fetched = emulator.drive.bytesServed;
    const laterSize = await sizeOf(laterParts);
    const written = await filesUnder(out);
    const wanted = expected.count + extra.files.length;
    if (written.count !== wanted) throw new Error(`the re-export left ${written.count} files, not ${wanted}`);
    for (const path of laterParts) await Deno.remove(path);
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return {
      driveSeconds: median(runs.map((r) => r.drive.seconds)),
      curlUnzipSeconds: median(runs.map((r) => r.curl.seconds)),
      curlSeconds: median(runs.map((r) => r.curl.curlSeconds)),
      driveRatio: median(runs.map((r) => r.drive.seconds / r.curl.seconds)),
      drivePeakRssMb: Math.max(...runs.map((r) => r.drive.peakRssMb)),
      reexportSeconds: again.seconds,
      reexportFetchedShare: fetched / laterSize,
      reexportPeakRssMb: again.peakRssMb,
      exportMb: (await sizeOf(archives)) / MB,
      files: expected.count,
    };
  } finally {
    await emulator.close();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** The rows `deno task bench` prints for {@link DriveBench}: measure, result, target. */
export function driveRows(
  result: DriveBench,
  latencyMs: number,
  newPercent: number,
): [string, string, string][] {
  return [
    [
      `takeout --drive of ${
        result.exportMb.toFixed(0)
      } MB in 3 zips (${result.files} files), ${latencyMs} ms per request, until synced`,
      `${result.driveSeconds.toFixed(2)} s vs parallel curl + unzip ${
        result.curlUnzipSeconds.toFixed(2)
      } s (curl ${result.curlSeconds.toFixed(2)} s): ${result.driveRatio.toFixed(2)}x`,
      "≤ 1.0x",
    ],
    ["peak RSS: takeout --drive", `${result.drivePeakRssMb.toFixed(0)} MB`, "≤ 200 MB"],
    [
      `takeout --drive of a re-export with ${newPercent}% new photos: bytes fetched`,
      `${(100 * result.reexportFetchedShare).toFixed(1)}% of the export (${
        result.reexportSeconds.toFixed(2)
      } s, ${result.reexportPeakRssMb.toFixed(0)} MB)`,
      "≤ 10%",
    ],
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      mb: { type: "string", default: "1000" },
      latency: { type: "string", default: "20" },
      runs: { type: "string", default: "3" },
      warmup: { type: "string", default: "1" },
      "new-percent": { type: "string", default: "2" },
    },
  });
  const root = await Deno.makeTempDir({ prefix: "photosync-bench-drive-" });
  try {
    const exp = bigExport({ totalBytes: Number(values.mb) * MB, fileBytes: 2_500_000 });
    console.error(`writing a Takeout export of ${exp.files.length} files (${values.mb} MB) as 3 zips...`);
    const archives = await writeArchives(exp, join(root, "archives"), { format: "zip", parts: 3 });
    const latencyMs = Number(values.latency);
    const newPercent = Number(values["new-percent"]);
    const result = await driveBench({
      exp,
      archives,
      root,
      latencyMs,
      runs: Number(values.runs),
      warmup: Number(values.warmup),
      newPercent,
    });
    for (const [measure, value, target] of driveRows(result, latencyMs, newPercent)) {
      console.log(`| ${measure} | ${value} | ${target} |`);
    }
    console.log(JSON.stringify(result));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
