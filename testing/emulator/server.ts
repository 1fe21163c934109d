/**
 * The emulator's HTTP server: it listens on a free loopback port, hands each request to the first matching
 * entry of the route tables that the emulated services register ({@linkcode RouteHandler}), logs and counts
 * it, and injects latency and faults (per-route rates drawn from a seeded PRNG; bodies that break, end short
 * or stall; daily quotas).
 *
 * It also holds the helpers that the services share: JSON and error responses, request-body logging, opaque
 * tokens and random ids.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { mulberry32 } from "../library_fixture.ts";

/** Faults the emulator can inject instead of (or into) a normal answer. */
export type Fault =
  /** 429 `RESOURCE_EXHAUSTED` of the per-minute quota, with `Retry-After: <retryAfterSec>`. */
  | "429"
  /** The same 429 without a `Retry-After` header. */
  | "429-bare"
  /** 500 `INTERNAL`. */
  | "500"
  /** 503 `UNAVAILABLE`, with `Retry-After: <retryAfterSec>` when that is set. */
  | "503"
  /**
   * The connection breaks: a media body errors after about half of it was sent; any other route's body errors
   * at once (status 200 and headers were sent). The client sees a network error reading the body.
   */
  | "reset"
  /** Media: `Content-Length` is the full size but the body ends after about half. Other routes: `reset`. */
  | "short"
  /**
   * Media: about half of the body is sent, then nothing until the client gives up or the emulator closes.
   * Other routes: status 200 and headers are sent, then no body at all, likewise.
   */
  | "stall"
  /** Drive's 403 `userRateLimitExceeded` (slow down), with `Retry-After: <retryAfterSec>` when that is set. */
  | "403-rate";

/** Faults and latency of a {@linkcode Server} whose routes are named `R`. */
export interface FaultOptions<R extends string = string> {
  /**
   * Probability (0..1) per route of each fault. Each request of a route draws one number from a seeded PRNG
   * and gets at most one fault, fault `f` with probability `rates[route][f]` (if the rates of a route add up
   * to more than 1, the later faults of {@linkcode FAULTS} get less).
   */
  rates?: Partial<Record<R, Partial<Record<Fault, number>>>>;
  /**
   * Seed of the PRNG deciding faults (default 1): same seed and same request order → same faults. Every
   * request but `other` draws a number, whatever the rates. The PRNG restarts from the seed whenever
   * `faults` is given a new object or its `seed` changes.
   */
  seed?: number;
  /** `Retry-After` seconds sent with "429" (default 1; may be 0), and with "503" when set. */
  retryAfterSec?: number;
  /** Latency added before answering each request of a route, in ms; requests wait concurrently. */
  latencyMs?: Partial<Record<R, number>>;
  /**
   * API requests (routes whose `quota` is `"api"`, such as `search` or `getSession`) allowed before every further one gets the per-day 429
   * (`RESOURCE_EXHAUSTED`, no `Retry-After`). Undefined = unlimited. Only requests made while it is defined
   * use the allowance; the per-day 429s do not; `resetQuota` restores it.
   */
  dailyApiQuota?: number;
  /** The same for media (byte) requests. */
  dailyMediaQuota?: number;
}

/** Every {@linkcode Fault}, in the order in which a request's PRNG draw is matched against the rates. */
export const FAULTS: readonly Fault[] = [
  "429",
  "429-bare",
  "500",
  "503",
  "reset",
  "short",
  "stall",
  "403-rate",
];

/** One request seen by the emulator. */
export interface LoggedRequest {
  /** The {@linkcode RouteHandler.route} that took it (`auth`, `search`, `media`...), or `other`. */
  route: string;
  method: string;
  url: string;
  status: number;
  /** The request body, parsed, for `token` (form fields) and `search` (JSON). */
  body?: unknown;
  /** When the request arrived (epoch ms, real clock). */
  time: number;
  /**
   * The injected fault, if any: `quota-day` for the per-day 429. `status` is the injected one (429, 500,
   * 503), or 200 for `reset`, `short` and `stall`, whose status line went out before the body broke.
   */
  fault?: Fault | "quota-day";
}

/** A JSON object. */
export type Json = Record<string, unknown>;

/** Answers a request; it may record the parsed body in `log.body` and throw a {@linkcode Failure}. */
export type Handler = (req: Request, url: URL, log: LoggedRequest) => Response | Promise<Response>;

/** How a request body is parsed for {@linkcode LoggedRequest.body}. */
export type BodyKind = "form" | "json";

