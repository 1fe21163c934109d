/**
 * Takeout files dated by a date in their name, through the CLI, in a folder of local days: the name's
 * wall clock is the local time, so each lands under the name's own day whatever zone the import runs in
 * (east of UTC the instant the name means there falls on the UTC day before). Hand-made exports, no
 * sidecar date and no EXIF, so the name is the only rule that dates them.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runPhotosync } from "../testing/harness.ts";
import { writeZip } from "../testing/takeout/hand_archives.ts";

const WORK = await Deno.makeTempDir({ prefix: "photosync-name-days-" });
Deno.test.afterAll?.(async () => {
  await Deno.remove(WORK, { recursive: true });
});

const enc = new TextEncoder();
const GP = "Takeout/Google Photos/Photos from 2023";
const CAMERA = "IMG_20230105_093000.jpg";
const WHATSAPP = "IMG-20230105-WA0001.jpg";
const NIGHT = "IMG_20230102_020000.jpg";

const ZIP = join(WORK, "takeout-20240101T000000Z-001.zip");
await writeZip(ZIP, [
  [`${GP}/${CAMERA}`, enc.encode("camera: no EXIF, dated by its name")],
  [`${GP}/${WHATSAPP}`, enc.encode("WhatsApp: a day without a time")],
  [`${GP}/${NIGHT}`, enc.encode("2 in the morning")],
]);

const mtimeOf = async (path: string) => (await Deno.stat(path)).mtime?.getTime();

/** The paths of the files under `dir`'s dated tree, sorted. */
async function datedFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (sub: string) => {
    for await (const entry of Deno.readDir(join(dir, sub))) {
      const path = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(path);
      else if (/^\d{4}\//.test(path)) found.push(path);
    }
  };
  await walk("");
  return found.sort();
}

const WANTED = [
  `2023/01/02/${NIGHT}`,
  `2023/01/02/${NIGHT}.xmp`,
  `2023/01/05/${CAMERA}`,
  `2023/01/05/${CAMERA}.xmp`,
  `2023/01/05/${WHATSAPP}`,
  `2023/01/05/${WHATSAPP}.xmp`,
].sort();

/** Zones east of UTC by up to 13 hours in January: the name's offset there, in minutes and as XMP writes it. */
const ZONES: [zone: string, minutes: number, xmp: string][] = [
  ["UTC", 0, "+00:00"],
  ["Europe/Berlin", 60, "+01:00"],
  ["Asia/Kolkata", 330, "+05:30"],
  ["Pacific/Auckland", 780, "+13:00"],
];

for (const [zone, minutes, xmpOffset] of ZONES) {
  Deno.test(`names give their own day in a folder of local days, imported in ${zone}`, async () => {
    const dir = join(WORK, zone.replace("/", "_"));
    const run = await runPhotosync(["takeout", `--dir=${dir}`, "--xmp", ZIP], { env: { TZ: zone } });
    assert.equal(run.code, 0, run.stderr);
    // The same tree in every zone.
    assert.deepEqual(await datedFiles(dir), WANTED);
    // The mtime is the instant the name means in the importing machine's zone.
    const offset = minutes * 60_000;
    assert.equal(await mtimeOf(join(dir, `2023/01/05/${CAMERA}`)), Date.UTC(2023, 0, 5, 9, 30) - offset);
    assert.equal(await mtimeOf(join(dir, `2023/01/05/${WHATSAPP}`)), Date.UTC(2023, 0, 5, 12) - offset);
    assert.equal(await mtimeOf(join(dir, `2023/01/02/${NIGHT}`)), Date.UTC(2023, 0, 2, 2) - offset);
    // The XMP sidecar says the name's wall clock, with that zone's offset: the same instant as the mtime.
    const xmp = await Deno.readTextFile(join(dir, `2023/01/05/${CAMERA}.xmp`));
    assert.ok(
      xmp.includes(`exif:DateTimeOriginal="2023-01-05T09:30:00${xmpOffset}"`),
      `09:30${xmpOffset} in ${xmp}`,
    );
  });
}

Deno.test("a name-dated file keeps its day when a later part brings its sidecar without a date", async () => {
  // Part 1 holds the file, part 2 (imported in a later run) its sidecar: a description, no capture time.
  const parts = join(WORK, "parts");
  await Deno.mkdir(parts);
  const first = join(parts, "takeout-20240301T000000Z-001.zip");
  const second = join(parts, "takeout-20240301T000000Z-002.zip");
  await writeZip(first, [[`${GP}/${CAMERA}`, enc.encode("split from its sidecar")]]);
  await writeZip(second, [[
    `${GP}/${CAMERA}.supplemental-metadata.json`,
    // Google writes "0" for a time it does not know.
    enc.encode(
      JSON.stringify({ title: CAMERA, description: "breakfast", photoTakenTime: { timestamp: "0" } }),
    ),
  ]]);
  const dir = join(parts, "out");
  const env = { TZ: "Pacific/Auckland" };
  const one = await runPhotosync(["takeout", `--dir=${dir}`, "--xmp", first], { env });
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(await datedFiles(dir), [`2023/01/05/${CAMERA}`, `2023/01/05/${CAMERA}.xmp`]);
  const two = await runPhotosync(["takeout", `--dir=${dir}`, first, second], { env });
  assert.equal(two.code, 0, two.stderr);
  assert.deepEqual(await datedFiles(dir), [`2023/01/05/${CAMERA}`, `2023/01/05/${CAMERA}.xmp`]);
  const xmp = await Deno.readTextFile(join(dir, `2023/01/05/${CAMERA}.xmp`));
  assert.match(xmp, /breakfast/);
  assert.match(xmp, /exif:DateTimeOriginal="2023-01-05T09:30:00\+13:00"/);
});
