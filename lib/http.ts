/**
 * `fetch` that gives up on a silent server: no response headers, or no body bytes, for a
 * whole idle period aborts the request.
 * @module
 */
import { UsageError } from "./errors.ts";
import { TransientError } from "./retry.ts";

/** The server sent nothing for the idle period. */
export class StalledError extends Error {
  constructor(idleMs: number) {
    super(`no data for ${Math.round(idleMs / 1000)} s`);
    this.name = "StalledError";
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
