/**
 * A bounded pool of workers draining an async iterable.
 * @module
 */

/**
 * Run `worker` on each item of `items`, at most `concurrency` at once. On the first error no
 * new item is started; once the running workers have finished, the error is thrown.
 *
 * @example Usage
 * ```ts
 * import { pooled } from "./pool.ts";
 * import assert from "node:assert/strict";
 *
 * async function* sizes() {
 *   yield* [3, 1, 2];
 * }
 * let total = 0;
 * await pooled(sizes(), 2, async (size) => {
 *   total += size;
 * });
 * assert.equal(total, 6);
 * ```
 */
export async function pooled<T>(
  items: AsyncIterable<T>,
  concurrency: number,
  worker: (item: T) => Promise<void>,
): Promise<void> {
  // Zero lanes would drain nothing and report success.
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`pooled: concurrency must be a whole number of at least 1, not ${concurrency}`);
  }
  const iterator = items[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
  };
  const lane = async () => {
    while (!failure) {
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } catch (error) {
        return fail(error);
      }
      if (next.done || failure) return;
      await worker(next.value).catch(fail);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  if (failure) {
    await iterator.return?.(undefined).catch(() => {});
    throw failure.error;
  }
}
