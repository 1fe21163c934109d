/**
 * The output tree: the folder that holds `sync.db` and the photos. Files are streamed to a
 * temporary file, checked, given their mtime, then moved into place, never through a symbolic
 * link and, unless asked to, never over anything already there. Which path an item takes is
 * `place.ts`'s business.
 * @module
 */
import { dirname, join } from "node:path";
import { PhotosyncError, UsageError } from "./errors.ts";
import { DB_FILE, LOCK_FILE, NEW_DB_FILE } from "./db_files.ts";

/** Folder under the output directory holding partial files. */
export const TEMP_DIR = ".photosync-tmp";

/** Folder under the output directory holding the album links. */
export const ALBUMS_DIR = "albums";

/** Folder under the output directory where changed files are kept (`verify --repair`, `sync --resync`). */
export const CHANGED_DIR = ".photosync-changed";

/** `photosync report`'s page, by default directly under the output directory. */
export const REPORT_FILE = "photosync-report.html";

/**
 * Names directly under the output directory that items may never take (lower case): photosync's
 * own files and folders there (with a flat `--layout`, a photo named so would be overwritten by them).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(
  [
    DB_FILE,
    `${DB_FILE}-wal`,
    `${DB_FILE}-shm`,
    `${DB_FILE}-journal`,
    LOCK_FILE,
    NEW_DB_FILE,
    `${NEW_DB_FILE}-journal`,
    TEMP_DIR,
    CHANGED_DIR,
    REPORT_FILE,
    ALBUMS_DIR,
  ].map((name) => name.toLowerCase()),
);

/**
 * The folder name of one run's changed files under {@link CHANGED_DIR}: the run's start, to the second.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { changedStamp } from "./output_tree.ts";
 *
 * assert.equal(changedStamp(Date.UTC(2026, 11, 6, 23, 5, 9)), "2026-12-06T230509");
 * ```
 */
export function changedStamp(startedMs: number): string {
  return new Date(startedMs).toISOString().replaceAll(":", "").slice(0, 17);
}

/**
 * The first and last modification times of the file systems photosync may write to, where each puts a
 * time it cannot keep (Linux clamps it there): in UTC, or (`local`) in the drive's local time, so within
 * 14 hours of it in UTC, whatever the zone.
 */
const MTIME_LIMITS: readonly { ms: number; side: "first" | "last"; local?: boolean }[] = [
  // 32-bit seconds from 1970: ext2, ext3, ext4 with small inodes, XFS without bigtime, `touch` alike.
  // Their first is ext4's and XFS's (bigtime too) first as well.
  { ms: -(2 ** 31) * 1000, side: "first" },
  { ms: (2 ** 31 - 1) * 1000, side: "last" },
  // ext4: 34 bits of seconds from 1901-12-13 (2446-05-10 22:38:55 UTC).
  { ms: (2 ** 34 - 2 ** 31 - 1) * 1000, side: "last" },
  // XFS with bigtime: 64 bits of nanoseconds from 1901-12-13 (2486-07-02 20:20:25 UTC).
  { ms: 16_299_260_425_000, side: "last" },
  // APFS: 64 bits of nanoseconds from 1970 (1677-09-21 to 2262-04-11).
  { ms: -9_223_372_036_854, side: "first" },
  { ms: 9_223_372_036_854, side: "last" },
  // NTFS: from 1601.
  { ms: Date.UTC(1601, 0, 1), side: "first" },
  // FAT and exFAT: 1980-01-01 00:00:00 to 2107-12-31 23:59:58, local.
  { ms: Date.UTC(1980, 0, 1), side: "first", local: true },
  { ms: Date.UTC(2107, 11, 31, 23, 59, 58), side: "last", local: true },
  // HFS+: 32 bits of seconds from 1904, local.
  { ms: Date.UTC(1904, 0, 1), side: "first", local: true },
  { ms: Date.UTC(2040, 1, 6, 6, 28, 15), side: "last", local: true },
];

/**
 * Times every file system of {@link MTIME_LIMITS} keeps as they are, in any zone: 1980-01-02 to
 * 2038-01-18. Only a time outside them is looked at again once set (see {@link OutputTree.unkeptTime}).
 */
const KEPT_EVERYWHERE = { from: Date.UTC(1980, 0, 2), to: Date.UTC(2038, 0, 18) };

