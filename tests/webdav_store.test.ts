/**
 * The WebDAV store (lib/sources/takeout/webdav/) against a real `rclone serve webdav` over a local folder
 * (through a counting proxy where a test needs to count or to fail requests), and against small servers
 * of the test's own where rclone cannot play the case (a server that is no WebDAV, a foreign href, a body
 * cut short).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AuthError, PhotosyncError, UsageError } from "../lib/core/errors.ts";
import { TransientError } from "../lib/core/retry.ts";
import type { RemoteFile } from "../lib/sources/takeout/remote/remote_store.ts";
import { WebdavStore } from "../lib/sources/takeout/webdav/webdav_store.ts";
import { CountingProxy } from "../testing/counting_proxy.ts";
import { rcloneAvailable, RcloneWebdav } from "../testing/rclone_webdav.ts";

const rclone = await rcloneAvailable();
const ignore = !rclone;
const note = rclone ? "" : " (ignored: rclone is not installed; .ci/run installs it)";

/** Backoff without waiting, so that retries cost no time. */
const noWait = { sleep: () => Promise.resolve() };

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Bytes that differ at every offset (a shifted range reads differently). */
function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** A folder of exports with subfolders, spaces, `&`, non-ASCII and decomposed names, and a file that is no part. */
async function exportFolder(): Promise<{ root: string; files: Map<string, Uint8Array> }> {
  const root = await Deno.makeTempDir({ prefix: "photosync-webdav-" });
  const files = new Map<string, Uint8Array>([
    ["takeout-20260602T101010Z-001.zip", pattern(300_000, 1)],
    ["2026-08/takeout-20260802T101010Z-001.zip", pattern(70_000, 2)],
    ["2026-08/Fotos für Oma & Opa/takeout-20260802T101010Z-002.zip", pattern(5_000, 3)],
    ["Dropbox Apps/Google Download Your Data/takeout-20261002T101010Z-3-001.zip", pattern(1, 4)],
    ["e\u0301te\u0301/takeout-20261202T101010Z-001.zip", new Uint8Array()],
  ]);
  // No Takeout part: passed over.
  await Deno.writeTextFile(join(root, "notes.txt"), "not an export");
  for (const [path, bytes] of files) {
    await Deno.mkdir(join(root, path, ".."), { recursive: true });
    await Deno.writeFile(join(root, path), bytes);
  }
  await Deno.mkdir(join(root, "empty folder"));
  return { root, files };
}

async function listAll(store: WebdavStore, signal?: AbortSignal): Promise<RemoteFile[]> {
  const files: RemoteFile[] = [];
  for await (const file of store.list(signal)) files.push(file);
  return files;
}

