/**
 * An emulator of Google's OAuth endpoints (installed-app loopback flow with PKCE), the Photos Library API
 * (`mediaItems` list, search, get and batchGet) and the media byte host (`baseUrl=d`, `=dv`), served on one
 * loopback port.
 *
 * ```ts ignore
 * await using emulator = await Emulator.start({ items: generateLibrary({ count: 100 }) });
 * const secret = emulator.clientSecretJson(); // hand it to the client under test
 * ```
 *
 * Faults (429s, 5xx, broken, short and stalled bodies, daily quotas) and latency can be injected, from the
 * start or between requests:
 *
 * ```ts ignore
 * emulator.faults = { rates: { media: { reset: 0.2 }, search: { "429": 0.1 } }, latencyMs: { media: 20 } };
 * ```
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash, randomBytes } from "node:crypto";
import { type FixtureItem, mediaStream, mulberry32, stillFrameBytes } from "./library_fixture.ts";

/** Options of {@linkcode Emulator.start}. */
export interface EmulatorOptions {
  /** The library; default empty. */
  items?: FixtureItem[];
  /** Default `test-client.apps.googleusercontent.com`. */
  clientId?: string;
  /** Default `test-secret-` and a random suffix. */
  clientSecret?: string;
  /** `expires_in` of issued access tokens; default 3600. */
  accessTokenTtlSec?: number;
  /** Lifetime of `baseUrl`s; default 60 minutes. */
  baseUrlTtlMs?: number;
  /** The clock deciding token, `baseUrl` and "future item" expiry; default `Date.now`. */
  now?: () => number;
  /** Called after each request is answered (e.g. to move a test's clock at a given moment). */
  onRequest?: (request: LoggedRequest) => void;
  /** Faults and latency to inject; default none. Also settable later through {@linkcode Emulator.faults}. */
  faults?: FaultOptions;
}

/** Route names as in {@linkcode LoggedRequest.route}. */
export type Route = "auth" | "token" | "search" | "list" | "get" | "batchGet" | "media";

/** Faults the emulator can inject instead of (or into) a normal answer. */
export type Fault =
  /** 429 `RESOURCE_EXHAUSTED` of the per-minute quota, with `Retry-After: <retryAfterSec>`. */
  | "429"
  /** The same 429 without a `Retry-After` header. */
  | "429-bare"
  /** 500 `INTERNAL`. */
  | "500"
  /** 503 `UNAVAILABLE`. */
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
  | "stall";

/** Faults and latency of an {@linkcode Emulator}. */
export interface FaultOptions {
  /**
   * Probability (0..1) per route of each fault. Each request of a route draws one number from a seeded PRNG
   * and gets at most one fault, fault `f` with probability `rates[route][f]` (if the rates of a route add up
   * to more than 1, the later faults of {@linkcode FAULTS} get less).
   */
  rates?: Partial<Record<Route, Partial<Record<Fault, number>>>>;
  /**
   * Seed of the PRNG deciding faults (default 1): same seed and same request order → same faults. Every
   * request but `other` draws a number, whatever the rates. The PRNG restarts from the seed whenever
   * {@linkcode Emulator.faults} is given a new object or its `seed` changes.
   */
  seed?: number;
  /** `Retry-After` seconds sent with "429" (default 1; may be 0). */
  retryAfterSec?: number;
  /** Latency added before answering each request of a route, in ms; requests wait concurrently. */
  latencyMs?: Partial<Record<Route, number>>;
  /**
   * API requests (`search`, `list`, `get`, `batchGet`) allowed before every further one gets the per-day 429
   * (`RESOURCE_EXHAUSTED`, no `Retry-After`). Undefined = unlimited. Only requests made while it is defined
   * use the allowance; the per-day 429s do not; {@linkcode Emulator.resetQuota} restores it.
   */
  dailyApiQuota?: number;
  /** The same for media (byte) requests. */
  dailyMediaQuota?: number;
}

/** Every {@linkcode Fault}, in the order in which a request's PRNG draw is matched against the rates. */
export const FAULTS: readonly Fault[] = ["429", "429-bare", "500", "503", "reset", "short", "stall"];

