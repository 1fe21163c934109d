/**
 * A stage worker: stages zip entries (inflate, check, write) on a thread of its own, so that an
 * import keeps more than one core busy. The main thread sends {@link StageRequest}s and gets
 * one {@link StageReply} each; see `stage_pool.ts`.
 * @module
 */
/// <reference lib="deno.worker" />
import { BodyError, FileSystemError, OutputTree } from "../../core/output_tree.ts";
import { ArchiveError } from "./entry.ts";
import { openZipEntry } from "./zip.ts";
import { type StageReply, type StageRequest, WORKER_READY } from "./stage_protocol.ts";

async function stage(request: StageRequest): Promise<StageReply> {
  try {
    // Read from where the main thread's listing says: the worker holds no directory of its own.
    const body = await openZipEntry(request.archive, request.path, request);
    const staged = await new OutputTree(request.root).writeTemp(body, request);
    return { id: request.id, staged };
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
      id: request.id,
      error: {
        kind,
        message: (error as Error)?.message ?? String(error),
        ...(cause instanceof Error ? { cause: cause.message } : {}),
      },
    };
  }
}

self.onmessage = async ({ data }: MessageEvent<StageRequest>) => {
  const reply = await stage(data);
  self.postMessage(reply);
};
self.postMessage(WORKER_READY);
