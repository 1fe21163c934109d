/**
 * The output folder's lock (`sync.db-lock`): one run at a time writes a backup. A run that opens `sync.db`
 * more than once (a command's run, then its journal recording it; `verify --repair`'s check, then its
 * download, then its check again) keeps the lock from its first open to its end with {@link keepingLocks}:
 * released between two opens, the lock would go to a run started in the gap (the next cron job, a CI step),
 * and what the first run still had to write (its last-run record, its repair) would be refused.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { join } from "node:path";
import { LOCK_FILE } from "./db_files.ts";
import { existsSync } from "./exists.ts";
import { PhotosyncError, UsageError } from "./errors.ts";

/** A folder's lock held by this process: given back by {@link FolderLock.release}. */
export interface FolderLock {
  /** Whether taking it made the lock file (so that a refused folder is left as it was found). */
  readonly created: boolean;
  /** The store that held it is done: the lock is unlocked, or kept for the run's next store. */
  release(): void;
  /** The store that took it could not open: unlocked now, kept by no run (its lock file may go). */
  abandon(): void;
}

/** The locks a run keeps between its stores, by folder. */
class LockKeeper {
  readonly #locks = new Map<string, { file: Held; lent: boolean }>();
  #ended = false;

  /** Whether the run it belongs to is over (a task it started may still run, in its context). */
  get ended(): boolean {
    return this.#ended;
  }

  take(dir: string): FolderLock {
    const key = keyOf(dir);
    const kept = this.#ended ? undefined : this.#locks.get(key);
    if (kept === undefined) {
      const { file, created } = lockFile(dir);
      if (this.#ended) return unkept(file, created);
      const entry = { file, lent: true };
      this.#locks.set(key, entry);
      return { created, release: () => this.#giveBack(key, entry), abandon: () => this.#drop(key, entry) };
    }
    // Another store of this run has the folder open: as refused as another process would be.
    if (kept.lent) throw busy(dir);
    kept.lent = true;
    return {
      created: false,
      release: () => this.#giveBack(key, kept),
      abandon: () => this.#giveBack(key, kept),
    };
  }

  #drop(key: string, entry: { file: Held; lent: boolean }): void {
    this.#locks.delete(key);
    entry.file.close();
  }

  #giveBack(key: string, entry: { file: Held; lent: boolean }): void {
    entry.lent = false;
    if (this.#ended) this.#drop(key, entry);
  }

  /** The run is over: every kept lock is unlocked (one still lent, when its store closes). */
  end(): void {
    this.#ended = true;
    for (const [key, entry] of this.#locks) {
      if (!entry.lent) this.#drop(key, entry);
    }
  }
}

const keepers = new AsyncLocalStorage<LockKeeper>();

/**
 * Run `fn` as one run: a folder's lock, once a store of it opened for writing takes it, stays held until
 * `fn` is done, across that store's close and the next store of the folder opened in `fn`. A `keepingLocks`
 * inside another is part of the outer run. Stores opened outside `fn` (another task of this process) do not
 * share its locks: they are refused while it holds them, as another process's would be.
 */
export async function keepingLocks<T>(fn: () => Promise<T>): Promise<T> {
  if (current()) return await fn();
  const keeper = new LockKeeper();
  try {
    return await keepers.run(keeper, fn);
  } finally {
    keeper.end();
  }
}

/**
 * The run this task is part of, if any and not over: a callback the runtime calls later (a timer, a worker's
 * message) keeps the context it was made in, and a run that has ended keeps no locks, nor is an outer run.
 */
function current(): LockKeeper | undefined {
  const keeper = keepers.getStore();
  return keeper?.ended ? undefined : keeper;
}

/**
 * Hold `dir`'s lock for a store that writes (or refuse: overlapping runs, two cron jobs, would delete each
 * other's temporary files and fight over names); within {@link keepingLocks}, the run's own lock if it holds
 * it already.
 */
export function lockFolder(dir: string): FolderLock {
  const keeper = current();
  if (keeper) return keeper.take(dir);
  const { file, created } = lockFile(dir);
  return unkept(file, created);
}

function unkept(file: Held, created: boolean): FolderLock {
  return { created, release: () => file.close(), abandon: () => file.close() };
}

/** What a run holds of a folder's lock: closing it unlocks. */
interface Held {
  close(): void;
}

/**
 * Lock the lock file and the folder itself, or refuse. The lock is the OS's (`flock`) on an open file, which
 * the file's name going does not release: a `sync.db-lock` deleted during a run (by hand, a cleanup script,
 * `rsync --delete`) would be made anew and locked by the next run, which would run beside this one and
 * remove its temporary files. The folder cannot go while it holds the backup, so its lock is the one that
 * holds; the lock file stays for what locks only it (an older photosync). Where the OS will not lock a folder
 * (NFS, which locks only files opened for writing; Windows, which opens no folder as a file), the lock file
 * alone holds, as before.
 */
function lockFile(dir: string): { file: Held; created: boolean } {
  const path = join(dir, LOCK_FILE);
  const created = !existsSync(path);
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
  } catch (error) {
    throw new UsageError(`cannot create ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!lockSoon(file)) {
    file.close();
    throw busy(dir);
  }
  let folder: Deno.FsFile | undefined;
  try {
    folder = Deno.openSync(dir, { read: true });
    if (!lockSoon(folder)) {
      folder.close();
      file.close();
      throw busy(dir);
    }
  } catch (error) {
    if (error instanceof PhotosyncError) throw error;
    // Not to be locked here (see above): the lock file holds alone.
    folder?.close();
    folder = undefined;
  }
  const held = folder;
  return {
    created,
    file: {
      close: () => {
        held?.close();
        file.close();
      },
    },
  };
}

/**
 * How long a refused lock is tried again before it counts as another run's. A child process that a thread
 * of this process starts (the browser a sign-in opens; in the tests, another test module's CLI run) holds a copy of
 * every open file from its fork to its exec, and with it the `flock` of a lock file this process has just
 * closed: measured, 1 ms typically and 6 ms at worst on a quiet machine, more on a loaded one. Another
 * photosync holds its lock for its whole run, so only its refusal comes this much later.
 */
const LOCK_PATIENCE_MS = 500;

/** Lock `file`, trying again for up to {@link LOCK_PATIENCE_MS} while it is refused. */
function lockSoon(file: Deno.FsFile): boolean {
  if (file.tryLockSync(true)) return true;
  const deadline = performance.now() + LOCK_PATIENCE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 1; performance.now() < deadline; wait = Math.min(2 * wait, 50)) {
    // A synchronous pause (the lock is taken where a store opens, synchronously); nothing wakes it early.
    Atomics.wait(pause, 0, 0, wait);
    if (file.tryLockSync(true)) return true;
  }
  return false;
}

function busy(dir: string): PhotosyncError {
  return new PhotosyncError(
    `another photosync is using ${dir} (it holds ${LOCK_FILE}); wait for it to finish, or use another --dir`,
  );
}

/** One key per folder however it was named (`photos`, `./photos/`, its absolute path). */
function keyOf(dir: string): string {
  try {
    return Deno.realPathSync(dir);
  } catch {
    return dir;
  }
}
