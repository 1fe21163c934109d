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
  /**
   * The capture's offset from UTC in minutes, where known (a folder filed by local days passes it):
   * `{year}`, `{month}` and `{day}` are then the capture's local day. Absent: its UTC day.
   */
  offsetMinutes?: number;
}

/** Maps an item to its path relative to the output directory, `/`-separated. */
export type PathMapper = (item: PathItem) => string;

/** The default `--layout`. */
export const DEFAULT_LAYOUT = "{year}/{month}/{day}";

const TOKEN = /\{([^}]*)\}/g;
const TOKENS = new Set(["year", "month", "day"]);

/**
 * A {@link PathMapper} from a layout template: `{year}`, `{month}` and `{day}` (zero-padded,
 * from the creation time in UTC, or at the item's `offsetMinutes` when it has one) in folder names, followed by the sanitised file name.
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
 * // 23:30 on 31 March in Los Angeles is 06:30 UTC on 1 April.
 * const evening = { id: "b", filename: "b.jpg", createdMs: Date.parse("2024-04-01T06:30:00Z"), isVideo: false };
 * assert.equal(layoutMapper("{year}/{month}/{day}")({ ...evening, offsetMinutes: -420 }), "2024/03/31/b.jpg");
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
  const first = folders[0] === undefined
    ? undefined
    : sanitizeName(folders[0], "unnamed", { hidden: true, folder: true });
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
    const date = new Date(item.createdMs + (item.offsetMinutes ?? 0) * 60_000);
    const values: Record<string, string> = {
      year: String(date.getUTCFullYear()).padStart(4, "0"),
      month: String(date.getUTCMonth() + 1).padStart(2, "0"),
      day: String(date.getUTCDate()).padStart(2, "0"),
    };
    // The folders are the user's: one may be hidden on purpose.
    const folder = (part: string) => part.replace(TOKEN, (_, token) => values[token]);
    const dirs = folders.map((part) => sanitizeName(folder(part), "unnamed", { hidden: true, folder: true }));
    return [...dirs, sanitizeName(item.filename, item.id)].join("/");
  };
}

/** The key of an item's JSON (`sync.db`'s `json` column) that holds its capture's offset from UTC in minutes. */
export const LOCAL_OFFSET_KEY = "localOffsetMinutes";

/** The longest offset from UTC a place has (UTC+14:00, Kiribati), in minutes; one beyond is no offset. */
export const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * The capture's offset from UTC (minutes) that a source recorded in the item's JSON under
 * {@link LOCAL_OFFSET_KEY}, or undefined when it recorded none (or no sane one).
 *
 * @example Usage
 * ```ts
 * import { localOffsetOf } from "./layout.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(localOffsetOf('{"title":"a.jpg","localOffsetMinutes":540}'), 540);
 * assert.equal(localOffsetOf('{"title":"a.jpg"}'), undefined);
 * assert.equal(localOffsetOf('{"localOffsetMinutes":9999}'), undefined);
 * ```
 */
export function localOffsetOf(json: string): number | undefined {
  // Most items have none: no parse for them.
  if (!json.includes(LOCAL_OFFSET_KEY)) return undefined;
  let value: unknown;
  try {
    value = (JSON.parse(json) as Record<string, unknown>)?.[LOCAL_OFFSET_KEY];
  } catch {
    return undefined;
  }
  return typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= MAX_OFFSET_MINUTES
    ? value
    : undefined;
}
