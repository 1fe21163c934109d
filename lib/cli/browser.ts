/**
 * Opening the authorisation URL in the user's browser, where there is one.
 * @module
 */

/** The program that opens a URL in the default browser, per OS (absolute, as `--allow-run` lists it). */
export const BROWSER_OPENERS: Partial<Record<typeof Deno.build.os, { command: string; args: string[] }>> = {
  linux: { command: "/usr/bin/xdg-open", args: [] },
  darwin: { command: "/usr/bin/open", args: [] },
  windows: { command: "C:\\Windows\\System32\\rundll32.exe", args: ["url.dll,FileProtocolHandler"] },
};

/** A function opening a URL in the default browser, or undefined where none can be shown. */
export function browserOpener(
  env: (name: string) => string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): ((url: string) => void) | undefined {
  const opener = BROWSER_OPENERS[os];
  if (!opener || (os === "linux" && !env("DISPLAY") && !env("WAYLAND_DISPLAY"))) return undefined;
  return (url) => {
    try {
      const child = new Deno.Command(opener.command, {
        args: [...opener.args, url],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      child.status.catch(() => {});
      child.unref();
    } catch {
      // No browser opener: the URL is printed anyway.
    }
  };
}
