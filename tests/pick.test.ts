/**
 * `photosync pick` end to end: the CLI as a child process against the emulator's Picker API,
 * with the emulator playing the user who picks on a phone.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Fault, FaultOptions, LoggedRequest, PickerOptions } from "../testing/emulator.ts";
import { type FixtureItem, fixtureItem, generateLibrary } from "../testing/library_fixture.ts";
import {
  answerAuth,
  type CliOptions,
  CliProcess,
  type CliResult,
  listFiles,
  TestEnv,
} from "../testing/harness.ts";
import { assertNoSecrets, assertOneLineError, assertTree, expectedPath } from "../testing/asserts.ts";
import { RewritingProxy } from "../testing/rewriting_proxy.ts";
import { LIBRARY_SCOPE } from "../testing/emulator/oauth.ts";

const PICKER_SCOPE = "https://www.googleapis.com/auth/photospicker.mediaitems.readonly";
/** Quick polls, so that the runs wait little for the user. */
const QUICK: PickerOptions = { pollIntervalMs: 20, timeoutMs: 60_000 };
/** The plain run's Library search finds nothing there: it only drains what pick left pending. */
const NO_LIBRARY_DAYS = "--dates=1900-01-01";

/** An emulator whose library (what the picker shows) is `items`, and its workspace. */
function setup(items: FixtureItem[], picker: PickerOptions = {}, onRequest?: (r: LoggedRequest) => void) {
  return TestEnv.start({ items, picker: { ...QUICK, ...picker }, onRequest });
}

/** Starts `photosync pick` into the environment's folder; the harness plays the browser. */
function startPick(env: TestEnv, args: string[] = [], options: CliOptions = {}): CliProcess {
  return new CliProcess(["pick", `--dir=${env.dir}`, "--no-browser", ...args], {
    emulator: env.emulator,
    cwd: env.root,
    ...options,
  });
}

/** The picker address the run printed, on a line of its own. */
function pickerUri(cli: CliProcess, env: TestEnv): Promise<string> {
  return cli.waitForLine((line) => line.startsWith(env.emulator.pickerUrl));
}

/** A whole pick run: authorisation answered as `options.auth` says, then the user picks `ids`. */
async function pickRun(env: TestEnv, ids: string[], args: string[] = [], options: CliOptions = {}) {
  const cli = startPick(env, args, options);
  await answerAuth(cli, env.emulator, options.auth);
  await env.emulator.pick(await pickerUri(cli, env), ids);
  return await cli.result();
}

const ids = (items: FixtureItem[]) => items.map((it) => it.id);

function assertSessionsDeleted(env: TestEnv, count: number): void {
  const sessions = env.emulator.pickerSessions;
  assert.equal(sessions.length, count, "sessions created");
  assert.ok(sessions.every((session) => session.deleted), "every session was deleted");
}

