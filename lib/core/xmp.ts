/**
 * XMP sidecars: what `sync.db` knows of an item (capture time, place, description, people,
 * favourite, albums, where it came from) as an `.xmp` file that photo software reads (Immich,
 * digiKam, darktable, Lightroom, PhotoPrism, exiftool). Escaped by the XML 1.0 spec here: the
 * document is a fixed shape, so no XML library is needed.
 * @module
 */
import { parseTimestamp } from "./dates.ts";
import { LOCAL_OFFSET_KEY, localOffsetOf } from "./layout.ts";

/** The namespace of photosync's own fields (where an item came from); its prefix is `photosync`. */
export const PHOTOSYNC_NS = "urn:photosync:xmp:1.0#";

/** What an XMP sidecar holds; every field but `source` and `id` is optional. */
export interface XmpFields {
  /** Capture time, epoch ms; absent when the item's source gave none. */
  createdMs?: number;
  /** The capture's offset from UTC in minutes, when known: the time is written in it. */
  offsetMinutes?: number;
  latitude?: number;
  longitude?: number;
  /** Metres above sea level (negative: below). */
  altitude?: number;
  description?: string;
  people?: readonly string[];
  favorite?: boolean;
  albums?: readonly string[];
  /** photosync's source (`takeout`, `library`, `picker`). */
  source: string;
  /** The item's id in `sync.db` (Google's media item id; for Takeout `takeout:<sha256>`). */
  id: string;
}

/**
 * The fields of a `sync.db` item: its JSON is read for what the sources record under shared
 * names (`description`, `geo`, `people`, `favorited`, and {@link LOCAL_OFFSET_KEY}); what an item
 * lacks (the Library API and the Picker give no place, the Picker no description) is left out;
 * so is the capture time of an item whose source gave none ({@link hasCaptureTime}): its row's
 * 1970-01-01 only files it somewhere.
 *
 * @example Usage
 * ```ts
 * import { xmpFieldsOf } from "./xmp.ts";
 * import assert from "node:assert/strict";
 *
 * const json = JSON.stringify({ description: "Beach", favorited: true, geo: { latitude: 1, longitude: 2 } });
 * const fields = xmpFieldsOf({ id: "takeout:ab", source: "takeout", createdMs: 0, json }, ["Trip"]);
 * assert.deepEqual(fields, {
 *   source: "takeout", id: "takeout:ab", createdMs: 0, description: "Beach", favorite: true,
 *   latitude: 1, longitude: 2, albums: ["Trip"],
 * });
 * ```
 */
export function xmpFieldsOf(
  row: { id: string; source: string; createdMs: number; json: string },
  albums: readonly string[] = [],
): XmpFields {
  let json: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(row.json);
    if (typeof parsed === "object" && parsed !== null) json = parsed;
  } catch {
    // No metadata but the row's own.
  }
  const fields: XmpFields = { source: row.source, id: row.id };
  // A JSON not read tells nothing of the date: the row's stands.
  if (json === undefined || hasCaptureTime(row.source, json)) {
    fields.createdMs = row.createdMs;
    const offset = localOffsetOf(row.json);
    if (offset !== undefined) fields.offsetMinutes = offset;
  }
  json ??= {};
  if (typeof json.description === "string" && json.description.trim() !== "") {
    fields.description = json.description;
  }
  const geo = json.geo as Record<string, unknown> | undefined;
  if (geo && isCoordinate(geo.latitude, 90) && isCoordinate(geo.longitude, 180)) {
    fields.latitude = geo.latitude as number;
    fields.longitude = geo.longitude as number;
    if (typeof geo.altitude === "number" && Number.isFinite(geo.altitude)) fields.altitude = geo.altitude;
  }
  if (Array.isArray(json.people)) {
    const people = json.people.filter((name): name is string => typeof name === "string" && name !== "");
    if (people.length > 0) fields.people = people;
  }
  if (json.favorited === true) fields.favorite = true;
  if (albums.length > 0) fields.albums = albums;
  return fields;
}

