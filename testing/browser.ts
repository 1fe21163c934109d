/**
 * A headless Chromium for tests and scripts that look at `photosync report`'s page: Debian's
 * `chromium` (never a downloaded one), driven by puppeteer-core, with the flags this machine and CI
 * need and a fresh profile folder that is removed when the browser is disposed.
 * @module
 */
import puppeteer, { type Browser } from "puppeteer-core";

/** Where Debian installs Chromium (`apt-get install chromium`; `.ci/run` does it when it is missing). */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether {@link CHROMIUM} is installed. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** A headless Chromium; `await using` it: disposing closes it and removes its profile folder. */
export async function launchChromium(): Promise<Browser & AsyncDisposable> {
  const profile = await Deno.makeTempDir({ prefix: "photosync-chromium-" });
  try {
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
      ],
    });
    return Object.assign(browser, {
      async [Symbol.asyncDispose]() {
        await browser.close();
        await Deno.remove(profile, { recursive: true }).catch(() => {});
      },
    });
  } catch (error) {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw error;
  }
}
