/**
 * What a backup folder holds, in a form two backups can be compared by: the tests that assert "the
 * same tree as a single run" (split runs, increments, kill -9, Drive, WebDAV) all compare this.
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { listFiles } from "../harness.ts";

/** The sha256 of `bytes`, in hex. */
export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/**
 * Every file and album link under `dir` (sorted as {@link listFiles} lists them): its path, then
 * its content's hash and mtime (whole seconds), or, for a link, its target.
 */
export async function backupTree(dir: string): Promise<string[]> {
  return await Promise.all((await listFiles(dir)).map(async (path) => {
    const full = join(dir, path);
    const stat = await Deno.lstat(full);
    if (stat.isSymlink) return `${path} -> ${await Deno.readLink(full)}`;
    return `${path} ${sha256(await Deno.readFile(full))} ${Math.floor(stat.mtime!.getTime() / 1000)}`;
  }));
}
