/**
 * The whole backup at a glance, through the CLI against the emulator, on one synced backup: the CI job
 * summary of two syncs (a disk budget reached, then the rest), the original photosync's repair (rows deleted
 * by hand with sqlite3, then `--all --dates`), `status` per year and `photosync report`'s page.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fixtureItem as item, generateLibrary, mediaBytes } from "../testing/library_fixture.ts";
import { listFiles, TestEnv } from "../testing/harness.ts";

const REPAIRED = { from: "2020-06-10", to: "2020-06-12" };
/** Items the test deletes from sync.db by hand (their files stay), by the prefix of their ids. */
const DELETED = [
  item("AF1QipREPAIRaaaaaaaaaaaa1", "IMG_R1.jpg", "2020-06-10T09:00:00Z"),
  item("AF1QipREPAIRaaaaaaaaaaaa2", "IMG_R2.jpg", "2020-06-11T09:00:00Z"),
];
/** An item of those days whose file the test removes (its row stays). */
const GONE = item("AF1QipKEEPaaaaaaaaaaaaaa3", "IMG_K.jpg", "2020-06-11T10:00:00Z");
/** Outside the repaired days, removed too: a repair of other days leaves it missing. */
const GONE_ELSEWHERE = item("AF1QipKEEPaaaaaaaaaaaaaa4", "IMG_E.jpg", "2021-03-01T10:00:00Z");
const ITEMS = [
  ...generateLibrary({ count: 40, seed: 22, from: "2019-01-01", to: "2021-12-31", videoRatio: 0 }),
  ...DELETED,
  GONE,
  GONE_ELSEWHERE,
];

