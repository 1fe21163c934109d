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
