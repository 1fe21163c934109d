import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Emulator, type EmulatorOptions, type FaultOptions } from "../testing/emulator.ts";
import {
  type FixtureItem,
  generateLibrary,
  mediaBytes,
  mediaStream,
  stillFrameBytes,
} from "../testing/library_fixture.ts";

const SCOPE = "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata";
const REDIRECT_URI = "http://127.0.0.1:53682/";
const VERIFIER = "a-code-verifier-that-is-long-enough-0123456789abcdef";

function authUrl(emulator: Emulator, params: Record<string, string> = {}): string {
  const url = new URL(emulator.authUri);
  url.search = new URLSearchParams({
    client_id: emulator.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: SCOPE,
    state: "state-1",
    code_challenge: createHash("sha256").update(VERIFIER).digest("base64url"),
    code_challenge_method: "S256",
    access_type: "offline",
    ...params,
  }).toString();
  return url.href;
}

async function token(
  emulator: Emulator,
  form: Record<string, string>,
): Promise<[number, Record<string, string>]> {
  const res = await fetch(emulator.tokenUri, {
    method: "POST",
    body: new URLSearchParams({
      client_id: emulator.clientId,
      client_secret: emulator.clientSecret,
      ...form,
    }),
  });
  return [res.status, await res.json()];
}

/** Runs the whole authorization code flow and returns the token response. */
async function signIn(emulator: Emulator): Promise<Record<string, string>> {
  const code = new URL(await emulator.consent(authUrl(emulator))).searchParams.get("code")!;
  const [status, body] = await token(emulator, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: VERIFIER,
  });
  assert.equal(status, 200);
  return body;
}

