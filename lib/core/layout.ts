/**
 * Where an item goes on disk: the `--layout` template, file-name sanitising and the
 * stable names given to two items that would share a path.
 * @module
 */
import { UsageError } from "./errors.ts";

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

const MAX_NAME_BYTES = 255;
const TOKEN = /\{([^}]*)\}/g;
const TOKENS = new Set(["year", "month", "day"]);

/**
 * A {@link PathMapper} from a layout template: `{year}`, `{month}` and `{day}` (zero-padded,
 * from the creation time in UTC) in folder names, followed by the sanitised file name.
 * Throws {@link UsageError} for unknown tokens or a template that leaves the output directory.
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
  return (item) => {
    const date = new Date(item.createdMs);
    const values: Record<string, string> = {
      year: String(date.getUTCFullYear()).padStart(4, "0"),
      month: String(date.getUTCMonth() + 1).padStart(2, "0"),
      day: String(date.getUTCDate()).padStart(2, "0"),
    };
    const dirs = folders.map((part) => sanitizeName(part.replace(TOKEN, (_, token) => values[token])));
    return [...dirs, sanitizeName(item.filename, item.id)].join("/");
  };
}

/**
 * Make one path segment safe on every platform: no separators, NUL, control or reserved
 * characters, no `.`/`..`, no trailing dots or spaces, at most 255 bytes of UTF-8 (keeping
 * the extension). An empty result becomes `fallback`.
 */
export function sanitizeName(name: string, fallback = "unnamed"): string {
  // deno-lint-ignore no-control-regex
  let safe = name.replace(/[\u0000-\u001f\u007f/\\<>:"|?*]/g, "_").replace(/[. ]+$/, "");
  if (safe === "" || /^\.+$/.test(safe)) safe = sanitizeName(fallback, "unnamed");
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(safe)) safe = `_${safe}`;
  return truncateName(safe, MAX_NAME_BYTES);
}

/** `IMG.jpg` → `IMG (tag).jpg`, still within 255 bytes: the name for a second item at a taken path. */
export function taggedName(path: string, tag: string): string {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const { stem, ext } = splitExtension(name);
  const suffix = ` (${tag})${ext}`;
  return dir + truncateName(stem, MAX_NAME_BYTES - byteLength(suffix)) + suffix;
}

/** A short, stable tag derived from an item id (FNV-1a, 8 hex digits). */
export function idTag(id: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(id)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || name.length - dot > 16) return { stem: name, ext: "" };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Cut `name` to `max` UTF-8 bytes on a character boundary, keeping a short extension. */
function truncateName(name: string, max: number): string {
  if (byteLength(name) <= max) return name;
  const { stem, ext } = splitExtension(name);
  const keepExt = byteLength(ext) < max / 2 ? ext : "";
  let budget = max - byteLength(keepExt);
  let out = "";
  for (const char of keepExt ? stem : name) {
    const size = byteLength(char);
    if (size > budget) break;
    out += char;
    budget -= size;
  }
  return out + keepExt;
}
