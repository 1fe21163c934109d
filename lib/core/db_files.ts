/**
 * The names of the files photosync keeps beside the photos: the index and its lock. Apart from
 * the store, so that code that only needs the names (the output tree) does not load SQLite.
 * @module
 */

/** The index's file name inside the output directory. */
export const DB_FILE = "sync.db";

/** A file beside the index that a running photosync holds locked, so two runs never share a folder. */
export const LOCK_FILE = `${DB_FILE}-lock`;
