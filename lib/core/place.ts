/**
 * Place and record: the last step of every item, whatever its source (downloads drain into it
 * from `transfer.ts`, a Takeout import commits into it). An item's file, complete in the
 * temporary folder, gets its path under the output directory, lands there with its mtime, and
 * `sync.db` records it; album members get their links.
 *
 * - Paths are settled in the order the items are given (creation order for downloads, the
 *   archive's order for Takeout), so names never depend on timing: the first item keeps the
 *   name, a later one with the same path gets a tag from its id.
 * - A path is claimed only when no item holds it in `sync.db` and nothing is at it on disk.
 *   Once claimed, a file at it with the item's bytes is its own (left by a crash between the move
 *   and the record) and is replaced; one with other bytes is never overwritten: changed since (a
 *   user's edit) it is moved aside to `.photosync-changed/`, and with the item's capture time as
 *   mtime (another photo of that name and second) it is kept and the item takes the next free name,
 *   as it does when a file appears at a path this run claimed.
 * @module
 */
import { join } from "node:path";
import type { FolderDays } from "./folder_settings.ts";
import { localOffsetOf, type PathItem, type PathMapper } from "./layout.ts";
import { type LocalTime, withLocalTime } from "./local_time.ts";
import type { Logger } from "./logger.ts";
import { PhotosyncError } from "./errors.ts";
import { earlierFolderNames, idTag, sanitizeName, taggedFolderName, taggedName } from "./names.ts";
import {
  ALBUMS_DIR,
  changedStamp,
  isPlacedMtime,
  NoFileError,
  NoLinksError,
  type OnNewEntry,
  type OutputTree,
  RESERVED_NAMES,
  type TempFile,
  UnsafePathError,
} from "./output_tree.ts";
import { hashFileSync } from "./hash_file.ts";
import type { PlacedRow } from "./source.ts";
import { type AlbumRow, type ItemRow, pathKey, type Store } from "./store.ts";
import { leaveXmpSidecar, xmpPathOf } from "./xmp_sidecars.ts";

/** Longest time a placed item waits to be recorded in sync.db. */
const MARK_INTERVAL_MS = 250;
/** Placed items recorded in one transaction at most. */
const MARK_BATCH = 50;

export { ALBUMS_DIR } from "./output_tree.ts";

/** What a run says, once, when the drive makes no links (see {@link NoLinksError}). */
export const NO_LINKS_WARNING = "this drive makes no links (a FAT32 or exFAT drive?), so album folders are " +
  "not made; the photos are all in their days (takeout --albums none skips album folders without this warning)";

/**
 * What a run says, once, when the drive did not keep a capture time as a file's mtime (see
 * `OutputTree.unkeptTime`): `path` was given `wanted` and has `kept`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { unkeptTimeWarning } from "./place.ts";
 *
 * assert.equal(
 *   unkeptTimeWarning("1750/06/15/a.jpg", Date.UTC(1750, 5, 15, 10), -(2 ** 31) * 1000),
 *   "this drive keeps no file time of 1750-06-15: 1750/06/15/a.jpg has 1901-12-13 20:45:52 UTC, the nearest " +
 *     "it keeps, as will other files dated outside its range; their folders are their own days, and " +
 *     "sync.db keeps their capture times",
 * );
 * ```
 */
export function unkeptTimeWarning(path: string, wanted: number, kept: number): string {
  const day = new Date(wanted).toISOString().slice(0, 10);
  const time = new Date(kept).toISOString().slice(0, 19).replace("T", " ");
  return `this drive keeps no file time of ${day}: ${path} has ${time} UTC, the nearest it keeps, as will ` +
    "other files dated outside its range; their folders are their own days, and sync.db keeps their capture times";
}

/** What {@link Placer} needs. */
export interface PlacerOptions {
  store: Store;
  tree: OutputTree;
  pathMapper: PathMapper;
  logger: Logger;
  /**
   * `local`: the mapper sees each item's capture offset (recorded by its source), so that the
   * folders are its local day; `utc` (default): its UTC day.
   */
  folderDays?: FolderDays;
  /**
   * Called when recording placed items fails after the call that placed them returned (e.g. a
   * full disk): the run should stop. The error is also thrown by the next call that records.
   */
  onError?: (error: unknown) => void;
  /**
   * Told of each file as it lands at its path (placed, or moved to another path), before sync.db
   * records it there: a list of a run's new files (`--new-files`) so holds every file the run's
   * records name, whenever the run stops (a kill included). `entry`: what landed there (a count of the
   * files a run brought counts only `file`s); for a file `moved`, `from`, the path it leaves, told while
   * the file is at both (see `OutputTree.move`), so that such a list drops it and names only files there.
   */
  onPlaced?: OnNewEntry;
}

/**
 * What {@link Placer.remove} did with the item's file: `removed` (it was as photosync placed it: gone);
 * kept, because `shared` (an item of another source has the same bytes and holds the file from now on, or
 * the item only shared that item's file) or `changed` (not as photosync placed it: the user's now, out of
 * sync.db); or `absent` (no file of the item's here to remove: gone, or stored elsewhere; only its record
 * went).
 */
export type Removal = "removed" | "shared" | "changed" | "absent";

/** A placed item, for sync.db: its size and, when known, its content's sha256. */
interface PlacedItem {
  id: string;
  size: number;
  hash?: string;
}

/** Settles items' paths, moves their files into place and records them in sync.db. */
export class Placer implements Disposable {
  readonly #store: Store;
  readonly #tree: OutputTree;
  readonly #pathMapper: PathMapper;
  readonly #logger: Logger;
  readonly #onError?: (error: unknown) => void;
  readonly #localDays: boolean;
  readonly #onPlaced?: OnNewEntry;
  /** The folder of this run's changed files under `CHANGED_DIR` (see {@link changedStamp}). */
  readonly #changedStamp = changedStamp(Date.now());
  /** Items whose path this run claimed (after finding nothing there) and not placed yet: a file there now is not theirs. */
  readonly #claimedNow = new Set<string>();
  /** Placed items not yet recorded. */
  readonly #marks: PlacedItem[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failed: unknown;

