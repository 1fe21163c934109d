/**
 * Paging through a Google listing by `nextPageToken`, refusing a token the listing gave before: its
 * pages would then come round again for ever, each one a request against the daily quota.
 * @module
 */
import { PhotosyncError } from "../core/errors.ts";

/**
 * The page tokens one listing gave.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PageTokens } from "./page_tokens.ts";
 *
 * const tokens = new PageTokens("listing the picked items");
 * assert.equal(tokens.next("a"), "a");
 * assert.equal(tokens.next(""), undefined); // the last page
 * assert.throws(() => tokens.next("a"), /gave a page token it had given before/);
 * ```
 */
export class PageTokens {
  readonly #seen = new Set<string>();
  /** What the listing is, for the error (`searching the library, …`). */
  readonly #listing: string;

  constructor(listing: string) {
    this.#listing = listing;
  }

  /** The token to ask the next page with, or undefined after the last page; one given before fails. */
  next(token: string | undefined): string | undefined {
    if (!token) return undefined;
    if (this.#seen.has(token)) {
      throw new PhotosyncError(
        `${this.#listing}: Google gave a page token it had given before (after ${this.#seen.size + 1} ` +
          `pages), so its pages would repeat for ever; photosync stopped asking, and what was saved is ` +
          `kept: run photosync again later`,
      );
    }
    this.#seen.add(token);
    return token;
  }
}
