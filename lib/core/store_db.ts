/**
 * `sync.db`'s connection as the store uses it: every call that meets a damaged file (SQLite's
 * "database disk image is malformed", "file is not a database", which can surface at any query,
 * not only when it is opened) ends in one line naming the file and what to do, exit 2; one whose
 * read or write the file system refused (a full disk, a file size limit), in one line saying so, exit 1.
 * @module
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { UsageError } from "./errors.ts";
import { FileSystemError } from "./output_tree.ts";

/** SQLite's result codes for a damaged file: `SQLITE_CORRUPT` and `SQLITE_NOTADB` (primary codes). */
const DAMAGE_CODES = new Set([11, 26]);

/** SQLite's primary result codes for a read or write the file system refused: `SQLITE_IOERR`, `SQLITE_FULL`. */
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;

/** `SQLITE_IOERR`'s extended codes for a read: `SQLITE_IOERR_READ`, `SQLITE_IOERR_SHORT_READ`. */
const READ_CODES = new Set([266, 522]);

/**
 * SQLite's primary result codes by their text, for an error that has only its message: Deno's node:sqlite
 * gives `exec`'s errors (a `COMMIT` that fails, say) no `errcode`.
 */
const CODES_BY_TEXT = new Map([
  ["disk I/O error", SQLITE_IOERR],
  ["database disk image is malformed", 11],
  ["database or disk is full", SQLITE_FULL],
  ["file is not a database", 26],
]);

/**
 * SQLite's result code of `error` (extended where it has one), or undefined for another error.
 *
 * @example Usage
 * ```ts
 * import { errcode } from "./store_db.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(errcode(Object.assign(new Error("disk I/O error"), { code: "ERR_SQLITE_ERROR" })), 10);
 * assert.equal(errcode(new Error("disk I/O error")), undefined);
 * ```
 */
export function errcode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown })?.errcode;
  if (typeof code === "number") return code;
  return (error as { code?: unknown })?.code === "ERR_SQLITE_ERROR"
    ? CODES_BY_TEXT.get((error as Error).message)
    : undefined;
}

/**
 * Whether `error` is SQLite's for a read or write of the file that the file system refused (a full disk,
 * a file size limit, a failing disk): see {@link storageFailure}.
 *
 * @example Usage
 * ```ts
 * import { isStorageFailure } from "./store_db.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isStorageFailure(Object.assign(new Error("disk I/O error"), { errcode: 778 })), true);
 * assert.equal(isStorageFailure(Object.assign(new Error("database or disk is full"), { errcode: 13 })), true);
 * assert.equal(isStorageFailure(Object.assign(new Error("UNIQUE constraint failed"), { errcode: 2067 })), false);
 * ```
 */
export function isStorageFailure(error: unknown): boolean {
  const code = errcode(error);
  return code !== undefined && [SQLITE_IOERR, SQLITE_FULL].includes(code & 0xff);
}

/**
 * The one line (exit 1) for SQLite's `error` reading or writing `sync.db` at `path` ({@link isStorageFailure}).
 * SQLite tells a full disk (`SQLITE_FULL`: `ENOSPC` writing the file) apart, but not the causes of its
 * "disk I/O error": a write that fails so is most likely a full disk all the same (growing the WAL's index,
 * `sync.db-shm`, fails so), a disk quota, or a file size limit (`EFBIG`: the shell's `ulimit -f`; the WAL
 * grows to 32 MB between checkpoints), so the line names them; a read that fails so, the disk.
 *
 * @example Usage
 * ```ts
 * import { storageFailure } from "./store_db.ts";
 * import assert from "node:assert/strict";
 *
 * const efbig = Object.assign(new Error("disk I/O error"), { errcode: 778 });
 * assert.match(storageFailure("/photos/sync.db", efbig).message, /^the disk is full or a file size limit stopped/);
 * ```
 */
