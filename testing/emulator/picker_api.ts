/**
 * The Google Photos Picker API: picking sessions (`sessions.create`, `get`, `delete`; at most 10 open at
 * once), their `pollingConfig` (`pollInterval`, `timeoutIn`), the items the user picked (`mediaItems.list`,
 * paged, `FAILED_PRECONDITION` until the user is done) and their bytes, which, unlike the Library API's,
 * need the access token. Requests need a token granted the Picker scope.
 *
 * The user is simulated: {@linkcode PickerApi.pick} (or a POST of `{"mediaItemIds": [...]}` to a session's
 * `pickerUri`) picks items of the library and presses Done.
 *
 * The API's root is `/picker` under the emulator's origin: its `/v1/mediaItems` would clash with the
 * Library API's.
 *
 * @module
 */

import type { FixtureItem } from "../library_fixture.ts";
import { CAMERA, isVideo, type MediaHost, PHOTO_EXPOSURE, videoStatus } from "./media.ts";
import { type OAuth, PICKER_SCOPE } from "./oauth.ts";
import { fields } from "./query.ts";
import { apiError, decode, encode, invalidArgument, json, readBody } from "./server.ts";
import type { Json, LoggedRequest, RouteHandler, Service } from "./server.ts";

/** The API's root under the emulator's origin. */
export const PICKER_ROOT = "/picker";
const SESSIONS = `${PICKER_ROOT}/v1/sessions`;
const SESSION = /^\/picker\/v1\/sessions\/[^/]+$/;
/** Where a session's `pickerUri` points: the user's picker (optionally with Google's `/autoclose`). */
const UI = `${PICKER_ROOT}/ui/`;
/** Where picked items' `baseUrl`s point. */
const MEDIA = `${PICKER_ROOT}/media/`;

/** Google's limits and defaults. */
const MAX_ITEM_COUNT = 2000;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

/** Options of {@linkcode PickerApi}. */
export interface PickerOptions {
  /** `pollingConfig.pollInterval` of every session; default 3.5 s, as Google's. */
  pollIntervalMs?: number;
  /** How long a session waits for the user (`pollingConfig.timeoutIn`, `expireTime`); default 30 minutes. */
  timeoutMs?: number;
  /** Sessions open at once (created, not deleted, not expired) before `create` gets 429; default 10. */
  maxOpenSessions?: number;
}

/** What the Picker API shares with the emulator's other services. */
interface Shared {
  origin: string;
  now: () => number;
  /** The user's library, all of which the picker shows. */
  items: () => Map<string, FixtureItem>;
  oauth: OAuth;
  /** Serves the picked items' bytes, under the Picker's own path. */
  media: MediaHost;
}

/** A picking session as the emulator keeps it. */
export interface PickingSession {
  readonly id: string;
  readonly createdAt: number;
  readonly maxItemCount: number;
  /** The ids the user picked, once they pressed Done (`mediaItemsSet`). */
  picked?: string[];
  deleted: boolean;
}

type PickerRoute =
  | "createSession"
  | "getSession"
  | "deleteSession"
  | "pickedItems"
  | "pickedMedia"
  | "pickerUi";

