/**
 * What photosync reads from Takeout's JSON files: a media file's sidecar and an album's
 * `metadata.json`.
 * @module
 */
import { captureMs } from "../../core/dates.ts";
import { parseJsonObject } from "../../core/json_object.ts";

/** A sidecar's content, as far as photosync keeps it. */
export interface SidecarData {
  /** The media file's original, full name. */
  title?: string;
  /** `photoTakenTime.timestamp` in epoch ms; absent when missing, `"0"` or no sane date (see `captureMs`). */
  takenMs?: number;
  /** `photoTakenTime.timestamp` as written, when it is there but no sane date (`"1e20"`): the report says so. */
  invalidTakenTime?: string;
  description?: string;
  geo?: { latitude: number; longitude: number; altitude?: number };
  people?: string[];
  favorited?: boolean;
  archived?: boolean;
  trashed?: boolean;
}

/**
 * Read a sidecar's JSON text, or undefined when it is not one (not JSON, or no object with
 * `title` or `photoTakenTime`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSidecar } from "./sidecar.ts";
 * const data = parseSidecar('{"title":"a.jpg","photoTakenTime":{"timestamp":"1554458472"},"trashed":true}');
 * assert.deepEqual(data, { title: "a.jpg", takenMs: 1554458472000, trashed: true });
 * // Not a date: the next rule (EXIF, name, entry time) dates the file.
 * const bad = parseSidecar('{"title":"b.jpg","photoTakenTime":{"timestamp":"1e20"}}');
 * assert.deepEqual(bad, { title: "b.jpg", invalidTakenTime: "1e20" });
 * ```
 */
export function parseSidecar(text: string): SidecarData | undefined {
  return sidecarData(parseJsonObject(text));
}

/** {@link parseSidecar} of a JSON file parsed already (undefined: it is no JSON object). */
export function sidecarData(json: Record<string, unknown> | undefined): SidecarData | undefined {
  if (!json || (typeof json.title !== "string" && typeof json.photoTakenTime !== "object")) return undefined;
  const data: SidecarData = {};
  if (typeof json.title === "string") data.title = json.title;
  const taken = takenTime((json.photoTakenTime as { timestamp?: unknown } | undefined)?.timestamp);
  if (taken) Object.assign(data, taken);
  if (typeof json.description === "string" && json.description !== "") data.description = json.description;
  const geo = json.geoData as Record<string, unknown> | undefined;
  if (geo && typeof geo.latitude === "number" && typeof geo.longitude === "number") {
    // Google writes 0.0/0.0 for "no location".
    if (geo.latitude !== 0 || geo.longitude !== 0) {
      data.geo = { latitude: geo.latitude, longitude: geo.longitude };
      if (typeof geo.altitude === "number") data.geo.altitude = geo.altitude;
    }
  }
  if (Array.isArray(json.people)) {
    const people = json.people.map((person) => (person as { name?: unknown })?.name).filter((name) =>
      typeof name === "string"
    ) as string[];
    if (people.length > 0) data.people = people;
  }
  for (const flag of ["favorited", "archived", "trashed"] as const) {
    if (json[flag] === true) data[flag] = true;
  }
  return data;
}

/**
 * An album's title from its `metadata.json` (localised name), or undefined. Older exports
 * wrap the album's fields in `albumData` (`{"albumData": {"title": …, "date": …}}`, as
 * reported to immich-go, issue 212); newer ones have them at the top.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { albumTitle } from "./sidecar.ts";
 * assert.equal(albumTitle('{"title":"Urlaub 2019","description":""}'), "Urlaub 2019");
 * assert.equal(albumTitle('{"albumData":{"title":"Trip to Gdańsk","access":"protected"}}'), "Trip to Gdańsk");
 * assert.equal(albumTitle("not json"), undefined);
 * ```
 */
export function albumTitle(text: string): string | undefined {
  return albumTitleOf(parseJsonObject(text));
}

/** {@link albumTitle} of a JSON file parsed already (undefined: it is no JSON object). */
export function albumTitleOf(json: Record<string, unknown> | undefined): string | undefined {
  const old = json?.albumData;
  const fields = typeof old === "object" && old !== null && !Array.isArray(old)
    ? old as Record<string, unknown>
    : json;
  const title = fields?.title;
  return typeof title === "string" && title.trim() !== "" ? title : undefined;
}

/** A `photoTakenTime.timestamp` (epoch seconds, a string) as a date, as no date, or nothing (missing, `"0"`). */
function takenTime(timestamp: unknown): Pick<SidecarData, "takenMs" | "invalidTakenTime"> | undefined {
  if (timestamp === undefined || timestamp === null) return undefined;
  const text = typeof timestamp === "string" ? timestamp.trim() : JSON.stringify(timestamp);
  if (text === "" || text === "0") return undefined;
  const seconds = typeof timestamp === "string" || typeof timestamp === "number" ? Number(text) : NaN;
  const ms = captureMs(seconds * 1000);
  return ms !== undefined ? { takenMs: ms } : { invalidTakenTime: text.slice(0, 40) };
}