/** An emulator with a signed-in `api` caller, whose clock the test controls. */
async function setUp(opts: EmulatorOptions = {}) {
  const clock = { now: Date.parse("2025-06-01T00:00:00Z") };
  const emulator = await Emulator.start({ now: () => clock.now, ...opts });
  const { access_token } = await signIn(emulator);
  const api = async (path: string, body?: unknown): Promise<[number, Record<string, unknown>]> => {
    const res = await fetch(emulator.apiUrl + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${access_token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return [res.status, await res.json()];
  };
  return { emulator, clock, api };
}

function ids(body: Record<string, unknown>): string[] {
  return ((body.mediaItems ?? []) as { id: string }[]).map((item) => item.id);
}

Deno.test("token endpoint checks PKCE, uses codes once, refreshes and revokes", async () => {
  await using emulator = await Emulator.start();
  const location = new URL(await emulator.consent(authUrl(emulator)));
  assert.equal(location.origin + location.pathname, REDIRECT_URI);
  assert.equal(location.searchParams.get("state"), "state-1");
  const code = location.searchParams.get("code")!;
  const exchange = { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI };

  assert.equal(
    (await token(emulator, { ...exchange, code_verifier: "x".repeat(43) }))[1].error,
    "invalid_grant",
  );
  // The failed attempt used up the code.
  assert.equal((await token(emulator, { ...exchange, code_verifier: VERIFIER }))[1].error, "invalid_grant");
  assert.equal((await token(emulator, { ...exchange, client_secret: "wrong" }))[0], 401);

  const tokens = await signIn(emulator);
  assert.match(tokens.access_token, /^ya29\./);
  assert.match(tokens.refresh_token, /^1\/\//);
  assert.deepEqual([tokens.token_type, tokens.scope, tokens.expires_in], ["Bearer", SCOPE, 3600]);

  const [status, refreshed] = await token(emulator, {
    grant_type: "refresh_token",
    refresh_token: tokens.refresh_token,
  });
  assert.equal(status, 200);
  assert.equal(refreshed.refresh_token, undefined);
  assert.ok(emulator.issuedTokens.includes(refreshed.access_token));

  emulator.revokeRefreshTokens();
  assert.deepEqual(
    await token(emulator, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }),
    [
      400,
      { error: "invalid_grant", error_description: "Token has been expired or revoked." },
    ],
  );
});

Deno.test("authorization endpoint rejects bad requests and redirects a denial", async () => {
  await using emulator = await Emulator.start();
  const bad: [string, string][] = [
    ["scope", "https://www.googleapis.com/auth/photoslibrary.readonly"],
    ["redirect_uri", "urn:ietf:wg:oauth:2.0:oob"],
    ["code_challenge_method", "plain"],
    ["client_id", "someone-else"],
  ];
  for (const [name, value] of bad) {
    await assert.rejects(emulator.consent(authUrl(emulator, { [name]: value })), Error, `${name}=${value}`);
  }
  const denied = new URL(await emulator.consent(authUrl(emulator), { deny: true }));
  assert.deepEqual(Object.fromEntries(denied.searchParams), { error: "access_denied", state: "state-1" });
  assert.equal(emulator.counts.auth, 5);
});

Deno.test("API answers 401 without a valid, unexpired access token", async () => {
  const { emulator, clock, api } = await setUp({ items: generateLibrary({ count: 3 }) });
  await using _ = emulator;
  assert.equal((await api("/v1/mediaItems"))[0], 200);
  clock.now += 3600_000;
  const [status, body] = await api("/v1/mediaItems");
  assert.equal(status, 401);
  assert.equal((body.error as Record<string, unknown>).status, "UNAUTHENTICATED");

  const res = await fetch(`${emulator.apiUrl}/v1/mediaItems`, {
    headers: { authorization: "Bearer ya29.bogus" },
  });
  assert.equal(res.status, 401);
  await res.body?.cancel();

  const { access_token } = await signIn(emulator);
  emulator.expireAccessTokens();
  const expired = await fetch(`${emulator.apiUrl}/v1/mediaItems`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  assert.equal(expired.status, 401);
  await expired.body?.cancel();
});

Deno.test("search pages newest first, with page tokens bound to their query", async () => {
  const items = generateLibrary({ count: 60 });
  const { emulator, api } = await setUp({ items });
  await using _ = emulator;
  const seen: string[] = [];
  let pageToken: unknown;
  do {
    const [status, body] = await api("/v1/mediaItems:search", { pageToken });
    assert.equal(status, 200);
    seen.push(...ids(body));
    pageToken = body.nextPageToken;
  } while (pageToken);
  assert.deepEqual(seen, items.map((item) => item.id).reverse());
  assert.equal(emulator.counts.search, 3);

  const [, first] = await api("/v1/mediaItems?pageSize=100");
  assert.equal(ids(first).length, 60);
  assert.equal(first.nextPageToken, undefined);

  const [, page] = await api("/v1/mediaItems:search", { pageSize: 10 });
  const photos = { mediaTypeFilter: { mediaTypes: ["PHOTO"] } };
  const [status] = await api("/v1/mediaItems:search", { pageToken: page.nextPageToken, filters: photos });
  assert.equal(status, 400);
  assert.equal((await api("/v1/mediaItems:search", { pageSize: 101 }))[0], 400);
  assert.equal((await api("/v1/mediaItems:search", { orderBy: "MediaMetadata.creation_time" }))[0], 400);
  assert.equal((await api("/v1/mediaItems:search", { albumId: "a", filters: photos }))[0], 400);
  assert.equal((await api("/v1/mediaItems:search", { filter: photos }))[0], 400);
});

Deno.test("search filters by whole UTC days, media type and archived state", async () => {
  const day = (date: string, time: string, extra: Partial<FixtureItem> = {}): FixtureItem => ({
    ...generateLibrary({ count: 1, videoRatio: 0 })[0],
    id: `item-${date}-${time}`,
    creationTime: `${date}T${time}Z`,
    ...extra,
  });
  const items = [
    day("2020-02-29", "23:59:59"),
    day("2020-03-01", "00:00:00"),
    day("2020-03-02", "12:00:00", { archived: true }),
    day("2020-03-03", "00:00:00", { mimeType: "video/mp4", video: { status: "READY" } }),
    day("2021-03-01", "08:00:00"),
    day("2025-07-01", "08:00:00"), // after the emulator's "now"
  ];
  const { emulator, api } = await setUp({ items });
  await using _ = emulator;
  const search = async (filters: unknown, orderBy?: string) =>
    ids((await api("/v1/mediaItems:search", { filters, orderBy }))[1]).map((id) => id.slice(5, 15));
  const march2020 = {
    startDate: { year: 2020, month: 3, day: 1 },
    endDate: { year: 2020, month: 3, day: 3 },
  };

  assert.deepEqual(await search({ dateFilter: { ranges: [march2020] } }, "MediaMetadata.creation_time"), [
    "2020-03-01",
    "2020-03-03",
  ]);
  assert.deepEqual(await search({ dateFilter: { ranges: [march2020] }, includeArchivedMedia: true }), [
    "2020-03-03",
    "2020-03-02",
    "2020-03-01",
  ]);
  const filters = { dateFilter: { ranges: [march2020] }, includeArchivedMedia: true };
  assert.deepEqual(await search(filters, "MediaMetadata.creation_time desc"), await search(filters));
  assert.deepEqual(await search(filters, "MediaMetadata.creation_time"), (await search(filters)).reverse());
  assert.deepEqual(await search({ dateFilter: { dates: [{ year: 0, month: 3, day: 1 }] } }), [
    "2021-03-01",
    "2020-03-01",
  ]);
  assert.deepEqual(await search({ dateFilter: { dates: [{ year: 2025 }] } }), []);
  assert.deepEqual(await search({ mediaTypeFilter: { mediaTypes: ["VIDEO"] } }), ["2020-03-03"]);
  assert.deepEqual(await search(undefined), [
    "2025-07-01",
    "2021-03-01",
    "2020-03-03",
    "2020-03-01",
    "2020-02-29",
  ]);
  const sixRanges = { dateFilter: { ranges: Array(6).fill(march2020) } };
  assert.equal((await api("/v1/mediaItems:search", { filters: sixRanges }))[0], 400);
});

Deno.test("get and batchGet answer in request order with per-item statuses", async () => {
  const items = generateLibrary({ count: 3 });
  const { emulator, api } = await setUp({ items });
  await using _ = emulator;
  const query = [items[2].id, "nope", items[0].id].map((id) => `mediaItemIds=${id}`).join("&");
  const [status, body] = await api(`/v1/mediaItems:batchGet?${query}`);
  assert.equal(status, 200);
  const results = body.mediaItemResults as { mediaItem?: { id: string }; status?: unknown }[];
  assert.deepEqual(results.map((result) => result.mediaItem?.id), [items[2].id, undefined, items[0].id]);
  assert.deepEqual(results[1].status, { code: 3, message: "Invalid media item ID." });

  assert.equal((await api("/v1/mediaItems:batchGet"))[0], 400);
  const tooMany = Array.from({ length: 51 }, () => `mediaItemIds=${items[0].id}`).join("&");
  assert.equal((await api(`/v1/mediaItems:batchGet?${tooMany}`))[0], 400);

  const [, item] = await api(`/v1/mediaItems/${items[1].id}`);
  assert.equal(item.productUrl, `https://photos.google.com/lr/photo/${items[1].id}`);
  assert.equal((item.mediaMetadata as Record<string, unknown>).width, String(items[1].width));
  assert.equal((await api("/v1/mediaItems/nope"))[0], 404);
});

Deno.test("media host serves =d and =dv until the baseUrl expires", async () => {
  const [photo, ready, processing] = generateLibrary({ count: 3, videoRatio: 0 });
  const video = { mimeType: "video/mp4", filename: "VID.mp4" };
  const items = [
    photo,
    { ...ready, ...video, video: { status: "READY" as const } },
    { ...processing, ...video, video: { status: "PROCESSING" as const } },
  ];
  const { emulator, clock, api } = await setUp({ items });
  await using _ = emulator;
  const [, list] = await api("/v1/mediaItems");
  const baseUrl = (index: number) =>
    (list.mediaItems as { id: string; baseUrl: string }[]).find((item) => item.id === items[index].id)!
      .baseUrl;
  const download = async (url: string): Promise<[number, Uint8Array, string | null]> => {
    const res = await fetch(url);
    return [res.status, await res.bytes(), res.headers.get("content-type")];
  };

  assert.deepEqual(await download(baseUrl(0) + "=d"), [200, mediaBytes(items[0]), "image/jpeg"]);
  assert.equal((await download(baseUrl(0) + "=dv"))[0], 400);
  assert.deepEqual(await download(baseUrl(1) + "=dv"), [200, mediaBytes(items[1]), "video/mp4"]);
  assert.deepEqual(await download(baseUrl(1) + "=d"), [200, stillFrameBytes(items[1]), "image/jpeg"]);
  assert.equal((await download(baseUrl(2) + "=dv"))[0], 404);
  assert.equal((await download(`${emulator.origin}/media/unknown=d`))[0], 404);
  clock.now += 60 * 60_000;
  assert.equal((await download(baseUrl(0) + "=d"))[0], 403);
  assert.equal(emulator.counts.media, 7);
});

Deno.test("fixture is deterministic and streams the same bytes it returns", async () => {
  const library = generateLibrary({ count: 50, seed: 7, videoRatio: 0.5 });
  assert.deepEqual(library, generateLibrary({ count: 50, seed: 7, videoRatio: 0.5 }));
  assert.deepEqual(library.map((item) => item.creationTime), library.map((item) => item.creationTime).sort());
  const photo = { ...library.find((item) => !item.video)!, size: 1_000_003 };
  const video = library.find((item) => item.video)!;
  const bytes = mediaBytes(photo);
  assert.deepEqual([...bytes.subarray(0, 4), ...bytes.subarray(-2)], [0xff, 0xd8, 0xff, 0xe0, 0xff, 0xd9]);
  assert.deepEqual(await new Response(mediaStream(photo)).bytes(), bytes);
  assert.equal(new TextDecoder().decode(mediaBytes(video).subarray(4, 12)), "ftypisom");
  assert.equal(mediaBytes(video).length, video.size);
});

/** An emulator with one photo, a signed-in `call` that answers raw responses, and the photo's `=d` URL. */
async function setUpFaults(faults: FaultOptions = {}, opts: EmulatorOptions = {}) {
  const items = generateLibrary({ count: 1, videoRatio: 0, minSize: 600_000, maxSize: 600_000 });
  const emulator = await Emulator.start({ items, ...opts });
  const { access_token } = await signIn(emulator);
  const call = (path: string, init: RequestInit = {}) =>
    fetch(emulator.apiUrl + path, { ...init, headers: { authorization: `Bearer ${access_token}` } });
  const list = await (await call("/v1/mediaItems")).json();
  const mediaUrl = `${list.mediaItems[0].baseUrl}=d`;
  const search = () =>
    call("/v1/mediaItems:search", { method: "POST", body: JSON.stringify({ pageSize: 5 }) });
  emulator.faults = faults;
  emulator.resetCounts();
  return { emulator, item: items[0], call, search, mediaUrl, access_token };
}

/** Reads a body to its end or error, and answers the number of bytes read and the error if any. */
async function drain(res: Response): Promise<[number, unknown]> {
  const reader = res.body!.getReader();
  let bytes = 0;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.length;
    return [bytes, undefined];
  } catch (error) {
    return [bytes, error];
  }
}

Deno.test("faults: 429, 429-bare, 500 and 503 on search and media, without side effects", async () => {
  const { emulator, search, mediaUrl, call } = await setUpFaults();
  await using _ = emulator;
  const expected: Record<string, [number, string, string]> = {
    "429": [429, "RESOURCE_EXHAUSTED", "limit 'All requests per minute per user'"],
    "429-bare": [429, "RESOURCE_EXHAUSTED", "limit 'All requests per minute per user'"],
    "500": [500, "INTERNAL", "Internal error encountered."],
    "503": [503, "UNAVAILABLE", "The service is currently unavailable."],
  };
  for (const [fault, [code, status, message]] of Object.entries(expected)) {
    emulator.faults = { rates: { search: { [fault]: 1 }, media: { [fault]: 1 } }, retryAfterSec: 0 };
    for (const res of [await search(), await fetch(mediaUrl)]) {
      assert.equal(res.status, code, fault);
      const { error } = await res.json();
      assert.deepEqual(Object.keys(error).sort(), ["code", "message", "status"]);
      assert.deepEqual([error.code, error.status], [code, status]);
      assert.ok(error.message.includes(message), error.message);
      assert.equal(res.headers.get("retry-after"), fault === "429" || fault === "503" ? "0" : null, fault);
    }
  }
  emulator.faults = { rates: { search: { "429": 1 } } };
  const res = await search();
  assert.equal(res.headers.get("retry-after"), "1");
  await res.body?.cancel();
  assert.deepEqual(emulator.injected, {
    "search:429": 2,
    "search:429-bare": 1,
    "search:500": 1,
    "search:503": 1,
    "media:429": 1,
    "media:429-bare": 1,
    "media:500": 1,
    "media:503": 1,
  });
  const last = emulator.requests.at(-1)!;
  assert.deepEqual([last.route, last.status, last.fault, last.body], ["search", 429, "429", { pageSize: 5 }]);
  // A 503 carries Retry-After only when retryAfterSec is set.
  emulator.faults = { rates: { search: { "503": 1 } } };
  const unavailable = await search();
  assert.equal(unavailable.headers.get("retry-after"), null);
  await unavailable.body?.cancel();

  // A faulted token request issues no token; a faulted batchGet mints no baseUrl (it is not even answered).
  emulator.faults = { rates: { token: { "503": 1 }, batchGet: { "500": 1 } } };
  const issued = emulator.issuedTokens.length;
  await assert.rejects(signIn(emulator));
  assert.equal(emulator.issuedTokens.length, issued);
  const batch = await call(`/v1/mediaItems:batchGet?mediaItemIds=x`);
  assert.equal(batch.status, 500);
  await batch.body?.cancel();
  emulator.faults = {};
  assert.equal((await search()).status, 200);
  emulator.resetCounts();
  assert.deepEqual(emulator.injected, {});
});

Deno.test("faults: reset and short break the body; media after about half of it", async () => {
  const { emulator, search, mediaUrl, item } = await setUpFaults();
  await using _ = emulator;
  for (const fault of ["reset", "short"] as const) {
    emulator.faults = { rates: { search: { [fault]: 1 }, media: { [fault]: 1 } } };
    const media = await fetch(mediaUrl);
    assert.equal(media.status, 200);
    assert.equal(media.headers.get("content-length"), String(item.size));
    const [bytes, error] = await drain(media);
    assert.ok(error instanceof TypeError, `${fault}: ${error}`);
    assert.ok(bytes > 0 && bytes <= item.size / 2, `${fault}: ${bytes} bytes`);
    assert.equal((await fetch(mediaUrl)).status, 200);
    await assert.rejects((await fetch(mediaUrl)).arrayBuffer());

    const res = await search();
    assert.equal(res.status, 200);
    await assert.rejects(res.arrayBuffer());
  }
  assert.deepEqual(emulator.injected, { "media:reset": 3, "media:short": 3, "search:reset": 2 });
  assert.deepEqual(
    emulator.requests.map((request) => [request.route, request.status, request.fault]).slice(-4),
    [["media", 200, "short"], ["media", 200, "short"], ["media", 200, "short"], ["search", 200, "reset"]],
  );
  emulator.faults = {};
  assert.deepEqual(await (await fetch(mediaUrl)).bytes(), mediaBytes(item));
});

Deno.test("faults: a stalled body waits until the client gives up or the emulator closes", async () => {
  const { emulator, search, mediaUrl, item } = await setUpFaults({
    rates: { media: { stall: 1 }, search: { stall: 1 } },
  });
  await using _ = emulator;
  for (const url of [mediaUrl, undefined]) {
    const giveUp = new AbortController();
    const res = url ? await fetch(url, { signal: giveUp.signal }) : await search();
    assert.equal(res.status, 200);
    if (url) {
      const reader = res.body!.getReader();
      let bytes = 0;
      const reason = new Error("the client gives up");
      // Half the body came and the rest never does: the read waits until the client gives up.
      await assert.rejects(async () => {
        while (true) {
          const read = await reader.read();
          assert.ok(!read.done, "the stalled body never ends on its own");
          bytes += read.value.length;
          if (bytes >= item.size / 2) giveUp.abort(reason);
        }
      }, (error) => error === reason);
      assert.equal(bytes, Math.floor(item.size / 2));
    } else {
      // The client does not give up: close() breaks the body off.
      const read = res.arrayBuffer();
      const closed = emulator.close();
      await assert.rejects(read);
      await closed;
    }
  }
  assert.deepEqual(emulator.injected, { "media:stall": 1, "search:stall": 1 });
});

Deno.test("faults: the same seed gives the same faults for the same requests", async () => {
  const rates: FaultOptions["rates"] = { list: { "500": 0.3, "503": 0.2 } };
  const run = async (seed: number) => {
    const { emulator, call } = await setUpFaults({ rates, seed });
    await using _ = emulator;
    const thirtyCalls = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await call("/v1/mediaItems");
        statuses.push(res.status);
        await res.body?.cancel();
      }
      return statuses;
    };
    const statuses = await thirtyCalls();
    // A new faults object starts the PRNG over.
    emulator.faults = { rates, seed };
    assert.deepEqual(await thirtyCalls(), statuses);
    return statuses;
  };
  const first = await run(7);
  assert.deepEqual(await run(7), first);
  assert.ok([200, 500, 503].every((status) => first.includes(status)), String(first));
  assert.notDeepEqual(await run(8), first);
});

