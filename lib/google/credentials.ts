/**
 * Where a run's tokens come from: the environment (unattended runs), a new authorisation,
 * or the tokens saved in `sync.db`.
 * @module
 */
import {
  authorizeInteractive,
  type AuthorizeOptions,
  GOOGLE_AUTH_URI,
  GOOGLE_TOKEN_URI,
  type OAuthClient,
  readClientSecret,
  RefreshingTokens,
  type TokenSet,
  type TokenSource,
} from "./oauth.ts";
import { UsageError } from "../core/errors.ts";
import type { Store } from "../core/store.ts";

/** The client secret file looked for when `--creds` is not given and nothing is saved. */
export const DEFAULT_CREDS = "clientsecret.json";

const SAVED_KEY = "oauth";

interface Saved {
  client: OAuthClient;
  tokens: TokenSet;
}

/** Inputs of {@link authorize}. */
export interface AuthorizationInput extends AuthorizeOptions {
  /** `--creds`: a client secret file; given explicitly, it means "authorise again". */
  creds?: string;
  /** Environment lookup (`PHOTOSYNC_REFRESH_TOKEN`, `PHOTOSYNC_CLIENT_ID`, `PHOTOSYNC_CLIENT_SECRET`). */
  env: (name: string) => string | undefined;
  /** The run's stop: ends token refreshes and their backoff sleeps. */
  signal?: AbortSignal;
}

/**
 * A token source for this run:
 * 1. `PHOTOSYNC_REFRESH_TOKEN` set: that token, with the client from `--creds`,
 *    `PHOTOSYNC_CLIENT_ID`/`PHOTOSYNC_CLIENT_SECRET`, or the one `sync.db` saved (nothing is saved);
 * 2. `--creds` given, or nothing saved: the interactive flow, its tokens saved in `sync.db`;
 * 3. otherwise the saved tokens, refreshed and saved again as needed.
 */
export async function authorize(store: Store, input: AuthorizationInput): Promise<TokenSource> {
  const refreshToken = input.env("PHOTOSYNC_REFRESH_TOKEN");
  if (refreshToken) {
    // The client: --creds, else the environment, else the one saved by an earlier --creds run.
    const savedClient = (JSON.parse(store.secret(SAVED_KEY) ?? "null") as Saved | null)?.client;
    const client = input.creds ? await readClientSecret(input.creds) : clientFromEnv(input.env, savedClient);
    return new RefreshingTokens(client, { accessToken: "", expiresAt: 0, refreshToken }, {
      fetch: input.fetch,
      retry: { signal: input.signal },
    });
  }
  const saved = store.secret(SAVED_KEY);
  let session: Saved;
  if (input.creds || !saved) {
    const client = await readClientSecret(input.creds ?? DEFAULT_CREDS);
    session = { client, tokens: await authorizeInteractive(client, input) };
    store.setSecret(SAVED_KEY, JSON.stringify(session));
  } else {
    session = JSON.parse(saved);
  }
  return new RefreshingTokens(session.client, session.tokens, {
    fetch: input.fetch,
    retry: { signal: input.signal },
    onRefresh: (tokens) => store.setSecret(SAVED_KEY, JSON.stringify({ ...session, tokens })),
  });
}

function clientFromEnv(env: (name: string) => string | undefined, saved?: OAuthClient): OAuthClient {
  const clientId = env("PHOTOSYNC_CLIENT_ID");
  const clientSecret = env("PHOTOSYNC_CLIENT_SECRET");
  if ((!clientId || !clientSecret) && saved) return saved;
  if (!clientId || !clientSecret) {
    throw new UsageError(
      "PHOTOSYNC_REFRESH_TOKEN needs a client: pass --creds=FILE or set PHOTOSYNC_CLIENT_ID and PHOTOSYNC_CLIENT_SECRET (or authorise once with --creds)",
    );
  }
  return { clientId, clientSecret, authUri: GOOGLE_AUTH_URI, tokenUri: GOOGLE_TOKEN_URI };
}

/** The refresh token saved in `sync.db` by an interactive authorisation, or undefined. */
export function savedRefreshToken(store: Store): string | undefined {
  const saved = store.secret(SAVED_KEY);
  return saved ? (JSON.parse(saved) as Saved).tokens.refreshToken : undefined;
}
