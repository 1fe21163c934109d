import assert from "node:assert/strict";
import { AuthError, PhotosyncError } from "../core/errors.ts";
import { TransientError } from "../core/retry.ts";
import { AbusiveFileError, DriveClient, driveError, noDriveScope } from "./drive.ts";

/** What the token source says to do when Drive refuses it (credentials.ts builds it per scope and folder). */
const RENEW = "run photosync token --scope drive --dir '/my photos' --creds FILE to authorise again";

const answer = (status: number, reason?: string, message = "m") =>
  new Response(JSON.stringify({ error: { code: status, message, errors: reason ? [{ reason }] : [] } }), {
    status,
  });

Deno.test("driveError: slow down is retried, a missing scope is one line, other refusals are authorisation", async () => {
  assert.ok(await driveError(answer(403, "userRateLimitExceeded"), RENEW) instanceof TransientError);
  assert.ok(await driveError(answer(403, "rateLimitExceeded"), RENEW) instanceof TransientError);
  assert.ok(await driveError(answer(429), RENEW) instanceof TransientError);
  assert.ok(await driveError(answer(503), RENEW) instanceof TransientError);
  const scope = await driveError(answer(403, "insufficientPermissions", "Insufficient Permission"), RENEW);
  assert.ok(scope instanceof AuthError);
  assert.equal(scope.message, noDriveScope(RENEW));
  assert.equal(
    scope.message,
    `the authorisation has no Google Drive access (scope drive.readonly): ${RENEW}`,
  );
  const refused = await driveError(
    new Response(
      JSON.stringify({ error: { code: 401, message: "Invalid Credentials", status: "UNAUTHENTICATED" } }),
      {
        status: 401,
      },
    ),
    RENEW,
  );
  assert.ok(refused instanceof AuthError);
  assert.equal(
    refused.message,
    `Google Drive refused access (401 UNAUTHENTICATED: Invalid Credentials); ${RENEW}`,
  );
  assert.ok(await driveError(answer(403, "forbidden"), RENEW) instanceof AuthError);
  const gone = await driveError(answer(404, "notFound", "File not found: x."), RENEW);
  assert.ok(gone instanceof PhotosyncError && !(gone instanceof AuthError));
});

Deno.test("DriveClient.read: a Range request; 401 refreshes the token once; a wrong range is retried", async () => {
  const data = Uint8Array.from({ length: 100 }, (_, i) => i);
  const seen: { auth: string | null; range: string | null }[] = [];
  let wrongRangeOnce = true;
  const fetcher = (_url: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    seen.push({ auth: headers.get("authorization"), range: headers.get("range") });
    if (headers.get("authorization") === "Bearer old") return Promise.resolve(answer(401));
    const [, start, end] = /bytes=(\d+)-(\d+)/.exec(headers.get("range")!)!.map(Number);
    const from = wrongRangeOnce ? 0 : start;
    wrongRangeOnce = false;
    return Promise.resolve(
      new Response(data.slice(from, end + 1), {
        status: 206,
        headers: { "content-range": `bytes ${from}-${end}/100` },
      }),
    );
  };
  let refreshed = 0;
  const tokens = {
    accessToken: (rejected?: string) => Promise.resolve(rejected ? (refreshed++, "new") : "old"),
    renew: RENEW,
  };
  const client = new DriveClient({
    tokens,
    apiUrl: "https://drive.test",
    fetch: fetcher as typeof fetch,
    retry: { baseDelayMs: 1 },
  });
  const body = await client.read("f1", 10, 20);
  assert.deepEqual(new Uint8Array(await new Response(body).arrayBuffer()), data.slice(10, 20));
  assert.equal(refreshed, 2);
  assert.deepEqual(seen.map((request) => request.range), Array(4).fill("bytes=10-19"));
});

Deno.test("DriveClient.read: a file flagged as abusive is asked for again with acknowledgeAbuse, and from then on", async () => {
  const data = Uint8Array.from({ length: 100 }, (_, i) => i);
  const urls: string[] = [];
  /** `mine`: Drive sends it once acknowledged; `other`: not its owner, it never does. */
  const fetcher = (url: string | URL | Request, init?: RequestInit) => {
    const href = String(url);
    urls.push(href.replace("https://drive.test/drive/v3/files/", ""));
    if (!href.includes("acknowledgeAbuse=true") || href.includes("/other?")) {
      return Promise.resolve(
        answer(
          403,
          "cannotDownloadAbusiveFile",
          "This file has been identified as malware or spam and cannot be downloaded.",
        ),
      );
    }
    const [, start, end] = /bytes=(\d+)-(\d+)/.exec(new Headers(init?.headers).get("range")!)!.map(Number);
    return Promise.resolve(
      new Response(data.slice(start, end + 1), {
        status: 206,
        headers: { "content-range": `bytes ${start}-${end}/100` },
      }),
    );
  };
  const client = new DriveClient({
    tokens: { accessToken: () => Promise.resolve("t"), renew: RENEW },
    apiUrl: "https://drive.test",
    fetch: fetcher as typeof fetch,
    retry: { baseDelayMs: 1 },
  });
  let told = 0;
  const first = await client.read("mine", 0, 10, undefined, () => told++);
  assert.deepEqual(new Uint8Array(await new Response(first).arrayBuffer()), data.slice(0, 10));
  const second = await client.read("mine", 50, 60, undefined, () => told++);
  assert.deepEqual(new Uint8Array(await new Response(second).arrayBuffer()), data.slice(50, 60));
  assert.equal(told, 1);
  assert.deepEqual(urls, [
    "mine?alt=media",
    "mine?alt=media&acknowledgeAbuse=true",
    "mine?alt=media&acknowledgeAbuse=true",
  ]);

  // Not the owner: Drive refuses even the acknowledged request; one line, not retried.
  urls.length = 0;
  const refused = await client.read("other", 0, 10).then(() => undefined, (error) => error);
  assert.ok(refused instanceof AbusiveFileError, String(refused));
  assert.match(refused.message, /flagged the file as malware or spam.*only its owner/);
  assert.equal(urls.length, 2);
});

Deno.test("DriveClient.list: a nextPageToken given before stops the listing in one line after the files listed", async () => {
  let asked = 0;
  // The first page again for "LOOP", which every page names as the next (20 pages at most: a listing that
  // kept asking would end, and fail the test, rather than hang it).
  const fetcher = () => {
    asked++;
    const page = { files: [{ id: `f${asked}`, name: "takeout-20250101T000000Z-001.zip", size: "1" }] };
    return Promise.resolve(Response.json(asked < 20 ? { ...page, nextPageToken: "LOOP" } : page));
  };
  const client = new DriveClient({
    tokens: { accessToken: () => Promise.resolve("t"), renew: RENEW },
    apiUrl: "https://drive.test",
    fetch: fetcher as typeof fetch,
  });
  const listed: string[] = [];
  await assert.rejects(
    async () => {
      for await (const file of client.list("trashed = false")) listed.push(file.id);
    },
    (error: Error) =>
      error instanceof PhotosyncError &&
      /^listing Google Drive's files: Google gave a page token it had given before \(after 2 pages\)/.test(
        error.message,
      ),
  );
  assert.deepEqual(listed, ["f1", "f2"]);
});
