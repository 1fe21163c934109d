/**
 * Stage workers for an import: zip entries are inflated, checked and written on threads of
 * their own (and hashed as they are written), while the main thread dates, stores and places them
 * in order. Where workers
 * cannot start (a build without the worker module), {@link StagePool.start} says why and the
 * import stages on the main thread.
 * @module
 */
import { BodyError, FileSystemError } from "../../core/output_tree.ts";
import { ArchiveError, type StoredEntry } from "./entry.ts";
import { startWorkers } from "../../core/workers.ts";
import {
  type FromWorker,
  type StagedFile,
  type StageReply,
  STORED_AHEAD,
  type StoredStageRequest,
  type ToWorker,
  type ZipStageRequest,
} from "./stage_protocol.ts";

/** The stage worker's module: `deno compile` must `--include` it (see scripts/compile.ts). */
const STAGE_WORKER = new URL("./stage_worker.ts", import.meta.url);

type Waiter = {
  resolve: (staged: StagedFile) => void;
  reject: (error: Error) => void;
  /** A stored entry's: told of the bytes the worker took, and of its reply. */
  taken?: (count: number) => void;
};

/** A fixed set of stage workers, given requests in turn. */
export class StagePool implements Disposable {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, Waiter>();
  #next = 0;
  #ids = 0;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    for (const worker of workers) {
      worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
        if (data.kind === "taken") this.#pending.get(data.id)?.taken?.(data.taken);
        else this.#settle(data);
      };
      worker.onerror = (event) => {
        // A worker that dies takes its requests with it: they fail, and the import stops.
        event.preventDefault();
        this.#failAll(new Error(`a stage worker stopped: ${event.message}`));
      };
    }
  }

  /**
   * `count` workers, started and ready; or the reason they could not start. `module` is the
   * worker's module (another only in tests).
   * @throws {RangeError} when `count` is not a positive integer.
   */
  static async start(
    count: number,
    module: URL = STAGE_WORKER,
  ): Promise<StagePool | { unavailable: string }> {
    const workers = await startWorkers(count, module);
    return "unavailable" in workers ? workers : new StagePool(workers);
  }

  /** Stage one entry of a local zip on the next worker. Fails as staging on the main thread would. */
  stage(request: Omit<ZipStageRequest, "id" | "kind">): Promise<StagedFile> {
    const id = ++this.#ids;
    const worker = this.#workers[this.#next++ % this.#workers.length];
    return new Promise<StagedFile>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, kind: "zip", id } satisfies ToWorker);
    });
  }

  /**
   * Stage the zip entry `stored` (read here: a remote zip's bytes as they are fetched) on the next
   * worker, which inflates, checks and writes it; at most {@link STORED_AHEAD} bytes are sent ahead
   * of what it took. Fails as staging on the main thread would; when `stored.bytes` fails, with its
   * error, once the worker has dropped what it wrote.
   */
  async stageStored(
    request: Omit<StoredStageRequest, "id" | "kind" | keyof StoredEntry>,
    stored: StoredEntry,
  ): Promise<StagedFile> {
    const id = ++this.#ids;
    const worker = this.#workers[this.#next++ % this.#workers.length];
    const { bytes, ...entry } = stored;
    let ahead = 0;
    let wake: (() => void) | undefined;
    let settled = false;
    const reply = new Promise<StagedFile>((resolve, reject) => {
      this.#pending.set(id, {
        resolve,
        reject,
        taken(count) {
          ahead -= count;
          wake?.();
        },
      });
      worker.postMessage({ ...request, ...entry, kind: "stored", id } satisfies ToWorker);
    });
    // The worker's reply also ends the sending: it needs no more (or failed).
    reply.catch(() => {}).finally(() => {
      settled = true;
      wake?.();
    });
    const reader = bytes.getReader();
    let failure: unknown;
    try {
      while (!settled) {
        while (ahead >= STORED_AHEAD && !settled) await new Promise<void>((resolve) => wake = resolve);
        if (settled) break;
        const { value, done } = await reader.read();
        if (done) {
          worker.postMessage({ kind: "chunk", id, end: true } satisfies ToWorker);
          break;
        }
        ahead += value.length;
        // Transferred, not copied, when it is a buffer of its own.
        const own = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
        const chunk = own ? value : value.slice();
        worker.postMessage({ kind: "chunk", id, bytes: chunk } satisfies ToWorker, [
          chunk.buffer as ArrayBuffer,
        ]);
      }
    } catch (error) {
      failure = error;
      worker.postMessage({ kind: "chunk", id, stop: true } satisfies ToWorker);
    } finally {
      // Not read further: the worker is done with it, or it failed.
      reader.cancel().catch(() => {});
    }
    if (failure === undefined) return await reply;
    // The worker's reply (an error now) says it has removed its file: then the source's error.
    await reply.catch(() => {});
    throw failure;
  }

  /** Stop the workers; requests still open fail. */
  [Symbol.dispose](): void {
    for (const worker of this.#workers) worker.terminate();
    this.#failAll(new Error("the stage workers were stopped"));
  }

  #settle(reply: StageReply): void {
    const waiter = this.#pending.get(reply.id);
    if (!waiter) return;
    this.#pending.delete(reply.id);
    if (reply.staged) waiter.resolve(reply.staged);
    else waiter.reject(rebuild(reply.error!));
  }

  #failAll(error: Error): void {
    const waiters = [...this.#pending.values()];
    this.#pending.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}

/** The error thrown in a worker, as the same class here (the import tells them apart by class). */
function rebuild({ kind, message, cause }: NonNullable<StageReply["error"]>): Error {
  const options = cause === undefined ? undefined : { cause: new Error(cause) };
  switch (kind) {
    case "body":
      return new BodyError(message, options);
    case "archive":
      return new ArchiveError(message, options);
    case "fs":
      return new FileSystemError(message, options);
    default:
      return new Error(message, options);
  }
}
