/**
 * A WebDAV `207 Multi-Status` answer to `PROPFIND` (RFC 4918 §14.16) read into the resources it
 * lists. Elements are matched by namespace and local name, whatever prefix a server picks
 * (`D:`, `d:`, Apache's `lp1:`, a default namespace); only properties under a `2xx` propstat
 * count. The XML is parsed by fast-xml-parser; a document with a DOCTYPE is refused (a
 * multistatus has none, and entity definitions are how a hostile server would make a small
 * answer expand without bound).
 * @module
 */
import { XMLParser } from "fast-xml-parser";

const DAV = "DAV:";

/** One resource of a multistatus. */
export interface DavResource {
  /** The href as sent (percent-encoded, absolute path or full URL), XML references decoded. */
  href: string;
  /** HTTP status of the response, or of its properties' propstat (200 for a listed resource). */
  status: number;
  /** A collection (folder). */
  collection: boolean;
  /** `getcontentlength`, when given and a whole number. */
  size?: number;
  /** `getlastmodified` as epoch ms, when given and a date. */
  modifiedMs?: number;
  /** `getetag`, as sent (quotes included). */
  etag?: string;
}

/** The answer was no multistatus (not XML, or another root element). */
export class MultistatusError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MultistatusError";
  }
}

/** An element with its namespace resolved. */
interface Element {
  ns: string;
  local: string;
  children: Element[];
  text: string;
}

/** fast-xml-parser's `preserveOrder` node: `{ [tag]: children, ":@"?: attributes }` or `{ "#text": … }`. */
type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  // Values stay text: a display name "007" or an etag must not turn into a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // References are decoded here ({@link decodeReferences}): the parser, without HTML entities, leaves
  // character references (`&#x74;`) as written, and a `#` left in an href starts a URL fragment.
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

/**
 * The resources listed in `xml`, a `207 Multi-Status` body, in document order. Throws a
 * {@link MultistatusError} when it is not XML or its root is not `DAV:multistatus`.
 *
 * @example Usage
 * ```ts
 * import { parseMultistatus } from "./multistatus.ts";
 * import assert from "node:assert/strict";
 *
 * const [folder, file] = parseMultistatus(`<?xml version="1.0"?>
 *   <d:multistatus xmlns:d="DAV:">
 *     <d:response><d:href>/Takeout/</d:href><d:propstat><d:prop>
 *       <d:resourcetype><d:collection/></d:resourcetype></d:prop>
 *       <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 *     <d:response><d:href>/Takeout/takeout-20260601T000000Z-001.zip</d:href><d:propstat><d:prop>
 *       <d:resourcetype/><d:getcontentlength>1024</d:getcontentlength></d:prop>
 *       <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 *   </d:multistatus>`);
 * assert.equal(folder.collection, true);
 * assert.deepEqual([file.collection, file.size], [false, 1024]);
 * ```
 */
export function parseMultistatus(xml: string): DavResource[] {
  if (/<!DOCTYPE/i.test(xml)) {
    throw new MultistatusError("the answer has a DOCTYPE, which a multistatus never has");
  }
  if (xml.trim() === "") throw new MultistatusError("the answer is empty");
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(xml, true) as OrderedNode[];
  } catch (error) {
    // fast-xml-parser throws an Error or its validator's `{ err: { msg, line } }`; both end "…:line:col".
    const err = (error as { err?: { msg?: string; line?: number } }).err;
    const text = err?.msg ? `${err.msg}:${err.line}` : (error as Error).message ?? String(error);
    const detail = text.replace(/^Error: /, "").replace(/\.?:(\d+)(?::\w+)?$/, " at line $1").replace(
      / at line undefined$/,
      "",
    );
    throw new MultistatusError(`the answer is not XML (${detail})`, { cause: error });
  }
  const roots = resolve(nodes, new Map([["xml", "http://www.w3.org/XML/1998/namespace"]]));
  const root = roots.find((element) => element.local !== "");
  if (!root || !is(root, "multistatus")) {
    const found = !root ? "missing" : `<${root.local}>${root.ns === "" ? "" : ` in namespace ${root.ns}`}`;
    throw new MultistatusError(`the answer is no WebDAV multistatus (its root element is ${found})`);
  }
  return root.children.filter((child) => is(child, "response")).flatMap(readResponse);
}

