/**
 * Where a run's tokens come from: the environment (unattended runs), a new authorisation,
 * or the tokens saved in `sync.db`.
 * @module
 */
import { authoriseAgain, authoriseCommand, authoriseElsewhere, renewSecret, setSecret } from "./advice.ts";
import {
  authorizeInteractive,
  type AuthorizeOptions,
  DRIVE_SCOPE,
  GOOGLE_AUTH_URI,
  GOOGLE_TOKEN_URI,
  INVALID_CLIENT,
  INVALID_GRANT,
  LIBRARY_SCOPE,
  type OAuthClient,
  PICKER_SCOPE,
  readClientSecret,
  RefreshingTokens,
  type TokenSet,
  type TokenSource,
} from "./oauth.ts";
import { join } from "node:path";
import { UsageError } from "../core/errors.ts";
import type { Store } from "../core/store.ts";

/** The client secret file looked for when `--creds` is not given and nothing is saved. */
export const DEFAULT_CREDS = "clientsecret.json";

/** Where each scope's client and tokens are saved in `sync.db`: side by side, one never replaces the other. */
const SAVED_KEYS: Readonly<Record<string, string>> = {
  [LIBRARY_SCOPE]: "oauth:library",
  [PICKER_SCOPE]: "oauth:picker",
  [DRIVE_SCOPE]: "oauth:drive",
};
/** Where photosync kept its one (Library) authorisation before there were two scopes. */
const LEGACY_KEY = "oauth";

interface Saved {
  client: OAuthClient;
  tokens: TokenSet;
}

/** Inputs of {@link authorize}. */
export interface AuthorizationInput extends AuthorizeOptions {
  /** `--creds`: a client secret file; given explicitly, it means "authorise again". */
  creds?: string;
  /**
   * Environment lookup (`PHOTOSYNC_REFRESH_TOKEN`, `PHOTOSYNC_CLIENT_ID`, `PHOTOSYNC_CLIENT_SECRET`);
   * default none.
   */
  env?: (name: string) => string | undefined;
  /** The folder {@link DEFAULT_CREDS} is looked for in (default the working folder). */
  cwd?: string;
}

/**
 * A token source for this run, for `input.scope` (default the Library's):
 * 1. `PHOTOSYNC_REFRESH_TOKEN` set: that token, with the client from `--creds`,
 *    `PHOTOSYNC_CLIENT_ID`/`PHOTOSYNC_CLIENT_SECRET`, or the one `sync.db` saved (nothing is saved);
 * 2. `--creds` given, or nothing saved for the scope: the interactive flow (with the client from
 *    `--creds`, else the one saved for the other scope, else `clientsecret.json` in `input.cwd`), its tokens
 *    saved in `sync.db` beside those of the other scope;
 * 3. otherwise the saved tokens, refreshed and saved again as needed.
 */
export async function authorize(store: Store, input: AuthorizationInput): Promise<TokenSource> {
  if (input.env?.("PHOTOSYNC_REFRESH_TOKEN")) {
    return environmentTokens(store, input, input.creds ? await readClientSecret(input.creds) : undefined)!;
  }
  const saved = input.creds ? undefined : savedTokens(store, input);
  if (saved) return saved;
  if (!input.creds) refuseUnsetToken(input.env, input.scope);
  const client = input.creds || !savedClient(store)
    ? await readClientSecret(input.creds ?? (input.cwd ? join(input.cwd, DEFAULT_CREDS) : DEFAULT_CREDS))
    : savedClient(store)!;
  const session: Saved = {
    client,
    tokens: await authorizeInteractive(client, {
      ...input,
      elsewhere: authoriseElsewhere(input.scope, store.dir),
    }),
  };
  const key = savedKey(store, input.scope);
  store.setSecret(key, JSON.stringify(session));
  return refreshing(store, key, session, input);
}

/** The tokens saved for `input.scope`, refreshed and saved again as needed; undefined when none are. */
export function savedTokens(store: Store, input: AuthorizationInput): TokenSource | undefined {
  const key = savedKey(store, input.scope);
  const saved = store.secret(key);
  return saved ? refreshing(store, key, JSON.parse(saved), input) : undefined;
}

/**
 * `PHOTOSYNC_REFRESH_TOKEN` (nothing is saved), with `client`, else the environment's client,
 * else a saved one; undefined when the variable is not set.
 */
export function environmentTokens(
  store: Store,
  input: AuthorizationInput,
  client?: OAuthClient,
): TokenSource | undefined {
  const refreshToken = input.env?.("PHOTOSYNC_REFRESH_TOKEN");
  if (!refreshToken) return undefined;
  const env = input.env ?? (() => undefined);
  const fromEnv = !client && Boolean(env("PHOTOSYNC_CLIENT_ID") && env("PHOTOSYNC_CLIENT_SECRET"));
  // The environment's client replaces a saved one (clientFromEnv): setting it mends either.
  const clientRefused = client
    ? `Google refused the OAuth client of ${input.creds} (${INVALID_CLIENT}): pass the current client ` +
      "secret file (the Google Cloud console's, downloaded again) with --creds=FILE"
    : `Google refused the OAuth client ${
      fromEnv ? "of PHOTOSYNC_CLIENT_ID and PHOTOSYNC_CLIENT_SECRET" : "saved in sync.db"
    } (${INVALID_CLIENT}): set PHOTOSYNC_CLIENT_ID and PHOTOSYNC_CLIENT_SECRET (in CI, the repository ` +
      'secrets) to the "client_id" and "client_secret" of the current client secret file, or pass that ' +
      "file with --creds=FILE";
  return new RefreshingTokens(
    client ?? clientFromEnv(env, savedClient(store)),
    { accessToken: "", expiresAt: 0, refreshToken },
    {
      fetch: input.fetch,
      retry: { signal: input.signal, onRetry: input.onRetry },
      refused: `Google refused PHOTOSYNC_REFRESH_TOKEN (${INVALID_GRANT}): ${renewSecret(input.scope)}`,
      clientRefused,
      logger: input.logger,
      renew: renewSecret(input.scope),
    },
  );
}

