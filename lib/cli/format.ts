/**
 * Byte counts, durations and file counts as people read them, for progress lines and summaries.
 * @module
 */

/**
 * Human-readable byte count: `512 B`, `1.5 MB`.
 *
 * @example Usage
 * ```ts
 * import { formatBytes } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatBytes(512), "512 B");
 * assert.equal(formatBytes(1_500_000), "1.5 MB");
 * assert.equal(formatBytes(999_999), "1.0 MB");
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  // Move up a unit when the shown figure would round to 1000 (999,999 B is "1.0 MB", not "1000.0 kB").
  while ((unit === 0 ? value >= 999.5 : value >= 999.95) && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A stopwatch started now: the seconds since, on the monotonic clock. A command's "done in" is time
 * elapsed, not the difference of two wall-clock readings, which a clock set back during the run (by
 * hand, NTP, a VM restored) would make negative.
 *
 * @example Usage
 * ```ts
 * import { stopwatch } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * const elapsed = stopwatch();
 * assert.ok(elapsed() >= 0);
 * ```
 */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => (performance.now() - started) / 1000;
}

/**
 * Human-readable duration: `45s`, `3m05s`, `2h10m`.
 *
 * @example Usage
 * ```ts
 * import { formatDuration } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDuration(45), "45s");
 * assert.equal(formatDuration(185), "3m05s");
 * assert.equal(formatDuration(7800), "2h10m");
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * A count of files: `1 file`, `2 files`.
 *
 * @example Usage
 * ```ts
 * import { formatFiles } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatFiles(1), "1 file");
 * assert.equal(formatFiles(0), "0 files");
 * ```
 */
export function formatFiles(count: number): string {
  return formatCount(count, "file");
}

/**
 * A count of a noun whose plural takes an `s`: `1 item`, `2 items`, `0 items`.
 *
 * @example Usage
 * ```ts
 * import { formatCount } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatCount(1, "item"), "1 item");
 * assert.equal(formatCount(1200, "item"), "1200 items");
 * ```
 */
export function formatCount(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
