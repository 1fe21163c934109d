/**
 * Google's OAuth endpoints for an installed app: the authorization endpoint (loopback redirect, PKCE S256,
 * the Library or Picker scope), the user's consent, and the token endpoint (authorization codes, refresh tokens); and
 * the check of the access tokens that API requests carry.
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  apiError,
  Failure,
  json,
  type LoggedRequest,
  random,
  readBody,
  type RouteHandler,
  type Service,
} from "./server.ts";

/** The Library API's scope. */
export const LIBRARY_SCOPE = "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata";
/** The Picker API's scope. */
export const PICKER_SCOPE = "https://www.googleapis.com/auth/photospicker.mediaitems.readonly";
/** Google Drive, read only (Takeout exports delivered to Drive). */
export const DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.readonly";
/** The scopes a client may ask for: at least one of them (the Photos APIs', or Drive's). */
const PHOTOS_SCOPES = [LIBRARY_SCOPE, PICKER_SCOPE, DRIVE_SCOPE];
/** Scopes Google removed from the Library API in 2025: the emulator rejects requests for them. */
const REMOVED_SCOPES = ["photoslibrary", "photoslibrary.readonly", "photoslibrary.sharing"]
  .map((name) => `https://www.googleapis.com/auth/${name}`);
const AUTH_PATH = "/o/oauth2/auth";
const TOKEN_PATH = "/token";
/** Header by which {@linkcode OAuth.consent} tells the authorization endpoint that the user said no. */
const CONSENT_HEADER = "x-emulator-consent";
const CREDENTIALS_HELP =
  "Expected OAuth 2 access token, login cookie or other valid authentication credential. " +
  "See https://developers.google.com/identity/sign-in/web/devconsole-project.";

