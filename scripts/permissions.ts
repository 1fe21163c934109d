/**
 * The Deno permissions photosync runs with: used by the demo, the tests and `deno compile`,
 * and spelled out again in deno.json's `photosync` task.
 * @module
 */

/** Environment variables photosync reads. */
export const ENV_VARS = [
  "PHOTOSYNC_REFRESH_TOKEN",
  "PHOTOSYNC_CLIENT_ID",
  "PHOTOSYNC_CLIENT_SECRET",
  "PHOTOSYNC_API_URL",
  "DISPLAY",
  "WAYLAND_DISPLAY",
];

/** Programs photosync may start: the browser openers of Linux, macOS and Windows. */
export const BROWSER_OPENERS = ["xdg-open", "open", "rundll32"];

/** Permission flags for `deno run` and `deno compile`. */
export const RUN_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  `--allow-env=${ENV_VARS.join(",")}`,
  `--allow-run=${BROWSER_OPENERS.join(",")}`,
];
