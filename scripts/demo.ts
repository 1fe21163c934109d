/**
 * `deno task demo`: the real CLI against the bundled emulator. Starts the emulator with a
 * generated library (photos and videos over several years), authorises as a user would,
 * syncs into ./demo-photos, checks every file against the emulator's bytes and prints the result.
 * @module
 */
// deno-lint-ignore-file no-console
import { Buffer } from "node:buffer";
import { DatabaseSync } from "node:sqlite";
import { join, resolve } from "node:path";
import { Emulator } from "../testing/emulator.ts";
import { generateLibrary, mediaBytes } from "../testing/library_fixture.ts";
import { answerAuth, CliProcess } from "../testing/harness.ts";

const dir = resolve("demo-photos");
const items = generateLibrary({ count: 300, seed: 2026, from: "2016-01-01", to: "2024-12-31" });
const emulator = await Emulator.start({ items });
const work = await Deno.makeTempDir({ prefix: "photosync-demo-" });
try {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const creds = join(work, "clientsecret.json");
  await Deno.writeTextFile(creds, JSON.stringify(emulator.clientSecretJson()));
  console.error(`Emulator on ${emulator.origin} with ${items.length} items; syncing into ${dir}\n`);

  const cli = new CliProcess([`--dir=${dir}`, `--creds=${creds}`, "--no-browser"], emulator, { echo: true });
  await answerAuth(cli, emulator, "browser");
  const { code } = await cli.result();

  const db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
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
} finally {
  await emulator.close();
  await Deno.remove(work, { recursive: true });
}
