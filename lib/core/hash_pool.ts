/**
 * Hash workers: the sha256 of files on threads of their own, a worker per core, each taking the
 * next file as it is free (files differ in size). Started at the first request, so that a run
 * that hashes nothing starts none. Where workers cannot start (a build without the worker's
 * module), files are hashed on the main thread instead.
 * @module
 */
import type { FileHash, HashReply } from "./hash_file.ts";
import { startWorkers } from "./workers.ts";

export type { FileHash } from "./hash_file.ts";

/** The hash worker's module: `deno compile` must `--include` it (see scripts/compile.ts). */
const HASH_WORKER = new URL("./hash_worker.ts", import.meta.url);

type Waiter = { resolve: (hash: FileHash) => void; reject: (error: Error) => void };

/** A set of hash workers, started at the first request. */
export class HashPool implements Disposable {
  readonly #count: number;
  readonly #module: URL;
  #workers?: Promise<Worker[] | { unavailable: string }>;
  readonly #idle: Worker[] = [];
  readonly #queue: { id: number; path: string }[] = [];
  readonly #waiting = new Map<number, Waiter>();
  #ids = 0;
  #disposed = false;
  /** The main thread's buffer, where no worker started. */
  #buffer?: Uint8Array;

  /**
   * A pool of `count` workers (default: one per core). `module` is the worker's module (another
   * only in tests).
   */
  constructor(count = navigator.hardwareConcurrency || 1, module: URL = HASH_WORKER) {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`count must be a positive integer, not ${count}`);
    }
    this.#count = count;
    this.#module = module;
  }

  /**
   * The sha256 of the file at `path` and its size. Fails with `Deno.errors.NotFound` when no file
   * is there, else with the read's error.
   */
  async hash(path: string): Promise<FileHash> {
    const workers = await (this.#workers ??= this.#start());
    if (this.#disposed) throw new Error("the hash workers were stopped");
    if ("unavailable" in workers) {
      // Loaded only here: node:crypto costs a start about 30 ms of CPU, and the workers load their own.
      const { hashFile } = await import("./hash_file.ts");
      return await hashFile(path, this.#buffer ??= new Uint8Array(1 << 20));
    }
    const id = ++this.#ids;
    return await new Promise<FileHash>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#queue.push({ id, path });
      this.#dispatch();
    });
  }

  /** Stop the workers; requests still open fail. */
  [Symbol.dispose](): void {
    this.#disposed = true;
    this.#workers?.then((workers) => {
      if (!("unavailable" in workers)) { for (const worker of workers) worker.terminate(); }
    });
    this.#failAll(new Error("the hash workers were stopped"));
  }

  async #start(): Promise<Worker[] | { unavailable: string }> {
    const workers = await startWorkers(this.#count, this.#module);
    if ("unavailable" in workers) return workers;
    if (this.#disposed) {
      for (const worker of workers) worker.terminate();
      return workers;
    }
    for (const worker of workers) {
      worker.onmessage = ({ data }: MessageEvent<HashReply>) => {
        this.#idle.push(worker);
        this.#settle(data);
        this.#dispatch();
      };
      worker.onerror = (event) => {
        event.preventDefault();
        this.#failAll(new Error(`a hash worker stopped: ${event.message}`));
      };
      this.#idle.push(worker);
    }
    return workers;
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      this.#idle.pop()!.postMessage(this.#queue.shift()!);
    }
  }

  #settle(reply: HashReply): void {
    const waiter = this.#waiting.get(reply.id);
    if (!waiter) return;
    this.#waiting.delete(reply.id);
    if ("digest" in reply) waiter.resolve({ digest: reply.digest, size: reply.size });
    else waiter.reject(reply.missing ? new Deno.errors.NotFound(reply.error) : new Error(reply.error));
  }

  #failAll(error: Error): void {
    const waiters = [...this.#waiting.values()];
    this.#waiting.clear();
    this.#queue.length = 0;
    for (const waiter of waiters) waiter.reject(error);
  }
}