Deno.test("faults: daily quotas answer the per-day 429 until resetQuota", async () => {
  const { emulator, call, mediaUrl } = await setUpFaults({ dailyApiQuota: 3, dailyMediaQuota: 2 });
  await using _ = emulator;
  const status = async (path: string) => {
    const res = await (path.startsWith("http") ? fetch(path) : call(path));
    await res.body?.cancel();
    return res.status;
  };
  const api = async (n: number) => {
    const statuses = [];
    for (let i = 0; i < n; i++) statuses.push(await status("/v1/mediaItems"));
    return statuses;
  };
  assert.deepEqual(await api(5), [200, 200, 200, 429, 429]);
  const res = await call("/v1/mediaItems/x");
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), null);
  assert.deepEqual(await res.json(), {
    error: {
      code: 429,
      status: "RESOURCE_EXHAUSTED",
      message: "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service " +
        "'photoslibrary.googleapis.com' for consumer 'project_number:123'.",
    },
  });
  // OAuth does not count; media has its own allowance.
  await signIn(emulator);
  assert.deepEqual([await status(mediaUrl), await status(mediaUrl), await status(mediaUrl)], [200, 200, 429]);
  assert.equal(emulator.counts.list, 5);
  assert.deepEqual(emulator.injected, { "list:quota-day": 2, "get:quota-day": 1, "media:quota-day": 1 });
  assert.equal(emulator.requests.find((request) => request.status === 429)?.fault, "quota-day");

  emulator.resetQuota();
  assert.deepEqual(await api(4), [200, 200, 200, 429]);
  assert.equal(await status(mediaUrl), 200);
  emulator.faults = {};
  assert.deepEqual(await api(2), [200, 200]);
});

