/**
 * OAuth for an installed app: the client secret file, the loopback authorisation flow with
 * PKCE, and access tokens that refresh themselves.
 * @module
 */
import * as oauth from "oauth4webapi";
import { AuthError, PhotosyncError, UsageError } from "../core/errors.ts";
import { requestError } from "./http.ts";
import { retryAfterMs, type RetryOptions, TransientError, withRetry } from "../core/retry.ts";
import type { Logger } from "../core/logger.ts";

/** The only read scope Google still grants the Library API (since 2025-03-31). */
export const LIBRARY_SCOPE = "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata";
/** The Picker API's scope: the items a user picks by hand. */
export const PICKER_SCOPE = "https://www.googleapis.com/auth/photospicker.mediaitems.readonly";
/** Google Drive, read only: the Takeout exports Google delivers to Drive (`photosync takeout --drive`). */
export const DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.readonly";
/** Google's endpoints, used when the client secret file names none. */
export const GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth";
export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

/** An OAuth client: from a client secret file or the environment. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  authUri: string;
  tokenUri: string;
}

/** Tokens as stored in `sync.db`. */
export interface TokenSet {
  accessToken: string;
  /** Epoch milliseconds after which the access token is no longer used. */
  expiresAt: number;
  refreshToken?: string;
  /**
   * Epoch milliseconds when Google ends the refresh token, when its answer said
   * (`refresh_token_expires_in`, given for time-limited grants).
   */
  refreshExpiresAt?: number;
}

/** How long before its end photosync starts warning that the authorisation expires. */
export const EXPIRY_WARNING_MS = 3 * 86_400_000;

/** Supplies a valid access token for API calls. */
export interface TokenSource {
  /**
   * A usable access token. `rejected`: the token a 401 answered; a new one is fetched only
   * if it is still the current one (many requests refused at once cause one refresh).
   */
  accessToken(rejected?: string): Promise<string>;
  /**
   * What to do when Google refuses this authorisation (an API's 401 or 403): the command that authorises
   * its scope again for its folder, or for `PHOTOSYNC_REFRESH_TOKEN` the secret to renew (`advice.ts`).
   */
  readonly renew: string;
}