/** The Picker API and the simulated user's picker. */
export class PickerApi implements Service<PickerRoute> {
  readonly routes: readonly RouteHandler<PickerRoute>[] = [
    {
      route: "createSession",
      methods: ["POST"],
      path: SESSIONS,
      quota: "api",
      body: "json",
      handle: (req, _url, log) => this.#create(req, log),
    },
    {
      route: "getSession",
      methods: ["GET"],
      path: SESSION,
      quota: "api",
      handle: (req, url) => json(200, this.#sessionJson(this.#session(req, url))),
    },
    {
      route: "deleteSession",
      methods: ["DELETE"],
      path: SESSION,
      quota: "api",
      handle: (req, url) => {
        this.#session(req, url).deleted = true;
        return json(200, {});
      },
    },
    {
      route: "pickedItems",
      methods: ["GET"],
      path: `${PICKER_ROOT}/v1/mediaItems`,
      quota: "api",
      handle: (req, url) => this.#list(req, url),
    },
    {
      route: "pickedMedia",
      methods: ["GET", "HEAD"],
      path: new RegExp(`^${MEDIA}`),
      quota: "media",
      streamed: true,
      handle: (req, url) => {
        this.#shared.oauth.checkAccess(req, PICKER_SCOPE);
        return this.#shared.media.serve(req, url, MEDIA);
      },
    },
    {
      route: "pickerUi",
      methods: ["POST"],
      path: new RegExp(`^${UI}[^/]+(/autoclose)?$`),
      body: "json",
      handle: (req, url, log) => this.#userPicks(req, url, log),
    },
  ];
  /** Every session ever created, by id. */
  readonly sessions = new Map<string, PickingSession>();

  #shared: Shared;
  #pollIntervalMs: number;
  #timeoutMs: number;
  #maxOpenSessions: number;

  constructor(shared: Shared, options: PickerOptions = {}) {
    this.#shared = shared;
    this.#pollIntervalMs = options.pollIntervalMs ?? 3500;
    this.#timeoutMs = options.timeoutMs ?? 30 * 60_000;
    this.#maxOpenSessions = options.maxOpenSessions ?? 10;
  }

  /**
   * Plays the user: on the phone that opened `pickerUri` (with or without `/autoclose`), picks the items
   * `ids` and presses Done. Throws what the picker would refuse (an unknown, deleted or timed-out session, more
   * items than `maxItemCount`, unknown ids).
   */
  async pick(pickerUri: string, ids: readonly string[]): Promise<void> {
    const url = new URL(pickerUri);
    if (url.origin !== this.#shared.origin || !url.pathname.startsWith(UI)) {
      throw new Error(`Not a pickerUri of this emulator: ${pickerUri}`);
    }
    const res = await fetch(url, { method: "POST", body: JSON.stringify({ mediaItemIds: ids }) });
    const body = await res.text();
    if (!res.ok) throw new Error(`The picker refused (${res.status}): ${body}`);
  }

  async #create(req: Request, log: LoggedRequest): Promise<Response> {
    this.#shared.oauth.checkAccess(req, PICKER_SCOPE);
    if (!(await readBody(req, log, "json")).parsed) throw invalidArgument("Invalid JSON payload received.");
    const { pickingConfig } = fields(log.body, "", ["id", "pickingConfig", "mediaItemsSet", "pollingConfig"]);
    const { maxItemCount } = fields(pickingConfig, "pickingConfig", ["maxItemCount"]);
    const max = maxItemCount === undefined ? MAX_ITEM_COUNT : Number(maxItemCount);
    if (!Number.isInteger(max) || max < 1 || max > MAX_ITEM_COUNT) {
      throw invalidArgument(`pickingConfig.maxItemCount must be from 1 to ${MAX_ITEM_COUNT}.`);
    }
    const now = this.#shared.now();
    const open = [...this.sessions.values()].filter((s) => !s.deleted && now < s.createdAt + this.#timeoutMs);
    if (open.length >= this.#maxOpenSessions) {
      throw apiError(429, "RESOURCE_EXHAUSTED", "Too many open picking sessions. Delete unused sessions.");
    }
    const session: PickingSession = {
      id: crypto.randomUUID(),
      createdAt: now,
      maxItemCount: max,
      deleted: false,
    };
    this.sessions.set(session.id, session);
    return json(200, this.#sessionJson(session));
  }

  /** The session named by the path; 404 once deleted. */
  #session(req: Request, url: URL): PickingSession {
    this.#shared.oauth.checkAccess(req, PICKER_SCOPE);
    return this.#known(decodeURIComponent(url.pathname.slice(SESSIONS.length + 1)));
  }

  #known(id: string): PickingSession {
    const session = this.sessions.get(id);
    if (!session || session.deleted) throw apiError(404, "NOT_FOUND", "Requested entity was not found.");
    return session;
  }