/** One request seen by the emulator. */
export interface LoggedRequest {
  /** `auth`, `token`, `search`, `list`, `get`, `batchGet`, `media` or `other`. */
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

type Json = Record<string, unknown>;
type Handler = (req: Request, url: URL, log: LoggedRequest) => Response | Promise<Response>;

const SCOPE = "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata";
const REMOVED_SCOPES = ["photoslibrary", "photoslibrary.readonly", "photoslibrary.sharing"]
  .map((name) => `https://www.googleapis.com/auth/${name}`);
const ROUTES = ["auth", "token", "search", "list", "get", "batchGet", "media", "other"];
const API_ROUTES: readonly string[] = ["search", "list", "get", "batchGet"];
const CONSUMER = "of service 'photoslibrary.googleapis.com' for consumer 'project_number:123'";
const PER_MINUTE_QUOTA =
  `Quota exceeded for quota metric 'All requests' and limit 'All requests per minute per user' ${CONSUMER}.`;
const PER_DAY_QUOTA =
  `Quota exceeded for quota metric 'All requests' and limit 'All requests per day' ${CONSUMER}.`;
/** Header by which {@linkcode Emulator.consent} tells the authorization endpoint that the user said no. */
const CONSENT_HEADER = "x-emulator-consent";
const CREDENTIALS_HELP =
  "Expected OAuth 2 access token, login cookie or other valid authentication credential. " +
  "See https://developers.google.com/identity/sign-in/web/devconsole-project.";

/** Thrown by handlers to answer with an error response. */
class Failure extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}

/** The error with which a faulted response body breaks (kept out of the server's error log). */
class InjectedFault extends Error {}

/** A fault breaking a response body. */
type BodyFault = "reset" | "short" | "stall";

/** A running emulator. Start it with {@linkcode Emulator.start}; stop it with {@linkcode Emulator.close}. */
export class Emulator {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Root of the Library API (paths `/v1/...`). */
  readonly apiUrl: string;
  /** The authorization endpoint. */
  readonly authUri: string;
  /** The token endpoint. */
  readonly tokenUri: string;
  /** The only known OAuth client. */
  readonly clientId: string;
  /** Its secret. */
  readonly clientSecret: string;
  /** The library by id; tests may add, replace and delete items at any time. */
  items: Map<string, FixtureItem>;
  /** Every access and refresh token ever issued. */
  readonly issuedTokens: string[] = [];
  /** Number of requests per route (see {@linkcode LoggedRequest.route}). */
  readonly counts: Record<string, number> = {};
  /** Every request, in order of completion. */
  readonly requests: LoggedRequest[] = [];
  /** The most media bodies that were being sent at once. */
  maxMediaInFlight = 0;
  /** Faults and latency to inject; may be replaced or changed at any time, taking effect at the next request. */
  faults: FaultOptions;
  /** Number of injected faults by `${route}:${fault}` (e.g. `media:reset`, `search:quota-day`). */
  readonly injected: Record<string, number> = {};

  #now: () => number;
  #onRequest?: (request: LoggedRequest) => void;
  #accessTokenTtlSec: number;
  #baseUrlTtlMs: number;
  #server: Deno.HttpServer<Deno.NetAddr>;
  /** Unused authorization codes. */
  #codes = new Map<string, { redirectUri: string; challenge: string; scope: string }>();
  /** Access token → expiry time (ms). */
  #accessTokens = new Map<string, number>();
  /** Valid refresh token → granted scope. */
  #refreshTokens = new Map<string, string>();
  /** Ordered ids of the listings and searches that have further pages, by snapshot id. */
  #snapshots = new Map<string, Snapshot>();
  /** The PRNG deciding faults, and the options and seed it was started for. */
  #prng?: { faults: FaultOptions; seed: number; next: () => number };
  /** Requests used against `dailyApiQuota` and `dailyMediaQuota`. */
  #quotaUsed = { api: 0, media: 0 };
  /** Aborted by {@linkcode Emulator.close}: ends latency waits early. */
  #closing = new AbortController();
  /** Stops each stalled body in flight. */
  #stalls = new Set<() => void>();
  /** The server's shutdown, once {@linkcode Emulator.close} was called. */
  #closed?: Promise<void>;

