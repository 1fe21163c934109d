/**
 * A proxy in front of the emulator that rewrites what goes through: a test plays a Google that answers
 * something hostile (a page token that loops, a `baseUrl` on another host) with the emulator behind it.
 * Point `PHOTOSYNC_API_URL` and `PHOTOSYNC_PICKER_URL` at it ({@link RewritingProxy.env}).
 * @module
 */
import type { Emulator } from "./emulator.ts";

/** A JSON object. */
export type Json = Record<string, unknown>;

/** What to change, in place. */
export interface Rewrites {
  /** A request on its way to the emulator: its URL (query) and JSON body. */
  request?: (url: URL, body: Json | undefined) => void;
  /** A JSON answer on its way back, with the URL asked for. */
  answer?: (json: Json, url: URL) => void;
}

/** A running proxy on 127.0.0.1; dispose of it to stop it. */
export class RewritingProxy implements AsyncDisposable {
  /** `http://127.0.0.1:PORT`, standing for the emulator's origin. */
  readonly origin: string;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #emulator: Emulator;

  constructor(emulator: Emulator, rewrites: Rewrites) {
    this.#emulator = emulator;
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
      const incoming = new URL(request.url);
      const url = new URL(incoming.pathname + incoming.search, emulator.origin);
      const text = request.body ? await request.text() : undefined;
      let body = text ? JSON.parse(text) as Json : undefined;
      rewrites.request?.(url, body);
      const headers = new Headers(request.headers);
      headers.delete("host");
      headers.delete("content-length");
      const answer = await fetch(url, {
        method: request.method,
        headers,
        body: body === undefined ? text : JSON.stringify(body),
      });
      if (!(answer.headers.get("content-type") ?? "").includes("json")) return answer;
      body = await answer.json() as Json;
      rewrites.answer?.(body, url);
      return Response.json(body, { status: answer.status });
    });
    this.origin = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** The environment pointing a run's Library and Picker API roots at the proxy. */
  get env(): Record<string, string> {
    return {
      PHOTOSYNC_API_URL: this.origin,
      PHOTOSYNC_PICKER_URL: this.origin + new URL(this.#emulator.pickerUrl).pathname,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server.shutdown();
  }
}