/**
 * Whether a file's modification time `mtimeMs` is the capture time `createdMs` photosync set, as a file
 * system keeps it: to the second (FAT to two seconds); or, for a capture time it cannot keep, clamped to
 * its first or last time ({@link MTIME_LIMITS}): a time before 1901-12-13 20:45:52 UTC as that moment
 * where the file system keeps 32-bit seconds or is ext4 or XFS; one after 2446 as ext4's last; one before
 * 1980 or after 2107 as FAT and exFAT keep it, at 1980-01-01 00:00:00 or 2107-12-31 23:59:58 of the drive's
 * local time; and so on for XFS, APFS, NTFS and HFS+.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPlacedMtime } from "./output_tree.ts";
 *
 * assert.equal(isPlacedMtime(Date.UTC(2020, 0, 1, 12, 0, 1), Date.UTC(2020, 0, 1, 12)), true);
 * assert.equal(isPlacedMtime(Date.UTC(2024, 4, 5), Date.UTC(2020, 0, 1)), false);
 * assert.equal(isPlacedMtime(-(2 ** 31) * 1000, Date.UTC(1750, 5, 15)), true);
 * assert.equal(isPlacedMtime(Date.UTC(1901, 5, 1), Date.UTC(1901, 5, 1)), true);
 * // A photo of 1975 on an exFAT drive in UTC+2: 1980-01-01 00:00 there.
 * assert.equal(isPlacedMtime(Date.UTC(1979, 11, 31, 22), Date.UTC(1975, 5, 1)), true);
 * assert.equal(isPlacedMtime(Date.UTC(2107, 11, 31, 23, 59, 58), Date.UTC(2110, 2, 4)), true);
 * // A camera set to 9999 on ext4.
 * assert.equal(isPlacedMtime(Date.UTC(2446, 4, 10, 22, 38, 55), Date.UTC(9999, 11, 31)), true);
 * // Not for a photo taken after 1980.
 * assert.equal(isPlacedMtime(Date.UTC(1980, 0, 1), Date.UTC(1985, 5, 1)), false);
 * ```
 */
export function isPlacedMtime(mtimeMs: number, createdMs: number): boolean {
  const slack = 2000;
  const zones = 14 * 3600_000 + slack;
  if (Math.abs(mtimeMs - createdMs) < slack) return true;
  return MTIME_LIMITS.some(({ ms, side, local }) =>
    (side === "first" ? createdMs < mtimeMs : createdMs > mtimeMs) &&
    Math.abs(mtimeMs - ms) < (local ? zones : slack)
  );
}

/** A write failed for a reason of the file system (full, not permitted): the run stops. */
export class FileSystemError extends PhotosyncError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FileSystemError";
  }
}

/** Reading the body failed or ended early: a network problem worth another try. */
export class BodyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BodyError";
  }
}

/** The target's folder is (or goes through) a symbolic link or a file: this item cannot be placed. */
export class UnsafePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafePathError";
  }
}

/**
 * What a new entry of the output tree is: a file a source brought (`file`, placed or placed again), an album
 * link (`link`), a file already here moved to another path (`moved`: its date or name changed), or an XMP
 * sidecar written (`sidecar`).
 */
export type NewEntry = "file" | "link" | "moved" | "sidecar";

/**
 * Told of each new entry of the output tree at `path` (relative): what it is, and for a file `moved`, the path
 * it left (`from`).
 */
export type OnNewEntry = (path: string, entry: NewEntry, from?: string) => void;

/**
 * The drive makes neither symbolic nor hard links (FAT32, exFAT): an album link cannot be made, nor
 * any other. Thrown once per output tree; its later links are not tried ({@link OutputTree.makesLinks}).
 */
export class NoLinksError extends Error {
  constructor(path: string, options?: ErrorOptions) {
    super(`the drive makes no links (linking ${path})`, options);
    this.name = "NoLinksError";
  }
}

/**
 * A hard link's file is not at its path (deleted, or moved aside by `verify --repair`, and not put back yet): no
 * hard link can be made to it, as a symbolic link can (it points there until the file is back).
 */
export class NoFileError extends Error {
  constructor(path: string, options?: ErrorOptions) {
    super(`no file at ${path} to link to`, options);
    this.name = "NoFileError";
  }
}

/** The link calls the output tree makes (an I/O edge: a test stands in for a drive that makes none). */
export interface LinkCalls {
  /** `Deno.symlink`'s: a symbolic link at `path` pointing to `target`. */
  symlink(target: string, path: string): Promise<void>;
  /** `Deno.link`'s: a hard link at `path` to the file at `existing`. */
  link(existing: string, path: string): Promise<void>;
}

/**
 * Whether a link call's `error` says the file system makes no links of that kind, not that this link
 * is refused: exFAT's FUSE driver answers a symbolic link with ENOSYS (Deno gives it no code, only
 * "Function not implemented"), FAT32 both kinds with EPERM, others EOPNOTSUPP. EACCES, a real
 * permission problem, is not one of them.
 */
function makesNoLinks(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return error instanceof Deno.errors.NotSupported ||
    (typeof code === "string" && ["ENOSYS", "EPERM", "EOPNOTSUPP", "ENOTSUP"].includes(code)) ||
    /function not implemented|operation not supported/i.test((error as Error)?.message ?? "");
}