  private constructor(opts: EmulatorOptions) {
    this.items = new VersionedMap();
    for (const item of opts.items ?? []) this.items.set(item.id, item);
    this.clientId = opts.clientId ?? "test-client.apps.googleusercontent.com";
    this.clientSecret = opts.clientSecret ?? `test-secret-${random(12)}`;
    this.#accessTokenTtlSec = opts.accessTokenTtlSec ?? 3600;
    this.#baseUrlTtlMs = opts.baseUrlTtlMs ?? 60 * 60_000;
    this.#now = opts.now ?? Date.now;
    this.#onRequest = opts.onRequest;
    this.faults = opts.faults ?? {};
    this.resetCounts();
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {}, onError }, this.#handle);
    this.origin = `http://127.0.0.1:${this.#server.addr.port}`;
    this.apiUrl = this.origin;
    this.authUri = `${this.origin}/o/oauth2/auth`;
    this.tokenUri = `${this.origin}/token`;
  }

  /** Starts an emulator on a free loopback port. */
  static start(opts: EmulatorOptions = {}): Promise<Emulator> {
    return Promise.resolve(new Emulator(opts));
  }

  /** A client secret file's content, of the "installed" (default) or "web" shape, pointing at this emulator. */
  clientSecretJson(shape: "installed" | "web" = "installed"): Record<string, unknown> {
    return {
      [shape]: {
        client_id: this.clientId,
        project_id: "photosync-test",
        auth_uri: this.authUri,
        token_uri: this.tokenUri,
        auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
        client_secret: this.clientSecret,
        redirect_uris: ["http://localhost"],
      },
    };
  }

  /** Sets every count to 0, empties the request log and forgets the injected faults. */
  resetCounts(): void {
    for (const route of ROUTES) this.counts[route] = 0;
    for (const key of Object.keys(this.injected)) delete this.injected[key];
    this.requests.length = 0;
  }

  /** Restores the allowances of {@linkcode FaultOptions.dailyApiQuota} and `dailyMediaQuota`: a new day. */
  resetQuota(): void {
    this.#quotaUsed = { api: 0, media: 0 };
  }

  /**
   * Plays the user's browser: requests the authorization URL and returns the redirect location (the loopback
   * URL with `code` and `state`, or with `error=access_denied` if `deny`). Throws if the request is rejected.
   */
  async consent(authUrl: string, opts: { deny?: boolean } = {}): Promise<string> {
    const url = new URL(authUrl);
    if (url.origin + url.pathname !== this.authUri) {
      throw new Error(`Not this emulator's authorization endpoint: ${authUrl}`);
    }
    const res = await fetch(url, {
      redirect: "manual",
      headers: opts.deny ? { [CONSENT_HEADER]: "deny" } : {},
    });
    const body = await res.text();
    const location = res.headers.get("location");
    if (res.status !== 302 || !location) throw new Error(`Authorization rejected (${res.status}): ${body}`);
    return location;
  }

  /** Revokes every refresh token: refreshing then fails with `invalid_grant`. */
  revokeRefreshTokens(): void {
    this.#refreshTokens.clear();
  }

  /** Invalidates every access token issued so far: API calls with them get 401. */
  expireAccessTokens(): void {
    this.#accessTokens.clear();
  }

  /**
   * Stops the server, waiting for responses in flight; stalled bodies are broken off and latency is cut short.
   * Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closing.abort();
      for (const stop of this.#stalls) stop();
      this.#closed = this.#server.shutdown();
    }
    return this.#closed;
  }

  /** Same as {@linkcode Emulator.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const [route, handler] = this.#route(req.method, url.pathname);
    const log: LoggedRequest = { route, method: req.method, url: req.url, status: 0, time: Date.now() };
    const faults = this.faults;
    const fault = route === "other" ? undefined : this.#fault(route as Route, faults);
    const latency = route === "other" ? 0 : faults.latencyMs?.[route as Route] ?? 0;
    if (latency > 0) await sleep(latency, this.#closing.signal);
    let res: Response;
    try {
      if (fault && (route !== "media" || !isBodyFault(fault))) {
        // Decided before the handler runs, so that a faulted request has no side effects.
        await logBody(req, route, log);
        [res, log.fault] = this.#faultResponse(fault, faults);
      } else {
        res = await handler(req, url, log);
        // Media body faults need the real body.
        if (fault) [res, log.fault] = this.#faultMedia(res, fault as BodyFault, req.method);
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
  #fault(route: Route, faults: FaultOptions): Fault | "quota-day" | undefined {
    const seed = faults.seed ?? 1;
    if (this.#prng?.faults !== faults || this.#prng.seed !== seed) {
      this.#prng = { faults, seed, next: mulberry32(seed) };
    }
    const draw = this.#prng.next();
    const [quota, kind] = route === "media"
      ? [faults.dailyMediaQuota, "media" as const]
      : API_ROUTES.includes(route)
      ? [faults.dailyApiQuota, "api" as const]
      : [undefined, undefined];
    if (quota !== undefined && kind) {
      if (this.#quotaUsed[kind] >= quota) return "quota-day";
      this.#quotaUsed[kind]++;
    }
    const rates = faults.rates?.[route] ?? {};
    let sum = 0;
    for (const fault of FAULTS) {
      sum += rates[fault] ?? 0;
      if (draw < sum) return fault;
    }
    return undefined;
  }

  /**
   * The answer of a faulted request (but for body faults of media) and the fault injected: an error, or a 200
   * whose body breaks (`short` becomes `reset`) or stalls at once.
   */
  #faultResponse(fault: Fault | "quota-day", faults: FaultOptions): [Response, Fault | "quota-day"] {
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
      case "503":
        return [apiError(503, "UNAVAILABLE", "The service is currently unavailable.").response, fault];
    }
    const bodyFault = fault === "stall" ? "stall" : "reset";
    const headers = { "content-type": "application/json; charset=UTF-8" };
    return [new Response(this.#brokenBody(bodyFault), { headers }), bodyFault];
  }

  /**
   * Breaks the body of a media answer after about half of it, if it is a 200 with a body; else the answer
   * stays as it is, and no fault is injected.
   */
  #faultMedia(res: Response, fault: BodyFault, method: string): [Response, Fault | undefined] {
    if (res.status !== 200 || !res.body || method === "HEAD") return [res, undefined];
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

  #route(method: string, path: string): [string, Handler] {
    if (method === "GET" && path === "/o/oauth2/auth") return ["auth", this.#authorize];
    if (method === "POST" && path === "/token") return ["token", this.#token];
    if (method === "POST" && path === "/v1/mediaItems:search") return ["search", this.#search];
    if (method === "GET" && path === "/v1/mediaItems") return ["list", this.#list];
    if (method === "GET" && path === "/v1/mediaItems:batchGet") return ["batchGet", this.#batchGet];
    if (method === "GET" && /^\/v1\/mediaItems\/[^/]+$/.test(path)) return ["get", this.#get];
    if ((method === "GET" || method === "HEAD") && path.startsWith("/media/")) return ["media", this.#media];
    return ["other", () => {
      throw apiError(404, "NOT_FOUND", `The emulator has no ${method} ${path}.`);
    }];
  }

  // OAuth

  #authorize: Handler = (req, url) => {
    const param = (name: string) => url.searchParams.get(name) ?? "";
    if (param("client_id") !== this.clientId) {
      throw oauthError(401, "invalid_client", "The OAuth client was not found.");
    }
    const redirectUri = param("redirect_uri");
    if (!/^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}(\/[^?#]*)?$/.test(redirectUri)) {
      throw oauthError(400, "redirect_uri_mismatch", `Not a loopback redirect_uri: "${redirectUri}".`);
    }
    if (param("response_type") !== "code") {
      throw oauthError(
        400,
        "unsupported_response_type",
        `Invalid response_type: "${param("response_type")}".`,
      );
    }
    const scopes = param("scope").split(" ").filter(Boolean);
    const removed = scopes.filter((scope) => REMOVED_SCOPES.includes(scope));
    if (removed.length) {
      throw oauthError(400, "invalid_scope", `Some requested scopes were invalid: ${removed}.`);
    }
    if (!scopes.includes(SCOPE)) throw oauthError(400, "invalid_scope", `The scope ${SCOPE} is required.`);
    if (!param("state")) throw oauthError(400, "invalid_request", "Missing state.");
    if (param("code_challenge_method") !== "S256") {
      throw oauthError(400, "invalid_request", "code_challenge_method must be S256.");
    }
    const challenge = param("code_challenge");
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) {
      throw oauthError(400, "invalid_request", "Invalid code_challenge.");
    }
    const location = new URL(redirectUri);
    const scope = scopes.join(" ");
    if (req.headers.get(CONSENT_HEADER) === "deny") {
      location.search = new URLSearchParams({ error: "access_denied", state: param("state") }).toString();
    } else {
      const code = `4/0A${random(54)}`;
      this.#codes.set(code, { redirectUri, challenge, scope });
      location.search = new URLSearchParams({ code, state: param("state"), scope }).toString();
    }
    return new Response(null, { status: 302, headers: { location: location.href } });
  };

  #token: Handler = async (req, _url, log) => {
    if (!req.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded")) {
      throw oauthError(400, "invalid_request", "The body must be application/x-www-form-urlencoded.");
    }
    const form = new URLSearchParams(await req.text());
    log.body = Object.fromEntries(form);
    if (form.get("client_id") !== this.clientId) {
      throw oauthError(401, "invalid_client", "The OAuth client was not found.");
    }
    if (form.get("client_secret") !== this.clientSecret) {
      throw oauthError(401, "invalid_client", "Unauthorized");
    }
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code") {
      const code = form.get("code") ?? "";
      const grant = this.#codes.get(code);
      this.#codes.delete(code);
      if (!grant) throw oauthError(400, "invalid_grant", "Malformed auth code.");
      if (form.get("redirect_uri") !== grant.redirectUri) {
        throw oauthError(400, "invalid_grant", "redirect_uri differs from the authorization request.");
      }
      const verifier = form.get("code_verifier");
      if (!verifier) throw oauthError(400, "invalid_grant", "Missing code verifier.");
      if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) {
        throw oauthError(400, "invalid_grant", "Invalid code verifier.");
      }
      const refreshToken = `1//0${random(75)}`;
      this.#refreshTokens.set(refreshToken, grant.scope);
      this.issuedTokens.push(refreshToken);
      return this.#tokenResponse(grant.scope, refreshToken);
    }
    if (grantType === "refresh_token") {
      const scope = this.#refreshTokens.get(form.get("refresh_token") ?? "");
      if (scope === undefined) throw oauthError(400, "invalid_grant", "Token has been expired or revoked.");
      return this.#tokenResponse(scope);
    }
    throw oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType}`);
  };

  #tokenResponse(scope: string, refreshToken?: string): Response {
    const accessToken = `ya29.a0${random(150)}`;
    this.#accessTokens.set(accessToken, this.#now() + this.#accessTokenTtlSec * 1000);
    this.issuedTokens.push(accessToken);
    return json(200, {
      access_token: accessToken,
      expires_in: this.#accessTokenTtlSec,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope,
      token_type: "Bearer",
    }, { "cache-control": "no-store" });
  }

  // Library API

  #checkAccess(req: Request): void {
    const token = /^Bearer (\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    if (!token) {
      throw apiError(
        401,
        "UNAUTHENTICATED",
        `Request is missing required authentication credential. ${CREDENTIALS_HELP}`,
      );
    }
    const expiresAt = this.#accessTokens.get(token);
    if (expiresAt === undefined || this.#now() >= expiresAt) {
      throw apiError(
        401,
        "UNAUTHENTICATED",
        `Request had invalid authentication credentials. ${CREDENTIALS_HELP}`,
      );
    }
  }

  #search: Handler = async (req, _url, log) => {
    this.#checkAccess(req);
    const text = await req.text();
    try {
      log.body = JSON.parse(text || "{}");
    } catch {
      log.body = text;
      throw invalidArgument("Invalid JSON payload received.");
    }
    const body = fields(log.body, "", ["albumId", "pageSize", "pageToken", "filters", "orderBy"]);
    if (body.albumId !== undefined) {
      throw invalidArgument(
        body.filters === undefined ? "Invalid album ID." : "albumId and filters cannot be combined.",
      );
    }
    return this.#page(searchQuery(body.filters, body.orderBy), body.pageSize, body.pageToken);
  };

  #list: Handler = (req, url) => {
    this.#checkAccess(req);
    const query: Query = {
      kind: "list",
      mediaType: "ALL_MEDIA",
      archived: false,
      ranges: [],
      dates: [],
      ascending: false,
    };
    return this.#page(query, url.searchParams.get("pageSize"), url.searchParams.get("pageToken"));
  };

  #get: Handler = (req, url) => {
    this.#checkAccess(req);
    let item: FixtureItem | undefined;
    try {
      item = this.items.get(decodeURIComponent(url.pathname.slice("/v1/mediaItems/".length)));
    } catch { /* a malformed id is not found either */ }
    if (!item) throw apiError(404, "NOT_FOUND", "Requested entity was not found.");
    return json(200, this.#mediaItem(item));
  };

  #batchGet: Handler = (req, url) => {
    this.#checkAccess(req);
    const ids = url.searchParams.getAll("mediaItemIds");
    if (ids.length < 1 || ids.length > 50) {
      throw invalidArgument(`Between 1 and 50 mediaItemIds expected, got ${ids.length}.`);
    }
    const mediaItemResults = ids.map((id) => {
      const item = this.items.get(id);
      return item
        ? { mediaItem: this.#mediaItem(item) }
        : { status: { code: 3, message: "Invalid media item ID." } };
    });
    return json(200, { mediaItemResults });
  };

  /**
   * Answers one page of the items matching `query`. A first page snapshots the matching ids in their order;
   * its page tokens carry the snapshot's id and an offset, and are good for this query only.
   */
  #page(query: Query, pageSize: unknown, pageToken: unknown): Response {
    const size = pageSize === undefined || pageSize === null || pageSize === "" ? 0 : Number(pageSize);
    if (!Number.isInteger(size) || size < 0 || size > 100) {
      throw invalidArgument(`pageSize must be an integer from 0 to 100, got ${JSON.stringify(pageSize)}.`);
    }
    const limit = size || 25;
    const fingerprint = JSON.stringify(query);
    let snapshotId = random(16);
    let offset = 0;
    let snapshot: Snapshot;
    if (pageToken) {
      const [id, at] = decode(pageToken) ?? [];
      const found = this.#snapshots.get(String(id));
      if (found?.fingerprint !== fingerprint || !Number.isSafeInteger(at) || (at as number) < 0) {
        throw invalidArgument("Invalid page token: it does not belong to this query.");
      }
      [snapshotId, offset, snapshot] = [String(id), at as number, found];
    } else {
      snapshot = { fingerprint, ids: this.#select(query) };
    }
    const more = offset + limit < snapshot.ids.length;
    if (more) this.#snapshots.set(snapshotId, snapshot);
    const page = snapshot.ids.slice(offset, offset + limit).flatMap((id) => this.items.get(id) ?? []);
    return json(200, {
      ...(page.length ? { mediaItems: page.map((item) => this.#mediaItem(item)) } : {}),
      ...(more ? { nextPageToken: encode([snapshotId, offset + limit]) } : {}),
    });
  }

  /** The ids of the items matching `query`, in its order (ties broken by id). */
  #select(query: Query): string[] {
    const dated = query.ranges.length + query.dates.length > 0;
    const now = this.#now();
    const index = this.#timeIndex();
    // Whole-day ranges without `dates` are cut out of the time index by binary search.
    let rows = index;
    if (query.ranges.length > 0 && query.dates.length === 0) {
      const cut = query.ranges.flatMap(([start, end]) =>
        index.slice(lowerBound(index, start), lowerBound(index, end))
      );
      rows = query.ranges.length === 1 ? cut : [...new Set(cut)].sort(byTimeThenId);
    }
    const ids: string[] = [];
    for (const row of rows) {
      const item = this.items.get(row.id)!;
      if (
        (item.archived && !query.archived) ||
        (query.mediaType !== "ALL_MEDIA" && (query.mediaType === "VIDEO") !== isVideo(item)) ||
        (dated && (row.time > now || !matchesDay(row.time, query)))
      ) continue;
      ids.push(item.id);
    }
    if (!query.ascending) ids.reverse();
    return ids;
  }

  #index?: { items: Map<string, FixtureItem>; version: number; rows: TimeRow[] };

  /** Every item by creation time (then id), rebuilt when {@linkcode Emulator.items} changed. */
  #timeIndex(): TimeRow[] {
    const version = this.items instanceof VersionedMap ? this.items.version : Number.NaN;
    if (this.#index?.items !== this.items || this.#index.version !== version) {
      const rows = [...this.items.values()].map((item) => ({
        time: Date.parse(item.creationTime),
        id: item.id,
      }));
      this.#index = { items: this.items, version, rows: rows.sort(byTimeThenId) };
    }
    return this.#index.rows;
  }

  /** The MediaItem JSON of an item, with a freshly minted `baseUrl`. */
  #mediaItem(item: FixtureItem): Json {
    const camera = { cameraMake: "Pixel", cameraModel: "Pixel 7" };
    const media = isVideo(item)
      ? {
        video: { ...camera, ...(item.video?.fps ? { fps: item.video.fps } : {}), status: videoStatus(item) },
      }
      : {
        photo: {
          ...camera,
          focalLength: 6.81,
          apertureFNumber: 1.85,
          isoEquivalent: 50,
          exposureTime: "0.008s",
        },
      };
    return {
      id: item.id,
      ...(item.description === undefined ? {} : { description: item.description }),
      productUrl: `https://photos.google.com/lr/photo/${item.id}`,
      baseUrl: `${this.origin}/media/${encode([item.id, this.#now() + this.#baseUrlTtlMs])}`,
      mimeType: item.mimeType,
      filename: item.filename,
      mediaMetadata: {
        creationTime: item.creationTime,
        width: String(item.width),
        height: String(item.height),
        ...media,
      },
    };
  }

  // Media host

  #media: Handler = (req, url) => {
    const path = url.pathname.slice("/media/".length);
    const at = path.lastIndexOf("=");
    const [id, expiresAt] = decode(at < 0 ? path : path.slice(0, at)) ?? [];
    const item = typeof id === "string" ? this.items.get(id) : undefined;
    if (!item || typeof expiresAt !== "number") throw apiError(404, "NOT_FOUND", "Unknown media URL.");
    if (this.#now() >= expiresAt) throw apiError(403, "PERMISSION_DENIED", "The media URL has expired.");
    const option = at < 0 ? "" : path.slice(at + 1);
    if (option !== "d" && option !== "dv") {
      throw invalidArgument(`The emulator serves only "=d" and "=dv", not "${option}".`);
    }
    let still: Uint8Array<ArrayBuffer> | undefined;
    if (!isVideo(item)) {
      if (option === "dv") throw invalidArgument("=dv is only for videos.");
    } else if (option === "d") {
      still = stillFrameBytes(item);
    } else if (videoStatus(item) !== "READY") {
      throw apiError(404, "NOT_FOUND", `The video is not ready (status ${videoStatus(item)}).`);
    }
    const headers = {
      "content-type": still ? "image/jpeg" : item.mimeType,
      "content-length": String(still?.length ?? item.size),
    };
    return new Response(req.method === "HEAD" ? null : this.#tracked(still ?? mediaStream(item)), {
      headers,
    });
  };

  #mediaInFlight = 0;

  /** Counts a media body as in flight until it has been read to the end or cancelled. */
  #tracked(body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array<ArrayBuffer>>) {
    const reader = (body instanceof Uint8Array ? new Blob([body]).stream() : body).getReader();
    this.maxMediaInFlight = Math.max(this.maxMediaInFlight, ++this.#mediaInFlight);
    let open = true;
    const end = () => {
      if (open) this.#mediaInFlight--;
      open = false;
    };
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          end();
          controller.close();
        } else controller.enqueue(value as Uint8Array<ArrayBuffer>);
      },
      cancel(reason) {
        end();
        return reader.cancel(reason);
      },
    });
  }
}