Deno.test("first pick: Picker scope, the address with /autoclose, polls, pages, downloads with the token, deletes the session; a second, overlapping pick downloads only the new items; an item picked twice is stored once", async () => {
  const items = generateLibrary({ count: 110, seed: 61, minSize: 1000, maxSize: 3000, videoRatio: 0.2 });
  await using env = await setup(items);
  const chosen = items.slice(0, 105);
  const cli = startPick(env);
  await answerAuth(cli, env.emulator, "browser");
  const uri = await pickerUri(cli, env);
  assert.match(uri, /^http:\/\/127\.0\.0\.1:\d+\/picker\/ui\/[\w-]+\/autoclose$/);
  await cli.waitForLine((line) => line.startsWith("waiting for your picks"));
  await env.emulator.pick(uri, ids(chosen));
  const result = await cli.result();
  assert.equal(result.code, 0, result.stderr);

  const authUrl = new URL(result.stderr.split("\n").find((line) => line.startsWith(env.emulator.authUri))!);
  assert.equal(authUrl.searchParams.get("scope"), PICKER_SCOPE);
  await assertTree(env.dir, chosen);
  for (const it of chosen.slice(0, 10)) {
    const stat = await Deno.stat(join(env.dir, expectedPath(it)));
    assert.equal(stat.mtime?.getTime(), Date.parse(it.creationTime), "mtime is the capture time");
  }
  const counts = await env.status();
  assert.deepEqual(counts.sources, { picker: 105 });
  assert.deepEqual([counts.downloaded, counts.pending, counts.failed], [105, 0, 0]);
  assert.match(result.stderr, /^done in .*: picked 105 items \(105 new\), downloaded 105 files/m);

  const { counts: routes, requests } = env.emulator;
  assert.ok(routes.getSession >= 1, "the session was polled");
  assert.equal(routes.pickedItems, 2, "105 items come in two pages of 100");
  assert.equal(routes.pickedMedia, 105);
  assert.ok(
    requests.filter((r) => r.route === "pickedMedia").every((r) => r.status === 200),
    "with the token",
  );
  const videos = requests.filter((r) => r.route === "pickedMedia" && r.url.endsWith("=dv")).length;
  assert.equal(videos, chosen.filter((it) => it.video).length, "=dv for videos, =d for photos");
  assertSessionsDeleted(env, 1);
  assertNoSecrets([result], [...env.emulator.issuedTokens, env.emulator.clientSecret]);

  // A second pick overlapping the first: five picked before, three new.
  env.emulator.resetCounts();
  const second = await pickRun(env, ids(items.slice(100, 108)));
  assert.equal(second.code, 0, second.stderr);
  assert.equal(env.emulator.counts.auth, 0, "the saved Picker authorisation is used");
  assert.equal(env.emulator.counts.pickedMedia, 3, "only the new items are downloaded");
  assert.match(second.stderr, /picked 8 items \(3 new\), downloaded 3 files/);
  await assertTree(env.dir, items.slice(0, 108));
  const after = await env.status();
  assert.deepEqual([after.items, after.downloaded], [108, 108], "an item picked twice is one item");
  assertSessionsDeleted(env, 2);
});

Deno.test("picked items of any year, 0001 to 9999, are filed under their own day; a createTime that is no date is said", async () => {
  const dated = [
    fixtureItem("P0001", "year1.jpg", "0001-01-01T00:00:00Z"),
    fixtureItem("P1750", "year1750.jpg", "1750-06-15T10:00:00Z"),
    fixtureItem("P1899", "year1899.jpg", "1899-12-31T23:59:59Z"),
    fixtureItem("P2100", "year2100.jpg", "2100-03-04T05:06:07Z"),
    fixtureItem("P9999", "year9999.jpg", "9999-12-31T23:59:59Z"),
  ];
  const undated = fixtureItem("PBad", "impossible.jpg", "2023-02-30T12:00:00Z");
  await using env = await setup([...dated, undated]);
  const run = await pickRun(env, ids([...dated, undated]), [], { auth: "browser" });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual((await listFiles(env.dir)).sort(), [
    "0001/01/01/year1.jpg",
    "1750/06/15/year1750.jpg",
    "1899/12/31/year1899.jpg",
    "1970/01/01/impossible.jpg",
    "2100/03/04/year2100.jpg",
    "9999/12/31/year9999.jpg",
  ]);
  assert.equal(
    (await Deno.stat(join(env.dir, expectedPath(dated[3])))).mtime?.getTime(),
    Date.parse(dated[3].creationTime),
  );
  assert.deepEqual(run.stderr.split("\n").filter((line) => line.includes("no date")), [
    'warning: item PBad (impossible.jpg): its createTime "2023-02-30T12:00:00Z" is no date; filed under 1970-01-01',
  ]);
});

Deno.test("--max sets the picker's limit; a video not processed when picked stays pending with a note", async () => {
  const items = [
    fixtureItem("PHOTO1", "a.jpg", "2021-03-04T05:06:07Z"),
    fixtureItem("PHOTO2", "b.jpg", "2021-03-05T05:06:07Z"),
    fixtureItem("VIDEO1", "c.mp4", "2021-03-06T05:06:07Z", {
      mimeType: "video/mp4",
      video: { status: "PROCESSING" },
    }),
  ];
  await using env = await setup(items);
  // Bad input, refused before any work: in this process.
  const bad = await env.cli(["pick", `--dir=${env.dir}`, "--max=2001"], { inProcess: true });
  assertOneLineError(bad, 2, /--max must be a whole number from 1 to 2000/, { alone: true });

  const cli = startPick(env, ["--max=2"]);
  await answerAuth(cli, env.emulator, "browser");
  const uri = await pickerUri(cli, env);
  await assert.rejects(env.emulator.pick(uri, ["PHOTO1", "PHOTO2", "VIDEO1"]), /At most 2 items/);
  await env.emulator.pick(uri, ["PHOTO1", "VIDEO1"]);
  const result = await cli.result();
  assert.equal(result.code, 3, result.stderr);
  const create = env.emulator.requests.find((r) => r.route === "createSession");
  assert.deepEqual(create?.body, { pickingConfig: { maxItemCount: "2" } });
  await assertTree(env.dir, [items[0]]);
  const counts = await env.status();
  assert.deepEqual([counts.downloaded, counts.pending], [1, 1]);
  assert.match(counts.notes[0].note, /video was not ready when it was picked \(PROCESSING\)/);
  assertSessionsDeleted(env, 1);
});