  constructor(options: PlacerOptions) {
    this.#store = options.store;
    this.#tree = options.tree;
    this.#pathMapper = options.pathMapper;
    this.#logger = options.logger;
    this.#onError = options.onError;
    this.#localDays = options.folderDays === "local";
    this.#onPlaced = options.onPlaced;
  }

  /** Where the mapper puts `row`: at its local day in a folder of local days. */
  #mapped(row: ItemRow): string {
    const item: PathItem = this.#localDays ? { ...row, offsetMinutes: localOffsetOf(row.json) } : row;
    return checkedPath(this.#pathMapper(item), row.id);
  }

  /**
   * Give each row without a path one, in the order given, and record it in sync.db: the first
   * free one of the mapped path, the path tagged with a short tag of the id, and tagged with
   * the whole id. A path is free when no item holds it and nothing is at it on disk.
   */
  settle(rows: readonly ItemRow[]): PlacedRow[] {
    return this.#store.transaction(() =>
      rows.map((row) => ({ ...row, path: row.path ?? this.#claim(row, new Set()) }))
    );
  }

  /**
   * Record the local time that a download's own bytes told (its EXIF: the API gives only the UTC
   * instant) in the row's JSON, for its XMP sidecar; in a folder of local days, claim the path of its
   * local day when that is another than the one settled (by the collision rule, in one transaction
   * with the JSON, before its file is placed there). Returns the row as it is now.
   *
   * The settled path is released; a same-named file of another item settled later on that day takes
   * the name by the order of their claims, which here is the order the downloads finished.
   */
  relocate(row: PlacedRow, local: LocalTime): PlacedRow {
    const json = withLocalTime(row.json, local);
    if (json === row.json) return row;
    const now = { ...row, json };
    return this.#store.transaction(() => {
      this.#store.setItemJson(row.id, json);
      if (!this.#localDays || this.#mapped(now) === this.#mapped(row)) return now;
      // Claimed anew: a file found at the new path may be the row's own earlier one (see #claim).
      this.#claimedNow.delete(row.id);
      return { ...now, path: this.#claim(now, new Set()) };
    });
  }

  /**
   * Whether item `id`'s row maps to another folder (day) than the one its path is in: its date or place changed
   * since. The folder, not the whole path: a name tagged by the collision rule (`a (fb124d53).jpg`), or given by
   * an older release's sanitiser or by a title, is no move of the file.
   */
  remapped(id: string): boolean {
    const row = this.#store.item(id);
    return row?.path != null && this.#movesFolder(row, row.path);
  }

  /** Whether `row` maps to another folder than the one of `path`. */
  #movesFolder(row: ItemRow, path: string): boolean {
    return folderOf(this.#mapped(row)) !== folderOf(path);
  }

  /**
   * Claim for `row` (a placed item whose file is not here: stored elsewhere) the path it maps to now, for its
   * file to be placed there again (its date changed since it was placed); the path it had goes. Returns the
   * row with its path, for {@link place}.
   */
  reclaim(row: ItemRow): PlacedRow {
    return this.#store.transaction(() => {
      const path = row.path !== null && !this.#movesFolder(row, row.path)
        ? row.path
        : this.#claim(row, new Set());
      return { ...row, path };
    });
  }