/**
 * Whether `a` and `b` (`Deno.lstat`s of two paths) are one regular file: two hard links to it. Where Deno gives
 * the file's number (`ino`: Linux, macOS), the same device and number, which no other file has. Where it gives
 * none (Windows: `ino` null, `dev` the volume's serial number), the same volume, size, modification time and
 * creation time, and the same change time where Deno gives one: NTFS keeps these with the file, not with its
 * names, so its hard links share them. Another file has all of them only as a copy of this one that kept both
 * its times (a backup restored by a tool that keeps them): the same size, and the same bytes unless they were
 * changed in place with both times set back. Even that copy has a change time of its own (the system sets it
 * at every write to a file, of its bytes or of its times). A time not given (null) never counts as the same.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameFile } from "./output_tree.ts";
 *
 * const path = Deno.makeTempFileSync();
 * const other = Deno.makeTempFileSync();
 * assert.equal(sameFile(Deno.lstatSync(path), Deno.lstatSync(path)), true);
 * assert.equal(sameFile(Deno.lstatSync(path), Deno.lstatSync(other)), false);
 * Deno.removeSync(path);
 * Deno.removeSync(other);
 * ```
 */
export function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  if (!a.isFile || !b.isFile || a.dev !== b.dev) return false;
  if (a.ino !== null && b.ino !== null) return a.ino === b.ino;
  const same = (x: Date | null, y: Date | null) => x !== null && y !== null && x.getTime() === y.getTime();
  return a.size === b.size && same(a.mtime, b.mtime) && same(a.birthtime, b.birthtime) &&
    (a.ctime === null || b.ctime === null || same(a.ctime, b.ctime));
}

/** A complete temporary file, not yet placed: its path and size. */
export interface TempFile {
  temp: string;
  size: number;
}

/** The output tree below one directory, with the folders already checked in this run. */
export class OutputTree {
  readonly root: string;
  readonly tempDir: string;
  readonly #checked = new Set<string>();
  /** False once a hard link failed as unsupported: placing then looks before it renames. */
  #hardLinks = true;
  /** False once the drive made neither kind of link (see {@link NoLinksError}). */
  #links = true;
  /** True once a file was found whose time the drive did not keep (see {@link OutputTree.unkeptTime}). */
  #unkeptFound = false;
  readonly #linkCalls: LinkCalls;
  /** Whether earlier runs' files are stored elsewhere (see {@link OutputTree.keeps}). */
  readonly filesElsewhere: boolean;

  /**
   * `filesElsewhere`: the folder holds only `sync.db` and this run's new files, earlier runs' being
   * stored elsewhere (a CI job that uploads each run's files): a recorded file not here is kept there.
   * `linkCalls`: how links are made (Deno's calls by default).
   */
  constructor(
    root: string,
    { filesElsewhere = false, linkCalls = { symlink: Deno.symlink, link: Deno.link } }: {
      filesElsewhere?: boolean;
      linkCalls?: LinkCalls;
    } = {},
  ) {
    this.root = root;
    this.tempDir = join(root, TEMP_DIR);
    this.filesElsewhere = filesElsewhere;
    this.#linkCalls = linkCalls;
  }

  /** False once a link failed because the drive makes none ({@link NoLinksError}): no more are tried. */
  get makesLinks(): boolean {
    return this.#links;
  }

  /**
   * The modification time the drive keeps for the file at `relativePath`, just given `mtime`, when that is
   * another (a capture time before or after the drive's range, which it clamps to its first or last time):
   * once a tree (a run), for the run to say so once; undefined otherwise, and after that. Looks (one `stat`)
   * only at a time outside those every drive keeps.
   */
  unkeptTime(relativePath: string, mtime: Date): number | undefined {
    const wanted = mtime.getTime();
    if (this.#unkeptFound || (wanted >= KEPT_EVERYWHERE.from && wanted <= KEPT_EVERYWHERE.to)) {
      return undefined;
    }
    const kept = this.modifiedAt(relativePath);
    // FAT keeps two-second steps.
    if (kept === undefined || Math.abs(kept - wanted) < 2000) return undefined;
    this.#unkeptFound = true;
    return kept;
  }

  /** Start with an empty temporary folder: leftovers of an interrupted run are never complete files. */
  async clearTemp(): Promise<void> {
    await this.removeTemp();
    await Deno.mkdir(this.tempDir, { recursive: true });
  }

  /** Remove the temporary folder and anything left in it. */
  async removeTemp(): Promise<void> {
    await Deno.remove(this.tempDir, { recursive: true }).catch(() => {});
  }

