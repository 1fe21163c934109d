import assert from "node:assert/strict";
import { ItemError } from "../../core/source.ts";
import { PickerClient } from "./client.ts";

/** A client whose token, if ever asked for, fails the test; `fetch` too. */
function client(apiUrl?: string): PickerClient {
  const never = () => Promise.reject(new Error("no request may be sent"));
  return new PickerClient({
    tokens: { accessToken: never, renew: "pick again" },
    apiUrl,
    fetch: never as typeof fetch,
  });
}

Deno.test("PickerClient.refusedMediaUrl: the token goes to Google's media hosts over https, or to the Picker API's own origin", () => {
  const google = client();
  for (
    const url of [
      "https://lh3.googleusercontent.com/pp/AF1Q=d",
      "https://video-downloads.googleusercontent.com/x=dv",
      "https://photospicker.googleapis.com/media/x=d",
    ]
  ) {
    assert.equal(google.refusedMediaUrl(url), undefined, url);
  }
  for (
    const url of [
      "http://lh3.googleusercontent.com/pp/AF1Q=d",
      "https://lh3.googleusercontent.com.attacker.example/x=d",
      "https://evilgoogleusercontent.com/x=d",
      "https://attacker.example/lh3.googleusercontent.com/x=d",
      "http://127.0.0.1:8080/media/x=d",
      "not a url",
    ]
  ) {
    assert.match(google.refusedMediaUrl(url) ?? "", /photosync does not send it the access token/, url);
  }
  assert.match(
    google.refusedMediaUrl("http://lh3.googleusercontent.com/p=d")!,
    /^its download URL from the picker is on http:\/\/lh3\.googleusercontent\.com, not Google's media host/,
  );
  // PHOTOSYNC_PICKER_URL (the emulator): its origin, and only it, beside Google's hosts.
  const emulated = client("http://127.0.0.1:8080/picker");
  assert.equal(emulated.refusedMediaUrl("http://127.0.0.1:8080/media/x=d"), undefined);
  assert.equal(emulated.refusedMediaUrl("https://lh3.googleusercontent.com/x=d"), undefined);
  assert.ok(emulated.refusedMediaUrl("http://127.0.0.1:8081/media/x=d"));
  assert.ok(emulated.refusedMediaUrl("http://127.0.0.2:8080/media/x=d"));
  assert.ok(client("data:,x").refusedMediaUrl("data:,bytes"), "an opaque origin is no host");
});

Deno.test("PickerClient.download: a URL the token may not go to fails the item without a request", async () => {
  await assert.rejects(
    client().download("http://attacker.example/x=d", new AbortController().signal),
    (error: Error) => error instanceof ItemError && /attacker\.example/.test(error.message),
  );
});