/** One `response`: its href, and the properties of its successful propstats. */
function readResponse(response: Element): DavResource[] {
  const href = child(response, "href")?.text;
  if (href === undefined || href === "") return [];
  const own = child(response, "status");
  const propstats = response.children.filter((element) => is(element, "propstat"));
  const ok = propstats.filter((propstat) => success(statusOf(child(propstat, "status")?.text)));
  const resource: DavResource = {
    href,
    status: own ? statusOf(own.text) : ok.length > 0 ? 200 : statusOf(child(propstats[0], "status")?.text),
    collection: false,
  };
  for (const propstat of ok) {
    for (const prop of child(propstat, "prop")?.children ?? []) {
      if (prop.ns !== DAV) continue;
      if (prop.local === "resourcetype") {
        resource.collection ||= prop.children.some((element) => is(element, "collection"));
      } else if (prop.local === "getcontentlength") {
        const size = Number(prop.text);
        if (prop.text !== "" && Number.isSafeInteger(size) && size >= 0) resource.size = size;
      } else if (prop.local === "getlastmodified") {
        const ms = Date.parse(prop.text);
        if (Number.isFinite(ms)) resource.modifiedMs = ms;
      } else if (prop.local === "getetag" && prop.text !== "") {
        resource.etag = prop.text;
      }
    }
  }
  return [resource];
}

/** The code of a status line (`HTTP/1.1 404 Not Found` → 404); 0 when there is none. */
function statusOf(line: string | undefined): number {
  const match = /^\s*HTTP\/[\d.]+\s+(\d{3})/i.exec(line ?? "");
  return match ? Number(match[1]) : 0;
}

function success(status: number): boolean {
  return status >= 200 && status < 300;
}

function is(element: Element | undefined, local: string): boolean {
  return element?.ns === DAV && element.local === local;
}

function child(element: Element | undefined, local: string): Element | undefined {
  return element?.children.find((candidate) => is(candidate, local));
}

/** The five entities XML predefines: the only ones a document without a DOCTYPE may use. */
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

/**
 * `text` (character data or an attribute value) with its references replaced as XML 1.0 §4.1 says:
 * the predefined entities, and character references, decimal (`&#116;`) or hexadecimal (`&#x74;`),
 * to a character XML allows. In one pass, so that `&amp;#116;` stays the text `&#116;`. Any other
 * reference is no XML: a {@link MultistatusError}.
 *
 * @example Usage
 * ```ts
 * import { decodeReferences } from "./multistatus.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decodeReferences("/dav/&#x74;akeout&#45;1 &amp;#116;.zip"), "/dav/takeout-1 &#116;.zip");
 * assert.throws(() => decodeReferences("&nbsp;"), /undefined entity &nbsp;/);
 * ```
 */
export function decodeReferences(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&([^;&<\s]*);?/g, (reference, name: string) => {
    if (!reference.endsWith(";")) {
      throw new MultistatusError(`the answer is not XML (a "&" that starts no reference: ${reference})`);
    }
    if (Object.hasOwn(PREDEFINED, name)) return PREDEFINED[name];
    const match = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    const code = match ? parseInt(match[1] ?? match[2], match[1] ? 16 : 10) : Number.NaN;
    if (match && xmlChar(code)) return String.fromCodePoint(code);
    throw new MultistatusError(
      `the answer is not XML (${
        match ? "a reference to no XML character" : "undefined entity"
      } ${reference})`,
    );
  });
}

/** Whether `code` is a character XML 1.0 allows (§2.2 `Char`). */
function xmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/**
 * fast-xml-parser's nodes as elements with namespaces: each element's `xmlns` and `xmlns:p`
 * attributes open a scope for it and its descendants (Namespaces in XML 1.0 §6).
 */
function resolve(nodes: OrderedNode[], scope: ReadonlyMap<string, string>): Element[] {
  const elements: Element[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((key) => key !== ":@");
    if (tag === undefined || tag === "#text") continue;
    const attributes = (node[":@"] ?? {}) as Record<string, string>;
    let inner: Map<string, string> | undefined;
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "xmlns" || name.startsWith("xmlns:")) {
        inner ??= new Map(scope);
        inner.set(name === "xmlns" ? "" : name.slice(6), decodeReferences(value));
      }
    }
    const own = inner ?? scope;
    const colon = tag.indexOf(":");
    const prefix = colon < 0 ? "" : tag.slice(0, colon);
    const kids = node[tag] as OrderedNode[];
    elements.push({
      // An undeclared prefix resolves to nothing, so such an element matches no DAV: name.
      ns: own.get(prefix) ?? (prefix === "" ? "" : `undeclared:${prefix}`),
      local: colon < 0 ? tag : tag.slice(colon + 1),
      children: resolve(kids, own),
      text: decodeReferences(
        kids.map((kid) => (typeof kid["#text"] === "string" ? kid["#text"] : "")).join(""),
      ),
    });
  }
  return elements;
}
