import assert from "node:assert/strict";
import { escapeControls, escapeField } from "./escape.ts";

/** Every character a hostile name may use to act on a terminal. */
const HOSTILE = [
  ..."\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f",
  "\x80",
  "\x9b", // CSI in one unit.
  "\x9d", // OSC in one unit.
  "\u2028",
  "\u2029",
  ..."\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
];

Deno.test("escapeControls leaves no control character nor bidi override, and leaves other text as it is", () => {
  for (const char of HOSTILE) {
    const escaped = escapeControls(`a${char}b`);
    assert.ok(!escaped.includes(char), JSON.stringify(char));
    assert.match(escaped, /^a\\.+b$/);
  }
  const plain = "IMG_0001 (1).jpg — Ünïcödé, 日本語, emoji 😀, back\\slash, \u200d joiner";
  assert.equal(escapeControls(plain), plain);
  assert.equal(escapeControls("\x1b]0;owned\x07title"), "\\e]0;owned\\x07title");
  assert.equal(escapeControls("line\nline\r", "\n"), "line\nline\\r");
});

Deno.test("escapeField: a field never holds a tab or line break, and backslashes are escaped so it reads back", () => {
  const field = escapeField("a\tb\nc\rd\\e\x1bf");
  assert.equal(field, "a\\tb\\nc\\rd\\\\e\\ef");
  assert.ok(!/[\t\n\r]/.test(field));
  const unescape = (text: string) =>
    text.replace(
      /\\(\\|t|n|r|e)/g,
      (_, c) => ({ "\\": "\\", t: "\t", n: "\n", r: "\r", e: "\x1b" })[c as "t"],
    );
  for (const text of ["x\\ty", "\\\\n", "tab\there", "C:\\new\\table"]) {
    assert.equal(unescape(escapeField(text)), text);
  }
});
