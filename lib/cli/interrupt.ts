/**
 * Ctrl-C and SIGTERM as an AbortSignal, so that a run can stop cleanly (e.g. delete its picking
 * session) instead of dying mid-step.
 * @module
 */
import { InterruptedError } from "../core/errors.ts";
import type { Renderer } from "./render.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * While it lives, the first SIGINT or SIGTERM aborts {@link Interrupt.signal} with an
 * {@link InterruptedError} (exit 130 or 143); a second one exits at once with that code.
 */
export class Interrupt implements Disposable {
  readonly #controller = new AbortController();
  readonly #listeners: [Deno.Signal, () => void][] = [];

  constructor(renderer: Renderer, stopping: string) {
    for (const name of SIGNALS) {
      const listener = () => {
        const reason = new InterruptedError(name);
        if (this.#controller.signal.aborted) {
          renderer.finish();
          Deno.exit(reason.exitCode);
        }
        renderer.notice(`${stopping} (press Ctrl-C again to quit at once)`);
        this.#controller.abort(reason);
      };
      try {
        Deno.addSignalListener(name, listener);
        this.#listeners.push([name, listener]);
      } catch {
        // Not a signal of this system (SIGTERM on Windows).
      }
    }
  }

  /** Aborted by the first signal, with an {@link InterruptedError}. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  [Symbol.dispose](): void {
    for (const [name, listener] of this.#listeners) Deno.removeSignalListener(name, listener);
  }
}
