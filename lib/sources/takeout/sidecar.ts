/**
 * What photosync reads from Takeout's JSON files: a media file's sidecar and an album's
 * `metadata.json`.
 * @module
 */

/** A sidecar's content, as far as photosync keeps it. */
export interface SidecarData {
  /** The media file's original, full name. */
  title?: string;
  /** `photoTakenTime.timestamp` in epoch ms; absent when missing or `"0"`. */
  takenMs?: number;
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
 * ```
 */
export function parseSidecar(text: string): SidecarData | undefined {
  const json = parseObject(text);
  if (!json || (typeof json.title !== "string" && typeof json.photoTakenTime !== "object")) return undefined;
  const data: SidecarData = {};
  if (typeof json.title === "string") data.title = json.title;
  const seconds = Number((json.photoTakenTime as { timestamp?: unknown } | undefined)?.timestamp);
  if (Number.isFinite(seconds) && seconds !== 0) data.takenMs = seconds * 1000;
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
  const json = parseObject(text);
  const old = json?.albumData;
  const fields = typeof old === "object" && old !== null && !Array.isArray(old)
    ? old as Record<string, unknown>
    : json;
  const title = fields?.title;
  return typeof title === "string" && title.trim() !== "" ? title : undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
