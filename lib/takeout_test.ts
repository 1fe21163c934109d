import assert from "node:assert/strict";
import { join } from "node:path";
import { DB_FILE } from "./core/db_files.ts";
import { existsSync } from "./core/exists.ts";
import { testLogger } from "./core/test_logger.ts";
import type { RemoteStore } from "./sources/takeout/remote/remote_store.ts";
import { takeout } from "./takeout.ts";

/** A store that lists nothing but notes what it was asked, and when. */
function noteStore(onList: () => void, fail?: Error): RemoteStore {
  return {
    description: "memory",
    // deno-lint-ignore require-yield
    async *list() {
      onList();
      if (fail) throw fail;
    },
    read: () => Promise.reject(new Error("nothing to read")),
  };
}

Deno.test("takeout({ store }): a store given as it is is listed while the backup opens, before sync.db is made", async () => {
  // The listing waits on round trips (a PROPFIND per folder), the opening on the CPU: one after the other,
  // the run paid both.
  const dir = await Deno.makeTempDir();
  try {
    let dbWhenListed: boolean | undefined;
    const result = await takeout({
      dir,
      store: noteStore(() => dbWhenListed = existsSync(join(dir, DB_FILE))),
      logger: testLogger(),
    });
    assert.equal(dbWhenListed, false, "the listing started after sync.db was made");
    assert.ok(existsSync(join(dir, DB_FILE)));
    assert.deepEqual([result.imported, result.done, result.waiting], [[], [], []]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("takeout({ store }): a folder that cannot be a backup is said before the store's own error, as before", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const dir = join(parent, "a-file");
    await Deno.writeTextFile(dir, "not a folder");
    let listed = false;
    await assert.rejects(
      takeout({
        dir,
        store: noteStore(() => listed = true, new Error("the store refused")),
        logger: testLogger(),
      }),
      (error: Error) => !/the store refused/.test(error.message),
    );
    // Listed all the same, and its failure is no unhandled rejection (which would fail the test).
    assert.ok(listed, "the store was listed");
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