/** The ids matching a query, in order, with the query's fingerprint (its {@linkcode Query} as JSON). */
interface Snapshot {
  fingerprint: string;
  ids: string[];
}

/** A normalised listing or search. */
interface Query {
  /** Keeps the page tokens of listings and searches apart. */
  kind: "list" | "search";
  mediaType: "ALL_MEDIA" | "PHOTO" | "VIDEO";
  /** Whether archived items are included. */
  archived: boolean;
  /** [start, end) in ms. */
  ranges: [number, number][];
  /** [year, month, day], 0 meaning any. */
  dates: number[][];
  ascending: boolean;
}

function searchQuery(filtersValue: unknown, orderBy: unknown): Query {
  const filters = fields(filtersValue, "filters", [
    "dateFilter",
    "mediaTypeFilter",
    "includeArchivedMedia",
    "excludeNonAppCreatedData",
  ]);
  const dateFilter = fields(filters.dateFilter, "filters.dateFilter", ["ranges", "dates"]);
  const ranges = list(dateFilter.ranges, "filters.dateFilter.ranges", 5).map((value, i) => {
    const path = `filters.dateFilter.ranges[${i}]`;
    const range = fields(value, path, ["startDate", "endDate"]);
    const [startYear, startMonth, startDay] = date(range.startDate, `${path}.startDate`);
    const [endYear, endMonth, endDay] = date(range.endDate, `${path}.endDate`);
    if (!startYear || !endYear) throw invalidArgument(`${path} needs a year at both ends.`);
    const start = utc(startYear, (startMonth || 1) - 1, startDay || 1);
    const end = endMonth === 0
      ? utc(endYear + 1, 0, 1)
      : endDay === 0
      ? utc(endYear, endMonth, 1)
      : utc(endYear, endMonth - 1, endDay + 1);
    if (start >= end) throw invalidArgument(`${path} ends before it starts.`);
    return [start, end] as [number, number];
  });
  const dates = list(dateFilter.dates, "filters.dateFilter.dates", 5)
    .map((value, i) => date(value, `filters.dateFilter.dates[${i}]`));
  const mediaTypes = list(
    fields(filters.mediaTypeFilter, "filters.mediaTypeFilter", ["mediaTypes"]).mediaTypes,
    "filters.mediaTypeFilter.mediaTypes",
    1,
  );
  const mediaType = mediaTypes[0] ?? "ALL_MEDIA";
  if (mediaType !== "ALL_MEDIA" && mediaType !== "PHOTO" && mediaType !== "VIDEO") {
    throw invalidArgument(
      `Invalid value at 'filters.mediaTypeFilter.mediaTypes[0]': ${JSON.stringify(mediaType)}.`,
    );
  }
  const archived = filters.includeArchivedMedia ?? false;
  if (typeof archived !== "boolean") throw invalidArgument("filters.includeArchivedMedia must be a boolean.");
  if (orderBy !== undefined) {
    if (orderBy !== "MediaMetadata.creation_time" && orderBy !== "MediaMetadata.creation_time desc") {
      throw invalidArgument(`Invalid orderBy: ${JSON.stringify(orderBy)}.`);
    }
    if (!ranges.length && !dates.length) throw invalidArgument("orderBy needs a dateFilter.");
  }
  return {
    kind: "search",
    mediaType,
    archived,
    ranges,
    dates,
    ascending: orderBy === "MediaMetadata.creation_time",
  };
}