/** Read a client secret JSON file (Google's `installed` or `web` shape). */
export async function readClientSecret(path: string): Promise<OAuthClient> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(
        `client secret file ${path} not found; download a "Desktop app" OAuth client JSON from the Google Cloud console and pass --creds=FILE`,
        { cause: error },
      );
    }
    throw new UsageError(`cannot read client secret file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `client secret file ${path} is not JSON; download it again from the Google Cloud console`,
      {
        cause: error,
      },
    );
  }
  const shape = json as Record<string, Record<string, unknown> | undefined> | null;
  const entry = shape?.installed ?? shape?.web;
  if (typeof entry !== "object" || entry === null) {
    throw new UsageError(
      `client secret file ${path} has no "installed" or "web" client; download a "Desktop app" OAuth client JSON`,
    );
  }
  const { client_id: clientId, client_secret: clientSecret, auth_uri: authUri, token_uri: tokenUri } = entry;
  if (typeof clientId !== "string" || typeof clientSecret !== "string") {
    throw new UsageError(`client secret file ${path} lacks client_id or client_secret; download it again`);
  }
  const endpoint = (name: string, value: unknown, otherwise: string): string => {
    if (value === undefined) return otherwise;
    if (typeof value === "string" && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)) {
      return value;
    }
    throw new UsageError(
      `client secret file ${path}: its ${name} is no http(s) URL; download the file again from the Google Cloud console`,
    );
  };
  return {
    clientId,
    clientSecret,
    authUri: endpoint("auth_uri", authUri, GOOGLE_AUTH_URI),
    tokenUri: endpoint("token_uri", tokenUri, GOOGLE_TOKEN_URI),
  };
}

/** I/O edges of the interactive flow. */
export interface AuthorizeOptions {
  logger: Logger;
  fetch?: typeof fetch;
  /**
   * Open the URL in a browser; omitted when `--no-browser` or there is no display. Resolves false when
   * no browser was opened (the opener could not run, or failed), true when the opener succeeded; it
   * may stay pending while the opener runs.
   */
  openBrowser?: (url: string) => Promise<boolean>;
  /** Lines typed by the user: a pasted redirect URL is accepted instead of the callback. */
  input?: ReadableStream<Uint8Array>;
  /**
   * Whether a person may be at this run (default true). When false and there is no `openBrowser`,
   * the flow fails as soon as `input` ends (cron, CI, `< /dev/null`): nobody can open the URL on
   * this machine or paste an answer, so waiting would only wait out `timeoutMs`.
   */
  attended?: boolean;
  /** Give up waiting for the user after this long. */
  timeoutMs?: number;
  /** The scope to ask for (default {@link LIBRARY_SCOPE}). */
  scope?: string;
  /**
   * The run's stop (Ctrl-C, `--max-time`): ends the wait for the user with its reason; in
   * the tokens `authorize` (credentials.ts) returns, it ends token refreshes and their backoff sleeps too.
   */
  signal?: AbortSignal;
  /** Told of each retry of a token refresh (the command line says the longer waits). */
  onRetry?: RetryOptions["onRetry"];
}

/** Options of {@link authorizeInteractive}. */
export interface InteractiveOptions extends AuthorizeOptions {
  /**
   * What to do when nobody can authorise here (`authoriseElsewhere` of `advice.ts`): the command that
   * authorises the scope on a terminal for the backup's folder and prints the token.
   */
  elsewhere: string;
}

/**
 * The loopback flow (RFC 8252) with PKCE and `state`: listen on 127.0.0.1, print the
 * authorisation URL, take the redirect (or a pasted copy of it) and exchange the code.
 */
export async function authorizeInteractive(
  client: OAuthClient,
  options: InteractiveOptions,
): Promise<TokenSet> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const abort = new AbortController();
  const { promise: callback, resolve } = Promise.withResolvers<URL>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
    (request) => {
      const url = new URL(request.url);
      if (url.pathname !== "/" || (!url.searchParams.has("state") && !url.searchParams.has("error"))) {
        return new Response("Not found", { status: 404 });
      }
      resolve(url);
      const ok = url.searchParams.get("state") === state && url.searchParams.has("code");
      return new Response(
        ok
          ? "photosync is authorised. You can close this tab."
          : "photosync was not authorised. See the terminal for what to do.",
        { headers: { "content-type": "text/plain; charset=utf-8" } },
      );
    },
  );
  const redirectUri = `http://127.0.0.1:${server.addr.port}/`;
  const authUrl = new URL(client.authUri);
  authUrl.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: options.scope ?? LIBRARY_SCOPE,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    access_type: "offline",
    prompt: "consent",
  }).toString();

  const { logger } = options;
  logger.notice("To authorise photosync, open this URL in a browser:");
  logger.notice(authUrl.href);
  logger.notice(
    "If that browser runs on another machine, paste here the address it was sent to (http://127.0.0.1:...).",
  );
  // Settles only when no browser was opened: none to open, or its opener could not run or failed (an
  // xdg-open with DISPLAY set but no browser); an opener still running may be the browser itself.
  const noBrowser = options.openBrowser
    ? options.openBrowser(authUrl.href).then((opened) => opened ? NEVER : undefined, () => undefined)
    : Promise.resolve();
  const pasted = pastedRedirect(options.input, redirectUri);
  // Nobody at a terminal: once stdin has ended and no browser opened, nobody can answer.
  const unanswerable = options.attended === false
    ? Promise.all([pasted, noBrowser]).then(([url]) =>
      url ?? Promise.reject(
        new AuthError(
          `cannot authorise here: no browser to open and no terminal to paste the address on; ${options.elsewhere}`,
        ),
      )
    )
    : NEVER;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new AuthError(`no authorisation within ${timeoutMs / 60_000} minutes; run photosync again`)),
      timeoutMs,
    );
  });
  const stopped = new Promise<never>((_, reject) => {
    options.signal?.addEventListener("abort", () => reject(options.signal!.reason), { once: true });
    if (options.signal?.aborted) reject(options.signal.reason);
  });
  let answer: URL;
  try {
    answer = await Promise.race([
      callback,
      pasted.then((url) => url ?? NEVER),
      unanswerable,
      timeout,
      stopped,
    ]);
  } finally {
    clearTimeout(timer);
    abort.abort();
    await server.finished;
  }
  const params = validateCallback(client, answer, state);
  const response = await tokenRequest(
    client,
    options.fetch,
    (as, c, auth, opts) =>
      oauth.authorizationCodeGrantRequest(as, c, auth, params, redirectUri, verifier, opts),
    false,
  );
  const result = await processTokens(
    () => oauth.processAuthorizationCodeResponse(serverOf(client), { client_id: client.clientId }, response),
    {
      // The code just given, not a saved authorisation: nothing is saved yet, a new flow gets a new code.
      grant: "authorisation failed: Google refused the code it sent back (invalid_grant: it expired or was " +
        "used already); run photosync again to retry",
      client: `Google refused the OAuth client (${INVALID_CLIENT}): pass the current client secret file ` +
        "(the Google Cloud console's, downloaded again) with --creds=FILE",
    },
  );
  if (!result.refresh_token) {
    throw new AuthError(
      "Google returned no refresh token; revoke photosync's access in your Google account and retry",
    );
  }
  return toTokenSet(result, Date.now());
}

