/**
 * Starting a worker thread and waiting until it is ready: a worker's first message says its
 * modules are loaded ({@link WORKER_READY}), so that a pool knows it can take requests, and a module
 * that fails to load is an error here rather than a line Deno prints on stderr.
 * @module
 */

/** A worker's first message: its modules are loaded and it takes requests. */
export const WORKER_READY = "ready";

/**
 * A worker of `module` that has loaded its modules (it posted {@link WORKER_READY}), or the error it
 * failed with (it is terminated then). The worker's `onmessage` and `onerror` are the caller's
 * to set once it resolves.
 *
 * @example Usage
 * ```ts ignore
 * import { startWorker } from "./workers.ts";
 *
 * // `workerModule`: the URL of a module that posts WORKER_READY once loaded.
 * const worker = await startWorker(workerModule);
 * worker.terminate();
 * ```
 */
export function startWorker(module: URL): Promise<Worker> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(module, { type: "module" });
    } catch (error) {
      reject(error);
      return;
    }
    worker.onmessage = ({ data }) => {
      if (data === WORKER_READY) resolve(worker);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject(new Error(event.message));
    };
  });
}

/**
 * `count` workers of `module`, all started and ready; or why they could not start (a module that is
 * not there, as in a build that left it out, or one that failed to load), with none left running.
 * @throws {RangeError} when `count` is not a positive integer.
 */
export async function startWorkers(count: number, module: URL): Promise<Worker[] | { unavailable: string }> {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a positive integer, not ${count}`);
  }
  // A missing module is found here: Deno would print a worker's failure to load on stderr.
  if (module.protocol === "file:") {
    const missing = await Deno.stat(module).then(() => false, () => true);
    if (missing) return { unavailable: `${module.pathname} is not there` };
  }
  const started = await Promise.allSettled(Array.from({ length: count }, () => startWorker(module)));
  const workers = started.flatMap((result) => result.status === "fulfilled" ? [result.value] : []);
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    for (const worker of workers) worker.terminate();
    return { unavailable: (failed.reason as Error).message };
  }
  return workers;
}
