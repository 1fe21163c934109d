/**
 * The emulated Drive API v3 (`testing/emulator/drive_api.ts`) against the behaviour of Google's that
 * `photosync takeout --drive` relies on: `files.list` (`q`, paging, `fields`), `files.get` (metadata,
 * `alt=media` with `Range`: 206, `Content-Range`, 416), a file flagged as abusive (`acknowledgeAbuse`), the
 * Drive scope, injected faults, bytes served.
 */
import assert from "node:assert/strict";
import { Emulator } from "../testing/emulator.ts";
import { DRIVE_SCOPE, LIBRARY_SCOPE } from "../testing/emulator/oauth.ts";

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

Deno.test("emulated Drive: files.list with q, paging and fields; files.get with Range; scope and faults", async () => {
  await using emulator = await Emulator.start();
  const drive = emulator.drive;
  const part = bytes(10_000, 1);
  const id = await drive.add({ name: "takeout-20251110T101010Z-001.zip", bytes: part });
  await drive.add({ name: "takeout-20251110T101010Z-002.zip", bytes: bytes(20, 2), trashed: true });
  const path = await Deno.makeTempFile();
  await Deno.writeFile(path, bytes(5_000, 3));
  const delivered = new Date("2026-01-10T10:12:00Z");
  await Deno.utime(path, delivered, delivered);
  const onDisk = await drive.add({ name: "takeout-20260110T101010Z-3-001.zip", path, folder: "Backups" });
  await drive.add({ name: "holiday.jpg", bytes: bytes(10, 4) });
  const { accessToken } = emulator.grant(DRIVE_SCOPE);
  const call = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${emulator.driveUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}`, ...headers } });
  const list = async (params: Record<string, string>) => {
    const response = await call(`/drive/v3/files?${new URLSearchParams(params)}`);
    assert.equal(response.status, 200);
    return await response.json();
  };

  const q =
    "name contains 'takeout-' and trashed = false and mimeType != 'application/vnd.google-apps.folder'";
  const found = await list({ q, fields: "nextPageToken,files(id,name,size,parents)" });
  assert.deepEqual(found.files.map((f: { name: string }) => f.name), [
    "takeout-20251110T101010Z-001.zip",
    "takeout-20260110T101010Z-3-001.zip",
  ]);
  // Only the fields asked for; size as a string, as Drive sends it.
  assert.deepEqual(Object.keys(found.files[0]).sort(), ["id", "name", "parents", "size"]);
  assert.equal(found.files[0].size, "10000");
  assert.equal(found.nextPageToken, undefined);
  // Without fields, Drive's default (no size).
  assert.deepEqual(Object.keys((await list({ q })).files[0]).sort(), ["id", "kind", "mimeType", "name"]);
  // Paging.
  const first = await list({ q: "trashed = false", pageSize: "2", fields: "nextPageToken,files(name)" });
  assert.equal(first.files.length, 2);
  const second = await list({
    q: "trashed = false",
    pageSize: "2",
    pageToken: first.nextPageToken,
    fields: "files(name)",
  });
  assert.ok(second.files.length >= 1);
  // The parent folder's name; the root is My Drive.
  const folder = await (await call(`/drive/v3/files/${found.files[1].parents[0]}?fields=id,name,parents`))
    .json();
  assert.equal(folder.name, "Backups");
  assert.deepEqual(await (await call(`/drive/v3/files/root?fields=name,parents`)).json(), {
    name: "My Drive",
    parents: [],
  });
  // Times: a file on disk is dated by its modification time.
  const dated = await list({
    q: "name = 'takeout-20260110T101010Z-3-001.zip'",
    fields: "files(createdTime,modifiedTime)",
  });
  assert.deepEqual(dated.files, [{
    createdTime: delivered.toISOString(),
    modifiedTime: delivered.toISOString(),
  }]);
  // A q form the emulator does not know is Drive's 400.
  const bad = await call(`/drive/v3/files?${new URLSearchParams({ q: "fullText contains 'x'" })}`);
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.errors[0].reason, "invalid");

  // Ranges.
  drive.bytesServed = 0;
  const ranged = await call(`/drive/v3/files/${id}?alt=media`, { range: "bytes=100-199" });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get("content-range"), "bytes 100-199/10000");
  assert.deepEqual(new Uint8Array(await ranged.arrayBuffer()), part.slice(100, 200));
  const tail = await call(`/drive/v3/files/${onDisk}?alt=media`, { range: "bytes=4990-" });
  assert.equal(tail.headers.get("content-range"), "bytes 4990-4999/5000");
  assert.equal((await tail.arrayBuffer()).byteLength, 10);
  const whole = await call(`/drive/v3/files/${id}?alt=media`);
  assert.equal(whole.status, 200);
  assert.equal((await whole.arrayBuffer()).byteLength, 10_000);
  assert.equal(drive.bytesServed, 100 + 10 + 10_000);
  const past = await call(`/drive/v3/files/${id}?alt=media`, { range: "bytes=10000-10010" });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get("content-range"), "bytes */10000");
  await past.body?.cancel();

  // A file flagged as malware or spam: Drive's 403 in Drive's shape, unless the download acknowledges it.
  const flagged = await drive.add({ name: "takeout-20251110T101010Z-003.zip", bytes: part, abusive: true });
  const abusive = await call(`/drive/v3/files/${flagged}?alt=media`, { range: "bytes=0-9" });
  assert.equal(abusive.status, 403);
  const message = "This file has been identified as malware or spam and cannot be downloaded.";
  assert.deepEqual(await abusive.json(), {
    error: {
      code: 403,
      message,
      errors: [{ domain: "global", reason: "cannotDownloadAbusiveFile", message }],
    },
  });
  const acknowledged = await call(`/drive/v3/files/${flagged}?alt=media&acknowledgeAbuse=true`, {
    range: "bytes=0-9",
  });
  assert.equal(acknowledged.status, 206);
  assert.deepEqual(new Uint8Array(await acknowledged.arrayBuffer()), part.slice(0, 10));
  const notDownload = await call(`/drive/v3/files/${flagged}?fields=name&acknowledgeAbuse=true`);
  assert.equal(notDownload.status, 403);
  assert.equal((await notDownload.json()).error.errors[0].reason, "invalidAbuseAcknowledgment");

  // The Drive scope is needed.
  const library = emulator.grant(LIBRARY_SCOPE).accessToken;
  const refused = await fetch(`${emulator.driveUrl}/drive/v3/files`, {
    headers: { authorization: `Bearer ${library}` },
  });
  assert.equal(refused.status, 403);
  assert.match((await refused.json()).error.message, /insufficient authentication scopes/);

  // Injected faults: Drive's rate-limit 403, and a ranged body broken halfway.
  emulator.faults = { retryAfterSec: 0, rates: { driveList: { "403-rate": 1 }, driveGet: { reset: 1 } } };
  const limited = await call(`/drive/v3/files?q=${encodeURIComponent(q)}`);
  assert.equal(limited.status, 403);
  assert.equal((await limited.json()).error.errors[0].reason, "userRateLimitExceeded");
  assert.equal(limited.headers.get("retry-after"), "0");
  const broken = await call(`/drive/v3/files/${id}?alt=media`, { range: "bytes=0-999" });
  assert.equal(broken.status, 206);
  await assert.rejects(broken.arrayBuffer());
  assert.deepEqual([emulator.injected["driveList:403-rate"], emulator.injected["driveGet:reset"]], [1, 1]);
  await Deno.remove(path);
});