Deno.test("faults: latency delays each request without holding up the others; close() cuts it short", async () => {
  const { emulator, call } = await setUpFaults({ latencyMs: { list: 150 } });
  await using _ = emulator;
  const list = async () => {
    const res = await call("/v1/mediaItems");
    await res.body?.cancel();
    return res.status;
  };
  const start = performance.now();
  assert.equal(await list(), 200);
  assert.ok(performance.now() - start >= 150, "the answer waited out the latency");

  // A first request gets a latency that outlasts the test; the emulator reads `latencyMs` when a request
  // arrives, so the getter says when it is waiting. A second request of the same route, with no latency,
  // is answered meanwhile.
  const waiting = Promise.withResolvers<void>();
  emulator.faults = {
    get latencyMs() {
      waiting.resolve();
      return { list: 3_600_000 };
    },
  };
  let firstSettled = false;
  const first = list().finally(() => firstSettled = true);
  await waiting.promise;
  emulator.faults = {};
  assert.equal(await list(), 200);
  assert.equal(firstSettled, false, "the first request is still waiting");
  const closed = emulator.close();
  assert.equal(await first, 200);
  await closed;
});

Deno.test("mediaEncoding gzip: media bodies are gzip-encoded with the encoded Content-Length, even for identity", async () => {
  const { emulator, item, mediaUrl } = await setUpFaults({}, { mediaEncoding: "gzip" });
  await using _ = emulator;
  const res = await fetch(mediaUrl, { headers: { "accept-encoding": "identity" } });
  assert.equal(res.headers.get("content-encoding"), "gzip");
  const encoded = await res.bytes();
  assert.equal(Number(res.headers.get("content-length")), encoded.length);
  const decoded = await new Response(
    new Blob([encoded]).stream().pipeThrough(new DecompressionStream("gzip")),
  )
    .bytes();
  assert.deepEqual(decoded, mediaBytes(item));
});
