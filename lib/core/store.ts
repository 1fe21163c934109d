/**
 * The SQLite index (`<dir>/sync.db`) shared by every source: media items and their transfer
 * state, albums, each source's resume points, and credentials. It knows rows, not HTTP or
 * archives: sources hand it {@link NewItem}s and opaque checkpoints.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { DB_FILE, LOCK_FILE, NEW_DB_FILE } from "./db_files.ts";
import { PhotosyncError, UsageError } from "./errors.ts";
import { type FolderLock, lockFolder } from "./folder_lock.ts";
import { keptLocalTime } from "./local_time.ts";
import {
  DamagedDatabaseError,
  errcode,
  execute,
  guardFile,
  isDamage,
  isStorageFailure,
  type Statement,
  storageFailure,
  type StoreDb,
} from "./store_db.ts";
import { shellWord } from "./escape.ts";

export { DB_FILE, LOCK_FILE } from "./db_files.ts";

/** Schema version this build writes; a newer file is refused rather than damaged. */
export const SCHEMA_VERSION = 7;

/**
 * The oldest schema a read-only command reads as it is (the later ones added an index, recomputed the paths'
 * keys, and gave the albums their folders, which only a run that links reads): an older file is updated by
 * the next run that writes.
 */
const READABLE_FROM = 4;

/**
 * Where items come from: a source's own name (`library`, `takeout`, `picker`, ...). The store
 * keeps it as it is given and checks no list of names, so that a new source needs no migration.
 */
export type SourceName = string;

const SQLITE_MAGIC = "SQLite format 3\0";

/**
 * The checkpoints table's `source` under which each source's last run is kept (keyed by the
 * source's name): a source's name is a plain word, never this.
 */
export const RUNS_KEY_SPACE = ":runs";

/**
 * The items table's columns since schema 3, written once for the schema and for the migration that
 * rebuilds the table (a later change of them is a new constant and a new migration).
 */
const ITEMS_COLUMNS_3 = `
  id TEXT PRIMARY KEY,
  filename TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  is_video INTEGER NOT NULL,
  json TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'downloaded', 'failed')),
  path TEXT,
  path_key TEXT UNIQUE,
  size INTEGER,
  note TEXT,
  source TEXT NOT NULL DEFAULT 'library',
  hash TEXT
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS items (${ITEMS_COLUMNS_3}) STRICT;
CREATE INDEX IF NOT EXISTS items_created ON items (created_ms);
CREATE INDEX IF NOT EXISTS items_pending ON items (status, created_ms, id);
CREATE TABLE IF NOT EXISTS albums (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  title TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS item_albums (
  item_id TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  album_id TEXT NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
  PRIMARY KEY (item_id, album_id)
) STRICT;
CREATE TABLE IF NOT EXISTS checkpoints (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (source, key)
) STRICT;
CREATE TABLE IF NOT EXISTS secrets (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
`;

/**
 * Version 1 → 2: items gain their source and content hash; the Library API's open searches
 * become its checkpoints (`{start, end}`, both empty for the whole library); albums are new.
 */
const MIGRATE_1_TO_2 = `
ALTER TABLE items ADD COLUMN source TEXT NOT NULL DEFAULT 'library';
ALTER TABLE items ADD COLUMN hash TEXT;
CREATE TABLE checkpoints (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (source, key)
) STRICT;
INSERT INTO checkpoints (source, key, value)
  SELECT 'library', key, json_object('start', start_date, 'end', end_date) FROM searches;
DROP TABLE searches;
`;

/**
 * Version 2 → 3: the items table loses its list of source names (a `CHECK`), rebuilt as SQLite
 * requires; the foreign keys are off while a migration runs (see `migrate`), so album memberships stay.
 */
const MIGRATE_2_TO_3 = `
CREATE TABLE items_3 (${ITEMS_COLUMNS_3}) STRICT;
INSERT INTO items_3 (id, filename, created_ms, is_video, json, status, path, path_key, size, note, source, hash)
  SELECT id, filename, created_ms, is_video, json, status, path, path_key, size, note, source, hash FROM items;
DROP TABLE items;
ALTER TABLE items_3 RENAME TO items;
`;

/**
 * Version 3 → 4 (`photosync verify`): an item may share another item's file (`file_of`: the same
 * bytes from another source, e.g. a photo imported from Takeout and later picked, is stored once);
 * the runs of `verify`; and indexes to find a file by its size and hash.
 */
const MIGRATE_3_TO_4 = `
ALTER TABLE items ADD COLUMN file_of TEXT;
CREATE INDEX items_hash ON items (hash);
CREATE INDEX items_size ON items (size);
CREATE TABLE verify_runs (
  id INTEGER PRIMARY KEY,
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  files INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  missing INTEGER NOT NULL,
  changed INTEGER NOT NULL,
  unknown INTEGER NOT NULL,
  hashed INTEGER NOT NULL,
  repaired INTEGER NOT NULL
) STRICT;
`;

/**
 * Version 4 → 5: an index to find the items that share a file (`file_of`): every move of a file and
 * every XMP sidecar asks, and a look through every item each time grew with the square of the library.
 */
const MIGRATE_4_TO_5 = `
CREATE INDEX items_file_of ON items (file_of);
`;

/**
 * Version 6 → 7: each album records the folder under `albums/` its links are made in (`folder`, null until a
 * run makes one), so that a later change of the sanitiser (`names.ts`) never starts a second folder for it.
 * The albums recorded before are marked (`earlier`): the links an earlier version made for them are in the
 * folder its sanitiser named, which the run that next links or unlinks them looks for on disk (`Placer`), by
 * the album's members: an index finds them (the memberships' key starts with the item).
 */
const MIGRATE_6_TO_7 = `
ALTER TABLE albums ADD COLUMN folder TEXT;
ALTER TABLE albums ADD COLUMN earlier INTEGER NOT NULL DEFAULT 0;
UPDATE albums SET earlier = 1;
CREATE INDEX item_albums_album ON item_albums (album_id);
`;

/**
 * Version 5 → 6: each path's key (`path_key`) recomputed by {@link pathKey}'s stronger fold, in JavaScript
 * (`rekeyPaths`): SQLite has no such fold.
 */
const REKEYED_IN = 6;

/**
 * The key two paths share when a case-insensitive drive (exFAT, NTFS, APFS, FAT) takes them for one file:
 * NFC, then folded through upper case, which maps what lower case alone keeps apart (Greek `σ` and `ς`,
 * both `Σ` on exFAT and NTFS; `ß` to `ss`, a little more than those drives fold: that name takes a tag).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathKey } from "./store.ts";
 *
 * assert.equal(pathKey("2021/06/01/οδοσ1.jpg"), pathKey("2021/06/01/ΟΔΟΣ1.jpg"));
 * assert.equal(pathKey("2021/06/01/IMG_1.JPG"), pathKey("2021/06/01/img_1.jpg"));
 * assert.equal(pathKey("a/Cafe\u0301.jpg"), pathKey("a/café.jpg"));
 * ```
 */
export function pathKey(path: string): string {
  return path.normalize("NFC").toUpperCase().toLowerCase();
}

/**
 * Recompute every recorded path's key ({@link pathKey}) for a sync.db of schema 5 or older, whose keys were
 * lower case only. Where two recorded paths fold to one key (both files are there, on a drive that told them
 * apart), one keeps that key and the other its old one, so that neither loses its file nor its key: first
 * the items whose key does not change (their old key is the new one: taken first, no other can want it),
 * then the others in creation order, each its new key if free, else its old one (unique among the old keys,
 * and no new key unless its own). A key left empty protected no path: another item could claim it once the
 * key's holder moved away, two rows then naming one file.
 */
