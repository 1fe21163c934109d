/**
 * Assertions shared by the tests that run the CLI: one-line errors, bytes on disk, where an item lands,
 * secrets kept out of the output.
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import type { CliResult } from "./harness.ts";
import { listFiles } from "./harness.ts";
import { type FixtureItem, mediaBytes } from "./library_fixture.ts";

/**
 * Where the default layout puts `item`, relative to the output folder: `YYYY/MM/DD/<filename>` of its UTC
 * creation day.
 */
export function expectedPath(item: FixtureItem): string {
  return `${item.creationTime.slice(0, 10).replaceAll("-", "/")}/${item.filename}`;
}

/**
 * The run exited with `code` and printed exactly one `error: ` line, matching `message`, and no stack trace;
 * with `alone`, that line is all of stderr. Returns the line.
 */
export function assertOneLineError(
  result: CliResult,
  code: number,
  message: RegExp = /^error: /,
  { alone = false }: { alone?: boolean } = {},
): string {
  const detail = `exit ${result.code}\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}`;
  assert.equal(result.code, code, detail);
  assert.doesNotMatch(result.stderr, /^\s+at /m, `stack trace on stderr\n${detail}`);
  const lines = result.stderr.split("\n");
  const errors = lines.filter((line) => line.startsWith("error: "));
  assert.equal(errors.length, 1, `not one error line\n${detail}`);
  if (alone) assert.equal(lines.length, 1, `stderr is not one line\n${detail}`);
  assert.match(errors[0], message, detail);
  return errors[0];
}

/**
 * `actual` (a file's path, or bytes) holds exactly `expected`: the media bytes of a fixture item, or the
 * given bytes.
 */
export async function assertSameBytes(
  actual: string | Uint8Array,
  expected: FixtureItem | Uint8Array,
  message = typeof actual === "string" ? `${actual} differs` : "the bytes differ",
): Promise<void> {
  const bytes = typeof actual === "string" ? await Deno.readFile(actual) : actual;
  const want = expected instanceof Uint8Array ? expected : mediaBytes(expected);
  assert.equal(bytes.length, want.length, `${message}: size`);
  assert.ok(Buffer.from(bytes).equals(want), message);
}

/** Every item is at its {@linkcode expectedPath} under `dir` with its media bytes. */
export async function assertItemFiles(dir: string, items: Iterable<FixtureItem>): Promise<void> {
  for (const it of items) await assertSameBytes(join(dir, expectedPath(it)), it);
}

/** {@linkcode assertItemFiles}, and `dir` holds no other file (no temporary one) besides `sync.db`. */
export async function assertTree(dir: string, items: Iterable<FixtureItem>): Promise<void> {
  const list = [...items];
  await assertItemFiles(dir, list);
  assert.equal((await listFiles(dir)).length, list.length, "no other files (no temporary ones)");
}

/** No secret appears in the stdout or stderr of any of the runs. */
export function assertNoSecrets(results: Iterable<CliResult>, secrets: Iterable<string>): void {
  const list = [...secrets];
  for (const result of results) {
    for (const secret of list) {
      assert.ok(!(result.stdout + result.stderr).includes(secret), "a secret leaked");
    }
  }
}

/**
 * Whether the entry at `link` is a hard link of the file at `file` (a regular file of the same device and
 * inode): an album's entry where symbolic links are refused, made by `OutputTree.link`.
 */
export function isHardLinkOf(link: string, file: string): boolean {
  const [entry, target] = [Deno.lstatSync(link), Deno.lstatSync(file)];
  return entry.isFile && entry.dev === target.dev && entry.ino === target.ino;
}
