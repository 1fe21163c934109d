/**
 * Where the bytes of one archive of a Takeout export come from: all that both passes of an
 * import (`catalog.ts`, `import.ts`) read. Today a local zip, tgz or extracted folder
 * (`archive.ts`); an export on Drive or WebDAV adds one implementation and runs the same
 * importer.
 * @module
 */
import type { ArchiveEntry } from "./entry.ts";

/** One archive (or extracted folder) of an export. */
export interface ArchiveSource {
  /** How messages and the report name it (the path given). */
  readonly path: string;
  /**
   * Its file name: part of each imported entry's checkpoint, so that a re-run skips the entry
   * wherever the archive is now.
   */
  readonly name: string;
  /**
   * One stream (a tgz): each body must be read (or left) before the next entry is asked for,
   * and a broken entry ends the archive. Otherwise (a zip, a folder) bodies are read at random,
   * several at once, and the archive goes on past a broken entry.
   */
  readonly sequential: boolean;
  /**
   * The path of a local zip, which stage workers open themselves to stage its entries off the
   * main thread. Absent: entries are staged on the main thread from {@link entries}' bodies.
   */
  readonly zipPath?: string;
  /**
   * Whether its entries come with their stored bytes (`ArchiveEntry.stored`: a remote zip's),
   * which a stage worker decodes; the import then starts stage workers for it.
   */
  readonly storedEntries?: boolean;
  /**
   * Its own bytes (its file's size), where known: a zip's are about what stage workers would be given of
   * it (photos and videos hardly deflate), known before it is read (see `EarlyStageWorkers`).
   */
  readonly size?: number;
  /**
   * Told, before a pass over {@link entries}, which entries (by `index`) the pass will read the
   * bodies of, in order: an archive in a remote store fetches them in a few large requests,
   * ahead of the reader. Absent: bodies are read as asked for.
   */
  willRead?(indices: readonly number[]): void;
  /** Every regular file, in stored order; an `ArchiveError` when the archive cannot be read (further). */
  entries(): AsyncGenerator<ArchiveEntry>;
}