function validateCallback(client: OAuthClient, answer: URL, state: string): URLSearchParams {
  try {
    return oauth.validateAuthResponse(serverOf(client), { client_id: client.clientId }, answer, state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const reason = error.error === "access_denied" ? "access was denied in the browser" : error.error;
      throw new AuthError(`authorisation failed: ${reason}; run photosync again to retry`, { cause: error });
    }
    throw new AuthError(
      "authorisation failed: the answer did not match this request (state); run photosync again",
      {
        cause: error,
      },
    );
  }
}

/** A promise that never settles: a wait that is not one of the answers. */
const NEVER: Promise<never> = new Promise(() => {});

/**
 * Resolves with the first pasted line that is a redirect to our loopback address, or with undefined
 * when `input` ends (or there is none) without one.
 */
function pastedRedirect(
  input: ReadableStream<Uint8Array> | undefined,
  redirectUri: string,
): Promise<URL | undefined> {
  return new Promise((resolve) => {
    if (!input) {
      resolve(undefined);
      return;
    }
    const origin = new URL(redirectUri).origin;
    (async () => {
      let buffer = "";
      for await (const chunk of input.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        const lines = buffer.split(/\r?\n/);
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          const url = URL.parse(line.trim());
          if (url?.origin === origin) return resolve(url);
        }
      }
      // A stdin that cannot be read is as good as ended.
    })().catch(() => {}).then(() => resolve(undefined));
  });
}

/** Tokens from a refresh token that refresh themselves; `onRefresh` persists new ones. */
export class RefreshingTokens implements TokenSource {
  readonly #client: OAuthClient;
  readonly #fetch?: typeof fetch;
  readonly #onRefresh: (tokens: TokenSet) => void;
  readonly #now: () => number;
  readonly #retry: RetryOptions;
  readonly #refused: string;
  readonly #clientRefused: string;
  #tokens: TokenSet;
  /** When to refresh: a minute before expiry (half the lifetime for short-lived tokens). */
  #refreshAt: number;
  #pending?: Promise<string>;
  readonly #logger?: Logger;
  readonly renew: string;
  #warned = false;

  constructor(
    client: OAuthClient,
    tokens: TokenSet,
    options: {
      fetch?: typeof fetch;
      onRefresh?: (tokens: TokenSet) => void;
      now?: () => number;
      retry?: RetryOptions;
      /** The error's text when Google refuses the refresh token (invalid_grant): what to do about it. */
      refused: string;
      /** The error's text when it refuses the client (invalid_client): what to do about it. */
      clientRefused: string;
      /** Told (`attention`) when the refresh token ends within {@link EXPIRY_WARNING_MS}. */
      logger?: Logger;
      /**
       * What to do when it does, when none is saved, or when an API refuses the access token
       * ({@link TokenSource.renew}).
       */
      renew: string;
    },
  ) {
    this.#client = client;
    this.#refused = options.refused;
    this.#clientRefused = options.clientRefused;
    this.#retry = options.retry ?? {};
    this.#tokens = tokens;
    this.#fetch = options.fetch;
    this.#onRefresh = options.onRefresh ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#refreshAt = tokens.expiresAt - 60_000;
    this.#logger = options.logger;
    this.renew = options.renew;
  }

