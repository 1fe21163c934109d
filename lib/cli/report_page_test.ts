import assert from "node:assert/strict";
import { type ReportData, reportPage } from "./report_page.ts";

const HOSTILE = `</title><script>alert("x")</script><img src=x onerror='fetch(1)'>`;

function data(extra: Partial<ReportData> = {}): ReportData {
  return {
    dir: `/home/u/${HOSTILE}`,
    generatedMs: Date.UTC(2026, 0, 31, 3, 17),
    version: "0.1.0",
    years: {
      "2020": { items: 3, downloaded: 1, files: 1, pending: 1, failed: 1, bytes: 100, sources: {} },
    },
    sources: { library: { items: 3, downloaded: 1, files: 1, pending: 1, failed: 1, bytes: 100 } },
    days: [
      { day: "2020-02-29", count: 2, pending: 1, failed: 0 },
      { day: "2020-12-31", count: 1, pending: 0, failed: 1 },
    ],
    missing: new Map([["2020-02-29", 1]]),
    span: { oldest: Date.UTC(2020, 1, 29, 10), newest: Date.UTC(2020, 11, 31, 10) },
    stretches: [{ from: "2020-03-01", to: "2020-12-30", days: 305 }],
    runs: {
      library: {
        command: "sync",
        started: "2026-01-31T03:17:02.000Z",
        ended: "2026-01-31T03:20:00.000Z",
        exitCode: 1,
        outcome: "failed",
        message: HOSTILE,
      },
    },
    ...extra,
  };
}

