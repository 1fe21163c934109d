/**
 * What a backup folder holds, in a form two backups can be compared by: the tests that assert "the
 * same tree as a single run" (split runs, increments, kill -9, Drive, WebDAV) all compare this.
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { listFiles } from "../harness.ts";

/** The sha256 of `bytes`, in hex. */
export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/**
 * A copy of the backup folder `from` at `to` (which must not exist): its files with their mtimes, its
 * album links, its `sync.db`. A test that changes a backup it shares with others changes a copy.
 */
export async function copyBackup(from: string, to: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("cp", { args: ["-a", from, to], stderr: "piped" }).output();
  if (code !== 0) throw new Error(`cp -a ${from} ${to}: ${new TextDecoder().decode(stderr)}`);
}

/**
 * Empty the backup folder `dir` but for its `sync.db` (and its WAL files), as a CI job that stores each run's
 * files elsewhere (`--files-elsewhere`) keeps it.
 */
export async function keepOnlySyncDb(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.startsWith("sync.db")) await Deno.remove(join(dir, entry.name), { recursive: true });
  }
}

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

/** An item of a backup's `sync.db`, by what two backups of the same files share (not its id). */
export interface BackupRow {
  hash: string;
  path: string;
  created_ms: number;
  filename: string;
  status: string;
  /** Only with `{ json: true }`. */
  json?: string;
}

/**
 * The items of the `sync.db` in `dir` by content hash (ids and paths as the import chose them), with
 * their stored JSON when `json`, and the album memberships as `"<hash> <album id>"`, sorted.
 */
export function backupRows(dir: string, { json = false } = {}): { items: BackupRow[]; members: string[] } {
  using db = new DatabaseSync(join(dir, "sync.db"), { readOnly: true });
  return {
    items: db.prepare(
      `SELECT hash, path, created_ms, filename, status${json ? ", json" : ""} FROM items ORDER BY hash`,
    ).all() as unknown as BackupRow[],
    members: (db.prepare(
      "SELECT items.hash || ' ' || album_id AS m FROM item_albums JOIN items ON items.id = item_id ORDER BY m",
    ).all() as { m: string }[]).map((row) => row.m),
  };
}