/**
 * `fields` with what `other` (an item sharing the same file: the same bytes from another source)
 * knows and they lack: its description, place and offset, its people added, a favourite if either is.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withSharedFields } from "./xmp.ts";
 *
 * const library = { source: "library", id: "AF1", createdMs: 0 };
 * const takeout = { source: "takeout", id: "takeout:ab", description: "Trip", favorite: true, people: ["Ann"] };
 * assert.deepEqual(withSharedFields(library, takeout), { ...library, description: "Trip", favorite: true, people: ["Ann"] });
 * ```
 */
export function withSharedFields(fields: XmpFields, other: XmpFields): XmpFields {
  const merged: XmpFields = { ...fields };
  if (merged.description === undefined && other.description !== undefined) {
    merged.description = other.description;
  }
  if (merged.latitude === undefined && other.latitude !== undefined && other.longitude !== undefined) {
    merged.latitude = other.latitude;
    merged.longitude = other.longitude;
    if (other.altitude !== undefined) merged.altitude = other.altitude;
  }
  if (merged.offsetMinutes === undefined && other.offsetMinutes !== undefined) {
    merged.offsetMinutes = other.offsetMinutes;
  }
  if (other.people?.length) merged.people = [...new Set([...(merged.people ?? []), ...other.people])];
  if (other.favorite) merged.favorite = true;
  return merged;
}

/**
 * Whether an item's JSON (of `source`) tells its capture time: not when Takeout dated the file by
 * no rule (`takeout.dateSource` "none"), nor when the Library API's `creationTime` or the Picker's
 * `createTime` is missing or no date (`parseTimestamp`). The row's `createdMs` is then
 * `FALLBACK_CAPTURE_MS` (1970-01-01): a folder to file the item in, not when it was taken.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasCaptureTime } from "./xmp.ts";
 *
 * assert.equal(hasCaptureTime("takeout", { takeout: { dateSource: "none" } }), false);
 * assert.equal(hasCaptureTime("library", { mediaMetadata: { creationTime: "2020-01-02T03:04:05Z" } }), true);
 * assert.equal(hasCaptureTime("picker", {}), false);
 * ```
 */
export function hasCaptureTime(source: string, json: Record<string, unknown>): boolean {
  const dateOf = (text: unknown) => parseTimestamp(text) !== undefined;
  switch (source) {
    case "takeout":
      return (json.takeout as { dateSource?: unknown } | undefined)?.dateSource !== "none";
    case "library":
      return dateOf((json.mediaMetadata as { creationTime?: unknown } | undefined)?.creationTime);
    case "picker":
      return dateOf(json.createTime);
    default:
      // A source that records no such thing: the row's time is its own.
      return true;
  }
}

const isCoordinate = (value: unknown, max: number) =>
  typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= max;

/**
 * The XMP packet of `fields`: UTF-8 text, one `rdf:Description`. Names are the ones the programs
 * read: `exif:DateTimeOriginal` (with the offset when known, else in UTC), `exif:GPSLatitude`/
 * `GPSLongitude` (`DD,MM.mmmmmmN`), `exif:GPSAltitude`/`GPSAltitudeRef`, `dc:description`,
 * `Iptc4xmpExt:PersonInImage`, `xmp:Rating` 5 for a favourite, albums as `lr:hierarchicalSubject`
 * (`Albums|<title>`) and `digiKam:TagsList` (`Albums/<title>`), and `photosync:Source`/`ItemId`.
 *
 * @example Usage
 * ```ts
 * import { renderXmp } from "./xmp.ts";
 * import assert from "node:assert/strict";
 *
 * const xmp = renderXmp({ source: "takeout", id: "takeout:ab", createdMs: Date.UTC(2020, 11, 31, 23), offsetMinutes: 540 });
 * assert.match(xmp, /exif:DateTimeOriginal="2021-01-01T08:00:00\+09:00"/);
 * ```
 */
