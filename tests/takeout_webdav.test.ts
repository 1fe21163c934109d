/**
 * `photosync takeout --from=URL` against a real `rclone serve webdav` over a local folder of exports (as a
 * user serves Dropbox, OneDrive, Box or S3 with `rclone serve webdav REMOTE:PATH`): the import equals the local
 * import of the same parts; next year's full baseline beside them costs a fraction of its bytes; kill -9, then
 * a plain run, gives the same tree; a refused login is one line, exit 4. Lean: one export, few runs.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { assertNoSecrets, assertOneLineError } from "../testing/asserts.ts";
import { CountingProxy } from "../testing/counting_proxy.ts";
import { CliProcess, type CliResult, listFiles, runPhotosync } from "../testing/harness.ts";
import { rcloneAvailable, RcloneWebdav } from "../testing/rclone_webdav.ts";
import { totalSize, writeArchives } from "../testing/takeout/archives.ts";
import { writeZip } from "../testing/takeout/hand_archives.ts";
import { bigExport } from "../testing/takeout/big_export.ts";
import { generateTakeout } from "../testing/takeout/export.ts";
import type { TakeoutExport } from "../testing/takeout/model.ts";
import { backupTree } from "../testing/takeout/backup_state.ts";

const rclone = await rcloneAvailable();
const ignore = !rclone;
const note = rclone ? "" : " (ignored: rclone is not installed; .ci/run installs it)";

const WORK = await Deno.makeTempDir({ prefix: "photosync-takeout-webdav-" });
Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

const USER = "anna";
const PASSWORD = "pässwörd with spaces";
const LOGIN = { PHOTOSYNC_WEBDAV_USER: USER, PHOTOSYNC_WEBDAV_PASSWORD: PASSWORD };

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runPhotosync(args, { env: { TZ: "UTC", ...env } });

/** The items of `sync.db` (by content hash) with their paths, dates, names and states, and album memberships. */
function rows(dir: string): string[] {
  using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  const items = db.prepare("SELECT hash, path, created_ms, filename, status FROM items ORDER BY hash").all();
  const members = db.prepare(
    "SELECT items.hash || ' ' || album_id AS m FROM item_albums JOIN items ON items.id = item_id ORDER BY m",
  ).all();
  return [...items, ...members].map((row) => JSON.stringify(row));
}

/**
 * One export (both sidecar styles, albums, edited copies, motion photos, trash, the hand-written quirks) in
 * three parts, served from a subfolder of the served root, beside a file that is no export; and its local
 * import, the reference every WebDAV import is held to.
 */
let fixtureRun: Promise<{ served: string; zips: string[]; tree: string[]; rows: string[] }> | undefined;
const fixture = () =>
  fixtureRun ??= (async () => {
    const exp = generateTakeout({ seed: 23, count: 16, sidecarStyle: "mixed" });
    const served = join(WORK, "served");
    const zips = await writeArchives(exp, join(served, "Apps", "Google Download Your Data"), { parts: 3 });
    await Deno.writeTextFile(join(served, "notes.txt"), "not an export");
    const local = join(WORK, "local");
    const run = await cli(["takeout", `--dir=${local}`, ...zips]);
    assert.equal(run.code, 0, run.stderr);
    return { served, zips, tree: await backupTree(local), rows: rows(local) };
  })();