  /**
   * Stream `body` to the temporary file `tempName` and check its length against
   * `expectedSize` (when known). Returns the temporary file's path and size; on failure the
   * temporary file is gone. Reading `body` fails with {@link BodyError} (the network's side:
   * worth another try), writing the file with
   * {@link FileSystemError} (the file system's: the run stops). `signal` aborting breaks off
   * the reading (a {@link BodyError}), whatever the body's own source does. `observe` is shown each
   * chunk before it is written (a hash of what is written); the chunks are then written synchronously
   * (see {@link copyObserved}).
   */
  async writeTemp(
    body: ReadableStream<Uint8Array>,
    options: {
      expectedSize?: number;
      tempName: string;
      signal?: AbortSignal;
      observe?: (chunk: Uint8Array) => void;
    },
  ): Promise<TempFile> {
    const temp = join(this.tempDir, options.tempName);
    const { signal } = options;
    try {
      const file = await fsCall(
        "create",
        temp,
        () => Deno.openSync(temp, { write: true, createNew: true, mode: 0o644 }),
      ).catch(async (error) => {
        // The body's source must hear that nobody will read it (an archive waits for its readers).
        await body.cancel(error).catch(() => {});
        throw error;
      });
      if (options.observe) await copyObserved(body, file, temp, signal, options.observe);
      else await copy(body, file, temp, signal);
      const { size } = await fsCall("inspect", temp, () => Deno.statSync(temp));
      if (options.expectedSize !== undefined && size !== options.expectedSize) {
        throw new BodyError(
          size < options.expectedSize
            ? `download cut short: ${size} of ${options.expectedSize} bytes`
            : `download longer than its size: ${size} bytes, not ${options.expectedSize}`,
        );
      }
      return { temp, size };
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }

  /**
   * Give the complete temporary file `temp` its mtime and move it to `relativePath`
   * (`/`-separated). With `replace`, a file or link at the target is replaced (atomically, by a
   * rename), a folder is not (the result is then false); without it, nothing is: the result is
   * false when something is there. When false, `temp` stays for the caller to place elsewhere;
   * on failure it is gone.
   *
   * Its calls (time, folders, link, rename) are synchronous: each is one quick system call, which
   * costs several times less CPU than the same call made asynchronously (see `read_at.ts`), and
   * a run makes a few per file.
   */
  async place(
    temp: string,
    relativePath: string,
    mtime: Date,
    { replace }: { replace: boolean },
  ): Promise<boolean> {
    const parts = relativePath.split("/");
    const target = join(this.root, ...parts);
    try {
      await fsCall("set the time of", temp, () => Deno.utimeSync(temp, mtime, mtime));
      await this.#folders(parts.slice(0, -1));
      if (!replace) return await this.#moveNew(temp, target);
      // What is replaced is the item's own file (or a link): a folder made there since is the user's.
      if (isFolder(target)) return false;
      await fsCall("move into place", target, () => Deno.renameSync(temp, target));
      return true;
    } catch (error) {
      try {
        Deno.removeSync(temp);
      } catch {
        // Gone already, or left for the temporary folder's clearing.
      }
      throw error;
    }
  }

  /**
   * Write `text` to the file at `relativePath` (a small file of photosync's own, such as an XMP
   * sidecar) atomically: into the temporary folder, then renamed over whatever is there. The
   * caller checks that what is there is photosync's; its folder must exist and be a real one.
   */
  async writeSmall(relativePath: string, text: string): Promise<void> {
    const parts = relativePath.split("/");
    await this.#folders(parts.slice(0, -1));
    await fsCall("create folder", this.tempDir, () => Deno.mkdir(this.tempDir, { recursive: true }));
    const temp = join(this.tempDir, `small-${crypto.randomUUID()}`);
    try {
      await fsCall("write", temp, () => Deno.writeTextFile(temp, text, { createNew: true, mode: 0o644 }));
      await fsCall("move into place", relativePath, () => Deno.rename(temp, join(this.root, ...parts)));
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }

  /**
   * The text of the regular file at `relativePath` (not a link), or undefined when there is none
   * or it cannot be read.
   */
  async readSmall(relativePath: string): Promise<string | undefined> {
    const path = join(this.root, ...relativePath.split("/"));
    try {
      if (!(await Deno.lstat(path)).isFile) return undefined;
      return await Deno.readTextFile(path);
    } catch {
      return undefined;
    }
  }

  /**
   * Move the placed file at `from` to `to` (both relative) and give it the time `mtime` there (without
   * one, its time stays), never over anything: `occupied` when something is at `to` (the file stays at
   * `from`), `missing` when no file is at `from`. `arrived` is called once the file is at `to` with its
   * time and, where the file system makes hard links, before it leaves `from` (else right after the
   * rename): a list of the run's files (`--new-files`) takes in the new path and drops the old one while
   * both hold it, so that a run killed at any moment leaves it naming only files that are there.
   *
   * The time is set only once the file is at `to`: a move that fails before (a folder that cannot be
   * made, a full disk) or a run killed before leaves the file at `from` with its time, the one of the day
   * it is filed under. Set before `arrived`, after which the caller takes the move as done (its note of
   * where the file was goes): no run stopped once the note is gone leaves the file at `to` with `from`'s
   * time. With `to` the same as `from`, only the time is set.
   */
  async move(
    from: string,
    to: string,
    mtime?: Date,
    arrived?: () => void,
  ): Promise<"moved" | "occupied" | "missing"> {
    const source = join(this.root, ...from.split("/"));
    if (!await Deno.lstat(source).then((stat) => stat.isFile, () => false)) return "missing";
    if (from === to) {
      if (mtime) await fsCall("set the time of", source, () => Deno.utime(source, mtime, mtime));
      return "moved";
    }
    const parts = to.split("/");
    await this.#folders(parts.slice(0, -1));
    return await this.#moveNew(source, join(this.root, ...parts), arrived, mtime) ? "moved" : "occupied";
  }

  /** Remove the file (or link) at `relativePath`; nothing there is no error. */
  async remove(relativePath: string): Promise<void> {
    const path = join(this.root, ...relativePath.split("/"));
    await Deno.remove(path).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw fileSystemError("remove", path, error);
    });
  }