export function renderXmp(fields: XmpFields): string {
  const attributes: [string, string][] = [];
  if (fields.createdMs !== undefined) {
    attributes.push(["exif:DateTimeOriginal", xmpDate(fields.createdMs, fields.offsetMinutes)]);
  }
  if (fields.latitude !== undefined && fields.longitude !== undefined) {
    attributes.push(["exif:GPSVersionID", "2.3.0.0"]);
    attributes.push(["exif:GPSLatitude", xmpCoordinate(fields.latitude, "N", "S")]);
    attributes.push(["exif:GPSLongitude", xmpCoordinate(fields.longitude, "E", "W")]);
    if (fields.altitude !== undefined) {
      attributes.push(["exif:GPSAltitudeRef", fields.altitude < 0 ? "1" : "0"]);
      attributes.push(["exif:GPSAltitude", `${Math.round(Math.abs(fields.altitude) * 1000)}/1000`]);
    }
  }
  if (fields.favorite) attributes.push(["xmp:Rating", "5"]);
  attributes.push(["photosync:Source", fields.source], ["photosync:ItemId", fields.id]);
  const elements: string[] = [];
  if (fields.description !== undefined) {
    elements.push(
      `   <dc:description>\n    <rdf:Alt>\n     <rdf:li xml:lang="x-default">${
        escapeXml(fields.description)
      }</rdf:li>\n    </rdf:Alt>\n   </dc:description>`,
    );
  }
  const list = (name: string, kind: "Bag" | "Seq", items: readonly string[]) =>
    elements.push(
      `   <${name}>\n    <rdf:${kind}>\n${
        items.map((item) => `     <rdf:li>${escapeXml(item)}</rdf:li>\n`).join("")
      }    </rdf:${kind}>\n   </${name}>`,
    );
  if (fields.people?.length) list("Iptc4xmpExt:PersonInImage", "Bag", fields.people);
  if (fields.albums?.length) {
    // A separator in a title would nest the album one level deeper: it is written as "-".
    list(
      "lr:hierarchicalSubject",
      "Bag",
      fields.albums.map((title) => `Albums|${title.replaceAll("|", "-")}`),
    );
    list("digiKam:TagsList", "Seq", fields.albums.map((title) => `Albums/${title.replaceAll("/", "-")}`));
  }
  const namespaces = [
    ["x", "adobe:ns:meta/"],
    ["rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"],
    ["exif", "http://ns.adobe.com/exif/1.0/"],
    ["xmp", "http://ns.adobe.com/xap/1.0/"],
    ["dc", "http://purl.org/dc/elements/1.1/"],
    ["Iptc4xmpExt", "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"],
    ["lr", "http://ns.adobe.com/lightroom/1.0/"],
    ["digiKam", "http://www.digikam.org/ns/1.0/"],
    ["photosync", PHOTOSYNC_NS],
  ];
  const description = [
    `  <rdf:Description rdf:about=""`,
    ...namespaces.slice(2).map(([prefix, uri]) => `    xmlns:${prefix}="${uri}"`),
    ...attributes.map(([name, value]) => `    ${name}="${escapeXml(value)}"`),
  ].join("\n");
  return [
    `<?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>`,
    `<x:xmpmeta xmlns:x="${namespaces[0][1]}" x:xmptk="photosync">`,
    ` <rdf:RDF xmlns:rdf="${namespaces[1][1]}">`,
    elements.length > 0
      ? `${description}>\n${elements.join("\n")}\n  </rdf:Description>`
      : `${description}/>`,
    ` </rdf:RDF>`,
    `</x:xmpmeta>`,
    `<?xpacket end="w"?>`,
    "",
  ].join("\n");
}

