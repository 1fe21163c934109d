import assert from "node:assert/strict";
import { fetchFailure } from "./fetch_failure.ts";

/** What `fetch(url)` rejects with. */
async function failureOf(url: string): Promise<unknown> {
  try {
    const response = await fetch(url);
    await response.body?.cancel();
  } catch (error) {
    return error;
  }
  throw new Error(`${url} answered`);
}

Deno.test("a port nothing listens on is a refused connection", async () => {
  // A port that was just free: listen on 0, note the port, close.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  assert.equal(
    fetchFailure(await failureOf(`http://127.0.0.1:${port}/`)),
    "connection refused: nothing answers at that address and port",
  );
});

Deno.test("a name that does not resolve is no such host", async () => {
  // `.invalid` never resolves (RFC 2606).
  // Without a DNS server (a sandbox), the lookup fails as a whole instead: said as that.
  assert.match(
    fetchFailure(await failureOf("http://photosync-test.invalid/")),
    /^(no such host|the name could not be looked up \(no DNS answer\): is the network up\?)$/,
  );
});

Deno.test("an unknown cause is kept without the URL, even one with parentheses and a login", () => {
  const error = new TypeError("fetch failed", {
    cause: new Error(
      "error sending request for url (https://me:s3cr(e)t@dav.example/(x)/): client error (SendRequest): " +
        "connection closed before message completed",
    ),
  });
  assert.equal(fetchFailure(error), "client error (SendRequest): connection closed before message completed");
});

Deno.test("a lookup with no DNS answer is told apart from a name that does not exist", () => {
  const cause = (text: string) =>
    new TypeError("fetch failed", {
      cause: new Error(
        `error sending request for url (http://nas.example/): client error (Connect): dns error: ${text}`,
      ),
    });
  assert.equal(
    fetchFailure(cause("failed to lookup address information: Temporary failure in name resolution")),
    "the name could not be looked up (no DNS answer): is the network up?",
  );
  assert.equal(
    fetchFailure(cause("failed to lookup address information: Name or service not known")),
    "no such host",
  );
});

Deno.test("errors that are not fetch's keep their message", () => {
  assert.equal(fetchFailure(new Error("the answer broke off")), "the answer broke off");
  assert.equal(fetchFailure("text"), "text");
  assert.equal(fetchFailure(new TypeError("fetch failed")), "fetch failed");
});
