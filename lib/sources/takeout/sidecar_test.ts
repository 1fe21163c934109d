import assert from "node:assert/strict";
import { albumTitle, parseSidecar } from "./sidecar.ts";

Deno.test("albumTitle reads the title at the top (exports of today)", () => {
  const text = '{\n  "title": "Trip to Gdańsk",\n  "description": "",\n  "access": "protected",\n' +
    '  "date": {\n    "timestamp": "1502439626",\n    "formatted": "11 sie 2017, 08:20:26 UTC"\n  }\n}\n';
  assert.equal(albumTitle(text), "Trip to Gdańsk");
});

Deno.test("albumTitle reads the title inside albumData (older exports)", () => {
  const text = '{\n  "albumData": {\n    "title": "Trip to Gdańsk",\n    "description": "",\n' +
    '    "access": "protected",\n    "location": "",\n    "date": {\n      "timestamp": "1502439626",\n' +
    '      "formatted": "11 sie 2017, 08:20:26 UTC"\n    },\n    "geoData": {\n      "latitude": 0.0,\n' +
    '      "longitude": 0.0,\n      "altitude": 0.0,\n      "latitudeSpan": 0.0,\n      "longitudeSpan": 0.0\n' +
    "    }\n  }\n}\n";
  assert.equal(albumTitle(text), "Trip to Gdańsk");
  // Not a media file's sidecar: no title or photoTakenTime at the top.
  assert.equal(parseSidecar(text), undefined);
});

Deno.test("albumTitle: an empty or missing title, in either form, is no title", () => {
  for (
    const text of [
      '{"title":""}',
      '{"title":"  "}',
      '{"albumData":{"title":""}}',
      '{"albumData":{"description":"x"}}',
      '{"albumData":"Urlaub"}',
      '{"albumData":null}',
      "[]",
      "not json",
    ]
  ) {
    assert.equal(albumTitle(text), undefined, text);
  }
});

Deno.test("parseSidecar: a photoTakenTime that is no sane date is kept as invalidTakenTime, not as takenMs", () => {
  const sidecar = (timestamp: unknown) =>
    parseSidecar(JSON.stringify({ title: "a.jpg", photoTakenTime: { timestamp } }));
  for (
    const timestamp of [
      "1e20",
      "-99999999999",
      "253402300800",
      "-62135596801",
      "NaN",
      "abc",
      "1554458472.0005",
      1e300,
      true,
    ]
  ) {
    const data = sidecar(timestamp);
    assert.equal(data?.takenMs, undefined, String(timestamp));
    assert.equal(data?.invalidTakenTime, String(timestamp), String(timestamp));
  }
  // Missing or "0": Google's "no time", no date and nothing to report.
  for (const timestamp of [undefined, "0", 0, ""]) assert.deepEqual(sidecar(timestamp), { title: "a.jpg" });
  assert.equal(sidecar("1554458472")?.takenMs, 1554458472000);
  assert.equal(sidecar(1554458472)?.takenMs, 1554458472000);
  // Any day from 0001 to 9999: a scan of 1750, a camera set to 2200.
  assert.equal(sidecar("-6928207200")?.takenMs, Date.UTC(1750, 5, 15, 10));
  assert.equal(sidecar("7258118400")?.takenMs, Date.UTC(2200, 0, 1));
  assert.equal(sidecar("-62135596800")?.takenMs, Date.parse("0001-01-01T00:00:00Z"));
  assert.equal(sidecar("253402300799")?.takenMs, Date.UTC(9999, 11, 31, 23, 59, 59));
});