/** One route of an emulated service, as registered with {@linkcode Server.register}. */
export interface RouteHandler<R extends string = string> {
  /** Its name in the request log, the counts, and the keys of {@linkcode FaultOptions}. */
  readonly route: R;
  readonly methods: readonly string[];
  /** The URL path: the exact path if a string, else a pattern it matches. */
  readonly path: string | RegExp;
  readonly handle: Handler;
  /** The daily allowance its requests use: {@linkcode FaultOptions.dailyApiQuota} or `dailyMediaQuota`. */
  readonly quota?: "api" | "media";
  /**
   * How its handler parses the request body into the log; said here so that the body is logged alike when an
   * injected fault answers in the handler's stead.
   */
  readonly body?: BodyKind;
  /**
   * Whether its answers are streamed bytes (media), which body faults break after about half, as a dropped
   * download would; the answers of other routes are replaced by a body that breaks at once.
   */
  readonly streamed?: boolean;
}

/** An emulated service, as the server sees it: a table of routes. */
export interface Service<R extends string = string> {
  readonly routes: readonly RouteHandler<R>[];
}

const CONSUMER = "of service 'photoslibrary.googleapis.com' for consumer 'project_number:123'";
const PER_MINUTE_QUOTA =
  `Quota exceeded for quota metric 'All requests' and limit 'All requests per minute per user' ${CONSUMER}.`;
const PER_DAY_QUOTA =
  `Quota exceeded for quota metric 'All requests' and limit 'All requests per day' ${CONSUMER}.`;
/** The option holding each daily allowance of {@linkcode RouteHandler.quota}. */
const DAILY_QUOTAS = { api: "dailyApiQuota", media: "dailyMediaQuota" } as const;

/** Thrown by handlers to answer with an error response. */
export class Failure extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}

/** The error with which a faulted response body breaks (kept out of the server's error log). */
class InjectedFault extends Error {}

/** A fault breaking a response body. */
type BodyFault = "reset" | "short" | "stall";

/**
 * The server on `127.0.0.1` and a free port. It serves the routes given to {@linkcode Server.register};
 * any other request is `other`, answered 404, never delayed nor faulted.
 */
export class Server<R extends string = string> {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Number of requests per route (see {@linkcode LoggedRequest.route}). */
  readonly counts: Record<string, number> = {};
  /** Every request, in order of completion. */
  readonly requests: LoggedRequest[] = [];
  /** Number of injected faults by `${route}:${fault}` (e.g. `media:reset`, `search:quota-day`). */
  readonly injected: Record<string, number> = {};
  /** Faults and latency to inject, read anew at each request. */
  faults: FaultOptions<R>;

  #routes: RouteHandler<R>[] = [];
  #onRequest?: (request: LoggedRequest) => void;
  #server: Deno.HttpServer<Deno.NetAddr>;
  /** The PRNG deciding faults, and the options and seed it was started for. */
  #prng?: { faults: FaultOptions<R>; seed: number; next: () => number };
  /** Requests used against `dailyApiQuota` and `dailyMediaQuota`. */
  #quotaUsed = { api: 0, media: 0 };
  /** Aborted by {@linkcode Server.close}: ends latency waits early. */
  #closing = new AbortController();
  /** Stops each stalled body in flight. */
  #stalls = new Set<() => void>();
  /** The server's shutdown, once {@linkcode Server.close} was called. */
  #closed?: Promise<void>;

  constructor(opts: { faults?: FaultOptions<R>; onRequest?: (request: LoggedRequest) => void } = {}) {
    this.faults = opts.faults ?? {};
    this.#onRequest = opts.onRequest;
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {}, onError }, this.#handle);
    this.origin = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /**
   * Serves the routes of these services too, after those already registered. Services register once they
   * know {@linkcode Server.origin} (their answers contain URLs), before the origin is handed to any client.
   */
  register(services: readonly Service<R>[]): void {
    for (const service of services) this.#routes.push(...service.routes);
  }

