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

/**
 * A function opening a URL in the default browser, or undefined where none can be shown. It resolves
 * false when the opener cannot be run or exits non-zero (xdg-open with `DISPLAY` set and no browser to
 * open: then there is none), true when it exits 0; an opener that runs on (one that waits for the
 * browser) leaves it pending, and never keeps photosync from exiting.
 */
export function browserOpener(
  env: (name: string) => string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
  openers: typeof BROWSER_OPENERS = BROWSER_OPENERS,
): ((url: string) => Promise<boolean>) | undefined {
  const opener = openers[os];
  if (!opener || (os === "linux" && !env("DISPLAY") && !env("WAYLAND_DISPLAY"))) return undefined;
  return async (url) => {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(opener.command, {
        args: [...opener.args, url],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
    } catch {
      // No browser opener (or no permission to run it): the URL is printed anyway.
      return false;
    }
    child.unref();
    return await child.status.then((status) => status.success, () => false);
  };
}
