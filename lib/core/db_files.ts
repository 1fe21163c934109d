/**
 * The names of the files photosync keeps beside the photos: the index and its lock. Apart from
 * the store, so that code that only needs the names (the output tree) does not load SQLite.
 * @module
 */

/** The index's file name inside the output directory. */
export const DB_FILE = "sync.db";

/** A file beside the index that a running photosync holds locked, so two runs never share a folder. */
export const LOCK_FILE = `${DB_FILE}-lock`;

/**
 * The name a first run builds the index under, renamed to {@link DB_FILE} once its schema is whole: a
 * reader (`status` during that run) never sees a `sync.db` without it.
 */
export const NEW_DB_FILE = `${DB_FILE}-new`;