  /**
   * Whether a regular file of `size` bytes is at `relativePath` (a look, not a read). Synchronous:
   * a look costs less than an asynchronous call's round trip (100,000 looks took about 2.5 s this
   * way and 9 s awaited one by one).
   */
  holds(relativePath: string, size: number): boolean {
    try {
      const stat = Deno.lstatSync(join(this.root, ...relativePath.split("/")));
      return stat.isFile && stat.size === size;
    } catch {
      return false;
    }
  }

  /**
   * Whether the backup keeps the file recorded at `relativePath` with `size` bytes: it is here ({@link holds});
   * or, in a folder whose earlier files are stored elsewhere, nothing is at its path (what is there, of
   * another size, is no file of the backup's).
   */
  keeps(relativePath: string, size: number): boolean {
    if (this.holds(relativePath, size)) return true;
    if (!this.filesElsewhere) return false;
    try {
      Deno.lstatSync(join(this.root, ...relativePath.split("/")));
      return false;
    } catch (error) {
      return error instanceof Deno.errors.NotFound;
    }
  }

  /** The modification time (epoch ms) of the regular file at `relativePath`, or undefined (a look). */
  modifiedAt(relativePath: string): number | undefined {
    try {
      const stat = Deno.lstatSync(join(this.root, ...relativePath.split("/")));
      return stat.isFile ? stat.mtime?.getTime() : undefined;
    } catch {
      return undefined;
    }
  }

