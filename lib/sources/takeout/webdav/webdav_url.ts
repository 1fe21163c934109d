/**
 * The URL of a WebDAV folder given to `takeout --from=URL`, and the hrefs its server answers
 * with: checked, resolved and named without ever carrying a password.
 * @module
 */
import { UsageError } from "../../../core/errors.ts";

/**
 * `text` checked as the URL of a WebDAV folder: `http:` or `https:`, no user name or password
 * in it (those come from `PHOTOSYNC_WEBDAV_USER` and `PHOTOSYNC_WEBDAV_PASSWORD`, so that they
 * are never printed with the URL), no `?query` (the hrefs a server lists carry none, so it would
 * be lost below the folder). A `#fragment` is dropped and the path ends with `/`. Anything else
 * is a `UsageError` whose line shows the URL without credentials.
 *
 * @example Usage
 * ```ts
 * import { folderUrl } from "./webdav_url.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(folderUrl("http://127.0.0.1:8080/Takeout").href, "http://127.0.0.1:8080/Takeout/");
 * assert.throws(() => folderUrl("https://me:secret@dav.example/"), (error: Error) =>
 *   /PHOTOSYNC_WEBDAV_PASSWORD/.test(error.message) && !error.message.includes("secret"));
 * ```
 */
export function folderUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Shown only without an @: a password with a / or # in it (or a scheme without its colon) keeps
    // what is before the @ from being told apart as the user's part.
    throw new UsageError(
      `--from must be the URL of a WebDAV folder (http://… or https://…), not ${
        text.includes("@") ? "what was given (not shown: it has an @, maybe a password in it)" : `"${text}"`
      }`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `--from must be an http:// or https:// URL of a WebDAV folder, not ${url.protocol}//…`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    url.username = "";
    url.password = "";
    throw new UsageError(
      `--from ${url.href} had a user name or password in it: give them in PHOTOSYNC_WEBDAV_USER and ` +
        `PHOTOSYNC_WEBDAV_PASSWORD instead (a URL is shown in messages; they never are)`,
    );
  }
  if (url.search !== "") {
    throw new UsageError(
      `--from ${url.origin}${url.pathname} has a ?query: give the WebDAV folder's plain URL`,
    );
  }
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

/**
 * `text` with any `user:password@` after a scheme removed: for a URL that failed to parse and
 * for messages from lower layers, which may quote a URL.
 *
 * @example Usage
 * ```ts
 * import { stripCredentials } from "./webdav_url.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stripCredentials("GET http://me:pw@host/x failed"), "GET http://host/x failed");
 * ```
 */
export function stripCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, "$1");
}

/**
 * A path's percent-decoding, segment by segment; a segment that is no valid UTF-8 escape stays
 * as sent. Servers escape different characters (`&`, `(`, `~`, non-ASCII letters), so paths
 * are compared decoded.
 */
export function decodePath(path: string): string {
  return path.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }).join("/");
}

/**
 * Where an href of a multistatus points, when it is inside `folder` (same origin, path under
 * the folder's, or the folder itself); else `undefined`. Credentials go only to the folder's
 * origin: a resource elsewhere is never requested.
 *
 * @example Usage
 * ```ts
 * import { hrefInside } from "./webdav_url.ts";
 * import assert from "node:assert/strict";
 *
 * const folder = new URL("http://nas:5005/Takeout/");
 * assert.equal(hrefInside("/Takeout/a%20b.zip", folder)?.href, "http://nas:5005/Takeout/a%20b.zip");
 * assert.equal(hrefInside("http://nas:5005/Takeout/x/", folder)?.pathname, "/Takeout/x/");
 * assert.equal(hrefInside("http://elsewhere/Takeout/a.zip", folder), undefined);
 * assert.equal(hrefInside("/Other/a.zip", folder), undefined);
 * ```
 */
export function hrefInside(href: string, folder: URL): URL | undefined {
  let url: URL;
  try {
    url = new URL(href.trim(), folder);
  } catch {
    return undefined;
  }
  if (url.origin !== folder.origin || url.username !== "" || url.password !== "") return undefined;
  url.search = "";
  url.hash = "";
  const path = decodePath(url.pathname);
  const root = decodePath(folder.pathname);
  // `root` ends with "/"; the folder itself may come back without it.
  return path === root.slice(0, -1) || path.startsWith(root) ? url : undefined;
}

/** Whether two URLs name the same resource: same origin, same decoded path but a final `/`. */
export function sameResource(a: URL, b: URL): boolean {
  const path = (url: URL) => decodePath(url.pathname).replace(/\/+$/, "");
  return a.origin === b.origin && path(a) === path(b);
}

/**
 * The file or folder name an URL ends with, decoded (`/Takeout/%C3%BCber%201.zip` →
 * `über 1.zip`).
 */
export function nameOfUrl(url: URL): string {
  return decodePath(url.pathname).replace(/\/+$/, "").split("/").at(-1) ?? "";
}

/**
 * How messages show a resource: its URL without credentials, its path decoded so that names
 * read as names (`http://127.0.0.1:8080/Takeout/über 1.zip`).
 */
export function describeUrl(url: URL): string {
  return `${url.origin}${decodePath(url.pathname)}`;
}
