import assert from "node:assert/strict";
import { join } from "node:path";
import { ByteBudget } from "./byte_budget.ts";
import { StopRequest } from "./errors.ts";
import { DEFAULT_LAYOUT, layoutMapper } from "./layout.ts";
import type { LocalTime } from "./local_time.ts";
import { idTag, taggedName } from "./names.ts";
import { OutputTree, TEMP_DIR } from "./output_tree.ts";
import { ItemError, type PlacedRow, type Skipped, type Source, type Transfer } from "./source.ts";
import { type ItemRow, Store } from "./store.ts";
import { testLogger } from "./test_logger.ts";
import { requeueMissing, type TransferOptions, transferPending } from "./transfer.ts";

/** What the test source does with an item: give its bytes, refuse it for now or for good, or wait for the stop. */
type Behaviour = "give" | "defer" | "fail" | "wait";

/** Each item's bytes: its id, repeated. */
const bytesOf = (id: string) => new TextEncoder().encode(id.repeat(1000));

/** A source whose items behave as `behaviours` says (by id); it indexes nothing, it only transfers. */
function testSource(behaviours: Record<string, Behaviour>): Source {
  return {
    name: "library",
    async *index() {},
    prepare(rows: readonly PlacedRow[]): Promise<(Transfer | Skipped)[]> {
      return Promise.resolve(rows.map((row): Transfer | Skipped => {
        switch (behaviours[row.id]) {
          case "fail":
            return { row, skip: "failed", reason: "Google will not give it" };
          case "defer":
            return {
              row,
              open: () => Promise.reject(new ItemError("still processing")),
            };
          case "wait":
            return {
              row,
              open: (signal) =>
                new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
            };
          default:
            return {
              row,
              open: () =>
                Promise.resolve({
                  body: ReadableStream.from([bytesOf(row.id)]),
                  size: bytesOf(row.id).length,
                }),
            };
        }
      }));
    },
  };
}