  /** The size of the regular file at `relativePath` (not a link), or undefined when there is none (a look). */
  fileSize(relativePath: string): number | undefined {
    try {
      const stat = Deno.lstatSync(join(this.root, ...relativePath.split("/")));
      return stat.isFile ? stat.size : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * What the entry at `linkPath` is to the file at `targetPath` (both relative), as {@link link} makes links: a
   * `symbolic` link pointing there, or a `hard` link (made where symbolic links are refused) to that very file
   * ({@link sameFile}); undefined when it is no link to it (or nothing). `fileAt`: where that file is now, when
   * it moved since the link was made (a hard link goes with the file, not with its path). A look: one call for
   * a symbolic link, as most entries a run looks at are; three for a file.
   */
  linkTo(linkPath: string, targetPath: string, fileAt: string = targetPath): "symbolic" | "hard" | undefined {
    const at = join(this.root, ...linkPath.split("/"));
    try {
      return Deno.readLinkSync(at).endsWith(`/${targetPath}`) ? "symbolic" : undefined;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
    }
    // Something that is no symbolic link: a file (a hard link?), a folder.
    try {
      return sameFile(Deno.lstatSync(at), Deno.lstatSync(join(this.root, ...fileAt.split("/"))))
        ? "hard"
        : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether the regular file at `relativePath` is the very file ({@link sameFile}) at `of` (both relative): a
   * second name of it, such as a move stopped between its hard link at the new path and the removal of the old
   * name leaves; not a copy of it, a symbolic link, or nothing. The file must have two names at least where
   * Deno gives their number: on a drive that folds case, `A.jpg` and `a.jpg` are one name of one file. A look:
   * two calls.
   */
  secondName(relativePath: string, of: string): boolean {
    if (relativePath === of) return false;
    try {
      const stat = Deno.lstatSync(join(this.root, ...relativePath.split("/")));
      return (stat.nlink === null || stat.nlink >= 2) &&
        sameFile(stat, Deno.lstatSync(join(this.root, ...of.split("/"))));
    } catch {
      return false;
    }
  }

  /**
   * Whether the regular file at `relativePath` is the very file ({@link sameFile}) kept aside for `targetPath`
   * under {@link CHANGED_DIR} ({@link moveAside} links it to `CHANGED_DIR/<stamp>/<targetPath>`, any run's
   * stamp): its bytes are kept there, whatever becomes of this name. A look: a listing of `CHANGED_DIR` (mostly
   * not there) and one call a run's folder in it.
   */
  keptAside(relativePath: string, targetPath: string): boolean {
    let entry: Deno.FileInfo;
    let stamps: Deno.DirEntry[];
    try {
      entry = Deno.lstatSync(join(this.root, ...relativePath.split("/")));
      stamps = entry.isFile ? [...Deno.readDirSync(join(this.root, CHANGED_DIR))] : [];
    } catch {
      return false;
    }
    return stamps.some((stamp) => {
      try {
        return stamp.isDirectory &&
          sameFile(entry, Deno.lstatSync(join(this.root, CHANGED_DIR, stamp.name, ...targetPath.split("/"))));
      } catch {
        return false;
      }
    });
  }

  /**
   * Move the file at `relativePath` (changed since photosync placed it: a user's edit, a damaged copy)
   * to `CHANGED_DIR/<stamp>/<relativePath>`, never over anything (where that is taken, by a run that
   * started in the same second, to `<stamp>-2/`, `-3/`, …); returns where it went (relative). `stamp`
   * names the run (one folder per run, see {@link changedStamp}).
   */
  async moveAside(relativePath: string, stamp: string): Promise<string> {
    const from = join(this.root, ...relativePath.split("/"));
    for (let n = 1;; n++) {
      const to = `${CHANGED_DIR}/${n === 1 ? stamp : `${stamp}-${n}`}/${relativePath}`;
      const target = join(this.root, ...to.split("/"));
      await fsCall("create folder", dirname(target), () => Deno.mkdir(dirname(target), { recursive: true }));
      try {
        // A link first: it fails rather than replace anything.
        await Deno.link(from, target);
        await Deno.remove(from);
        return to;
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) continue;
        // No hard links on this file system (exFAT, FAT): a look, then a rename.
        if (await Deno.lstat(target).then(() => true, () => false)) continue;
        await fsCall("move aside", relativePath, () => Deno.rename(from, target));
        return to;
      }
    }
  }

  /** Whether anything (a file, folder or link) is at `relativePath`. */
  occupied(relativePath: string): boolean {
    return this.#exists(join(this.root, ...relativePath.split("/")));
  }

  /**
   * Move `temp` to `target` unless something is there: a hard link fails rather than replace
   * anything, so a file appearing at the last moment is kept too. Where the file system has no
   * hard links (exFAT, FAT), a look then a rename. `mtime`: the time it is given once at `target`; when
   * that fails, the file goes back to `temp` and the error is thrown. `arrived`: called once the file is
   * at `target` (with its time), before it leaves `temp` where it is linked.
   */
  async #moveNew(temp: string, target: string, arrived?: () => void, mtime?: Date): Promise<boolean> {
    if (this.#hardLinks) {
      let linked = false;
      try {
        Deno.linkSync(temp, target);
        linked = true;
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) return false;
        if (!(error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotSupported)) {
          throw fileSystemError("move into place", target, error);
        }
        this.#hardLinks = false;
      }
      if (linked) {
        if (mtime) {
          try {
            Deno.utimeSync(target, mtime, mtime);
          } catch (error) {
            // Not timed (the name at `temp` is the same file, untouched): the move undone, as best it can be.
            try {
              Deno.removeSync(target);
            } catch {
              // Left at both names: the caller's note still says where it was.
            }
            throw fileSystemError("set the time of", target, error);
          }
        }
        arrived?.();
        // The file is in place; the name it leaves is removed after.
        try {
          Deno.removeSync(temp);
        } catch {
          // Left over: a temporary name goes with the temporary folder; a moved file's old name (its folder's
          // names cannot be removed: immutable, append-only) is a second name the caller finds (`secondName`).
        }
        return true;
      }
    }
    if (this.#exists(target)) return false;
    await fsCall("move into place", target, () => Deno.renameSync(temp, target));
    if (mtime) {
      try {
        Deno.utimeSync(target, mtime, mtime);
      } catch (error) {
        // Not timed: back where it was (which it left a moment ago), as if never moved, as best it can be.
        try {
          if (!this.#exists(temp)) Deno.renameSync(target, temp);
        } catch {
          // Left at `target`: the caller's note still says where it was.
        }
        throw fileSystemError("set the time of", target, error);
      }
    }
    arrived?.();
    return true;
  }

  /**
   * A relative symbolic link at `relativePath` pointing to the file at `targetPath` (both
   * relative to the root), or a hard link where symbolic links are not allowed: by the file
   * system, or by Deno's permissions (it makes them only with unscoped read and write grants; a
   * program using photosync may grant only its folder). Returns false when something is
   * already there. Throws {@link NoLinksError} when the drive makes neither kind (FAT32, exFAT);
   * {@link NoFileError} when a hard link is to be made and no file is at `targetPath`: either leaves no
   * folder it made for the link.
   */
  async link(relativePath: string, targetPath: string): Promise<boolean> {
    const parts = relativePath.split("/");
    const at = join(this.root, ...parts);
    if (!this.#links) throw new NoLinksError(at);
    const made = await this.#folders(parts.slice(0, -1));
    const up = "../".repeat(parts.length - 1);
    try {
      await this.#linkCalls.symlink(up + targetPath, at);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) return false;
      if (
        !(error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable ||
          makesNoLinks(error))
      ) {
        throw fileSystemError("link", at, error);
      }
      const target = join(this.root, ...targetPath.split("/"));
      try {
        await this.#linkCalls.link(target, at);
      } catch (linkError) {
        if (linkError instanceof Deno.errors.AlreadyExists) return false;
        if (linkError instanceof Deno.errors.NotFound && !this.#exists(target)) {
          // An album whose only member's file is not here would be left an empty folder.
          this.#unmake(made);
          throw new NoFileError(targetPath, { cause: linkError });
        }
        if (!makesNoLinks(linkError)) throw fileSystemError("link", at, linkError);
        this.#links = false;
        this.#unmake(made);
        throw new NoLinksError(at, { cause: linkError });
      }
    }
    return true;
  }

  /**
   * Remove the folders `made` (outermost first) for a link that was not made: they would stay empty, an album
   * folder without its photos. One something else was put in since is kept.
   */
  #unmake(made: readonly string[]): void {
    for (const path of made.toReversed()) {
      this.#checked.delete(path);
      try {
        Deno.removeSync(path);
      } catch {
        // Something else is in it now: kept.
      }
    }
  }

  /** Whether anything (a link too) is at `path`. */
  #exists(path: string): boolean {
    try {
      Deno.lstatSync(path);
      return true;
    } catch {
      // Not there, or a folder on the way is missing or no folder: nothing to keep (placing there
      // fails later with UnsafePathError if the way is blocked).
      return false;
    }
  }

  /**
   * Create the folders on the way to a file, refusing any that is a link or not a folder. Returns
   * those it made, outermost first.
   */
  async #folders(parts: string[]): Promise<string[]> {
    const made: string[] = [];
    let path = this.root;
    for (const part of parts) {
      path = join(path, part);
      if (this.#checked.has(path)) continue;
      // A folder we create is a real one; only an existing name needs a look.
      let created = true;
      try {
        Deno.mkdirSync(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) {
          throw fileSystemError("create folder", path, error);
        }
        created = false;
      }
      if (created) made.push(path);
      if (!created) {
        const stat = await fsCall("inspect", path, () => Deno.lstatSync(path));
        if (stat.isSymlink) {
          throw new UnsafePathError(`${path} is a symbolic link; photosync does not write through links`);
        }
        if (!stat.isDirectory) throw new UnsafePathError(`${path} is in the way: it is not a folder`);
      }
      this.#checked.add(path);
    }
    return made;
  }
}

/** Reading `body` broke off (or the run stopped): the network's side, worth another try. */
/** Whether a folder (not a link to one) is at `path`. */
function isFolder(path: string): boolean {
  try {
    return Deno.lstatSync(path).isDirectory;
  } catch {
    return false;
  }
}

function broken(error: unknown): BodyError {
  return new BodyError(`download broke off: ${(error as Error)?.message ?? error}`, { cause: error });
}

/**
 * Copy `body` into `file` (and close it) with `pipeTo`: when the body is backed by a resource
 * (a fetch's, a file's), Deno pumps the bytes in Rust without handing each chunk to
 * JavaScript, about twice as fast for a large download than a read/write loop. Neither side's
 * failure is passed to the other, so that afterwards the side that failed is the one left
 * errored.
 */
async function copy(
  body: ReadableStream<Uint8Array>,
  file: Deno.FsFile,
  temp: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await body.pipeTo(file.writable, { signal, preventAbort: true, preventCancel: true });
  } catch (error) {
    try {
      file.close();
    } catch {
      // Closed already.
    }
    if (signal?.aborted) {
      await body.cancel(signal.reason).catch(() => {});
      throw broken(signal.reason);
    }
    // Which side failed: a body that errored is the network's (as JavaScript sees it, or, when
    // Deno pumped the bytes itself, a TypeError: what a fetch body fails with). Cancelling an
    // errored stream fails with its own error; cancelling a live one succeeds.
    const bodyFailed = await body.cancel(error).then(() => error instanceof TypeError, () => true);
    throw bodyFailed ? broken(error) : fileSystemError("write", temp, error);
  }
}

/**
 * Copy `body` into `file` (and close it) chunk by chunk, each shown to `observe` before it is written,
 * with synchronous writes. A body JavaScript reads anyway gains nothing from `pipeTo`, whose writes each
 * go to Deno's I/O threads and back: an inflated zip entry comes in chunks of about 64 KB, and a stage
 * worker's import took a tenth to a sixth less CPU this way (BENCHMARKS.md). Failures are told apart as
 * {@link copy}'s are: the body's is a {@link BodyError}, the file's a {@link FileSystemError}.
 */
async function copyObserved(
  body: ReadableStream<Uint8Array>,
  file: Deno.FsFile,
  temp: string,
  signal: AbortSignal | undefined,
  observe: (chunk: Uint8Array) => void,
): Promise<void> {
  const reader = body.getReader();
  // The signal cancels the body: a read waiting for it ends (done), and so does any read after.
  const stop = () => reader.cancel(signal?.reason).catch(() => {});
  if (signal?.aborted) stop();
  else signal?.addEventListener("abort", stop, { once: true });
  try {
    while (true) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (error) {
        throw broken(error);
      }
      if (signal?.aborted) throw broken(signal.reason);
      if (read.done) return;
      observe(read.value);
      try {
        for (let at = 0; at < read.value.length;) at += file.writeSync(read.value.subarray(at));
      } catch (error) {
        await reader.cancel(error).catch(() => {});
        throw fileSystemError("write", temp, error);
      }
    }
  } finally {
    signal?.removeEventListener("abort", stop);
    reader.releaseLock();
    file.close();
  }
}

