/**
 * An emulator of Google's OAuth endpoints (installed-app loopback flow with PKCE), the Photos Library API
 * (`mediaItems` list, search, get and batchGet), the Photos Picker API (sessions, picked items, a simulated
 * user) and the media byte host (`baseUrl=d`, `=dv`), served on one loopback port.
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
 * This file is the front: each emulated service lives in `./emulator/` with its table of routes, and
 * `services` below lists the services whose routes the server (`./emulator/server.ts`) serves.
 *
 * @module
 */

import type { FixtureItem } from "./library_fixture.ts";
import { DriveApi } from "./emulator/drive_api.ts";
import { LibraryApi } from "./emulator/library_api.ts";
import { MediaHost } from "./emulator/media.ts";
import { OAuth } from "./emulator/oauth.ts";
import { PICKER_ROOT, PickerApi, type PickerOptions, type PickingSession } from "./emulator/picker_api.ts";
import { VersionedMap } from "./emulator/query.ts";
import {
  type FaultOptions as ServerFaultOptions,
  type LoggedRequest,
  random,
  Server,
} from "./emulator/server.ts";

export { type Fault, FAULTS, type LoggedRequest } from "./emulator/server.ts";
export type { PickerOptions, PickingSession } from "./emulator/picker_api.ts";
export type { DriveEntry, NewDriveFile } from "./emulator/drive_api.ts";

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
  /**
   * Refresh tokens end this long after they were issued (as Google's time-limited grants), and token
   * responses say how long is left in `refresh_token_expires_in`; default: they last, unsaid.
   */
  refreshTokenTtlSec?: number;
  /** Lifetime of `baseUrl`s; default 60 minutes. */
  baseUrlTtlMs?: number;
  /**
   * `gzip`: media bodies are sent gzip-encoded (`Content-Encoding: gzip`, the encoded `Content-Length`)
   * whatever the request's `Accept-Encoding` says; default: as stored.
   */
  mediaEncoding?: "gzip";
  /** The clock deciding token, `baseUrl` and "future item" expiry; default `Date.now`. */
  now?: () => number;
  /** Called after each request is answered (e.g. to move a test's clock at a given moment). */
  onRequest?: (request: LoggedRequest) => void;
  /** Faults and latency to inject; default none. Also settable later through {@linkcode Emulator.faults}. */
  faults?: FaultOptions;
  /** The Picker API's polling interval, session timeout and open-session limit; default Google's. */
  picker?: PickerOptions;
}

/**
 * The emulated services by name; they share the origin, the clock and the library. The server tries their
 * routes in this order (no two routes match the same request). Another API is one more entry here, as the
 * Picker API is.
 */
function services(origin: string, opts: EmulatorOptions, items: () => Map<string, FixtureItem>) {
  const now = opts.now ?? Date.now;
  const oauth = new OAuth({
    origin,
    now,
    clientId: opts.clientId ?? "test-client.apps.googleusercontent.com",
    clientSecret: opts.clientSecret ?? `test-secret-${random(12)}`,
    accessTokenTtlSec: opts.accessTokenTtlSec ?? 3600,
    refreshTokenTtlSec: opts.refreshTokenTtlSec,
  });
  const media = new MediaHost({
    origin,
    now,
    items,
    baseUrlTtlMs: opts.baseUrlTtlMs ?? 60 * 60_000,
    encoding: opts.mediaEncoding,
  });
  const picker = new PickerApi({ origin, now, items, oauth, media }, opts.picker);
  return {
    oauth,
    library: new LibraryApi({ now, items, oauth, media }),
    media,
    picker,
    drive: new DriveApi({ oauth }),
  };
}

type Services = ReturnType<typeof services>;

/**
 * Route names as in {@linkcode LoggedRequest.route}: the names in the route tables of the services (such as
 * `token`, `search` or `media`).
 */
export type Route = Services[keyof Services]["routes"][number]["route"];

/** Faults and latency of an {@linkcode Emulator}, with rates and latencies by {@linkcode Route}. */
export type FaultOptions = ServerFaultOptions<Route>;

/** A running emulator. Start it with {@linkcode Emulator.start}; stop it with {@linkcode Emulator.close}. */
export class Emulator {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Root of the Library API (paths `/v1/...`). */
  readonly apiUrl: string;
  /** Root of the Picker API (paths `/v1/sessions`, `/v1/mediaItems`). */
  readonly pickerUrl: string;
  /** Root of the Drive API (paths `/drive/v3/...`): `PHOTOSYNC_DRIVE_URL`. */
  readonly driveUrl: string;
  /** The authorization endpoint. */
  readonly authUri: string;
  /** The token endpoint. */
  readonly tokenUri: string;
  /** The only known OAuth client. */
  readonly clientId: string;
  /** Its secret (a new one after {@linkcode Emulator.rotateClientSecret}). */
  get clientSecret(): string {
    return this.#services.oauth.clientSecret;
  }
  /** The library by id; tests may add, replace and delete items at any time. */
  items: Map<string, FixtureItem>;
  /** Every access and refresh token ever issued. */
  readonly issuedTokens: string[];
  /** Number of requests per route (see {@linkcode LoggedRequest.route}). */
  readonly counts: Record<string, number>;
  /** Every request, in order of completion. */
  readonly requests: LoggedRequest[];
  /** Number of injected faults by `${route}:${fault}` (e.g. `media:reset`, `search:quota-day`). */
  readonly injected: Record<string, number>;