Deno.test({
  name:
    `takeout --from imports a WebDAV folder's exports as the local import of the same parts; a refused login is one line${note}`,
  ignore,
  async fn() {
    const reference = await fixture();
    await using server = await RcloneWebdav.start({ root: reference.served, user: USER, password: PASSWORD });
    const dir = join(WORK, "from-webdav");
    const newFiles = join(WORK, "new-files.txt");
    const run = await cli(
      ["takeout", `--dir=${dir}`, `--from=${server.url}`, `--new-files=${newFiles}`],
      LOGIN,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await backupTree(dir), reference.tree);
    assert.deepEqual(rows(dir), reference.rows);
    // --new-files: the files the run added, as sync writes them.
    const placed = (await Deno.readTextFile(newFiles)).split("\n").filter(Boolean).sort();
    const photos = (await listFiles(dir)).filter((path) => !path.startsWith("albums/"));
    assert.deepEqual(placed.filter((path) => !path.startsWith("albums/")), photos);

    // A wrong password: exit 4, one line saying what to check, the password nowhere.
    const refused = await cli(["takeout", `--dir=${join(WORK, "refused")}`, `--from=${server.url}`], {
      ...LOGIN,
      PHOTOSYNC_WEBDAV_PASSWORD: "wrong horse",
    });
    assertOneLineError(refused, 4, /refused the login .*PHOTOSYNC_WEBDAV_PASSWORD/);
    assertNoSecrets([run, refused], [PASSWORD, "wrong horse"]);
  },
});

Deno.test({
  name:
    `takeout --from: --max-bytes stops early, kill -9 at a moment, then a plain run gives the same tree${note}`,
  ignore,
  async fn() {
    const reference = await fixture();
    await using server = await RcloneWebdav.start({ root: reference.served });
    const dir = join(WORK, "killed");
    const args = ["takeout", `--dir=${dir}`, `--from=${server.url}`];
    const limited = await cli([...args, "--max-bytes=20kB"]);
    assert.equal(limited.code, 3, limited.stderr);
    const before = (await listFiles(dir)).length;
    assert.ok(before > 0 && before < reference.tree.length, `${before} files after --max-bytes`);

    const victim = new CliProcess(args, { env: { TZ: "UTC" } });
    await victim.waitForLine((line) => line.startsWith("imported "), 3);
    victim.child.kill("SIGKILL");
    assert.notEqual((await victim.result()).code, 0);
    const killed = (await listFiles(dir)).length;
    assert.ok(killed < reference.tree.length, `killed before the end: ${killed} files`);

    const again = await cli(args);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await backupTree(dir), reference.tree);
    assert.deepEqual(rows(dir), reference.rows);
  },
});

Deno.test({
  name:
    `next year's full baseline beside the exports: a run fetches its directories and the new files only (≤ 15 % of its bytes)${note}`,
  ignore,
  async fn() {
    // Photos of realistic size (half a megabyte and more: far apart in the zip, so that reading the sidecars
    // between them does not read them too).
    const baseline = bigExport({
      totalBytes: 6_000_000,
      fileBytes: 500_000,
      exportedAt: "2025-11-10T10:10:10Z",
    });
    const added = bigExport({
      totalBytes: 500_000,
      fileBytes: 500_000,
      seed: 2,
      exportedAt: "2026-11-10T10:10:10Z",
    });
    const next: TakeoutExport = { ...added, files: [...baseline.files, ...added.files] };
    const served = join(WORK, "yearly");
    await writeArchives(baseline, join(served, "2025"), { parts: 2 });
    await using server = await RcloneWebdav.start({ root: served });
    await using proxy = new CountingProxy(server.url);
    const dir = join(WORK, "yearly-photos");
    const args = ["takeout", `--dir=${dir}`, `--from=${proxy.url}`];
    const first = await cli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((await listFiles(dir)).length, baseline.files.length);

    const parts = await writeArchives(next, join(served, "2026"), { parts: 2 });
    const partBytes = await totalSize(parts);
    proxy.reset();
    const second = await cli(args);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      (await listFiles(dir)).length,
      next.files.length,
      "the new files placed, the others found present",
    );
    const fetched = proxy.bytes;
    assert.ok(fetched <= 0.15 * partBytes, `fetched ${fetched} of ${partBytes} bytes`);
    // What it did fetch: the zip directories (each part's last 128 kB and more), the sidecars, the new photo.
    assert.ok(fetched > added.files[0].size, `fetched ${fetched} bytes`);
  },
});

