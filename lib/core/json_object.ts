/**
 * Reading a JSON text that must hold an object (a sidecar, a stored item's JSON).
 * @module
 */

/**
 * `text` parsed when it is a JSON object; undefined when it is not JSON, or JSON of another kind
 * (an array, a string, null).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonObject } from "./json_object.ts";
 * assert.deepEqual(parseJsonObject('{"title":"a.jpg"}'), { title: "a.jpg" });
 * assert.equal(parseJsonObject("[1]"), undefined);
 * assert.equal(parseJsonObject("not json"), undefined);
 * ```
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
