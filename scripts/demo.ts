/**
 * `deno task demo`: the real CLI against the bundled emulator. Starts the emulator with a
 * generated library (photos and videos over several years), authorises as a user would,
 * syncs into ./demo-photos, checks every file against the emulator's bytes and prints the result.
 * Then a Google Takeout import: a generated export (three zip parts, mixed sidecar styles,
 * albums, edited copies, motion photos, trash) imported with `photosync takeout` into
 * ./demo-photos/takeout (with `--folder-days=utc`, so that each folder is checkable by the model's
 * instant, and `--xmp`), and every expected file checked: its folder (the UTC day it was taken),
 * its bytes and its mtime.
 * @module
 */
// deno-lint-ignore-file no-console
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { join, resolve } from "node:path";
import { Emulator } from "../testing/emulator.ts";
import { mediaBytes } from "../testing/library_fixture.ts";
import { demoLibrary } from "./demo_library.ts";
import { DB_FILE } from "../lib/core/store.ts";
import { answerAuth, CliProcess } from "../testing/harness.ts";
import { writeArchives } from "../testing/takeout/archives.ts";
import { generateTakeout } from "../testing/takeout/export.ts";

const dir = resolve("demo-photos");
const items = demoLibrary();
const emulator = await Emulator.start({ items });
const work = await Deno.makeTempDir({ prefix: "photosync-demo-" });
try {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const creds = join(work, "clientsecret.json");
  await Deno.writeTextFile(creds, JSON.stringify(emulator.clientSecretJson()));
  console.error(`Emulator on ${emulator.origin} with ${items.length} items; syncing into ${dir}\n`);

  const cli = new CliProcess([`--dir=${dir}`, `--creds=${creds}`, "--no-browser"], { emulator, echo: true });
  await answerAuth(cli, emulator, "browser");
  const { code } = await cli.result();

  const db = new DatabaseSync(join(dir, DB_FILE), { readOnly: true });
  const rows = db.prepare("SELECT id, path FROM items WHERE status = 'downloaded'").all() as {
    id: string;
    path: string;
  }[];
  db.close();
  let matching = 0;
  const years = new Map<string, number>();
  for (const { id, path } of rows) {
    const expected = mediaBytes(emulator.items.get(id)!);
    const actual = await Deno.readFile(join(dir, path));
    if (Buffer.from(actual).equals(expected)) matching++;
    const year = path.split("/")[0];
    years.set(year, (years.get(year) ?? 0) + 1);
  }
  console.log(`\nphotosync exited with ${code}.`);
  console.log(
    `${rows.length} of ${items.length} items downloaded; ${matching} files match the emulator's bytes.`,
  );
  console.log([...years].sort().map(([year, count]) => `  ${dir}/${year}/  ${count} files`).join("\n"));
  if (code !== 0 || matching !== items.length) Deno.exitCode = 1;

  // Google Takeout: the whole library, from Google's own export.
  const exp = generateTakeout({ count: 240, seed: 2026, sidecarStyle: "mixed" });
  const archives = await writeArchives(exp, join(work, "takeout"), { format: "zip", parts: 3 });
  const takeoutDir = join(dir, "takeout");
  console.error(
    `\nA Takeout export of ${exp.files.length} media files in ${archives.length} zips; importing into ${takeoutDir}\n`,
  );
  const importer = new CliProcess(
    ["takeout", `--dir=${takeoutDir}`, "--folder-days=utc", "--xmp", ...archives],
    { echo: true },
  );
  const imported = await importer.result();
  const takeoutDb = new DatabaseSync(join(takeoutDir, DB_FILE), { readOnly: true });
  const stored = new Map(
    (takeoutDb.prepare("SELECT id, path, status FROM items WHERE source = 'takeout'").all() as {
      id: string;
      path: string;
      status: string;
    }[]).map((row) => [row.id, row]),
  );
  takeoutDb.close();
  // Each content once (album copies are the same bytes as their year folder's file); trash skipped.
  const expected = exp.files.filter((file) => !file.copyOf && !file.trashed);
  const trashed = exp.files.filter((file) => !file.copyOf && file.trashed);
  const idOf = (bytes: Uint8Array) => `takeout:${createHash("sha256").update(bytes).digest("hex")}`;
  const problems: string[] = [];
  let right = 0;
  for (const file of expected) {
    const bytes = file.bytes;
    const row = stored.get(idOf(bytes));
    const day = new Date(file.captureMs).toISOString().slice(0, 10).replaceAll("-", "/");
    if (!row || row.status !== "downloaded") {
      problems.push(`${file.path}: not imported`);
      continue;
    }
    const folder = row.path.slice(0, row.path.lastIndexOf("/"));
    const path = join(takeoutDir, row.path);
    const stat = await Deno.stat(path).catch(() => undefined);
    const actual = stat ? await Deno.readFile(path) : undefined;
    if (folder !== day) problems.push(`${file.path}: in ${folder}/, expected ${day}/`);
    else if (!actual || !Buffer.from(actual).equals(bytes)) problems.push(`${file.path}: bytes differ`);
    else if (stat?.mtime?.getTime() !== file.captureMs) {
      problems.push(
        `${file.path}: mtime ${stat?.mtime?.toISOString()}, expected ${
          new Date(file.captureMs).toISOString()
        }`,
      );
    } else right++;
  }
  const trashedImported = trashed.filter((file) => stored.has(idOf(file.bytes))).length;
  if (trashedImported > 0) problems.push(`${trashedImported} trashed files were imported`);
  console.log(`\nphotosync takeout exited with ${imported.code}.`);
  for (const problem of problems) console.log(`  ${problem}`);
  console.log(
    `${right} of ${expected.length} expected Takeout files imported into the right day's folder with the right bytes and mtime; ${trashed.length} trashed skipped; ${stored.size} items in sync.db.`,
  );
  if (imported.code !== 0 || problems.length > 0 || right !== expected.length) Deno.exitCode = 1;
} finally {
  await emulator.close();
  await Deno.remove(work, { recursive: true });
}
