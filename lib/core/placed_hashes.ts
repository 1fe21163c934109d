/**
 * The sha256 of each downloaded file, taken off the download's path: once a file is in place its
 * bytes are still in the page cache, and a hash worker (`hash_pool.ts`) reads them there while the
 * transfers go on. The hashes are recorded in sync.db in batches; one a stopped run did not record
 * is taken by the next `photosync verify` (the file's size and mtime as recorded).
 * @module
 */
import { join } from "node:path";
import { HashPool } from "./hash_pool.ts";
import type { Store } from "./store.ts";

/** Hashes recorded in one transaction at most. */
const RECORD_BATCH = 100;

/** Hashes placed files in the background and records them. */
export class PlacedHashes implements Disposable {
  readonly pool: HashPool;
  readonly #ownPool: boolean;
  readonly #store: Store;
  readonly #root: string;
  readonly #done: { id: string; hash: string }[] = [];
  readonly #inFlight = new Set<Promise<void>>();

  /**
   * Hashes for the backup in `root`, on `pool` (default: a pool of its own, disposed with this, of
   * one worker: the downloads need the other cores; one keeps up with them, see BENCHMARKS.md).
   */
  constructor(store: Store, root: string, pool?: HashPool) {
    this.#store = store;
    this.#root = root;
    this.pool = pool ?? new HashPool(1);
    this.#ownPool = pool === undefined;
  }

  /**
   * Hash the item's file, placed at `path` (relative to the root) with `size` bytes, and record the
   * hash. A file that cannot be read, or has changed size since, is left without one.
   */
  add(id: string, path: string, size: number): void {
    const hashed = this.pool.hash(join(this.#root, ...path.split("/"))).then((hash) => {
      if (hash.size !== size) return;
      if (this.#done.push({ id, hash: hash.digest }) >= RECORD_BATCH) this.#record();
    }, () => {});
    this.#inFlight.add(hashed);
    hashed.finally(() => this.#inFlight.delete(hashed));
  }

  /** Wait for the hashes under way and record them all. */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    this.#record();
  }

  #record(): void {
    if (this.#done.length > 0) this.#store.recordHashes(this.#done.splice(0));
  }

  [Symbol.dispose](): void {
    if (this.#ownPool) this.pool[Symbol.dispose]();
  }
}
