/**
 * A WebDAV `207 Multi-Status` answer to `PROPFIND` (RFC 4918 §14.16) read into the resources it
 * lists. Elements are matched by namespace and local name, whatever prefix a server picks
 * (`D:`, `d:`, Apache's `lp1:`, a default namespace); only properties under a `2xx` propstat
 * count. The answer is read as it arrives (`xml_stream.ts`: saxes, a DOCTYPE refused): each
 * `response` is handed on when it ends, and only it is held until then, so that a listing of a
 * folder of 100,000 files costs what its reader keeps of it, not the listing.
 * @module
 */
import { XmlError, type XmlHandler, XmlStream } from "./xml_stream.ts";

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

/** How far below a `response` its elements are kept: `propstat` › `prop` › `resourcetype` › `collection`. */
const KEPT_LEVELS = 4;

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";

/**
 * A multistatus read as it arrives ({@link push} its text, then {@link end}): each resource is handed
 * to `onResource` as its `response` ends. Throws a {@link MultistatusError} as soon as the answer is
 * known to be no multistatus.
 *
 * @example Usage
 * ```ts
 * import { MultistatusReader } from "./multistatus.ts";
 * import assert from "node:assert/strict";
 *
 * const hrefs: string[] = [];
 * const reader = new MultistatusReader((resource) => hrefs.push(resource.href));
 * reader.push(`<d:multistatus xmlns:d="DAV:"><d:response><d:href>/Takeout/a`);
 * reader.push(`.zip</d:href></d:response></d:multistatus>`);
 * reader.end();
 * assert.deepEqual(hrefs, ["/Takeout/a.zip"]);
 * ```
 */
export class MultistatusReader {
  readonly #xml: XmlStream;

  constructor(onResource: (resource: DavResource) => void) {
    this.#xml = new XmlStream(handler(onResource));
  }

  /** The next piece of the answer's text. */
  push(text: string): void {
    try {
      this.#xml.push(text);
    } catch (error) {
      throw refused(error);
    }
  }

  /** The answer has ended. */
  end(): void {
    try {
      this.#xml.end();
    } catch (error) {
      throw refused(error);
    }
  }
}

/** The error for `error`, thrown while reading: a {@link MultistatusError} for what is no XML. */
function refused(error: unknown): unknown {
  if (!(error instanceof XmlError)) return error;
  if (error.kind === "doctype") {
    return new MultistatusError("the answer has a DOCTYPE, which a multistatus never has");
  }
  if (error.kind === "empty") return new MultistatusError("the answer is empty");
  return new MultistatusError(`the answer is not XML (${error.message} at line ${error.line})`, {
    cause: error,
  });
}

/**
 * The handler that builds each `response` (down to {@link KEPT_LEVELS} below it) with namespaces
 * resolved: an element's `xmlns` and `xmlns:p` attributes open a scope for it and its descendants
 * (Namespaces in XML 1.0 §6).
 */
function handler(onResource: (resource: DavResource) => void): XmlHandler {
  const scopes: ReadonlyMap<string, string>[] = [new Map([["xml", XML_NAMESPACE]])];
  /** The `response` being read and its kept elements still open, innermost last. */
  const kept: Element[] = [];
  /** The open elements' depth (the root is 1), and that of the innermost kept one. */
  let depth = 0;
  return {
    start(name, attributes) {
      const outer = scopes[scopes.length - 1];
      let scope: Map<string, string> | undefined;
      for (const [attribute, value] of attributes) {
        if (attribute === "xmlns" || attribute.startsWith("xmlns:")) {
          scope ??= new Map(outer);
          scope.set(attribute === "xmlns" ? "" : attribute.slice(6), value);
        }
      }
      const own = scope ?? outer;
      scopes.push(own);
      depth++;
      const colon = name.indexOf(":");
      const prefix = colon < 0 ? "" : name.slice(0, colon);
      const element: Element = {
        // An undeclared prefix resolves to nothing, so such an element matches no DAV: name.
        ns: own.get(prefix) ?? (prefix === "" ? "" : `undeclared:${prefix}`),
        local: colon < 0 ? name : name.slice(colon + 1),
        children: [],
        text: "",
      };
      if (depth === 1) {
        if (!is(element, "multistatus")) {
          const found = `<${element.local}>${element.ns === "" ? "" : ` in namespace ${element.ns}`}`;
          throw new MultistatusError(`the answer is no WebDAV multistatus (its root element is ${found})`);
        }
      } else if (
        depth === 2 ? is(element, "response") : kept.length === depth - 2 && depth - 2 <= KEPT_LEVELS
      ) {
        kept.at(-1)?.children.push(element);
        kept.push(element);
      }
    },
    text(text) {
      if (kept.length > 0 && kept.length === depth - 1) kept[kept.length - 1].text += text;
    },
    end() {
      if (kept.length > 0 && kept.length === depth - 1) {
        const element = kept.pop()!;
        element.text = element.text.trim();
        if (kept.length === 0) readResponse(element).forEach(onResource);
      }
      scopes.pop();
      depth--;
    },
  };
}

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
  const resources: DavResource[] = [];
  const reader = new MultistatusReader((resource) => resources.push(resource));
  reader.push(xml);
  reader.end();
  return resources;
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