Deno.test({
  name: `the store lists every file in subfolders and reads exact byte ranges from rclone${note}`,
  ignore,
  async fn() {
    const { root, files } = await exportFolder();
    await using server = await RcloneWebdav.start({ root });
    await using proxy = new CountingProxy(server.url);
    const store = new WebdavStore({ url: proxy.url });
    assert.equal(store.description, `WebDAV ${proxy.url}`);
    const listed = await listAll(store);
    const relative = (file: RemoteFile) => decodeURIComponent(new URL(file.id).pathname.slice(1));
    assert.deepEqual(
      listed.map((file) => [relative(file).normalize("NFC"), file.size]).sort(),
      [...files].map(([path, bytes]) => [path.normalize("NFC"), bytes.length]).sort(),
    );
    // Folder by folder (breadth first), each in name order: what the caller sees first is the top.
    assert.equal(listed[0].name, "takeout-20260602T101010Z-001.zip");
    const oma = listed.find((file) => file.name === "takeout-20260802T101010Z-002.zip")!;
    assert.equal(oma.location, `${proxy.url}2026-08/Fotos für Oma & Opa/takeout-20260802T101010Z-002.zip`);
    assert.ok(Math.abs(oma.modifiedMs! - Date.now()) < 3_600_000, "the listing's modification time");
    // One PROPFIND per folder (the root, 2026-08, its Fotos folder, Dropbox Apps, its Google folder, étè,
    // the empty one), nothing read.
    assert.deepEqual({ ...proxy.counts.requests }, { PROPFIND: 7 });

    proxy.reset();
    const big = listed.find((file) => file.name === "takeout-20260602T101010Z-001.zip")!;
    const bytes = files.get("takeout-20260602T101010Z-001.zip")!;
    for (const [start, end] of [[0, 1], [0, 300_000], [123_456, 200_001], [299_999, 300_000], [5, 5]]) {
      const got = await readAll(await store.read(big, start, end));
      assert.deepEqual(got, bytes.subarray(start, end), `bytes ${start}-${end}`);
    }
    // A zero-length range is no request; the others fetched their bytes and no more.
    const { requests, bytes: sent } = proxy.counts;
    assert.equal(requests.GET, 4);
    assert.equal(sent.GET, 1 + 300_000 + 76_545 + 1);
    const empty = listed.find((file) => file.name === "takeout-20261202T101010Z-001.zip")!;
    assert.deepEqual(await readAll(await store.read(empty, 0, 0)), new Uint8Array());
    await assert.rejects(store.read(big, 10, 300_001), RangeError);
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test({
  name:
    `a login rclone refuses, or one that is missing, is an AuthError (exit 4) that never shows the password${note}`,
  ignore,
  async fn() {
    const { root } = await exportFolder();
    await using server = await RcloneWebdav.start({ root, user: "anna", password: "correct horse" });
    const outcomes: string[] = [];
    for (const credentials of [undefined, { user: "anna", password: "wrong staple" }]) {
      const store = new WebdavStore({ url: server.url, credentials, retry: noWait });
      await assert.rejects(listAll(store), (error: Error) => {
        assert.ok(error instanceof AuthError, String(error));
        assert.equal(error.exitCode, 4);
        assert.doesNotMatch(error.message, /\n|staple|horse/);
        outcomes.push(error.message);
        return true;
      });
    }
    assert.match(
      outcomes[0],
      /asks for a login \(HTTP 401 .*\): set PHOTOSYNC_WEBDAV_USER and PHOTOSYNC_WEBDAV_PASSWORD/,
    );
    assert.match(outcomes[1], /refused the login \(HTTP 401 .*\): check PHOTOSYNC_WEBDAV_USER/);
    const store = new WebdavStore({
      url: server.url,
      credentials: { user: "anna", password: "correct horse" },
    });
    const listed = await listAll(store);
    assert.equal(listed.length, 5);
    const one = listed.find((file) => file.size === 1)!;
    assert.deepEqual(await readAll(await store.read(one, 0, 1)), pattern(1, 4));
    // A file read with a login that rclone refuses now (the password changed under a long run).
    const refused = new WebdavStore({ url: server.url, credentials: { user: "anna", password: "old" } });
    await assert.rejects(refused.read(one, 0, 1), AuthError);
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test({
  name: `429 and 5xx are retried under the shared rules; retries that run out end in one line${note}`,
  ignore,
  async fn() {
    const { root, files } = await exportFolder();
    await using server = await RcloneWebdav.start({ root });
    await using proxy = new CountingProxy(server.url);
    const retries: string[] = [];
    const store = new WebdavStore({
      url: `${proxy.url}2026-08`,
      retry: { ...noWait, onRetry: (error) => retries.push(error.message) },
    });
    proxy.fail(2, 503);
    const listed = await listAll(store);
    assert.deepEqual(listed.map((file) => file.name), [
      "takeout-20260802T101010Z-001.zip",
      "takeout-20260802T101010Z-002.zip",
    ]);
    assert.equal(retries.length, 2);
    assert.match(retries[0], /PROPFIND .*2026-08\/ answered HTTP 503/);

    proxy.fail(1, 429, "0");
    const bytes = await readAll(await store.read(listed[0], 1000, 2000));
    assert.deepEqual(bytes, files.get("2026-08/takeout-20260802T101010Z-001.zip")!.subarray(1000, 2000));
    assert.equal(retries.length, 3);

    proxy.fail(100, 502);
    await assert.rejects(store.read(listed[0], 0, 10), (error: Error) => {
      assert.ok(error instanceof PhotosyncError && !(error instanceof TransientError), String(error));
      assert.equal(error.exitCode, 1);
      assert.match(
        error.message,
        /^WebDAV .* kept failing \(GET .* answered HTTP 502.*\); what is imported is kept/,
      );
      return true;
    });
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test({
  name: `a file that changed on the server since it was listed is read no further${note}`,
  ignore,
  async fn() {
    const { root } = await exportFolder();
    await using server = await RcloneWebdav.start({ root });
    const store = new WebdavStore({ url: server.url, retry: noWait });
    const file = (await listAll(store)).find((file) => file.name === "takeout-20260602T101010Z-001.zip")!;
    await Deno.writeFile(join(root, "takeout-20260602T101010Z-001.zip"), pattern(1000, 9));
    await assert.rejects(
      store.read(file, 0, 10),
      /changed on the server while it was read \(it now has 1000 bytes/,
    );
    await assert.rejects(store.read(file, 5000, 6000), /changed on the server while it was read/);
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test({
  name: `the run's stop ends a listing and a read with its reason${note}`,
  ignore,
  async fn() {
    const { root } = await exportFolder();
    await using server = await RcloneWebdav.start({ root });
    const store = new WebdavStore({ url: server.url });
    const stop = new AbortController();
    const files = store.list(stop.signal);
    const first = await files.next();
    assert.equal(first.done, false);
    stop.abort(new Error("time is up"));
    await assert.rejects(files.next(), /time is up/);
    const big = first.value as RemoteFile;
    const reading = new AbortController();
    const stream = await store.read(big, 0, big.size, reading.signal);
    const reader = stream.getReader();
    await reader.read();
    reading.abort(new Error("stopped"));
    await assert.rejects(
      (async () => {
        while (!(await reader.read()).done);
      })(),
      /stopped/,
    );
    await Deno.remove(root, { recursive: true });
  },
});

/** A server of the test's own, answering every request with `answer`. */
function serve(answer: (request: Request, origin: string) => Response | Promise<Response>) {
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request): Response | Promise<Response> => answer(request, `http://127.0.0.1:${server.addr.port}`),
  );
  return Object.assign(server, {
    url: `http://127.0.0.1:${server.addr.port}/`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  });
}

Deno.test({
  name: `a read's bytes can be read into the reader's own buffer, again and again, byte-exact${note}`,
  ignore,
  async fn() {
    // What a large span's fetch does (`rangeChunks`): no buffer made per network chunk.
    const { root, files } = await exportFolder();
    await using server = await RcloneWebdav.start({ root });
    const store = new WebdavStore({ url: server.url });
    const big = (await listAll(store)).find((file) => file.name === "takeout-20260602T101010Z-001.zip")!;
    const bytes = files.get("takeout-20260602T101010Z-001.zip")!;
    const reader = (await store.read(big, 1_000, 290_001)).getReader({ mode: "byob" });
    const got = new Uint8Array(289_001);
    let buffer = new Uint8Array(16_384);
    let filled = 0;
    for (;;) {
      const { value, done } = await reader.read(buffer);
      if (done) break;
      assert.ok(value.length > 0 && value.length <= 16_384);
      got.set(value, filled);
      filled += value.length;
      buffer = new Uint8Array(value.buffer);
    }
    assert.equal(filled, 289_001);
    assert.deepEqual(got, bytes.subarray(1_000, 290_001));
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test("a URL that is no WebDAV folder is bad input in one line: a web page, a 404, a 405", async () => {
  await using web = serve((request) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/page/")) {
      return new Response("<html>hello</html>", { headers: { "content-type": "text/html" } });
    }
    if (path.startsWith("/nope/")) return new Response("not found", { status: 404 });
    return new Response("method not allowed", { status: 405 });
  });
  const cases: [string, RegExp][] = [
    ["page", /is no WebDAV folder: it answered PROPFIND with HTTP 200, not a 207 multistatus$/],
    ["nope", /^there is no folder at http:\/\/127\.0\.0\.1:\d+\/nope\/ \(HTTP 404\): check --from$/],
    ["other", /is no WebDAV folder: it does not answer PROPFIND \(HTTP 405\)/],
  ];
  for (const [path, message] of cases) {
    const store = new WebdavStore({ url: `${web.url}${path}`, retry: noWait });
    await assert.rejects(listAll(store), (error: Error) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("hrefs on another origin or outside the folder are never requested (credentials stay home)", async () => {
  const requested: string[] = [];
  await using dav = serve((request, origin) => {
    requested.push(
      `${request.method} ${new URL(request.url).pathname} ${request.headers.get("authorization")}`,
    );
    const entry = (href: string, collection: boolean, size?: number) =>
      `<D:response><D:href>${href}</D:href><D:propstat><D:prop><D:resourcetype>${
        collection ? "<D:collection/>" : ""
      }</D:resourcetype>${
        size === undefined ? "" : `<D:getcontentlength>${size}</D:getcontentlength>`
      }</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
    return new Response(
      `<D:multistatus xmlns:D="DAV:">${entry("/t/", true)}${entry("http://evil.example/t/x/", true)}${
        entry("/elsewhere/", true)
      }${entry(`${origin}/t/../t/`, true)}${
        entry("http://evil.example/t/takeout-20260602T101010Z-001.zip", false, 3)
      }${entry("/t/takeout-20260602T101010Z-002.zip", false, 4)}</D:multistatus>`,
      { status: 207, headers: { "content-type": "application/xml" } },
    );
  });
  const store = new WebdavStore({ url: `${dav.url}t/`, credentials: { user: "u", password: "p" } });
  const listed = await listAll(store);
  assert.deepEqual(listed.map((file) => [file.name, file.size]), [["takeout-20260602T101010Z-002.zip", 4]]);
  assert.deepEqual(requested, [`PROPFIND /t/ Basic ${btoa("u:p")}`]);
});

Deno.test("a body cut short errors the stream with a TransientError (the caller reads on from there)", async () => {
  await using dav = serve(() => {
    // Claims bytes 0-99 but sends 10 and ends.
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    return new Response(body, { status: 206, headers: { "content-range": "bytes 0-99/1000" } });
  });
  const store = new WebdavStore({ url: dav.url });
  const file: RemoteFile = { id: `${dav.url}a.zip`, name: "a.zip", location: "a.zip", size: 1000 };
  await assert.rejects(readAll(await store.read(file, 0, 100)), (error: Error) => {
    assert.ok(error instanceof TransientError, String(error));
    assert.match(error.message, /ended after 10 of 100 bytes/);
    return true;
  });
});

Deno.test("a server nothing answers at: the retries say why, and so does the last line", async () => {
  // A port that was just free: listen on 0, note the port, close.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const retries: string[] = [];
  const store = new WebdavStore({
    url: `http://127.0.0.1:${port}/exports/`,
    retry: { ...noWait, onRetry: (error) => retries.push(error.message) },
  });
  await assert.rejects(listAll(store), (error: Error) => {
    assert.ok(error instanceof PhotosyncError && !(error instanceof TransientError), String(error));
    assert.match(
      error.message,
      /^WebDAV http:\/\/127\.0\.0\.1:\d+\/exports\/ kept failing \(listing .*: connection refused: nothing answers at that address and port\); what is imported is kept/,
    );
    return true;
  });
  assert.equal(retries.length, 7);
  for (const retry of retries) assert.match(retry, /: connection refused: nothing answers/);
});

Deno.test("the folders next in line are listed at once: each listing is a round trip (a folder per export)", async () => {
  const multistatus = (...entries: [href: string, collection: boolean][]) =>
    new Response(
      `<D:multistatus xmlns:D="DAV:">${
        entries.map(([href, collection]) =>
          `<D:response><D:href>${href}</D:href><D:propstat><D:prop><D:resourcetype>${
            collection ? "<D:collection/>" : ""
          }</D:resourcetype><D:getcontentlength>1</D:getcontentlength></D:prop>` +
          `<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`
        ).join("")
      }</D:multistatus>`,
      { status: 207, headers: { "content-type": "application/xml" } },
    );
  // Each export folder's listing is answered only once both were asked for: listed one after the other,
  // the first would wait for ever (here: until the store gives up on a silent server).
  const asked: string[] = [];
  const both = Promise.withResolvers<void>();
  await using dav = serve(async (request) => {
    const path = new URL(request.url).pathname;
    asked.push(path);
    if (path === "/t/") return multistatus(["/t/", true], ["/t/2026-03/", true], ["/t/2026-01/", true]);
    if (asked.length === 3) both.resolve();
    await both.promise;
    return multistatus([path, true], [
      `${path}takeout-${path.slice(3, 7)}${path.slice(8, 10)}10T101010Z-001.zip`,
      false,
    ]);
  });
  const store = new WebdavStore({ url: `${dav.url}t/`, idleMs: 5_000, retry: { ...noWait, attempts: 1 } });
  let listed;
  try {
    listed = await listAll(store);
  } finally {
    both.resolve();
  }
  // In order all the same: folder by folder, by name.
  assert.deepEqual(listed.map((file) => file.name), [
    "takeout-20260110T101010Z-001.zip",
    "takeout-20260310T101010Z-001.zip",
  ]);
  assert.deepEqual(asked.slice(1).sort(), ["/t/2026-01/", "/t/2026-03/"]);
});

Deno.test("character references in a listing's hrefs are decoded: the file is read where the server says", async () => {
  const requested: string[] = [];
  await using dav = serve((request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    requested.push(`${request.method} ${path}`);
    if (request.method === "GET") {
      if (path !== "/t/takeout-20260602T101010Z-001.zip") return new Response("no", { status: 404 });
      return new Response("PK", { status: 206, headers: { "content-range": "bytes 0-1/2" } });
    }
    const entry = (href: string) =>
      `<D:response><D:href>${href}</D:href><D:propstat><D:prop><D:resourcetype/>` +
      `<D:getcontentlength>2</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>` +
      `</D:response>`;
    return new Response(
      `<D:multistatus xmlns:D="DAV:">${entry("/t/&#x74;akeout-20260602T101010Z-001.zip")}${
        entry("/t/&#116;akeout-20260602T101010Z-002.zip")
      }</D:multistatus>`,
      { status: 207, headers: { "content-type": "application/xml" } },
    );
  });
  const store = new WebdavStore({ url: `${dav.url}t/`, retry: noWait });
  const listed = await listAll(store);
  assert.deepEqual(listed.map((file) => file.name), [
    "takeout-20260602T101010Z-001.zip",
    "takeout-20260602T101010Z-002.zip",
  ]);
  assert.deepEqual(await readAll(await store.read(listed[0], 0, 2)), new TextEncoder().encode("PK"));
  assert.deepEqual(requested, ["PROPFIND /t/", "GET /t/takeout-20260602T101010Z-001.zip"]);
});

/** A `<D:response>` of a file: its href, and its size when given. */
const fileEntry = (href: string, size?: number) =>
  `<D:response><D:href>${href}</D:href><D:propstat><D:prop><D:resourcetype/>${
    size === undefined ? "" : `<D:getcontentlength>${size}</D:getcontentlength>`
  }</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;

Deno.test("a folder of very many other files: only its parts are kept, and no other file is asked its size", async () => {
  const requested: string[] = [];
  await using dav = serve((request) => {
    requested.push(`${request.method} ${new URL(request.url).pathname}`);
    if (request.method === "HEAD") {
      const part = new URL(request.url).pathname.includes("takeout-");
      return new Response(null, { status: part ? 200 : 404, headers: { "content-length": "7" } });
    }
    // 20,000 files without a size (a HEAD each, were they kept), the two parts among them, sent as they are made.
    let sent = 0;
    const encoder = new TextEncoder();
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (sent === 0) controller.enqueue(encoder.encode(`<D:multistatus xmlns:D="DAV:">`));
          if (sent === 20_000) {
            controller.enqueue(encoder.encode(`</D:multistatus>`));
            return controller.close();
          }
          const entries = [];
          for (const end = sent + 1000; sent < end; sent++) {
            entries.push(
              fileEntry(sent === 7_777 ? "/t/takeout-20260602T101010Z-001.zip" : `/t/IMG_${sent}.jpg`),
            );
          }
          if (sent === 20_000) entries.push(fileEntry("/t/takeout-20260602T101010Z-002.zip", 9));
          controller.enqueue(encoder.encode(entries.join("")));
        },
      }),
      { status: 207, headers: { "content-type": "application/xml" } },
    );
  });
  const store = new WebdavStore({ url: `${dav.url}t/`, retry: noWait });
  const listed = await listAll(store);
  assert.deepEqual(listed.map((file) => [file.name, file.size]), [
    ["takeout-20260602T101010Z-001.zip", 7],
    ["takeout-20260602T101010Z-002.zip", 9],
  ]);
  assert.deepEqual(requested, ["PROPFIND /t/", "HEAD /t/takeout-20260602T101010Z-001.zip"]);
});

Deno.test("a listing over the bound (one that never ends) is refused in one line as it passes it, naming the folder", async () => {
  let cancelled = false;
  await using dav = serve(() => {
    const encoder = new TextEncoder();
    let sent = 0;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (sent === 0) controller.enqueue(encoder.encode(`<D:multistatus xmlns:D="DAV:">`));
          // Cut off at 3 MB (no end: no multistatus), not to flood a store that reads on.
          if (sent === 30) return controller.close();
          controller.enqueue(encoder.encode(fileEntry(`/t/junk-${sent++}.txt`, 1).repeat(1000)));
        },
        cancel() {
          cancelled = true;
        },
      }),
      { status: 207, headers: { "content-type": "application/xml" } },
    );
  });
  const store = new WebdavStore({ url: `${dav.url}t/`, retry: noWait, maxListingBytes: 1_000_000 });
  await assert.rejects(listAll(store), (error: Error) => {
    assert.ok(error instanceof PhotosyncError && !(error instanceof TransientError), String(error));
    assert.match(
      error.message,
      /^WebDAV http:\/\/127\.0\.0\.1:\d+\/t\/: the listing of http:\/\/127\.0\.0\.1:\d+\/t\/ is over 1 MiB \(\d+ files and folders so far\) and was not read on: give --from the folder that holds the Takeout parts, or move other files out of it$/,
    );
    return true;
  });
  // The answer was broken off, not read to its (missing) end.
  await dav.shutdown();
  assert.ok(cancelled);
});

Deno.test("a redirect to another host or scheme is refused in one line naming both URLs; nothing goes there", async () => {
  const elsewhere: string[] = [];
  await using other = serve((request) => {
    elsewhere.push(
      `${request.method} ${new URL(request.url).pathname} ${request.headers.get("authorization")}`,
    );
    // As a login-protected host answers a request that comes without its credentials.
    return new Response("login", { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } });
  });
  await using dav = serve((request) => {
    const path = new URL(request.url).pathname;
    const to = request.method === "PROPFIND" && path === "/t/"
      ? `${other.url}moved/`
      : `${other.url}moved/x.zip`;
    if (path === "/t/" || request.method === "GET") {
      return new Response(null, { status: request.method === "GET" ? 302 : 301, headers: { location: to } });
    }
    return new Response("no", { status: 404 });
  });
  const credentials = { user: "u", password: "p" };
  const store = new WebdavStore({ url: `${dav.url}t/`, credentials, retry: noWait });
  await assert.rejects(listAll(store), (error: Error) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(
      error.message,
      `${dav.url}t/ redirects to ${other.url}moved/, on another host: photosync sends requests and the login ` +
        `only to the host of --from; give the URL it redirects to: --from=${other.url}moved/`,
    );
    return true;
  });
  const file: RemoteFile = {
    id: `${dav.url}t/takeout-20260602T101010Z-001.zip`,
    name: "takeout-20260602T101010Z-001.zip",
    location: "takeout-20260602T101010Z-001.zip",
    size: 10,
  };
  await assert.rejects(store.read(file, 0, 10), (error: Error) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.match(
      error.message,
      /\/t\/takeout-20260602T101010Z-001\.zip redirects to http:.*\/moved\/x\.zip, on another host:/,
    );
    assert.match(error.message, /give --from the folder's URL on http:\/\/127\.0\.0\.1:\d+$/);
    return true;
  });
  assert.deepEqual(elsewhere, []);
});

Deno.test("redirects on the folder's own origin are followed, a listing's to where its entries are; a loop ends", async () => {
  const requested: string[] = [];
  await using dav = serve((request) => {
    const path = new URL(request.url).pathname;
    requested.push(`${request.method} ${path} ${request.headers.get("authorization")}`);
    const redirect = (status: number, location: string) =>
      new Response(null, { status, headers: { location } });
    if (path === "/old/") return redirect(301, "/new/");
    if (path === "/loop/") return redirect(307, "/loop/");
    if (path === "/new/") {
      return new Response(
        `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/new/</D:href><D:propstat><D:prop><D:resourcetype>` +
          `<D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>` +
          `</D:response>${fileEntry("/new/takeout-20260602T101010Z-001.zip", 2)}</D:multistatus>`,
        { status: 207, headers: { "content-type": "application/xml" } },
      );
    }
    if (path === "/new/takeout-20260602T101010Z-001.zip") return redirect(308, "/blobs/1");
    if (path === "/blobs/1") {
      return new Response("PK", { status: 206, headers: { "content-range": "bytes 0-1/2" } });
    }
    return new Response("no", { status: 404 });
  });
  const login = `Basic ${btoa("u:p")}`;
  const store = new WebdavStore({
    url: `${dav.url}old/`,
    credentials: { user: "u", password: "p" },
    retry: noWait,
  });
  const listed = await listAll(store);
  assert.deepEqual(listed.map((file) => [file.name, file.location]), [
    ["takeout-20260602T101010Z-001.zip", `${dav.url}new/takeout-20260602T101010Z-001.zip`],
  ]);
  assert.deepEqual(await readAll(await store.read(listed[0], 0, 2)), new TextEncoder().encode("PK"));
  assert.deepEqual(requested, [
    `PROPFIND /old/ ${login}`,
    `PROPFIND /new/ ${login}`,
    `GET /new/takeout-20260602T101010Z-001.zip ${login}`,
    `GET /blobs/1 ${login}`,
  ]);
  requested.length = 0;
  await assert.rejects(
    listAll(new WebdavStore({ url: `${dav.url}loop/`, retry: noWait })),
    (error: Error) => {
      assert.ok(error instanceof PhotosyncError && !(error instanceof TransientError), String(error));
      assert.match(
        error.message,
        /loop\/ kept redirecting \(more than 10 redirects, the last to .*\/loop\/\)$/,
      );
      return true;
    },
  );
  assert.equal(requested.length, 11);
});
