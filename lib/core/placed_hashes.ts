/**
 * The sha256 of each downloaded file, taken off the download's path: once a file is in place its
 * bytes are still in the page cache, and a hash worker (`hash_pool.ts`) reads them there while the
 * transfers go on. The first {@link INLINE_HASH_BYTES} a run downloads are hashed on the main thread
 * instead, so that a small run (a nightly job's few new photos) starts no worker. The hashes are
 * recorded in sync.db in batches; one a stopped run did not record is taken by the next
 * `photosync verify` (the file's size and mtime as recorded).
 * @module
 */
import { join } from "node:path";
import { hashFileSync } from "./hash_file.ts";
import { HashPool } from "./hash_pool.ts";
import type { Store } from "./store.ts";

/** Hashes recorded in one transaction at most. */
const RECORD_BATCH = 100;

/**
 * Bytes of a run's files hashed on the main thread, as they are placed, before its own hash worker
 * starts: a worker costs about 0.1 s of CPU to start (a runtime and its modules), more than hashing
 * these bytes (about 20 ms at 1.5 GB/s, the main thread busy a few milliseconds a file).
 */
export const INLINE_HASH_BYTES = 32 * 1024 * 1024;

/** Hashes placed files in the background and records them. */
export class PlacedHashes implements Disposable {
  readonly pool: HashPool;
  readonly #ownPool: boolean;
  readonly #store: Store;
  readonly #root: string;
  readonly #done: { id: string; hash: string }[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  /** Bytes hashed on the main thread so far (see {@link INLINE_HASH_BYTES}). */
  #inline = 0;
  #buffer?: Uint8Array;

  readonly #inlineBytes: number;

  /**
   * Hashes for the backup in `root`, on `pool` (default: a pool of its own, disposed with this, of
   * one worker: the downloads need the other cores; one keeps up with them, see BENCHMARKS.md); with a
   * pool of its own, the first `inlineBytes` on the main thread.
   */
  constructor(store: Store, root: string, pool?: HashPool, inlineBytes: number = INLINE_HASH_BYTES) {
    this.#store = store;
    this.#root = root;
    this.pool = pool ?? new HashPool(1);
    this.#ownPool = pool === undefined;
    this.#inlineBytes = inlineBytes;
  }

  /**
   * Hash the item's file, placed at `path` (relative to the root) with `size` bytes, and record the
   * hash. A file that cannot be read, or has changed size since, is left without one.
   */
  add(id: string, path: string, size: number): void {
    const file = join(this.#root, ...path.split("/"));
    const done = (hash: { digest: string; size: number }) => {
      if (hash.size !== size) return;
      if (this.#done.push({ id, hash: hash.digest }) >= RECORD_BATCH) this.#record();
    };
    if (this.#ownPool && this.#inline + size <= this.#inlineBytes) {
      this.#inline += size;
      try {
        done(hashFileSync(file, this.#buffer ??= new Uint8Array(1 << 20)));
      } catch {
        // Unreadable, or gone: left without a hash, as below.
      }
      return;
    }
    const hashed = this.pool.hash(file).then(done, () => {});
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
