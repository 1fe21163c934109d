import assert from "node:assert/strict";
import { escapeXml, isOwnXmp, isPristineXmp, renderXmp, xmpCoordinate, xmpDate, xmpFieldsOf } from "./xmp.ts";

Deno.test("escapeXml: markup, quotes, ]]>, whitespace kept, forbidden characters replaced, non-BMP kept", () => {
  assert.equal(escapeXml(`<a href="x">&amp;</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;");
  assert.equal(escapeXml("it's"), "it&apos;s");
  assert.equal(escapeXml("x]]>y"), "x]]&gt;y");
  assert.equal(escapeXml("a\tb\nc\r\nd"), "a&#9;b&#10;c&#13;&#10;d");
  // C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF, cannot be in XML 1.0 at all.
  assert.equal(escapeXml("\u0000\u0001\u0008\u000B\u000C\u001F\uFFFE\uFFFF"), "\uFFFD".repeat(8));
  // DEL and the C1 controls are allowed: kept.
  assert.equal(escapeXml("\u007F\u0085"), "\u007F\u0085");
  // A pair is one character beyond the BMP; a lone half of one is no character.
  assert.equal(escapeXml("😀 𝄞"), "😀 𝄞");
  assert.equal(escapeXml("a\uD83Db"), "a\uFFFDb");
  assert.equal(escapeXml("a\uDE00b"), "a\uFFFDb");
  assert.equal(escapeXml("\uDE00\uD83D"), "\uFFFD\uFFFD");
});

Deno.test("xmpDate: the wall clock with its offset, else UTC", () => {
  const ms = Date.UTC(2023, 6, 2, 6, 30, 15);
  assert.equal(xmpDate(ms, -420), "2023-07-01T23:30:15-07:00");
  assert.equal(xmpDate(ms, 330), "2023-07-02T12:00:15+05:30");
  assert.equal(xmpDate(ms, 0), "2023-07-02T06:30:15+00:00");
  assert.equal(xmpDate(ms), "2023-07-02T06:30:15Z");
  assert.equal(xmpDate(ms, -570), "2023-07-01T21:00:15-09:30");
});

Deno.test("xmpCoordinate: degrees, decimal minutes, hemisphere", () => {
  assert.equal(xmpCoordinate(34.0522, "N", "S"), "34,3.132000N");
  assert.equal(xmpCoordinate(-118.2437, "E", "W"), "118,14.622000W");
  assert.equal(xmpCoordinate(-33.8688, "N", "S"), "33,52.128000S");
  assert.equal(xmpCoordinate(0, "N", "S"), "0,0.000000N");
  // Minutes that round to 60 carry into the degrees.
  assert.equal(xmpCoordinate(10.99999999999, "E", "W"), "11,0.000000E");
});

Deno.test("renderXmp: well-formed with hostile text, only the fields known", () => {
  const hostile = `<x> & "y" 'z' ]]> \u0001 😀`;
  const xmp = renderXmp({
    source: "library",
    id: `id"<&`,
    createdMs: 0,
    description: hostile,
    people: [hostile],
    albums: ["a|b/c", hostile],
    favorite: true,
    latitude: -1.5,
    longitude: 2.25,
    altitude: -3,
  });
  // No raw markup from the text: every < is ours.
  assert.ok(!xmp.includes("<x>"));
  assert.ok(!xmp.includes("]]>"));
  assert.ok(!xmp.includes("\u0001"));
  assert.match(xmp, /<rdf:li>Albums\|a-b\/c<\/rdf:li>/);
  assert.match(xmp, /<rdf:li>Albums\/a\|b-c<\/rdf:li>/);
  assert.match(xmp, /exif:GPSAltitudeRef="1"/);
  assert.match(xmp, /exif:GPSAltitude="3000\/1000"/);
  assert.match(xmp, /xmp:Rating="5"/);
  assert.match(xmp, /photosync:ItemId="id&quot;&lt;&amp;"/);
  assert.ok(isOwnXmp(xmp, `id"<&`));
  assert.ok(!isOwnXmp(xmp, "other"));
  assert.ok(isOwnXmp(xmp));
  const bare = renderXmp({ source: "picker", id: "p1" });
  assert.ok(!/DateTimeOriginal|GPS|Rating|rdf:li/.test(bare));
  assert.match(bare, /photosync:ItemId="p1"\/>/);
});

