/**
 * `fetch` that gives up on a silent server: no response headers, or no body bytes, for a
 * whole idle period aborts the request.
 * @module
 */
import { UsageError } from "../core/errors.ts";
import { TransientError } from "../core/retry.ts";

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
 * costs nothing per chunk of the body.
 */
export class IdleWatchdog {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(idleMs: number, progress: () => Promise<number>) {
    let last = Number.NaN;
    let quietSince = Date.now();
    this.#timer = setInterval(async () => {
      const now = await progress();
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= idleMs) {
        this.#controller.abort(new StalledError(idleMs));
      }
    }, Math.max(10, Math.min(1000, idleMs / 4)));
  }

  /** Aborted when the watched work went silent. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The work is over. */
  [Symbol.dispose](): void {
    clearInterval(this.#timer);
  }
}

/**
 * The error to throw for a request that could not be sent: not allowed by Deno's permissions
 * (final: one line saying which host), or a network failure (worth another try).
 */
export function requestError(url: string, error: unknown, what: string): Error {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new UsageError(
      `photosync may not connect to ${
        new URL(url).host
      }: its permissions allow Google's hosts and 127.0.0.1 only`,
      { cause: error },
    );
  }
  return new TransientError(`${what}: ${(error as Error).message}`, { cause: error });
}

/** Options of {@link fetchWithIdleTimeout}. */
export interface IdleFetchOptions {
  fetch?: typeof fetch;
  /** Abort when nothing arrives for this long. */
  idleMs: number;
}

/**
 * Like `fetch`, but the request (and later the reading of its body) is aborted with a
 * {@link StalledError} when nothing arrives for `idleMs`.
 */
export async function fetchWithIdleTimeout(
  url: string,
  init: RequestInit,
  options: IdleFetchOptions,
): Promise<Response> {
  const idle = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new StalledError(options.idleMs)), options.idleMs);
  };
  const signal = idle.signal;
  arm();
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { ...init, signal });
  } catch (error) {
    clearTimeout(timer);
    throw signal.aborted ? signal.reason : error;
  }
  if (!response.body) {
    clearTimeout(timer);
    return response;
  }
  arm();
  const watched = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        arm();
        controller.enqueue(chunk);
      },
      flush() {
        clearTimeout(timer);
      },
      cancel() {
        clearTimeout(timer);
      },
    }),
    { signal },
  );
  // Stop the timer when the reader gives up early, too.
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  return new Response(watched, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