Deno.test("report page: every text from the backup is escaped; nothing is loaded from anywhere", () => {
  const page = reportPage(data());
  assert.ok(!page.includes(HOSTILE));
  assert.doesNotMatch(page, /<script|<img|<link|<[a-z]+ [^>]*\b(src|href)=(?!"#)|url\(/i);
  assert.match(page, /&lt;\/title&gt;&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  assert.match(page, /onerror=&#39;fetch\(1\)&#39;/);
  assert.match(
    page,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/,
  );
});

Deno.test("report page: a cell per day of a leap year, Monday first; marks, hover text, stretches", () => {
  const page = reportPage(data());
  const cells = [
    ...page.matchAll(
      /<rect x="(\d+)" y="(\d+)" [^>]*class="([^"]+)" data-day="([\d-]+)" data-count="(\d+)"([^>]*)><title>([^<]*)</g,
    ),
  ];
  assert.equal(cells.length, 366);
  // 2020-01-01 was a Wednesday: the third row of the first column.
  const [first] = cells;
  assert.deepEqual([first[4], first[2]], ["2020-01-01", String(16 + 2 * 13)]);
  const leap = cells.find((cell) => cell[4] === "2020-02-29")!;
  assert.equal(leap[5], "2");
  assert.match(leap[3], /^l4 p m$/);
  assert.match(leap[6], /data-pending="1" data-missing="1"/);
  assert.equal(leap[7], "2020-02-29: 2 items (1 pending, 1 missing on disk)");
  const last = cells.at(-1)!;
  assert.deepEqual([last[4], last[5], last[7]], ["2020-12-31", "1", "2020-12-31: 1 item (1 failed)"]);
  assert.match(
    page,
    /<li data-from="2020-03-01" data-to="2020-12-30">2020-03-01 to 2020-12-30: 305 days without a photo<\/li>/,
  );
  assert.match(page, /<li>2020-02-29: 1 pending, 1 missing on disk<\/li><li>2020-12-31: 1 failed<\/li>/);
});

Deno.test("report page: an empty backup says so", () => {
  const page = reportPage(
    data({ years: {}, sources: {}, days: [], missing: new Map(), span: undefined, stretches: [], runs: {} }),
  );
  assert.match(page, /The backup holds no items yet/);
  assert.match(page, /No run recorded yet/);
  assert.doesNotMatch(page, /<rect /);
});

Deno.test("report page: the Takeout exports, the missed window between them and the last verify", () => {
  const exports = {
    exports: [
      {
        stamp: "20251110T101010Z",
        date: "2025-11-10",
        parts: 2,
        entries: 40,
        placed: 30,
        present: 0,
        importedMs: 0,
      },
      {
        stamp: "20260510T101010Z",
        date: "2026-05-10",
        parts: 1,
        entries: 9,
        placed: 7,
        present: 1,
        importedMs: 0,
      },
    ],
    missed: [{ from: "2025-11-10", to: "2026-05-10", days: 181 }],
  };
  const lastVerify = {
    startedMs: 0,
    finishedMs: Date.UTC(2026, 0, 31, 4),
    files: 37,
    bytes: 1000,
    missing: 1,
    changed: 2,
    unknown: 3,
    hashed: 0,
    repaired: 0,
  };
  const page = reportPage(data({ exports, lastVerify }));
  assert.match(
    page,
    /<tr data-export="20251110T101010Z"><td>2025-11-10<\/td><td class="n">2<\/td><td class="n">40<\/td><td class="n">30<\/td><td class="n">0<\/td>/,
  );
  assert.match(page, /<tr data-export="20260510T101010Z"><td>2026-05-10<\/td>/);
  assert.match(
    page,
    /data-missed-from="2025-11-10" data-missed-to="2026-05-10">2025-11-10 to 2026-05-10 \(181 days\)/,
  );
  assert.match(
    page,
    /2026-01-31 04:00 UTC: 37 files \(.*\) checked, .*1 missing, 2 changed.*3 files sync.db does not know/,
  );
  // Without exports the section is left out; without a verify the page says how to run one.
  const bare = reportPage(data());
  assert.doesNotMatch(bare, /Takeout exports/);
  assert.match(bare, /Never: <code>photosync verify<\/code>/);
});

Deno.test("report page: a count of one is said in the singular", () => {
  const one = { items: 1, downloaded: 1, files: 1, pending: 0, failed: 0, bytes: 10 };
  const page = reportPage(data({
    years: { "2020": { ...one, sources: {} } },
    sources: { library: one },
    days: [{ day: "2020-02-29", count: 1, pending: 0, failed: 0 }],
    missing: new Map([["2020-02-29", 1]]),
    stretches: [{ from: "2020-03-01", to: "2020-03-01", days: 1 }],
  }));
  assert.match(page, /<h1>[^]*?<p class="sub">1 item, 1 downloaded \(10 B\)/);
  assert.match(
    page,
    /<h2 id="y2020">2020<\/h2>\n<p class="sub">1 item, 1 downloaded \(10 B\), 0 pending, 0 failed<\/p>/,
  );
  assert.match(page, />2020-03-01 to 2020-03-01: 1 day without a photo<\/li>/);
  assert.match(page, /<p class="sub">1 day with items pending, failed or missing on disk/);
});

Deno.test("report page: years before 1000 come first, each with its own calendar (year 0800, not 1900)", () => {
  const year = { items: 1, downloaded: 1, files: 1, pending: 0, failed: 0, bytes: 10, sources: {} };
  // As yearFigures gives them: a JavaScript object lists "1750" and "2020" before "0800".
  const years = { "1750": year, "2020": year, "0800": year };
  const page = reportPage(data({
    years,
    days: [
      { day: "0800-12-25", count: 1, pending: 0, failed: 0 },
      { day: "1750-06-15", count: 1, pending: 0, failed: 0 },
      { day: "2020-02-29", count: 1, pending: 0, failed: 0 },
    ],
    missing: new Map(),
  }));
  const order = (pattern: RegExp) => [...page.matchAll(pattern)].map((match) => match[1]);
  assert.deepEqual(order(/<a href="#y(\d+)">/g), ["0800", "1750", "2020"]);
  assert.deepEqual(order(/<h2 id="y(\d+)"/g), ["0800", "1750", "2020"]);
  const day = /data-day="(0800-\d\d-\d\d)" data-count="(\d+)"/g;
  const cells = [...page.matchAll(day)];
  assert.equal(cells.length, 366, "0800 is a leap year");
  assert.deepEqual(cells.filter((cell) => cell[2] !== "0").map((cell) => cell[1]), ["0800-12-25"]);
});
