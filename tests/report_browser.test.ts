/**
 * `photosync report`'s page in a real headless browser (Debian's chromium, driven by puppeteer-core): it
 * renders with no console error and no request leaving the page, its day cells match sync.db, and a
 * screenshot is taken. Skipped, saying so, where chromium is not installed (`.ci/run` installs it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Store } from "../lib/core/store.ts";
import { runPhotosync } from "../testing/harness.ts";
import { CHROMIUM, hasChromium, launchChromium } from "../testing/browser.ts";

const DAY_MS = 86_400_000;
const installed = hasChromium();
if (!installed) {
  // deno-lint-ignore no-console
  console.warn(`report_browser.test.ts: skipped, ${CHROMIUM} is not installed (apt-get install chromium)`);
}

/** A backup written through the store: items over two years, a hostile name, pending and failed ones. */
function writeBackup(dir: string): void {
  using store = Store.open(dir);
  const items = Array.from({ length: 300 }, (_, i) => ({
    id: `item-${i}`,
    source: i % 3 === 0 ? "takeout" : "library",
    filename: i === 7 ? `<img src=x onerror="fetch('http://example.com/')">.jpg` : `IMG_${i}.jpg`,
    // Spread unevenly over 700 days from 2020-01-01.
    createdMs: Date.UTC(2020, 0, 1) + Math.floor((i * i * 7919) % (700 * DAY_MS / 1000)) * 1000,
    isVideo: false,
    json: "{}",
  }));
  for (const source of ["library", "takeout"]) {
    store.saveBatch({ source, items: items.filter((item) => item.source === source) });
  }
  store.markFailed("item-5", "gone from Google");
}

Deno.test({
  name: installed
    ? "report: the page in headless chromium: no console error, no request out, cells match sync.db, screenshot"
    : `report in headless chromium (skipped: ${CHROMIUM} is not installed)`,
  ignore: !installed,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "photosync-report-browser-" });
    try {
      writeBackup(dir);
      const result = await runPhotosync(["report", `--dir=${dir}`]);
      assert.equal(result.code, 0, result.stderr);
      const page = join(dir, "photosync-report.html");

      await using browser = await launchChromium();
      const tab = await browser.newPage();
      await tab.setViewport({ width: 1000, height: 800 });
      const problems: string[] = [];
      const requests: string[] = [];
      tab.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warn") problems.push(message.text());
      });
      tab.on("pageerror", (error) => problems.push(String(error)));
      tab.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
      tab.on("request", (request) => requests.push(request.url()));
      const url = `file://${page}`;
      const response = await tab.goto(url, { waitUntil: "networkidle0" });
      assert.ok(response?.ok());
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, [url], "nothing but the page itself");

      const cells = await tab.$$eval("rect[data-day]", (rects) =>
        rects.map((rect) => {
          const box = rect.getBoundingClientRect();
          return {
            day: rect.getAttribute("data-day")!,
            count: Number(rect.getAttribute("data-count")),
            failed: rect.hasAttribute("data-failed"),
            title: rect.querySelector("title")?.textContent ?? "",
            size: box.width * box.height,
          };
        }));
      const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
      const stored = db.prepare("SELECT created_ms, status FROM items").all() as {
        created_ms: number;
        status: string;
      }[];
      db.close();
      const perDay = new Map<string, number>();
      for (const { created_ms } of stored) {
        const day = new Date(created_ms).toISOString().slice(0, 10);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
      assert.equal(cells.length, 366 + 365, "a cell per day of 2020 and 2021");
      for (const cell of cells) {
        assert.equal(cell.count, perDay.get(cell.day) ?? 0, cell.day);
        assert.match(
          cell.title,
          new RegExp(`^${cell.day}: ${cell.count} items?`),
          "the date and count on hover",
        );
        assert.ok(cell.size > 50, `${cell.day} is drawn`);
      }
      assert.equal(cells.reduce((sum, cell) => sum + cell.count, 0), stored.length);
      assert.equal(cells.filter((cell) => cell.failed).length, 1, "the failed item's day is marked");

      const screenshot = join(dir, "report.png") as `${string}.png`;
      await tab.screenshot({ path: screenshot, fullPage: true });
      const png = await Deno.readFile(screenshot);
      assert.deepEqual([...png.subarray(1, 4)], [..."PNG"].map((c) => c.charCodeAt(0)));
      assert.ok(png.length > 10_000, `${png.length} bytes`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