Deno.test("faults on every Picker endpoint and on downloads are retried; the daily byte quota stops with exit 5", async () => {
  const items = generateLibrary({ count: 12, seed: 63, videoRatio: 0.3 });
  /** Per route, the faults its next requests get, one each, in order. */
  // One fault that backs off (5xx, a broken body) per retried call at most, so that the waits stay short;
  // 429s come with Retry-After: 0.
  const plan: Partial<Record<string, Fault[]>> = {
    createSession: ["503", "429"],
    getSession: ["reset", "429"],
    pickedItems: ["500"],
    pickedMedia: ["short", "429"],
    deleteSession: ["500", "429"],
  };

  const rates: NonNullable<FaultOptions["rates"]> = {};
  const next = (route: string) => {
    const fault = plan[route]?.shift();
    if (fault) rates[route as keyof typeof rates] = { [fault]: 1 };
    else delete rates[route as keyof typeof rates];
  };
  await using env = await setup(items, {}, (request) => request.fault && next(request.route));
  Object.keys(plan).forEach(next);
  env.emulator.faults = { retryAfterSec: 0.001, rates };
  // The folder's first pick: it authorises (the token endpoint is not faulted), then meets the faults.
  const result = await pickRun(env, ids(items.slice(0, 8)), ["--concurrency=2"], { auth: "browser" });
  assert.equal(result.code, 0, result.stderr);
  for (const route of ["createSession", "getSession", "pickedItems", "pickedMedia", "deleteSession"]) {
    assert.ok(
      Object.keys(env.emulator.injected).some((key) => key.startsWith(`${route}:`)),
      `${route} faulted`,
    );
    assert.deepEqual(plan[route], [], `every planned fault of ${route} was injected`);
  }
  await assertTree(env.dir, items.slice(0, 8));
  assertSessionsDeleted(env, 1);

  env.emulator.faults = { dailyMediaQuota: 2 };
  const stopped = await pickRun(env, ids(items.slice(8, 11)), ["--concurrency=1"]);
  assertOneLineError(stopped, 5, /daily quota/);
  const counts = await env.status();
  assert.deepEqual([counts.downloaded, counts.pending], [10, 1]);
  assertSessionsDeleted(env, 2);
  // The next day's pick downloads what it picks and what the last one left.
  env.emulator.faults = {};
  const nextDay = await pickRun(env, [items[11].id]);
  assert.equal(nextDay.code, 0, nextDay.stderr);
  assert.match(nextDay.stderr, /picked 1 item \(1 new\), downloaded 2 files/);
  await assertTree(env.dir, items);
});

Deno.test("the user never picks: one line, exit 1, the session deleted", async () => {
  await using env = await setup(generateLibrary({ count: 2, seed: 64 }), { timeoutMs: 400 });
  const cli = startPick(env);
  await answerAuth(cli, env.emulator, "browser");
  const uri = await pickerUri(cli, env);
  const result = await cli.result();
  assertOneLineError(
    result,
    1,
    /^error: nothing was picked before the picking session expired; run photosync pick again$/,
  );
  await assert.rejects(env.emulator.pick(uri, []), /404|timed out/);
  assertSessionsDeleted(env, 1);
  assert.deepEqual(await listFiles(env.dir), []);
});

