import assert from "node:assert/strict";
import { AuthError } from "../core/errors.ts";
import { RefreshingTokens } from "./oauth.ts";

Deno.test("RefreshingTokens without a refresh token says its own advice to authorise again, asking nothing of Google", async () => {
  const renew = "run photosync pick --dir '/my photos' --creds FILE to authorise again";
  let requests = 0;
  const tokens = new RefreshingTokens(
    {
      clientId: "id",
      clientSecret: "secret",
      authUri: "https://a.test/auth",
      tokenUri: "https://a.test/token",
    },
    // As an older sync.db may hold them: an expired access token, no refresh token.
    { accessToken: "old", expiresAt: 0 },
    {
      fetch: () => (requests++, Promise.reject(new Error("not asked"))),
      refused: "refused",
      clientRefused: "client refused",
      renew,
    },
  );
  assert.equal(tokens.renew, renew);
  await assert.rejects(tokens.accessToken(), (error) => {
    assert.ok(error instanceof AuthError);
    assert.equal(error.message, `no refresh token saved; ${renew}`);
    return true;
  });
  assert.equal(requests, 0);
});
