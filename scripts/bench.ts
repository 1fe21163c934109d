/**
 * `deno task bench`: performance of the real CLI against the emulator, with configurable
 * library size, API latency and file sizes. Prints one table (medians of `--runs`) and writes
 * the figures as JSON. Measures: index time and items/s; a no-op re-run; download MB/s next to
 * a plain concurrent `fetch` baseline measured in the same run; peak RSS of the CLI while
 * indexing, while downloading many files and while downloading one very large video.
 * @module
 */
// deno-lint-ignore-file no-console
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runFlags } from "./run_flags.ts";
import { Emulator, type Route } from "../testing/emulator.ts";
import { type FixtureItem, generateLibrary } from "../testing/library_fixture.ts";
import { MAIN, runCli, workspace } from "../testing/harness.ts";

const { values: flags } = parseArgs({
  options: {
    items: { type: "string", default: "50000" },
    latency: { type: "string", default: "100" },
    files: { type: "string", default: "2000" },
    "min-mb": { type: "string", default: "1" },
    "max-mb": { type: "string", default: "5" },
    concurrency: { type: "string", default: "8" },
    "big-mb": { type: "string", default: "1024" },
    runs: { type: "string", default: "3" },
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
  runs: Number(flags.runs),
};

/** A CLI run: wall time and the peak resident set size of its process. */
interface Measured {
  seconds: number;
  peakRssMb: number;
}

/** Run the CLI with `args`, polling its peak RSS (VmHWM) until it exits. */
async function measure(emulator: Emulator, root: string, args: string[], env: Record<string, string> = {}) {
  await settleDisk();
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...runFlags(), MAIN, ...args, "--quiet"],
    cwd: root,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      PHOTOSYNC_API_URL: emulator.apiUrl,
      ...env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // The process has just exited.
    }
  }, 100);
  const [{ code }, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  clearInterval(poll);
  if (code !== 0) throw new Error(`photosync ${args.join(" ")} exited with ${code}: ${stderr}`);
  return { seconds: (performance.now() - started) / 1000, peakRssMb: peakKb / 1024 } satisfies Measured;
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
  const auth = await runCli(
    [`--dir=${dir}`, "--no-browser", "--index-only", "--dates=1900-01-01"],
    emulator,
    {
      cwd: root,
      auth: "browser",
    },
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

async function indexing() {
  const items = generateLibrary({
    count: config.items,
    seed: 1,
    minSize: 200,
    maxSize: 2000,
    from: "2012-01-01",
  });
  const env = await prepared(items, config.latencyMs);
  try {
    const index = await measure(env.emulator, env.root, [`--dir=${env.dir}`, "--index-only"]);
    const searches = env.emulator.counts.search;
    const download = await measure(env.emulator, env.root, [`--dir=${env.dir}`, "--concurrency=16"]);
    env.emulator.resetCounts();
    const noop = await measure(env.emulator, env.root, [`--dir=${env.dir}`]);
    const noopCalls = Object.values(env.emulator.counts).reduce((sum, n) => sum + n, 0);
    return {
      indexSeconds: index.seconds,
      itemsPerSecond: items.length / index.seconds,
      indexSearches: searches,
      indexPeakRssMb: index.peakRssMb,
      smallFilesSeconds: download.seconds,
      smallFilesPeakRssMb: download.peakRssMb,
      noopSeconds: noop.seconds,
      noopApiCalls: noopCalls,
    };
  } finally {
    await env.close();
  }
}

async function downloading(run: number) {
  const items = generateLibrary({
    count: config.files,
    seed: 2,
    minSize: config.minBytes,
    maxSize: config.maxBytes,
    videoRatio: 0.1,
  });
  const bytes = items.reduce((sum, it) => sum + it.size, 0);
  const env = await prepared(items);
  try {
    const index = await runCli([`--dir=${env.dir}`, "--index-only"], env.emulator, { cwd: env.root });
    if (index.code !== 0) throw new Error(index.stderr);
    const cli = async () => {
      const result = await measure(env.emulator, env.root, [
        `--dir=${env.dir}`,
        `--concurrency=${config.concurrency}`,
      ]);
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
    let measured: Measured;
    let baselineSeconds: number;
    if (run % 2 === 0) {
      measured = await cli();
      baselineSeconds = await baseline();
    } else {
      baselineSeconds = await baseline();
      measured = await cli();
    }
    const cliMBs = bytes / MB / measured.seconds;
    const baselineMBs = bytes / MB / baselineSeconds;
    return {
      downloadMBs: cliMBs,
      baselineMBs,
      ratio: cliMBs / baselineMBs,
      downloadPeakRssMb: measured.peakRssMb,
    };
  } finally {
    await env.close();
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
    const index = await runCli([`--dir=${env.dir}`, "--index-only"], env.emulator, { cwd: env.root });
    if (index.code !== 0) throw new Error(index.stderr);
    const measured = await measure(env.emulator, env.root, [`--dir=${env.dir}`]);
    return { bigVideoMBs: config.bigBytes / MB / measured.seconds, bigVideoPeakRssMb: measured.peakRssMb };
  } finally {
    await env.close();
  }
}

const runs: Record<string, number>[] = [];
for (let run = 0; run < config.runs; run++) {
  console.error(`run ${run + 1} of ${config.runs}...`);
  runs.push({ ...await indexing(), ...await downloading(run), ...await bigVideo() });
}
const median = (key: string) => {
  const sorted = runs.map((r) => r[key]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const results = Object.fromEntries(Object.keys(runs[0]).map((key) => [key, median(key)]));

const rows: [string, string, string][] = [
  [
    `index ${config.items} items, ${config.latencyMs} ms per API call`,
    `${results.indexSeconds.toFixed(2)} s (${
      Math.round(results.itemsPerSecond)
    } items/s, ${results.indexSearches} searches)`,
    "≤ 10 s",
  ],
  [
    "no-op re-run over that store",
    `${results.noopSeconds.toFixed(2)} s (${results.noopApiCalls} API calls)`,
    "≤ 2 s",
  ],
  [
    `download ${config.files} files of ${flags["min-mb"]}-${
      flags["max-mb"]
    } MB, concurrency ${config.concurrency}`,
    `${results.downloadMBs.toFixed(0)} MB/s vs baseline ${results.baselineMBs.toFixed(0)} MB/s (${
      results.ratio.toFixed(2)
    }x)`,
    "≥ 0.9x",
  ],
  [`download one ${flags["big-mb"]} MiB video`, `${results.bigVideoMBs.toFixed(0)} MB/s`, ""],
  ["peak RSS: indexing", `${results.indexPeakRssMb.toFixed(0)} MB`, "≤ 150 MB"],
  [
    `peak RSS: downloading ${config.items} small files`,
    `${results.smallFilesPeakRssMb.toFixed(0)} MB (${results.smallFilesSeconds.toFixed(1)} s)`,
    "≤ 150 MB",
  ],
  ["peak RSS: downloading many files", `${results.downloadPeakRssMb.toFixed(0)} MB`, "≤ 150 MB"],
  ["peak RSS: downloading the big video", `${results.bigVideoPeakRssMb.toFixed(0)} MB`, "≤ 150 MB"],
];
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
await Deno.writeTextFile(file, JSON.stringify({ config, median: results, runs }, null, 2));
console.log(`\nwritten to ${file}`);
