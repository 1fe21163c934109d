/**
 * An HTTP proxy in front of a server (rclone's WebDAV) that counts what goes through: requests by
 * method, and the body bytes of the answers, as they are sent. It is how a test tells how much of an
 * export a run fetched. It can also refuse service, to play a server that fails for a while, or stall
 * answers mid-body, to play a server (or network) that hangs; or play a slow link ({@link SlowLink}).
 * @module
 */

/** What the proxy saw. */
export interface ProxyCounts {
  /** Requests by method (`PROPFIND`, `GET`, …). */
  requests: Record<string, number>;
  /** Answer body bytes sent to the client, by method. */
  bytes: Record<string, number>;
}

/**
 * A slow link between the proxy and its client: each answer comes a round trip after its request, and the
 * answers' bodies share the link's bytes a second, from their first byte. (`rclone serve --bwlimit` is no
 * such link: its bucket fills while it is idle, and the first requests come at loopback speed.)
 */
export interface SlowLink {
  bytesPerSecond: number;
  roundTripMs: number;
}

/** Bytes a {@link SlowLink} sends at once: small, so that answers at once share it fairly. */
const LINK_PIECE = 4096;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A running proxy on 127.0.0.1; dispose of it to stop it. */
export class CountingProxy implements AsyncDisposable {
  /** The proxy's root, `http://127.0.0.1:PORT/`, standing for the target's root. */
  readonly url: string;
  #counts: ProxyCounts = { requests: {}, bytes: {} };
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  /** Answer the next this many requests with this status instead of forwarding them. */
  #failing: { count: number; status: number; retryAfter?: string } | undefined;
  /** Stall the next this many GET answers (of paths ending so, if `name`) after this many body bytes. */
  #stalling: { count: number; after: number; name?: string } | undefined;
  /** The stalled answers' bodies, held open until the proxy stops. */
  readonly #held = new Set<ReadableStreamDefaultController<Uint8Array>>();
  #stallCount = 0;
  #stallWaiters: { count: number; resolve: () => void }[] = [];
  readonly #link?: SlowLink;
  /** When the slow link has sent every piece given to it so far (`performance.now`). */
  #linkFreeAt = 0;

  /** Forward every request to `target` (`http://127.0.0.1:PORT/`), on a free port; through `link`, if given. */
  constructor(target: string, options: { link?: SlowLink } = {}) {
    this.#link = options.link;
    const base = new URL(target);
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
      const method = request.method;
      this.#counts.requests[method] = (this.#counts.requests[method] ?? 0) + 1;
      if (this.#failing && this.#failing.count > 0) {
        this.#failing.count--;
        const headers: Record<string, string> = this.#failing.retryAfter
          ? { "Retry-After": this.#failing.retryAfter }
          : {};
        return new Response("try again later", { status: this.#failing.status, headers });
      }
      const incoming = new URL(request.url);
      const url = new URL(incoming.pathname + incoming.search, base);
      const headers = new Headers(request.headers);
      headers.delete("host");
      const answer = await fetch(url, {
        method,
        headers,
        body: request.body,
        redirect: "manual",
      });
      const stall = method === "GET" && answer.body && this.#stalling && this.#stalling.count > 0 &&
          (this.#stalling.name === undefined || incoming.pathname.endsWith(`/${this.#stalling.name}`))
        ? this.#stalling
        : undefined;
      if (stall) stall.count--;
      if (this.#link) await delay(this.#link.roundTripMs);
      const counted = (this.#link ? answer.body?.pipeThrough(this.#paced(this.#link)) : answer.body)
        ?.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform: (chunk, controller) => {
              this.#counts.bytes[method] = (this.#counts.bytes[method] ?? 0) + chunk.length;
              controller.enqueue(chunk);
            },
          }),
        );
      return new Response((stall ? this.#stalled(counted!, stall.after) : counted) ?? null, {
        status: answer.status,
        statusText: answer.statusText,
        headers: answer.headers,
      });
    });
    this.url = `http://127.0.0.1:${this.#server.addr.port}/`;
  }

  /** What was counted since the start or the last {@link reset}. */
  get counts(): ProxyCounts {
    return structuredClone(this.#counts);
  }

  /** Answer bytes of all methods. */
  get bytes(): number {
    return Object.values(this.#counts.bytes).reduce((sum, n) => sum + n, 0);
  }

  /** Count from zero again. */
  reset(): void {
    this.#counts = { requests: {}, bytes: {} };
  }

  /** Answer the next `count` requests with `status` (and a `Retry-After`), not forwarding them. */
  fail(count: number, status: number, retryAfter?: string): void {
    this.#failing = { count, status, retryAfter };
  }

  /**
   * Stall the next `count` GET answers: each sends its first `after` (> 0) body bytes, then nothing, its
   * connection held open until the proxy stops. {@link stalls} says when one has. `name`: only the answers
   * for files of this name (one part of a store) are stalled, and counted.
   */
  stall(count: number, after: number, name?: string): void {
    this.#stalling = { count, after, ...(name === undefined ? {} : { name }) };
  }

  /** Resolves once `count` answers (since the start) have stalled. */
  stalls(count = 1): Promise<void> {
    if (this.#stallCount >= count) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#stallWaiters.push({ count, resolve });
    return promise;
  }

  /** A body's bytes through `link`: each piece comes once the link has sent it and all given to it before. */
  #paced(link: SlowLink): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream<Uint8Array, Uint8Array>({
      transform: async (chunk, controller) => {
        for (let at = 0; at < chunk.length; at += LINK_PIECE) {
          const piece = chunk.subarray(at, at + LINK_PIECE);
          const now = performance.now();
          this.#linkFreeAt = Math.max(now, this.#linkFreeAt) + piece.length * 1000 / link.bytesPerSecond;
          await delay(this.#linkFreeAt - now);
          controller.enqueue(piece);
        }
      },
    });
  }

  /** `body` up to `after` bytes, then a body that sends nothing more and does not end. */
  #stalled(body: ReadableStream<Uint8Array>, after: number): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const read = await reader.read();
        if (read.done) return controller.close();
        const chunk = read.value.subarray(0, after - sent);
        sent += chunk.length;
        controller.enqueue(chunk);
        if (sent < after) return;
        // The bytes sent: the rest never comes (what was asked of the target is let go).
        await reader.cancel().catch(() => {});
        this.#held.add(controller);
        this.#stallCount++;
        for (const waiter of this.#stallWaiters.filter((waiter) => waiter.count <= this.#stallCount)) {
          this.#stallWaiters.splice(this.#stallWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        await new Promise(() => {});
      },
    }, { highWaterMark: 0 });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const held of this.#held) held.error(new Error("the proxy stopped"));
    await this.#server.shutdown();
  }
}
