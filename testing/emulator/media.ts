/**
 * The media byte host: it mints the `baseUrl`s of media items, which expire, and serves their bytes at
 * `baseUrl=d` (a photo, or a video's still frame) and `baseUrl=dv` (a video), counting the bodies in flight;
 * asked to, it sends them gzip-encoded with the encoded `Content-Length`, whatever the request accepts.
 * Another service may serve the same bytes under a path of its own (the Picker API's need a token).
 *
 * @module
 */

import { type FixtureItem, mediaStream, stillFrameBytes } from "../library_fixture.ts";
import { apiError, decode, encode, invalidArgument, type RouteHandler, type Service } from "./server.ts";

const PREFIX = "/media/";

/** The camera every emulated item was taken with, as the APIs describe it. */
export const CAMERA = { cameraMake: "Pixel", cameraModel: "Pixel 7" };

/** The exposure every emulated photo was taken with, as the APIs describe it. */
export const PHOTO_EXPOSURE = {
  focalLength: 6.81,
  apertureFNumber: 1.85,
  isoEquivalent: 50,
  exposureTime: "0.008s",
};

/** Whether an item is a video (else a photo). */
export function isVideo(item: FixtureItem): boolean {
  return item.mimeType.startsWith("video/");
}

/** A video's processing status; only `READY` videos can be downloaded. */
export function videoStatus(item: FixtureItem): string {
  return item.video?.status ?? "READY";
}

/** The byte host, under `/media/` of the emulator's origin. */
export class MediaHost implements Service<"media"> {
  readonly routes: readonly RouteHandler<"media">[] = [{
    route: "media",
    methods: ["GET", "HEAD"],
    path: new RegExp(`^${PREFIX}`),
    quota: "media",
    streamed: true,
    handle: (req, url) => this.serve(req, url),
  }];
  /** The most media bodies that were being sent at once. */
  maxInFlight = 0;
  /**
   * The bytes a second all media bodies share, as over one network link (undefined: as fast as this
   * process sends them). The bench sets it to compare downloads at a real link's speed, where the server's
   * CPU is not the client's.
   */
  linkBytesPerSecond?: number;
  /** When the link is free again (`performance.now()` time), with the bytes already sent counted. */
  #linkFreeAt = 0;

  #origin: string;
  #now: () => number;
  #items: () => Map<string, FixtureItem>;
  #baseUrlTtlMs: number;
  #encoding?: "gzip";
  #inFlight = 0;
  /** Media requests held until this many wait together (see {@link holdUntil}). */
  #held?: { count: number; waiting: (() => void)[] };

  /**
   * Hold the next media requests until `count` of them wait at once, then answer them together: a
   * client that allows `count` downloads at a time has exactly that many bodies in flight then. A
   * client that never sends that many is let go after `fallbackMs`, so a test fails on its count
   * instead of hanging.
   */
  holdUntil(count: number, fallbackMs = 5_000): void {
    const held = { count, waiting: [] as (() => void)[] };
    this.#held = held;
    const timer = setTimeout(() => this.#release(held), fallbackMs);
    Deno.unrefTimer(timer);
  }

  #release(held: { waiting: (() => void)[] }): void {
    if (this.#held === held) this.#held = undefined;
    for (const go of held.waiting.splice(0)) go();
  }

  constructor(opts: {
    origin: string;
    now: () => number;
    items: () => Map<string, FixtureItem>;
    baseUrlTtlMs: number;
    encoding?: "gzip";
  }) {
    this.#origin = opts.origin;
    this.#now = opts.now;
    this.#items = opts.items;
    this.#baseUrlTtlMs = opts.baseUrlTtlMs;
    this.#encoding = opts.encoding;
  }

  /** A fresh `baseUrl` of an item under `prefix`: it carries the item's id and its expiry time. */
  baseUrl(item: FixtureItem, prefix: string = PREFIX): string {
    return `${this.#origin}${prefix}${encode([item.id, this.#now() + this.#baseUrlTtlMs])}`;
  }

  /** Answers a request for the bytes at a {@linkcode MediaHost.baseUrl} minted under `prefix`. */
  async serve(req: Request, url: URL, prefix: string = PREFIX): Promise<Response> {
    const path = url.pathname.slice(prefix.length);
    const at = path.lastIndexOf("=");
    const [id, expiresAt] = decode(at < 0 ? path : path.slice(0, at)) ?? [];
    const item = typeof id === "string" ? this.#items().get(id) : undefined;
    if (!item || typeof expiresAt !== "number") throw apiError(404, "NOT_FOUND", "Unknown media URL.");
    if (this.#now() >= expiresAt) throw apiError(403, "PERMISSION_DENIED", "The media URL has expired.");
    const held = this.#held;
    if (held && req.method === "GET") {
      const go = new Promise<void>((resolve) => held.waiting.push(resolve));
      if (held.waiting.length >= held.count) this.#release(held);
      await go;
    }
    const option = at < 0 ? "" : path.slice(at + 1);
    if (option !== "d" && option !== "dv") {
      throw invalidArgument(`The emulator serves only "=d" and "=dv", not "${option}".`);
    }
    let still: Uint8Array<ArrayBuffer> | undefined;
    if (!isVideo(item)) {
      if (option === "dv") throw invalidArgument("=dv is only for videos.");
    } else if (option === "d") {
      still = stillFrameBytes(item);
    } else if (videoStatus(item) !== "READY") {
      throw apiError(404, "NOT_FOUND", `The video is not ready (status ${videoStatus(item)}).`);
    }
    const contentType = still ? "image/jpeg" : item.mimeType;
    if (this.#encoding) {
      // Whatever the request's Accept-Encoding says, as a server or proxy may do.
      const bytes = await new Response(
        (still ? new Blob([still]).stream() : mediaStream(item)).pipeThrough(new CompressionStream("gzip")),
      ).bytes();
      const headers = {
        "content-type": contentType,
        "content-encoding": "gzip",
        "content-length": String(bytes.length),
      };
      return new Response(req.method === "HEAD" ? null : this.#tracked(bytes), { headers });
    }
    const headers = { "content-type": contentType, "content-length": String(still?.length ?? item.size) };
    return new Response(req.method === "HEAD" ? null : this.#tracked(still ?? mediaStream(item)), {
      headers,
    });
  }

  /** Counts a media body as in flight until it has been read to the end or cancelled. */
  #tracked(body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array<ArrayBuffer>>) {
    const reader = (body instanceof Uint8Array ? new Blob([body]).stream() : body).getReader();
    this.maxInFlight = Math.max(this.maxInFlight, ++this.#inFlight);
    const pace = (bytes: number) => this.#pace(bytes);
    let open = true;
    const end = () => {
      if (open) this.#inFlight--;
      open = false;
    };
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          end();
          controller.close();
        } else {
          await pace(value.length);
          controller.enqueue(value as Uint8Array<ArrayBuffer>);
        }
      },
      cancel(reason) {
        end();
        return reader.cancel(reason);
      },
    });
  }

  /** Waits until `bytes` more fit on the link of {@linkcode MediaHost.linkBytesPerSecond} (shared by all bodies). */
  async #pace(bytes: number): Promise<void> {
    const rate = this.linkBytesPerSecond;
    if (!rate) return;
    const now = performance.now();
    const start = Math.max(now, this.#linkFreeAt);
    this.#linkFreeAt = start + (bytes / rate) * 1000;
    if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
  }
}
