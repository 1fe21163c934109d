/**
 * `photosync report`'s page: one self-contained HTML file (inline CSS and SVG, no script, no
 * font, image or request from anywhere else, and a Content-Security-Policy that allows none), so
 * that it opens offline, from a CI artifact, years later. Pure: figures in, text out; every text
 * from the backup (names, messages, the folder) is escaped.
 *
 * Each day cell of the calendars carries `data-day="YYYY-MM-DD"` and `data-count="N"` (its items),
 * and `data-pending`, `data-failed`, `data-missing` where it has such items: the page is readable
 * by scripts as well as by people.
 * @module
 */
import { utcTime } from "../core/dates.ts";
import {
  type DayFigures,
  type EmptyStretch,
  type Figures,
  type LastRun,
  type YearFigures,
  yearsInOrder,
} from "../core/overview.ts";
import type { VerifyRun } from "../core/store.ts";
import type { ChainSummary } from "../sources/takeout/export_chain.ts";
import { formatBytes, formatCount, formatFiles } from "./format.ts";

/** What the page shows. */
export interface ReportData {
  /** The backup's folder, as given. */
  dir: string;
  /** When the page was made, epoch ms. */
  generatedMs: number;
  /** photosync's version. */
  version: string;
  years: Record<string, YearFigures>;
  sources: Record<string, Figures>;
  /** Every day with items, oldest first. */
  days: DayFigures[];
  /** Days with downloaded items whose file is gone or changed: `YYYY-MM-DD` to count. */
  missing: ReadonlyMap<string, number>;
  span?: { oldest: number; newest: number };
  stretches: EmptyStretch[];
  runs: Record<string, LastRun>;
  /** The Takeout exports imported, oldest first, and the windows missed between them. */
  exports?: ChainSummary;
  /** What the last `photosync verify` found. */
  lastVerify?: VerifyRun;
}

/** Days needing a look listed by name at most; the calendars mark them all. */
const LISTED_DAYS = 100;
const CELL = 11;
const STEP = 13;
const LEFT = 30;
const TOP = 16;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY_MS = 86_400_000;

/**
 * Text made safe for HTML, in content and in quoted attributes.
 *
 * @example Usage
 * ```ts
 * import { escapeHtml } from "./report_page.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeHtml(`<img src=x onerror="a('b')">&`), "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** The page. */
