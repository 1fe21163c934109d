/**
 * An archive in a {@link RemoteStore} as an {@link ArchiveSource}: what the catalog and the
 * import read, so a remote export is imported by the same code, under the same rules, as a local
 * one. A zip is read by ranges (`ranged_zip.ts`): its directory, then only what a pass will read.
 * A tgz cannot be read by ranges: it is one stream, read once per pass.
 * @module
 */
import type { ArchiveSource } from "../archive_source.ts";
import { tgzEntries } from "../archive.ts";
import { type ArchiveEntry, ArchiveError } from "../entry.ts";
import { readRange } from "./range_read.ts";
import { RangedZip, type RangedZipOptions } from "./ranged_zip.ts";
import type { KeptBytes } from "./pass_memory.ts";
import type { RemoteFile, RemoteStore } from "./remote_store.ts";

/** An archive of a store, open for the passes of one import. */
export interface RemoteArchive extends ArchiveSource, Disposable {
  readonly file: RemoteFile;
}

/** The bytes a zip's directory was read from by an earlier run, and where to keep them for the next. */
export interface DirectoryMemory {
  kept(): readonly KeptBytes[] | undefined;
  keep(kept: readonly KeptBytes[]): void;
}

/** Whether a store's file is a zip (by its name), else a tgz. */
export function isZipName(name: string): boolean {
  return /\.zip$/i.test(name);
}

/**
 * `file` of `store` as an archive: a zip's directory is read now (a damaged one is reported by
 * the import, as for a local zip; a store that cannot be read throws its error). `spoolDir`:
 * where large spans wait for the reader (the backup's temporary folder); `fetches`: the run's
 * requests, shared by all its archives; `directory`: where a zip's directory is kept between runs.
 */
export async function remoteArchive(
  store: RemoteStore,
  file: RemoteFile,
  options: RangedZipOptions,
  directory?: DirectoryMemory,
): Promise<RemoteArchive> {
  const base = { path: file.location, name: file.name, file, size: file.size };
  if (!isZipName(file.name)) {
    return {
      ...base,
      sequential: true,
      entries: () => tgzEntries(readRange(store, file, 0, file.size, options)),
      [Symbol.dispose]() {},
    };
  }
  let zip: RangedZip;
  try {
    const kept = directory?.kept();
    try {
      zip = await RangedZip.open(store, file, options, kept);
    } catch (error) {
      // Bytes kept that are no good directory (not what this file holds after all): read from the file.
      if (!kept || !(error instanceof ArchiveError)) throw error;
      zip = await RangedZip.open(store, file, options);
    }
    if (!kept) directory?.keep(zip.kept);
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    return {
      ...base,
      sequential: false,
      // deno-lint-ignore require-yield
      async *entries(): AsyncGenerator<ArchiveEntry> {
        throw error;
      },
      [Symbol.dispose]() {},
    };
  }
  return {
    ...base,
    sequential: false,
    storedEntries: true,
    entries: () => zip.entries(),
    willRead: (indices) => zip.willRead(indices),
    [Symbol.dispose]: () => zip.close(),
  };
}
