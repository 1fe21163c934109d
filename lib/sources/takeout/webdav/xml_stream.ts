/**
 * An XML document read as it arrives, chunk by chunk: start tags, end tags and character data are
 * handed on as they are read, so that what a reader keeps of a document is what it chooses to keep,
 * not the document. Well-formedness is checked as far as a reader of WebDAV answers needs: names,
 * attributes, tags that close in order, one root, references (`decodeReferences`), no text outside the
 * root, and a document that ends. A DOCTYPE is refused (entity definitions are how a small answer
 * expands without bound; a multistatus has none), and so is any one tag, comment, processing
 * instruction or CDATA section over {@link MAX_MARKUP_CHARS} (what waits for its end is held whole).
 * @module
 */

/** The longest a tag, comment, processing instruction or CDATA section may be (in UTF-16 code units). */
export const MAX_MARKUP_CHARS = 1 << 20;

/** What a document is handed to as it is read. */
export interface XmlHandler {
  /** A start tag: its qualified name and its attributes in order, their values' references decoded. */
  start(name: string, attributes: [name: string, value: string][]): void;
  /** The end of the element last started and not yet ended (a tag `<a/>` ends right after it starts). */
  end(name: string): void;
  /** Character data inside the root, references decoded (one text may come in several pieces). */
  text(text: string): void;
}

/** The document is no well-formed XML: what is wrong, and where. */
export class XmlError extends Error {
  constructor(
    message: string,
    /** The line it was found on (1 for the first). */
    readonly line: number,
    /** `doctype`: the document has one; `empty`: it had nothing but white space. */
    readonly kind: "syntax" | "doctype" | "empty" = "syntax",
  ) {
    super(message);
    this.name = "XmlError";
  }
}

/** The five entities XML predefines: the only ones a document without a DOCTYPE may use. */
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

/**
 * `text` (character data or an attribute value) with its references replaced as XML 1.0 §4.1 says:
 * the predefined entities, and character references, decimal (`&#116;`) or hexadecimal (`&#x74;`),
 * to a character XML allows. In one pass, so that `&amp;#116;` stays the text `&#116;`. Any other
 * reference, or a `&` that starts none, is an `Error` saying which.
 *
 * @example Usage
 * ```ts
 * import { decodeReferences } from "./xml_stream.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decodeReferences("/dav/&#x74;akeout&#45;1 &amp;#116;.zip"), "/dav/takeout-1 &#116;.zip");
 * assert.throws(() => decodeReferences("&nbsp;"), /undefined entity &nbsp;/);
 * ```
 */
export function decodeReferences(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&([^;&<\s]*);?/g, (reference, name: string) => {
    if (!reference.endsWith(";")) throw new Error(`a "&" that starts no reference: ${reference}`);
    if (Object.hasOwn(PREDEFINED, name)) return PREDEFINED[name];
    const match = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    const code = match ? parseInt(match[1] ?? match[2], match[1] ? 16 : 10) : Number.NaN;
    if (match && xmlChar(code)) return String.fromCodePoint(code);
    throw new Error(`${match ? "a reference to no XML character" : "undefined entity"} ${reference}`);
  });
}

