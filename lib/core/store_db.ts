/**
 * `sync.db`'s connection as the store uses it: every call that meets a damaged file (SQLite's
 * "database disk image is malformed", "file is not a database", which can surface at any query,
 * not only when it is opened) ends in one line naming the file and what to do, exit 2.
 * @module
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { UsageError } from "./errors.ts";

/** SQLite's result codes for a damaged file: `SQLITE_CORRUPT` and `SQLITE_NOTADB` (primary codes). */
const DAMAGE_CODES = new Set([11, 26]);

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
  const code = (error as { errcode?: unknown })?.errcode;
  return typeof code === "number" && DAMAGE_CODES.has(code & 0xff);
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
 * `db` (the file at `path`), whose calls throw {@link DamagedDatabaseError} for a damaged file.
 * Each SQL text is prepared once and its statement kept: a statement prepared per call holds
 * about 2.5 KB of SQLite's memory that V8 does not see and never gave back before the connection
 * closed (an import of 100,000 entries grew by hundreds of MB). An `iterate` gets a statement of
 * its own, so that two iterations of one query at once do not reset each other.
 */
export function guardDamage(db: DatabaseSync, path: string): StoreDb {
  const guard = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      throw isDamage(error) ? new DamagedDatabaseError(path, error) : error;
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
    close: () => db.close(),
  };
}