/** Whether exiftool is installed (Debian: libimage-exiftool-perl; .ci/run installs it). */
const EXIFTOOL = await (async () => {
  try {
    // Spawning a missing program throws at once (not a rejected promise).
    return (await new Deno.Command("exiftool", { args: ["-ver"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "exiftool reads hostile text back as written (forbidden characters as U+FFFD)" +
    (EXIFTOOL ? "" : " (ignored: exiftool is not installed; .ci/run installs it)"),
  ignore: !EXIFTOOL,
}, async () => {
  const hostile = `<x> & "y" 'z' ]]> tab\t line\nfeed \u0001 😀 𝄞 é`;
  const dir = await Deno.makeTempDir({ prefix: "photosync-xmp-" });
  try {
    const path = `${dir}/a.jpg.xmp`;
    await Deno.writeTextFile(
      path,
      renderXmp({ source: "takeout", id: "x", description: hostile, people: [hostile] }),
    );
    const output = await new Deno.Command("exiftool", { args: ["-json", "-struct", path] }).output();
    assert.equal(output.code, 0);
    const [tags] = JSON.parse(new TextDecoder().decode(output.stdout));
    const expected = hostile.replace("\u0001", "\uFFFD");
    assert.equal(tags.Description, expected);
    assert.deepEqual(tags.PersonInImage, [expected]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("xmpFieldsOf: what the item's JSON knows, nothing made up", () => {
  const json = JSON.stringify({
    description: "  ",
    geo: { latitude: 91, longitude: 0 },
    people: ["A", 3, ""],
    favorited: "yes",
    localOffsetMinutes: -420,
  });
  assert.deepEqual(xmpFieldsOf({ id: "i", source: "takeout", createdMs: 5, json }), {
    id: "i",
    source: "takeout",
    createdMs: 5,
    offsetMinutes: -420,
    people: ["A"],
  });
  assert.deepEqual(xmpFieldsOf({ id: "i", source: "picker", createdMs: 5, json: "not json" }), {
    id: "i",
    source: "picker",
    createdMs: 5,
  });
});

Deno.test("xmpFieldsOf: no capture time when the source gave none (the row's 1970-01-01 only files it)", () => {
  const row = (source: string, json: unknown) => ({
    id: "i",
    source,
    createdMs: 0,
    json: JSON.stringify(json),
  });
  const offset = { localOffsetMinutes: 60 };
  // Takeout dated it by no rule; the Library API or the Picker gave no time, or one that is no date.
  for (
    const undated of [
      row("takeout", { takeout: { dateSource: "none" }, description: "Kept", ...offset }),
      row("library", { mediaMetadata: { width: "4" }, description: "Kept", ...offset }),
      row("library", { mediaMetadata: { creationTime: "2023-02-30T00:00:00Z" }, description: "Kept" }),
      row("picker", { mediaFile: { filename: "a.jpg" }, description: "Kept" }),
    ]
  ) {
    const fields = xmpFieldsOf(undated);
    assert.deepEqual(fields, { id: "i", source: undated.source, description: "Kept" }, undated.json);
    assert.doesNotMatch(renderXmp(fields), /DateTimeOriginal|1970/);
  }
  // Dated by Takeout's file time, or by the API at the epoch itself: the time is known.
  for (
    const dated of [
      row("takeout", { takeout: { dateSource: "file time" } }),
      row("library", { mediaMetadata: { creationTime: "1970-01-01T00:00:00Z" } }),
      row("picker", { createTime: "1970-01-01T00:00:00Z" }),
    ]
  ) {
    assert.equal(xmpFieldsOf(dated).createdMs, 0, dated.json);
    assert.match(renderXmp(xmpFieldsOf(dated)), /exif:DateTimeOriginal="1970-01-01T00:00:00Z"/);
  }
});

Deno.test("isPristineXmp: every sidecar renderXmp writes is told as photosync's; any edit is not", () => {
  const hostile = `a<b & "c" ]]> 'd'\ttab\nline\r😀 \u0007 \uD83D`;
  const variants = [
    { source: "library", id: "AF1Qip" },
    { source: "takeout", id: "takeout:ab", createdMs: 0 },
    {
      source: "takeout",
      id: "takeout:ab",
      createdMs: Date.UTC(2020, 11, 31, 23, 0, 0, 999),
      offsetMinutes: 540,
    },
    { source: "picker", id: "p&<>", createdMs: Date.UTC(1999, 0, 1), offsetMinutes: -210 },
    { source: "takeout", id: "takeout:cd", createdMs: Date.UTC(2023, 6, 2), offsetMinutes: 0 },
    {
      source: "takeout",
      id: "takeout:ef",
      createdMs: Date.UTC(2023, 6, 2, 6, 30),
      latitude: 34.0522,
      longitude: -118.2437,
      altitude: -71.5,
      description: hostile,
      people: ["Alice", hostile],
      favorite: true,
      albums: ["Road trip", "a|b/c-d", "😀/|", hostile],
    },
    { source: "takeout", id: "takeout:gh", latitude: -0.000001, longitude: 179.999999, description: "" },
  ];
  for (const fields of variants) {
    const xmp = renderXmp(fields);
    assert.equal(isPristineXmp(xmp), true, xmp);
    // What software that edits a sidecar does: a field of its own, another value of one of ours, another form.
    const edits = [
      xmp.replace(
        "  </rdf:Description>",
        "   <dc:subject><rdf:Bag><rdf:li>Beach</rdf:li></rdf:Bag></dc:subject>\n  </rdf:Description>",
      ),
      xmp.replace(`    photosync:Source=`, `    xmp:Rating="4"\n    photosync:Source=`),
      xmp.replace(
        `    photosync:Source=`,
        `    xmlns:darktable="http://darktable.sf.net/"\n    photosync:Source=`,
      ),
      xmp.replace(`x:xmptk="photosync"`, `x:xmptk="Image::ExifTool 12.76"`),
      xmp.replaceAll('"', "'"),
      xmp.replace(/\n$/, ""),
    ];
    edits.push(xmp.replace(`    photosync:Source=`, `    darktable:history_end="3"\n    photosync:Source=`));
    for (const edited of edits.filter((edit) => edit !== xmp)) {
      assert.equal(isPristineXmp(edited), false, edited);
    }
  }
  assert.equal(isPristineXmp("<x:xmpmeta/>"), false);
});
