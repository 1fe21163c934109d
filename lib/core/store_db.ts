/**
 * `sync.db`'s connection as the store uses it: every call that meets a damaged file (SQLite's
 * "database disk image is malformed", "file is not a database", which can surface at any query,
 * not only when it is opened) ends in one line naming the file and what to do, exit 2; one whose
 * read or write the file system refused (a full disk, a file size limit, a drive refusing SQLite's locks or
 * shared memory), in one line saying so, exit 1.
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

/** `SQLITE_IOERR_WRITE`: a write of the file or its WAL refused, for space (`ENOSPC`) or size (`EFBIG`) most often. */
const SQLITE_IOERR_WRITE = 778;

/** The names of `SQLITE_IOERR`'s extended codes, by their upper byte (sqlite3.h), for the line that names one. */
const IOERR_NAMES = [
  "",
  "READ",
  "SHORT_READ",
  "WRITE",
  "FSYNC",
  "DIR_FSYNC",
  "TRUNCATE",
  "FSTAT",
  "UNLOCK",
  "RDLOCK",
  "DELETE",
  "BLOCKED",
  "NOMEM",
  "ACCESS",
  "CHECKRESERVEDLOCK",
  "LOCK",
  "CLOSE",
  "DIR_CLOSE",
  "SHMOPEN",
  "SHMSIZE",
  "SHMLOCK",
  "SHMMAP",
  "SEEK",
  "DELETE_NOENT",
  "MMAP",
  "GETTEMPPATH",
  "CONVPATH",
  "VNODE",
  "AUTH",
  "BEGIN_ATOMIC",
  "COMMIT_ATOMIC",
  "ROLLBACK_ATOMIC",
  "DATA",
  "CORRUPTFS",
];

/**
 * Run `sql` on `db`. One statement is prepared and run, so that its error carries SQLite's extended result
 * code (node:sqlite's `exec` gives its errors none, and "disk I/O error" alone does not tell a full disk from
 * a drive refusing SQLite's locks or shared memory: see {@link storageFailure}); several go through `exec`.
 * A statement prepared here is kept by the caller when it runs often (see {@link guardFile}).
 */
export function execute(
  db: DatabaseSync,
  sql: string,
  prepare: (sql: string) => { run(): unknown } = (text) => db.prepare(text),
): void {
  if (/;\s*\S/.test(sql)) db.exec(sql);
  else prepare(sql).run();
}

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
 * SQLite tells a full disk (`SQLITE_FULL`: `ENOSPC` writing the file) apart; its "disk I/O error" says only by
 * its extended code which call failed. A write refused (`SQLITE_IOERR_WRITE`), or an error without its
 * extended code, is most likely a full disk all the same, a disk quota, or a file size limit (`EFBIG`: the
 * shell's `ulimit -f`; the WAL grows to 32 MB between checkpoints), so the line names them; a read refused,
 * the disk. Any other (a lock, the WAL's shared memory `sync.db-shm`, a truncate, an fsync: a FUSE FAT
 * driver refusing `ftruncate`, a network share, a drive pulled out) is the drive refusing what SQLite needs:
 * the line names the code, not a full disk.
 *
 * @example Usage
 * ```ts
 * import { storageFailure } from "./store_db.ts";
 * import assert from "node:assert/strict";
 *
 * const efbig = Object.assign(new Error("disk I/O error"), { errcode: 778 });
 * assert.match(storageFailure("/photos/sync.db", efbig).message, /^the disk is full or a file size limit stopped/);
 * const shm = Object.assign(new Error("disk I/O error"), { errcode: 4618 });
 * assert.match(storageFailure("/photos/sync.db", shm).message, /refused what SQLite needs .*SQLITE_IOERR_SHMOPEN/);
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
  if (code === SQLITE_IOERR_WRITE || code === SQLITE_IOERR) {
    return new FileSystemError(
      `the disk is full or a file size limit stopped it (writing ${path}: ${message}); free some space or raise ` +
        "the limit (the shell's ulimit -f, a disk quota) and run photosync again: nothing downloaded so far is lost",
      { cause: error },
    );
  }
  const name = IOERR_NAMES[code >> 8] ? `SQLITE_IOERR_${IOERR_NAMES[code >> 8]}` : `SQLite code ${code}`;
  return new FileSystemError(
    `the drive refused what SQLite needs to use ${path} (${name}: ${message}); is it still connected? sync.db ` +
      "needs a file system with working locking and shared memory: a local disk, not a network share or a FUSE " +
      "FAT driver",
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
 * its own, so that two iterations of one query at once do not reset each other. Deno's node:sqlite ends an
 * iteration that met an error (a damaged page) as if it were done: a command that must see every row
 * (`verify`) checks the whole file first (`Store.open`'s `whole`); asking again for a row past the last one
 * read took another run's rows committed meanwhile for a read cut short (`status` during an import).
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
  // The statements `exec` runs (BEGIN, COMMIT: one per transaction), each prepared once.
  const executed = new Map<string, StatementSync>();
  const preparedOnce = (sql: string) => {
    let statement = executed.get(sql);
    if (!statement) executed.set(sql, statement = db.prepare(sql));
    return statement;
  };
  return {
    exec: (sql) => guard(() => execute(db, sql, preparedOnce)),
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