Deno.test("Ctrl-C or SIGTERM while waiting deletes the session and exits 130 or 143", async () => {
  await using env = await setup(generateLibrary({ count: 2, seed: 65 }), { pollIntervalMs: 100 });
  // A second Ctrl-C quits at once, here while the session is being deleted; the next run deletes it.
  env.emulator.faults = { latencyMs: { deleteSession: 30_000 } };
  const quit = startPick(env);
  await answerAuth(quit, env.emulator, "browser");
  await quit.waitForLine((line) => line.startsWith("waiting for your picks"));
  quit.child.kill("SIGINT");
  await quit.waitForLine((line) => line.startsWith("stopping: "));
  quit.child.kill("SIGINT");
  assert.equal((await quit.result()).code, 130);
  const [leftover] = env.emulator.pickerSessions;
  assert.equal(leftover.deleted, false);
  env.emulator.faults = {};

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    const cli = startPick(env);
    await pickerUri(cli, env);
    assert.equal(leftover.deleted, true, "the next run deleted it before it created its session");
    await cli.waitForLine((line) => line.startsWith("waiting for your picks"));
    cli.child.kill(signal);
    const result = await cli.result();
    assert.equal(result.code, code, result.stderr);
    assert.match(result.stderr, /^stopping: deleting the picking session/m);
    assert.doesNotMatch(result.stderr, /^error: /m);
  }
  assertSessionsDeleted(env, 3);
});

Deno.test("interrupted downloads: no partial file; a plain run fetches the rest while the URLs last, then notes 'pick it again'", async () => {
  const items = generateLibrary({ count: 9, seed: 66, minSize: 50_000, maxSize: 60_000 });
  let skewMs = 0;
  let stalled: () => void = () => {};
  await using env = await TestEnv.start({
    items,
    picker: QUICK,
    now: () => Date.now() + skewMs,
    onRequest: (request) => request.fault === "stall" && stalled(),
  });
  /** A pick of `picked` whose first download stalls halfway; stopped by `signal` then. */
  const interrupted = async (
    picked: FixtureItem[],
    signal: "SIGINT" | "SIGTERM",
    auth: CliOptions["auth"],
  ) => {
    env.emulator.faults = {};
    const cli = startPick(env, ["--concurrency=1"]);
    await answerAuth(cli, env.emulator, auth);
    const uri = await pickerUri(cli, env);
    const stall = new Promise<void>((resolve) => stalled = resolve);
    env.emulator.faults = { rates: { pickedMedia: { stall: 1 } } };
    await env.emulator.pick(uri, ids(picked));
    await stall;
    cli.child.kill(signal);
    return await cli.result();
  };

  // A cron job's refresh token is the Library's (authorised elsewhere: as the consent and the code exchange
  // give it); the folder is the picks'.
  const libraryToken = { PHOTOSYNC_REFRESH_TOKEN: env.emulator.grant(LIBRARY_SCOPE).refreshToken };
  const first = await interrupted(items.slice(0, 6), "SIGINT", "browser");
  assert.equal(first.code, 130, first.stderr);
  assert.deepEqual(await listFiles(env.dir), [], "no partial file, no temporary one");
  assert.deepEqual([(await env.status()).pending, (await env.status()).sources.picker], [6, 6]);

  env.emulator.faults = {};
  // The cron job's run: the picked items are fetched with the saved Picker tokens.
  const drained = await env.run([NO_LIBRARY_DAYS], { env: libraryToken });
  assert.equal(drained.code, 0, drained.stderr);
  await assertTree(env.dir, items.slice(0, 6));

  const second = await interrupted(items.slice(6), "SIGTERM", "none");
  assert.equal(second.code, 143, second.stderr);
  env.emulator.faults = {};
  skewMs = 61 * 60_000; // The picked URLs (and access tokens) have expired.
  const expired = await env.run([NO_LIBRARY_DAYS], { env: libraryToken });
  assert.equal(expired.code, 3, expired.stderr);
  const counts = await env.status();
  assert.equal(counts.pending, 3);
  assert.ok(
    counts.notes.every((n) => /pick it again with photosync pick/.test(n.note)),
    JSON.stringify(counts.notes),
  );

  const again = await pickRun(env, ids(items.slice(6)));
  assert.equal(again.code, 0, again.stderr);
  await assertTree(env.dir, items);
  assertSessionsDeleted(env, 3);
});