/**
 * Text made safe for an XML 1.0 attribute value or element: `&`, `<`, `>`, `"` and `'` as
 * entities; tab, line feed and carriage return as character references (a parser would turn them
 * into spaces in an attribute, and a carriage return into a line feed anywhere); characters XML
 * 1.0 does not allow at all (other C0 controls, U+FFFE, U+FFFF, a lone surrogate) as U+FFFD.
 * Characters beyond the BMP (emoji) stay as they are: UTF-8 holds them.
 *
 * @example Usage
 * ```ts
 * import { escapeXml } from "./xmp.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeXml(`a<b & "c" ]]> 'd'`), "a&lt;b &amp; &quot;c&quot; ]]&gt; &apos;d&apos;");
 * assert.equal(escapeXml("bell\u0007 tab\t 😀"), "bell\uFFFD tab&#9; 😀");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(
    // Lone surrogates: a high one not followed by a low one, a low one not preceded by a high one.
    // deno-lint-ignore no-control-regex -- the control characters XML 1.0 forbids are what it looks for.
    /[&<>"'\t\n\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (char) => ESCAPES[char] ?? "\uFFFD",
  );
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

/**
 * An XMP date (ISO 8601): the capture's wall-clock time with its offset when known
 * (`2021-01-01T08:00:00+09:00`), else the instant in UTC (`…Z`).
 */
