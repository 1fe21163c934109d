import assert from "node:assert/strict";
import { MAX_DEPTH, MAX_PIECE_CHARS, XmlError, XmlStream } from "./xml_stream.ts";

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
    [["<a>\n<b></a>"], /unexpected close tag at line 2/],
    [["<a>", "<b>"], /unclosed tag: b/],
    [["<a/><b/>"], /only one root/],
    [["x<a/>"], /text data outside of root/],
    [["<a/>x"], /text data outside of root/],
    [["<a/>\n<![CDATA[x]]>"], /text data outside of root.* line 2/],
    [["<a b=c/>"], /unquoted attribute value/],
    [["<a b='1' b='2'/>"], /duplicate attribute: b/],
    [["<a b='<'/>"], /disallowed character/],
    [["<a <b/>"], /disallowed character in attribute name/],
    [["<a>&nbsp;</a>"], /undefined entity/],
    [["<a>&#0;</a>"], /malformed character entity/],
    [["<a>&#xD800;</a>"], /malformed character entity/],
    [["<a>& b;</a>"], /disallowed character in entity name/],
    [["<a>& b</a>"], /unclosed tag: a/],
    [["<a><!-- open"], /unclosed tag: a/],
    [["<a><!xyz1234></a>"], /incorrect syntax/],
    [["</a>"], /unmatched closing tag: a/],
    [["<1a/>"], /disallowed character in tag name/],
    [["<?xml version='1.0'?><!-- only -->"], /must contain a root element/],
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

Deno.test("a piece that never ends is refused once it is longer than any piece of a listing", () => {
  // saxes holds each of these whole until it ends: a tag, a text (until the next tag), a reference, a
  // comment, a CDATA section, a DOCTYPE.
  const piece = "x".repeat(64 * 1024);
  for (
    const opening of ["<a><b c='", "<a>", "<a>&", "<a><!-- ", "<a><![CDATA[", "<!DOCTYPE a [", "<a><?pi "]
  ) {
    const xml = new XmlStream({ start() {}, end() {}, text() {} });
    xml.push(opening);
    assert.throws(
      () => {
        for (let sent = 0; sent <= MAX_PIECE_CHARS; sent += piece.length) xml.push(piece);
      },
      (error: Error) => error instanceof XmlError && /longer than/.test(error.message),
      opening,
    );
  }
  // Short pieces, however many, are no piece that never ends.
  const xml = new XmlStream({ start() {}, end() {}, text() {} });
  xml.push("<a>");
  for (let sent = 0; sent <= 2 * MAX_PIECE_CHARS; sent += 16 * 1024) {
    xml.push(`<b c='1'>${"x".repeat(16 * 1024)}</b>`);
  }
  xml.push("</a>");
  xml.end();
});

Deno.test("elements nested deeper than any listing's are refused: each open one is held", () => {
  const xml = new XmlStream({ start() {}, end() {}, text() {} });
  xml.push("<a>".repeat(MAX_DEPTH));
  assert.throws(() => xml.push("<a>"), /nested more than 256 deep/);
});