Deno.test("an item a sync lists and the user picks is one item and one file, whichever comes first", async () => {
  const items = generateLibrary({ count: 6, seed: 71 });
  await using env = await setup(items);
  // A sync lists all six (both APIs give an item one id) and downloads none.
  const indexed = await env.run(["--index-only"], { auth: "browser" });
  assert.equal(indexed.code, 0, indexed.stderr);
  const libraryToken = { PHOTOSYNC_REFRESH_TOKEN: env.refreshToken() };

  // Three of them picked while the sync's rows wait: the pick fetches them.
  const picked = await pickRun(env, ids(items.slice(0, 3)), [], { auth: "browser" });
  assert.equal(picked.code, 0, picked.stderr);
  assert.match(picked.stderr, /picked 3 items \(0 new\), downloaded 3 files/);
  await assertTree(env.dir, items.slice(0, 3));
  assert.deepEqual((await env.status()).sources, { library: 3, picker: 3 });

  // The sync fetches the other three, nothing twice; the date of a picked one, corrected in Google Photos
  // since, moves its file (the Library's listing takes over its metadata: it says more).
  const corrected = { ...items[0], creationTime: "1975-06-07T12:00:00Z" };
  env.emulator.items.set(corrected.id, corrected);
  items[0] = corrected;
  env.emulator.resetCounts();
  const synced = await env.run(["--all"], { env: libraryToken });
  assert.equal(synced.code, 0, synced.stderr);
  assert.equal(env.emulator.counts.media, 3, "the picked three are not fetched again");
  assert.match(synced.stderr, /1 file moved to a date corrected in Google Photos/);
  await assertTree(env.dir, items);
  assert.deepEqual((await env.status()).sources, { library: 6 });

  // Picked after the sync downloaded them: nothing fetched, the sync's rows as they were.
  env.emulator.resetCounts();
  const again = await pickRun(env, ids(items.slice(3)));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /picked 3 items \(0 new, 3 backed up by a sync already\), downloaded 0 files/);
  assert.equal(env.emulator.counts.pickedMedia, 0);
  await assertTree(env.dir, items);
  const status = await env.status();
  assert.deepEqual([status.items, status.downloaded, status.pending], [6, 6, 0]);
  assert.deepEqual(status.sources, { library: 6 });
  const verified = await env.cli(["verify", `--dir=${env.dir}`]);
  assert.equal(verified.code, 0, verified.stderr);
});

Deno.test("tokens per scope: a Library-only sync.db (also one from before scopes) asks for the Picker scope once, keeps both", async () => {
  await using env = await setup(generateLibrary({ count: 3, seed: 67 }));
  const library = await env.run(["--index-only", NO_LIBRARY_DAYS], { auth: "browser" });
  assert.equal(library.code, 0, library.stderr);
  const secrets = () => {
    using db = new DatabaseSync(join(env.dir, "sync.db"));
    return (db.prepare("SELECT key FROM secrets ORDER BY key").all() as { key: string }[]).map((r) => r.key);
  };
  assert.deepEqual(secrets(), ["oauth:library"]);
  {
    // A sync.db from before there were two scopes kept the Library's under "oauth".
    using db = new DatabaseSync(join(env.dir, "sync.db"));
    db.exec("UPDATE secrets SET key = 'oauth' WHERE key = 'oauth:library'");
  }
  // The client saved with the Library authorisation is used: no client secret file is needed.
  await Deno.remove(join(env.root, "clientsecret.json"));
  const first = await pickRun(env, ["" + env.emulator.items.keys().next().value], [], { auth: "browser" });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(env.emulator.counts.auth, 2, "asked once for the Picker scope");
  assert.deepEqual(secrets(), ["oauth:library", "oauth:picker"]);
  env.emulator.resetCounts();
  const again: CliResult[] = [
    await pickRun(env, [...env.emulator.items.keys()]),
    await env.run([NO_LIBRARY_DAYS]),
  ];
  assert.deepEqual(again.map((r) => r.code), [0, 0], again.map((r) => r.stderr).join("\n"));
  assert.equal(env.emulator.counts.auth, 0, "neither scope asks again");
  assert.equal(env.emulator.requests.filter((r) => r.status === 401 || r.status === 403).length, 0);
  assertNoSecrets([first, ...again], env.emulator.issuedTokens);
});