/** A {@link FileSystemError} saying what failed and, for a full disk, what to do. */
function fileSystemError(what: string, path: string, error: unknown): FileSystemError {
  const message = (error as Error).message;
  if (/no space left|os error 28|ENOSPC|disk quota/i.test(message)) {
    return new FileSystemError(
      `the disk is full (writing ${path}); free some space and run photosync again: nothing downloaded so far is lost`,
      { cause: error },
    );
  }
  if (/file too large|os error 27|EFBIG/i.test(message)) {
    let size: number | undefined;
    try {
      size = Deno.statSync(path).size;
    } catch {
      // Gone or unreadable: the message does without its size.
    }
    return new FileSystemError(tooLargeMessage(what, path, size), { cause: error });
  }
  return new FileSystemError(`cannot ${what} ${path}: ${message}`, { cause: error });
}

/**
 * What a write refused as too large (`EFBIG`) says, by how far the file got (`size`, when known): at
 * FAT32's 4 GB a file, the drive's format; short of it, another limit (the shell's `ulimit -f`, a quota).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tooLargeMessage } from "./output_tree.ts";
 *
 * assert.match(tooLargeMessage("write", "/photos/x.part", 2 ** 32 - 1), /FAT32 holds at most 4 GB a file/);
 * assert.match(tooLargeMessage("write", "/photos/x.part", 102_400), /a file size limit stopped it at 102400 bytes/);
 * ```
 */
