/**
 * Stage workers for an import: zip entries are inflated, checked and written on threads of
 * their own, while the main thread hashes, dates, stores and places them in order. Where workers
 * cannot start (a build without the worker module), {@link StagePool.start} says why and the
 * import stages on the main thread.
 * @module
 */
import { BodyError, FileSystemError, type TempFile } from "../../core/output_tree.ts";
import { ArchiveError } from "./entry.ts";
import { startWorkers } from "../../core/workers.ts";
import type { StageReply, StageRequest } from "./stage_protocol.ts";

/** The stage worker's module: `deno compile` must `--include` it (see scripts/compile.ts). */
const STAGE_WORKER = new URL("./stage_worker.ts", import.meta.url);

type Waiter = { resolve: (staged: TempFile) => void; reject: (error: Error) => void };

/** A fixed set of stage workers, given requests in turn. */
export class StagePool implements Disposable {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, Waiter>();
  #next = 0;
  #ids = 0;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    for (const worker of workers) {
      worker.onmessage = ({ data }: MessageEvent<StageReply>) => this.#settle(data);
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

  /** Stage one zip entry on the next worker. Fails as staging on the main thread would. */
  stage(request: Omit<StageRequest, "id">): Promise<TempFile> {
    const id = ++this.#ids;
    const worker = this.#workers[this.#next++ % this.#workers.length];
    return new Promise<TempFile>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } satisfies StageRequest);
    });
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
