/**
 * A run's byte budget (`--max-bytes`): how many bytes the run may write. Every pipeline that writes
 * files into the backup takes it (the transfer pool of the remote sources; a Takeout import).
 * @module
 */

/**
 * Bytes written this run against a limit. A transfer holds its file's size before it writes it
 * ({@link ByteBudget.hold}: the `Content-Length` of a download, the size of an archive entry), and goes
 * on only when that fits in what is left after the bytes written and those held by transfers in flight:
 * so a run writes at most the limit, and never a partial file. The one exception is a file larger than
 * the whole limit: it is written alone, by a run that has written and holds nothing else, so that no
 * limit leaves a large video behind for ever (the run then ends: that run writes that one file).
 *
 * @example Usage
 * ```ts
 * import { ByteBudget } from "./byte_budget.ts";
 * import assert from "node:assert/strict";
 *
 * const budget = new ByteBudget(1_000);
 * assert.equal(budget.hold(600), true);
 * assert.equal(budget.reached, false);
 * assert.equal(budget.hold(600), false); // 600 held already: 400 left
 * assert.equal(budget.reached, true);
 * budget.spend(590, 600);
 * assert.equal(budget.spent, 590);
 * ```
 */
export class ByteBudget {
  /** The limit in bytes. */
  readonly maxBytes: number;
  #spent = 0;
  #held = 0;
  /** A file did not fit in what was left: no transfer starts any more. */
  #full = false;

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

  /** Bytes neither written nor held: what a file may still take. */
  get left(): number {
    return Math.max(0, this.maxBytes - this.#spent - this.#held);
  }

  /** Whether the limit was reached (written and held, or a file did not fit): no transfer starts any more. */
  get reached(): boolean {
    return this.#full || this.left === 0;
  }

  /** Nothing written nor held in this run: a file larger than the whole limit may go (alone). */
  get #untouched(): boolean {
    return this.#spent === 0 && this.#held === 0;
  }

  /**
   * Hold `bytes` for a file about to be written: true when they fit in what is left (or the file is larger
   * than the whole limit and the run has written and holds nothing else); false, and the limit is
   * reached from then on, when they do not (the file is left for the next run).
   */
  hold(bytes: number): boolean {
    if (!this.#full && (bytes <= this.left || (bytes > this.maxBytes && this.#untouched))) {
      this.#held += bytes;
      return true;
    }
    this.#full = true;
    return false;
  }

  /**
   * The most a file of unknown size may write: what is left when it starts (undefined: no bound, for a file
   * alone in an untouched run, as {@link hold} lets a large one go); or undefined, the limit reached, when
   * nothing is left. Nothing is held: holding all that is left kept every download in flight beside it from
   * starting, and a run with `--max-bytes` whose answers gave no size (gzip-encoded) ended after one file.
   */
  capForUnknown(): { cap?: number } | undefined {
    if (this.#full || this.left === 0) {
      this.#full = true;
      return undefined;
    }
    return this.#untouched ? {} : { cap: this.left };
  }

  /** The `held` bytes of a file not written after all (a failed transfer, bytes stored once already). */
  release(held: number): void {
    this.#held -= held;
  }

  /** A file of `bytes` was written, for which `held` bytes were held (0 when none were). */
  spend(bytes: number, held = 0): void {
    this.#held -= held;
    this.#spent += bytes;
  }
}
