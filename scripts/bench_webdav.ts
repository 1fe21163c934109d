/**
 * The WebDAV part of `deno task bench` (also runnable alone: `deno run -A scripts/bench_webdav.ts
 * [--webdav-mb=3000] [--runs=1]`): `photosync takeout --from=URL` reading exports from a real `rclone serve
 * webdav`, next to what a user would do without it, `rclone copy` of the same parts from the same server
 * and `unzip` of each, both timed until the bytes are on disk. Each side's bytes fetched are the bytes the
 * server served, by rclone's own accounting (its remote control's `core/stats`): no proxy in the way of the
 * timing. Four steps, as a year of scheduled exports goes:
 *
 * 1. the baseline (a full export of `--webdav-mb` MB) into an empty backup;
 * 2. an increment (a tenth of that) landing beside it: photosync lists both and reads only the new one,
 *    `rclone copy` copies the increment's parts;
 * 3. a small increment (a dozen photos, {@link SMALL_INCREMENT_BYTES}): what a run costs whatever it
 *    imports (the process's start, the listing, the parts' directories) against copying and unzipping 30 MB;
 * 4. next year's full baseline landing beside them (everything before plus a twentieth new): photosync reads
 *    its zip directories and fetches only what is new; `rclone copy` copies all of it.
 *
 * The default baseline, 3,000 MB (1,200 photos of about 2.5 MB), is still a small library; its increment
 * (120 photos) is about what two months of a phone's photos come to. The exports are written once; each
 * counted run starts from an empty backup and a served folder holding none of them. At the default it needs about
 * 17 GB free in the temporary folder (the exports, 6.8 GB; next year's parts copied and unzipped, 7 GB; the backup).
 * @module
 */
// deno-lint-ignore-file no-console
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runWithPeakRss } from "./bench_process.ts";
import { RCLONE, rcloneAvailable, RcloneWebdav } from "../testing/rclone_webdav.ts";
import { totalSize, writeArchives } from "../testing/takeout/archives.ts";
import { bigExport } from "../testing/takeout/big_export.ts";
import type { TakeoutExport } from "../testing/takeout/model.ts";

const MB = 1_000_000;

/** The small increment's bytes: a dozen photos, whatever the baseline. */
export const SMALL_INCREMENT_BYTES = 30 * MB;

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

/** The steps, in the order they run. */
const STEPS = ["baseline", "increment", "smallIncrement", "nextBaseline"] as const;

/** The four steps' figures. */
export type WebdavBench = Record<(typeof STEPS)[number], WebdavStep>;

/**
 * Run the four steps `runs` times over a baseline of `baselineBytes`: the exports written once, each run from
 * an empty backup.
 */