function rekeyPaths(db: DatabaseSync): void {
  const rows = (db.prepare(
    "SELECT id, path, path_key AS old FROM items WHERE path IS NOT NULL ORDER BY created_ms, id",
  ).all() as { id: string; path: string; old: string | null }[]).map((row) => ({
    ...row,
    key: pathKey(row.path),
  }));
  // Cleared first, so that no key set below meets a row's key that is still to change.
  db.prepare("UPDATE items SET path_key = NULL WHERE path IS NOT NULL").run();
  const set = db.prepare("UPDATE OR IGNORE items SET path_key = ? WHERE id = ?");
  const same = rows.filter((row) => row.old === row.key);
  for (const { id, key, old } of [...same, ...rows.filter((row) => row.old !== row.key)]) {
    if (set.run(key, id).changes > 0) continue;
    if (old !== null && set.run(old, id).changes > 0) continue;
    // Neither is free (a fold no drive makes; not seen): a key of its own all the same.
    set.run(`${key}\u0000${id}`, id);
  }
}

/** What a `photosync verify` run found (see {@link Store.addVerifyRun}). */
export interface VerifyRun {
  startedMs: number;
  finishedMs: number;
  /** Files checked and their bytes. */
  files: number;
  bytes: number;
  missing: number;
  changed: number;
  /** Files in the folder that sync.db does not know. */
  unknown: number;
  /** Hashes recorded by this run for files that had none. */
  hashed: number;
  /** Files put back by `--repair`. */
  repaired: number;
}

/** A file recorded in sync.db, as `verify` checks it. */
export interface RecordedFile {
  id: string;
  source: SourceName;
  path: string;
  size: number;
  hash: string | null;
  createdMs: number;
}

/** See {@link Store.unrestoredFiles}. */
export interface UnrestoredFile {
  id: string;
  source: SourceName;
  path: string;
  hash: string;
  note: string | null;
}

/** An item as a source hands it to the store. */
export interface NewItem {
  id: string;
  source: SourceName;
  /**
   * File name as the source gave it (hostile: sanitised only when a path is chosen); for one with nothing to
   * name a file by, its id and its type's extension (`itemFileName`).
   */
  filename: string;
  /** Capture time, epoch milliseconds. */
  createdMs: number;
  isVideo: boolean;
  /** The source's metadata, kept as JSON; a change of it counts as an update. */
  json: string;
  /** sha256 of the bytes (hex), where the source knows it. */
  hash?: string;
}

/** Changes to a source's resume points, written with the batch they belong to. */
export interface CheckpointChange {
  remove?: string[];
  put?: { key: string; value: string }[];
}

/** A batch of items and the resume point it reaches, written in one transaction. */
export interface ItemBatch {
  source: SourceName;
  items: readonly NewItem[];
  checkpoint?: CheckpointChange;
}

/** A row of the items table. */
export interface ItemRow {
  id: string;
  source: SourceName;
  filename: string;
  createdMs: number;
  isVideo: boolean;
  status: "pending" | "downloaded" | "failed";
  /** Path relative to the output directory, assigned before the first download. */
  path: string | null;
  size: number | null;
  note: string | null;
  hash: string | null;
  /** The source's metadata. */
  json: string;
  /** The item whose file holds this item's bytes too (no file of its own), or null. */
  fileOf?: string | null;
}

/** An album as `sync.db` records it. */
export interface AlbumRow {
  id: string;
  title: string;
  /** The folder under `albums/` its links are made in; null until a run makes one (or finds one made). */
  folder: string | null;
  /**
   * Recorded by a version that kept no folder (before schema 7): the links it made are in the folder its
   * sanitiser named for the title, which may not be the name the title is given now.
   */
  earlier: boolean;
}

/** The checkpoints' "source" under which the items whose file is to move are noted (no source's own). */
const REFILE = "refile";

/**
 * The checkpoints' "source" under which the paths that moved files left are noted (keyed by the path, the item's
 * id the value): a second name of the file until removed (see {@link Store.arrivedFrom}).
 */
const SECOND_NAME = "second-name";

/**
 * The checkpoints' "source" under which the album memberships recorded since album links were last made are
 * noted (keyed `[album id, item id]` as JSON): a folder whose earlier files are stored elsewhere holds none of
 * their links either, and makes only these (see {@link Store.newMemberships}).
 */
const NEW_MEMBERS = "album-members";

/** The key of a membership's note (see {@link NEW_MEMBERS}). */
export const membershipKey = (albumId: string, itemId: string): string => JSON.stringify([albumId, itemId]);

/** What a batch write changed. */
export interface ItemChanges {
  added: number;
  updated: number;
  /** Items another source downloaded already: left as that source keeps them (one item, one file). */
  others: number;
}

/** Counts shown by `photosync status`. */
export interface StoreCounts {
  items: number;
  downloaded: number;
  /** Files in the folder: downloaded items less those sharing another's file. */
  files: number;
  pending: number;
  failed: number;
  bytes: number;
  /** Items per source. */
  sources: Record<string, number>;
  failures: { id: string; filename: string; reason: string }[];
  notes: { id: string; filename: string; note: string }[];
}

/** Handle on `sync.db`. Synchronous: SQLite calls are short and run on the main thread. */
export class Store {
  readonly #db: StoreDb;
  readonly #find: Statement;
  readonly #insert: Statement;
  readonly #upsert: Statement;
  readonly #takeOver: Statement;
  readonly #adopt: Statement;
  readonly #lock?: FolderLock;
  /** The backup's folder (where `sync.db` is): what a message's suggested command names as `--dir`. */
  readonly dir: string;

