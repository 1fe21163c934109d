/**
 * A stage worker: stages zip entries (inflate, check, hash, write) on a thread of its own, so that an
 * import keeps more than one core busy. A local zip's entries it reads from the zip itself; a remote
 * zip's it is sent as the main thread fetches them (their stored bytes, `stored_entry.ts`). The main
 * thread sends {@link StageRequest}s and gets one {@link StageReply} each; see `stage_pool.ts`.
 * @module
 */
/// <reference lib="deno.worker" />
import { createHash } from "node:crypto";
import { BodyError, FileSystemError, OutputTree } from "../../core/output_tree.ts";
import { ArchiveError } from "./entry.ts";
import { decodeStored, openZipEntry } from "./stored_entry.ts";
import {
  type FromWorker,
  type StageReply,
  type StageRequest,
  type StoredChunk,
  type StoredStageRequest,
  type ToWorker,
  WORKER_READY,
  type ZipStageRequest,
} from "./stage_protocol.ts";

/**
 * A local zip's entry, read from where the main thread's listing says: the worker holds no
 * directory of its own.
 */
function zipBody(request: ZipStageRequest): ReadableStream<Uint8Array> {
  return openZipEntry(request.archive, request.path, { ...request, size: request.expectedSize });
}

/** The stored bytes still coming for each stored entry being staged, by request id. */
const incoming = new Map<number, Incoming>();

/** The stored bytes of one entry as they come from the main thread; each taken is told back. */
class Incoming {
  readonly #id: number;
  readonly #chunks: Uint8Array[] = [];
  #end = false;
  #stopped = false;
  #wake?: () => void;
  readonly stream: ReadableStream<Uint8Array>;

  constructor(id: number) {
    this.#id = id;
    this.stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (this.#chunks.length === 0 && !this.#end && !this.#stopped) {
          await new Promise<void>((resolve) => this.#wake = resolve);
        }
        // The main thread's own error is the entry's: this one only ends the writing.
        if (this.#stopped) throw new BodyError("the main thread stopped sending this entry");
        const chunk = this.#chunks.shift();
        if (!chunk) return controller.close();
        controller.enqueue(chunk);
        self.postMessage({ kind: "taken", id: this.#id, taken: chunk.length } satisfies FromWorker);
      },
    }, { highWaterMark: 0 });
  }

  receive(message: StoredChunk): void {
    if (message.bytes) this.#chunks.push(message.bytes);
    if (message.end) this.#end = true;
    if (message.stop) this.#stopped = true;
    this.#wake?.();
    this.#wake = undefined;
  }
}

/** A remote zip's entry, decoded from the stored bytes the main thread sends. */
function storedBody(request: StoredStageRequest): ReadableStream<Uint8Array> {
  const bytes = new Incoming(request.id);
  incoming.set(request.id, bytes);
  return decodeStored(request.path, { ...request, bytes: bytes.stream });
}

async function stage(request: StageRequest): Promise<StageReply> {
  try {
    const body = request.kind === "zip" ? zipBody(request) : storedBody(request);
    // The sha256 of the bytes as they are written: the main thread does not read the file back for it.
    const hash = createHash("sha256");
    const staged = await new OutputTree(request.root).writeTemp(body, {
      ...request,
      observe: (chunk) => hash.update(chunk),
    });
    return { kind: "reply", id: request.id, staged: { ...staged, sha256: hash.digest("hex") } };
  } catch (error) {
    const kind = error instanceof BodyError
      ? "body"
      : error instanceof ArchiveError
      ? "archive"
      : error instanceof FileSystemError
      ? "fs"
      : "other";
    const cause = (error as Error).cause;
    return {
      kind: "reply",
      id: request.id,
      error: {
        kind,
        message: (error as Error)?.message ?? String(error),
        ...(cause instanceof Error ? { cause: cause.message } : {}),
      },
    };
  } finally {
    incoming.delete(request.id);
  }
}

self.onmessage = async ({ data }: MessageEvent<ToWorker>) => {
  if (data.kind === "chunk") {
    incoming.get(data.id)?.receive(data);
    return;
  }
  const reply = await stage(data);
  self.postMessage(reply satisfies FromWorker);
};
self.postMessage(WORKER_READY);
