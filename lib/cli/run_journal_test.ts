import assert from "node:assert/strict";
import { join } from "node:path";
import { lastRuns } from "../core/overview.ts";
import { LOCK_FILE, Store } from "../core/store.ts";
import { runCli } from "./run.ts";
import { RunJournal } from "./run_journal.ts";

function add(dir: string, ids: string[]): void {
  using store = Store.open(dir);
  store.saveBatch({
    source: "library",
    items: ids.map((id) => ({
      id,
      source: "library",
      filename: `${id}.jpg`,
      createdMs: 0,
      isVideo: false,
      json: "{}",
    })),
  });
}

Deno.test("the journal records the source's last run and appends the job summary; a run without sync.db leaves none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "photosync-journal-test-" });
  try {
    const summary = join(dir, "summary.md");
    let now = Date.UTC(2026, 0, 31, 3, 17);
    const env = (name: string) => name === "GITHUB_STEP_SUMMARY" ? summary : undefined;
    const journal = new RunJournal({ env, now: () => now });
    // No sync.db yet: the run adds everything.
    journal.begin("sync", dir, "library");
    add(dir, ["a", "b"]);
    now += 60_000;
    assert.equal(
      await journal.end(3, undefined, ["--max-bytes=1MB reached: 2 items left for the next run"]),
      undefined,
    );
    {
      using store = Store.open(dir, { readOnly: true });
      assert.deepEqual(lastRuns(store), {
        library: {
          command: "sync",
          started: "2026-01-31T03:17:00.000Z",
          ended: "2026-01-31T03:18:00.000Z",
          exitCode: 3,
          outcome: "items left for the next run",
          // What needed a person is kept with the run, for status.
          warnings: ["--max-bytes=1MB reached: 2 items left for the next run"],
          added: { items: 2, files: 0, bytes: 0 },
        },
      });
    }
    const text = await Deno.readTextFile(summary);
    assert.match(text, /^\| library \| 2 \| 0 \| 0 B \| 2 \| 0 \| 2 \| 0 B \|$/m);
    assert.match(text, /^> - --max-bytes=1MB reached: 2 items left for the next run$/m);

    // A refused authorisation needs a person; a read-only command records no run.
    const again = new RunJournal({ env, now: () => now });
    again.begin("status", dir);
    assert.equal(await again.end(4, "Google refused the saved authorisation"), undefined);
    assert.match(
      await Deno.readTextFile(summary),
      /### photosync status: authorisation needed \(exit 4\)[^]*> - Google refused/,
    );

    // A run that takes files back to pending (a --resync finding them gone) added nothing: not "-2 files".
    {
      using store = Store.open(dir);
      store.markDownloaded([{ id: "a", size: 10 }, { id: "b", size: 20 }]);
    }
    const resync = new RunJournal({ env: () => undefined, now: () => now });
    resync.begin("sync", dir, "library");
    {
      using store = Store.open(dir);
      store.requeue(["a", "b"]);
    }
    await resync.end(3);
    {
      using store = Store.open(dir, { readOnly: true });
      assert.deepEqual(lastRuns(store).library.added, { items: 0, files: 0, bytes: 0 });
    }

    // A summary file that cannot be written is said, not thrown.
    const broken = new RunJournal({ env: (name) => name === "GITHUB_STEP_SUMMARY" ? dir : undefined });
    broken.begin("status", dir);
    assert.match((await broken.end(0))!, /^cannot append to GITHUB_STEP_SUMMARY /);

    const empty = await Deno.makeTempDir({ dir });
    const none = new RunJournal({ env });
    none.begin("sync", empty, "library");
    assert.equal(await none.end(2, "bad input"), undefined);
    assert.deepEqual([...Deno.readDirSync(empty)], [], "no sync.db made");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run started as the command ends (back to back, a cron job) does not take the folder before the run is recorded", async () => {
  const root = await Deno.makeTempDir({ prefix: "photosync-journal-test-" });
  try {
    const photos = join(root, "takeout", "Takeout", "Google Photos", "Photos from 2023");
    await Deno.mkdir(photos, { recursive: true });
    await Deno.writeTextFile(join(photos, "a.jpg"), "a photo");
    const dir = join(root, "backup");
    // The next run, another process: its own open file of the lock, tried the moment this run's command
    // has printed its last line (its store closed), before the journal records the run.
    let next: Deno.FsFile | undefined;
    let nextGotIt: boolean | undefined;
    let stderr = "";
    const code = await runCli(["takeout", `--dir=${dir}`, join(root, "takeout")], {
      sink: {
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
          if (next || !/^done in /m.test(text)) return;
          next = Deno.openSync(join(dir, LOCK_FILE), { read: true, write: true });
          nextGotIt = next.tryLockSync(true);
        },
      },
      env: () => undefined,
      stdin: new ReadableStream({ start: (controller) => controller.close() }),
      stdinIsTerminal: false,
      stderrIsTerminal: false,
    });
    try {
      assert.equal(code, 0, stderr);
      assert.ok(next, `the command's last line came: ${stderr}`);
      assert.equal(nextGotIt, false, "the run still held its folder");
      assert.doesNotMatch(stderr, /cannot record/);
      // Once the run is over, the next one gets the folder.
      assert.ok(next.tryLockSync(true));
    } finally {
      next?.close();
    }
    using store = Store.open(dir, { readOnly: true });
    assert.equal(lastRuns(store).takeout?.exitCode, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
