import assert from "node:assert/strict";
import { join } from "node:path";
import { LOCK_FILE } from "./db_files.ts";
import { PhotosyncError } from "./errors.ts";
import { keepingLocks } from "./folder_lock.ts";
import { Store } from "./store.ts";

Deno.test("a run keeps its folder's lock between its stores, for itself only, until it ends", async () => {
  const dir = await Deno.makeTempDir({ prefix: "photosync-lock-test-" });
  try {
    /** Whether another process could take the folder now (its own open file of the lock). */
    const free = () => {
      using file = Deno.openSync(join(dir, LOCK_FILE), { read: true, write: true, create: true });
      return file.tryLockSync(true);
    };
    let inside!: () => void;
    const storeClosed = Promise.withResolvers<void>();
    const run = keepingLocks(async () => {
      Store.open(dir).close();
      storeClosed.resolve();
      await new Promise<void>((resolve) => inside = resolve);
      // Its next store takes the lock it kept; a second at once is refused, as another run's would be.
      {
        using _again = Store.open(dir);
        assert.throws(() => Store.open(dir), PhotosyncError);
      }
      // A run within it is part of it: its end does not release the outer run's lock.
      await keepingLocks(() => Promise.resolve(Store.open(dir).close()));
      assert.equal(free(), false, "kept after an inner run");
    });
    await storeClosed.promise;
    assert.equal(free(), false, "kept after its store closed");
    // Another task of this process, outside the run, does not share it.
    assert.throws(() => Store.open(dir), /another photosync is using/);
    inside();
    await run;
    assert.equal(free(), true, "released when the run ended");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run started by a callback an ended run left (a timer, a worker's message) keeps its own lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "photosync-lock-test-" });
  try {
    const free = () => {
      using file = Deno.openSync(join(dir, LOCK_FILE), { read: true, write: true, create: true });
      return file.tryLockSync(true);
    };
    const { promise: ended, resolve: end } = Promise.withResolvers<void>();
    let later!: Promise<boolean>;
    // The callback is made in the first run's context, and runs once that run is over.
    await keepingLocks(() => {
      later = ended.then(() =>
        keepingLocks(() => {
          Store.open(dir).close();
          return Promise.resolve(free());
        })
      );
      return Promise.resolve();
    });
    end();
    assert.equal(await later, false, "the second run kept its lock after its store closed");
    assert.equal(free(), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sync.db-lock deleted during a run (by hand, a cleanup script) does not let a second run in", () => {
  const dir = Deno.makeTempDirSync({ prefix: "photosync-lock-test-" });
  try {
    {
      using _run = Store.open(dir);
      Deno.removeSync(join(dir, LOCK_FILE));
      // The next run makes the lock file anew and locks it, but not the folder.
      assert.throws(() => Store.open(dir), /another photosync is using/);
      assert.throws(() => Store.open(dir), /another photosync is using/);
    }
    // Once the run is over, the folder is free again.
    Store.open(dir).close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a lock closed while another thread starts a child process (which holds a copy of it until its exec) is taken again at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "photosync-lock-test-" });
  // Another thread of this process starts children all along, as the test runner's other modules do.
  const spawner = new Worker(
    `data:text/javascript,${
      encodeURIComponent(`
        let stop = false;
        self.onmessage = () => stop = true;
        while (!stop) await new Deno.Command("true").output();
        self.postMessage("stopped");
      `)
    }`,
    { type: "module" },
  );
  const stopped = new Promise((resolve) => spawner.onmessage = resolve);
  try {
    for (let i = 0; i < 200; i++) {
      const store = Store.open(dir);
      // Held across a turn of the event loop, when a child may be forked with its copy.
      await new Promise((resolve) => setTimeout(resolve, 1));
      store.close();
    }
  } finally {
    spawner.postMessage("stop");
    await stopped;
    spawner.terminate();
    await Deno.remove(dir, { recursive: true });
  }
});