/** The variables of an unattended run, in the order they are set up. */
const UNATTENDED_VARIABLES = ["PHOTOSYNC_REFRESH_TOKEN", "PHOTOSYNC_CLIENT_ID", "PHOTOSYNC_CLIENT_SECRET"];

/**
 * An unattended run (one of its variables is present, as a CI job's secrets make them, empty when
 * the secret is not set) without a refresh token: one line naming the secret to set, rather than
 * the interactive flow's search for a client secret file.
 */
function refuseUnsetToken(env: ((name: string) => string | undefined) | undefined, scope?: string): void {
  if (!env || !UNATTENDED_VARIABLES.some((name) => env(name) !== undefined)) return;
  throw new UsageError(`PHOTOSYNC_REFRESH_TOKEN is empty: ${setSecret(scope)}`);
}

/** Saved tokens that refresh themselves and save the new ones under `key`. */
function refreshing(store: Store, key: string, session: Saved, input: AuthorizationInput): TokenSource {
  const again = authoriseAgain(input.scope, store.dir);
  const authorise = authoriseCommand(input.scope, store.dir);
  return new RefreshingTokens(session.client, session.tokens, {
    fetch: input.fetch,
    retry: { signal: input.signal, onRetry: input.onRetry },
    refused: `Google refused the saved authorisation (${INVALID_GRANT}); ${again}`,
    clientRefused: `Google refused the OAuth client saved in sync.db (${INVALID_CLIENT}): run ${authorise} ` +
      "with FILE the current client secret file (the Google Cloud console's, downloaded again) to authorise again",
    renew: again,
    onRefresh: (tokens) => store.setSecret(key, JSON.stringify({ ...session, tokens })),
    logger: input.logger,
  });
}

/** A client saved by an earlier authorisation (the Library scope's first), or undefined. */
function savedClient(store: Store): OAuthClient | undefined {
  for (const scope of Object.keys(SAVED_KEYS)) {
    const saved = store.secret(savedKey(store, scope));
    if (saved) return (JSON.parse(saved) as Saved).client;
  }
  return undefined;
}

/**
 * The secret's key of `scope`; the authorisation a `sync.db` kept under the older single key
 * moves to the Library scope's on first use.
 */
function savedKey(store: Store, scope = LIBRARY_SCOPE): string {
  const key = SAVED_KEYS[scope];
  if (!key) throw new Error(`no saved key for the scope ${scope}`);
  const legacy = scope === LIBRARY_SCOPE ? store.secret(LEGACY_KEY) : undefined;
  if (legacy !== undefined) {
    store.transaction(() => {
      store.setSecret(key, legacy);
      store.deleteSecret(LEGACY_KEY);
    });
  }
  return key;
}

function clientFromEnv(env: (name: string) => string | undefined, saved?: OAuthClient): OAuthClient {
  const clientId = env("PHOTOSYNC_CLIENT_ID");
  const clientSecret = env("PHOTOSYNC_CLIENT_SECRET");
  if (clientId && clientSecret) {
    return { clientId, clientSecret, authUri: GOOGLE_AUTH_URI, tokenUri: GOOGLE_TOKEN_URI };
  }
  if (saved) return saved;
  // One line naming what to set: in CI each variable is a repository secret of the same name.
  const unset = [
    ...(clientId ? [] : [["PHOTOSYNC_CLIENT_ID", "client_id"]]),
    ...(clientSecret ? [] : [["PHOTOSYNC_CLIENT_SECRET", "client_secret"]]),
  ];
  const names = unset.map(([name]) => name).join(" and ");
  const fields = unset.map(([, field]) => `"${field}"`).join(" and ");
  throw new UsageError(
    `PHOTOSYNC_REFRESH_TOKEN needs a client: set ${names} (in CI, the repository secret${
      unset.length > 1 ? "s" : ""
    }) to the ${fields} of your clientsecret.json, or pass --creds=FILE`,
  );
}

/**
 * The refresh token of `scope` (default the Library's) saved in `sync.db` by an interactive
 * authorisation, or undefined. Reads only: a read-only `store` will do.
 */
export function savedRefreshToken(store: Store, scope = LIBRARY_SCOPE): string | undefined {
  // Not savedKey: that moves an older sync.db's single key, a write.
  const saved = store.secret(SAVED_KEYS[scope]) ??
    (scope === LIBRARY_SCOPE ? store.secret(LEGACY_KEY) : undefined);
  return saved === undefined ? undefined : (JSON.parse(saved) as Saved).tokens.refreshToken;
}
