import assert from "node:assert/strict";
import { AuthError, ExitCode } from "../core/errors.ts";
import { ApiError } from "./api_error.ts";
import { TransientError } from "../core/retry.ts";
import { StalledError } from "../core/idle_watchdog.ts";
import {
  apiError,
  fetchWithIdleTimeout,
  mediaBody,
  nextPacificMidnight,
  quotaError,
  QuotaExhaustedError,
  requestError,
} from "./http.ts";
import { UsageError } from "../core/errors.ts";

/** What the token source says to do when Google refuses it (credentials.ts builds it per scope and folder). */
const RENEW = "run photosync pick --dir '/my photos' --creds FILE to authorise again";

Deno.test("nextPacificMidnight is 08:00Z in winter and 07:00Z in summer, across both 2026 switches", () => {
  // [now, next midnight in America/Los_Angeles]. Clocks go forward on 2026-03-08 at 02:00
  // (PST, UTC-8 → PDT, UTC-7) and back on 2026-11-01 at 02:00.
  const cases: [string, string][] = [
    // Winter.
    ["2026-01-15T20:00:00Z", "2026-01-16T08:00:00Z"],
    // 23:59 and 00:00 PST on the eve of the spring switch: midnight on the 8th is still PST.
    ["2026-03-08T07:59:00Z", "2026-03-08T08:00:00Z"],
    ["2026-03-08T08:00:00Z", "2026-03-09T07:00:00Z"],
    // During the short day of the switch, and at 23:59 PDT at its end.
    ["2026-03-08T12:00:00Z", "2026-03-09T07:00:00Z"],
    ["2026-03-09T06:59:00Z", "2026-03-09T07:00:00Z"],
    ["2026-03-09T07:00:00Z", "2026-03-10T07:00:00Z"],
    // Summer.
    ["2026-07-01T12:00:00Z", "2026-07-02T07:00:00Z"],
    // 23:59 and 00:00 PDT on the eve of the autumn switch: midnight on the 1st is still PDT.
    ["2026-11-01T06:59:00Z", "2026-11-01T07:00:00Z"],
    ["2026-11-01T07:00:00Z", "2026-11-02T08:00:00Z"],
    // During the long day of the switch (01:30 happens twice), and at 23:59 PST at its end.
    ["2026-11-01T08:30:00Z", "2026-11-02T08:00:00Z"],
    ["2026-11-01T09:30:00Z", "2026-11-02T08:00:00Z"],
    ["2026-11-02T07:59:00Z", "2026-11-02T08:00:00Z"],
    ["2026-11-02T08:00:00Z", "2026-11-03T08:00:00Z"],
    // Year end and a leap day.
    ["2026-12-31T08:00:00Z", "2027-01-01T08:00:00Z"],
    ["2028-02-28T09:00:00Z", "2028-02-29T08:00:00Z"],
  ];
  for (const [now, expected] of cases) {
    assert.equal(nextPacificMidnight(Date.parse(now)).toISOString(), expected.replace("Z", ".000Z"), now);
  }
});

Deno.test("nextPacificMidnight is always after now and at most 25 hours away", () => {
  const start = Date.parse("2026-01-01T00:00:00Z");
  for (let ms = start; ms < start + 366 * 86_400_000; ms += 3_600_000 * 23 + 7 * 60_000) {
    const next = nextPacificMidnight(ms).getTime() - ms;
    assert.ok(next > 0 && next <= 25 * 3_600_000, new Date(ms).toISOString());
  }
});

const googleError = (code: number, status: string, message: string) =>
  JSON.stringify({ error: { code, status, message } });

const PER_DAY = "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' " +
  "of service 'photoslibrary.googleapis.com' for consumer 'project_number:123'.";
const PER_MINUTE = "Quota exceeded for quota metric 'All requests' and limit 'All requests per minute " +
  "per user' of service 'photoslibrary.googleapis.com' for consumer 'project_number:123'.";