Deno.test({
  name:
    `a first import of small photos (100 kB, a sidecar after each) fetches each byte of the parts about once${note}`,
  ignore,
  async fn() {
    // The catalog reads the sidecars first, the import the photos after: a sidecar's request that ran on
    // over the photo beside it fetched that photo twice (1.75–2x the parts' bytes for such an export).
    const exp = bigExport({
      totalBytes: 3_000_000,
      fileBytes: 100_000,
      seed: 4,
      exportedAt: "2025-11-10T10:10:10Z",
    });
    const served = join(WORK, "small-photos");
    const parts = await writeArchives(exp, join(served, "2025"), { parts: 2 });
    const partBytes = await totalSize(parts);
    await using server = await RcloneWebdav.start({ root: served });
    await using proxy = new CountingProxy(server.url);
    const dir = join(WORK, "small-photos-backup");
    const run = await cli(["takeout", `--dir=${dir}`, `--from=${proxy.url}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await listFiles(dir)).length, exp.files.length);
    assert.ok(proxy.bytes <= 1.1 * partBytes, `fetched ${proxy.bytes} bytes for ${partBytes} bytes of parts`);
  },
});

Deno.test({
  name:
    `takeout --from: an export that holds other Takeout products too imports its photos only, and its files are to be kept${note}`,
  ignore,
  async fn() {
    const served = join(WORK, "products");
    const bytes = (text: string) => new TextEncoder().encode(text);
    const photo = "Takeout/Google Photos/Photos from 2020";
    const sidecar = bytes(
      JSON.stringify({ title: "IMG_1.jpg", photoTakenTime: { timestamp: "1577880000" } }),
    );
    await Deno.mkdir(served);
    await writeZip(join(served, "takeout-20250101T000000Z-001.zip"), [
      [`${photo}/IMG_1.jpg`, bytes("a photo")],
      [`${photo}/IMG_1.jpg.supplemental-metadata.json`, sidecar],
    ]);
    await writeZip(join(served, "takeout-20250301T000000Z-001.zip"), [
      [`${photo}/IMG_2.jpg`, bytes("another photo")],
      ["Takeout/Drive/receipt.jpg", bytes("a scan in Drive")],
      ["Takeout/Keep/note.json", bytes(JSON.stringify({ title: "note" }))],
    ]);
    await using server = await RcloneWebdav.start({ root: served });
    const dir = join(WORK, "products-backup");
    for (const time of ["first", "second"]) {
      const run = await cli(["takeout", `--dir=${dir}`, `--from=${server.url}`]);
      assert.equal(run.code, 0, `${time} run: ${run.stderr}`);
      const names = (await listFiles(dir)).map((path) => path.split("/").pop()).filter((name) =>
        !name!.endsWith(".tsv")
      );
      assert.deepEqual(names.sort(), ["IMG_1.jpg", "IMG_2.jpg"]);
      assert.match(run.stderr, /export 20250101T000000Z is imported in full: its 1 file may now be deleted/);
      assert.match(
        run.stderr,
        /export 20250301T000000Z is imported in full; its 1 file holds other Takeout products too \(left out here\): keep it for those$/m,
      );
    }
  },
});

Deno.test({
  name:
    `a first import of small photos (50 kB) over a slow link (500 kB/s, 10 ms a round trip) fetches each byte of the parts about once: the gap a sidecar's span runs on over is the link's bandwidth-delay product, not 64 kB${note}`,
  ignore,
  async fn() {
    // With a gap of 64 kB (over loopback a request costs more than that) each sidecar's span ran on over the
    // photo beside it, and the import fetched that photo again: 1.8x the parts' bytes through this link. Here a
    // round trip is worth 5 kB, far less than a photo (a first byte's wait measured 10 times too long on a busy
    // machine, as waits for a CPU lengthen it, still leaves it so): the sidecars are fetched alone. The link is the
    // proxy's: through `rclone --bwlimit` the directory's read came at loopback speed (its bucket fills while
    // it is idle), and so did the gap.
    const exp = bigExport({
      totalBytes: 2_000_000,
      fileBytes: 50_000,
      seed: 6,
      exportedAt: "2025-11-10T10:10:10Z",
    });
    const served = join(WORK, "slow-small-photos");
    const parts = await writeArchives(exp, join(served, "2025"), { parts: 1 });
    const partBytes = await totalSize(parts);
    await using server = await RcloneWebdav.start({ root: served });
    await using proxy = new CountingProxy(server.url, {
      link: { bytesPerSecond: 500_000, roundTripMs: 10 },
    });
    const dir = join(WORK, "slow-small-photos-backup");
    const run = await cli(["takeout", `--dir=${dir}`, `--from=${proxy.url}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await listFiles(dir)).length, exp.files.length);
    assert.ok(proxy.bytes <= 1.2 * partBytes, `fetched ${proxy.bytes} bytes for ${partBytes} bytes of parts`);
  },
});

