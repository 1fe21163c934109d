/**
 * A folder on this machine as a {@link RemoteStore}: where scheduled exports land on their own, read
 * the same way as Google Drive's or a WebDAV folder's (every export not imported in full, oldest
 * first; a delivery still arriving waited for; the parts done with named). Such a folder is a sync
 * client's (Dropbox's and OneDrive's put Takeout deliveries in `Apps/Google Download Your Data/`;
 * Google Drive for desktop mirrors `My Drive/Takeout/`), a NAS share mounted, a USB drive.
 *
 * Files are listed folder by folder, in name order; links are not followed (a sync client makes
 * none, and one could lead anywhere). A file read is checked to have the size it was listed with:
 * a part still being written is no part yet.
 * @module
 */
import { join, relative, resolve, sep } from "node:path";
import { PhotosyncError, UsageError } from "../../../core/errors.ts";
import { readAt } from "../../../core/read_at.ts";
import { checkRange, type RemoteFile, type RemoteStore } from "../remote/remote_store.ts";
import { isExportEntry } from "../export_check.ts";
import { archivePart } from "../parts.ts";

/** Bytes read at a time. */
const CHUNK = 1 << 20;

/** The exports' parts in a local folder (and its subfolders). */
export class FolderStore implements RemoteStore {
  readonly description: string;
  readonly #root: string;

  /**
   * The folder `root`, which must exist.
   * @throws {UsageError} when it is not a folder.
   */
  constructor(root: string) {
    this.#root = resolve(root);
    let isFolder = false;
    try {
      isFolder = Deno.statSync(this.#root).isDirectory;
    } catch {
      // Said below.
    }
    if (!isFolder) {
      throw new UsageError(
        `--from ${root}: no such folder (give a folder on this machine, or a WebDAV folder's http:// or https:// URL)`,
      );
    }
    this.description = `the folder ${this.#root}`;
  }

  /**
   * Refuse a folder that holds an export as extracted (`Takeout/`, `Takeout 2/`, `takeout-…-001/`) and no
   * part's archive: the import from a store reads archives (the deliveries a sync client puts there, read
   * by byte ranges), so it would pass every file over and say no export was found, exit 0, while the same
   * folder given as a PATH imports them. Reads only until the first part's archive is met.
   * @throws {UsageError} naming the folder and the command that imports it.
   */
  async checkHoldsArchives(signal?: AbortSignal): Promise<void> {
    let extracted: string | undefined;
    for await (const file of this.list(signal)) {
      if (archivePart(file.name)) return;
      if (extracted === undefined && isExportEntry(file.location)) extracted = file.location;
    }
    if (extracted === undefined) return;
    // Its first folder (`Takeout 2/`) says which it is; a file loose at the top, its name.
    const at = extracted.indexOf("/");
    throw new UsageError(
      `--from ${this.#root} holds an extracted export (${extracted.slice(0, at + 1 || undefined)}) and no ` +
        "Takeout archive: --from reads only archives (the deliveries a sync client puts there); give the " +
        `folder as PATH instead: photosync takeout --dir=DIR "${this.#root}"`,
    );
  }

  /** Every file under the folder, its subfolders included, folder by folder in name order. */
  async *list(signal?: AbortSignal): AsyncGenerator<RemoteFile> {
    const queue = [this.#root];
    while (queue.length > 0) {
      signal?.throwIfAborted();
      const folder = queue.shift()!;
      const files: RemoteFile[] = [];
      const folders: string[] = [];
      try {
        for await (const entry of Deno.readDir(folder)) {
          const path = join(folder, entry.name);
          if (entry.isDirectory) folders.push(path);
          else if (entry.isFile) {
            const stat = await Deno.lstat(path);
            files.push({
              id: path,
              name: entry.name,
              location: relative(this.#root, path).split(sep).join("/"),
              size: stat.size,
              ...(stat.mtime ? { modifiedMs: stat.mtime.getTime() } : {}),
            });
          }
        }
      } catch (error) {
        throw new UsageError(`cannot list ${folder}: ${(error as Error).message}`, { cause: error });
      }
      files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      yield* files;
      queue.push(...folders.sort());
    }
  }

  /**
   * Bytes `start` to `end` (exclusive) of `file`, streamed; a {@link PhotosyncError} when the file is
   * gone or no longer has the size it was listed with (written to, or replaced, since).
   */
  async read(
    file: RemoteFile,
    start: number,
    end: number,
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    checkRange(file, start, end);
    let handle: Deno.FsFile;
    try {
      handle = await Deno.open(file.id, { read: true });
    } catch (error) {
      throw new PhotosyncError(`cannot read ${file.location}: ${(error as Error).message}`, { cause: error });
    }
    const { size } = await handle.stat();
    if (size !== file.size) {
      handle.close();
      throw new PhotosyncError(
        `${file.location} changed while photosync read it (${size} bytes, listed with ${file.size}): ` +
          "a part still being written? run photosync again once it is whole",
      );
    }
    let at = start;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        try {
          signal?.throwIfAborted();
          if (at >= end) {
            handle.close();
            return controller.close();
          }
          const chunk = readAt(handle, at, Math.min(CHUNK, end - at));
          if (chunk.length === 0) {
            throw new PhotosyncError(`${file.location} ends at byte ${at}, listed with ${file.size}`);
          }
          at += chunk.length;
          controller.enqueue(chunk);
        } catch (error) {
          handle.close();
          throw error;
        }
      },
      cancel() {
        handle.close();
      },
    }, { highWaterMark: 0 });
  }
}
