/**
 * A run's byte budget (`--max-bytes`): how many bytes the run may write before it starts no more
 * transfers. Every pipeline that writes files into the backup takes it (the transfer pool of the
 * remote sources; a Takeout import reading from a remote store can take it the same way).
 * @module
 */

/**
 * Bytes written this run against a limit. A transfer starts only while {@link ByteBudget.reached} is
 * false and reports its file's size with {@link ByteBudget.spend} once the file is in place:
 * transfers in flight when the limit is reached finish, so a run writes at most the limit plus the
 * files that were in flight then, and never leaves a partial file.
 *
 * @example Usage
 * ```ts
 * import { ByteBudget } from "./byte_budget.ts";
 * import assert from "node:assert/strict";
 *
 * const budget = new ByteBudget(1_000);
 * budget.spend(600);
 * assert.equal(budget.reached, false);
 * budget.spend(600);
 * assert.equal(budget.reached, true);
 * assert.equal(budget.spent, 1_200);
 * ```
 */
export class ByteBudget {
  /** The limit in bytes. */
  readonly maxBytes: number;
  #spent = 0;

  constructor(maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`ByteBudget: maxBytes must be a whole number of at least 1, not ${maxBytes}`);
    }
    this.maxBytes = maxBytes;
  }

  /** Bytes written so far. */
  get spent(): number {
    return this.#spent;
  }

  /** Whether the limit was reached: no transfer starts any more. */
  get reached(): boolean {
    return this.#spent >= this.maxBytes;
  }

  /** `bytes` were written (a file placed). */
  spend(bytes: number): void {
    this.#spent += bytes;
  }
}
