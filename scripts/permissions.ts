/**
 * The Deno permissions photosync runs with: used by the demo, the tests and `deno compile`,
 * and spelled out again in deno.json's `photosync` task.
 * @module
 */
import { BROWSER_OPENERS } from "../lib/browser.ts";

/** Environment variables photosync reads. */
export const ENV_VARS = [
  "PHOTOSYNC_REFRESH_TOKEN",
  "PHOTOSYNC_CLIENT_ID",
  "PHOTOSYNC_CLIENT_SECRET",
  "PHOTOSYNC_API_URL",
  "DISPLAY",
  "WAYLAND_DISPLAY",
];

/** Permission flags for `deno run` and `deno compile` on `os`. */
export function runPermissions(os: typeof Deno.build.os = Deno.build.os): string[] {
  const opener = BROWSER_OPENERS[os];
  return [
    "--allow-read",
    "--allow-write",
    "--allow-net",
    `--allow-env=${ENV_VARS.join(",")}`,
    ...(opener ? [`--allow-run=${opener.command}`] : []),
  ];
}
