/**
 * The two parts of a file name that Takeout's naming rules act on: the extension, and the
 * duplicate counter `(n)` Google puts before it when two files in a folder share a name.
 * @module
 */

/** A file name cut at its last dot. */
export interface NameParts {
  /** Everything before the last dot. */
  stem: string;
  /** The last dot and what follows it, or "" when the name has no extension. */
  ext: string;
}

/** A file name with Google's duplicate counter taken out. */
export interface CounterParts {
  /** The name without the counter, e.g. `IMG_3479.JPG`. */
  base: string;
  /** The counter with its brackets, e.g. `(1)`, or "" when there is none. */
  counter: string;
}

const TRAILING_COUNTER = /^(.+)(\(\d+\))$/;

/**
 * Split a file name at its last dot. A leading dot (`.nomedia`) starts no extension, so
 * the stem is never empty for a non-empty name.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.deepStrictEqual(splitExtension("PXL_20230615_123456789.MP.jpg"), {
 *   stem: "PXL_20230615_123456789.MP",
 *   ext: ".jpg",
 * });
 * assert.deepStrictEqual(splitExtension("README"), { stem: "README", ext: "" });
 * ```
 */
export function splitExtension(name: string): NameParts {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? { stem: name.slice(0, dot), ext: name.slice(dot) } : { stem: name, ext: "" };
}

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