  private constructor(dir: string, db: StoreDb, lock?: FolderLock) {
    this.dir = dir;
    this.#db = db;
    this.#lock = lock;
    this.#find = db.prepare("SELECT source, json, status, created_ms, path, file_of FROM items WHERE id = ?");
    this.#insert = db.prepare(
      "INSERT OR IGNORE INTO items (id, source, filename, created_ms, is_video, json, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    // A path claimed for an item not downloaded yet (a run ended before its download: --max-bytes, a
    // time limit, a kill) is that of its date and name then: one of them changed, it is released, for the
    // item to be settled anew at the day and name it has now (a downloaded item's file is moved instead,
    // see \`pendingRefiles\`). (SQLite's SET reads the row as it was.)
    const stale = (filename: string, createdMs: string) =>
      `status != 'downloaded' AND (filename IS NOT ${filename} OR created_ms IS NOT ${createdMs})`;
    const listedStale = stale("excluded.filename", "excluded.created_ms");
    this.#upsert = db.prepare(`
      INSERT INTO items (id, source, filename, created_ms, is_video, json, hash) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        filename = excluded.filename, created_ms = excluded.created_ms,
        is_video = excluded.is_video, json = excluded.json, hash = coalesce(excluded.hash, hash),
        status = CASE status WHEN 'failed' THEN 'pending' ELSE status END,
        note = CASE status WHEN 'failed' THEN NULL ELSE note END,
        path = CASE WHEN ${listedStale} THEN NULL ELSE path END,
        path_key = CASE WHEN ${listedStale} THEN NULL ELSE path_key END`);
    this.#takeOver = db.prepare(`
      UPDATE items SET source = ?1, filename = ?2, created_ms = ?3, is_video = ?4, json = ?5,
        hash = coalesce(?6, hash), status = 'pending', note = NULL,
        path = CASE WHEN ${stale("?2", "?3")} THEN NULL ELSE path END,
        path_key = CASE WHEN ${stale("?2", "?3")} THEN NULL ELSE path_key END
      WHERE id = ?7 AND status != 'downloaded'`);
    this.#adopt = db.prepare(
      "UPDATE items SET source = ?, filename = ?, created_ms = ?, is_video = ?, json = ? WHERE id = ?",
    );
  }

  /**
   * Open (creating it with mode 0600 when missing) `sync.db` in the output directory `dir`.
   * Refuses a file that is not SQLite or was written by a newer photosync, leaving it
   * untouched; migrates an older one in place, in one transaction.
   *
   * - `readOnly`: read it only (as `existing`; an older schema than {@link READABLE_FROM} is refused);
   * - `existing`: a command on a backup that exists (`verify`, `query`): a missing or empty `sync.db` (a copy
   *   that failed) is refused, never given a fresh schema: only a run that backs up makes one;
   * - `whole`: every page checked first (`PRAGMA quick_check`): damage anywhere is refused (exit 2) before
   *   anything is read or written, where the command's own reads may never meet it.
   */
  static open(dir: string, options: { readOnly?: boolean; existing?: boolean; whole?: boolean } = {}): Store {
    const path = join(dir, DB_FILE);
    const lock = options.readOnly ? undefined : lockFolder(dir);
    try {
      return Store.#open(dir, path, lock, options.readOnly ?? false, options);
    } catch (error) {
      // A refused folder is left as it was found; a lock the run held before stays the run's.
      if (lock?.created) {
        lock.abandon();
        Deno.removeSync(join(dir, LOCK_FILE));
      } else lock?.release();
      throw error;
    }
  }

  static #open(
    dir: string,
    path: string,
    lock: FolderLock | undefined,
    readOnly: boolean,
    { existing = readOnly, whole = false }: { existing?: boolean; whole?: boolean },
  ): Store {
    let header: Uint8Array | undefined;
    try {
      using file = Deno.openSync(path, { read: true });
      // The magic string, then (at 18) the version SQLite reads it with: 2 in WAL mode.
      const buffer = new Uint8Array(20);
      const read = file.readSync(buffer) ?? 0;
      header = buffer.subarray(0, read);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new UsageError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
      }
      if (existing) throw new UsageError(`no ${path}: run photosync --dir=${shellWord(dir)} first`);
      try {
        create(join(dir, NEW_DB_FILE), path);
      } catch (error) {
        throw openFailure(path, error);
      }
    }
    if (header && header.length > 0 && new TextDecoder().decode(header.subarray(0, 16)) !== SQLITE_MAGIC) {
      throw new UsageError(`${path} is not a photosync database; move it away or choose another --dir`);
    }
    if (header && !readOnly) checkWritable(path);
    let db: DatabaseSync;
    try {
      db = connect(path, readOnly);
    } catch (error) {
      throw openFailure(path, error);
    }
    try {
      let version: number;
      let tables: number;
      try {
        // One statement, one snapshot: read apart, a migration committed in between (a run updating an older
        // sync.db) would pair the old version with the new tables, "not a photosync database".
        ({ version, tables } = db.prepare(
          "SELECT (SELECT user_version FROM pragma_user_version) AS version, " +
            "(SELECT count(*) FROM sqlite_master) AS tables",
        ).get() as { version: number; tables: number });
      } catch (error) {
        throw readOnly && header?.[18] === 2 && unindexable(error) ? walUnreadable(dir, path, error) : error;
      }
      if (version > SCHEMA_VERSION) {
        throw new UsageError(
          `${path} was written by a newer photosync (schema ${version}); upgrade photosync to use it`,
        );
      }
      // Another program's SQLite file of that name: photosync's always has a schema version.
      if (version === 0 && tables > 0) {
        throw new UsageError(`${path} is not a photosync database; move it away or choose another --dir`);
      }
      if (existing && version === 0 && tables === 0) throw emptyFile(dir, path);
      if (whole) checkWhole(db, path);
      if (readOnly) {
        if (version < READABLE_FROM) {
          throw new UsageError(
            `${path} is from an older photosync; run photosync --dir=${shellWord(dir)} once to update it`,
          );
        }
      } else {
        // A checkpoint (WAL into the database) syncs the disk: every 8,000 pages (32 MB), not 1,000,
        // so that indexing a big library waits for the disk a few times instead of dozens.
        db.exec(
          "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 8000;",
        );
        migrate(db, version);
      }
      execute(db, "PRAGMA foreign_keys = ON");
    } catch (error) {
      db.close();
      throw openFailure(path, error);
    }
    // Only the user may read it (it holds tokens); it was found writable, so this changes no
    // file the user made read-only.
    if (!readOnly) Deno.chmodSync(path, 0o600);
    return new Store(dir, guardFile(db, path), lock);
  }

  /** Run `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      // SQLite may have rolled back already (e.g. on a full disk).
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** A source's resume points, in the order they were written. */
  checkpoints(source: SourceName): { key: string; value: string }[] {
    return this.#db.prepare("SELECT key, value FROM checkpoints WHERE source = ? ORDER BY rowid").all(
      source,
    ) as { key: string; value: string }[];
  }

  /** One of a source's resume points by its key, or undefined. */
  checkpoint(source: SourceName, key: string): string | undefined {
    return this.checkpointLookup(source)(key);
  }

  /** Whether a source has any resume point. */
  hasCheckpoints(source: SourceName): boolean {
    return this.#db.prepare("SELECT 1 FROM checkpoints WHERE source = ? LIMIT 1").get(source) !== undefined;
  }

  /** Look-ups of a source's resume points by key, through one prepared statement (many looks in a pass). */
  checkpointLookup(source: SourceName): (key: string) => string | undefined {
    const statement = this.#db.prepare("SELECT value FROM checkpoints WHERE source = ? AND key = ?");
    return (key) => (statement.get(source, key) as { value: string } | undefined)?.value;
  }