Deno.test("photosync token prints the Library scope's token, never the Picker's; a Picker-only sync.db says which is missing", async () => {
  await using env = await setup(generateLibrary({ count: 2, seed: 69 }));
  const picked = await pickRun(env, [...env.emulator.items.keys()], [], { auth: "browser" });
  assert.equal(picked.code, 0, picked.stderr);
  // The refusal only reads sync.db: in this process; the token printed, by a child.
  const pickerOnly = await env.cli(["token", `--dir=${env.dir}`], { inProcess: true });
  assertOneLineError(
    pickerOnly,
    4,
    /no authorisation is saved in .* for the Library scope \(only photosync pick's/,
  );
  assert.equal(pickerOnly.stdout, "");

  const library = await env.run(["--index-only", NO_LIBRARY_DAYS], { auth: "browser" });
  assert.equal(library.code, 0, library.stderr);
  const [pickerToken, libraryToken] = env.emulator.issuedTokens.filter((token) => token.startsWith("1//"));
  {
    // As a sync.db from before there were two scopes keeps it: `token` reads it there, writing nothing.
    using db = new DatabaseSync(join(env.dir, "sync.db"));
    db.exec("UPDATE secrets SET key = 'oauth' WHERE key = 'oauth:library'");
  }
  const printed = await env.cli(["token", `--dir=${env.dir}`]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, `${libraryToken}\n`);
  assert.notEqual(libraryToken, pickerToken);
  assert.match(printed.stderr, /^warning: this is the Library scope's refresh token .*keep it secret/);
});

Deno.test("the Picker API emulator: limits, FAILED_PRECONDITION, paging, tokens on bytes; too many sessions is one line", async () => {
  const items = generateLibrary({ count: 120, seed: 68, minSize: 1000, maxSize: 2000, videoRatio: 0 });
  await using env = await setup(items);
  // Tokens of the Library scope only and of the Picker's, as the consent and the code exchange give them.
  const libraryOnly = env.emulator.grant(LIBRARY_SCOPE).accessToken;
  const pickerGrant = env.emulator.grant(PICKER_SCOPE);
  const picker = pickerGrant.accessToken;
  const api = async (method: string, path: string, body?: unknown, token: string | null = picker) => {
    const res = await fetch(env.emulator.pickerUrl + path, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  const created = await api("POST", "/v1/sessions", {});
  assert.equal(created.status, 200);
  const session = created.json;
  assert.equal(session.mediaItemsSet, false);
  assert.deepEqual(session.pollingConfig, {
    pollInterval: "0.02s",
    timeoutIn: session.pollingConfig.timeoutIn,
  });
  assert.equal(session.pickingConfig.maxItemCount, "2000");
  assert.equal((await api("GET", `/v1/sessions/${session.id}`, undefined, null)).status, 401);
  const wrongScope = await api("GET", `/v1/sessions/${session.id}`, undefined, libraryOnly);
  assert.deepEqual([wrongScope.status, wrongScope.json.error.status], [403, "PERMISSION_DENIED"]);
  const early = await api("GET", `/v1/mediaItems?sessionId=${session.id}`);
  assert.deepEqual([early.status, early.json.error.status], [400, "FAILED_PRECONDITION"]);

  await env.emulator.pick(session.pickerUri, ids(items));
  const done = await api("GET", `/v1/sessions/${session.id}`);
  assert.equal(done.json.mediaItemsSet, true);
  assert.equal(done.json.pollingConfig, undefined);
  const page1 = await api("GET", `/v1/mediaItems?sessionId=${session.id}`);
  assert.equal(page1.json.mediaItems.length, 50, "pageSize defaults to 50");
  const page2 = await api(
    "GET",
    `/v1/mediaItems?sessionId=${session.id}&pageSize=100&pageToken=${page1.json.nextPageToken}`,
  );
  assert.deepEqual([page2.json.mediaItems.length, page2.json.nextPageToken], [70, undefined]);
  assert.equal((await api("GET", `/v1/mediaItems?sessionId=${session.id}&pageSize=101`)).status, 400);
  const picked = page1.json.mediaItems[0];
  assert.deepEqual(
    [picked.id, picked.createTime, picked.type, picked.mediaFile.filename],
    [items[0].id, items[0].creationTime, "PHOTO", items[0].filename],
  );
  const bytes = picked.mediaFile.baseUrl + "=d";
  const anonymous = await fetch(bytes);
  await anonymous.body?.cancel();
  assert.equal(anonymous.status, 401, "picked bytes need the token");
  const authorised = await fetch(bytes, { headers: { authorization: `Bearer ${picker}` } });
  assert.equal((await authorised.bytes()).length, items[0].size);
  assert.equal((await api("DELETE", `/v1/sessions/${session.id}`)).status, 200);
  assert.equal((await api("GET", `/v1/sessions/${session.id}`)).status, 404);

  // Ten open sessions are the limit: photosync says so in one line instead of retrying.
  for (let open = 0; open < 10; open++) assert.equal((await api("POST", "/v1/sessions", {})).status, 200);
  assert.equal((await api("POST", "/v1/sessions", {})).status, 429);
  env.emulator.resetCounts();
  // A pick authorised as a CI job is (the Picker's refresh token, the client from --creds).
  const refused = await env.cli(["pick", `--dir=${env.dir}`, "--no-browser", "--creds=clientsecret.json"], {
    env: { PHOTOSYNC_REFRESH_TOKEN: pickerGrant.refreshToken },
  });
  assertOneLineError(refused, 1, /too many open picking sessions/);
  assert.equal(env.emulator.counts.createSession, 1, "not retried");
});

Deno.test("picked items whose nextPageToken comes round again: one line (exit 1), the items listed saved, the session deleted", async () => {
  const items = generateLibrary({ count: 3, seed: 74, videoRatio: 0 });
  await using env = await setup(items);
  // Every page of picked items says its next one is "LOOP", which answers the first page again (up to 20
  // pages: a run that kept asking would end, and fail the test, rather than hang it).
  let loops = 0;
  await using proxy = new RewritingProxy(env.emulator, {
    request: (url) => {
      if (url.searchParams.get("pageToken") === "LOOP") url.searchParams.delete("pageToken");
    },
    answer: (json, url) => {
      if (url.searchParams.has("sessionId") && loops++ < 20) json.nextPageToken = "LOOP";
    },
  });
  const looped = await pickRun(env, ids(items), [], { auth: "browser", env: proxy.env });
  assertOneLineError(
    looped,
    1,
    /^error: listing the picked items: Google gave a page token it had given before \(after 2 pages\)/m,
  );
  assert.equal(env.emulator.counts.pickedItems, 2, "the looping page was asked for once");
  const counts = await env.status();
  assert.deepEqual([counts.items, counts.pending], [3, 3], "the picked items are saved, to download");
  assertSessionsDeleted(env, 1);
});

Deno.test("a picked item whose baseUrl names another host fails with a warning naming it, the token never sent there; the others download", async () => {
  const items = generateLibrary({ count: 3, seed: 75, videoRatio: 0 });
  await using env = await setup(items);
  // Another host, which records the Authorization of whatever reaches it.
  const reached: (string | null)[] = [];
  await using elsewhere = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    reached.push(request.headers.get("authorization"));
    return new Response("bytes");
  });
  const other = `http://127.0.0.1:${elsewhere.addr.port}`;
  // The Picker API and its media behind a proxy (PHOTOSYNC_PICKER_URL): the picked items' bytes come from
  // the proxy's origin, but the first item's baseUrl names the other host.
  const origin = env.emulator.origin;
  await using proxy = new RewritingProxy(env.emulator, {
    answer: (json, url) => {
      if (!url.searchParams.has("sessionId")) return;
      for (const picked of json.mediaItems as { id: string; mediaFile: { baseUrl: string } }[]) {
        const host = picked.id === items[0].id ? other : proxy.origin;
        picked.mediaFile.baseUrl = picked.mediaFile.baseUrl.replace(origin, host);
      }
    },
  });
  const run = await pickRun(env, ids(items), [], { auth: "browser", env: proxy.env });
  assert.equal(run.code, 3, run.stderr);
  const refused = run.stderr.split("\n").filter((line) => line.includes("not Google's media host"));
  assert.equal(refused.length, 1, run.stderr);
  assert.ok(refused[0].startsWith("warning: ") && refused[0].includes(`(${items[0].id})`), refused[0]);
  assert.ok(refused[0].includes(`is on ${other}, not Google's media host`), refused[0]);
  assert.deepEqual(reached, [], "nothing was sent to the other host");
  await assertTree(env.dir, items.slice(1));
  const counts = await env.status();
  assert.deepEqual([counts.downloaded, counts.failed], [2, 1]);
  assertSessionsDeleted(env, 1);
});
