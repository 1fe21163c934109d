import assert from "node:assert/strict";
import { browserOpener } from "./browser.ts";

const display = (name: string) => name === "DISPLAY" ? ":0" : undefined;

Deno.test("browserOpener: none without a display; an opener that fails or cannot run opened no browser", async () => {
  assert.equal(browserOpener(() => undefined, "linux"), undefined, "no DISPLAY, no WAYLAND_DISPLAY");
  const open = (command: string, args: string[] = []) =>
    browserOpener(display, "linux", { linux: { command, args } })!("https://example.com/");
  // The opener never keeps photosync alive (unref): here, as the authorisation's listener does, an
  // interval keeps the event loop running while its exit is awaited (it never fires).
  const alive = setInterval(() => {}, 3_600_000);
  try {
    // `sh -c 'exit 3'` stands for xdg-open finding no browser to start.
    assert.equal(await open("sh", ["-c", "exit 3"]), false);
    assert.equal(await open("/nonexistent/xdg-open"), false);
    assert.equal(await open("true"), true);
  } finally {
    clearInterval(alive);
  }
});
