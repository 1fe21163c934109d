/**
 * Opening the authorisation URL in the user's browser, where there is one.
 * @module
 */

/** A function opening a URL in the default browser, or undefined where none can be shown. */
export function browserOpener(
  env: (name: string) => string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): ((url: string) => void) | undefined {
  let command: string[];
  if (os === "darwin") command = ["open"];
  else if (os === "windows") command = ["rundll32", "url.dll,FileProtocolHandler"];
  else if (env("DISPLAY") || env("WAYLAND_DISPLAY")) command = ["xdg-open"];
  else return undefined;
  return (url) => {
    try {
      const child = new Deno.Command(command[0], {
        args: [...command.slice(1), url],
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