  /**
   * A source's resume points whose keys start with `prefix`, by key: a range of the primary
   * key's index, so that a source can keep records it looks up by a part of their key.
   */
  checkpointsFrom(source: SourceName, prefix: string): { key: string; value: string }[] {
    // Text compares byte by byte (UTF-8): every key starting with the prefix sorts below the
    // prefix followed by the highest code point.
    return this.#db.prepare(
      "SELECT key, value FROM checkpoints WHERE source = ? AND key >= ? AND key < ? ORDER BY key",
    ).all(source, prefix, `${prefix}\u{10FFFF}`) as { key: string; value: string }[];
  }

  /**
   * The keys of a source's resume points that start with `prefix`, by key, without their values (which
   * may be large: a source that looks over what it keeps reads none of it).
   */
  checkpointKeysFrom(source: SourceName, prefix: string): string[] {
    return (this.#db.prepare(
      "SELECT key FROM checkpoints WHERE source = ? AND key >= ? AND key < ? ORDER BY key",
    ).all(source, prefix, `${prefix}\u{10FFFF}`) as { key: string }[]).map(({ key }) => key);
  }

  /** Apply a change to a source's resume points in one transaction. */
  updateCheckpoints(source: SourceName, change: CheckpointChange): void {
    this.transaction(() => this.#applyCheckpoint(source, change));
  }

  #applyCheckpoint(source: SourceName, { remove = [], put = [] }: CheckpointChange): void {
    const del = this.#db.prepare("DELETE FROM checkpoints WHERE source = ? AND key = ?");
    remove.forEach((key) => del.run(source, key));
    const set = this.#db.prepare("INSERT OR REPLACE INTO checkpoints (source, key, value) VALUES (?, ?, ?)");
    put.forEach(({ key, value }) => set.run(source, key, value));
  }

  /**
   * Write a batch in one transaction: new items are added as pending, changed ones updated
   * in place, failed ones seen again are given another try; and the source's checkpoint
   * moves with them, so that an interrupted run resumes exactly after the last batch.
   * `keepLocalTime`: a remote source's JSON keeps the local time its download's bytes told
   * (`keptLocalTime`). `noteRefiles`: a downloaded item whose capture time changed is noted for its
   * file to move ({@link pendingRefiles}; a source that moves its files itself, Takeout, does not ask).
   */
  saveBatch(
    { source, items, checkpoint }: ItemBatch,
    options: { keepLocalTime?: boolean; noteRefiles?: boolean } = {},
  ): ItemChanges {
    return this.transaction(() => {
      if (checkpoint) this.#applyCheckpoint(source, checkpoint);
      const result: ItemChanges = { added: 0, updated: 0, others: 0 };
      for (const item of items) {
        // SQLite hands text back only up to a NUL; the JSON keeps the original name.
        const filename = item.filename.replaceAll("\0", "_");
        const row = [
          item.id,
          item.source,
          filename,
          item.createdMs,
          item.isVideo ? 1 : 0,
          item.json,
          item.hash ?? null,
        ];
        // A new item costs one statement: most of a first index.
        if (this.#insert.run(...row).changes === 1) {
          result.added++;
          continue;
        }
        const known = this.#find.get(item.id) as {
          source: string;
          json: string;
          status: string;
          created_ms: number;
          path: string | null;
          file_of: string | null;
        };
        if (known.source !== item.source) {
          // One item whichever source lists it (the Library and the picker share ids). One still to
          // fetch is taken by the source listing it now, which can fetch it (a picked item's URL works
          // now; a Library item the picker's expired URL left pending is fetched by a sync). A downloaded
          // one stays its source's, but for the Library's listing of a picked one: its metadata says
          // more (a description), and its date, corrected in Google Photos, moves the file.
          if (known.status !== "downloaded") {
            this.#takeOver.run(...row.slice(1, 5), item.json, item.hash ?? null, item.id);
            result.updated++;
          } else if (known.source === "picker" && item.source === "library") {
            const json = options.keepLocalTime ? keptLocalTime(known.json, item.json) : item.json;
            this.#adopt.run(...row.slice(1, 5), json, item.id);
            result.updated++;
            if (options.noteRefiles && known.created_ms !== item.createdMs) this.noteRefile(item.id);
          } else {
            result.others++;
          }
          continue;
        }
        const json = options.keepLocalTime ? keptLocalTime(known.json, item.json) : item.json;
        // The same JSON may give another capture time than the one recorded: an earlier version's (which
        // took none before 1800 nor after 2199, filing such items under 1970-01-01) is corrected, its file moved.
        if (known.json === json && known.status !== "failed" && known.created_ms === item.createdMs) continue;
        this.#upsert.run(...row.slice(0, 5), json, item.hash ?? null);
        result.updated++;
        const hasFile = known.path !== null || known.file_of !== null;
        if (
          options.noteRefiles && known.status === "downloaded" && hasFile &&
          known.created_ms !== item.createdMs
        ) {
          // Its file is to move to the new day: noted with the change, so that a run stopped before
          // the move (a time limit while indexing) leaves it for the next (see `pendingRefiles`).
          this.noteRefile(item.id);
        }
      }
      return result;
    });
  }

  /** Creation times (epoch ms) of a source's oldest and newest items up to `maxMs`, or undefined. */
  knownSpan(
    source: SourceName,
    maxMs = Number.MAX_SAFE_INTEGER,
  ): { oldest: number; newest: number } | undefined {
    const row = this.#db.prepare(
      "SELECT min(created_ms) AS oldest, max(created_ms) AS newest FROM items WHERE source = ? AND created_ms <= ?",
    ).get(source, maxMs) as { oldest: number | null; newest: number | null };
    return row.oldest === null || row.newest === null
      ? undefined
      : { oldest: row.oldest, newest: row.newest };
  }

  /** A source's pending items after `(createdMs, id)` in creation order, at most `limit`. */
  pendingAfter(
    source: SourceName,
    after: { createdMs: number; id: string } | undefined,
    limit: number,
  ): ItemRow[] {
    const rows = this.#db.prepare(`
      SELECT * FROM items WHERE status = 'pending' AND source = ? AND (created_ms, id) > (?, ?)
      ORDER BY created_ms, id LIMIT ?`).all(source, after?.createdMs ?? -8.64e15, after?.id ?? "", limit);
    return rows.map(toRow);
  }

  /** Number of a source's pending items. */
  pendingCount(source: SourceName): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM items WHERE status = 'pending' AND source = ?").get(
      source,
    ) as { n: number }).n;
  }

  /** One item, or undefined. */
  item(id: string): ItemRow | undefined {
    const row = this.#db.prepare("SELECT * FROM items WHERE id = ?").get(id);
    return row ? toRow(row as Record<string, unknown>) : undefined;
  }

  /**
   * Record `path` for the item unless another item holds it (compared as one file by a case-insensitive
   * drive: {@link pathKey}). Returns whether the path is now the item's.
   */
  claimPath(id: string, path: string): boolean {
    const result = this.#db.prepare("UPDATE OR IGNORE items SET path = ?, path_key = ? WHERE id = ?")
      .run(path, pathKey(path), id);
    return result.changes === 1;
  }

  /**
   * Items whose capture time changed since their file was placed, whose file is still to move; `was`:
   * where the file was when a move of it began (see {@link refileFrom}), for a run stopped in the middle.
   */
  pendingRefiles(): { id: string; was?: string }[] {
    return this.checkpointsFrom(REFILE, "").map(({ key, value }) =>
      value ? { id: key, was: value } : { id: key }
    );
  }

  /**
   * Note, before item `id`'s file is moved, the path it is at (`was`): the move claims the new path in
   * sync.db first, and a run stopped (a kill, a folder that cannot be made) before the file follows
   * would leave it at a path no row names. The next run takes it from there (see `Placer.move`). One
   * statement (no transaction of its own): it may go in the claim's.
   */
  refileFrom(id: string, was: string): void {
    this.#applyCheckpoint(REFILE, { put: [{ key: id, value: was }] });
  }

  /**
   * Item `id`'s file is to move to the day its capture time maps to (see {@link pendingRefiles}). A note
   * that already names where the file was (a move begun, see {@link refileFrom}) is kept: the date corrected
   * again before the move was finished must not lose the only record of where the file still is.
   */
  noteRefile(id: string): void {
    this.#db.prepare("INSERT OR IGNORE INTO checkpoints (source, key, value) VALUES (?, ?, '')").run(
      REFILE,
      id,
    );
  }

  /** Whether item `id`'s file is noted as to move to the day its capture time maps to (see {@link pendingRefiles}). */
  refileNoted(id: string): boolean {
    return this.checkpoint(REFILE, id) !== undefined;
  }

  /** Where item `id`'s file was when a move of it began (see {@link refileFrom}), or undefined. */
  refileWas(id: string): string | undefined {
    return this.checkpoint(REFILE, id) || undefined;
  }

  /** Item `id`'s file is where its capture time puts it (see {@link pendingRefiles}). One statement, as {@link refileFrom}. */
  refiled(id: string): void {
    this.#applyCheckpoint(REFILE, { remove: [id] });
  }

  /**
   * Item `id`'s file, moved, is at its row's path now, and still at `from` (one file, two names: a hard link
   * made, the old name not yet removed). In one transaction: the note of where the file was
   * ({@link refileFrom}, whoever made it) gives way to a note of the second name, so that a run stopped before
   * the old name goes (a kill; a folder whose names cannot be removed) is known to have moved the file (a folder
   * whose earlier files are stored elsewhere stored it at the new path, not the old), and the next run removes
   * that name if it is still the same file (see `Placer.finishMoves`).
   */
  arrivedFrom(id: string, from: string): void {
    this.transaction(() => {
      this.#applyCheckpoint(REFILE, { remove: [id] });
      this.#applyCheckpoint(SECOND_NAME, { put: [{ key: from, value: id }] });
    });
  }

  /**
   * The names of moved files that their moves left (see {@link arrivedFrom}): item `id`'s file was also at
   * `path`. Keyed by the path: a file moved twice may have left two.
   */
  secondNames(): { path: string; id: string }[] {
    return this.checkpointsFrom(SECOND_NAME, "").map(({ key, value }) => ({ path: key, id: value }));
  }

  /** No moved file's second name is at `path` (see {@link arrivedFrom}): removed, or no longer the file. */
  secondNameGone(path: string): void {
    this.#applyCheckpoint(SECOND_NAME, { remove: [path] });
  }

  /** Give an item another capture time (a date corrected where another source's item says so). */
  setCreatedMs(id: string, createdMs: number): void {
    this.#db.prepare("UPDATE items SET created_ms = ? WHERE id = ?").run(createdMs, id);
  }

  /** The items that share item `id`'s file (the same bytes from another source, stored once). */
  itemsSharing(id: string): ItemRow[] {
    return (this.#db.prepare("SELECT * FROM items WHERE file_of = ? ORDER BY id").all(id) as Record<
      string,
      unknown
    >[])
      .map(toRow);
  }

  /** Whether an item holds `path` (compared as {@link claimPath} does). */
  holdsPath(path: string): boolean {
    return this.#db.prepare("SELECT 1 FROM items WHERE path_key = ?").get(pathKey(path)) !== undefined;
  }

  /** Replace an item's JSON (e.g. with the local time its downloaded bytes told). */
  setItemJson(id: string, json: string): void {
    this.#db.prepare("UPDATE items SET json = ? WHERE id = ?").run(json, id);
  }

  /**
   * Forget item `id` whose file items of other sources share (the same bytes, stored once): the file
   * stays, and `heir`, one of them, becomes its holder (the path, its size and hash; the others share
   * the heir's file now); `id`'s row and album memberships go. In one transaction, with a note that the
   * heir's file is to go to the day the heir's date maps to (see {@link pendingRefiles}): a run stopped
   * before that move leaves it to the next `sync` or `pick`.
   */
  handOverFile(id: string, heir: string): void {
    this.transaction(() => {
      const row = this.item(id);
      if (!row?.path) throw new Error(`item ${id} has no file to hand over`);
      this.#db.prepare("UPDATE items SET file_of = ? WHERE file_of = ? AND id != ?").run(heir, id, heir);
      // Deleted first: its path is unique to one row.
      this.#db.prepare("DELETE FROM items WHERE id = ?").run(id);
      this.#db.prepare(`
        UPDATE items SET status = 'downloaded', path = ?, path_key = ?, size = ?, hash = coalesce(?, hash),
          file_of = NULL, note = NULL WHERE id = ?`)
        .run(row.path, pathKey(row.path), row.size, row.hash, heir);
      // Where the file is now, for a move to the heir's day stopped half-way (see `refileFrom`).
      this.#applyCheckpoint(REFILE, { put: [{ key: heir, value: row.path }] });
    });
  }

  /**
   * Forget an item (its album memberships go with it); its file is the caller's business. Items
   * that shared its file are pending again: they get a file of their own (see {@link handOverFile}
   * to keep the file for them).
   */
  removeItem(id: string): void {
    this.transaction(() => {
      this.#db.prepare(
        "UPDATE items SET status = 'pending', file_of = NULL, size = NULL WHERE file_of = ?",
      ).run(id);
      this.#db.prepare("DELETE FROM items WHERE id = ?").run(id);
    });
  }

  /**
   * Downloaded items of sources other than `source` with a file of their own of `size` bytes
   * whose hash is known: where a download of that size may be a copy of a file another source
   * stored (found by the index on the size).
   */
  filesOfSize(size: number, source: SourceName): { id: string; path: string; hash: string }[] {
    return this.#db.prepare(`
      SELECT id, path, hash FROM items INDEXED BY items_size
      WHERE size = ? AND source != ? AND status = 'downloaded' AND file_of IS NULL AND path IS NOT NULL
        AND hash IS NOT NULL`).all(size, source) as { id: string; path: string; hash: string }[];
  }

  /**
   * Downloaded items of sources other than `source` with a file of their own of `size` bytes and
   * the sha256 `hash`: copies of bytes whose hash is known already (found by the index on the hash,
   * so that a run of many files of one size does not read every one of them for each).
   */
  filesOfContent(size: number, hash: string, source: SourceName): { id: string; path: string }[] {
    return this.#db.prepare(`
      SELECT id, path FROM items INDEXED BY items_hash
      WHERE hash = ? AND size = ? AND source != ? AND status = 'downloaded' AND file_of IS NULL
        AND path IS NOT NULL`).all(hash, size, source) as { id: string; path: string }[];
  }

  /**
   * Record the item `id` as downloaded into the file of the item `fileOf` (the same bytes: no second
   * copy); the path it had claimed is free again. Both items keep their sources' metadata.
   */
  markSameFile(id: string, fileOf: string, size: number, hash: string): void {
    this.#db.prepare(`
      UPDATE items SET status = 'downloaded', file_of = ?, size = ?, hash = ?, path = NULL, path_key = NULL,
        note = NULL WHERE id = ?`).run(fileOf, size, hash, id);
  }

  /** Record the hashes of placed files, in one transaction. */
  recordHashes(hashes: readonly { id: string; hash: string }[]): void {
    const statement = this.#db.prepare("UPDATE items SET hash = ? WHERE id = ?");
    this.transaction(() => hashes.forEach(({ id, hash }) => statement.run(hash, id)));
  }

  /** Every downloaded item with a file of its own, in creation order: what `verify` checks. */
  *recordedFiles(): Generator<RecordedFile> {
    const statement = this.#db.prepare(`
      SELECT id, source, path, size, hash, created_ms AS createdMs FROM items
      WHERE status = 'downloaded' AND path IS NOT NULL AND file_of IS NULL ORDER BY created_ms, id`);
    yield* statement.iterate() as Iterable<RecordedFile>;
  }

  /**
   * Files the backup had and has not now: items downloaded once (their sha256 recorded) whose file
   * went missing or changed and that were queued again (`sync --resync`, `verify --repair`), and
   * are pending still, or failed (`note` says why). Only of `sources` whose items get their hash
   * when they are downloaded (a Takeout item has its hash before it is placed).
   */
  *unrestoredFiles(sources: readonly SourceName[]): Generator<UnrestoredFile> {
    const statement = this.#db.prepare(`
      SELECT id, source, path, hash, note FROM items
      WHERE status != 'downloaded' AND path IS NOT NULL AND hash IS NOT NULL AND file_of IS NULL
      ORDER BY created_ms, id`);
    for (const row of statement.iterate() as Iterable<UnrestoredFile>) {
      if (sources.includes(row.source)) yield row;
    }
  }

  /** The path of every item that has one, downloaded or not (yet). */
  *itemPaths(): Generator<string> {
    const statement = this.#db.prepare("SELECT path FROM items WHERE path IS NOT NULL");
    for (const row of statement.iterate() as Iterable<{ path: string }>) yield row.path;
  }

  /** Record a `verify` run. */
  addVerifyRun(run: VerifyRun): void {
    this.#db.prepare(`
      INSERT INTO verify_runs (started_ms, finished_ms, files, bytes, missing, changed, unknown, hashed, repaired)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      run.startedMs,
      run.finishedMs,
      run.files,
      run.bytes,
      run.missing,
      run.changed,
      run.unknown,
      run.hashed,
      run.repaired,
    );
  }

  /** The last `verify` run, or undefined when none ran. */
  lastVerifyRun(): VerifyRun | undefined {
    const row = this.#db.prepare(`
      SELECT started_ms AS startedMs, finished_ms AS finishedMs, files, bytes, missing, changed, unknown, hashed,
        repaired FROM verify_runs ORDER BY id DESC LIMIT 1`).get();
    return row ? { ...row } as unknown as VerifyRun : undefined;
  }

  /**
   * Mark items downloaded with their final sizes (and hashes, when known), in one transaction: each
   * placed a file of its own (one that shared another's file no longer does).
   */
  markDownloaded(done: readonly { id: string; size: number; hash?: string }[]): void {
    const statement = this.#db.prepare(
      "UPDATE items SET status = 'downloaded', size = ?, hash = coalesce(?, hash), note = NULL, file_of = NULL WHERE id = ?",
    );
    this.transaction(() => done.forEach(({ id, size, hash }) => statement.run(size, hash ?? null, id)));
  }

  /** Mark an item failed with a reason; indexing it again gives it another try. */
  markFailed(id: string, reason: string): void {
    this.#db.prepare("UPDATE items SET status = 'failed', note = ? WHERE id = ?").run(reason, id);
  }

  /** Attach a note to a pending item (e.g. a video still being processed). */
  notePending(id: string, note: string): void {
    this.#db.prepare("UPDATE items SET note = ? WHERE id = ? AND status = 'pending'").run(note, id);
  }

  /**
   * Record that items are in an album (created or retitled as needed); a membership new to `sync.db` is noted
   * with it, until its link is made ({@link newMemberships}), and so is every member of an album retitled.
   */
  addToAlbum(album: { id: string; source: SourceName; title: string }, itemIds: readonly string[]): void {
    this.transaction(() => {
      const was = this.#db.prepare("SELECT title FROM albums WHERE id = ?").get(album.id) as
        | { title: string }
        | undefined;
      this.#db.prepare(
        "INSERT INTO albums (id, source, title) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title",
      ).run(album.id, album.source, album.title);
      const link = this.#db.prepare("INSERT OR IGNORE INTO item_albums (item_id, album_id) VALUES (?, ?)");
      const note = this.#db.prepare(
        "INSERT OR IGNORE INTO checkpoints (source, key, value) VALUES (?, ?, '')",
      );
      for (const id of itemIds) {
        if (link.run(id, album.id).changes === 1) note.run(NEW_MEMBERS, membershipKey(album.id, id));
      }
      // Retitled: its links go in a folder of the new title (not recorded yet: named when the next is made).
      if (was && was.title !== album.title) {
        this.#db.prepare("UPDATE albums SET folder = NULL, earlier = 0 WHERE id = ?").run(album.id);
        const members = this.#db.prepare("SELECT item_id FROM item_albums WHERE album_id = ?").all(
          album.id,
        ) as {
          item_id: string;
        }[];
        for (const { item_id } of members) note.run(NEW_MEMBERS, membershipKey(album.id, item_id));
      }
    });
  }

  /**
   * The album memberships recorded since album links were last made ({@link membershipKey}s): a run stopped
   * before it made them (or whose files, and so `sync.db`, a CI job did not store) leaves them to the next.
   */
  newMemberships(): Set<string> {
    return new Set(this.checkpointsFrom(NEW_MEMBERS, "").map(({ key }) => key));
  }

  /** The album links of the memberships {@link newMemberships} gave are made: their notes go. */
  membershipsLinked(keys: Iterable<string>): void {
    this.updateCheckpoints(NEW_MEMBERS, { remove: [...keys] });
  }

  /** The titles of the albums an item is in. */
  albumTitlesOf(id: string): string[] {
    return (this.#db.prepare(
      "SELECT title FROM albums JOIN item_albums ON album_id = albums.id WHERE item_id = ? ORDER BY title",
    ).all(id) as { title: string }[]).map((row) => row.title);
  }

  /**
   * The albums of the items whose file is `id`'s: its own and those of the items sharing it (the same
   * bytes from another source), each with the album's id and the member's (its links' names are tagged by it).
   */
  albumsOfFile(id: string): { album: string; title: string; id: string }[] {
    return this.#db.prepare(`
      SELECT album_id AS album, title, item_id AS id FROM albums JOIN item_albums ON album_id = albums.id
      WHERE item_id = ? OR item_id IN (SELECT id FROM items WHERE file_of = ?) ORDER BY title, item_id`)
      .all(id, id) as { album: string; title: string; id: string }[];
  }

  /** An album as recorded (see {@link AlbumRow}), or undefined. */
  album(id: string): AlbumRow | undefined {
    const row = this.#db.prepare("SELECT id, title, folder, earlier FROM albums WHERE id = ?").get(id) as
      | { id: string; title: string; folder: string | null; earlier: number }
      | undefined;
    return row && { id: row.id, title: row.title, folder: row.folder, earlier: row.earlier === 1 };
  }

  /** Record the folder under `albums/` that album `id`'s links are made in: later runs make and seek them there. */
  setAlbumFolder(id: string, folder: string): void {
    this.#db.prepare("UPDATE albums SET folder = ? WHERE id = ?").run(folder, id);
  }

  /**
   * The albums that have a folder under `albums/` or may have one: those that recorded theirs, and those an
   * earlier version recorded (which kept no folder: their links are in one named by their title): what a new
   * album's folder must not be named (see `Placer`'s album folders).
   */
  albumsWithFolders(): AlbumRow[] {
    const rows = this.#db.prepare(
      "SELECT id, title, folder, earlier FROM albums WHERE folder IS NOT NULL OR earlier = 1",
    ).all() as { id: string; title: string; folder: string | null; earlier: number }[];
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      folder: row.folder,
      earlier: row.earlier === 1,
    }));
  }

  /**
   * The downloaded members of album `id`, each with the path of its file (its own, or the one it shares).
   * The memberships first (CROSS JOIN keeps SQLite to that order), by their index on the album: a look
   * through the downloaded items first took 5 ms an album in a library of 10,000.
   */
  albumMemberPaths(id: string): { id: string; path: string }[] {
    return this.#db.prepare(`
      SELECT items.id AS id, coalesce(items.path, holder.path) AS path
      FROM item_albums CROSS JOIN items ON items.id = item_id
        LEFT JOIN items AS holder ON holder.id = items.file_of AND holder.status = 'downloaded'
      WHERE album_id = ? AND items.status = 'downloaded' AND coalesce(items.path, holder.path) IS NOT NULL
      ORDER BY 2`).all(id) as { id: string; path: string }[];
  }

  /**
   * Every downloaded member of a source's albums: the album's id and title, the item and the path of its file
   * (its own, or the one it shares with another source's item). By album, in the order of their titles, then of
   * their ids, the shorter first: of two albums of one title, the one Takeout names `Trip`, before `Trip(1)`
   * (the first of them to be linked keeps the folder's name, see `Placer`'s album folders); each album's
   * members in the order of their paths.
   */
  *albumMembers(source: SourceName): Generator<{ album: string; title: string; id: string; path: string }> {
    const statement = this.#db.prepare(`
      SELECT albums.id AS album, albums.title AS title, items.id AS id, coalesce(items.path, holder.path) AS path
      FROM albums JOIN item_albums ON album_id = albums.id JOIN items ON items.id = item_id
        LEFT JOIN items AS holder ON holder.id = items.file_of AND holder.status = 'downloaded'
      WHERE albums.source = ? AND items.status = 'downloaded' AND coalesce(items.path, holder.path) IS NOT NULL
      ORDER BY albums.title, length(albums.id), albums.id, 4`);
    yield* statement.iterate(source) as Iterable<{ album: string; title: string; id: string; path: string }>;
  }

  /** Where each downloaded item's file is and its size: what `status` checks on disk. */
  *downloadedFiles(): Generator<{ id: string; filename: string; path: string; size: number }> {
    const statement = this.#db.prepare(
      "SELECT id, filename, path, size FROM items WHERE status = 'downloaded' AND path IS NOT NULL ORDER BY created_ms, id",
    );
    yield* statement.iterate() as Iterable<{ id: string; filename: string; path: string; size: number }>;
  }

  /** All downloaded items (for `--resync`). */
  *downloaded(): Generator<ItemRow> {
    const statement = this.#db.prepare(
      "SELECT * FROM items WHERE status = 'downloaded' ORDER BY created_ms, id",
    );
    for (const row of statement.iterate()) yield toRow(row as Record<string, unknown>);
  }

  /** Put downloaded items back to pending. */
  /**
   * Put a downloaded item whose file is not in the folder back to pending with no path: it is fetched
   * again to the path its row maps to then (see `refileRedated`).
   */
  refetch(id: string): void {
    this.#db.prepare(
      "UPDATE items SET status = 'pending', size = NULL, path = NULL, path_key = NULL WHERE id = ?",
    ).run(id);
  }

  requeue(ids: readonly string[]): void {
    const statement = this.#db.prepare("UPDATE items SET status = 'pending', size = NULL WHERE id = ?");
    this.transaction(() => ids.forEach((id) => statement.run(id)));
  }

  /** Counts for `photosync status`. */
  counts(): StoreCounts {
    const totals = this.#db.prepare(`
      SELECT count(*) AS items,
        coalesce(sum(status = 'downloaded'), 0) AS downloaded,
        coalesce(sum(status = 'downloaded' AND file_of IS NULL), 0) AS files,
        coalesce(sum(status = 'pending'), 0) AS pending,
        coalesce(sum(status = 'failed'), 0) AS failed,
        coalesce(sum(CASE WHEN status = 'downloaded' AND file_of IS NULL THEN size END), 0) AS bytes
      FROM items`).get() as Omit<StoreCounts, "failures" | "notes" | "sources">;
    const sources = Object.fromEntries(
      (this.#db.prepare("SELECT source, count(*) AS n FROM items GROUP BY source ORDER BY source").all() as {
        source: string;
        n: number;
      }[]).map((row) => [row.source, row.n]),
    );
    const failures = this.#db.prepare(
      "SELECT id, filename, note AS reason FROM items WHERE status = 'failed' ORDER BY created_ms, id",
    ).all() as StoreCounts["failures"];
    const notes = this.#db.prepare(
      "SELECT id, filename, note FROM items WHERE status = 'pending' AND note IS NOT NULL ORDER BY created_ms, id",
    ).all() as StoreCounts["notes"];
    return { ...totals, sources, failures, notes };
  }

  /**
   * The downloaded items of `source` with a file of their own, counted by what their JSON holds at each of
   * `paths` (SQLite JSON paths such as `$.takeout.archive`; `values` null where it holds nothing there): the
   * files a source placed from each origin it keeps in its items' JSON, counted from the rows themselves, so
   * that the count is right after any stop, a kill included. At least one path.
   */
  filesByJson(source: SourceName, paths: readonly string[]): { values: unknown[]; files: number }[] {
    const columns = paths.map((_, at) => `v${at}`);
    const rows = this.#db.prepare(`
      SELECT ${paths.map((_, at) => `json_extract(json, ?) AS v${at}, `).join("")}count(*) AS files FROM items
      WHERE source = ? AND status = 'downloaded' AND file_of IS NULL AND path IS NOT NULL
      GROUP BY ${columns.join(", ")}`).all(...paths, source) as Record<string, unknown>[];
    return rows.map((row) => ({ values: columns.map((column) => row[column]), files: Number(row.files) }));
  }

  /**
   * Rows of a read-only query, for the query modules beside the store (`overview.ts`: the backup's
   * shape by year and day), whose aggregation is SQL over the `items` table.
   */
  select<T>(sql: string, ...params: (string | number | null)[]): T[] {
    // Plain objects (node:sqlite's rows have no prototype), as callers compare and spread them.
    return this.#db.prepare(sql).all(...params).map((row) => ({ ...row })) as T[];
  }

  /**
   * Record how a source's run ended (what the CLI saw: when, the outcome, what it added), replacing
   * the source's earlier record. Kept in the checkpoints table under {@link RUNS_KEY_SPACE}, a name
   * no source has, so that an older sync.db needs no migration for it.
   */
  recordRun(source: SourceName, run: string): void {
    this.#db.prepare("INSERT OR REPLACE INTO checkpoints (source, key, value) VALUES (?, ?, ?)").run(
      RUNS_KEY_SPACE,
      source,
      run,
    );
  }

  /** Each source's last run as {@link recordRun} recorded it (JSON text), by source name. */
  lastRuns(): { source: SourceName; run: string }[] {
    return this.#db.prepare(
      "SELECT key AS source, value AS run FROM checkpoints WHERE source = ? ORDER BY key",
    ).all(RUNS_KEY_SPACE) as { source: SourceName; run: string }[];
  }

  /** A stored secret (tokens, client credentials), or undefined. */
  secret(key: string): string | undefined {
    const row = this.#db.prepare("SELECT value FROM secrets WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  /** Store or replace a secret. */
  setSecret(key: string, value: string): void {
    this.#db.prepare("INSERT OR REPLACE INTO secrets (key, value) VALUES (?, ?)").run(key, value);
  }

  /** Remove a secret. */
  deleteSecret(key: string): void {
    this.#db.prepare("DELETE FROM secrets WHERE key = ?").run(key);
  }

  close(): void {
    if (this.#lock) this.#leaveWal();
    this.#db.close();
    this.#lock?.release();
  }

  /**
   * A run's store, as it closes, takes `sync.db` out of WAL mode (the next run's open puts it back). SQLite
   * reads a WAL database only through files beside it (`sync.db-wal`, `sync.db-shm`), which a reader makes
   * when they are missing, as a WAL's last connection removes them: on a read-only mount or a full disk it
   * cannot, and `status`, `report`, `verify` could not read the backup there. A database in a rollback journal
   * is read alone. (SQLite's `immutable=1`, read without them, needs a `file:` URI, which Deno's node:sqlite
   * opens only with every permission granted, `-A`.) It takes no lock's wait: another connection reading the
   * file (a `status` now) keeps it in WAL mode, which is as safe, and so does a failure (a full disk): what
   * the run committed is in the WAL.
   */
  #leaveWal(): void {
    try {
      this.#db.exec("PRAGMA busy_timeout = 0; PRAGMA journal_mode = DELETE");
    } catch {
      // Left in WAL mode: see above.
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Make a new `sync.db` at `path`: built whole under `building` (its schema, its version), then renamed to
 * `path`. A reader opening `path` meanwhile (`status` during a first run) finds no file, or the whole schema:
 * made in place, an empty file and then a schema half-written would read as a copy that failed or another
 * program's database. A failure removes the half-built file: the folder has no `sync.db`, as before.
 */
function create(building: string, path: string): void {
  // What a first run that was killed building it left (its journal would be "rolled back" into the new file).
  for (const stale of [building, `${building}-journal`]) removeIfThere(stale);
  Deno.openSync(building, { write: true, createNew: true, mode: 0o600 }).close();
  try {
    const db = connect(building, false);
    try {
      migrate(db, 0);
    } finally {
      db.close();
    }
    Deno.renameSync(building, path);
  } catch (error) {
    // The failure is what the user is told; a half-built file that will not go is removed by the next run.
    for (const stale of [building, `${building}-journal`]) {
      try {
        removeIfThere(stale);
      } catch {
        // See above.
      }
    }
    throw error;
  }
}

/** Bring a database of schema `version` (0: new) up to {@link SCHEMA_VERSION}, in one transaction. */
function migrate(db: DatabaseSync, version: number): void {
  if (version === SCHEMA_VERSION) return;
  // A rebuilt table is dropped and replaced: with the foreign keys on (node:sqlite's default),
  // dropping it would delete its rows' album memberships. The pragma only works outside a transaction.
  // Through `execute`: a statement's error carries SQLite's extended code (a drive refusing its shared memory
  // fails the first BEGIN), which `storageFailure` tells the user by.
  execute(db, "PRAGMA foreign_keys = OFF");
  execute(db, "BEGIN IMMEDIATE");
  try {
    if (version === 1) execute(db, MIGRATE_1_TO_2);
    if (version === 2) execute(db, MIGRATE_2_TO_3);
    execute(db, SCHEMA);
    if (version < 4) execute(db, MIGRATE_3_TO_4);
    if (version < 5) execute(db, MIGRATE_4_TO_5);
    if (version > 0 && version < REKEYED_IN) rekeyPaths(db);
    if (version < 7) execute(db, MIGRATE_6_TO_7);
    execute(db, `PRAGMA user_version = ${SCHEMA_VERSION}`);
    execute(db, "COMMIT");
  } catch (error) {
    if (db.isTransaction) execute(db, "ROLLBACK");
    throw error;
  }
}

/**
 * A connection to `sync.db` at `path`, its busy timeout set before the first read: a connection that just
 * closed may still hold a lock for a moment (its last checkpoint), and a read then fails at once instead of
 * waiting.
 */
function connect(path: string, readOnly: boolean): DatabaseSync {
  const db = new DatabaseSync(path, { readOnly });
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}

/**
 * Whether `error`, a read-only connection's first read of a WAL database, is SQLite's for the files it reads
 * it with (`sync.db-wal`, `sync.db-shm`) missing and not to be made: `SQLITE_CANTOPEN` (a read-only mount),
 * `SQLITE_IOERR` (a full disk), `SQLITE_READONLY`.
 */
function unindexable(error: unknown): boolean {
  return [8, 10, 14].includes((errcode(error) ?? 0) & 0xff);
}

/** What a read-only command says of a `sync.db` in `dir` left in WAL mode where SQLite cannot make its files. */
function walUnreadable(dir: string, path: string, error: unknown): UsageError {
  const files = `${DB_FILE}-wal and ${DB_FILE}-shm`;
  const run = `photosync verify --dir=${shellWord(dir)}`;
  return new UsageError(
    `cannot read ${path} (${(error as Error).message}): it is in WAL mode (as an older photosync, or a run ` +
      `that did not end, left it), which SQLite reads only with ${files} beside it, and this folder cannot ` +
      `take them (read-only, or full); run ${run} once where it can be written`,
    { cause: error },
  );
}

/** What a command on an existing backup says of a `sync.db` in `dir` that holds nothing (not even a schema). */
function emptyFile(dir: string, path: string): UsageError {
  return new UsageError(
    `${path} is empty (a copy that failed, a full disk?): put back a copy of it, or rebuild it with ` +
      `photosync --dir=${
        shellWord(dir)
      } (and takeout with your archives): the files photosync placed are taken back, none copied twice`,
  );
}

/**
 * Refuse `sync.db` at `path` (open as `db`) if any page of it is damaged: SQLite's quick check, every page read.
 * What it finds (`*** in database main ***`, then the pages) is said as SQLite's error for damage, in the line
 * every command gives a damaged file.
 */
function checkWhole(db: DatabaseSync, path: string): void {
  const [row] = db.prepare("PRAGMA quick_check(1)").all() as { quick_check: string }[];
  if (row?.quick_check !== "ok") {
    throw new DamagedDatabaseError(
      path,
      new Error("database disk image is malformed", { cause: row?.quick_check }),
    );
  }
}

/** What opening `sync.db` at `path` failed with, as one line. */
function openFailure(path: string, error: unknown): PhotosyncError {
  if (error instanceof PhotosyncError) return error;
  if (isDamage(error)) return new DamagedDatabaseError(path, error);
  // A full disk or a file size limit met making its WAL or migrating: the disk's, not bad input.
  if (isStorageFailure(error)) return storageFailure(path, error);
  return new UsageError(`cannot use ${path}: ${(error as Error).message}`, { cause: error });
}

/**
 * Refuse a `sync.db` this process may not write (made read-only by its owner, or another
 * user's): SQLite would open it read-only without a word and fail at the first write.
 */
function checkWritable(path: string): void {
  try {
    Deno.openSync(path, { read: true, write: true }).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    throw new UsageError(
      `${path} is read-only: make it writable (chmod u+w ${shellWord(path)}) or choose another --dir`,
      { cause: error },
    );
  }
}

function removeIfThere(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function toRow(row: Record<string, unknown>): ItemRow {
  return {
    id: row.id as string,
    source: row.source as string,
    filename: row.filename as string,
    createdMs: row.created_ms as number,
    isVideo: row.is_video === 1,
    status: row.status as ItemRow["status"],
    path: row.path as string | null,
    size: row.size as number | null,
    note: row.note as string | null,
    hash: row.hash as string | null,
    json: row.json as string,
    fileOf: (row.file_of ?? null) as string | null,
  };
}
