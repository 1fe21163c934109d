/**
 * The SQLite index (`<dir>/sync.db`): media items, their download state, and credentials.
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { creationMs, isVideo, type MediaItem } from "../sources/library/media_item.ts";
import { PhotosyncError, UsageError } from "./errors.ts";
import { civilDate, type DateRange, EARLIEST, formatDate, parseDate } from "./dates.ts";

/** Schema version this build writes; a newer file is refused rather than damaged. */
export const SCHEMA_VERSION = 1;

const SQLITE_MAGIC = "SQLite format 3\0";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY,
  filename TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  is_video INTEGER NOT NULL,
  json TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'downloaded', 'failed')),
  path TEXT,
  path_key TEXT UNIQUE,
  size INTEGER,
  note TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS items_created ON items (created_ms);
CREATE INDEX IF NOT EXISTS items_pending ON items (status, created_ms, id);
CREATE TABLE IF NOT EXISTS secrets (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS searches (
  key TEXT PRIMARY KEY,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  UNIQUE (start_date, end_date)
) STRICT;
`;

/**
 * A search still to finish: the days left to search (both ends included, newest first), or
 * the whole library when `range` is undefined. Stored so that an interrupted run's next run
 * picks it up where it stopped.
 */
export interface OpenSearch {
  key: string;
  range?: DateRange;
}

/** One page of a search and what it means for that search. */
export interface SearchPage {
  search: OpenSearch;
  items: MediaItem[];
  /**
   * `more`: further pages follow (its days narrow to those not yet passed); `done`: the search
   * is complete; `split`: the rest of its days are searched as these smaller searches instead.
   */
  outcome: { kind: "more" } | { kind: "done" } | { kind: "split"; searches: OpenSearch[] };
}

/** A row of the items table. */
export interface ItemRow {
  id: string;
  filename: string;
  createdMs: number;
  isVideo: boolean;
  status: "pending" | "downloaded" | "failed";
  /** Path relative to the output directory, assigned before the first download. */
  path: string | null;
  size: number | null;
  note: string | null;
}

/** What a page write changed. */
export interface PageResult {
  added: number;
  updated: number;
}

/** Counts shown by `photosync status`. */
export interface StoreCounts {
  items: number;
  downloaded: number;
  pending: number;
  failed: number;
  bytes: number;
  failures: { id: string; filename: string; reason: string }[];
  notes: { id: string; filename: string; note: string }[];
}

/** Handle on `sync.db`. Synchronous: SQLite calls are short and run on the main thread. */
export class Store {
  readonly #db: DatabaseSync;
  readonly #find: StatementSync;
  readonly #upsert: StatementSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#find = db.prepare("SELECT json, status FROM items WHERE id = ?");
    this.#upsert = db.prepare(`
      INSERT INTO items (id, filename, created_ms, is_video, json) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        filename = excluded.filename, created_ms = excluded.created_ms,
        is_video = excluded.is_video, json = excluded.json,
        status = CASE status WHEN 'failed' THEN 'pending' ELSE status END,
        note = CASE status WHEN 'failed' THEN NULL ELSE note END`);
  }

  /**
   * Open (creating it with mode 0600 when missing) the index at `path`. Refuses a file that
   * is not SQLite or was written by a newer photosync, leaving it untouched.
   */
  static open(path: string): Store {
    let header: Uint8Array | undefined;
    try {
      using file = Deno.openSync(path, { read: true });
      const buffer = new Uint8Array(16);
      const read = file.readSync(buffer) ?? 0;
      header = buffer.subarray(0, read);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new UsageError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
      }
      Deno.openSync(path, { write: true, createNew: true, mode: 0o600 }).close();
    }
    if (header && header.length > 0 && new TextDecoder().decode(header) !== SQLITE_MAGIC) {
      throw new UsageError(`${path} is not a photosync database; move it away or choose another --dir`);
    }
    const db = new DatabaseSync(path);
    try {
      const { user_version: version } = db.prepare("PRAGMA user_version").get() as { user_version: number };
      if (version > SCHEMA_VERSION) {
        throw new UsageError(
          `${path} was written by a newer photosync (schema ${version}); upgrade photosync to use it`,
        );
      }
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
      db.exec(SCHEMA);
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    } catch (error) {
      db.close();
      if (error instanceof PhotosyncError) throw error;
      throw new UsageError(`cannot use ${path}: ${(error as Error).message}`, { cause: error });
    }
    Deno.chmodSync(path, 0o600);
    return new Store(db);
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

  /**
   * Record `ranges` as searches to do (undefined: the whole library) and return every open
   * search, those left by an interrupted run first.
   */
  planSearches(ranges: readonly (DateRange | undefined)[]): OpenSearch[] {
    this.transaction(() =>
      ranges.forEach((range) => this.#insertSearch({ key: crypto.randomUUID(), range }))
    );
    const rows = this.#db.prepare("SELECT key, start_date, end_date FROM searches ORDER BY rowid").all() as {
      key: string;
      start_date: string;
      end_date: string;
    }[];
    return rows.map((row) => ({
      key: row.key,
      range: row.start_date === ""
        ? undefined
        : { startDate: parseDate(row.start_date), endDate: parseDate(row.end_date) },
    }));
  }

  #insertSearch({ key, range }: OpenSearch): void {
    this.#db.prepare("INSERT OR IGNORE INTO searches (key, start_date, end_date) VALUES (?, ?, ?)")
      .run(key, range ? formatDate(range.startDate) : "", range ? formatDate(range.endDate) : "");
  }

  /**
   * Write one page of a search in one transaction: new items are added as pending, changed
   * ones updated in place, failed ones seen again are given another try; and the search is
   * narrowed, finished or replaced by its parts, as the page's outcome says.
   */
  savePage({ search, items, outcome }: SearchPage): PageResult {
    return this.transaction(() => {
      if (outcome.kind === "more" && items.length > 0) {
        // Pages come newest first: the days after the oldest item of this page are done.
        const reached = formatDate(civilDate(Math.min(...items.map(creationMs))));
        this.#db.prepare(
          `UPDATE OR REPLACE searches SET start_date = ?,
             end_date = CASE end_date WHEN '' THEN ?2 ELSE min(end_date, ?2) END WHERE key = ?3`,
        ).run(search.range ? formatDate(search.range.startDate) : formatDate(EARLIEST), reached, search.key);
      } else if (outcome.kind !== "more") {
        this.#db.prepare("DELETE FROM searches WHERE key = ?").run(search.key);
        if (outcome.kind === "split") outcome.searches.forEach((part) => this.#insertSearch(part));
      }
      const result: PageResult = { added: 0, updated: 0 };
      for (const item of items) {
        const { baseUrl: _, ...kept } = item;
        const json = JSON.stringify(kept);
        const known = this.#find.get(item.id) as { json: string; status: string } | undefined;
        if (known && known.json === json && known.status !== "failed") continue;
        // SQLite hands text back only up to a NUL; the JSON keeps the original name.
        const filename = (item.filename ?? "").replaceAll("\0", "_");
        this.#upsert.run(item.id, filename, creationMs(item), isVideo(item) ? 1 : 0, json);
        if (known) result.updated++;
        else result.added++;
      }
      return result;
    });
  }

  /** Creation times (epoch ms) of the oldest and newest known items, or undefined when empty. */
  knownSpan(): { oldest: number; newest: number } | undefined {
    const row = this.#db.prepare("SELECT min(created_ms) AS oldest, max(created_ms) AS newest FROM items")
      .get() as { oldest: number | null; newest: number | null };
    return row.oldest === null || row.newest === null
      ? undefined
      : { oldest: row.oldest, newest: row.newest };
  }

  /** Pending items after `(createdMs, id)` in creation order, at most `limit`. */
  pendingAfter(after: { createdMs: number; id: string } | undefined, limit: number): ItemRow[] {
    const rows = this.#db.prepare(`
      SELECT * FROM items WHERE status = 'pending' AND (created_ms, id) > (?, ?)
      ORDER BY created_ms, id LIMIT ?`).all(after?.createdMs ?? -8.64e15, after?.id ?? "", limit);
    return rows.map(toRow);
  }

  /** Number of pending items. */
  pendingCount(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM items WHERE status = 'pending'").get() as {
      n: number;
    }).n;
  }

  /**
   * Record `path` for the item unless another item holds it (compared case-insensitively,
   * as macOS and Windows file systems do). Returns whether the path is now the item's.
   */
  claimPath(id: string, path: string): boolean {
    const result = this.#db.prepare("UPDATE OR IGNORE items SET path = ?, path_key = ? WHERE id = ?")
      .run(path, path.toLowerCase(), id);
    return result.changes === 1;
  }

  /** Mark items downloaded with their final sizes, in one transaction. */
  markDownloaded(done: readonly { id: string; size: number }[]): void {
    const statement = this.#db.prepare(
      "UPDATE items SET status = 'downloaded', size = ?, note = NULL WHERE id = ?",
    );
    this.transaction(() => done.forEach(({ id, size }) => statement.run(size, id)));
  }

  /** Mark an item failed with a reason; indexing it again gives it another try. */
  markFailed(id: string, reason: string): void {
    this.#db.prepare("UPDATE items SET status = 'failed', note = ? WHERE id = ?").run(reason, id);
  }

  /** Attach a note to a pending item (e.g. a video still being processed). */
  notePending(id: string, note: string): void {
    this.#db.prepare("UPDATE items SET note = ? WHERE id = ? AND status = 'pending'").run(note, id);
  }

  /** All downloaded items (for `--resync`). */
  *downloaded(): Generator<ItemRow> {
    const statement = this.#db.prepare(
      "SELECT * FROM items WHERE status = 'downloaded' ORDER BY created_ms, id",
    );
    for (const row of statement.iterate()) yield toRow(row as Record<string, unknown>);
  }

  /** Put downloaded items back to pending. */
  requeue(ids: readonly string[]): void {
    const statement = this.#db.prepare("UPDATE items SET status = 'pending', size = NULL WHERE id = ?");
    this.transaction(() => ids.forEach((id) => statement.run(id)));
  }

  /** Counts for `photosync status`. */
  counts(): StoreCounts {
    const totals = this.#db.prepare(`
      SELECT count(*) AS items,
        coalesce(sum(status = 'downloaded'), 0) AS downloaded,
        coalesce(sum(status = 'pending'), 0) AS pending,
        coalesce(sum(status = 'failed'), 0) AS failed,
        coalesce(sum(CASE status WHEN 'downloaded' THEN size END), 0) AS bytes
      FROM items`).get() as Omit<StoreCounts, "failures" | "notes">;
    const failures = this.#db.prepare(
      "SELECT id, filename, note AS reason FROM items WHERE status = 'failed' ORDER BY created_ms, id",
    ).all() as StoreCounts["failures"];
    const notes = this.#db.prepare(
      "SELECT id, filename, note FROM items WHERE status = 'pending' AND note IS NOT NULL ORDER BY created_ms, id",
    ).all() as StoreCounts["notes"];
    return { ...totals, failures, notes };
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

  close(): void {
    this.#db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function toRow(row: Record<string, unknown>): ItemRow {
  return {
    id: row.id as string,
    filename: row.filename as string,
    createdMs: row.created_ms as number,
    isVideo: row.is_video === 1,
    status: row.status as ItemRow["status"],
    path: row.path as string | null,
    size: row.size as number | null,
    note: row.note as string | null,
  };
}
