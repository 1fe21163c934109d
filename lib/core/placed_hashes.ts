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
import { HashPool } from "./hash_pool.ts";
import type { Store } from "./store.ts";

/** Hashes recorded in one transaction at most. */
const RECORD_BATCH = 100;

/**
 * Bytes of a run's files hashed on the main thread, as they are placed, before its own hash worker
 * starts: a worker costs about 0.1 s of CPU to start (a runtime and its modules), more than hashing
 * these bytes (about 15 ms at 1.1 GB/s). They are read whole and hashed with Web Crypto, which needs
 * no module (node:crypto would cost a start about 30 ms of CPU to load).
 */
export const INLINE_HASH_BYTES = 16 * 1024 * 1024;

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
    let hashed: Promise<void>;
    if (this.#ownPool && this.#inline + size <= this.#inlineBytes) {
      this.#inline += size;
      // Read now (the file is in place and in the page cache), hashed as the run goes on.
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = Deno.readFileSync(file);
      } catch {
        return; // Unreadable, or gone: left without a hash, as below.
      }
      hashed = crypto.subtle.digest("SHA-256", bytes).then(
        (digest) => done({ digest: new Uint8Array(digest).toHex(), size: bytes.length }),
        () => {},
      );
    } else hashed = this.pool.hash(file).then(done, () => {});
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