  /**
   * Sets the count of every registered route and of `other` to 0, empties the request log and forgets the
   * injected faults.
   */
  resetCounts(): void {
    for (const route of [...this.#routes.map((handler) => handler.route), "other"]) this.counts[route] = 0;
    for (const key of Object.keys(this.injected)) delete this.injected[key];
    this.requests.length = 0;
  }

  /** Restores the daily allowances of {@linkcode FaultOptions}: a new day. */
  resetQuota(): void {
    this.#quotaUsed = { api: 0, media: 0 };
  }

  /**
   * Breaks off stalled bodies, cuts latency waits short and shuts the server down, waiting for the responses
   * in flight; later calls return the same promise.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closing.abort();
      for (const stop of this.#stalls) stop();
      this.#closed = this.#server.shutdown();
    }
    return this.#closed;
  }

  #handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const handler = this.#routes.find((candidate) =>
      candidate.methods.includes(req.method) &&
      (typeof candidate.path === "string"
        ? candidate.path === url.pathname
        : candidate.path.test(url.pathname))
    );
    const route = handler?.route ?? "other";
    const log: LoggedRequest = { route, method: req.method, url: req.url, status: 0, time: Date.now() };
    const faults = this.faults;
    const fault = handler && this.#fault(handler, faults);
    const latency = handler ? faults.latencyMs?.[handler.route] ?? 0 : 0;
    if (latency > 0) await sleep(latency, this.#closing.signal);
    let res: Response;
    try {
      if (!handler) throw apiError(404, "NOT_FOUND", `The emulator has no ${req.method} ${url.pathname}.`);
      if (fault && (!handler.streamed || !isBodyFault(fault))) {
        // Decided before the handler runs, so that a faulted request has no side effects.
        if (handler.body) await readBody(req, log, handler.body);
        [res, log.fault] = this.#faultResponse(fault, faults);
      } else {
        res = await handler.handle(req, url, log);
        // Body faults of streamed routes need the real body.
        if (fault) [res, log.fault] = this.#faultStream(res, fault as BodyFault, req.method);
      }
    } catch (error) {
      res = error instanceof Failure ? error.response : apiError(500, "INTERNAL", String(error)).response;
    }
    if (log.fault) {
      const key = `${route}:${log.fault}`;
      this.injected[key] = (this.injected[key] ?? 0) + 1;
    } else delete log.fault;
    log.status = res.status;
    this.counts[route]++;
    this.requests.push(log);
    this.#onRequest?.(log);
    return res;
  };

  /**
   * Draws the fault of a request: the per-day 429 if its daily allowance is used up (else it uses one), or a
   * random fault from the rates.
   */
  #fault(handler: RouteHandler<R>, faults: FaultOptions<R>): Fault | "quota-day" | undefined {
    const seed = faults.seed ?? 1;
    if (this.#prng?.faults !== faults || this.#prng.seed !== seed) {
      this.#prng = { faults, seed, next: mulberry32(seed) };
    }
    const draw = this.#prng.next();
    const kind = handler.quota;
    const quota = kind && faults[DAILY_QUOTAS[kind]];
    if (kind && quota !== undefined) {
      if (this.#quotaUsed[kind] >= quota) return "quota-day";
      this.#quotaUsed[kind]++;
    }
    const rates = faults.rates?.[handler.route] ?? {};
    let sum = 0;
    for (const fault of FAULTS) {
      sum += rates[fault] ?? 0;
      if (draw < sum) return fault;
    }
    return undefined;
  }

  /**
   * The answer of a faulted request (but for body faults of streamed routes) and the fault injected: an
   * error, or a 200 whose body breaks (`short` becomes `reset`) or stalls at once.
   */
  #faultResponse(fault: Fault | "quota-day", faults: FaultOptions<R>): [Response, Fault | "quota-day"] {
    switch (fault) {
      case "quota-day":
        return [apiError(429, "RESOURCE_EXHAUSTED", PER_DAY_QUOTA).response, fault];
      case "429":
      case "429-bare": {
        const res = apiError(429, "RESOURCE_EXHAUSTED", PER_MINUTE_QUOTA).response;
        if (fault === "429") res.headers.set("retry-after", String(faults.retryAfterSec ?? 1));
        return [res, fault];
      }
      case "500":
        return [apiError(500, "INTERNAL", "Internal error encountered.").response, fault];
      case "503": {
        const res = apiError(503, "UNAVAILABLE", "The service is currently unavailable.").response;
        if (faults.retryAfterSec !== undefined) res.headers.set("retry-after", String(faults.retryAfterSec));
        return [res, fault];
      }
      case "403-rate": {
        const message = "User Rate Limit Exceeded";
        const res = json(403, {
          error: {
            code: 403,
            message,
            errors: [{ domain: "usageLimits", reason: "userRateLimitExceeded", message }],
          },
        });
        if (faults.retryAfterSec !== undefined) res.headers.set("retry-after", String(faults.retryAfterSec));
        return [res, fault];
      }
    }
    const bodyFault = fault === "stall" ? "stall" : "reset";
    const headers = { "content-type": "application/json; charset=UTF-8" };
    return [new Response(this.#brokenBody(bodyFault), { headers }), bodyFault];
  }

  /**
   * Breaks the body of a streamed answer after about half of it, if it is a 200 with a body; else the answer
   * stays as it is, and no fault is injected.
   */
  #faultStream(res: Response, fault: BodyFault, method: string): [Response, Fault | undefined] {
    if ((res.status !== 200 && res.status !== 206) || !res.body || method === "HEAD") return [res, undefined];
    const length = Number(res.headers.get("content-length"));
    const body = this.#brokenBody(fault, res.body, Math.floor(length / 2));
    return [new Response(body, { status: res.status, headers: res.headers }), fault];
  }

  /**
   * A body passing on the first `cutAt` bytes of `source`, then erroring (`reset`), ending (`short`) or
   * waiting (`stall`) until the client cancels it or the emulator closes (then it errors).
   */
  #brokenBody(
    fault: BodyFault,
    source?: ReadableStream<Uint8Array<ArrayBuffer>>,
    cutAt = 0,
  ): ReadableStream<Uint8Array<ArrayBuffer>> {
    const reader = source?.getReader();
    const stalls = this.#stalls;
    const closing = this.#closing.signal;
    let sent = 0;
    /** Ends a stall: wakes the pending pull and forgets the stall. */
    let wake: (() => void) | undefined;
    const release = () => {
      reader?.cancel().catch(() => {});
      wake?.();
    };
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        if (reader && sent < cutAt) {
          const { done, value } = await reader.read();
          if (!done) {
            const part = value.length > cutAt - sent ? value.subarray(0, cutAt - sent) : value;
            sent += part.length;
            controller.enqueue(part);
            return;
          }
        }
        reader?.cancel().catch(() => {});
        if (fault === "short") return controller.close();
        if (fault === "reset" || closing.aborted) return controller.error(new InjectedFault(fault));
        await new Promise<void>((resolve) => {
          const stop = () => {
            controller.error(new InjectedFault("stall: the emulator closed"));
            wake?.();
          };
          wake = () => {
            stalls.delete(stop);
            wake = undefined;
            resolve();
          };
          stalls.add(stop);
        });
      },
      cancel: release,
    }, { highWaterMark: 0 });
  }
}