export function storageFailure(path: string, error: unknown): FileSystemError {
  const code = errcode(error) ?? 0;
  const message = (error as Error).message;
  if ((code & 0xff) === SQLITE_FULL) {
    return new FileSystemError(
      `the disk is full (writing ${path}); free some space and run photosync again: nothing downloaded so far is lost`,
      { cause: error },
    );
  }
  if (READ_CODES.has(code)) {
    return new FileSystemError(
      `cannot read ${path} (${message}): the disk it is on failed to read it; check the disk and run photosync again`,
      { cause: error },
    );
  }
  return new FileSystemError(
    `the disk is full or a file size limit stopped it (writing ${path}: ${message}); free some space or raise ` +
      "the limit (the shell's ulimit -f, a disk quota) and run photosync again: nothing downloaded so far is lost",
    { cause: error },
  );
}

/** `sync.db` is damaged: photosync stops without writing to it. */
export class DamagedDatabaseError extends UsageError {
  constructor(path: string, cause: unknown) {
    super(
      `${path} is damaged (${(cause as Error).message}); restore it from a backup, or repair it ` +
        `(sqlite3 ${path} .recover) and put the result in its place`,
      { cause },
    );
    this.name = "DamagedDatabaseError";
  }
}

/**
 * Whether `error` is SQLite's for a damaged file.
 *
 * @example Usage
 * ```ts
 * import { isDamage } from "./store_db.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isDamage(Object.assign(new Error("database disk image is malformed"), { errcode: 11 })), true);
 * assert.equal(isDamage(Object.assign(new Error("UNIQUE constraint failed"), { errcode: 2067 })), false);
 * ```
 */
export function isDamage(error: unknown): boolean {
  const code = errcode(error);
  return code !== undefined && DAMAGE_CODES.has(code & 0xff);
}

/** A prepared statement, as the store uses them. */
export interface Statement {
  run(...values: SQLInputValue[]): ReturnType<StatementSync["run"]>;
  get(...values: SQLInputValue[]): ReturnType<StatementSync["get"]>;
  all(...values: SQLInputValue[]): ReturnType<StatementSync["all"]>;
  iterate(...values: SQLInputValue[]): Iterable<NonNullable<ReturnType<StatementSync["get"]>>>;
}

/** The connection, as the store uses it. */
export interface StoreDb {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  readonly isTransaction: boolean;
  close(): void;
}

/**
 * `db` (the file at `path`), whose calls throw {@link DamagedDatabaseError} for a damaged file and
 * {@link storageFailure}'s error for a read or write the file system refused.
 * Each SQL text is prepared once and its statement kept: a statement prepared per call holds
 * about 2.5 KB of SQLite's memory that V8 does not see and never gave back before the connection
 * closed (an import of 100,000 entries grew by hundreds of MB). An `iterate` gets a statement of
 * its own, so that two iterations of one query at once do not reset each other.
 */
export function guardFile(db: DatabaseSync, path: string): StoreDb {
  const guard = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      if (isDamage(error)) throw new DamagedDatabaseError(path, error);
      throw isStorageFailure(error) ? storageFailure(path, error) : error;
    }
  };
  const prepared = new Map<string, Statement>();
  return {
    exec: (sql) => guard(() => db.exec(sql)),
    prepare(sql) {
      const known = prepared.get(sql);
      if (known) return known;
      const statement = guard(() => db.prepare(sql));
      const wrapped: Statement = {
        run: (...values) => guard(() => statement.run(...values)),
        get: (...values) => guard(() => statement.get(...values)),
        all: (...values) => guard(() => statement.all(...values)),
        *iterate(...values) {
          const own = guard(() => db.prepare(sql));
          const rows = guard(() => own.iterate(...values));
          while (true) {
            const next = guard(() => rows.next());
            if (next.done) return;
            yield next.value;
          }
        },
      };
      prepared.set(sql, wrapped);
      return wrapped;
    },
    get isTransaction() {
      return db.isTransaction;
    },
    // The last connection's close moves the WAL into the file: a write like any other.
    close: () => guard(() => db.close()),
  };
}
