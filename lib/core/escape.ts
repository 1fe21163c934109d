/**
 * Making hostile text (names from archives and from Google) safe to show or to write as a
 * field: control characters and bidirectional overrides become visible escapes.
 * @module
 */

/**
 * C0 controls (ESC, BEL, CR, LF, …), DEL, C1 controls (U+0080–U+009F, e.g. the one-unit CSI
 * U+009B), the line and paragraph separators, and the bidirectional embeddings, overrides and
 * isolates, which reorder what a terminal shows after them.
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\e" };

/** One unsafe character as an escape: `\n`, `\e`, `\x07`, `\u202e`. */
function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ??
    (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`);
}

/**
 * `text` with every control character and bidirectional override shown as an escape, so that it
 * cannot move the cursor, recolour, retitle or rewrite a terminal, nor break a line. `keep`:
 * characters left as they are (a renderer's own newlines). Backslashes stay: on a terminal the
 * result is for reading, not for parsing (see {@link escapeField}).
 *
 * @example Usage
 * ```ts
 * import { escapeControls } from "./escape.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeControls("evil\x1b[2J\x07.jpg"), "evil\\e[2J\\x07.jpg");
 * assert.equal(escapeControls("a\r\nb\u202egpj.exe"), "a\\r\\nb\\u202egpj.exe");
 * assert.equal(escapeControls("one\ntwo", "\n"), "one\ntwo");
 * assert.equal(escapeControls("Ünïcödé 😀 ok"), "Ünïcödé 😀 ok");
 * ```
 */
export function escapeControls(text: string, keep = ""): string {
  return text.replace(UNSAFE, (char) => keep.includes(char) ? char : escapeChar(char));
}

/**
 * `text` as one field of a tab-separated line (the `\`-escaping of "linear TSV": `\\`, `\t`,
 * `\n`, `\r`), every other control character and bidirectional override escaped as in
 * {@link escapeControls}: the field holds no tab nor line break, and reads back unambiguously.
 *
 * @example Usage
 * ```ts
 * import { escapeField } from "./escape.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeField("a\tb\nc\\d"), "a\\tb\\nc\\\\d");
 * assert.equal(escapeField("Photos from 2020/IMG_0001.jpg"), "Photos from 2020/IMG_0001.jpg");
 * ```
 */
export function escapeField(text: string): string {
  return escapeControls(text.replaceAll("\\", "\\\\"));
}

/**
 * `text` as one word of a shell command line a message suggests (`photosync verify --dir …`): as it
 * is when it holds only characters no shell reads specially, else in single quotes (a quote in it
 * as `'\''`), so that the suggestion can be copied and run as shown.
 *
 * @example Usage
 * ```ts
 * import { shellWord } from "./escape.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(shellWord("/home/anna/photos"), "/home/anna/photos");
 * assert.equal(shellWord("/home/anna/my photos"), "'/home/anna/my photos'");
 * assert.equal(shellWord("/mnt/Anna's drive"), "'/mnt/Anna'\\''s drive'");
 * ```
 */
export function shellWord(text: string): string {
  return /^[\p{L}\p{N}_./:=@%+,~-]+$/u.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