Deno.test({
  name:
    `a run that reads the parts' directories an earlier run kept spans the sidecars with the gap of the link the earlier run measured, not 64 kB: the photos are fetched once${note}`,
  ignore,
  async fn() {
    // 250 kB/s and 10 ms a round trip: a round trip is worth 2.5 kB, far less than a photo (40–60 kB, under the
    // 64 kB gap a run without a measure takes; a wait measured 10 times too long on a busy machine still leaves
    // it so). The first run measures it as it reads the part's directory, then stops in the sidecar pass; the
    // next reads the directory from sync.db, fetching nothing before its plan: with 64 kB, each sidecar's span
    // ran on over the photo beside it (each photo fetched twice, whatever the first run read of the sidecars).
    const exp = bigExport({
      totalBytes: 1_500_000,
      fileBytes: 50_000,
      seed: 7,
      exportedAt: "2025-11-10T10:10:10Z",
    });
    const served = join(WORK, "slow-resumed");
    const parts = await writeArchives(exp, join(served, "2025"), { parts: 1 });
    const partBytes = await totalSize(parts);
    await using server = await RcloneWebdav.start({ root: served });
    await using proxy = new CountingProxy(server.url, { link: { bytesPerSecond: 250_000, roundTripMs: 10 } });
    const dir = join(WORK, "slow-resumed-backup");
    const args = ["takeout", `--dir=${dir}`, `--from=${proxy.url}`];
    // A run with a time limit (an unattended one) keeps what it read of the pass (see pass_memory.ts).
    const first = new CliProcess([...args, "--max-time=1h"], { env: { TZ: "UTC" } });
    // The directory read and kept; from now on every answer stalls: the sidecar pass cannot end.
    await first.waitForLine((line) => /^export \S+: reading 1 part$/.test(line));
    proxy.stall(Infinity, 1);
    await first.until(proxy.stalls(1));
    first.child.kill("SIGTERM");
    const stopped = await first.result();
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.deepEqual((await listFiles(dir)).filter((path) => /^\d{4}\//.test(path)), [], "no photo placed");

    proxy.stall(0, 1);
    proxy.reset();
    const second = await cli(args);
    assert.equal(second.code, 0, second.stderr);
    assert.equal((await listFiles(dir)).length, exp.files.length);
    assert.ok(proxy.bytes <= 1.2 * partBytes, `fetched ${proxy.bytes} bytes for ${partBytes} bytes of parts`);
  },
});

Deno.test("takeout --from: a listing of over 128 MiB (a server that never ends its answer) is left there, in one line (exit 1)", async () => {
  const encoder = new TextEncoder();
  // About 1 MiB of files that are no parts, sent again and again: a Japanese user's trip folder, listed by a
  // server that sends every property it holds (a display name, the caption a photo app set), not only those
  // asked for. (Its names and captions take 3 bytes a character: the parser steps through the bound's 128 MiB
  // in less than half the characters, and a tenth of the elements, of an answer listing short ASCII names.)
  const folder = `/t/${encodeURIComponent("北海道旅行 2019年8月")}/`;
  const title = "北海道旅行・小樽運河と函館の夜景、家族みんなで過ごした夏休みの思い出";
  const caption = "夏休みに家族で北海道を旅行しました。小樽の運河沿いを歩き、函館山から夜景を眺め、" +
    "旭山動物園ではペンギンの散歩を見ました。子どもたちは初めての飛行機に大喜びで、帰りの空港でもまた来たいと" +
    "話していました。";
  const entries = encoder.encode(
    Array.from(
      { length: 480 },
      (_, n) =>
        `<D:response><D:href>${folder}IMG_${String(n).padStart(5, "0")}.jpg</D:href><D:propstat><D:prop>` +
        `<D:displayname>${title} ${n}.jpg</D:displayname><D:resourcetype/><D:getcontentlength>1` +
        `</D:getcontentlength><P:caption>${caption.repeat(6)}</P:caption></D:prop>` +
        `<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`,
    ).join(""),
  );
  let sent = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(`<D:multistatus xmlns:D="DAV:" xmlns:P="urn:example:photos">`));
        },
        pull(controller) {
          // Cut off a little past the bound (no end: no multistatus), not to flood a photosync that reads on.
          if (sent > 136 * 1024 * 1024) return controller.close();
          sent += entries.length;
          controller.enqueue(entries.slice());
        },
      }),
      { status: 207, headers: { "content-type": "application/xml" } },
    ));
  const url = `http://127.0.0.1:${server.addr.port}/t/`;
  const run = await cli(["takeout", `--dir=${join(WORK, "endless")}`, `--from=${url}`]);
  assertOneLineError(
    run,
    1,
    new RegExp(
      `^error: WebDAV ${url}: the listing of ${url} is over 128 MiB \\(\\d+ files and folders so far\\) and was ` +
        `not read on: give --from the folder that holds the Takeout parts, or move other files out of it$`,
      "m",
    ),
  );
  assert.ok(sent >= 128 * 1024 * 1024, `sent ${sent} bytes`);
});