/** A store with `ids` pending (one a minute from DAY on, in that order) and a transfer's options over it. */
async function fixture(ids: string[]) {
  const root = await Deno.makeTempDir({ prefix: "photosync-transfer-test-" });
  const store = Store.open(root);
  store.saveBatch({
    source: "library",
    items: ids.map((id, i) => ({
      id,
      source: "library",
      filename: `${id}.jpg`,
      createdMs: DAY + i * 60_000,
      isVideo: false,
      json: "{}",
    })),
  });
  const placed: string[] = [];
  return {
    root,
    store,
    placed,
    options(behaviours: Record<string, Behaviour>, more: Partial<TransferOptions> = {}): TransferOptions {
      return {
        store,
        source: testSource(behaviours),
        tree: new OutputTree(root),
        concurrency: 2,
        pathMapper: layoutMapper(DEFAULT_LAYOUT),
        logger: testLogger(),
        onFile: (path) => placed.push(path),
        ...more,
      };
    },
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

const DAY = Date.parse("2021-06-01T08:00:00Z");

Deno.test("transferPending: every pending item is streamed into place with its mtime and marked downloaded with its size", async () => {
  await using f = await fixture(["a", "b", "c", "d", "e"]);
  const result = await transferPending(f.options({}));
  const size = bytesOf("a").length;
  assert.deepEqual(result, { downloaded: 5, bytes: 5 * size, failed: 0, deferred: 0 });
  assert.deepEqual(f.placed.toSorted(), ["a", "b", "c", "d", "e"].map((id) => `2021/06/01/${id}.jpg`));
  for (const [i, id] of ["a", "b", "c", "d", "e"].entries()) {
    const file = join(f.root, `2021/06/01/${id}.jpg`);
    assert.deepEqual(await Deno.readFile(file), bytesOf(id));
    assert.equal((await Deno.stat(file)).mtime?.getTime(), DAY + i * 60_000);
    const row = f.store.item(id)!;
    assert.deepEqual([row.status, row.size, row.path], ["downloaded", size, `2021/06/01/${id}.jpg`]);
  }
  assert.equal(f.store.pendingCount("library"), 0);
  assert.equal(await Deno.lstat(join(f.root, TEMP_DIR)).catch(() => undefined), undefined);
  // Nothing is pending any more: a second pass does nothing.
  assert.deepEqual(await transferPending(f.options({})), { downloaded: 0, bytes: 0, failed: 0, deferred: 0 });
});

Deno.test("transferPending: an ItemError leaves the item pending with its message as a note; a `failed` skip marks it failed", async () => {
  await using f = await fixture(["a", "later", "gone"]);
  const result = await transferPending(f.options({ later: "defer", gone: "fail" }));
  assert.deepEqual([result.downloaded, result.failed, result.deferred], [1, 1, 1]);
  const later = f.store.item("later")!;
  assert.deepEqual([later.status, later.note], ["pending", "still processing"]);
  const gone = f.store.item("gone")!;
  assert.deepEqual([gone.status, gone.note], ["failed", "Google will not give it"]);
  assert.deepEqual(f.placed, ["2021/06/01/a.jpg"]);
  // Their paths stay claimed: a later run uses the same names.
  assert.equal(later.path, "2021/06/01/later.jpg");
});

Deno.test("transferPending: the run's stop ends the pass at once, keeping and recording what is in place, removing partial files", async () => {
  await using f = await fixture(["a", "b", "c"]);
  const stop = new AbortController();
  const stopping = new StopRequest("the time limit ran out");
  const options = f.options({ b: "wait", c: "wait" }, {
    concurrency: 1,
    stop,
    onFile(path) {
      f.placed.push(path);
      stop.abort(stopping);
    },
  });
  await assert.rejects(transferPending(options), (error) => error === stopping);
  assert.deepEqual(f.placed, ["2021/06/01/a.jpg"]);
  assert.deepEqual(["a", "b", "c"].map((id) => f.store.item(id)!.status), [
    "downloaded",
    "pending",
    "pending",
  ]);
  assert.equal(await Deno.lstat(join(f.root, TEMP_DIR)).catch(() => undefined), undefined);
  assert.deepEqual([...Deno.readDirSync(join(f.root, "2021/06/01"))].map((entry) => entry.name), ["a.jpg"]);
});

Deno.test("transferPending: a byte budget lets a download go on only when its size fits in what is left, counting those in flight; the rest stay pending, also for a later pass", async () => {
  const ids = ["a", "b", "c", "d", "e"];
  const size = bytesOf("a").length;
  await using f = await fixture(ids);
  // All five at once: two fit (the third's answer finds one byte left), so three are never written.
  const budget = new ByteBudget(2 * size + 1);
  const result = await transferPending(f.options({}, { concurrency: 5, budget }));
  assert.deepEqual(result, { downloaded: 2, bytes: 2 * size, failed: 0, deferred: 0 });
  assert.equal(budget.spent, 2 * size);
  assert.ok(budget.reached);
  assert.equal(f.store.pendingCount("library"), 3);
  assert.equal(await Deno.lstat(join(f.root, TEMP_DIR)).catch(() => undefined), undefined, "no partial file");
  // The budget is the run's: a second pass of the same run starts nothing.
  assert.deepEqual(
    await transferPending(f.options({}, { concurrency: 1, budget })),
    { downloaded: 0, bytes: 0, failed: 0, deferred: 0 },
  );
  // The next run has a budget of its own and gets the rest.
  const next = await transferPending(f.options({}, { budget: new ByteBudget(10 * size) }));
  assert.equal(next.downloaded, 3);
  assert.equal(f.store.pendingCount("library"), 0);
});

Deno.test("transferPending: a download larger than the whole byte budget goes alone, in a run that has downloaded nothing else; one of unknown size takes what is left", async () => {
  const ids = ["a", "b", "c"];
  const size = bytesOf("a").length;
  await using f = await fixture(ids);
  const budget = new ByteBudget(size - 1);
  const result = await transferPending(f.options({}, { concurrency: 3, budget }));
  assert.deepEqual(result, { downloaded: 1, bytes: size, failed: 0, deferred: 0 });
  assert.deepEqual(f.placed, ["2021/06/01/a.jpg"], "the first in creation order");
  assert.equal(f.store.pendingCount("library"), 2);
  // Of unknown size (no Content-Length): cut off where what is left ends, nothing partial kept.
  const unsized = (source: Source): Source => ({
    ...source,
    prepare: async (rows) =>
      (await source.prepare(rows)).map((entry) =>
        "open" in entry
          ? { ...entry, open: async (signal) => ({ body: (await entry.open(signal)).body }) }
          : entry
      ),
  });
  const some = new ByteBudget(3 * size);
  some.spend(2 * size + 1); // A byte less than a file left.
  const cut = await transferPending({ ...f.options({}, { budget: some }), source: unsized(testSource({})) });
  assert.deepEqual(cut, { downloaded: 0, bytes: 0, failed: 0, deferred: 0 });
  assert.equal(f.store.pendingCount("library"), 2);
  assert.equal(await Deno.lstat(join(f.root, TEMP_DIR)).catch(() => undefined), undefined, "no partial file");
  // Several of unknown size at once, the budget roomy: each goes (one held what was left, and the others
  // found nothing: a run of gzip-encoded answers wrote one file a run).
  const roomy = new ByteBudget(100 * size);
  roomy.spend(1);
  const all = await transferPending({
    ...f.options({}, { budget: roomy, concurrency: 3 }),
    source: unsized(testSource({})),
  });
  assert.deepEqual(all, { downloaded: 2, bytes: 2 * size, failed: 0, deferred: 0 });
  assert.equal(roomy.spent, 2 * size + 1);
});

Deno.test("transferPending: a download of unknown size tried again is cut off where the budget ends, as its first try was", async () => {
  await using f = await fixture(["a"]);
  const size = bytesOf("a").length;
  let tries = 0;
  // The first try's body breaks after a byte (a network failure: tried again); the second gives all of it.
  const source: Source = {
    ...testSource({}),
    prepare: (rows) =>
      Promise.resolve(rows.map((row) => ({
        row,
        open: () => {
          const bytes = bytesOf(row.id);
          const body = ++tries === 1
            ? new ReadableStream<Uint8Array>({
              start(controller) {
                controller.enqueue(bytes.subarray(0, 1));
                controller.error(new Error("connection reset"));
              },
            })
            : ReadableStream.from([bytes]);
          return Promise.resolve({ body });
        },
      }))),
  };
  const budget = new ByteBudget(size);
  budget.spend(1); // A byte less than the file left, and not an untouched run (which lets one file go alone).
  const result = await transferPending({
    ...f.options({}, { budget, retry: { sleep: () => Promise.resolve() } }),
    source,
  });
  assert.equal(tries, 2);
  assert.deepEqual(result, { downloaded: 0, bytes: 0, failed: 0, deferred: 0 });
  assert.equal(f.store.pendingCount("library"), 1);
  assert.equal(budget.spent, 1);
});

Deno.test("transferPending in a folder of local days: a download goes to the local day its staged bytes tell, by the collision rule, its mtime the instant; a folder of UTC days never asks", async () => {
  const asked: string[] = [];
  const localTimeOf = async (file: string, row: ItemRow): Promise<LocalTime | undefined> => {
    assert.deepEqual(await Deno.readFile(file), bytesOf(row.id), "asked once the download is complete");
    asked.push(row.id);
    // 08:00 UTC at UTC-09:00 is 23:00 the day before.
    return row.id === "b" ? undefined : { offsetMinutes: -540, rule: "exif offset" };
  };
  await using utc = await fixture(["a"]);
  await transferPending(utc.options({}, { folderDays: "utc", localTimeOf }));
  assert.deepEqual([asked, utc.placed], [[], ["2021/06/01/a.jpg"]]);

  await using f = await fixture(["a", "b", "c"]);
  // A file photosync did not write on a's local day keeps its name.
  await Deno.mkdir(join(f.root, "2021/05/31"), { recursive: true });
  await Deno.writeTextFile(join(f.root, "2021/05/31/a.jpg"), "mine");
  const result = await transferPending(f.options({}, { folderDays: "local", localTimeOf }));
  assert.equal(result.downloaded, 3);
  assert.deepEqual(asked.toSorted(), ["a", "b", "c"]);
  const a = taggedName("2021/05/31/a.jpg", idTag("a"));
  assert.deepEqual(f.placed.toSorted(), [a, "2021/05/31/c.jpg", "2021/06/01/b.jpg"]);
  assert.equal(await Deno.readTextFile(join(f.root, "2021/05/31/a.jpg")), "mine");
  assert.equal((await Deno.stat(join(f.root, a))).mtime?.getTime(), DAY, "the true instant");
  assert.deepEqual(await Deno.readFile(join(f.root, "2021/05/31/c.jpg")), bytesOf("c"));
  const row = f.store.item("c")!;
  assert.deepEqual([row.path, row.json], [
    "2021/05/31/c.jpg",
    '{"localOffsetMinutes":-540,"localRule":"exif offset"}',
  ]);
  assert.equal(f.store.item("b")!.json, "{}");
  assert.deepEqual([...Deno.readDirSync(join(f.root, "2021/06/01"))].map((entry) => entry.name), ["b.jpg"]);
  // Indexed again: a remote source's JSON (which never holds it) keeps the local time; no change.
  const again = {
    id: "c",
    source: "library",
    filename: "c.jpg",
    createdMs: DAY + 2 * 60_000,
    isVideo: false,
  };
  assert.deepEqual(
    f.store.saveBatch({ source: "library", items: [{ ...again, json: "{}" }] }, { keepLocalTime: true }),
    { added: 0, updated: 0, others: 0 },
  );
  assert.equal(f.store.item("c")!.json, row.json);
});

Deno.test("requeueMissing: every changed or missing item is pending before any file is moved aside (a run stopped while moving leaves none recorded in place)", async () => {
  await using f = await fixture(["a", "b", "c"]);
  await transferPending(f.options({}));
  for (const id of ["a", "b"]) await Deno.writeTextFile(join(f.root, `2021/06/01/${id}.jpg`), "edited");
  await Deno.remove(join(f.root, "2021/06/01/c.jpg"));
  // Moving aside fails (a file where the folder of changed files goes): the run stops there.
  await Deno.writeTextFile(join(f.root, ".photosync-changed"), "in the way");
  await assert.rejects(requeueMissing(f.store, f.root, ["library"]));
  assert.deepEqual(["a", "b", "c"].map((id) => f.store.item(id)!.status), ["pending", "pending", "pending"]);
  // The next plain run downloads them; the edited files still in place are kept aside by the placing.
  await Deno.remove(join(f.root, ".photosync-changed"));
  const result = await transferPending(f.options({}));
  assert.equal(result.downloaded, 3);
  for (const id of ["a", "b", "c"]) {
    assert.deepEqual(await Deno.readFile(join(f.root, `2021/06/01/${id}.jpg`)), bytesOf(id));
  }
});
