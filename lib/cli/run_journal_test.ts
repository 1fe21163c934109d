import assert from "node:assert/strict";
import { join } from "node:path";
import { lastRuns } from "../core/overview.ts";
import { Store } from "../core/store.ts";
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
