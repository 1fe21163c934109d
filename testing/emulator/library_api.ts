/**
 * The Photos Library API's `mediaItems` methods: `list`, `search`, `get` and `batchGet`, answering MediaItem
 * JSON whose `baseUrl`s point at the byte host. Requests need an access token of the OAuth server.
 *
 * @module
 */

import type { FixtureItem } from "../library_fixture.ts";
import { CAMERA, isVideo, type MediaHost, PHOTO_EXPOSURE, videoStatus } from "./media.ts";
import type { OAuth } from "./oauth.ts";
import { fields, LIST_QUERY, Pager, type Query, searchQuery } from "./query.ts";
import {
  apiError,
  invalidArgument,
  type Json,
  json,
  type LoggedRequest,
  readBody,
  type RouteHandler,
  type Service,
} from "./server.ts";

/** The `mediaItems` endpoints, under `/v1/` of the emulator's origin. */
export class LibraryApi implements Service<"search" | "list" | "get" | "batchGet"> {
  readonly routes: readonly RouteHandler<"search" | "list" | "get" | "batchGet">[] = [
    {
      route: "search",
      methods: ["POST"],
      path: "/v1/mediaItems:search",
      quota: "api",
      body: "json",
      handle: (req, _url, log) => this.#search(req, log),
    },
    {
      route: "list",
      methods: ["GET"],
      path: "/v1/mediaItems",
      quota: "api",
      handle: (req, url) => this.#list(req, url),
    },
    {
      route: "get",
      methods: ["GET"],
      path: /^\/v1\/mediaItems\/[^/]+$/,
      quota: "api",
      handle: (req, url) => this.#get(req, url),
    },
    {
      route: "batchGet",
      methods: ["GET"],
      path: "/v1/mediaItems:batchGet",
      quota: "api",
      handle: (req, url) => this.#batchGet(req, url),
    },
  ];

  #items: () => Map<string, FixtureItem>;
  #oauth: OAuth;
  #media: MediaHost;
  #pager: Pager;

  constructor(opts: {
    now: () => number;
    items: () => Map<string, FixtureItem>;
    oauth: OAuth;
    media: MediaHost;
  }) {
    this.#items = opts.items;
    this.#oauth = opts.oauth;
    this.#media = opts.media;
    this.#pager = new Pager(opts.items, opts.now);
  }

  async #search(req: Request, log: LoggedRequest): Promise<Response> {
    this.#oauth.checkAccess(req);
    if (!(await readBody(req, log, "json")).parsed) throw invalidArgument("Invalid JSON payload received.");
    const body = fields(log.body, "", ["albumId", "pageSize", "pageToken", "filters", "orderBy"]);
    if (body.albumId !== undefined) {
      throw invalidArgument(
        body.filters === undefined ? "Invalid album ID." : "albumId and filters cannot be combined.",
      );
    }
    return this.#page(searchQuery(body.filters, body.orderBy), body.pageSize, body.pageToken);
  }

  #list(req: Request, url: URL): Response {
    this.#oauth.checkAccess(req);
    return this.#page(LIST_QUERY, url.searchParams.get("pageSize"), url.searchParams.get("pageToken"));
  }

  #get(req: Request, url: URL): Response {
    this.#oauth.checkAccess(req);
    let item: FixtureItem | undefined;
    try {
      item = this.#items().get(decodeURIComponent(url.pathname.slice("/v1/mediaItems/".length)));
    } catch { /* a malformed id is not found either */ }
    if (!item) throw apiError(404, "NOT_FOUND", "Requested entity was not found.");
    return json(200, this.#mediaItem(item));
  }

  #batchGet(req: Request, url: URL): Response {
    this.#oauth.checkAccess(req);
    const ids = url.searchParams.getAll("mediaItemIds");
    if (ids.length < 1 || ids.length > 50) {
      throw invalidArgument(`Between 1 and 50 mediaItemIds expected, got ${ids.length}.`);
    }
    const items = this.#items();
    const mediaItemResults = ids.map((id) => {
      const item = items.get(id);
      return item
        ? { mediaItem: this.#mediaItem(item) }
        : { status: { code: 3, message: "Invalid media item ID." } };
    });
    return json(200, { mediaItemResults });
  }

  /** A page of a listing or search; an empty page has no `mediaItems` field, as with Google. */
  #page(query: Readonly<Query>, pageSize: unknown, pageToken: unknown): Response {
    const { items, ...next } = this.#pager.page(query, pageSize, pageToken);
    return json(200, {
      ...(items.length ? { mediaItems: items.map((item) => this.#mediaItem(item)) } : {}),
      ...next,
    });
  }

  /** The MediaItem JSON of an item, with a freshly minted `baseUrl`. */
  #mediaItem(item: FixtureItem): Json {
    const media = isVideo(item)
      ? {
        video: { ...CAMERA, ...(item.video?.fps ? { fps: item.video.fps } : {}), status: videoStatus(item) },
      }
      : { photo: { ...CAMERA, ...PHOTO_EXPOSURE } };
    return {
      id: item.id,
      ...(item.description === undefined ? {} : { description: item.description }),
      productUrl: `https://photos.google.com/lr/photo/${item.id}`,
      baseUrl: this.#media.baseUrl(item),
      mimeType: item.mimeType,
      filename: item.filename,
      mediaMetadata: {
        creationTime: item.creationTime,
        width: String(item.width),
        height: String(item.height),
        ...media,
      },
    };
  }
}