/** Whether `code` is a character XML 1.0 allows (§2.2 `Char`). */
function xmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** A name as XML allows it, roughly: not starting with a digit, `-` or `.`; no markup characters. */
const NAME = /^[^\s\d\-.<>/=&;"'!?][^\s<>/=&;"'!?]*$/;
/** One attribute, after white space: `name = "value"` or `name='value'`. */
const ATTRIBUTE = /\s+([^\s<>/=&;"'!?]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

/**
 * Reads one XML document given in pieces ({@link push}, then {@link end}), handing what it reads to
 * an {@link XmlHandler}. Throws an {@link XmlError} (or what the handler throws) as soon as the
 * document is known to be no XML.
 *
 * @example Usage
 * ```ts
 * import { XmlStream } from "./xml_stream.ts";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const xml = new XmlStream({
 *   start: (name) => seen.push(`<${name}>`),
 *   end: (name) => seen.push(`</${name}>`),
 *   text: (text) => seen.push(text),
 * });
 * xml.push(`<?xml version="1.0"?><a x="1"><b>f&amp;`);
 * xml.push(`g</b><c/></a>`);
 * xml.end();
 * assert.deepEqual(seen, ["<a>", "<b>", "f&", "g", "</b>", "<c>", "</c>", "</a>"]);
 * ```
 */
export class XmlStream {
  readonly #handler: XmlHandler;
  /** What is not read yet: the start of a tag, comment or reference waiting for its end. */
  #rest = "";
  #line = 1;
  readonly #open: string[] = [];
  #sawRoot = false;
  #anything = false;

  constructor(handler: XmlHandler) {
    this.#handler = handler;
  }

  /** The next piece of the document. */
  push(chunk: string): void {
    this.#rest = this.#rest === "" ? chunk : this.#rest + chunk;
    this.#read(false);
  }

  /** The document has ended: throws when it ended inside an element, or had no root. */
  end(): void {
    this.#read(true);
    if (this.#open.length > 0) {
      this.#fail(`the answer ends inside <${this.#open.at(-1)}>`);
    }
    if (!this.#sawRoot) {
      throw this.#anything
        ? new XmlError("no root element", this.#line)
        : new XmlError("the answer is empty", this.#line, "empty");
    }
  }

  /** Reads what is complete in `#rest`; with `final`, whatever is there must be complete. */
  #read(final: boolean): void {
    const text = this.#rest;
    let at = 0;
    while (at < text.length) {
      if (text[at] !== "<") {
        let next = text.indexOf("<", at);
        if (next < 0) {
          // A reference cut by the chunk's end waits for the rest of it.
          const amp = text.lastIndexOf("&");
          const cut = !final && amp >= at && text.length - amp < 16 && text.indexOf(";", amp) < 0;
          next = cut ? amp : text.length;
          if (next === at) break;
        }
        this.#characters(text.slice(at, next));
        at = next;
        continue;
      }
      const length = this.#markup(text, at, final);
      if (length === 0) {
        if (text.length - at > MAX_MARKUP_CHARS) {
          this.#fail(`a tag, comment or section longer than ${MAX_MARKUP_CHARS} characters`);
        }
        break;
      }
      at += length;
    }
    this.#rest = text.slice(at);
  }

  /** Character data from one `<` to the next (or a piece of it). */
  #characters(piece: string): void {
    this.#anything ||= piece.trim() !== "";
    if (this.#open.length === 0) {
      if (piece.trim() !== "") this.#fail("text outside the root element");
    } else {
      let decoded: string;
      try {
        decoded = decodeReferences(piece);
      } catch (error) {
        this.#fail((error as Error).message);
      }
      this.#handler.text(decoded);
    }
    this.#countLines(piece);
  }

  /**
   * The markup at `text[at]` (a `<`) handed on; its length, or 0 when its end has not arrived yet
   * (`final`: it never will).
   */
  #markup(text: string, at: number, final: boolean): number {
    this.#anything = true;
    const head = (length: number) => text.slice(at, at + length);
    if (text.length - at < 2) return this.#wait("a tag", final);
    if (text[at + 1] === "?") return this.#section(text, at, "?>", "a processing instruction", final);
    if (text[at + 1] === "!") {
      if (head(4) === "<!--") return this.#section(text, at, "-->", "a comment", final);
      if (head(9) === "<![CDATA[") return this.#section(text, at, "]]>", "a CDATA section", final);
      if (head(9).toUpperCase() === "<!DOCTYPE") {
        throw new XmlError("the answer has a DOCTYPE", this.#line, "doctype");
      }
      // Too short yet to tell which it is.
      const sofar = text.slice(at);
      if (["<!--", "<![CDATA[", "<!DOCTYPE"].some((prefix) => prefix.startsWith(sofar.toUpperCase()))) {
        return this.#wait("a tag", final);
      }
      this.#fail("a <! that starts no comment or CDATA section");
    }
    const close = tagEnd(text, at);
    if (close === -2) this.#fail("a < inside a tag");
    if (close < 0) return this.#wait("a tag", final);
    const tag = text.slice(at + 1, close);
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trimEnd();
      const open = this.#open.at(-1);
      if (open === undefined) this.#fail(`a closing tag </${name}> with no element open`);
      if (name !== open) this.#fail(`closing tag </${name}> does not match <${open}>`);
      this.#close(name);
    } else {
      const empty = tag.endsWith("/");
      const body = empty ? tag.slice(0, -1) : tag;
      const name = /^\S*/.exec(body)![0];
      if (!NAME.test(name)) this.#fail(`no element name in <${body.slice(0, 40)}>`);
      if (this.#open.length === 0 && this.#sawRoot) this.#fail(`a second root element <${name}>`);
      const attributes: [string, string][] = [];
      let end = name.length;
      ATTRIBUTE.lastIndex = end;
      for (let match; (match = ATTRIBUTE.exec(body)) !== null; end = ATTRIBUTE.lastIndex) {
        const [, key, double, single] = match;
        if (attributes.some(([seen]) => seen === key)) this.#fail(`attribute ${key} twice in <${name}>`);
        try {
          attributes.push([key, decodeReferences(double ?? single)]);
        } catch (error) {
          this.#fail((error as Error).message);
        }
      }
      if (body.slice(end).trim() !== "") this.#fail(`a malformed attribute in <${name}>`);
      this.#sawRoot = true;
      this.#open.push(name);
      this.#handler.start(name, attributes);
      if (empty) this.#close(name);
    }
    this.#countLines(tag);
    return close + 1 - at;
  }

  /** The end of the innermost open element, `name`. */
  #close(name: string): void {
    this.#open.pop();
    this.#handler.end(name);
  }

  /** 0: what started has not ended yet; with `final`, it never will (an error). */
  #wait(what: string, final: boolean): number {
    if (final) this.#fail(`the answer ends inside ${what}`);
    return 0;
  }

  /** A comment, processing instruction or CDATA section from `at`, ending with `terminator`. */
  #section(
    text: string,
    at: number,
    terminator: string,
    what: string,
    final: boolean,
  ): number {
    const end = text.indexOf(terminator, at);
    if (end < 0) return this.#wait(what, final);
    const section = text.slice(at, end + terminator.length);
    if (terminator === "]]>") {
      if (this.#open.length === 0) this.#fail("a CDATA section outside the root element");
      this.#handler.text(section.slice("<![CDATA[".length, -terminator.length));
    }
    this.#countLines(section);
    return section.length;
  }

  #countLines(text: string): void {
    for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) this.#line++;
  }

  #fail(message: string): never {
    throw new XmlError(message, this.#line);
  }
}

/** Where the tag starting at `text[at]` ends (its `>`, outside quoted values); -1: not yet; -2: a `<` first. */
function tagEnd(text: string, at: number): number {
  let quote = "";
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (quote !== "") {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ">") {
      return i;
    } else if (c === "<") {
      return -2;
    }
  }
  return -1;
}