export function reportPage(data: ReportData): string {
  const totals = sumFigures(Object.values(data.sources));
  const byDay = new Map(data.days.map((day) => [day.day, day]));
  const max = Math.max(1, ...data.days.map((day) => day.count));
  const attention = attentionDays(data);
  const generated = new Date(data.generatedMs).toISOString().replace(/\.\d+Z$/, "Z");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>photosync report: ${escapeHtml(data.dir)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>photosync backup <code>${escapeHtml(data.dir)}</code></h1>
<p class="sub">${formatCount(totals.items, "item")}, ${totals.downloaded} downloaded (${
    formatBytes(totals.bytes)
  }), ${totals.pending} pending, ${totals.failed} failed${
    data.span ? `; taken ${day(data.span.oldest)} to ${day(data.span.newest)}` : ""
  }. Made by photosync ${escapeHtml(data.version)} at ${generated}.</p>
${data.days.length === 0 ? "<p>The backup holds no items yet.</p>\n" : ""}${
    sourcesTable(data.sources, totals)
  }
${yearsTable(data.years)}
${runsTable(data.runs)}
${verifyLine(data.lastVerify)}
${exportsTable(data.exports)}
${stretchesList(data.stretches)}
${attentionList(attention)}
${
    yearsInOrder(data.years).map(([year, figures]) => calendar(year, figures, byDay, data.missing, max)).join(
      "\n",
    )
  }
<p class="legend">Fewer <span class="c l1"></span><span class="c l2"></span><span class="c l3"></span><span class="c l4"></span> more items a day; outlined: <span class="c l1 p"></span> pending <span class="c l1 f"></span> failed <span class="c l1 m"></span> file missing on disk.</p>
</body>
</html>
`;
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 4px}
.sub{color:#59636e;margin:0 0 12px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:2px 10px;border-bottom:1px solid #d1d9e0}
th{text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cal text{font-size:9px;fill:#59636e}
.cal rect{rx:2;ry:2;stroke-width:1.5}
.l0{fill:#ebedf0}.l1{fill:#9be9a8}.l2{fill:#40c463}.l3{fill:#30a14e}.l4{fill:#216e39}
rect.p{stroke:#d4a72c}rect.f{stroke:#cf222e}rect.m{stroke:#8250df}
.cal rect:hover{stroke:#1f2328}
.legend .c{display:inline-block;width:11px;height:11px;border-radius:2px;margin:0 1px;vertical-align:middle}
.legend .c.l1{background:#9be9a8}.legend .c.l2{background:#40c463}.legend .c.l3{background:#30a14e}.legend .c.l4{background:#216e39}
.legend .p{outline:2px solid #d4a72c}.legend .f{outline:2px solid #cf222e}.legend .m{outline:2px solid #8250df}
.warn{color:#9a6700}
`.trim();

function sourcesTable(sources: Record<string, Figures>, totals: Figures): string {
  const rows = Object.entries(sources).map(([source, f]) => figuresRow(escapeHtml(source), f));
  if (rows.length > 1) rows.push(figuresRow("<b>all</b>", totals));
  return `<h2>By source</h2>\n<table>${FIGURES_HEAD}\n${rows.join("\n")}\n</table>`;
}

function yearsTable(years: Record<string, YearFigures>): string {
  const rows = yearsInOrder(years).flatMap(([year, f]) => [
    figuresRow(`<a href="#y${year}">${year}</a>`, f),
    ...Object.entries(f.sources).map(([source, s]) => figuresRow(`&nbsp;&nbsp;${escapeHtml(source)}`, s)),
  ]);
  return `<h2>By year</h2>\n<table>${FIGURES_HEAD.replace("source", "year")}\n${rows.join("\n")}\n</table>`;
}

const FIGURES_HEAD =
  "<tr><th>source</th><th>items</th><th>downloaded</th><th>pending</th><th>failed</th><th>bytes</th></tr>";

function figuresRow(label: string, f: Figures): string {
  return `<tr><td>${label}</td>${
    [f.items, f.downloaded, f.pending, f.failed].map((n) => `<td class="n">${n}</td>`).join("")
  }<td class="n">${formatBytes(f.bytes)}</td></tr>`;
}

function runsTable(runs: Record<string, LastRun>): string {
  const entries = Object.entries(runs);
  if (entries.length === 0) return "<h2>Last runs</h2>\n<p>No run recorded yet.</p>";
  const rows = entries.map(([source, run]) => {
    const added = run.added
      ? `+${formatCount(run.added.items, "item")}, +${formatFiles(run.added.files)} (${
        formatBytes(Math.max(0, run.added.bytes))
      })`
      : "";
    const message = [...run.message ? [run.message] : [], ...run.warnings ?? []]
      .map((line) => `<br><span class="warn">${escapeHtml(line)}</span>`).join("");
    return `<tr><td>${escapeHtml(source)}</td><td>${escapeHtml(run.command)}</td><td>${
      escapeHtml(run.ended.replace(/\.\d+Z$/, "Z"))
    }</td><td>${escapeHtml(run.outcome)} (exit ${run.exitCode})${message}</td><td>${added}</td></tr>`;
  });
  return `<h2>Last runs</h2>\n<table><tr><th>source</th><th>command</th><th>ended</th><th>outcome</th><th>added</th></tr>\n${
    rows.join("\n")
  }\n</table>`;
}

function verifyLine(run: VerifyRun | undefined): string {
  if (!run) {
    return `<h2>Last verify</h2>\n<p>Never: <code>photosync verify</code> proves every file is intact.</p>`;
  }
  const found = run.missing + run.changed === 0
    ? "every file intact"
    : `<span class="warn">${run.missing} missing, ${run.changed} changed</span>${
      run.repaired > 0 ? `, ${run.repaired} restored` : ""
    }`;
  return `<h2>Last verify</h2>\n<p data-verified="${run.files}" data-missing="${run.missing}" data-changed="${run.changed}">${
    isoMinute(run.finishedMs)
  }: ${formatFiles(run.files)} (${formatBytes(run.bytes)}) checked, ${found}; ${
    formatFiles(run.unknown)
  } sync.db does not know.</p>`;
}

/** The chain of Takeout exports: each one imported, and each window between two that none covers. */
function exportsTable(chain: ChainSummary | undefined): string {
  if (!chain || chain.exports.length === 0) return "";
  const rows = chain.exports.map((e) =>
    `<tr data-export="${escapeHtml(e.stamp)}"><td>${e.date}</td>${
      [e.parts, e.entries, e.placed, e.present].map((n) => `<td class="n">${n}</td>`).join("")
    }<td>${isoMinute(e.importedMs)}</td></tr>`
  );
  const missed = chain.missed.map((m) =>
    `<li class="warn" data-missed-from="${m.from}" data-missed-to="${m.to}">${m.from} to ${m.to} (${
      formatCount(m.days, "day")
    }): no export imported in between; photos uploaded then may be missing until a new full export is imported</li>`
  );
  return `<h2>Takeout exports</h2>\n<table><tr><th>export</th><th>parts</th><th>entries</th><th>files placed</th><th>present already</th><th>imported</th></tr>\n${
    rows.join("\n")
  }\n</table>${missed.length ? `\n<ul>${missed.join("")}</ul>` : ""}`;
}

function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function stretchesList(stretches: EmptyStretch[]): string {
  if (stretches.length === 0) return "";
  const items = stretches.map((s) =>
    `<li data-from="${s.from}" data-to="${s.to}">${s.from} to ${s.to}: ${
      formatCount(s.days, "day")
    } without a photo</li>`
  );
  return `<h2>Longest empty stretches</h2>\n<p class="sub">Days without an item inside the library's span: the usual sign of a Takeout part not imported.</p>\n<ul>${
    items.join("")
  }</ul>`;
}

interface AttentionDay {
  day: string;
  pending: number;
  failed: number;
  missing: number;
}

/** Days with pending, failed or missing items, oldest first. */
function attentionDays(data: ReportData): AttentionDay[] {
  const days = new Map<string, AttentionDay>();
  for (const d of data.days) {
    if (d.pending || d.failed) {
      days.set(d.day, { day: d.day, pending: d.pending, failed: d.failed, missing: 0 });
    }
  }
  for (const [day, missing] of data.missing) {
    const entry = days.get(day) ?? { day, pending: 0, failed: 0, missing: 0 };
    entry.missing = missing;
    days.set(day, entry);
  }
  return [...days.values()].sort((a, b) => a.day < b.day ? -1 : 1);
}

function attentionList(days: AttentionDay[]): string {
  if (days.length === 0) return "<h2>Needs a look</h2>\n<p>Every item is on disk.</p>";
  const items = days.slice(0, LISTED_DAYS).map((d) => `<li>${d.day}: ${describeMarks(d)}</li>`);
  const more = days.length > LISTED_DAYS
    ? `<p>… and ${formatCount(days.length - LISTED_DAYS, "more day")}, marked below.</p>`
    : "";
  return `<h2>Needs a look</h2>\n<p class="sub">${
    formatCount(days.length, "day")
  } with items pending, failed or missing on disk (outlined in the calendars).</p>\n<ul>${
    items.join("")
  }</ul>${more}`;
}

function describeMarks(d: { pending: number; failed: number; missing: number }): string {
  return [
    d.pending ? `${d.pending} pending` : "",
    d.failed ? `${d.failed} failed` : "",
    d.missing ? `${d.missing} missing on disk` : "",
  ].filter(Boolean).join(", ");
}

/** A year's heat map: weeks as columns (Monday first), a cell per day. */
function calendar(
  year: string,
  figures: YearFigures,
  byDay: ReadonlyMap<string, DayFigures>,
  missing: ReadonlyMap<string, number>,
  max: number,
): string {
  const y = Number(year);
  // Not Date.UTC: it takes the years 0 to 99 for 1900 to 1999.
  const first = utcTime(y, 1, 1);
  const days = (utcTime(y + 1, 1, 1) - first) / DAY_MS;
  // Monday = 0.
  const offset = (new Date(first).getUTCDay() + 6) % 7;
  const cells: string[] = [];
  const months: string[] = [];
  for (let i = 0; i < days; i++) {
    const date = new Date(first + i * DAY_MS);
    const key = date.toISOString().slice(0, 10);
    const column = Math.floor((i + offset) / 7);
    const row = (i + offset) % 7;
    if (date.getUTCDate() === 1) {
      months.push(`<text x="${LEFT + column * STEP}" y="10">${MONTHS[date.getUTCMonth()]}</text>`);
    }
    const d = byDay.get(key);
    const count = d?.count ?? 0;
    const lost = missing.get(key) ?? 0;
    const marks = [d?.pending ? "p" : "", d?.failed ? "f" : "", lost ? "m" : ""].filter(Boolean);
    const data = `${d?.pending ? ` data-pending="${d.pending}"` : ""}${
      d?.failed ? ` data-failed="${d.failed}"` : ""
    }${lost ? ` data-missing="${lost}"` : ""}`;
    const note = marks.length
      ? ` (${describeMarks({ pending: d?.pending ?? 0, failed: d?.failed ?? 0, missing: lost })})`
      : "";
    cells.push(
      `<rect x="${LEFT + column * STEP}" y="${TOP + row * STEP}" width="${CELL}" height="${CELL}" class="l${
        level(count, max)
      }${
        marks.length ? ` ${marks.join(" ")}` : ""
      }" data-day="${key}" data-count="${count}"${data}><title>${key}: ${count} item${
        count === 1 ? "" : "s"
      }${note}</title></rect>`,
    );
  }
  const width = LEFT + 54 * STEP;
  const height = TOP + 7 * STEP;
  const weekdays = [["Mon", 0], ["Wed", 2], ["Fri", 4]].map(([name, row]) =>
    `<text x="0" y="${TOP + (row as number) * STEP + 9}">${name}</text>`
  );
  return `<h2 id="y${year}">${year}</h2>
<p class="sub">${formatCount(figures.items, "item")}, ${figures.downloaded} downloaded (${
    formatBytes(figures.bytes)
  }), ${figures.pending} pending, ${figures.failed} failed</p>
<svg class="cal" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="items per day in ${year}">
${months.join("")}${weekdays.join("")}
${cells.join("\n")}
</svg>`;
}

/** 0 for no item, else 1-4 on a logarithmic scale up to the busiest day's count. */
function level(count: number, max: number): number {
  if (count === 0) return 0;
  return Math.max(1, Math.ceil((4 * Math.log(count + 1)) / Math.log(max + 1)));
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function sumFigures(all: Figures[]): Figures {
  const total: Figures = { items: 0, downloaded: 0, files: 0, pending: 0, failed: 0, bytes: 0 };
  for (const f of all) {
    total.items += f.items;
    total.downloaded += f.downloaded;
    total.files += f.files;
    total.pending += f.pending;
    total.failed += f.failed;
    total.bytes += f.bytes;
  }
  return total;
}
