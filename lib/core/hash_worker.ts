/**
 * A hash worker: the sha256 of files, on a thread of its own, so that hashing a placed download
 * or a backup's every file (`photosync verify`) keeps the other cores busy and never the main
 * thread. See `hash_pool.ts`.
 * @module
 */
/// <reference lib="deno.worker" />
import { hashFileSync, type HashReply, type HashRequest } from "./hash_file.ts";
import { WORKER_READY } from "./workers.ts";

const buffer = new Uint8Array(1 << 20);

self.onmessage = ({ data }: MessageEvent<HashRequest>) => {
  let reply: HashReply;
  try {
    reply = { id: data.id, ...hashFileSync(data.path, buffer) };
  } catch (error) {
    reply = { id: data.id, error: (error as Error).message, missing: error instanceof Deno.errors.NotFound };
  }
  self.postMessage(reply);
};
self.postMessage(WORKER_READY);