/** `value` as an object having only the given fields (`{}` if undefined); else 400. */
function fields(value: unknown, path: string, names: string[]): Json {
  if (value === undefined) return {};
  const where = path ? ` at '${path}'` : "";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidArgument(`Invalid JSON payload received. Expected an object${where}.`);
  }
  const unknown = Object.keys(value).find((name) => !names.includes(name));
  if (unknown !== undefined) {
    throw invalidArgument(
      `Invalid JSON payload received. Unknown name "${unknown}"${where}: Cannot find field.`,
    );
  }
  return value as Json;
}

/** `value` as an array of at most `max` elements (`[]` if undefined); else 400. */
function list(value: unknown, path: string, max: number): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw invalidArgument(`Invalid JSON payload received. Expected a list at '${path}'.`);
  }
  if (value.length > max) throw invalidArgument(`At most ${max} values are allowed at '${path}'.`);
  return value;
}

/** A Date message as [year, month, day], where 0 means "any"; else 400. */
function date(value: unknown, path: string): number[] {
  const parts = fields(value, path, ["year", "month", "day"]);
  const values = [parts.year, parts.month, parts.day].map((part) => part ?? 0);
  const [year, month, day] = values as number[];
  if (
    !values.every(Number.isInteger) ||
    !(year >= 0 && year <= 9999 && month >= 0 && month <= 12 && day >= 0 && day <= 31) ||
    (month === 0 && day !== 0) || (year === 0 && month === 0)
  ) throw invalidArgument(`Invalid date at '${path}': ${JSON.stringify(value)}.`);
  return [year, month, day];
}

