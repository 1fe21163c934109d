/**
 * `deno task bench`: performance of the real CLI against the emulator, with configurable
 * library size, API latency and file sizes. Prints one table (medians of `--runs`, after
 * `--warmup` runs that are not counted) and writes
 * the figures as JSON. Measures: index time and items/s; a no-op re-run; download MB/s next to
 * a plain concurrent `fetch` baseline measured in the same run; peak RSS of the CLI while
 * indexing, while downloading many files and while downloading one very large video; and
 * `photosync takeout` of a large zip export next to `unzip` of the same archives (both timed until
 * the bytes are on disk), with the import's peak RSS; and the peak RSS of importing a zip of very many
 * tiny entries and a zip of one highly compressible entry (each measured once: a memory figure); and
 * `takeout --from` over WebDAV from a real `rclone serve webdav` next to `rclone copy` + `unzip`
 * (`scripts/bench_webdav.ts`: a baseline, an increment, a small one, next year's baseline; `--webdav-mb=0` leaves it
 * out);
 * and `photosync takeout --drive` of the Takeout export served by the emulated Drive API next to parallel `curl`
 * plus `unzip` of its parts, then of a re-export with a few new photos (`bench_drive.ts`); and
 * `photosync verify` over the downloaded files next to `sha256sum` over the same files.
 * @module
 */
// deno-lint-ignore-file no-console
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Emulator, type Route } from "../testing/emulator.ts";
import { type FixtureItem, generateLibrary } from "../testing/library_fixture.ts";
import { isOwnFile, runPhotosync, workspace } from "../testing/harness.ts";
import { runFlags } from "../testing/run_flags.ts";
import { runWithPeakRss } from "./bench_process.ts";
import { writeArchives } from "../testing/takeout/archives.ts";
import { bigExport } from "../testing/takeout/big_export.ts";
import {
  type ScaleZip,
  writeCompressibleZip,
  writeManyEntriesZip,
} from "../testing/takeout/scale_archives.ts";
import { matchSidecars } from "../lib/sources/takeout/sidecar_names.ts";
import { type WebdavBench, webdavBench, webdavRows } from "./bench_webdav.ts";
import { driveBench, driveRows } from "./bench_drive.ts";
import { Store } from "../lib/core/store.ts";

const { values: flags } = parseArgs({
  options: {
    items: { type: "string", default: "50000" },
    latency: { type: "string", default: "100" },
    files: { type: "string", default: "2000" },
    "min-mb": { type: "string", default: "1" },
    "max-mb": { type: "string", default: "5" },
    concurrency: { type: "string", default: "8" },
    "link-mbps": { type: "string", default: "1000" },
    "link-files": { type: "string", default: "300" },
    "big-mb": { type: "string", default: "1024" },
    "takeout-mb": { type: "string", default: "1000" },
    "many-entries": { type: "string", default: "100000" },
    "compressible-mb": { type: "string", default: "1000" },
    "webdav-mb": { type: "string", default: "3000" },
    "drive-latency": { type: "string", default: "20" },
    "drive-new-percent": { type: "string", default: "2" },
    "drive-runs": { type: "string", default: "3" },
    "report-items": { type: "string", default: "50000" },
    runs: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    out: { type: "string", default: "bench-results" },
  },
});
const MB = 1_000_000;
const config = {
  items: Number(flags.items),
  latencyMs: Number(flags.latency),
  files: Number(flags.files),
  minBytes: Number(flags["min-mb"]) * MB,
  maxBytes: Number(flags["max-mb"]) * MB,
  concurrency: Number(flags.concurrency),
  bigBytes: Number(flags["big-mb"]) * 1024 * 1024,
  /** The media link's bytes a second in the second download measurement (0: none). */
  linkBytesPerSecond: Number(flags["link-mbps"]) * 1_000_000 / 8,
  linkFiles: Number(flags["link-files"]),
  takeoutBytes: Number(flags["takeout-mb"]) * MB,
  manyEntries: Number(flags["many-entries"]),
  compressibleBytes: Number(flags["compressible-mb"]) * MB,
  webdavBytes: Number(flags["webdav-mb"]) * MB,
  reportItems: Number(flags["report-items"]),
  runs: Number(flags.runs),
  warmup: Number(flags.warmup),
};

