/**
 * File names that are safe on every platform, and the stable names given to two items that
 * would share a path.
 * @module
 */

/** Longest file name most file systems take, in bytes of UTF-8. */
const MAX_NAME_BYTES = 255;

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
