/**
 * The two parts of a file name that Takeout's naming rules act on: the extension, and the
 * duplicate counter `(n)` Google puts before it when two files in a folder share a name.
 * @module
 */
import { splitExtension } from "../../core/names.ts";

export { splitExtension };

/** A file name with Google's duplicate counter taken out. */
export interface CounterParts {
  /** The name without the counter, e.g. `IMG_3479.JPG`. */
  base: string;
  /** The counter with its brackets, e.g. `(1)`, or "" when there is none. */
  counter: string;
}

const TRAILING_COUNTER = /^(.+)(\(\d+\))$/;

/**
 * Take out the counter `(n)` that ends a name's stem: Google names the second
 * `IMG_3479.JPG` in a folder `IMG_3479(1).JPG`. Whether a trailing `(n)` really is Google's
 * counter or part of the original name (`Urlaub (38).JPG`) cannot be told from the name
 * alone; this only splits, callers weigh both readings.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.deepStrictEqual(splitCounter("IMG_3479(1).JPG"), { base: "IMG_3479.JPG", counter: "(1)" });
 * assert.deepStrictEqual(splitCounter("IMG_3479.JPG"), { base: "IMG_3479.JPG", counter: "" });
 * ```
 */
export function splitCounter(name: string): CounterParts {
  const { stem, ext } = splitExtension(name);
  const match = TRAILING_COUNTER.exec(stem);
  return match ? { base: match[1] + ext, counter: match[2] } : { base: name, counter: "" };
}
