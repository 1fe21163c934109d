import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { errcode, guardFile, storageFailure } from "./store_db.ts";

const ioError = (code: number) => Object.assign(new Error("disk I/O error"), { errcode: code });

Deno.test("storageFailure: a write refused for space or size is a full disk or a size limit; another I/O error names its code and the drive, not a full disk", () => {
  const path = "/media/usb/photos/sync.db";
  // SQLITE_FULL, SQLITE_IOERR_WRITE (ENOSPC, EFBIG), and "disk I/O error" without its extended code.
  assert.match(storageFailure(path, ioError(13)).message, /^the disk is full \(writing /);
  for (const code of [778, 10]) {
    assert.match(
      storageFailure(path, ioError(code)).message,
      /^the disk is full or a file size limit stopped it/,
    );
  }
  assert.match(storageFailure(path, ioError(266)).message, /^cannot read .*failed to read it/);
  const others = [
    [4618, "SQLITE_IOERR_SHMOPEN"],
    [4874, "SQLITE_IOERR_SHMSIZE"],
    [5130, "SQLITE_IOERR_SHMLOCK"],
    [5386, "SQLITE_IOERR_SHMMAP"],
    [1546, "SQLITE_IOERR_TRUNCATE"],
    [3850, "SQLITE_IOERR_LOCK"],
    [1034, "SQLITE_IOERR_FSYNC"],
  ] as const;
  for (const [code, name] of others) {
    const { message } = storageFailure(path, ioError(code));
    assert.doesNotMatch(message, /full|size limit/, name);
    assert.doesNotMatch(message, /\n/);
    assert.equal(
      message,
      `the drive refused what SQLite needs to use ${path} (${name}: disk I/O error); is it still connected? ` +
        "sync.db needs a file system with working locking and shared memory: a local disk, not a network share " +
        "or a FUSE FAT driver",
    );
  }
});

Deno.test("guardFile: a statement run through exec carries SQLite's extended code (node:sqlite's exec gives none)", () => {
  using db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)");
  const guarded = guardFile(db, ":memory:");
  // SQLITE_CONSTRAINT_PRIMARYKEY: what a statement's error says, where exec's said only "constraint failed".
  assert.throws(() => guarded.exec("INSERT INTO t VALUES (1)"), (error) => errcode(error) === 1555);
  // Several statements still run at once; a statement run twice is one prepared.
  guarded.exec("INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);");
  guarded.exec("BEGIN");
  guarded.exec("COMMIT");
  guarded.exec("BEGIN");
  guarded.exec("COMMIT");
  assert.equal(guarded.prepare("SELECT count(*) AS n FROM t").get()?.n, 3);
});
