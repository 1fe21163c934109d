/**
 * What went wrong when `fetch` got no answer at all, in words a user can act on. Deno's `fetch`
 * rejects with the bare `TypeError: fetch failed`; the reason (a refused connection, a name that
 * does not resolve, a certificate) is in its `cause`, after the request's URL.
 * @module
 */

/** Deno's wording of the common failures (hyper and the OS), and what photosync says for each. */
const KNOWN: [RegExp, string][] = [
  [/connection refused/i, "connection refused: nothing answers at that address and port"],
  [
    /temporary failure in name resolution/i,
    "the name could not be looked up (no DNS answer): is the network up?",
  ],
  [/dns error|failed to lookup address|name or service not known|no such host/i, "no such host"],
  [/network is unreachable|no route to host/i, "the network is unreachable"],
  [/connection reset/i, "the connection was reset"],
  [/timed out/i, "the connection timed out"],
];

/**
 * Why a request got no answer: `fetch`'s cause without the request's URL (the caller names what
 * it was asking for), shortened to a known reason where there is one. Other errors: their message.
 *
 * @example Usage
 * ```ts
 * import { fetchFailure } from "./fetch_failure.ts";
 * import assert from "node:assert/strict";
 *
 * const refused = new TypeError("fetch failed", {
 *   cause: new Error(
 *     "error sending request for url (http://127.0.0.1:8080/): client error (Connect): tcp connect error: " +
 *       "Connection refused (os error 111)",
 *   ),
 * });
 * assert.equal(fetchFailure(refused), "connection refused: nothing answers at that address and port");
 *
 * const tls = new TypeError("fetch failed", {
 *   cause: new Error("error sending request for url (https://nas.local/): client error (Connect): invalid peer certificate: UnknownIssuer"),
 * });
 * assert.equal(fetchFailure(tls), "client error (Connect): invalid peer certificate: UnknownIssuer");
 * assert.equal(fetchFailure(new Error("the answer broke off")), "the answer broke off");
 * ```
 */
export function fetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : "";
  // The URL may hold anything, ")" too: what follows it starts at hyper's "client error".
  const detail = cause.match(/\): (client error .*)$/s)?.[1] ??
    cause.replace(/^error sending request for url \(.*?\):\s*/s, "");
  const text = `${error.message} ${detail}`;
  for (const [pattern, reason] of KNOWN) if (pattern.test(text)) return reason;
  return detail || error.message;
}