export function xmpDate(ms: number, offsetMinutes?: number): string {
  const local = new Date(ms + (offsetMinutes ?? 0) * 60_000).toISOString();
  // Years beyond 9999 or before 0 are no capture times (see dates.ts): the ISO form is plain.
  const wall = local.slice(0, 19);
  if (offsetMinutes === undefined) return `${wall}Z`;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${
    String(abs % 60).padStart(2, "0")
  }`;
}

/** XMP's GPS coordinate form: whole degrees, a comma, decimal minutes, the hemisphere (`34,3.072000N`). */
export function xmpCoordinate(value: number, positive: string, negative: string): string {
  const abs = Math.abs(value);
  let degrees = Math.floor(abs);
  let minutes = Number(((abs - degrees) * 60).toFixed(6));
  if (minutes >= 60) {
    degrees += 1;
    minutes -= 60;
  }
  return `${degrees},${minutes.toFixed(6)}${value < 0 ? negative : positive}`;
}

/**
 * Whether `text` is exactly an XMP packet {@link renderXmp} writes, nothing added, removed or reformatted:
 * a sidecar an earlier photosync wrote (before it recorded the digest of each) that nobody edited since.
 * Photo software that edits a sidecar (digiKam, darktable, exiftool) adds its own fields and namespaces and
 * writes the packet in its own form, so any such edit makes it another text. Told by reading photosync's
 * fields back and rendering them again: whatever the reading misses makes another text, never a false yes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPristineXmp, renderXmp } from "./xmp.ts";
 *
 * const xmp = renderXmp({ source: "takeout", id: "takeout:ab", createdMs: 0, description: "Beach", albums: ["A|B/C"] });
 * assert.equal(isPristineXmp(xmp), true);
 * assert.equal(isPristineXmp(xmp.replace("</rdf:Description>", " <dc:subject/>\n  </rdf:Description>")), false);
 * ```
 */
export function isPristineXmp(text: string): boolean {
  const fields = ownXmpFields(text);
  return fields !== undefined && renderXmp(fields) === text;
}

/** The fields of a packet in {@link renderXmp}'s form, or undefined where one cannot be (see {@link isPristineXmp}). */
function ownXmpFields(text: string): XmpFields | undefined {
  if (!text.includes(PHOTOSYNC_NS)) return undefined;
  const attributes = new Map<string, string>();
  for (const [, name, value] of text.matchAll(/^ {4}(\w+:\w+)="([^"<]*)"/gm)) {
    if (!name.startsWith("xmlns:")) attributes.set(name, unescapeXml(value));
  }
  const source = attributes.get("photosync:Source");
  const id = attributes.get("photosync:ItemId");
  if (source === undefined || id === undefined) return undefined;
  const fields: XmpFields = { source, id };
  const date = attributes.get("exif:DateTimeOriginal");
  if (date !== undefined) {
    const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:Z|([+-])(\d\d):(\d\d))$/.exec(date);
    if (!match) return undefined;
    const offset = match[2] === undefined
      ? undefined
      : (match[2] === "-" ? -1 : 1) * (Number(match[3]) * 60 + Number(match[4]));
    fields.createdMs = Date.parse(`${match[1]}Z`) - (offset ?? 0) * 60_000;
    if (offset !== undefined) fields.offsetMinutes = offset;
  }
  const latitude = coordinateOf(attributes.get("exif:GPSLatitude"), "N", "S");
  const longitude = coordinateOf(attributes.get("exif:GPSLongitude"), "E", "W");
  if (latitude !== undefined && longitude !== undefined) {
    fields.latitude = latitude;
    fields.longitude = longitude;
    const altitude = /^(\d+)\/1000$/.exec(attributes.get("exif:GPSAltitude") ?? "");
    if (altitude) {
      fields.altitude = (attributes.get("exif:GPSAltitudeRef") === "1" ? -1 : 1) * Number(altitude[1]) / 1000;
    }
  }
  if (attributes.get("xmp:Rating") === "5") fields.favorite = true;
  const description = /<dc:description>\n {4}<rdf:Alt>\n {5}<rdf:li xml:lang="x-default">([^<]*)<\/rdf:li>/
    .exec(text);
  if (description) fields.description = unescapeXml(description[1]);
  const people = listOf(text, "Iptc4xmpExt:PersonInImage");
  if (people.length > 0) fields.people = people;
  // An album's title is written twice, a "|" as "-" in the first list, a "/" as "-" in the second: together
  // they give it back.
  const byLr = listOf(text, "lr:hierarchicalSubject").map((item) => item.replace(/^Albums\|/, ""));
  const byDigiKam = listOf(text, "digiKam:TagsList").map((item) => item.replace(/^Albums\//, ""));
  if (byLr.length > 0) {
    fields.albums = byLr.map((title, at) => {
      const other = byDigiKam[at] ?? "";
      if (other.length !== title.length) return title;
      // Code units, as the lists were written (a character beyond the BMP is two in both).
      return title.split("").map((char, i) => char === "-" && other[i] === "|" ? "|" : char).join("");
    });
  }
  return fields;
}

/** The items of the list element `name` in {@link renderXmp}'s form, unescaped. */
function listOf(text: string, name: string): string[] {
  const list = new RegExp(`<${name}>\\n {4}<rdf:(?:Bag|Seq)>\\n((?: {5}<rdf:li>[^<]*</rdf:li>\\n)*)`).exec(
    text,
  );
  return list ? [...list[1].matchAll(/<rdf:li>([^<]*)<\/rdf:li>/g)].map((item) => unescapeXml(item[1])) : [];
}

/** An {@link xmpCoordinate} read back (`34,3.072000N`), or undefined. */
function coordinateOf(text: string | undefined, positive: string, negative: string): number | undefined {
  const match = /^(\d+),(\d+\.\d{6})([A-Z])$/.exec(text ?? "");
  if (!match || (match[3] !== positive && match[3] !== negative)) return undefined;
  const value = Number(match[1]) + Number(match[2]) / 60;
  return match[3] === negative ? -value : value;
}

/** {@link escapeXml} undone (the references it writes; U+FFFD stays). */
function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#9|#10|#13);/g, (_, name: string) => UNESCAPES[name]);
}

const UNESCAPES: Record<string, string> = Object.fromEntries(
  Object.entries(ESCAPES).map(([char, entity]) => [entity.slice(1, -1), char]),
);

/**
 * Whether an XMP file's text is one photosync wrote (for the item `id`, when given): any other is
 * the user's or another program's, and photosync never replaces or removes it.
 */
export function isOwnXmp(text: string, id?: string): boolean {
  return text.includes(PHOTOSYNC_NS) &&
    (id === undefined || text.includes(`photosync:ItemId="${escapeXml(id)}"`));
}

export { LOCAL_OFFSET_KEY };
