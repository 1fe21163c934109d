import assert from "node:assert/strict";
import { MAX_MARKUP_CHARS, XmlError, XmlStream } from "./xml_stream.ts";

/** The events of `pieces` read as one document, texts run together as a reader sees them. */
function events(pieces: string[]): string[] {
  const seen: string[] = [];
  const xml = new XmlStream({
    start: (name, attributes) => seen.push(`<${name}${attributes.map(([k, v]) => ` ${k}=${v}`).join("")}>`),
    end: (name) => seen.push(`</${name}>`),
    text: (text) => {
      if (seen.at(-1)?.startsWith("#")) seen[seen.length - 1] += text;
      else seen.push(`#${text}`);
    },
  });
  for (const piece of pieces) xml.push(piece);
  xml.end();
  return seen;
}

const DOCUMENT = `<?xml version="1.0" encoding="utf-8"?>\n<!-- a < comment > -->\n` +
  `<D:multistatus xmlns:D="DAV:" a='x > "y"'>\n <D:href>/t/&#x74;ake&amp;out&#116;.zip</D:href>` +
  `<D:e/><![CDATA[<raw> &amp; ]]><?pi ok?>é😀</D:multistatus>\n`;

Deno.test("a document reads the same however it is cut into pieces", () => {
  const whole = events([DOCUMENT]);
  assert.deepEqual(whole, [
    `<D:multistatus xmlns:D=DAV: a=x > "y">`,
    "#\n ",
    "<D:href>",
    "#/t/take&outt.zip",
    "</D:href>",
    "<D:e>",
    "</D:e>",
    "#<raw> &amp; é😀",
    "</D:multistatus>",
  ]);
  for (let cut = 0; cut <= DOCUMENT.length; cut++) {
    assert.deepEqual(events([DOCUMENT.slice(0, cut), DOCUMENT.slice(cut)]), whole, `cut at ${cut}`);
  }
  assert.deepEqual(events([...DOCUMENT]), whole);
});

Deno.test("what is no well-formed XML is an XmlError saying what and on which line", () => {
  const cases: [string[], RegExp, XmlError["kind"]?][] = [
    [["<a>\n<b></a>"], /closing tag <\/a> does not match <b>.*line 2/],
    [["<a>", "<b>"], /ends inside <b>/],
    [["<a/><b/>"], /second root element <b>/],
    [["x<a/>"], /text outside the root/],
    [["<a/>x"], /text outside the root/],
    [["<a b=c/>"], /malformed attribute in <a>/],
    [["<a b='1' b='2'/>"], /attribute b twice/],
    [["<a b='<'/>"], /malformed attribute/],
    [["<a <b/>"], /a < inside a tag/],
    [["<a>&nbsp;</a>"], /undefined entity &nbsp;/],
    [["<a>&#0;</a>"], /no XML character/],
    [["<a>& b</a>"], /starts no reference/],
    [["<a><!-- open"], /ends inside a comment/],
    [["<a><!x></a>"], /starts no comment/],
    [["</a>"], /no element open/],
    [["<1a/>"], /no element name/],
    [["<?xml version='1.0'?><!-- only -->"], /no root element/],
    [["<!DOC", "TYPE a><a/>"], /DOCTYPE/, "doctype"],
    [[" \n "], /empty/, "empty"],
  ];
  for (const [pieces, message, kind] of cases) {
    assert.throws(() => events(pieces), (error: Error) => {
      assert.ok(error instanceof XmlError, String(error));
      assert.match(`${error.message} at line ${error.line}`, message);
      assert.equal(error.kind, kind ?? "syntax");
      return true;
    }, pieces.join(""));
  }
});

Deno.test("a tag that never ends is refused once it is longer than any tag of a listing", () => {
  const xml = new XmlStream({ start() {}, end() {}, text() {} });
  xml.push("<a><b c='");
  const piece = "x".repeat(64 * 1024);
  assert.throws(() => {
    for (let sent = 0; sent <= MAX_MARKUP_CHARS; sent += piece.length) xml.push(piece);
  }, /longer than/);
});
