/**
 * The WebDAV part of `deno task bench` (also runnable alone: `deno run -A scripts/bench_webdav.ts
 * [--webdav-mb=300] [--runs=1]`): `photosync takeout --from=URL` reading exports from a real `rclone serve
 * webdav`, next to what a user would do without it, `rclone copy` of the same parts from the same server
 * and `unzip` of each, both timed until the bytes are on disk. Each side's bytes fetched are the bytes the
 * server served, by rclone's own accounting (its remote control's `core/stats`): no proxy in the way of the
 * timing. Three steps, as a year of scheduled exports goes:
 *
 * 1. the baseline (a full export of `--webdav-mb` MB) into an empty backup;
 * 2. an increment (a tenth of that) landing beside it: photosync lists both and reads only the new one,
 *    `rclone copy` copies the increment's parts;
 * 3. next year's full baseline landing beside them (everything before plus a twentieth new): photosync reads
 *    its zip directories and fetches only what is new; `rclone copy` copies all of it.
 * @module
 */
// deno-lint-ignore-file no-console
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runWithPeakRss } from "./bench_process.ts";
import { RCLONE, rcloneAvailable, RcloneWebdav } from "../testing/rclone_webdav.ts";
import { writeArchives } from "../testing/takeout/archives.ts";
import { bigExport } from "../testing/takeout/big_export.ts";
import type { TakeoutExport } from "../testing/takeout/model.ts";

const MB = 1_000_000;

/** One step's figures. */
export interface WebdavStep {
  /** photosync takeout --from, until synced. */
  photosyncSeconds: number;
  /** Answer bytes photosync fetched (listing and reads). */
  photosyncBytes: number;
  photosyncPeakRssMb: number;
  /** rclone copy of the step's new parts plus unzip of each, until synced. */
  copyUnzipSeconds: number;
  /** Answer bytes rclone copy fetched. */
  copyBytes: number;
  /** Bytes of the parts the step added to the folder. */
  partBytes: number;
}

/** The three steps' figures. */
export type WebdavBench = Record<"baseline" | "increment" | "nextBaseline", WebdavStep>;