export async function webdavBench(baselineBytes: number, runs: number): Promise<WebdavBench[]> {
  if (!(await rcloneAvailable())) throw new Error("the WebDAV bench needs rclone (apt-get install rclone)");
  const root = await Deno.makeTempDir({ prefix: "photosync-bench-webdav-" });
  try {
    const baseline = bigExport({ totalBytes: baselineBytes, seed: 1, exportedAt: "2025-11-10T10:10:10Z" });
    const increment = bigExport({
      totalBytes: baselineBytes / 10,
      seed: 2,
      exportedAt: "2026-01-10T10:10:10Z",
    });
    const small = bigExport({
      totalBytes: SMALL_INCREMENT_BYTES,
      seed: 4,
      exportedAt: "2026-03-10T10:10:10Z",
    });
    const added = bigExport({ totalBytes: baselineBytes / 20, seed: 3, exportedAt: "2026-11-10T10:10:10Z" });
    const next: TakeoutExport = {
      ...added,
      files: [...baseline.files, ...increment.files, ...small.files, ...added.files],
    };
    const exports: Record<(typeof STEPS)[number], [TakeoutExport, string]> = {
      baseline: [baseline, "2025-11"],
      increment: [increment, "2026-01"],
      smallIncrement: [small, "2026-03"],
      nextBaseline: [next, "2026-11"],
    };
    // Written once, outside the served folder; each step moves its export's folder in (one rename).
    const written = join(root, "written");
    const parts = {} as Record<(typeof STEPS)[number], { folder: string; count: number; bytes: number }>;
    for (const step of STEPS) {
      const [exp, folder] = exports[step];
      console.error(`writing ${folder}: ${exp.files.length} files...`);
      const files = await writeArchives(exp, join(written, folder), { format: "zip", parts: 3 });
      parts[step] = { folder, count: files.length, bytes: await totalSize(files) };
    }
    const served = join(root, "served");
    await Deno.mkdir(served);
    await using server = await RcloneWebdav.start({ root: served, stats: true });
    const results: WebdavBench[] = [];
    for (let run = 0; run < runs; run++) {
      if (runs > 1) console.error(`WebDAV run ${run + 1} of ${runs}...`);
      const out = join(root, "photos");
      const figures: Partial<WebdavBench> = {};
      try {
        for (const step of STEPS) {
          const { folder, count, bytes } = parts[step];
          await Deno.rename(join(written, folder), join(served, folder));
          const copy = await copyAndUnzip(server, folder, count, join(root, "copy"));
          const photosync = await takeoutFrom(server, out);
          figures[step] = { ...photosync, ...copy, partBytes: bytes };
        }
      } finally {
        for (const { folder } of Object.values(parts)) {
          await Deno.rename(join(served, folder), join(written, folder)).catch(() => {});
        }
        await Deno.remove(out, { recursive: true }).catch(() => {});
      }
      results.push(figures as WebdavBench);
    }
    return results;
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

/** The table rows of the figures: medians over `runs`, the ratio the median of each run's own. */
export function webdavRows(runs: WebdavBench[]): [string, string, string][] {
  const median = (get: (run: WebdavBench) => number) => {
    const sorted = runs.map(get).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const rows: [string, string, string][] = [];
  const labels = {
    baseline: "a full baseline into an empty backup",
    increment: "an increment (a tenth) beside it",
    smallIncrement: "a small increment (a dozen photos) beside them",
    nextBaseline: "next year's full baseline beside them (a twentieth new)",
  } as const;
  const targets = {
    baseline: "≤ 1.0x",
    increment: "≤ 1.0x",
    // Not a target: what any run costs before and after its bytes (see BENCHMARKS.md), next to 30 MB.
    smallIncrement: "none: a run's fixed cost",
    nextBaseline: "≤ 1.0x; fetched ≤ 15 % of the parts",
  } as const;
  for (const key of STEPS) {
    const photosync = median((run) => run[key].photosyncSeconds);
    const copy = median((run) => run[key].copyUnzipSeconds);
    // The ratio of each run's pair (the two sides timed one after the other), their median: a machine
    // whose speed drifts between runs moves both sides of a pair alike.
    const ratio = median((run) => run[key].photosyncSeconds / run[key].copyUnzipSeconds);
    const mb = median((run) => run[key].partBytes) / MB;
    rows.push([
      `WebDAV (rclone serve): ${labels[key]}, ${
        mb.toFixed(0)
      } MB of parts: takeout --from vs rclone copy + unzip`,
      `${photosync.toFixed(2)} s vs ${copy.toFixed(2)} s (${ratio.toFixed(2)}x); fetched ${
        (median((run) => run[key].photosyncBytes) / MB).toFixed(1)
      } MB vs ${(median((run) => run[key].copyBytes) / MB).toFixed(1)} MB`,
      targets[key],
    ]);
  }
  rows.push([
    "peak RSS: takeout --from (baseline; increment; small increment; next baseline)",
    STEPS.map((key) => `${median((run) => run[key].photosyncPeakRssMb).toFixed(0)} MB`).join("; "),
    "≤ 200 MB",
  ]);
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { "webdav-mb": { type: "string", default: "3000" }, runs: { type: "string", default: "1" } },
  });
  const runs = await webdavBench(Number(values["webdav-mb"]) * MB, Number(values.runs));
  for (const row of webdavRows(runs)) console.log(`| ${row.join(" | ")} |`);
  console.log(JSON.stringify(runs, null, 2));
}