  /** The PickingSession JSON: `pollingConfig` until the user is done, then `mediaItemsSet`. */
  #sessionJson(session: PickingSession): Json {
    const expireTime = session.createdAt + this.#timeoutMs;
    const pollingConfig = {
      pollInterval: duration(this.#pollIntervalMs),
      timeoutIn: duration(Math.max(0, expireTime - this.#shared.now())),
    };
    return {
      id: session.id,
      pickerUri: `${this.#shared.origin}${UI}${session.id}`,
      ...(session.picked ? {} : { pollingConfig }),
      expireTime: new Date(expireTime).toISOString(),
      pickingConfig: { maxItemCount: String(session.maxItemCount) },
      mediaItemsSet: session.picked !== undefined,
    };
  }

  #list(req: Request, url: URL): Response {
    this.#shared.oauth.checkAccess(req, PICKER_SCOPE);
    const params = url.searchParams;
    const sessionId = params.get("sessionId");
    if (!sessionId) throw invalidArgument("sessionId is required.");
    const session = this.#known(sessionId);
    if (!session.picked) {
      throw apiError(400, "FAILED_PRECONDITION", "The user has not finished picking media items yet.");
    }
    const size = Number(params.get("pageSize") || DEFAULT_PAGE_SIZE);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw invalidArgument(`pageSize must be from 1 to ${MAX_PAGE_SIZE}.`);
    }
    let offset = 0;
    if (params.get("pageToken")) {
      const [forSession, at] = decode(params.get("pageToken")) ?? [];
      if (forSession !== sessionId || !Number.isSafeInteger(at)) throw invalidArgument("Invalid page token.");
      offset = at as number;
    }
    const items = this.#shared.items();
    const page = session.picked.slice(offset, offset + size).flatMap((id) => items.get(id) ?? []);
    const more = offset + size < session.picked.length;
    return json(200, {
      mediaItems: page.map((item) => this.#pickedItem(item)),
      ...(more ? { nextPageToken: encode([sessionId, offset + size]) } : {}),
    });
  }

  /** The PickedMediaItem JSON of an item, with a freshly minted `baseUrl` that needs the token. */
  #pickedItem(item: FixtureItem): Json {
    const video = isVideo(item);
    const metadata = video
      ? { videoMetadata: { fps: item.video?.fps ?? 30, processingStatus: videoStatus(item) } }
      : { photoMetadata: PHOTO_EXPOSURE };
    return {
      id: item.id,
      createTime: item.creationTime,
      type: video ? "VIDEO" : "PHOTO",
      mediaFile: {
        baseUrl: this.#shared.media.baseUrl(item, MEDIA),
        mimeType: item.mimeType,
        filename: item.filename,
        mediaFileMetadata: {
          width: item.width,
          height: item.height,
          ...CAMERA,
          ...metadata,
        },
      },
    };
  }

  /** The user's phone: picks the posted ids and presses Done. */
  async #userPicks(req: Request, url: URL, log: LoggedRequest): Promise<Response> {
    const id = url.pathname.slice(UI.length).replace(/\/autoclose$/, "");
    if (!(await readBody(req, log, "json")).parsed) throw invalidArgument("Invalid JSON payload received.");
    const { mediaItemIds } = fields(log.body, "", ["mediaItemIds"]);
    const session = this.#known(id);
    if (session.picked) throw apiError(400, "FAILED_PRECONDITION", "Picking is already done.");
    if (this.#shared.now() >= session.createdAt + this.#timeoutMs) {
      throw apiError(400, "FAILED_PRECONDITION", "The picking session timed out.");
    }
    const ids = Array.isArray(mediaItemIds) ? mediaItemIds.map(String) : [];
    if (ids.length > session.maxItemCount) {
      throw invalidArgument(`At most ${session.maxItemCount} items can be picked in this session.`);
    }
    const unknown = ids.filter((picked) => !this.#shared.items().has(picked));
    if (unknown.length) throw invalidArgument(`Not in the library: ${unknown.join(", ")}.`);
    session.picked = [...new Set(ids)];
    return json(200, {});
  }
}

/** A protobuf Duration in JSON: seconds with an `s`, e.g. `3.5s`. */
function duration(ms: number): string {
  return `${ms / 1000}s`;
}
