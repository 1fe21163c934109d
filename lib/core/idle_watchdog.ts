/**
 * Noticing work that went silent: a request with no answer, a body with no bytes.
 * @module
 */

/** The server sent nothing for the idle period. */
export class StalledError extends Error {
  constructor(idleMs: number) {
    super(`no data for ${Math.round(idleMs / 1000)} s`);
    this.name = "StalledError";
  }
}

/**
 * Aborts its signal when the watched work makes no progress for `idleMs`: `progress` is
 * polled a few times per period (for downloads, the size of the file being written), which
 * costs nothing per chunk of the body. It aborts too, with the same reason, when `stop` does.
 */
export class IdleWatchdog {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #stop?: AbortSignal;
  // A listener on `stop`, not `AbortSignal.any`: Deno may collect a signal made by `any` that only a
  // pending fetch refers to, and then the abort never reaches the fetch.
  readonly #onStop = () => this.#controller.abort(this.#stop!.reason);

  constructor(idleMs: number, progress: () => Promise<number>, stop?: AbortSignal) {
    this.#stop = stop;
    if (stop?.aborted) this.#controller.abort(stop.reason);
    else stop?.addEventListener("abort", this.#onStop, { once: true });
    let last = Number.NaN;
    // The monotonic clock: the wall clock set back (by hand, NTP, a VM restored) would keep a stalled
    // transfer waiting until it caught up again, set forward would end a healthy one.
    let quietSince = performance.now();
    this.#timer = setInterval(async () => {
      const now = await progress();
      if (now !== last) {
        last = now;
        quietSince = performance.now();
      } else if (performance.now() - quietSince >= idleMs) {
        this.#controller.abort(new StalledError(idleMs));
      }
    }, Math.max(10, Math.min(1000, idleMs / 4)));
  }

  /** Aborted when the watched work went silent, or `stop` aborted. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The work is over. */
  [Symbol.dispose](): void {
    clearInterval(this.#timer);
    this.#stop?.removeEventListener("abort", this.#onStop);
  }
}