/** A JSON response; Google's APIs name the charset. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  });
}

/** A Google API error (`{ error: { code, message, status } }`), to throw. */
export function apiError(code: number, status: string, message: string): Failure {
  return new Failure(json(code, { error: { code, message, status } }));
}

/** A 400 `INVALID_ARGUMENT` API error, to throw. */
export function invalidArgument(message: string): Failure {
  return apiError(400, "INVALID_ARGUMENT", message);
}

/**
 * Reads a request's body into `log.body`, as form fields or as JSON (the text itself if it is not JSON), and
 * returns the text and whether it parsed.
 */
export async function readBody(
  req: Request,
  log: LoggedRequest,
  kind: BodyKind,
): Promise<{ text: string; parsed: boolean }> {
  const text = await req.text();
  if (kind === "form") {
    log.body = Object.fromEntries(new URLSearchParams(text));
    return { text, parsed: true };
  }
  try {
    log.body = JSON.parse(text || "{}");
    return { text, parsed: true };
  } catch {
    log.body = text;
    return { text, parsed: false };
  }
}

/** An opaque URL-safe token carrying `value`. */
export function encode(value: unknown[]): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** The value of an {@linkcode encode}d token, or undefined if it is not one. */
export function decode(token: unknown): unknown[] | undefined {
  try {
    const value = JSON.parse(Buffer.from(String(token), "base64url").toString());
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `length` random URL-safe characters. */
export function random(length: number): string {
  return randomBytes(length).toString("base64url").slice(0, length);
}

function isBodyFault(fault: Fault | "quota-day"): fault is BodyFault {
  return fault === "reset" || fault === "short" || fault === "stall";
}

/** Waits `ms` milliseconds, or less if `signal` is aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** The server's error handler: injected body faults are expected; anything else is reported on stderr. */
function onError(error: unknown): Response {
  if (!(error instanceof InjectedFault)) {
    const text = error instanceof Error ? error.stack ?? String(error) : String(error);
    Deno.stderr.writeSync(new TextEncoder().encode(`Emulator: ${text}\n`));
  }
  return apiError(500, "INTERNAL", String(error)).response;
}
