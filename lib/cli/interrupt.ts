/**
 * Ctrl-C and SIGTERM as an abort of the run's stop, so that a run can stop cleanly (e.g. delete
 * its picking session) instead of dying mid-step.
 * @module
 */
import { InterruptedError } from "../core/errors.ts";
import type { Renderer } from "./render.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * While it lives, the first SIGINT or SIGTERM aborts the run's `stop` with an
 * {@link InterruptedError} (exit 130 or 143); a second one exits at once with that code.
 */
export class Interrupt implements Disposable {
  readonly #listeners: [Deno.Signal, () => void][] = [];
  #interrupted = false;

  constructor(renderer: Renderer, stopping: string, stop: AbortController) {
    for (const name of SIGNALS) {
      const listener = () => {
        const reason = new InterruptedError(name);
        if (this.#interrupted) {
          renderer.finish();
          Deno.exit(reason.exitCode);
        }
        this.#interrupted = true;
        renderer.notice(`${stopping} (press Ctrl-C again to quit at once)`);
        stop.abort(reason);
      };
      try {
        Deno.addSignalListener(name, listener);
        this.#listeners.push([name, listener]);
      } catch {
        // Not a signal of this system (SIGTERM on Windows).
      }
    }
  }

  [Symbol.dispose](): void {
    for (const [name, listener] of this.#listeners) Deno.removeSignalListener(name, listener);
  }
}
