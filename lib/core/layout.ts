/**
 * Where an item goes under the output directory: the `--layout` template.
 * @module
 */
import { UsageError } from "./errors.ts";
import { sanitizeName } from "./names.ts";
import { ALBUMS_DIR, RESERVED_NAMES } from "./output_tree.ts";

/** What a path mapper sees of an item. */
export interface PathItem {
  id: string;
  filename: string;
  createdMs: number;
  isVideo: boolean;
}

/** Maps an item to its path relative to the output directory, `/`-separated. */
export type PathMapper = (item: PathItem) => string;

/** The default `--layout`. */
export const DEFAULT_LAYOUT = "{year}/{month}/{day}";

const TOKEN = /\{([^}]*)\}/g;
const TOKENS = new Set(["year", "month", "day"]);

/**
 * A {@link PathMapper} from a layout template: `{year}`, `{month}` and `{day}` (zero-padded,
 * from the creation time in UTC) in folder names, followed by the sanitised file name.
 * Throws {@link UsageError} for unknown tokens, a template that leaves the output directory, or
 * one whose first folder is photosync's own (`sync.db`, `.photosync-tmp`, `albums`, …): every
 * item would fail to be placed there.
 *
 * @example Usage
 * ```ts
 * import { layoutMapper } from "./layout.ts";
 * import assert from "node:assert/strict";
 *
 * const byMonth = layoutMapper("{year}/{month}");
 * const createdMs = Date.parse("2024-03-05T10:00:00Z");
 * assert.equal(byMonth({ id: "AF1Qip", filename: "IMG.jpg", createdMs, isVideo: false }), "2024/03/IMG.jpg");
 * assert.throws(() => layoutMapper("../{year}"), /relative path inside --dir/);
 * assert.throws(() => layoutMapper(".photosync-tmp/{year}"), /cannot start with/);
 * ```
 */
export function layoutMapper(template: string): PathMapper {
  for (const [, token] of template.matchAll(TOKEN)) {
    if (!TOKENS.has(token)) {
      throw new UsageError(`--layout: unknown token {${token}}; use {year}, {month} and {day}`);
    }
  }
  const folders = template.split(/[/\\]/).filter((part) => part !== "" && part !== ".");
  if (/^([/\\]|[A-Za-z]:)/.test(template) || folders.includes("..")) {
    throw new UsageError(`--layout must be a relative path inside --dir, like ${DEFAULT_LAYOUT}`);
  }
  const first = folders[0] === undefined ? undefined : sanitizeName(folders[0], "unnamed", { hidden: true });
  if (
    first !== undefined && (RESERVED_NAMES.has(first.toLowerCase()) || first.toLowerCase() === ALBUMS_DIR)
  ) {
    throw new UsageError(
      `--layout cannot start with ${first}/: photosync keeps ${
        first.toLowerCase() === ALBUMS_DIR ? "the album links" : "its own files"
      } there; start it with another folder, like ${DEFAULT_LAYOUT}`,
    );
  }
  return (item) => {
    const date = new Date(item.createdMs);
    const values: Record<string, string> = {
      year: String(date.getUTCFullYear()).padStart(4, "0"),
      month: String(date.getUTCMonth() + 1).padStart(2, "0"),
      day: String(date.getUTCDate()).padStart(2, "0"),
    };
    // The folders are the user's: one may be hidden on purpose.
    const folder = (part: string) => part.replace(TOKEN, (_, token) => values[token]);
    const dirs = folders.map((part) => sanitizeName(folder(part), "unnamed", { hidden: true }));
    return [...dirs, sanitizeName(item.filename, item.id)].join("/");
  };
}