/** Run the three steps once over a baseline of `baselineBytes`. */
export async function webdavBench(baselineBytes: number): Promise<WebdavBench> {
  if (!(await rcloneAvailable())) throw new Error("the WebDAV bench needs rclone (apt-get install rclone)");
  const root = await Deno.makeTempDir({ prefix: "photosync-bench-webdav-" });
  try {
    const served = join(root, "served");
    const baseline = bigExport({ totalBytes: baselineBytes, seed: 1, exportedAt: "2025-11-10T10:10:10Z" });
    const increment = bigExport({
      totalBytes: baselineBytes / 10,
      seed: 2,
      exportedAt: "2026-01-10T10:10:10Z",
    });
    const added = bigExport({ totalBytes: baselineBytes / 20, seed: 3, exportedAt: "2026-11-10T10:10:10Z" });
    const next: TakeoutExport = {
      ...added,
      files: [...baseline.files, ...increment.files, ...added.files],
    };
    await using server = await RcloneWebdav.start({ root: served, stats: true });
    const out = join(root, "photos");
    const step = async (exp: TakeoutExport, folder: string): Promise<WebdavStep> => {
      console.error(`writing ${folder}: ${exp.files.length} files...`);
      const parts = await writeArchives(exp, join(served, folder), { format: "zip", parts: 3 });
      let partBytes = 0;
      for (const part of parts) partBytes += (await Deno.stat(part)).size;
      const copy = await copyAndUnzip(server, folder, parts.length, join(root, "copy"));
      const photosync = await takeoutFrom(server, out);
      return { ...photosync, ...copy, partBytes };
    };
    return {
      baseline: await step(baseline, "2025-11"),
      increment: await step(increment, "2026-01"),
      nextBaseline: await step(next, "2026-11"),
    };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** `photosync takeout --from=<server>` into `out` (kept between steps), timed until synced, with its peak RSS. */
async function takeoutFrom(server: RcloneWebdav, out: string) {
  await settleDisk();
  await server.resetStats();
  const started = performance.now();
  const peakRssMb = await runWithPeakRss(["takeout", `--dir=${out}`, `--from=${server.url}`]);
  await settleDisk();
  return {
    photosyncSeconds: (performance.now() - started) / 1000,
    photosyncBytes: await server.bytesServed(),
    photosyncPeakRssMb: peakRssMb,
  };
}

/**
 * What a user does without photosync: `rclone copy` of the folder's new parts from the same server (its
 * WebDAV backend), then `unzip` of each, timed until synced; the copies are removed.
 */
async function copyAndUnzip(server: RcloneWebdav, folder: string, parts: number, scratch: string) {
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  await settleDisk();
  await server.resetStats();
  const started = performance.now();
  const copied = join(scratch, "parts");
  const copy = await new Deno.Command(RCLONE, {
    args: ["copy", `:webdav,url='${server.url}':${folder}`, copied, "--config", "/dev/null"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!copy.success) throw new Error(`rclone copy failed: ${new TextDecoder().decode(copy.stderr)}`);
  const copyBytes = await server.bytesServed();
  const zips = [...Deno.readDirSync(copied)].map((entry) => join(copied, entry.name)).sort();
  if (zips.length !== parts) throw new Error(`rclone copy brought ${zips.length} parts, not ${parts}`);
  for (const zip of zips) {
    const unzip = await new Deno.Command("unzip", {
      args: ["-q", "-o", zip, "-d", join(scratch, "unzipped")],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!unzip.success) throw new Error(`unzip ${zip} failed: ${new TextDecoder().decode(unzip.stderr)}`);
  }
  await settleDisk();
  const copyUnzipSeconds = (performance.now() - started) / 1000;
  await Deno.remove(scratch, { recursive: true });
  return { copyUnzipSeconds, copyBytes };
}

/** Write back what earlier steps left in the page cache, so that no measurement pays for another's writes. */
async function settleDisk(): Promise<void> {
  await new Deno.Command("sync").output();
}

/** The table rows of the figures (median of each over `runs`). */
export function webdavRows(runs: WebdavBench[]): [string, string, string][] {
  const median = (get: (run: WebdavBench) => number) => {
    const sorted = runs.map(get).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const rows: [string, string, string][] = [];
  const labels = {
    baseline: "a full baseline into an empty backup",
    increment: "an increment (a tenth) beside it",
    nextBaseline: "next year's full baseline beside them (a twentieth new)",
  } as const;
  for (const key of ["baseline", "increment", "nextBaseline"] as const) {
    const photosync = median((run) => run[key].photosyncSeconds);
    const copy = median((run) => run[key].copyUnzipSeconds);
    const mb = median((run) => run[key].partBytes) / MB;
    rows.push([
      `WebDAV (rclone serve): ${labels[key]}, ${
        mb.toFixed(0)
      } MB of parts: takeout --from vs rclone copy + unzip`,
      `${photosync.toFixed(2)} s vs ${copy.toFixed(2)} s (${(photosync / copy).toFixed(2)}x); fetched ${
        (median((run) => run[key].photosyncBytes) / MB).toFixed(1)
      } MB vs ${(median((run) => run[key].copyBytes) / MB).toFixed(1)} MB`,
      key === "nextBaseline" ? "≤ 1.0x; fetched ≤ 15 % of the parts" : "≤ 1.0x",
    ]);
  }
  rows.push([
    "peak RSS: takeout --from (baseline; increment; next baseline)",
    (["baseline", "increment", "nextBaseline"] as const).map((key) =>
      `${median((run) => run[key].photosyncPeakRssMb).toFixed(0)} MB`
    ).join("; "),
    "≤ 200 MB",
  ]);
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { "webdav-mb": { type: "string", default: "300" }, runs: { type: "string", default: "1" } },
  });
  const runs: WebdavBench[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    runs.push(await webdavBench(Number(values["webdav-mb"]) * MB));
  }
  for (const row of webdavRows(runs)) console.log(`| ${row.join(" | ")} |`);
  console.log(JSON.stringify(runs, null, 2));
}