/** A CLI run: wall time and the peak resident set size of its process. */
interface Measured {
  seconds: number;
  peakRssMb: number;
}

/**
 * Run the CLI with `args`, polling its peak RSS (VmHWM) until it exits; with `syncAfter`, the
 * time includes a `sync` after the exit (until the written bytes are on disk).
 */
async function measure(
  emulator: Emulator | undefined,
  root: string,
  args: string[],
  env: Record<string, string> = {},
  syncAfter = false,
) {
  await settleDisk();
  const started = performance.now();
  const peakRssMb = await runWithPeakRss(args, {
    cwd: root,
    env: { ...(emulator ? { PHOTOSYNC_API_URL: emulator.apiUrl } : {}), ...env },
  });
  if (syncAfter) await settleDisk();
  return { seconds: (performance.now() - started) / 1000, peakRssMb } satisfies Measured;
}

/**
 * Write back what earlier steps left in the page cache, so that no measurement pays for the
 * writes of the one before it.
 */
async function settleDisk(): Promise<void> {
  await new Deno.Command("sync").output();
}

/** An emulator with `items`, and a folder whose sync.db holds an authorisation for it. */
async function prepared(items: FixtureItem[], latencyMs = 0) {
  const emulator = await Emulator.start({ items });
  const root = await workspace(emulator);
  const dir = join(root, "photos");
  const auth = await runPhotosync(
    [`--dir=${dir}`, "--no-browser", "--index-only", "--dates=1900-01-01"],
    { emulator, cwd: root, auth: "browser" },
  );
  if (auth.code !== 0) throw new Error(auth.stderr);
  const api: Route[] = ["token", "search", "list", "get", "batchGet"];
  emulator.faults = { latencyMs: Object.fromEntries(api.map((route) => [route, latencyMs])) };
  return {
    emulator,
    root,
    dir,
    async close() {
      await emulator.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** API calls at the least for indexing `items`: one full page of 100 per call. */
const floorCalls = (items: number) => Math.ceil(items / 100);

/**
 * Index a library of `config.items` spread `even`ly or `skewed` (each year bigger, burst days),
 * then a no-op re-run; for the even one, download its small files in between (for the skewed one,
 * the re-run is `--index-only`).
 */
async function indexing(spread: "even" | "skewed") {
  const items = generateLibrary({
    count: config.items,
    seed: 1,
    minSize: 200,
    maxSize: 2000,
    from: "2012-01-01",
    spread,
  });
  const env = await prepared(items, config.latencyMs);
  const calls = () => Object.values(env.emulator.counts).reduce((sum, n) => sum + n, 0);
  try {
    env.emulator.resetCounts();
    const index = await measure(env.emulator, env.root, [`--dir=${env.dir}`, "--index-only"]);
    const indexCalls = calls();
    const searches = env.emulator.counts.search;
    const download = spread === "even"
      ? await measure(env.emulator, env.root, [`--dir=${env.dir}`, "--concurrency=16"])
      : undefined;
    env.emulator.resetCounts();
    // Nothing new to index (nor, for the even library, to download).
    const noop = await measure(env.emulator, env.root, [
      `--dir=${env.dir}`,
      ...(download ? [] : ["--index-only"]),
    ]);
    const prefix = spread === "even" ? "" : "skewed";
    const key = (name: string) => prefix ? prefix + name[0].toUpperCase() + name.slice(1) : name;
    return {
      [key("indexSeconds")]: index.seconds,
      [key("itemsPerSecond")]: items.length / index.seconds,
      [key("indexSearches")]: searches,
      [key("indexApiCalls")]: indexCalls,
      [key("indexPeakRssMb")]: index.peakRssMb,
      ...(download ? { smallFilesSeconds: download.seconds, smallFilesPeakRssMb: download.peakRssMb } : {}),
      [key("noopSeconds")]: noop.seconds,
      [key("noopApiCalls")]: calls(),
    };
  } finally {
    await env.close();
  }
}

/**
 * Download `count` files (1 to 5 MB, a tenth videos) with the CLI and with plain `fetch`, alternated. With
 * `linkBytesPerSecond`, the emulator sends all media bodies through one link of that speed (as Google's
 * servers would over a user's line, their CPU not the client's); without it, as fast as it makes them, and
 * `verify` is timed over the downloaded files as well.
 */
async function downloading(
  run: number,
  count: number,
  linkBytesPerSecond?: number,
): Promise<Record<string, number>> {
  const items = generateLibrary({
    count,
    seed: linkBytesPerSecond ? 3 : 2,
    minSize: config.minBytes,
    maxSize: config.maxBytes,
    videoRatio: 0.1,
  });
  const bytes = items.reduce((sum, it) => sum + it.size, 0);
  const env = await prepared(items);
  env.emulator.mediaLinkBytesPerSecond = linkBytesPerSecond;
  try {
    const index = await runPhotosync([`--dir=${env.dir}`, "--index-only"], {
      emulator: env.emulator,
      cwd: env.root,
    });
    if (index.code !== 0) throw new Error(index.stderr);
    let verified: Awaited<ReturnType<typeof verifying>> | undefined;
    const cli = async () => {
      const result = await measure(env.emulator, env.root, [
        `--dir=${env.dir}`,
        `--concurrency=${config.concurrency}`,
      ]);
      if (!linkBytesPerSecond) verified = await verifying(env.root, env.dir);
      await Deno.remove(env.dir, { recursive: true }); // Free the disk for the baseline.
      return result;
    };
    /** Plain fetch of the first `count` files; returns its time in seconds. */
    const baseline = async (count = items.length) => {
      const token = env.emulator.issuedTokens.findLast((t) => t.startsWith("ya29."))!;
      const urls: string[] = [];
      for (let i = 0; i < count; i += 50) {
        const query = items.slice(i, Math.min(i + 50, count)).map((it) => `mediaItemIds=${it.id}`).join("&");
        const answer = await (await fetch(`${env.emulator.apiUrl}/v1/mediaItems:batchGet?${query}`, {
          headers: { authorization: `Bearer ${token}` },
        })).json();
        for (const { mediaItem } of answer.mediaItemResults) {
          urls.push(mediaItem.baseUrl + (mediaItem.mediaMetadata.video ? "=dv" : "=d"));
        }
      }
      const list = join(env.root, "urls.json");
      await Deno.writeTextFile(list, JSON.stringify(urls));
      const out = join(env.root, "baseline");
      await settleDisk();
      const started = performance.now();
      const { code } = await new Deno.Command(Deno.execPath(), {
        // The same runtime flags (permissions, V8) as the CLI: only the code differs.
        args: [
          "run",
          ...runFlags(),
          new URL("./bench_fetch.ts", import.meta.url).pathname,
          list,
          out,
          String(config.concurrency),
        ],
      }).output();
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) throw new Error("the baseline failed");
      await Deno.remove(out, { recursive: true });
      return seconds;
    };
    // Warm the emulator and the disk up, then alternate the order between runs so that
    // neither always goes first.
    await baseline(Math.min(200, items.length));
    const [measured, baselineSeconds] = await alternate(run, cli, () => baseline());
    const cliMBs = bytes / MB / measured.seconds;
    const baselineMBs = bytes / MB / baselineSeconds;
    if (linkBytesPerSecond) {
      return { linkDownloadMBs: cliMBs, linkBaselineMBs: baselineMBs, linkRatio: cliMBs / baselineMBs };
    }
    return {
      downloadMBs: cliMBs,
      baselineMBs,
      ratio: cliMBs / baselineMBs,
      downloadPeakRssMb: measured.peakRssMb,
      ...verified!,
    };
  } finally {
    await env.close();
  }
}

/**
 * `photosync verify` over the files just downloaded next to `sha256sum` over the same files: each run
 * twice, the second timed (the page cache warm for both, as far as it holds the files).
 */
async function verifying(root: string, dir: string) {
  const files = (await Array.fromAsync(walkFiles(dir))).filter((path) => /\/\d{4}\/\d\d\/\d\d\//.test(path));
  const sha256sum = async () => {
    const started = performance.now();
    const { code } = await new Deno.Command("sha256sum", { args: files, stdout: "null" }).output();
    if (code !== 0) throw new Error("sha256sum failed");
    return (performance.now() - started) / 1000;
  };
  const verify = async () => (await measure(undefined, root, ["verify", `--dir=${dir}`])).seconds;
  await verify();
  const verifySeconds = await verify();
  await sha256sum();
  const sha256sumSeconds = await sha256sum();
  return { verifySeconds, sha256sumSeconds, verifyRatio: verifySeconds / sha256sumSeconds };
}

/** Every file under `dir`, recursively. */
async function* walkFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walkFiles(path);
    else if (entry.isFile) yield path;
  }
}

async function bigVideo() {
  const video: FixtureItem = {
    id: "AF1QipBigVideo0000000000",
    filename: "big.mp4",
    mimeType: "video/mp4",
    creationTime: "2024-01-01T12:00:00Z",
    width: 3840,
    height: 2160,
    video: { status: "READY", fps: 30 },
    size: config.bigBytes,
  };
  const env = await prepared([video]);
  try {
    const index = await runPhotosync([`--dir=${env.dir}`, "--index-only"], {
      emulator: env.emulator,
      cwd: env.root,
    });
    if (index.code !== 0) throw new Error(index.stderr);
    const measured = await measure(env.emulator, env.root, [`--dir=${env.dir}`]);
    return { bigVideoMBs: config.bigBytes / MB / measured.seconds, bigVideoPeakRssMb: measured.peakRssMb };
  } finally {
    await env.close();
  }
}

/** The export of the Takeout measurement: written once, outside the timing, as deflated zips. */
async function takeoutExport() {
  const root = await Deno.makeTempDir({ prefix: "photosync-bench-takeout-" });
  const exp = bigExport({ totalBytes: config.takeoutBytes, fileBytes: 2_500_000 });
  console.error(
    `writing a Takeout export of ${exp.files.length} files (${flags["takeout-mb"]} MB) as 3 zips...`,
  );
  const archives = await writeArchives(exp, join(root, "archives"), { format: "zip", parts: 3 });
  return {
    exp,
    root,
    archives,
    files: exp.files.length,
    bytes: exp.files.reduce((sum, file) => sum + file.size, 0),
    async close() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Regular files under `dir` and their bytes (album links and photosync's own files aside). */
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

/**
 * `photosync takeout` of the export next to `unzip` of each archive in turn (as a user would
 * extract them), both timed from start until a `sync` after them returns, on a settled disk.
 */
async function takeoutImport(run: number, exp: Awaited<ReturnType<typeof takeoutExport>>) {
  const out = join(exp.root, "photosync");
  const out2 = join(exp.root, "unzip");
  const drop = async () => {
    await Deno.remove(out, { recursive: true }).catch(() => {});
    await Deno.remove(out2, { recursive: true }).catch(() => {});
    await settleDisk();
  };
  const cli = async () => {
    await drop();
    const measured = await measure(
      undefined,
      exp.root,
      ["takeout", `--dir=${out}`, ...exp.archives],
      {},
      true,
    );
    const written = await filesUnder(out);
    if (written.count !== exp.files || written.bytes !== exp.bytes) {
      throw new Error(
        `photosync takeout wrote ${written.count} files of ${written.bytes} bytes, not ${exp.files}`,
      );
    }
    return measured;
  };
  const unzip = async () => {
    await drop();
    return await timeUnzip(exp.archives, out2);
  };
  const [measured, unzipSeconds] = await alternate(run, cli, unzip);
  await drop();
  return {
    takeoutSeconds: measured.seconds,
    unzipSeconds,
    takeoutRatio: measured.seconds / unzipSeconds,
    takeoutMBs: exp.bytes / MB / measured.seconds,
    unzipMBs: exp.bytes / MB / unzipSeconds,
    takeoutPeakRssMb: measured.peakRssMb,
  };
}

/** `unzip -q -o` of `archives` one by one into `out`, in seconds, until a `sync` after it returns. */
async function timeUnzip(archives: string[], out: string): Promise<number> {
  await settleDisk();
  const started = performance.now();
  for (const archive of archives) {
    const { code, stderr } = await new Deno.Command("unzip", {
      args: ["-q", "-o", archive, "-d", out],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(`unzip ${archive} exited with ${code}: ${new TextDecoder().decode(stderr)}`);
    }
  }
  await settleDisk();
  return (performance.now() - started) / 1000;
}

/**
 * Peak RSS of `photosync takeout` of one generated zip (written outside the measurement), which
 * must import completely; `label` names the figures. With `vsUnzip`, the import is timed until
 * synced, next to `unzip` of the same zip (`${label}UnzipSeconds`).
 */
async function scaleImport(
  label: "manyEntries" | "compressible",
  write: (path: string) => Promise<ScaleZip>,
  vsUnzip = false,
): Promise<Record<string, number>> {
  const root = await Deno.makeTempDir({ prefix: "photosync-bench-scale-" });
  try {
    const zip = await write(join(root, "takeout-001.zip"));
    const zipBytes = (await Deno.stat(zip.path)).size;
    const out = join(root, "photos");
    const measured = await measure(undefined, root, ["takeout", `--dir=${out}`, zip.path], {}, vsUnzip);
    const written = await filesUnder(out);
    const bytes = zip.files.reduce((sum, file) => sum + file.size, 0);
    if (written.count !== zip.files.length || written.bytes !== bytes) {
      throw new Error(
        `photosync takeout wrote ${written.count} files of ${written.bytes} bytes, not ${bytes}`,
      );
    }
    let unzipSeconds: number | undefined;
    if (vsUnzip) {
      await Deno.remove(out, { recursive: true });
      unzipSeconds = await timeUnzip([zip.path], join(root, "unzip"));
    }
    return {
      [`${label}PeakRssMb`]: measured.peakRssMb,
      [`${label}Seconds`]: measured.seconds,
      [`${label}ZipMb`]: zipBytes / MB,
      ...(unzipSeconds === undefined ? {} : { [`${label}UnzipSeconds`]: unzipSeconds }),
    };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * The memory of Takeout imports at scale, measured once (a peak, not a time): a zip of
 * `config.manyEntries` tiny entries, and one of a `config.compressibleBytes` video of zeros (timed
 * next to unzip too).
 */
async function scaleImports(): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  if (config.manyEntries > 0) {
    console.error(`importing a zip of ${config.manyEntries} entries...`);
    Object.assign(
      results,
      await scaleImport("manyEntries", (path) => writeManyEntriesZip(path, config.manyEntries)),
    );
  }
  if (config.compressibleBytes > 0) {
    console.error(`importing a zip of one ${flags["compressible-mb"]} MB entry of zeros...`);
    Object.assign(
      results,
      await scaleImport("compressible", (path) => writeCompressibleZip(path, config.compressibleBytes), true),
    );
  }
  return results;
}

/**
 * Matching sidecars in one folder of 20,000 photos and their edited copies, in ms: the copies find no
 * sidecar and go on to the title search, which must not scan every sidecar for every such file.
 */
function sidecarMatching(): { sidecarMatchMs: number } {
  const media = Array.from({ length: 20_000 }, (_, i) => `IMG_${i}.jpg`);
  const edited = media.map((name) => name.replace(".jpg", "-edited.jpg"));
  const sidecars = media.map((name) => ({ name: `${name}.supplemental-metadata.json`, title: name }));
  const started = performance.now();
  const matches = matchSidecars([...media, ...edited], sidecars);
  if (matches.size !== media.length) throw new Error(`matched ${matches.size} of ${media.length}`);
  return { sidecarMatchMs: performance.now() - started };
}

/**
 * A backup of `config.reportItems` items for `photosync report` next to `status --json` (both look at
 * every file): written through the store, outside the timing, as a real library grows (skewed, from
 * 2005), two sources, every item downloaded to a small file of its recorded size, a few failed.
 */
async function reportBackup() {
  const root = await Deno.makeTempDir({ prefix: "photosync-bench-report-" });
  const dir = join(root, "photos");
  await Deno.mkdir(dir);
  const items = generateLibrary({ count: config.reportItems, seed: 5, from: "2005-01-01", spread: "skewed" });
  console.error(`writing a backup of ${items.length} items for the report...`);
  {
    using store = Store.open(dir);
    const newItems = items.map((it, i) => ({
      id: it.id,
      source: i % 4 === 0 ? "takeout" : "library",
      filename: it.filename,
      createdMs: Date.parse(it.creationTime),
      isVideo: it.video !== undefined,
      json: JSON.stringify(it),
    }));
    for (let i = 0; i < newItems.length; i += 1000) {
      for (const source of ["library", "takeout"]) {
        store.saveBatch({ source, items: newItems.slice(i, i + 1000).filter((it) => it.source === source) });
      }
    }
    const folders = new Set<string>();
    const done: { id: string; size: number }[] = [];
    for (const [i, it] of items.entries()) {
      if (i % 997 === 0) {
        store.markFailed(it.id, "bench");
        continue;
      }
      const folder = it.creationTime.slice(0, 10).replaceAll("-", "/");
      const path = `${folder}/${i}.jpg`;
      if (!folders.has(folder)) await Deno.mkdir(join(dir, folder), { recursive: true });
      folders.add(folder);
      const size = 1 + (i % 100);
      await Deno.writeFile(join(dir, path), new Uint8Array(size));
      store.claimPath(it.id, path);
      done.push({ id: it.id, size });
    }
    store.markDownloaded(done);
  }
  return { root, dir, close: () => Deno.remove(root, { recursive: true }) };
}

/** `photosync report` and `status --json` over the same backup, alternating which goes first. */
async function reportTiming(run: number, backup: Awaited<ReturnType<typeof reportBackup>>) {
  const out = join(backup.root, "report.html");
  const [report, status] = await alternate(
    run,
    () => measure(undefined, backup.root, ["report", `--dir=${backup.dir}`, `--out=${out}`]),
    () => measure(undefined, backup.root, ["status", `--dir=${backup.dir}`, "--json"]),
  );
  return {
    reportSeconds: report.seconds,
    reportStatusSeconds: status.seconds,
    reportRatio: report.seconds / status.seconds,
    reportMb: (await Deno.stat(out)).size / MB,
  };
}

const reportStore = config.reportItems > 0 ? await reportBackup() : undefined;
const exported = config.takeoutBytes > 0 ? await takeoutExport() : undefined;
const runs: Record<string, number>[] = [];
let driveResults: Awaited<ReturnType<typeof driveBench>> | undefined;
try {
  // Warm-up runs first, not counted: the first run after the export is written (or the code
  // changed) pays for caches that later runs, and users' repeated runs, find filled.
  for (let run = -config.warmup; run < config.runs; run++) {
    console.error(run < 0 ? "warm-up run..." : `run ${run + 1} of ${config.runs}...`);
    const measured = {
      ...(config.items > 0 ? { ...await indexing("even"), ...await indexing("skewed") } : {}),
      ...(config.files > 0 ? await downloading(run, config.files) : {}),
      ...(config.linkBytesPerSecond > 0 && config.linkFiles > 0
        ? await downloading(run, config.linkFiles, config.linkBytesPerSecond)
        : {}),
      ...(config.bigBytes > 0 ? await bigVideo() : {}),
      ...(exported ? { ...await takeoutImport(run, exported), ...sidecarMatching() } : {}),
      ...(reportStore ? await reportTiming(run, reportStore) : {}),
    };
    if (run >= 0) runs.push(measured);
  }
  if (exported && Number(flags["drive-runs"]) > 0) {
    // The same export, served by the emulated Drive API (its own alternation of runs inside).
    driveResults = await driveBench({
      exp: exported.exp,
      archives: exported.archives,
      root: exported.root,
      latencyMs: Number(flags["drive-latency"]),
      runs: Number(flags["drive-runs"]),
      warmup: config.warmup,
      newPercent: Number(flags["drive-new-percent"]),
    });
  }
} finally {
  await exported?.close();
  await reportStore?.close();
}
const scale = await scaleImports();
const webdavRuns: WebdavBench[] = config.webdavBytes > 0
  ? await webdavBench(config.webdavBytes, config.runs)
  : [];
const median = (key: string) => {
  const sorted = runs.map((r) => r[key]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const results = {
  ...Object.fromEntries(Object.keys(runs[0] ?? {}).map((key) => [key, median(key)])),
  ...scale,
};

const rows: [string, string, string][] = [];
if (config.items > 0) {
  const floor = floorCalls(config.items);
  const target = `≤ ${Math.floor(1.3 * floor + 30)} calls, ≤ 5 s`;
  for (const [label, prefix] of [["evenly spread", ""], ["skewed", "skewed"]] as const) {
    const get = (name: string) => results[prefix ? prefix + name[0].toUpperCase() + name.slice(1) : name];
    rows.push(
      [
        `index ${config.items} items ${label}, ${config.latencyMs} ms per API call`,
        `${get("indexSeconds").toFixed(2)} s, ${get("indexApiCalls")} API calls (${
          get("indexSearches")
        } searches; floor ${floor}, ${(get("indexApiCalls") / floor).toFixed(2)}x)`,
        target,
      ],
      [
        `no-op re-run over that store${prefix ? " (--index-only)" : ""}`,
        `${get("noopSeconds").toFixed(2)} s (${get("noopApiCalls")} API calls)`,
        "≤ 2 s",
      ],
    );
  }
}
if (config.files > 0) {
  rows.push([
    `download ${config.files} files of ${flags["min-mb"]}-${
      flags["max-mb"]
    } MB, concurrency ${config.concurrency}`,
    `${results.downloadMBs.toFixed(0)} MB/s vs baseline ${results.baselineMBs.toFixed(0)} MB/s (${
      results.ratio.toFixed(2)
    }x)`,
    "≥ 0.9x",
  ]);
}
if (config.files > 0) {
  rows.push([
    `verify those files vs sha256sum of the same files (second runs, warm cache; per run)`,
    `${results.verifySeconds.toFixed(2)} s vs ${results.sha256sumSeconds.toFixed(2)} s (${
      results.verifyRatio.toFixed(2)
    }x; ${runs.map((r) => r.verifyRatio.toFixed(2)).join(", ")})`,
    "≤ 1.0x",
  ]);
}
if (config.linkBytesPerSecond > 0 && config.linkFiles > 0) {
  rows.push([
    `download ${config.linkFiles} files of ${flags["min-mb"]}-${flags["max-mb"]} MB over a ${
      flags["link-mbps"]
    } Mbit/s link`,
    `${results.linkDownloadMBs.toFixed(0)} MB/s vs baseline ${results.linkBaselineMBs.toFixed(0)} MB/s (${
      results.linkRatio.toFixed(2)
    }x)`,
    "≥ 0.9x",
  ]);
}
if (config.bigBytes > 0) {
  rows.push([`download one ${flags["big-mb"]} MiB video`, `${results.bigVideoMBs.toFixed(0)} MB/s`, ""]);
}
if (exported) {
  rows.push(
    [
      `takeout ${exported.files} files, ${flags["takeout-mb"]} MB in 3 zips, until synced`,
      `${results.takeoutSeconds.toFixed(2)} s (${results.takeoutMBs.toFixed(0)} MB/s)`,
      "",
    ],
    [
      "unzip -q -o of the same zips, one by one, until synced",
      `${results.unzipSeconds.toFixed(2)} s (${results.unzipMBs.toFixed(0)} MB/s)`,
      "",
    ],
    [
      "match sidecars: one folder of 20,000 photos and their edited copies",
      `${results.sidecarMatchMs.toFixed(0)} ms`,
      "≤ 1 s",
    ],
    [
      "takeout / unzip (medians; per run)",
      `${(results.takeoutSeconds / results.unzipSeconds).toFixed(2)}x (${
        runs.map((r) => r.takeoutRatio.toFixed(2)).join(", ")
      })`,
      "≤ 1.0x",
    ],
  );
}
if (config.items > 0) {
  rows.push(
    [
      "peak RSS: indexing (even; skewed)",
      `${results.indexPeakRssMb.toFixed(0)} MB; ${results.skewedIndexPeakRssMb.toFixed(0)} MB`,
      "≤ 100 MB",
    ],
    [
      `peak RSS: downloading ${config.items} small files`,
      `${results.smallFilesPeakRssMb.toFixed(0)} MB (${results.smallFilesSeconds.toFixed(1)} s)`,
      "≤ 150 MB",
    ],
  );
}
if (config.files > 0) {
  rows.push(["peak RSS: downloading many files", `${results.downloadPeakRssMb.toFixed(0)} MB`, "≤ 150 MB"]);
}
if (config.bigBytes > 0) {
  rows.push([
    "peak RSS: downloading the big video",
    `${results.bigVideoPeakRssMb.toFixed(0)} MB`,
    "≤ 150 MB",
  ]);
}
if (exported) {
  rows.push(["peak RSS: takeout import", `${results.takeoutPeakRssMb.toFixed(0)} MB`, "≤ 200 MB"]);
}
// Takeout at scale, side by side: memory flat whatever the archive holds, and no slower than unzip.
if (config.manyEntries > 0) {
  rows.push([
    `takeout of a zip of ${config.manyEntries} tiny entries (once): peak RSS`,
    `${results.manyEntriesPeakRssMb.toFixed(0)} MB (${results.manyEntriesSeconds.toFixed(0)} s)`,
    "≤ 200 MB",
  ]);
}
if (config.compressibleBytes > 0) {
  rows.push([
    `takeout of one ${flags["compressible-mb"]} MB entry deflated to ${
      results.compressibleZipMb.toFixed(1)
    } MB (once): peak RSS; vs unzip`,
    `${results.compressiblePeakRssMb.toFixed(0)} MB (${results.compressibleSeconds.toFixed(1)} s; unzip ${
      results.compressibleUnzipSeconds.toFixed(1)
    } s, ${(results.compressibleSeconds / results.compressibleUnzipSeconds).toFixed(2)}x)`,
    "≤ 200 MB",
  ]);
}
if (webdavRuns.length > 0) rows.push(...webdavRows(webdavRuns));
if (driveResults) {
  rows.push(...driveRows(driveResults, Number(flags["drive-latency"]), Number(flags["drive-new-percent"])));
}
if (reportStore) {
  rows.push([
    `report of ${config.reportItems} items vs status --json (same sync.db)`,
    `${results.reportSeconds.toFixed(2)} s vs ${results.reportStatusSeconds.toFixed(2)} s (${
      (results.reportSeconds / results.reportStatusSeconds).toFixed(2)
    }x), page ${results.reportMb.toFixed(2)} MB`,
    "≤ 2x, ≤ 2 MB",
  ]);
}
if (exported) {
  rows.push([
    `takeout of ${flags["takeout-mb"]} MB in 3 zips vs unzip (medians)`,
    `${results.takeoutSeconds.toFixed(2)} s vs ${results.unzipSeconds.toFixed(2)} s (${
      (results.takeoutSeconds / results.unzipSeconds).toFixed(2)
    }x)`,
    "≤ 1.0x",
  ]);
}
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), 6));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
console.log(
  `\nMedian of ${config.runs} runs (${Deno.build.target}, ${navigator.hardwareConcurrency} cores):`,
);
console.log(line(["measure", "result", "target"]));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of rows) console.log(line(row));
await Deno.mkdir(flags.out, { recursive: true });
const file = join(flags.out, `bench-${new Date().toISOString().replaceAll(":", "-").slice(0, 19)}.json`);
await Deno.writeTextFile(
  file,
  JSON.stringify(
    {
      config,
      median: {
        ...results,
        ...(exported ? { takeoutRatioOfMedians: results.takeoutSeconds / results.unzipSeconds } : {}),
        ...(driveResults ? { drive: driveResults } : {}),
      },
      runs,
      ...(webdavRuns.length > 0 ? { webdav: webdavRuns } : {}),
    },
    null,
    2,
  ),
);
console.log(`\nwritten to ${file}`);

/** Run `a` and `b` one after the other, `a` first in even runs and `b` first in odd ones, so neither always goes first. */
async function alternate<A, B>(run: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (run % 2 === 0) {
    const first = await a();
    return [first, await b()];
  }
  const second = await b();
  return [await a(), second];
}