  accessToken(rejected?: string): Promise<string> {
    const refresh = rejected !== undefined && rejected === this.#tokens.accessToken;
    if (!refresh && this.#refreshAt > this.#now()) {
      return Promise.resolve(this.#tokens.accessToken);
    }
    // Concurrent callers share one refresh.
    this.#pending ??= this.#refresh().finally(() => this.#pending = undefined);
    return this.#pending;
  }

  async #refresh(): Promise<string> {
    const refreshToken = this.#tokens.refreshToken;
    if (!refreshToken) {
      throw new AuthError(`no refresh token saved; ${this.renew}`);
    }
    const response = await tokenRequest(
      this.#client,
      this.#fetch,
      (as, c, auth, opts) => oauth.refreshTokenGrantRequest(as, c, auth, refreshToken, opts),
      this.#retry,
    );
    const result = await processTokens(
      () =>
        oauth.processRefreshTokenResponse(
          serverOf(this.#client),
          { client_id: this.#client.clientId },
          response,
        ),
      { grant: this.#refused, client: this.#clientRefused },
    );
    const now = this.#now();
    const tokens = toTokenSet(result, now);
    const lifetime = tokens.expiresAt - now;
    this.#refreshAt = now + lifetime - Math.min(60_000, lifetime / 2);
    const refreshExpiresAt = tokens.refreshExpiresAt ?? this.#tokens.refreshExpiresAt;
    this.#tokens = {
      ...tokens,
      refreshToken: tokens.refreshToken ?? refreshToken,
      ...(refreshExpiresAt === undefined ? {} : { refreshExpiresAt }),
    };
    this.#onRefresh(this.#tokens);
    this.#warnOfExpiry(now);
    return this.#tokens.accessToken;
  }

  /** Once a run: the refresh token ends soon (Google said when), and what to do. */
  #warnOfExpiry(now: number): void {
    const end = this.#tokens.refreshExpiresAt;
    if (this.#warned || !this.#logger || end === undefined || end - now > EXPIRY_WARNING_MS) return;
    this.#warned = true;
    const hours = Math.max(0, Math.floor((end - now) / 3_600_000));
    const message = `the authorisation expires in ${
      hours >= 48 ? `${Math.floor(hours / 24)} days` : `${hours} hours`
    } (${new Date(end).toISOString().slice(0, 16).replace("T", " ")} UTC, Google says): ${this.renew}`;
    if (this.#logger.attention) this.#logger.attention(message);
    else this.#logger.warn(message);
  }
}

function serverOf(client: OAuthClient): oauth.AuthorizationServer {
  return {
    issuer: new URL(client.tokenUri).origin,
    authorization_endpoint: client.authUri,
    token_endpoint: client.tokenUri,
  };
}

type TokenCall = (
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  auth: oauth.ClientAuth,
  options: oauth.TokenEndpointRequestOptions,
) => Promise<Response>;

/**
 * Call the token endpoint. With `retry`, network failures, 429 and 5xx answers are retried
 * (refreshing is repeatable; exchanging a one-time code is not).
 */
async function tokenRequest(
  client: OAuthClient,
  fetcher: typeof fetch | undefined,
  call: TokenCall,
  retry: RetryOptions | false,
): Promise<Response> {
  const options = {
    [oauth.customFetch]: fetcher,
    [oauth.allowInsecureRequests]: new URL(client.tokenUri).protocol === "http:",
    signal: retry ? retry.signal : undefined,
  };
  const attempt = async () => {
    let response: Response;
    try {
      response = await call(
        serverOf(client),
        { client_id: client.clientId },
        oauth.ClientSecretPost(client.clientSecret),
        options,
      );
    } catch (error) {
      if (retry) retry.signal?.throwIfAborted();
      throw requestError(client.tokenUri, error, `the token endpoint ${client.tokenUri}`);
    }
    if (retry && (response.status === 429 || response.status >= 500)) {
      await response.body?.cancel();
      throw new TransientError(`the token endpoint ${client.tokenUri}: HTTP ${response.status}`, {
        retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
      });
    }
    return response;
  };
  try {
    return await (retry ? withRetry(attempt, retry) : attempt());
  } catch (error) {
    if (!(error instanceof TransientError)) throw error;
    throw new PhotosyncError(`cannot reach ${error.message}`, {
      cause: error,
    });
  }
}

/** Why Google refuses a refresh token (invalid_grant), said in every such error. */
export const INVALID_GRANT =
  'invalid_grant: it expired or was revoked; apps in "Testing" mode lose it after 7 days';

/**
 * Why the token endpoint refuses the OAuth client (invalid_client), said in every such error: the
 * client id or secret photosync sent is not (or no longer) the client's.
 */
export const INVALID_CLIENT =
  "invalid_client: its client id or secret is wrong, or the secret was rotated in the Google Cloud console";

/** A refusal's error text, what it says to do included: `grant` for invalid_grant, `client` for invalid_client. */
interface Refusals {
  grant: string;
  client: string;
}

async function processTokens(process: () => Promise<oauth.TokenEndpointResponse>, refusals: Refusals) {
  try {
    return await process();
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && error.error === "invalid_grant") {
      throw new AuthError(refusals.grant, { cause: error });
    }
    if (error instanceof oauth.ResponseBodyError && error.error === "invalid_client") {
      throw new AuthError(refusals.client, { cause: error });
    }
    if (error instanceof oauth.ResponseBodyError) {
      throw new AuthError(`the token endpoint refused the request: ${error.error}`, { cause: error });
    }
    throw new AuthError(`unexpected answer from the token endpoint: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function toTokenSet(result: oauth.TokenEndpointResponse, now: number): TokenSet {
  const refreshLifetime = result.refresh_token_expires_in;
  return {
    accessToken: result.access_token,
    expiresAt: now + (result.expires_in ?? 3600) * 1000,
    refreshToken: result.refresh_token,
    ...(typeof refreshLifetime === "number" && refreshLifetime >= 0
      ? { refreshExpiresAt: now + refreshLifetime * 1000 }
      : {}),
  };
}