/** The OAuth server of the one known client, and the tokens it issued. */
export class OAuth implements Service<"auth" | "token"> {
  readonly routes: readonly RouteHandler<"auth" | "token">[] = [
    { route: "auth", methods: ["GET"], path: AUTH_PATH, handle: (req, url) => this.#authorize(req, url) },
    {
      route: "token",
      methods: ["POST"],
      path: TOKEN_PATH,
      body: "form",
      handle: (req, _url, log) => this.#token(req, log),
    },
  ];
  /** The authorization endpoint. */
  readonly authUri: string;
  /** The token endpoint. */
  readonly tokenUri: string;
  readonly clientId: string;
  /** The client's secret: the one the token endpoint takes (see {@linkcode OAuth.rotateClientSecret}). */
  get clientSecret(): string {
    return this.#clientSecret;
  }
  /** Every access and refresh token ever issued. */
  readonly issuedTokens: string[] = [];

  #clientSecret: string;
  #now: () => number;
  #accessTokenTtlSec: number;
  #refreshTokenTtlSec?: number;
  /** When each refresh token was issued (ms), for `refresh_token_expires_in`. */
  #refreshIssued = new Map<string, number>();
  /** Unused authorization codes. */
  #codes = new Map<string, { redirectUri: string; challenge: string; scope: string }>();
  /** Access token → expiry time (ms) and granted scopes. */
  #accessTokens = new Map<string, { expiresAt: number; scopes: string[] }>();
  /** Valid refresh token → granted scope. */
  #refreshTokens = new Map<string, string>();

  constructor(opts: {
    origin: string;
    now: () => number;
    clientId: string;
    clientSecret: string;
    accessTokenTtlSec: number;
    /** Refresh tokens end this long after they were issued, said in `refresh_token_expires_in`. */
    refreshTokenTtlSec?: number;
  }) {
    this.authUri = `${opts.origin}${AUTH_PATH}`;
    this.tokenUri = `${opts.origin}${TOKEN_PATH}`;
    this.clientId = opts.clientId;
    this.#clientSecret = opts.clientSecret;
    this.#now = opts.now;
    this.#accessTokenTtlSec = opts.accessTokenTtlSec;
    this.#refreshTokenTtlSec = opts.refreshTokenTtlSec;
  }

  /** A client secret file's content of the given shape. */
  clientSecretJson(shape: "installed" | "web"): Record<string, unknown> {
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

  /** Plays the user's browser at the authorization endpoint; returns the redirect location. */
  async consent(authUrl: string, opts: { deny?: boolean }): Promise<string> {
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

  /**
   * A grant of `scope` as the consent and the code exchange would give it (for tests and benchmarks that
   * need a token of a given scope without playing the flow): a refresh token and an access token.
   */
  grant(scope: string): { refreshToken: string; accessToken: string } {
    const refreshToken = `1//0${random(75)}`;
    this.#refreshTokens.set(refreshToken, scope);
    this.issuedTokens.push(refreshToken);
    const accessToken = `ya29.a0${random(150)}`;
    this.#accessTokens.set(accessToken, {
      expiresAt: this.#now() + this.#accessTokenTtlSec * 1000,
      scopes: scope.split(" "),
    });
    this.issuedTokens.push(accessToken);
    return { refreshToken, accessToken };
  }

  /**
   * Gives the client a new secret, as its owner does in the Google Cloud console: the token endpoint then
   * answers the old one with `invalid_client`; the tokens issued stay valid.
   */
  rotateClientSecret(): void {
    this.#clientSecret = `test-secret-${random(12)}`;
  }

  revokeRefreshTokens(): void {
    this.#refreshTokens.clear();
  }

  expireAccessTokens(): void {
    this.#accessTokens.clear();
  }

  /**
   * Throws the API's 401 unless the request carries a valid, unexpired access token, and its 403 unless the
   * token was granted `scope` (by default the Library API's).
   */
  checkAccess(req: Request, scope: string = LIBRARY_SCOPE): void {
    const token = /^Bearer (\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    if (!token) {
      throw apiError(
        401,
        "UNAUTHENTICATED",
        `Request is missing required authentication credential. ${CREDENTIALS_HELP}`,
      );
    }
    const grant = this.#accessTokens.get(token);
    if (grant === undefined || this.#now() >= grant.expiresAt) {
      throw apiError(
        401,
        "UNAUTHENTICATED",
        `Request had invalid authentication credentials. ${CREDENTIALS_HELP}`,
      );
    }
    if (!grant.scopes.includes(scope)) {
      throw apiError(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.");
    }
  }

  #authorize(req: Request, url: URL): Response {
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
    if (!scopes.some((scope) => PHOTOS_SCOPES.includes(scope))) {
      throw oauthError(400, "invalid_scope", `One of the scopes ${PHOTOS_SCOPES.join(", ")} is required.`);
    }
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
  }

  async #token(req: Request, log: LoggedRequest): Promise<Response> {
    if (!req.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded")) {
      throw oauthError(400, "invalid_request", "The body must be application/x-www-form-urlencoded.");
    }
    const form = new URLSearchParams((await readBody(req, log, "form")).text);
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
      this.#refreshIssued.set(refreshToken, this.#now());
      this.issuedTokens.push(refreshToken);
      return this.#tokenResponse(grant.scope, refreshToken, refreshToken);
    }
    if (grantType === "refresh_token") {
      const token = form.get("refresh_token") ?? "";
      const scope = this.#refreshTokens.get(token);
      const issued = this.#refreshIssued.get(token) ?? 0;
      const ended = this.#refreshTokenTtlSec !== undefined &&
        this.#now() - issued > this.#refreshTokenTtlSec * 1000;
      if (scope === undefined || ended) {
        throw oauthError(400, "invalid_grant", "Token has been expired or revoked.");
      }
      return this.#tokenResponse(scope, undefined, token);
    }
    throw oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType}`);
  }

  /** A token response; `grant`: the refresh token it stands on (for its remaining lifetime). */
  #tokenResponse(scope: string, refreshToken: string | undefined, grant: string): Response {
    const issued = this.#refreshIssued.get(grant);
    const refreshLeft = this.#refreshTokenTtlSec !== undefined && issued !== undefined
      ? Math.max(0, Math.round(this.#refreshTokenTtlSec - (this.#now() - issued) / 1000))
      : undefined;
    const accessToken = `ya29.a0${random(150)}`;
    this.#accessTokens.set(accessToken, {
      expiresAt: this.#now() + this.#accessTokenTtlSec * 1000,
      scopes: scope.split(" "),
    });
    this.issuedTokens.push(accessToken);
    return json(200, {
      access_token: accessToken,
      expires_in: this.#accessTokenTtlSec,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(refreshLeft === undefined ? {} : { refresh_token_expires_in: refreshLeft }),
      scope,
      token_type: "Bearer",
    }, { "cache-control": "no-store" });
  }
}

/** An OAuth error (`{ error, error_description }`), to throw. */
function oauthError(code: number, error: string, description: string): Failure {
  return new Failure(json(code, { error, error_description: description }));
}
