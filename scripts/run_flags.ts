/**
 * The flags photosync runs with: its Deno permissions and V8 settings. Used by the demo, the
 * tests, the benchmark and `deno compile`, and spelled out again in deno.json's `photosync`
 * task (for Linux and macOS; a test keeps the two equal).
 * @module
 */
import { BROWSER_OPENERS } from "../lib/cli/browser.ts";

/** Environment variables photosync reads. */
export const ENV_VARS = [
  "PHOTOSYNC_REFRESH_TOKEN",
  "PHOTOSYNC_CLIENT_ID",
  "PHOTOSYNC_CLIENT_SECRET",
  "PHOTOSYNC_API_URL",
  "PHOTOSYNC_PICKER_URL",
  "DISPLAY",
  "WAYLAND_DISPLAY",
  // The home folder a leading `~` in a path flag stands for (`--dir=~/photos`).
  "HOME",
  "USERPROFILE",
];

/**
 * Read by `deno task photosync` only: the folder the task was run from (deno task runs in
 * deno.json's folder), which relative path flags resolve against. The compiled binary and `deno
 * run` resolve them against their own working folder, whoever set `INIT_CWD` (e.g. an npm script).
 */
export const TASK_ENV_VARS = ["INIT_CWD"];

/**
 * Hosts photosync talks to: Google's OAuth, API and media hosts, and the loopback address
 * (the authorisation callback, and the emulator that `PHOTOSYNC_API_URL` and
 * `PHOTOSYNC_PICKER_URL` may point to).
 */
export const NET_HOSTS = [
  "127.0.0.1",
  "localhost",
  "accounts.google.com",
  "oauth2.googleapis.com",
  "www.googleapis.com",
  "photoslibrary.googleapis.com",
  "photospicker.googleapis.com",
  "*.googleusercontent.com",
];

/**
 * A small young generation: downloads allocate buffers at a high rate, and V8's default
 * semi-spaces let the resident set grow past 150 MB for no gain in speed. A heap grown by a
 * fifth (not V8's default of up to double) before the next full collection: indexing parses
 * page after page, mostly garbage, which otherwise lifted the resident set of a 50,000-item
 * index from about 90 MB to 115 MB.
 */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=20";

/** Flags for `deno run` and `deno compile` on the systems `oses`; with `task`, for `deno task photosync`. */
export function runFlags(
  oses: (typeof Deno.build.os)[] = [Deno.build.os],
  { task = false }: { task?: boolean } = {},
): string[] {
  const openers = oses.flatMap((os) => BROWSER_OPENERS[os]?.command ?? []);
  return [
    V8_FLAGS,
    "--allow-read",
    "--allow-write",
    `--allow-net=${NET_HOSTS.join(",")}`,
    `--allow-env=${[...ENV_VARS, ...(task ? TASK_ENV_VARS : [])].join(",")}`,
    ...(openers.length > 0 ? [`--allow-run=${openers.join(",")}`] : []),
  ];
}
