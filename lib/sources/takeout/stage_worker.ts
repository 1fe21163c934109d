/**
 * A stage worker: stages zip entries (inflate, check, write) on a thread of its own, so that an
 * import keeps more than one core busy. The main thread sends {@link StageRequest}s and gets
 * one {@link StageReply} each; see `stage_pool.ts`.
 * @module
 */
/// <reference lib="deno.worker" />
import { BodyError, FileSystemError, OutputTree } from "../../core/output_tree.ts";
import { ArchiveError } from "./entry.ts";
import { type OpenZip, openZip } from "./zip.ts";
import { type StageReply, type StageRequest, WORKER_READY } from "./stage_protocol.ts";

/** The zip being read: requests come one archive at a time. */
let open: { path: string; zip: Promise<OpenZip> } | undefined;

function zipAt(path: string): Promise<OpenZip> {
  if (open?.path !== path) {
    const previous = open?.zip;
    open = {
      path,
      zip: (async () => {
        await (await previous?.catch(() => undefined))?.[Symbol.asyncDispose]();
        return await openZip(path);
      })(),
    };
  }
  return open.zip;
}

async function stage(request: StageRequest): Promise<StageReply> {
  try {
    const zip = await zipAt(request.archive);
    const entry = await zip.entryAt(request.index);
    if (entry?.path !== request.path) {
      throw new ArchiveError(`${request.path}: not at position ${request.index} of the archive`);
    }
    const staged = await new OutputTree(request.root).writeTemp(entry.body(), request);
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