/** Items per UTC day of capture. */
function perDay(items: { creationTime: string }[]): Map<string, number> {
  const days = new Map<string, number>();
  for (const { creationTime } of items) {
    const day = new Date(creationTime).toISOString().slice(0, 10);
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  return days;
}

/**
 * `sql` run as a user would, with the sqlite3 shell (which enforces no foreign keys); where it is not
 * installed, through node:sqlite with the foreign keys off, to the same effect.
 */
async function sqlite(file: string, sql: string): Promise<void> {
  if (await HAS_SQLITE3) {
    const result = new Deno.Command("sqlite3", { args: [file, sql], stderr: "piped" }).outputSync();
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
    return;
  }
  const db = new DatabaseSync(file, { enableForeignKeyConstraints: false });
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

function rows<T>(file: string, sql: string): T[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all().map((row) => ({ ...row })) as T[];
  } finally {
    db.close();
  }
}

const HAS_SQLITE3 = new Deno.Command("sqlite3", { args: ["-version"], stdout: "null", stderr: "null" })
  .output().then((r) => r.success, () => false);

Deno.test("job summary, the repair of days by hand, status per year and the report, on one backup", async (t) => {
  // A time-limited grant (two days) and short-lived access tokens: every run refreshes, and hears how long
  // the authorisation has left.
  await using env = await TestEnv.start({
    items: ITEMS,
    refreshTokenTtlSec: 2 * 86_400,
    accessTokenTtlSec: 30,
  });
  const summaryFile = join(env.root, "step-summary.md");
  const ci = { env: { GITHUB_STEP_SUMMARY: summaryFile } };
  const db = join(env.dir, "sync.db");

  await t.step(
    "the job summary: the disk budget reached, then the rest; the authorisation about to expire",
    async () => {
      const first = await env.run(["--max-bytes=150kB"], { auth: "browser", ...ci });
      assert.equal(first.code, 3, first.stderr);
      const second = await env.run([], ci);
      assert.equal(second.code, 0, second.stderr);
      const [a, b] = (await Deno.readTextFile(summaryFile)).split(/^(?=### )/m);
      assert.match(a, /^### photosync sync: items left for the next run \(exit 3\)$/m);
      const rowOf = (text: string) =>
        /^\| library \| (\d+) \| (\d+) \| [^|]+ \| (\d+) \| 0 \| (\d+) \|/m.exec(text);
      const [, addedA, filesA, leftA, itemsA] = rowOf(a)!.map(Number);
      assert.equal(addedA, ITEMS.length);
      assert.equal(itemsA, ITEMS.length);
      assert.ok(filesA > 0 && filesA < ITEMS.length, `${filesA} files within the budget`);
      assert.equal(leftA, ITEMS.length - filesA);
      assert.match(
        a,
        /^> \[!WARNING\]\n(> - .*\n)*> - --max-bytes=150kB reached: \d+ items left for the next run$/m,
      );
      assert.match(b, /^### photosync sync: complete \(exit 0\)$/m);
      const [, addedB, filesB, leftB] = rowOf(b)!.map(Number);
      assert.deepEqual([addedB, filesB, leftB], [0, ITEMS.length - filesA, 0]);
      assert.match(
        b,
        new RegExp(`^\\*\\*Totals:\\*\\* ${ITEMS.length} items, ${ITEMS.length} downloaded`, "m"),
      );
      const expiring = new RegExp(
        "^> - the authorisation expires in (2 days|47 hours) \\(.* UTC, Google says\\): " +
          `run photosync --dir ${env.dir} --creds FILE to authorise again$`,
        "m",
      );
      assert.match(a, expiring);
      assert.match(b, expiring);
      assert.doesNotMatch(b, /max-bytes/);
      // verify too (a CI job may run it): its outcome in the summary.
      const verified = await env.cli(["verify", `--dir=${env.dir}`], ci);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(await Deno.readTextFile(summaryFile), /^### photosync verify: complete \(exit 0\)$/m);
    },
  );

  const filesBefore = await listFiles(env.dir);
  const pathsBefore = rows<{ id: string; path: string }>(db, "SELECT id, path FROM items ORDER BY id");
  const pathOf = (id: string) => pathsBefore.find((row) => row.id === id)!.path;
  await Deno.remove(join(env.dir, pathOf(GONE.id)));
  await Deno.remove(join(env.dir, pathOf(GONE_ELSEWHERE.id)));

  await t.step("the job summary of a verify that finds files gone says so", async () => {
    const verified = await env.cli(["verify", `--dir=${env.dir}`], ci);
    assert.equal(verified.code, 3, verified.stderr);
    const last = (await Deno.readTextFile(summaryFile)).split(/^(?=### )/m).at(-1)!;
    assert.match(last, /^### photosync verify: files missing or changed \(exit 3\)$/m);
  });

  await t.step("status --json: per year, the span, the last run, the missing files", async () => {
    const status = await env.status();
    const expected: Record<string, Record<string, number>> = {};
    for (const it of ITEMS) {
      const year = it.creationTime.slice(0, 4);
      expected[year] ??= { items: 0, downloaded: 0, files: 0, pending: 0, failed: 0, bytes: 0 };
      expected[year].items++;
      expected[year].downloaded++;
      expected[year].files++;
      expected[year].bytes += it.size;
    }
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(status.years).map(([year, { sources: _, ...figures }]) => [year, figures]),
      ),
      expected,
    );
    const times = ITEMS.map((it) => Date.parse(it.creationTime)).sort((a, b) => a - b);
    assert.equal(status.oldest, new Date(times[0]).toISOString());
    assert.equal(status.newest, new Date(times.at(-1)!).toISOString());
    assert.equal(status.runs.library.command, "sync");
    assert.equal(status.runs.library.outcome, "complete");
    assert.equal(status.runs.library.exitCode, 0);
    assert.equal(status.runs.library.added?.items, 0);
    assert.ok(status.runs.library.added!.files > 0);
    assert.deepEqual(status.missing.map((m) => m.id).sort(), [GONE.id, GONE_ELSEWHERE.id]);
  });

  await t.step(
    "report: a cell per day of each year, matching sync.db; missing days and empty stretches",
    async () => {
      const out = join(env.root, "report.html");
      // report --out only reads the backup: in this process (ci_backup.test.ts and storage_limits.test.ts run
      // it as a child).
      const result = await env.cli(["report", `--dir=${env.dir}`, `--out=${out}`], { inProcess: true });
      assert.equal(result.code, 0, result.stderr);
      const page = await Deno.readTextFile(out);
      const cells = [...page.matchAll(/<rect [^>]*data-day="([\d-]+)" data-count="(\d+)"([^>]*)>/g)];
      assert.equal(cells.length, 365 + 366 + 365, "every day of 2019, 2020, 2021");
      const expected = perDay(ITEMS);
      for (const [, day, count] of cells) assert.equal(Number(count), expected.get(day) ?? 0, day);
      const marked = cells.filter(([, , , rest]) => rest.includes("data-missing")).map(([, day]) => day);
      assert.deepEqual(marked, ["2020-06-11", "2021-03-01"]);
      // The longest stretch without items, computed here from the fixture.
      const days = [...expected.keys()].sort();
      const gaps = days.slice(1).map((day, i) => ({
        from: days[i],
        to: day,
        days: (Date.parse(day) - Date.parse(days[i])) / 86_400_000 - 1,
      }));
      const longest = gaps.sort((a, b) => b.days - a.days || (a.from < b.from ? -1 : 1))[0];
      assert.match(page, new RegExp(`: ${longest.days} days without a photo</li>`));
      assert.doesNotMatch(page, /<script|<link|src=|url\(/i, "nothing loaded from anywhere");
      assert.match(page, /Content-Security-Policy" content="default-src 'none'/);
    },
  );

  await t.step("report --out replaces no file of the backup, and takes no folder or empty name", async () => {
    const db = await Deno.readFile(join(env.dir, "sync.db"));
    await Deno.symlink("/dev/null", join(env.root, "a-link"));
    const photo = (await listFiles(env.dir)).find((path) => /^\d{4}\//.test(path))!;
    const bytes = await Deno.readFile(join(env.dir, photo));
    for (
      const [out, said] of [
        [join(env.dir, "sync.db"), /is photosync's own file in the backup: give another name/],
        [join(env.dir, photo), /is a photo's file in the backup: give another name/],
        [join(env.dir, photo.split("/")[0]), /is a folder: give a file name/],
        [join(env.root, "a-link"), /is no regular file \(a device or a link\): give a file's path/],
        ["", /--out needs a file name/],
      ] as const
    ) {
      const result = await env.cli(["report", `--dir=${env.dir}`, `--out=${out}`], { inProcess: true });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, said);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
    // Nor through a link to the backup (a NAS mounted, ~/photos), either way round.
    const link = join(env.root, "backup-link");
    await Deno.symlink(env.dir, link);
    for (const [dir, out] of [[env.dir, join(link, photo)], [link, join(env.dir, "sync.db")]]) {
      const result = await env.cli(["report", `--dir=${dir}`, `--out=${out}`], { inProcess: true });
      assert.equal(result.code, 2, result.stderr);
    }
    assert.deepEqual(await Deno.readFile(join(env.dir, "sync.db")), db);
    assert.deepEqual(await Deno.readFile(join(env.dir, photo)), bytes);
  });

  await t.step(
    "sync --all --dates: rows deleted by hand come back with their files; only those days searched",
    async () => {
      // An album membership (as a Takeout import records), left dangling by the sqlite3 shell (no foreign keys).
      await sqlite(db, "INSERT INTO albums (id, source, title) VALUES ('album1', 'takeout', 'Trip')");
      await sqlite(db, `INSERT INTO item_albums (item_id, album_id) VALUES ('${DELETED[0].id}', 'album1')`);
      await sqlite(db, "DELETE FROM items WHERE id LIKE 'AF1QipREPAIR%'");
      assert.equal(
        rows(db, "SELECT * FROM item_albums WHERE item_id NOT IN (SELECT id FROM items)").length,
        1,
      );
      env.emulator.requests.length = 0;
      const repair = await env.run(["--all", `--dates=${REPAIRED.from}:${REPAIRED.to}`]);
      assert.equal(repair.code, 0, repair.stderr);
      const searches = env.emulator.requests.filter((r) => r.route === "search");
      assert.ok(searches.length > 0);
      const day = (d: { year: number; month: number; day: number }) =>
        `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
      for (const search of searches) {
        const { ranges } =
          (search.body as { filters: { dateFilter: { ranges: Record<string, never>[] } } }).filters
            .dateFilter;
        for (const range of ranges) {
          assert.ok(
            day(range.startDate) >= REPAIRED.from && day(range.endDate) <= REPAIRED.to,
            JSON.stringify(range),
          );
        }
      }
      // Downloaded: the restored rows (over their own files) and the file removed in those days, not the other one.
      const media = env.emulator.requests.filter((r) => r.route === "media").length;
      assert.equal(media, DELETED.length + 1);
      assert.deepEqual(
        rows(db, "SELECT id, path FROM items ORDER BY id"),
        pathsBefore,
        "every row back, with its path",
      );
      assert.deepEqual(await listFiles(env.dir), filesBefore.filter((f) => f !== pathOf(GONE_ELSEWHERE.id)));
      for (const it of [...DELETED, GONE]) {
        assert.deepEqual(await Deno.readFile(join(env.dir, pathOf(it.id))), new Uint8Array(mediaBytes(it)));
      }
      assert.deepEqual(rows(db, "PRAGMA foreign_key_check"), [], "the album link is whole again");
    },
  );

  await t.step(
    "status: a line per year within 80 columns, the span, the last run, what puts a file back",
    async () => {
      const result = await env.cli(["status", `--dir=${env.dir}`], { inProcess: true });
      assert.equal(result.code, 0, result.stderr);
      // The shape's lines (the counts' lines before them name paths and may be longer, and so may a last
      // run's message and warnings, indented under it).
      const lines = result.stdout.trimEnd().split("\n");
      const shape = lines.slice(lines.findIndex((line) => line.startsWith("year ")));
      for (const line of shape.filter((line) => !line.startsWith("    "))) {
        assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
      }
      assert.match(result.stdout, /^year +items +downloaded +pending +failed +bytes$/m);
      for (const year of ["2019", "2020", "2021"]) {
        const count = ITEMS.filter((it) => it.creationTime.startsWith(year)).length;
        assert.match(result.stdout, new RegExp(`^${year} +${count} +${count} +0 +0 `, "m"));
      }
      assert.match(result.stdout, /^oldest: +\d{4}-\d\d-\d\dT/m);
      // The file the repair of other days left missing: what puts it back, for this folder.
      const missing = result.stdout.split("\n").find((line) => line.startsWith("missing: "));
      assert.equal(
        missing,
        `missing:    1 downloaded but gone from ${env.dir} or changed: photosync takeout --dir ${env.dir} ` +
          `with the archives (for imported files) or photosync sync --dir ${env.dir} --resync puts them back`,
      );
      assert.match(
        result.stdout,
        /^ {2}library sync \d{4}-\d\d-\d\d \d\d:\d\d UTC, complete: \+2 items, \+2 files/m,
      );
    },
  );
});