  #server: Server<Route>;
  #services: Services;

  private constructor(opts: EmulatorOptions) {
    this.items = new VersionedMap();
    for (const item of opts.items ?? []) this.items.set(item.id, item);
    this.#server = new Server<Route>({ faults: opts.faults, onRequest: opts.onRequest });
    this.#services = services(this.#server.origin, opts, () => this.items);
    this.#server.register(Object.values(this.#services));
    this.#server.resetCounts();
    // The server's and the OAuth service's own objects, which they update in place.
    this.counts = this.#server.counts;
    this.requests = this.#server.requests;
    this.injected = this.#server.injected;
    const { oauth } = this.#services;
    this.issuedTokens = oauth.issuedTokens;
    this.authUri = oauth.authUri;
    this.tokenUri = oauth.tokenUri;
    this.clientId = oauth.clientId;
    this.origin = this.#server.origin;
    this.apiUrl = this.origin;
    this.pickerUrl = this.origin + PICKER_ROOT;
    this.driveUrl = this.origin;
  }

  /** The emulated Google Drive: add files to it (`drive.add`), count the bytes it served (`drive.bytesServed`). */
  get drive(): DriveApi {
    return this.#services.drive;
  }

  /** Starts an emulator on a free loopback port. */
  static start(opts: EmulatorOptions = {}): Promise<Emulator> {
    return Promise.resolve(new Emulator(opts));
  }

  /**
   * Faults and latency to inject; may be replaced or changed at any time, taking effect at the next
   * request.
   */
  get faults(): FaultOptions {
    return this.#server.faults;
  }

  set faults(faults: FaultOptions) {
    this.#server.faults = faults;
  }

  /** The most media bodies that were being sent at once. */
  get maxMediaInFlight(): number {
    return this.#services.media.maxInFlight;
  }

  set maxMediaInFlight(count: number) {
    this.#services.media.maxInFlight = count;
  }

  /**
   * The bytes a second all media bodies share, as over one network link; undefined (the default): as
   * fast as the emulator sends them.
   */
  get mediaLinkBytesPerSecond(): number | undefined {
    return this.#services.media.linkBytesPerSecond;
  }

  set mediaLinkBytesPerSecond(rate: number | undefined) {
    this.#services.media.linkBytesPerSecond = rate;
  }

  /** Hold media requests until `count` wait at once, then answer them together (see `MediaService.holdUntil`). */
  holdMediaUntil(count: number): void {
    this.#services.media.holdUntil(count);
  }

  /**
   * A client secret file's content, of the "installed" (default) or "web" shape, pointing at this
   * emulator.
   */
  clientSecretJson(shape: "installed" | "web" = "installed"): Record<string, unknown> {
    return this.#services.oauth.clientSecretJson(shape);
  }

  /** Sets every count to 0, empties the request log and forgets the injected faults. */
  resetCounts(): void {
    this.#server.resetCounts();
  }

  /** Restores the allowances of {@linkcode FaultOptions.dailyApiQuota} and `dailyMediaQuota`: a new day. */
  resetQuota(): void {
    this.#server.resetQuota();
  }

  /**
   * Plays the user's browser: requests the authorization URL and returns the redirect location (the loopback
   * URL with `code` and `state`, or with `error=access_denied` if `deny`). Throws if the request is rejected.
   */
  consent(authUrl: string, opts: { deny?: boolean } = {}): Promise<string> {
    return this.#services.oauth.consent(authUrl, opts);
  }

  /**
   * Plays the user with the Picker: on the device that opened `pickerUri` (as photosync printed it), picks
   * the items `ids` and presses Done. Throws what Google's picker would not allow (a deleted or timed-out
   * session, more items than its `maxItemCount`).
   */
  pick(pickerUri: string, ids: readonly string[]): Promise<void> {
    return this.#services.picker.pick(pickerUri, ids);
  }

  /** Every picking session created so far, in order of creation (live: `deleted` and `picked` change). */
  get pickerSessions(): readonly Readonly<PickingSession>[] {
    return [...this.#services.picker.sessions.values()];
  }

  /**
   * Grants `scope` (space-separated scopes) to the client without the consent flow: a refresh token and an
   * access token, as an authorisation and a code exchange would give them.
   */
  grant(scope: string): { refreshToken: string; accessToken: string } {
    return this.#services.oauth.grant(scope);
  }

  /**
   * Gives the client a new secret, as rotating it in the Google Cloud console does: the old one (in a client
   * secret file written before, or saved in `sync.db`) then gets `invalid_client` from the token endpoint.
   * {@linkcode Emulator.clientSecretJson} gives the new one.
   */
  rotateClientSecret(): void {
    this.#services.oauth.rotateClientSecret();
  }

  /** Revokes every refresh token: refreshing then fails with `invalid_grant`. */
  revokeRefreshTokens(): void {
    this.#services.oauth.revokeRefreshTokens();
  }

  /** Invalidates every access token issued so far: API calls with them get 401. */
  expireAccessTokens(): void {
    this.#services.oauth.expireAccessTokens();
  }

  /**
   * Stops the server, waiting for responses in flight; stalled bodies are broken off and latency is cut
   * short. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    return this.#server.close();
  }

  /** Same as {@linkcode Emulator.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
