/**
 * An XML document read as it arrives, chunk by chunk, by saxes (a conformant streaming parser): start
 * tags, end tags and character data are handed on as they are read, so that what a reader keeps of a
 * document is what it chooses to keep, not the document. saxes checks well-formedness and decodes
 * character references and the five predefined entities in one pass (`&amp;#116;` is the text
 * `&#116;`); any other entity is refused, as a document without a DOCTYPE defines none. What this
 * module adds is what a reader of answers from an untrusted server needs: a DOCTYPE is refused (entity
 * definitions are how a small answer expands without bound; a multistatus has none), and so is any one
 * piece saxes would have to hold whole — a text, tag, comment, processing instruction or CDATA section
 * over {@link MAX_PIECE_CHARS} — and elements nested over {@link MAX_DEPTH} deep (each open one is held).
 * @module
 */
import { SaxesParser } from "saxes";

/**
 * The longest one piece of a document may be (in UTF-16 code units): saxes holds a text until the
 * next tag, and a tag, comment, processing instruction or CDATA section until its end.
 */
export const MAX_PIECE_CHARS = 1 << 20;

/** The deepest elements may nest (a multistatus nests 6 deep). */
export const MAX_DEPTH = 256;

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
 * assert.deepEqual(seen, ["<a>", "<b>", "f&g", "</b>", "<c>", "</c>", "</a>"]);
 * ```
 */
export class XmlStream {
  readonly #parser = new SaxesParser({ position: true });
  /** How many characters were pushed, and how many of them had been handed on at the last event. */
  #pushed = 0;
  #handed = 0;
  #depth = 0;
  /** Nothing but white space was pushed yet. */
  #blank = true;

  constructor(handler: XmlHandler) {
    const parser = this.#parser;
    // saxes's position is where it is in what was written: all before it was handed on by this event.
    const handed = () => this.#handed = parser.position;
    parser.on("xmldecl", handed);
    parser.on("processinginstruction", handed);
    parser.on("comment", handed);
    parser.on("doctype", () => {
      throw new XmlError("the answer has a DOCTYPE", parser.line, "doctype");
    });
    parser.on("opentag", (tag) => {
      handed();
      if (++this.#depth > MAX_DEPTH) this.#fail(`elements nested more than ${MAX_DEPTH} deep`);
      handler.start(tag.name, Object.entries(tag.attributes));
    });
    parser.on("closetag", (tag) => {
      handed();
      this.#depth--;
      handler.end(tag.name);
    });
    parser.on("text", (text) => {
      handed();
      // saxes hands on white space outside the root too (other text there is an error).
      if (this.#depth > 0) handler.text(text);
    });
    parser.on("cdata", (text) => {
      handed();
      handler.text(text);
    });
    parser.on("error", (error) => {
      // saxes's message is `line:column: what.`; the line is kept apart, as for the other errors.
      this.#fail(error.message.replace(/^\d+:\d+: /, "").replace(/\.$/, ""));
    });
  }

  /** The next piece of the document. */
  push(chunk: string): void {
    this.#blank &&= chunk.trim() === "";
    this.#parser.write(chunk);
    this.#pushed += chunk.length;
    if (this.#pushed - this.#handed > MAX_PIECE_CHARS) {
      this.#fail(`a text, tag, comment or section longer than ${MAX_PIECE_CHARS} characters`);
    }
  }

  /** The document has ended: throws when it ended inside an element, or had no root. */
  end(): void {
    if (this.#blank) throw new XmlError("the answer is empty", this.#parser.line, "empty");
    this.#parser.close();
  }

  #fail(message: string): never {
    throw new XmlError(message, this.#parser.line);
  }
}