Deno.test("quotaError picks out the per-day quota and ignores per-minute ones", () => {
  const daily = quotaError(429, googleError(429, "RESOURCE_EXHAUSTED", PER_DAY));
  assert.ok(daily instanceof QuotaExhaustedError);
  assert.equal(daily.exitCode, ExitCode.quota);
  assert.match(daily.message, /daily quota/);
  assert.match(daily.message, /run photosync again after midnight Pacific Time \(\d{4}-\d\d-\d\dT\d\d:00Z/);

  assert.equal(quotaError(429, googleError(429, "RESOURCE_EXHAUSTED", PER_MINUTE)), undefined);
  // Only a 429 can be the quota.
  assert.equal(quotaError(403, googleError(403, "PERMISSION_DENIED", PER_DAY)), undefined);
  assert.equal(quotaError(503, PER_DAY), undefined);
  // Not JSON: the raw text is read.
  assert.ok(quotaError(429, `<html>${PER_DAY}</html>`) instanceof QuotaExhaustedError);
  assert.equal(quotaError(429, "Too Many Requests"), undefined);
  assert.equal(quotaError(429, ""), undefined);
});

Deno.test("QuotaExhaustedError says when to come back", () => {
  const now = Date.parse("2026-07-01T12:00:00Z");
  const error = new QuotaExhaustedError("per day", now);
  assert.match(error.message, /after midnight Pacific Time \(2026-07-02T07:00Z, in about 19 h\)/);
  // Never "in about 0 h".
  assert.match(
    new QuotaExhaustedError("per day", Date.parse("2026-07-02T06:59:00Z")).message,
    /in about 1 h/,
  );
});

Deno.test("apiError: 429 and 5xx are transient, with Retry-After when given", async () => {
  const busy = await apiError(
    new Response(googleError(429, "RESOURCE_EXHAUSTED", PER_MINUTE), {
      status: 429,
      headers: { "retry-after": "7" },
    }),
    RENEW,
  );
  assert.ok(busy instanceof TransientError);
  assert.equal(busy.retryAfterMs, 7000);
  assert.match(busy.message, /^HTTP 429 RESOURCE_EXHAUSTED: Quota exceeded/);
  assert.ok(busy.cause instanceof ApiError);
  assert.equal(busy.cause.httpStatus, 429);

  // An HTTP date has whole seconds; the wait is counted from the moment the answer is read.
  const later = Math.floor(Date.now() / 1000) * 1000 + 60_000;
  const before = Date.now();
  const dated = await apiError(
    new Response("", { status: 503, headers: { "retry-after": new Date(later).toUTCString() } }),
    RENEW,
  );
  const after = Date.now();
  assert.ok(dated instanceof TransientError);
  assert.ok(
    dated.retryAfterMs! >= later - after && dated.retryAfterMs! <= later - before,
    `${dated.retryAfterMs} ms, read between ${later - after} and ${later - before} ms before the date`,
  );

  for (const status of [500, 502, 503, 504]) {
    const error = await apiError(
      new Response("upstream connect error", { status, statusText: "Oops" }),
      RENEW,
    );
    assert.ok(error instanceof TransientError, String(status));
    assert.equal(error.retryAfterMs, undefined);
    assert.equal(error.message, `HTTP ${status} Oops: upstream connect error`);
  }
});

Deno.test("apiError: the per-day quota stops the run instead of retrying", async () => {
  const error = await apiError(
    new Response(googleError(429, "RESOURCE_EXHAUSTED", PER_DAY), {
      status: 429,
      headers: { "retry-after": "30" },
    }),
    RENEW,
  );
  assert.ok(error instanceof QuotaExhaustedError);
  assert.ok(!(error instanceof TransientError));
});

Deno.test("apiError: 401 and 403 are final authorisation errors (exit code 4) saying how to authorise again", async () => {
  for (const status of [401, 403]) {
    const error = await apiError(
      new Response(
        googleError(status, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
        {
          status,
          headers: { "retry-after": "1" },
        },
      ),
      RENEW,
    );
    assert.ok(!(error instanceof TransientError), String(status));
    assert.ok(error instanceof AuthError);
    assert.equal(error.exitCode, ExitCode.auth);
    assert.equal(
      error.message,
      `Google refused access (${status} UNAUTHENTICATED: Request had invalid authentication credentials.); ${RENEW}`,
    );
    assert.ok(error.cause instanceof ApiError);
  }
});

Deno.test("apiError: other statuses are final ApiErrors with Google's status and message", async () => {
  const bad = await apiError(
    new Response(googleError(400, "INVALID_ARGUMENT", "Invalid date filter."), {
      status: 400,
      statusText: "Bad Request",
    }),
    RENEW,
  );
  assert.ok(bad instanceof ApiError);
  assert.ok(!(bad instanceof TransientError));
  assert.equal(bad.httpStatus, 400);
  assert.equal(bad.status, "INVALID_ARGUMENT");
  assert.equal(bad.message, "Google API error 400 INVALID_ARGUMENT: Invalid date filter.");

  // Not Google's JSON: the status text and the start of the body.
  const raw = await apiError(new Response("x".repeat(500), { status: 404, statusText: "Not Found" }), RENEW);
  assert.ok(raw instanceof ApiError);
  assert.equal(raw.message, `Google API error 404 Not Found: ${"x".repeat(200)}`);
});

Deno.test("mediaBody: bytes as stored; an encoded body is decoded and its length checked as sent", async () => {
  const bytes = new Uint8Array(5000).map((_, i) => i % 251);
  const gzip = await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")))
    .bytes();
  const response = (body: Uint8Array<ArrayBuffer>, headers: Record<string, string>) =>
    new Response(body, { headers }) as Response & { body: ReadableStream<Uint8Array<ArrayBuffer>> };

  const plain = mediaBody(response(bytes, { "content-length": "5000" }));
  assert.equal(plain.size, 5000);
  assert.deepEqual(await new Response(plain.body).bytes(), bytes);

  const encoded = mediaBody(
    response(gzip, { "content-encoding": "gzip", "content-length": String(gzip.length) }),
  );
  assert.equal(encoded.size, undefined, "the decoded size is not known");
  assert.deepEqual(await new Response(encoded.body).bytes(), bytes);

  const cut = mediaBody(
    response(gzip.slice(0, 100), { "content-encoding": "gzip", "content-length": String(gzip.length) }),
  );
  await assert.rejects(new Response(cut.body).bytes(), /cut short: 100 of \d+ bytes/);

  assert.throws(
    () => mediaBody(response(bytes, { "content-encoding": "zstd" })),
    (error) => error instanceof TransientError && /Content-Encoding zstd/.test(error.message),
  );
});

Deno.test("requestError: a port fetch refuses (10080, 6000) is final and named; a refused connection is retried", async () => {
  for (const port of [10080, 6000]) {
    const url = `http://127.0.0.1:${port}/dav/`;
    const failure = await fetch(url).then(() => undefined, (error) => error);
    const error = requestError(url, failure, `listing ${url}`);
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.exitCode, ExitCode.usage);
    assert.match(
      error.message,
      new RegExp(`^listing ${url}: port ${port} is one that fetch refuses .*another port$`),
    );
  }
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response());
  const url = `http://127.0.0.1:${server.addr.port}/`;
  await server.shutdown();
  const refused = requestError(url, await fetch(url).then(() => undefined, (error) => error), "listing");
  assert.ok(refused instanceof TransientError, String(refused));
});