/** An item's place in the time index. */
interface TimeRow {
  time: number;
  id: string;
}

function byTimeThenId(a: TimeRow, b: TimeRow): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The first index of `rows` whose time is at least `time`. */
function lowerBound(rows: readonly TimeRow[], time: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rows[middle].time < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A Map that counts its changes, so that an index built from it knows when it is stale. */
class VersionedMap<K, V> extends Map<K, V> {
  version = 0;

  override set(key: K, value: V): this {
    this.version++;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.version++;
    return super.delete(key);
  }

  override clear(): void {
    this.version++;
    super.clear();
  }
}

function matchesDay(time: number, query: Query): boolean {
  if (query.ranges.some(([start, end]) => time >= start && time < end)) return true;
  const day = new Date(time);
  const [year, month, date] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
  return query.dates.some(([y, m, d]) => (!y || y === year) && (!m || m === month) && (!d || d === date));
}

/** Milliseconds of a UTC midnight; unlike `Date.UTC`, right for years below 100 too. */
function utc(year: number, monthIndex: number, day: number): number {
  return new Date(0).setUTCFullYear(year, monthIndex, day);
}

function isVideo(item: FixtureItem): boolean {
  return item.mimeType.startsWith("video/");
}

function videoStatus(item: FixtureItem): string {
  return item.video?.status ?? "READY";
}

/** An opaque URL-safe token carrying `value`. */
function encode(value: unknown[]): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** The value of an {@linkcode encode}d token, or undefined if it is not one. */
function decode(token: unknown): unknown[] | undefined {
  try {
    const value = JSON.parse(Buffer.from(String(token), "base64url").toString());
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function random(length: number): string {
  return randomBytes(length).toString("base64url").slice(0, length);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  });
}

function apiError(code: number, status: string, message: string): Failure {
  return new Failure(json(code, { error: { code, message, status } }));
}

function invalidArgument(message: string): Failure {
  return apiError(400, "INVALID_ARGUMENT", message);
}

function oauthError(code: number, error: string, description: string): Failure {
  return new Failure(json(code, { error, error_description: description }));
}

function isBodyFault(fault: Fault | "quota-day"): fault is BodyFault {
  return fault === "reset" || fault === "short" || fault === "stall";
}

/** Logs the body of a faulted `token` or `search` request, as its handler would have. */
async function logBody(req: Request, route: string, log: LoggedRequest): Promise<void> {
  if (route !== "token" && route !== "search") return;
  const text = await req.text();
  if (route === "token") {
    log.body = Object.fromEntries(new URLSearchParams(text));
  } else {
    try {
      log.body = JSON.parse(text || "{}");
    } catch {
      log.body = text;
    }
  }
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