export function tooLargeMessage(what: string, path: string, size: number | undefined): string {
  const fat32 = 2 ** 32 - 1;
  if (size === undefined || size >= fat32 - 2 ** 26) {
    return `cannot ${what} ${path}: the file is too large for this folder's file system (FAT32 holds at most 4 GB ` +
      "a file); back up to a drive formatted exFAT, NTFS, ext4 or APFS: nothing written so far is lost";
  }
  return `cannot ${what} ${path}: a file size limit stopped it at ${size} bytes, short of any file system's ` +
    "(the shell's ulimit -f, a disk quota); raise it and run photosync again: nothing written so far is lost";
}

/** Run a file-system call, turning its failure into a {@link FileSystemError}. */
async function fsCall<T>(what: string, path: string, call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw fileSystemError(what, path, error);
  }
}

/**
 * What a `--dir` that is a link to nothing says: where it points, and the likely cause.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { danglingLinkMessage } from "./output_tree.ts";
 *
 * assert.match(danglingLinkMessage("/nowhere/photos"), /^--dir \/nowhere\/photos cannot be reached/);
 * ```
 */
export function danglingLinkMessage(dir: string): string {
  let target: string | undefined;
  try {
    target = Deno.readLinkSync(dir);
  } catch {
    // Not a link itself (a link among its parents): said without a target.
  }
  return `--dir ${dir} cannot be reached: ${
    target === undefined ? "a link on its way leads" : `it is a link to ${target}, which leads`
  } nowhere (is the disk it is on mounted?)`;
}

/**
 * Create `dir` if missing and make sure it is a writable folder, or throw {@link UsageError}
 * ({@link UnwritableFolderError} for a folder that cannot be written).
 */
export async function prepareOutputDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      // Deno's own advice (run again with --allow-all) is no one's to take: the task and the binary fix the grants.
      throw new UsageError(
        `--dir ${dir} cannot be created: photosync may not write there (Deno lets only a program granted every ` +
          "permission write under system folders such as /dev and /proc); choose another --dir",
        { cause: error },
      );
    }
    if (!(error instanceof Deno.errors.AlreadyExists)) {
      throw new UsageError(`--dir ${dir} cannot be created: ${(error as Error).message}`, { cause: error });
    }
  }
  const stat = await Deno.stat(dir).catch(() => undefined);
  // A link to where nothing is: a backup disk not mounted, most likely. Never a folder made in its place.
  if (!stat) throw new UsageError(danglingLinkMessage(dir));
  if (!stat.isDirectory) throw new UsageError(`--dir ${dir} is a file, not a folder; choose another --dir`);
  try {
    await Deno.remove(await Deno.makeTempFile({ dir, prefix: ".photosync-write-test-" }));
  } catch (error) {
    throw new UnwritableFolderError(dir, error);
  }
}

/** `--dir` is a folder that cannot be written (not permitted, a read-only mount, a full disk). */
export class UnwritableFolderError extends UsageError {
  constructor(dir: string, cause: unknown) {
    super(`--dir ${dir} is not writable (${(cause as Error).message}); choose another --dir`, { cause });
    this.name = "UnwritableFolderError";
  }
}