Deno.test("takeout --from: a redirect to a login-protected other host is bad input naming both URLs, not a refused login", async () => {
  const elsewhere: string[] = [];
  await using other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    elsewhere.push(request.method);
    return new Response("login", { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } });
  });
  const target = `http://127.0.0.1:${other.addr.port}/dav/`;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(null, { status: 301, headers: { location: target } }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/dav/`;
  const run = await cli(["takeout", `--dir=${join(WORK, "redirected")}`, `--from=${url}`], LOGIN);
  const line = assertOneLineError(run, 2);
  assert.equal(
    line,
    `error: ${url} redirects to ${target}, on another host: photosync sends requests and the login only to the ` +
      `host of --from; give the URL it redirects to: --from=${target}`,
  );
  assertNoSecrets([run], [PASSWORD]);
  assert.deepEqual(elsewhere, []);
});

Deno.test({
  name:
    `takeout --from: an answer that stalls mid-body is given up after --timeout and asked again, garbage collected meanwhile; the import completes${note}`,
  ignore,
  async fn() {
    // A small export of its own (one part, a few photos with sidecars, an album) and its local import: the run
    // under a collection every 10 ms costs by its length, and the stall is in its first read all the same.
    const exp = generateTakeout({ seed: 24, count: 3, specials: false });
    const served = join(WORK, "stalled-once-served");
    const [zip] = await writeArchives(exp, join(served, "Takeout"), { parts: 1 });
    const local = join(WORK, "stalled-once-local");
    const imported = await cli(["takeout", `--dir=${local}`, zip]);
    assert.equal(imported.code, 0, imported.stderr);
    const reference = { tree: await backupTree(local), rows: rows(local) };
    await using server = await RcloneWebdav.start({ root: served, user: USER, password: PASSWORD });
    await using proxy = new CountingProxy(server.url);
    // The first read of a part stalls after 100 bytes; garbage collected every few milliseconds meanwhile
    // (Deno's fetch then no longer hears its request's abort: a wait on the body itself must end it).
    proxy.stall(1, 100);
    const dir = join(WORK, "stalled-once");
    const run = await runPhotosync(
      ["takeout", `--dir=${dir}`, `--from=${proxy.url}`, "--timeout=0.5", "--verbose"],
      { env: { TZ: "UTC", ...LOGIN }, gcOften: true },
    );
    await proxy.stalls(1);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /the transfer broke at byte \d+.*; trying again in/);
    assert.deepEqual(await backupTree(dir), reference.tree);
    assert.deepEqual(rows(dir), reference.rows);
  },
});

Deno.test({
  name:
    `takeout --from: a server that stalls every answer mid-body: each is given up and asked again, garbage collected meanwhile; SIGTERM ends the run (exit 143)${note}`,
  ignore,
  async fn() {
    const reference = await fixture();
    await using server = await RcloneWebdav.start({ root: reference.served, user: USER, password: PASSWORD });
    await using proxy = new CountingProxy(server.url);
    proxy.stall(Infinity, 100);
    const dir = join(WORK, "stalled-stopped");
    const cli = new CliProcess(
      ["takeout", `--dir=${dir}`, `--from=${proxy.url}`, "--timeout=1"],
      { env: { TZ: "UTC", ...LOGIN }, gcOften: true },
    );
    // The first stalled answer given up (after a second of collections), the next asked for, and stalled too.
    await cli.until(proxy.stalls(2));
    cli.child.kill("SIGTERM");
    const stopped = await cli.result();
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.match(stopped.stderr, /^stopping: /m);
    assert.match(stopped.stderr, /^stopped by SIGTERM; 0 files imported in this run are kept/m);
    assert.doesNotMatch(stopped.stderr, /^\s+at /m);
  },
});

Deno.test({
  name:
    `takeout --from: a run stopped (SIGTERM) in its second export says how many files it imported, not counting the album links it made${note}`,
  ignore,
  async fn() {
    const bytes = (text: string) => new TextEncoder().encode(text);
    const served = join(WORK, "served-counted");
    const folder = join(served, "Takeout");
    await Deno.mkdir(folder, { recursive: true });
    const album = "Takeout/Google Photos/Trip";
    await writeZip(join(folder, "takeout-20251110T101010Z-001.zip"), [
      [`${album}/metadata.json`, bytes(JSON.stringify({ title: "Trip" }))],
      [`${album}/a.jpg`, bytes("\xff\xd8 a photo in an album \xff\xd9")],
    ]);
    const second = "takeout-20260110T101010Z-001.zip";
    await writeZip(join(folder, second), [
      ["Takeout/Google Photos/Photos from 2025/b.jpg", bytes("\xff\xd8 a later photo \xff\xd9".repeat(100))],
    ]);
    await using server = await RcloneWebdav.start({ root: served, user: USER, password: PASSWORD });
    await using proxy = new CountingProxy(server.url);
    proxy.stall(Infinity, 100, second);
    const dir = join(WORK, "counted-stopped");
    const cli = new CliProcess(["takeout", `--dir=${dir}`, `--from=${proxy.url}`], {
      env: { TZ: "UTC", ...LOGIN },
    });
    // The first export imported (its photo and its album link), the second's part stalled.
    await cli.until(proxy.stalls(1));
    cli.child.kill("SIGTERM");
    const stopped = await cli.result();
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.deepEqual((await listFiles(dir)).filter((path) => !path.startsWith("takeout-report-")), [
      "2024/01/01/a.jpg",
      "albums/Trip/a.jpg",
    ]);
    assert.match(stopped.stderr, /^stopped by SIGTERM; 1 file imported in this run is kept/m);
  },
});

Deno.test({
  name:
    `takeout --from over a slow link with a --max-time shorter than the sidecar pass: each run reads on from where the last stopped, and the runs end with the tree of one import${note}`,
  ignore,
  async fn() {
    // Photos of 20–30 kB, a sidecar beside each, some sidecars in another part than their photos; a link of
    // 300 kB/s and 120 ms a round trip (a far server): a round trip is worth 36 kB there, more than a photo,
    // so a sidecar's request runs on over the photo after it and the pass reads about every byte. (Through
    // `rclone --bwlimit` the first requests came at loopback speed: its bucket fills while it is idle.)
    const exp = generateTakeout({
      seed: 31,
      count: 8,
      sidecarStyle: "mixed",
      minSize: 20_000,
      maxSize: 30_000,
    });
    const served = join(WORK, "slow-link");
    const zips = await writeArchives(exp, join(served, "Takeout"), { parts: 2 });
    const reference = join(WORK, "slow-link-reference");
    const whole = await cli(["takeout", `--dir=${reference}`, ...zips]);
    assert.equal(whole.code, 0, whole.stderr);
    await using server = await RcloneWebdav.start({ root: served });
    await using proxy = new CountingProxy(server.url, {
      link: { bytesPerSecond: 300_000, roundTripMs: 120 },
    });
    const dir = join(WORK, "slow-link-backup");
    const photos = async () => (await listFiles(dir)).filter((path) => /^\d{4}\//.test(path));
    /** The JSON files a stopped run kept of the export's catalog pass, in sync.db. */
    const kept = () => {
      try {
        using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
        return (db.prepare("SELECT count(*) AS n FROM checkpoints WHERE source = ? AND key LIKE ?")
          .get(":takeout-pass", '%"json"%') as { n: number }).n;
      } catch {
        return 0; // No sync.db yet.
      }
    };
    const added: string[] = [];
    const progress: string[] = [];
    let before = { files: 0, kept: 0 };
    let code = 3;
    // Without what a stopped run keeps, every run starts the pass again and none ever ends it: the runs coming
    // to an end is the claim. How far each run gets depends on how much of its 3 s the machine gives it (a
    // loaded one may spend them starting), so a run is only asked not to lose what the runs before did.
    for (let run = 1; code === 3; run++) {
      assert.ok(run <= 40, `not done after 40 runs: ${progress.join("; ")}`);
      const newFiles = join(WORK, `slow-link-new-${run}.txt`);
      const result = await cli([
        "takeout",
        `--dir=${dir}`,
        `--from=${proxy.url}`,
        "--max-time=3s",
        `--new-files=${newFiles}`,
      ]);
      code = result.code;
      assert.ok(code === 0 || code === 3, result.stderr);
      const now = { files: (await photos()).length, kept: kept() };
      progress.push(`run ${run}: ${now.files} files, ${now.kept} sidecars kept`);
      // A run stopped by the time limit keeps what the runs before read and placed.
      if (code === 3) {
        assert.ok(now.files >= before.files && now.kept >= before.kept, progress.join("; "));
        assert.match(result.stderr, /--max-time=3s ran out/);
      }
      added.push(...(await Deno.readTextFile(newFiles).catch(() => "")).split("\n").filter(Boolean));
      before = now;
    }
    // The premise: the first runs stopped in the sidecar pass, before any file was placed.
    assert.match(progress[0], /: 0 files, \d+ sidecars kept$/, progress.join("; "));
    assert.ok(progress.length >= 3, progress.join("; "));
    assert.deepEqual(await backupTree(dir), await backupTree(reference));
    assert.deepEqual(rows(dir), rows(reference));
    // --new-files: each run listed the files it placed; together, every photo once.
    assert.deepEqual(added.filter((path) => !path.startsWith("albums/")).sort(), await photos());
    // Imported in full: what the runs kept of its pass is let go of.
    assert.equal(kept(), 0);
  },
});