/**
 * A `fetch` whose answer sends 10 bytes, then nothing, and does not hear the request's abort: as Deno's
 * fetch once a garbage collection has taken the signal it follows the request's by (held weakly). Notes
 * why its body was cancelled.
 */
function stallingFetch(cancelled: { reason?: unknown }): typeof fetch {
  return () =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => controller.enqueue(new Uint8Array(10)),
          cancel: (reason) => {
            cancelled.reason = reason;
          },
        }),
      ),
    );
}

Deno.test("fetchWithIdleTimeout: a stalled body fails after the idle time, or at the stop, though fetch no longer hears the abort; the body is let go", async () => {
  const url = "http://127.0.0.1:9/part.zip";
  const idle: { reason?: unknown } = {};
  const stalled = await fetchWithIdleTimeout(url, {}, { fetch: stallingFetch(idle), idleMs: 20 });
  const reader = stalled.body!.getReader();
  assert.equal((await reader.read()).value?.length, 10);
  await assert.rejects(reader.read(), StalledError);
  assert.ok(idle.reason instanceof StalledError, "the stalled body is cancelled");

  // An idle time far beyond the test: only the run's stop ends the read.
  const stop = new AbortController();
  const stopped: { reason?: unknown } = {};
  const answer = await fetchWithIdleTimeout(url, {}, {
    fetch: stallingFetch(stopped),
    idleMs: 3_600_000,
    signal: stop.signal,
  });
  const body = answer.body!.getReader();
  assert.equal((await body.read()).value?.length, 10);
  const pending = body.read();
  stop.abort(new Error("stopped by SIGTERM"));
  await assert.rejects(pending, /stopped by SIGTERM/);
  assert.match(String(stopped.reason), /stopped by SIGTERM/, "the body is cancelled");
});
