/**
 * `deno task screenshot`: the picture of `photosync report`'s page in the README. Syncs the demo's
 * library (scripts/demo_library.ts) from the emulator into a temporary folder with the real CLI, writes
 * its report, and takes a screenshot of the page in headless Chromium (Debian's `chromium`) into
 * `docs/report.png`.
 * @module
 */
// deno-lint-ignore-file no-console
import { join } from "node:path";
import { Emulator } from "../testing/emulator.ts";
import { answerAuth, CliProcess, runPhotosync } from "../testing/harness.ts";
import { CHROMIUM, hasChromium, launchChromium } from "../testing/browser.ts";
import { demoLibrary } from "./demo_library.ts";

const OUT = new URL("../docs/report.png", import.meta.url).pathname;

if (!hasChromium()) {
  console.error(`${CHROMIUM} is not installed: apt-get install chromium`);
  Deno.exit(1);
}
const emulator = await Emulator.start({ items: demoLibrary() });
const work = await Deno.makeTempDir({ prefix: "photosync-screenshot-" });
try {
  const dir = join(work, "photos");
  const creds = join(work, "clientsecret.json");
  await Deno.writeTextFile(creds, JSON.stringify(emulator.clientSecretJson()));
  const cli = new CliProcess([`--dir=${dir}`, `--creds=${creds}`, "--no-browser", "--quiet"], { emulator });
  await answerAuth(cli, emulator, "browser");
  const synced = await cli.result();
  if (synced.code !== 0) throw new Error(`sync exited with ${synced.code}: ${synced.stderr}`);
  // The page names its folder: the one the README's examples use.
  const page = join(work, "photosync-report.html");
  const report = await runPhotosync(["report", `--dir=${dir}`, `--out=${page}`]);
  if (report.code !== 0) throw new Error(`report exited with ${report.code}: ${report.stderr}`);
  await Deno.writeTextFile(page, (await Deno.readTextFile(page)).replaceAll(dir, "~/photos"));

  await using browser = await launchChromium();
  const tab = await browser.newPage();
  await tab.setViewport({ width: 800, height: 600 });
  await tab.goto(`file://${page}`, { waitUntil: "load" });
  await Deno.mkdir(new URL("../docs/", import.meta.url), { recursive: true });
  await tab.screenshot({ path: OUT as `${string}.png`, fullPage: true });
  console.log(`wrote ${OUT}`);
} finally {
  await emulator.close();
  await Deno.remove(work, { recursive: true });
}