  /**
   * Move the complete file `staged` to the row's path with `mtime` as its time, and record the
   * item downloaded with its size and `hash`. Returns the path it took: another than the row's
   * when a file photosync did not write appeared there after this run claimed it.
   *
   * Records are written in batches, at the latest {@link MARK_INTERVAL_MS} after the item was
   * placed, or by {@link flush}: a crash loses only records, and those items are placed again,
   * over their own files.
   */
  async place(row: PlacedRow, staged: TempFile, mtime: Date, hash?: string): Promise<string> {
    const foreign = new Set<string>();
    let path = row.path;
    for (;;) {
      // A path claimed in an earlier run may hold the item's own file (see the module's doc).
      const replace = !this.#claimedNow.has(row.id);
      if (
        (!replace || await this.#mayReplace(row, path, staged, hash)) &&
        await this.#tree.place(staged.temp, path, mtime, { replace })
      ) break;
      foreign.add(path);
      path = this.#store.transaction(() => this.#claim(row, foreign));
    }
    // Placed: a file at its path from here is its own (the run need not remember every item it placed).
    this.#claimedNow.delete(row.id);
    this.#sayUnkeptTime(path, mtime);
    this.#onPlaced?.(path, "file");
    this.#record({ id: row.id, size: staged.size, ...(hash ? { hash } : {}) });
    return path;
  }

  /**
   * Whether the row's bytes may replace the file at `path` (claimed by the row in an earlier run, or
   * taken back as its own): its own, placed by a run stopped before it recorded it, is replaced; one
   * changed since (a user's edit, a damaged copy) is first moved aside (to `CHANGED_DIR/<the run's
   * start>/`), never overwritten. One with other bytes but the row's capture time as mtime is another
   * item's that photosync placed (a photo of the same name taken in the same second, its `sync.db` lost):
   * kept, and the row takes the next name. Only a file of the staged size is hashed to tell.
   */
  async #mayReplace(row: ItemRow, path: string, staged: TempFile, hash?: string): Promise<boolean> {
    const size = this.#tree.fileSize(path);
    if (size === undefined) return true;
    if (size === staged.size && this.#sha256Of(path) === (hash ?? hashFileSync(staged.temp).digest)) {
      return true;
    }
    const modified = this.#tree.modifiedAt(path);
    if (modified !== undefined && isPlacedMtime(modified, row.createdMs)) return false;
    const to = await this.#tree.moveAside(path, this.#changedStamp);
    this.#logger.warn(
      `moved aside ${path} -> ${to} (not as photosync placed it: the changed bytes are kept there)`,
    );
    return true;
  }

  #record(item: PlacedItem): void {
    this.#throwIfFailed();
    if (this.#marks.push(item) >= MARK_BATCH) this.flush();
    else {
      this.#timer ??= setTimeout(() => {
        try {
          this.flush();
        } catch (error) {
          this.#failed = error;
          this.#onError?.(error);
        }
      }, MARK_INTERVAL_MS);
    }
  }

  /** Say once a run that the drive did not keep `mtime` as the time of the file just placed at `path`. */
  #sayUnkeptTime(path: string, mtime: Date): void {
    const kept = this.#tree.unkeptTime(path, mtime);
    if (kept !== undefined) this.#logger.warn(unkeptTimeWarning(path, mtime.getTime(), kept));
  }

  /** Write the records not yet written. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#throwIfFailed();
    if (this.#marks.length > 0) this.#store.markDownloaded(this.#marks.splice(0));
  }

  /**
   * `albums/<folder>/<name>`: a link to each album member's file in the dated tree, in the album's folder
   * (see {@link #albumFolder}: the one its links were made in, else its title made safe, tagged where an album
   * of another title has that name; albums of one title share it), which is recorded in sync.db as the album is first linked. A name taken by something
   * else gets the member's id tag; a link already there to the member (a symbolic link to its file, or a hard
   * link to it where symbolic links are refused) is kept, so that every run can ensure all members' links; a
   * second hard link to it under the tagged name, which versions before this one made at each import, goes (see
   * {@link #removeSecondLink}). A hard link to a copy of the member's file that a new copy replaced since (`verify
   * --repair` and a download or an import again) is replaced by a link to the file now, where that loses no bytes
   * (see {@link #staleLink}): the album shows the file once, as it is now. Where links are hard links, a member
   * whose file is not here (deleted, or kept aside by `verify --repair`) gets none (there is nothing to link to;
   * a symbolic link is made all the same, pointing there): what its name holds stays until the file is back.
   * Each link made is told to `onPlaced` (`--new-files` lists it: a new entry of the tree, as a file is). A
   * symbolic link or a file where a folder of `albums/` goes (`albums -> elsewhere`) blocks only the links that
   * would go through it: one warning per blocking path, the rest made. Returns the links neither made nor
   * there already: those blocked so (`blocked`), and on a drive that makes no links all from the first tried
   * (`unlinkable`), for a caller that remembers which are still to make. `replaceOnly`: only the names where
   * something is are looked at, no link is made where none is and no folder claimed (`verify --repair`: a run
   * that makes no album links, whose user may have imported with `--albums none`, mends the stale ones).
   */
  async linkAlbums<Link extends { album: string; id: string; path?: string }>(
    links: Iterable<Link>,
    { replaceOnly = false }: { replaceOnly?: boolean } = {},
  ): Promise<{ blocked: Link[]; unlinkable: Link[] }> {
    // A drive that makes no links was told once (below): the photos are placed all the same.
    if (!this.#tree.makesLinks) return { blocked: [], unlinkable: [...links] };
    const said = new Set<string>();
    const blocked: Link[] = [];
    const unlinkable: Link[] = [];
    // Each album's folder, looked up once a call (most calls link every member of every album); the folders
    // of all, read once a call that looks up an album with none recorded.
    const folders = new Map<string, AlbumFolder | undefined>();
    let owners: FolderOwners | undefined;
    const ownersOnce = () => owners ??= this.#folderOwners();
    // Set when the drive turns out to make no links: the rest are not tried.
    let noLinks = false;
    for (const link of links) {
      const { album, id, path = this.#store.item(id)?.path } = link;
      if (!path) continue;
      if (noLinks) {
        unlinkable.push(link);
        continue;
      }
      if (!folders.has(album)) {
        folders.set(album, this.#albumFolder(album, { claim: !replaceOnly, owners: ownersOnce }));
      }
      const folder = folders.get(album);
      if (!folder) continue;
      let first = true;
      for (const candidate of albumLinkNames(folder.name, id, path)) {
        // `replaceOnly`: no link where none is (a run that makes no album links of its own mends those there).
        if (replaceOnly && !this.#tree.occupied(candidate)) break;
        // Made by an earlier run: one look (a run links every member, most of them made before).
        const kind = this.#tree.linkTo(candidate, path);
        let made = kind !== undefined;
        // A hard link to the copy of the file that a new one replaced since: a link to the file now takes its name
        // (none while the file is not here: the link stays until it is put back).
        const stale = !made && this.#tree.fileSize(path) !== undefined &&
          this.#staleLink(candidate, path, id);
        if (stale) await this.#tree.remove(candidate);
        // Else made now; a name taken by something else: the tagged name.
        try {
          if (!made && await this.#tree.link(candidate, path)) {
            this.#onPlaced?.(candidate, "link");
            made = true;
          }
        } catch (error) {
          if (error instanceof UnsafePathError) {
            // Never written through, and never moved away: it is the user's. The photo is placed.
            blocked.push(link);
            if (!said.has(error.message)) {
              said.add(error.message);
              this.#logger.warn(
                `album links not made: ${error.message}; move it out of the way, and the next import ` +
                  "makes them (the photos are imported)",
              );
            }
            break;
          }
          if (error instanceof NoFileError) {
            // Its file is not here (deleted, or kept aside by verify --repair): linked once it is put back.
            this.#logger.verbose(`album link ${candidate} not made: ${error.message}`);
            break;
          }
          if (!(error instanceof NoLinksError)) throw error;
          this.#logger.warn(NO_LINKS_WARNING);
          noLinks = true;
          unlinkable.push(link);
          break;
        }
        if (!made) {
          first = false;
          continue;
        }
        if (stale) {
          this.#logger.verbose(
            `linked ${candidate} to ${path} again: it was a link to a copy replaced since`,
          );
        }
        if (first && (kind === "hard" || stale)) await this.#removeSecondLink(folder.name, id, path);
        if (!folder.recorded) {
          this.#store.setAlbumFolder(album, folder.name);
          folder.recorded = true;
        }
        break;
      }
    }
    return { blocked, unlinkable };
  }

  /**
   * Whether the regular file at `link` (no link to the file at `path`) is member `id`'s hard link to a copy of
   * its file that a new copy replaced at `path` since: `verify --repair` moved the changed bytes aside (a link
   * shares the file's bytes, so it changed with it) and a download or a Takeout import put the file back; or a
   * Takeout import restored the file after it was deleted (the link kept the old copy). Such a link is replaced
   * by one to the file now, which loses no bytes, as only these are taken for one:
   * - the file kept aside for `path` (`OutputTree.keptAside`): the changed bytes are kept there;
   * - a file with the very bytes of the file at `path` and the item's capture time as its mtime (photosync's
   *   copy, as placed: no copy of the user's, which has a time of its own).
   * Anything else at the name (the user's own file, a link holding the only copy of changed bytes) is kept, and
   * the member's link takes its tagged name. Hashes only a file of the size and time of the item's. `fileAt`:
   * where the file of `path` is now, when it moved since (see {@link #unlinkAlbums}); a file kept aside was kept
   * for the path it had then, `path`.
   */
  #staleLink(link: string, path: string, id: string, fileAt: string = path): boolean {
    const size = this.#tree.fileSize(link);
    if (size === undefined) return false;
    if (this.#tree.keptAside(link, path)) return true;
    const modified = this.#tree.modifiedAt(link);
    const createdMs = this.#store.item(id)?.createdMs;
    return size === this.#tree.fileSize(fileAt) && modified !== undefined && createdMs !== undefined &&
      isPlacedMtime(modified, createdMs) && this.#sha256Of(link) === this.#sha256Of(fileAt);
  }

  /**
   * Remove member `id`'s link under its tagged name in the album folder `folder` (its plain name being its hard
   * link to the file at `path`): a second link to that file, which the album would show twice. Versions before
   * this one made one at each import where links are hard links (they found a hard link made by neither name,
   * the plain one taken). Only a link to this very file under the name that photosync alone gives (the member's
   * id tag) is removed: the file stays, at its path and under the plain name. One look (about 20 µs: a call
   * that fails), for a link that is mostly not there: made only where the plain name is a hard link, so that
   * a folder of symbolic links costs a run nothing more (no version made a second symbolic link at each import;
   * one beside the plain name was made while that name was something else's, gone since, and is left).
   */
  async #removeSecondLink(folder: string, id: string, path: string): Promise<void> {
    const [plain, tagged] = albumLinkNames(folder, id, path);
    if (!this.#linksTo(tagged, path)) return;
    await this.#tree.remove(tagged);
    this.#logger.verbose(`removed ${tagged}: a second link to ${path}, as ${plain} is`);
  }

  /**
   * The folder under `albums/` of album `id` (undefined: no such album):
   * - the one sync.db records;
   * - for an album an earlier version recorded (it kept no folder) whose title that version named otherwise
   *   ({@link earlierFolderNames}), or whose title is made a name another album has (recorded, or an earlier
   *   version's album named so: that version gave both one folder): of those names and today's, the folder on
   *   disk holding links to the most of its members' files, recorded now (shared, then: the links are where that
   *   version made them, and stay); where none does, in a folder whose files (and links) are stored elsewhere,
   *   the name that version gave (its runs made the links stored there), else a name of now (below);
   * - else the title made safe now; where another album has that name (two titles made one name: `Trip: 2024`
   *   and `Trip? 2024`, `Trip` and `trip`, two long titles cut to one), tagged by the album's id
   *   ({@link freeFolder}), so that each album has a folder of its own; an album of the same title as one
   *   tagged so shares that one's folder ({@link #sameTitleFolder}).
   *
   * `claim` (a run making links): a folder not recorded yet is recorded now, before its first link is made,
   * so that the album looked up first keeps the name and a later one of the same name is tagged, whichever
   * links are made or blocked. Else (looking for links to remove) it is recorded once a link is found in it.
   * `owners`: the albums' folders ({@link #folderOwners}), kept by a caller that looks up many albums (looked up
   * anew for each, the first linking of 3,000 albums took 7.8 s, not 2.5 s); a folder claimed here is added.
   */
  #albumFolder(
    id: string,
    { claim = false, owners }: { claim?: boolean; owners?: () => FolderOwners } = {},
  ): AlbumFolder | undefined {
    const album = this.#store.album(id);
    if (!album) return undefined;
    if (album.folder !== null) return { name: album.folder, recorded: true, names: [album.folder] };
    const now = sanitizeName(album.title, ALBUM_FALLBACK, { folder: true });
    const folders = owners?.() ?? this.#folderOwners();
    // Another album of the same title is no other owner: Google Photos lets two albums have one title (Takeout
    // names the second folder `Title(1)`, and an increment may name either so), and one folder holds both.
    const taken = (name: string) =>
      [...folders.get(pathKey(name)) ?? []].some((other) =>
        other !== id && this.#store.album(other)?.title !== album.title
      );
    const record = (name: string) => {
      this.#store.setAlbumFolder(id, name);
      const key = pathKey(name);
      folders.set(key, new Set([...folders.get(key) ?? [], id]));
      return { name, recorded: true, names: [name] };
    };
    const earlier = album.earlier ? earlierFolderNames(album.title, ALBUM_FALLBACK) : [];
    if (album.earlier && (earlier.length > 0 || taken(now))) {
      const found = this.#folderOfLinks(id, [...earlier, now]);
      if (found !== undefined) return record(found);
    }
    const name = this.#tree.filesElsewhere && earlier.length > 0
      ? earlier[0]
      : taken(now)
      ? this.#sameTitleFolder(album, folders) ?? freeFolder(now, id, taken)
      : now;
    if (claim) return record(name);
    // Not the name of now where another album has it: a link to the same file there is that album's.
    const names = [...earlier, ...(taken(now) ? [] : [now]), name];
    return { name, recorded: false, names: [...new Set(names)] };
  }

  /**
   * The albums' folders under `albums/` by {@link pathKey} (a case-insensitive drive takes `Trip` and `trip` for
   * one folder), each with the albums that have it: the folders recorded, and for an album an earlier version
   * recorded (no folder recorded), each name its title may have been given, where its links may be.
   */
  #folderOwners(): FolderOwners {
    const owners: FolderOwners = new Map();
    for (const album of this.#store.albumsWithFolders()) {
      const names = album.folder !== null ? [album.folder] : [
        sanitizeName(album.title, ALBUM_FALLBACK, { folder: true }),
        ...earlierFolderNames(album.title, ALBUM_FALLBACK),
      ];
      for (const key of new Set(names.map(pathKey))) {
        owners.set(key, new Set([...owners.get(key) ?? [], album.id]));
      }
    }
    return owners;
  }

  /**
   * The folder recorded for another album of `album`'s title, found among `folders` (looked for only when the
   * title's name is another title's album's: rare): albums of one title share one folder, tagged too, whichever
   * of them named it.
   */
  #sameTitleFolder(album: AlbumRow, folders: FolderOwners): string | undefined {
    for (const owners of folders.values()) {
      for (const other of owners) {
        if (other === album.id) continue;
        const row = this.#store.album(other);
        if (row?.title === album.title && row.folder !== null) return row.folder;
      }
    }
    return undefined;
  }

  /**
   * Of the folders `names` under `albums/`, the one holding links to the most of album `id`'s members' files
   * (undefined: none holds any). A tie goes to the earlier name: the folder the album was made in, before a
   * run of a version in between (which named it as now and kept no record) made a second.
   */
  #folderOfLinks(id: string, names: readonly string[]): string | undefined {
    let found: { name: string; links: number } | undefined;
    let members: { id: string; path: string }[] | undefined;
    for (const name of names) {
      if (!this.#tree.occupied(`${ALBUMS_DIR}/${name}`)) continue;
      members ??= this.#store.albumMemberPaths(id);
      const links = members.filter((member) =>
        albumLinkNames(name, member.id, member.path).some((link) =>
          this.#linksTo(link, member.path)
        )
      ).length;
      if (links > (found?.links ?? 0)) found = { name, links };
    }
    return found?.name;
  }

  /**
   * Whether the entry at `link` is a link to the file at `path`: a symbolic link to it, or a hard link to it
   * (`fileAt`: where that file is now, after a move; see `OutputTree.linkTo`).
   */
  #linksTo(link: string, path: string, fileAt?: string): boolean {
    return this.#tree.linkTo(link, path, fileAt) !== undefined;
  }

  /**
   * Move a placed item's file to the path its row maps to now (its date or name changed), with
   * `mtime` as its time. The new path is claimed by the collision rule and nothing is moved over;
   * the album links to the old path (the item's, and those of items sharing its file) go to the new.
   * `was`: where the file was before a move that was stopped (after the new path was claimed): it
   * is taken from there when it is not at the row's path. Returns the item's path.
   *
   * Where the file is is noted (`Store.refileFrom`) in the claim's transaction: a run stopped before the
   * file follows (a kill, a folder that cannot be made) leaves a row naming the new path and a note naming
   * the file's, which the next run takes the file from (as `was`); or, the file gone from this folder by
   * then (stored elsewhere: a CI job's folder), which tells it that the copy is at that path, not at the
   * row's (see `Committer.keepsFileOf`). As the file arrives, the note goes, whoever made it (this call, the
   * caller, a stopped run), for one of the name the file leaves (`Store.arrivedFrom`), which goes once that name
   * is gone (see {@link finishMoves}); a note made before this call is the caller's to clear when the file does
   * not arrive (`Store.refiled`).
   *
   * A file found at neither (deleted, or never here: a CI job's folder holds only its run's new files)
   * is not moved: with `missing: "claim"` the new path is claimed all the same, for the file to be
   * restored there (a Takeout import places it from its archive); by default nothing changes and the
   * result is undefined (the caller fetches the file again, or leaves it). A folder on the way to the
   * new path that is a link or a file: `UnsafePathError`, the row's path back to where the file is.
   */
  async move(
    id: string,
    mtime: Date,
    was?: string,
    { missing = "leave" }: { missing?: "claim" | "leave" } = {},
  ): Promise<string | undefined> {
    const row = this.#store.item(id);
    if (!row?.path || row.size === null) throw new PhotosyncError(`item ${id} has no file to move`);
    const from = was !== undefined && was !== row.path && !this.#tree.holds(row.path, row.size)
      ? was
      : row.path;
    const here = this.#tree.modifiedAt(from) !== undefined;
    if (missing === "leave" && !here) return undefined;
    const noted = this.#store.refileNoted(id);
    const foreign = new Set<string>();
    const claim = () =>
      this.#store.transaction(() => {
        // Where the file is, with the claim that takes the row's path from it (see above); nothing to name
        // for a file not here (claimed for a Takeout import to restore it at the new path).
        if (here) this.#store.refileFrom(id, from);
        return this.#claim(row, foreign, from);
      });
    let to = this.#mapped(row);
    if (to !== row.path) to = claim();
    for (;;) {
      let moved: Awaited<ReturnType<OutputTree["move"]>>;
      try {
        moved = await this.#tree.move(from, to, mtime, () => {
          this.#onPlaced?.(to, "moved", from);
          // At the row's path now, and (a hard link made) at `from` still, until the tree removes that name: the
          // note of where the file was (this call's or the caller's) gives way to one of the name it leaves, in
          // one transaction. A run stopped from here (a kill; a folder whose names cannot be removed) so leaves
          // no note of a file at `from`: in a folder whose files are stored elsewhere, the list's path, `to`, is
          // where the copy is stored, and no "out of date" warning names `from`. The next run removes `from`
          // where it is still a name of the file (see `finishMoves`). After the list is told: a stop in between
          // leaves a note of a copy at `from` too many (a warning), never one too few (the list naming `from`
          // and sync.db `to`, silently).
          this.#store.arrivedFrom(id, from);
        });
      } catch (error) {
        // Not moved (a folder on the way is a link or a file): the row names again the path its file
        // is at, not one where none will be (its file would be nobody's, and fetched again).
        if (error instanceof UnsafePathError && this.#tree.modifiedAt(from) !== undefined) {
          this.#store.transaction(() => {
            this.#store.claimPath(row.id, from);
            if (!noted) this.#store.refiled(id);
          });
        }
        throw error;
      }
      if (moved === "moved") this.#sayUnkeptTime(to, mtime);
      if (moved !== "occupied") break;
      foreign.add(to);
      to = claim();
    }
    // Nothing arrived (moved onto itself, or gone from `from` meanwhile): no note of this call's stays.
    if (!noted) this.#store.refiled(id);
    const unlinked: { album: string; id: string }[] = [];
    for (const old of new Set([from, row.path, was ?? to])) {
      if (old === to) continue;
      unlinked.push(...await this.#unlinkAlbums(id, old, { fileAt: to, gone: `moved to ${to}` }));
      // Its XMP sidecar is written anew next to the file at the run's end; one the user edited goes with it.
      const sidecar = await leaveXmpSidecar({ store: this.#store, tree: this.#tree }, id, old, to);
      if (sidecar === "kept") {
        this.#logger.warn(
          `kept ${xmpPathOf(old)} where it is (edited since photosync wrote it): its file moved to ${to}, ` +
            `where another ${xmpPathOf(to)} is; move yours there if you want it`,
        );
      }
    }
    // The links it had, to where it is now.
    await this.linkAlbums(unlinked.map((link) => ({ ...link, path: to })));
    // The names it left that are still names of it: the old one (its removal failed), a stopped move's (`was`),
    // and those earlier moves of it left.
    const left = this.#store.secondNames().filter((name) => name.id === id).map((name) => name.path);
    await this.#removeSecondNames(new Set([from, ...was === undefined ? [] : [was], ...left]), to);
    return to;
  }

  /**
   * Finish the moves a stopped run left half-done: a file at its row's path (moved there) and still at the path
   * it left, as one file under two names (see `Store.arrivedFrom`: a kill between the hard link and the removal
   * of the old name, or a folder whose names cannot be removed). The old name goes where it is still that very
   * file (`OutputTree.secondName`); a file of the user's or another item's there now stays. Once the name is
   * gone, its album links and XMP sidecar follow the file, as after a move, and its note goes (a run stopped in
   * between does that again). A name that still cannot be removed keeps them as the move left them (a link to
   * it shows the file still): made again at each run, a hard link would be told new at each. A name left of a
   * file no item holds any more (its row gone, or not downloaded) goes only where it is photosync's copy (see
   * {@link #removeLeftCopy}). Returns how many names were removed.
   */
  async finishMoves(): Promise<number> {
    let removed = 0;
    for (const { path, id } of this.#store.secondNames()) {
      const row = this.#store.item(id);
      if (row?.status !== "downloaded") {
        // No item holds the file (removed from the backup, or to be fetched again): see #removeLeftCopy.
        const gone = await this.#removeLeftCopy(path, row);
        if (gone === "stays") continue;
        if (gone === "removed") removed++;
        this.#store.secondNameGone(path);
        continue;
      }
      // Not here (stored elsewhere: a CI job's folder, which stored it at its new path).
      if (!row.path || this.#tree.modifiedAt(row.path) === undefined) {
        this.#store.secondNameGone(path);
        continue;
      }
      const gone = await this.#removeSecondName(path, row.path);
      if (gone === "stays") continue;
      if (gone === "removed") {
        removed++;
        this.#logger.event(`removed ${path}, a second name of ${row.path} that a stopped move left`);
      }
      const unlinked = await this.#unlinkAlbums(id, path, { fileAt: row.path, gone: `moved to ${row.path}` });
      await leaveXmpSidecar({ store: this.#store, tree: this.#tree }, id, path, row.path);
      await this.linkAlbums(unlinked.map((link) => ({ ...link, path: row.path! })));
      this.#store.secondNameGone(path);
    }
    return removed;
  }

  /**
   * Remove `name`, a name a stopped move left of the file of an item no longer downloaded (`row`: not
   * downloaded, or undefined, its row gone: the item removed from the backup), where it is photosync's copy:
   * the row's recorded sha256 and size, and its capture time as its mtime (a copy of the user's, or an edit,
   * has other bytes or another time). The file at the row's path cannot tell (it went with the removal), so
   * only the recorded hash can; with no row (or no hash) nothing identifies the bytes: the name stays, said in
   * one line. `removed`; `none` when it stays for good (gone, another item's path, not photosync's copy);
   * `stays` when it cannot be removed now, which is said. `last`: the row is about to go, so no later run can
   * tell the copy: one that cannot be removed now is said to stay for good (`none`).
   */
  async #removeLeftCopy(
    name: string,
    row: ItemRow | undefined,
    { last = false }: { last?: boolean } = {},
  ): Promise<"removed" | "none" | "stays"> {
    const size = this.#tree.fileSize(name);
    if (size === undefined || this.#store.holdsPath(name)) return "none";
    if (!row?.hash) {
      this.#logger.warn(
        `${name} stays: the old name of a moved photo no longer in the backup, and sync.db records no hash ` +
          "of its bytes to tell it is photosync's copy: delete it yourself if you do not want it",
      );
      return "none";
    }
    const modified = this.#tree.modifiedAt(name);
    if (
      (row.size !== null && size !== row.size) || modified === undefined ||
      !isPlacedMtime(modified, row.createdMs) || this.#sha256Of(name) !== row.hash
    ) {
      return "none";
    }
    try {
      await this.#tree.remove(name);
    } catch (error) {
      this.#logger.warn(
        `${name} stays, photosync's copy of a photo no longer in the backup under a name a move left (${
          (error as Error).message
        }); ${last ? "delete it yourself if you do not want it" : "the next run removes it"}`,
      );
      return last ? "none" : "stays";
    }
    this.#logger.event(
      `removed ${name}, photosync's copy of a photo no longer in the backup that a stopped move left`,
    );
    return "removed";
  }

  /**
   * Remove each of `names` that is a second name of the file at `to` ({@link #removeSecondName}); each one's
   * note (`Store.arrivedFrom`) goes once it is gone or no longer the file. One that cannot be removed is said,
   * and stays noted for the next run. Returns whether any went.
   */
  async #removeSecondNames(names: Set<string>, to: string): Promise<boolean> {
    let removed = false;
    for (const name of names) {
      const gone = await this.#removeSecondName(name, to);
      if (gone === "stays") continue;
      if (gone === "removed") removed = true;
      this.#store.secondNameGone(name);
    }
    return removed;
  }

  /**
   * Remove `name` where it is a second name of the file at `to` ({@link OutputTree.secondName}) that no other
   * item holds: `removed`; `none` when it is no such name (gone, or another file); `stays` when it cannot be
   * removed, which is said.
   */
  async #removeSecondName(name: string, to: string): Promise<"removed" | "none" | "stays"> {
    // Not a path an item holds: another item's is that item's, and on a drive that folds case, a name that
    // folds to the item's own path is that path.
    if (!this.#tree.secondName(name, to) || this.#store.holdsPath(name)) return "none";
    try {
      await this.#tree.remove(name);
      return "removed";
    } catch (error) {
      this.#logger.warn(
        `${name} stays, a second name of ${to} (the file moved there; ${
          (error as Error).message
        }); the next run removes it`,
      );
      return "stays";
    }
  }

  /**
   * Remove a placed item: its file (only when it still has the recorded bytes: a file changed since, a
   * user's edit even of the same size, is theirs now and stays where it is, which the run says), its
   * album links, and its row.
   *
   * A file that items of other sources share (the same bytes, stored once: a photo taken out of a
   * Takeout export as trash, and picked) is theirs too: it stays, one of them holds it from now on
   * (moved to the day its date maps to), and only this item's row, links and XMP sidecar go. An item
   * sharing another's file has no file to remove: its row and its links to that file go. Returns what
   * became of the file.
   */
  async remove(id: string): Promise<Removal> {
    const row = this.#store.item(id);
    const holder = row?.fileOf ? this.#store.item(row.fileOf) : undefined;
    const path = row?.path ?? holder?.path;
    const heir = row?.path
      ? this.#store.itemsSharing(id).find((item) => item.status === "downloaded")
      : undefined;
    if (path) await this.#unlinkAlbums(id, path, { own: true, gone: "left the backup" });
    // Its XMP sidecar (a sharer's path holds the other item's); one the user edited stays.
    const sidecar = row?.path
      ? await leaveXmpSidecar({ store: this.#store, tree: this.#tree }, id, row.path)
      : "none";
    if (heir) {
      this.#store.handOverFile(id, heir.id);
      this.#logger.info(`kept ${path}: the ${heir.source} item ${heir.id} has the same bytes`);
      // From `path`, as the handover noted: a run stopped after the claim finds the file there.
      const moved = await this.move(heir.id, new Date(heir.createdMs), row!.path!);
      // Not here (see `move`): the note stays, for `sync` or `pick` to fetch it again to its day.
      if (moved !== undefined) this.#store.refiled(heir.id);
      return "shared";
    }
    let removal: Removal = holder ? "shared" : "absent";
    if (row?.path && row.size !== null && this.#tree.fileSize(row.path) !== undefined) {
      removal = this.#asRecorded(row) ? "removed" : "changed";
      if (removal === "removed") {
        await this.#tree.remove(row.path);
        if (sidecar === "kept") {
          this.#logger.warn(
            `kept ${xmpPathOf(row.path)}: its photo was removed as trash, but the sidecar was edited since ` +
              "photosync wrote it; delete it yourself if you do not want it",
          );
        }
      } else {
        // Not moved aside: nothing takes its place, and the user's edit is where they left it.
        this.#logger.warn(
          `kept ${row.path}: its photo is in Google Photos' trash, but the file changed since photosync ` +
            `placed it (an edit?); sync.db no longer records it: delete it yourself if you do not want it`,
        );
      }
    }
    // Names its moves left that could not be removed then: photosync's copy goes now, while the row still
    // says what its bytes are (a later run could not tell).
    for (const name of this.#store.secondNames().filter((name) => name.id === id)) {
      await this.#removeLeftCopy(name.path, row, { last: true });
      this.#store.secondNameGone(name.path);
    }
    this.#store.removeItem(id);
    return removal;
  }

  /**
   * Whether the file at the row's path is as photosync placed it: the recorded size and, when a sha256
   * is recorded, those bytes (an edit that keeps the size, an EXIF orientation flip, is no longer ours).
   */
  #asRecorded(row: ItemRow): boolean {
    if (!row.path || row.size === null || !this.#tree.holds(row.path, row.size)) return false;
    return row.hash === null || this.#sha256Of(row.path) === row.hash;
  }

  /**
   * Remove the album links to the item's file at `path` (its own, and those of the items sharing it;
   * with `own`, only the item's own); returns the albums and members whose links went (or whose link's name
   * holds a file kept, below). `fileAt`: where the file is now, when it was moved from `path` (its hard links
   * went with it). An earlier version's album with no folder recorded (and none found by its other members'
   * links) is looked for under each name its title was given, and the folder where the link is found is
   * recorded (the link that told it goes now).
   *
   * A hard link to a copy of the file that a new copy replaced since (`verify --repair` and a download or an
   * import again, which made no links after) goes too, where that loses no bytes ({@link #staleLink}: the copy
   * is kept aside, or it has the bytes of the file now): else the album would go on showing a photo gone from
   * the backup, or from that path. Any other file at a member's link name (such a link holding the only copy of
   * other bytes, or the user's own file) stays, which the run says, with `gone`: what became of the photo.
   */
  async #unlinkAlbums(
    id: string,
    path: string,
    { own = false, fileAt, gone }: { own?: boolean; fileAt?: string; gone: string },
  ): Promise<{ album: string; id: string }[]> {
    const removed: { album: string; id: string }[] = [];
    for (const { album, id: member } of this.#store.albumsOfFile(id)) {
      if (own && member !== id) continue;
      const folder = this.#albumFolder(album);
      if (!folder) continue;
      let found = false;
      const kept: string[] = [];
      for (const name of folder.names) {
        for (const candidate of albumLinkNames(name, member, path)) {
          const linked = this.#linksTo(candidate, path, fileAt);
          const stale = !linked && this.#staleLink(candidate, path, member, fileAt);
          if (linked || stale) {
            await this.#tree.remove(candidate);
            if (stale) {
              this.#logger.verbose(`removed ${candidate}: a link to a copy of ${path} replaced since`);
            }
            found = true;
          } else if (
            this.#tree.fileSize(candidate) !== undefined && !this.#othersLink(album, member, candidate)
          ) {
            kept.push(candidate);
          }
        }
        if (!found) continue;
        if (!folder.recorded) this.#store.setAlbumFolder(album, name);
        break;
      }
      for (const candidate of kept) {
        this.#logger.warn(
          `kept ${candidate}: not a link to ${path} as it is now (an older copy of it, or a file of yours), and ` +
            `its photo ${gone}; delete it yourself if you do not want it in the album`,
        );
      }
      // A member whose link's name holds a file kept had a link there: a moved file's is made anew (tagged).
      if (found || kept.length > 0) removed.push({ album, id: member });
    }
    return removed;
  }

  /**
   * Whether the file at `link` (in album `album`'s folder, not member `id`'s link) is another member's: a hard
   * link to its file (it has the same name), or to a copy of it replaced since. A look at the members only for
   * a file found where a link was looked for (rare).
   */
  #othersLink(album: string, id: string, link: string): boolean {
    const name = link.slice(link.lastIndexOf("/") + 1);
    return this.#store.albumMemberPaths(album).some((other) =>
      other.id !== id && other.path.slice(other.path.lastIndexOf("/") + 1) === name &&
      (this.#linksTo(link, other.path) || this.#staleLink(link, other.path, other.id))
    );
  }

  /** Stop the timer of records not yet written (call {@link flush} first to keep them). */
  [Symbol.dispose](): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #throwIfFailed(): void {
    if (this.#failed !== undefined) throw this.#failed;
  }

  /**
   * The sha256 (hex) of the regular file at `relativePath`, or undefined when none is there (a read: for
   * the rare file found where an item would go). Here, not in the output tree, so that node:crypto
   * (about 50 ms of CPU to load) is loaded by the runs that place files only, not by `status` or `help`.
   */
  #sha256Of(relativePath: string): string | undefined {
    const path = join(this.#tree.root, ...relativePath.split("/"));
    try {
      return Deno.lstatSync(path).isFile ? hashFileSync(path).digest : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether the file at `path` (that no item records) is `row`'s own earlier copy, left by a `sync.db`
   * lost or rows deleted from it by hand (`sync --all --dates` repairs those days): its very bytes,
   * for a Takeout item (whose id is its content's sha256, known before it is placed); or its mtime is
   * the row's capture time (photosync sets it so; a download's recorded hash may be of bytes Google
   * has changed since: no proof). Then the row's bytes replace it, not a tagged second copy beside it,
   * when they are the same (else see `#mayReplace`).
   */
  #ownEarlierFile(row: ItemRow, path: string): boolean {
    if (row.source === "takeout" && row.hash !== null && this.#sha256Of(path) === row.hash) return true;
    const modified = this.#tree.modifiedAt(path);
    return modified !== undefined && isPlacedMtime(modified, row.createdMs);
  }

  /**
   * Claim the first free candidate path for `row`, skipping those in `foreign` (paths found
   * holding a file that no item holds; those found here are added). Inside a transaction: when
   * none is free, the error rolls back the claims tried. `own`: the path of the item's placed
   * file, which is no stranger's.
   */
  #claim(row: ItemRow, foreign: Set<string>, own?: string): string {
    const wanted = this.#mapped(row);
    const candidates = [wanted, taggedName(wanted, idTag(row.id)), taggedName(wanted, row.id)];
    for (const path of candidates) {
      if (foreign.has(path) || RESERVED_NAMES.has(path.split("/")[0].toLowerCase())) continue;
      // Another item holding the path is the collision rule; a file there that no item holds is
      // a stranger's (the user's own), kept. A later claim moves the item's, so this one lapses.
      if (!this.#store.claimPath(row.id, path)) continue;
      if (path !== own && this.#tree.occupied(path)) {
        // The row's own earlier file: not claimed "now", so place() replaces it.
        if (this.#ownEarlierFile(row, path)) return path;
        foreign.add(path);
        continue;
      }
      this.#claimedNow.add(row.id);
      if (foreign.size > 0) {
        this.#logger.verbose(
          `kept ${[...foreign].join(", ")} (not photosync's): ${row.id} is saved as ${path}`,
        );
      }
      return path;
    }
    throw new PhotosyncError(`no free file name for item ${row.id} (${wanted})`);
  }
}

/**
 * First in a run that places files: the moves a stopped run left half-done, their files under two names, are
 * finished (see {@link Placer.finishMoves}), so that the run finds one name of each. Returns how many names
 * went.
 */
export async function finishStoppedMoves(options: PlacerOptions): Promise<number> {
  if (options.store.secondNames().length === 0) return 0;
  using placer = new Placer(options);
  return await placer.finishMoves();
}

/** The folder of an album whose title has nothing to name one by. */
const ALBUM_FALLBACK = "album";

/** The albums' folders by {@link pathKey}, each with the ids of the albums that have it (see `Placer`). */
type FolderOwners = Map<string, Set<string>>;

/**
 * `name` for album `id`'s folder when no other album has it (`taken`), else `name (tag)` with a tag of the
 * album's id, as a second file of one name is tagged by its item's: stable, whichever run names it, and recorded
 * once named. Where even that is taken (an album titled so), the tag of the id with a number, the first free.
 */
function freeFolder(name: string, id: string, taken: (name: string) => boolean): string {
  if (!taken(name)) return name;
  for (let n = 1;; n++) {
    const tagged = taggedFolderName(name, idTag(n === 1 ? id : `${id} ${n}`));
    if (!taken(tagged)) return tagged;
  }
}

/** An album's folder under `albums/` (see `Placer.#albumFolder`). */
interface AlbumFolder {
  /** Where its links are made. */
  name: string;
  /** Whether sync.db records it. */
  recorded: boolean;
  /** The folders its links may be in: `name`; not recorded, for an earlier version's album, those it named too. */
  names: string[];
}

/**
 * The names an item's link in the album folder `folder` may have: after its file, then with its id's tag (made
 * only when asked for: most links have the first).
 */
function* albumLinkNames(folder: string, id: string, path: string): Generator<string> {
  const wanted = `${ALBUMS_DIR}/${folder}/${path.slice(path.lastIndexOf("/") + 1)}`;
  yield wanted;
  yield taggedName(wanted, idTag(id));
}

/** The folder of a `/`-separated path (its day's, for the layouts). */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/") + 1);
}

/** A mapper's path must stay inside the output directory. */
function checkedPath(path: string, id: string): string {
  const parts = path.split("/");
  if (
    path.startsWith("/") ||
    parts.some((part) => part === "" || part === "." || part === ".." || part.includes("\\"))
  ) {
    throw new PhotosyncError(
      `path mapper gave "${path}" for item ${id}: paths must be relative, "/"-separated`,
    );
  }
  return path;
}
