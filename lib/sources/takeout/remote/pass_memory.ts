/**
 * What a run over a remote store's export keeps of its catalog pass for the next run: each part's zip
 * directory (the tail of the file read at opening) and the JSON files (sidecars, album metadata) read.
 * On a slow link that pass may take longer than a run's `--max-time` (the directories of large parts are
 * megabytes, and reading a sidecar reads the photos between it and the next sidecar too: see `SPAN_GAP`);
 * a run stopped in it kept nothing, so the next read it all again and placed nothing, run after run. With
 * this, each run reads on from where the last stopped, and the import begins once every sidecar is known.
 *
 * Kept in `sync.db` (the store's checkpoints, under a key space no source has: a CI job keeps `sync.db`
 * between runs, and nothing else), keyed by the export's stamp and the part's name, size and time, so that
 * a part replaced by another copy is read again. What is kept changes no decision: a JSON file's text is the
 * one read before (an entry of the same part, index, size and CRC-32), a directory the same bytes. Written a
 * batch at a time; a run killed between batches loses at most that batch (read again next run). Forgotten
 * once the export is imported in full, or once a complete listing of the store holds it no more. Also kept
 * (apart, and not forgotten with an export): the bandwidth-delay product of the link to each store as a run
 * last measured it (`RangeFetches`): a run whose parts' directories were kept fetches
 * nothing before its catalog's plan, whose spans' gaps follow it (`ranged_zip.ts`, `spanGap`). Kept only by
 * runs with a time limit (`--max-time`: the runs made to stop and resume): 25,000 sidecars' texts took
 * 0.35–0.46 s to write and 0.66–0.77 s to remove, and left 20 MB of free pages in `sync.db`; a run without a
 * limit uses (and forgets) what one with a limit kept.
 * @module
 */
import type { CheckpointChange, Store } from "../../../core/store.ts";
import type { ArchiveEntry } from "../entry.ts";
import type { RemoteFile } from "./remote_store.ts";

/** The checkpoints' "source" of what is kept of exports (not a source's name: those are plain words). */
export const PASS_MEMORY = ":takeout-pass";
/**
 * The checkpoints' "source" of the links' measures, by store: apart from the exports', so that a backup
 * with none of those kept (every export imported in full) looks none up.
 */
export const LINK_MEMORY = ":takeout-link";

/** JSON files kept in one write (a transaction each). */
const BATCH = 256;

/** Bytes of a part kept from its opening: where in the file they start, and they. */
export interface KeptBytes {
  start: number;
  bytes: Uint8Array;
}

/** What earlier runs read of the parts of remote exports, and what this run reads. */
export class PassMemory implements Disposable {
  readonly #store: Store;
  /** Undefined: nothing kept by earlier runs, nor to be kept by this one (no look-ups then). */
  readonly #lookup?: (key: string) => string | undefined;
  readonly #keep: boolean;
  #pending: { key: string; value: string }[] = [];

  /** `keep`: this run keeps what it reads (else it only uses, and forgets, what earlier runs kept). */
  constructor(store: Store, { keep }: { keep: boolean }) {
    this.#store = store;
    this.#keep = keep;
    if (keep || store.hasCheckpoints(PASS_MEMORY)) this.#lookup = store.checkpointLookup(PASS_MEMORY);
  }

  /** The bytes of `file` (of the export `stamp`) kept from its opening by an earlier run, if any. */
  directory(stamp: string, file: RemoteFile): KeptBytes[] | undefined {
    const value = this.#lookup?.(directoryKey(stamp, file));
    if (value === undefined) return undefined;
    try {
      return (JSON.parse(value) as { start: number; base64: string }[]).map(({ start, base64 }) => ({
        start,
        bytes: Uint8Array.fromBase64(base64),
      }));
    } catch {
      // Not what this version writes: read again (and kept anew).
      return undefined;
    }
  }

  /** Keep the bytes `file` was opened from (its tail and directory), for the next run. */
  keepDirectory(stamp: string, file: RemoteFile, kept: readonly KeptBytes[]): void {
    if (!this.#keep) return;
    const value = JSON.stringify(kept.map(({ start, bytes }) => ({ start, base64: bytes.toBase64() })));
    this.#write({ put: [{ key: directoryKey(stamp, file), value }] });
  }

  /**
   * The bandwidth-delay product of the link to `store` (its description) an earlier run measured: a run
   * that reads the directories kept fetches nothing before its first plan (see `RangeFetches`).
   */
  link(store: string): number | undefined {
    const value = this.#store.checkpoint(LINK_MEMORY, store);
    const bytes = value === undefined ? NaN : Number(value);
    return bytes >= 0 ? bytes : undefined;
  }

  /** Keep the link's bandwidth-delay product measured now (`Infinity`: faster than the clock told). */
  keepLink(store: string, bandwidthDelay: number): void {
    if (!this.#keep) return;
    const value = String(bandwidthDelay);
    if (this.#store.checkpoint(LINK_MEMORY, store) === value) return;
    this.#write({ put: [{ key: store, value }] }, LINK_MEMORY);
  }

  /** The text of `entry` of `file` as an earlier run (or this one) read it, if kept. */
  json(stamp: string, file: RemoteFile, entry: ArchiveEntry): string | undefined {
    if (!this.#lookup) return undefined;
    const key = jsonKey(stamp, file, entry);
    if (key === undefined) return undefined;
    return this.#lookup(key) ?? this.#pending.find((kept) => kept.key === key)?.value;
  }

  /** Keep the text of `entry` of `file` read now (written with the next batch). */
  keepJson(stamp: string, file: RemoteFile, entry: ArchiveEntry, text: string): void {
    if (!this.#keep) return;
    const key = jsonKey(stamp, file, entry);
    if (key === undefined) return;
    this.#pending.push({ key, value: text });
    if (this.#pending.length >= BATCH) this.flush();
  }

  /** Write what was read and not written yet (the run stops, or its pass ended). */
  flush(): void {
    if (this.#pending.length === 0) return;
    const put = this.#pending;
    this.#pending = [];
    this.#write({ put });
  }

  /**
   * Write what is kept, or let it go: a cache of what the next run can read again, whose write failing
   * (`sync.db` on a full disk) must not end the run, nor, in a `finally` or a disposal, take the place of the
   * error that did (the run's own writes say what is wrong with `sync.db`).
   */
  #write(change: CheckpointChange, source = PASS_MEMORY): void {
    try {
      this.#store.updateCheckpoints(source, change);
    } catch {
      // Not kept: read again by the next run.
    }
  }

  /** Forget what was kept of the export `stamp` (imported in full: no run reads it again). */
  forget(stamp: string): void {
    this.flush();
    if (!this.#lookup) return;
    const prefix = JSON.stringify([stamp]).slice(0, -1) + ",";
    const remove = this.#store.checkpointKeysFrom(PASS_MEMORY, prefix);
    if (remove.length > 0) this.#store.updateCheckpoints(PASS_MEMORY, { remove });
  }

  /**
   * Forget what was kept of every export but `listed`, the stamps of a complete listing of the store:
   * an export whose parts left the store before it was imported in full (a Drive file deleted, an
   * expired increment) is read by no run again, and what was kept of it (megabytes of directories, tens
   * of megabytes of sidecars' texts) would stay in `sync.db` for good. Never given a listing that failed
   * or was cut short: an export it missed would be read again from its start. Reads the keys only.
   */
  forgetAllBut(listed: Iterable<string>): void {
    if (!this.#lookup) return;
    const keep = new Set(listed);
    const remove = this.#store.checkpointKeysFrom(PASS_MEMORY, "").filter((key) => {
      const stamp = exportOf(key);
      return stamp !== undefined && !keep.has(stamp);
    });
    if (remove.length > 0) this.#write({ remove });
  }

  [Symbol.dispose](): void {
    this.flush();
  }
}

/** The identity of a part: a copy of it put there anew (another size or time) is another. */
function partKey(stamp: string, file: RemoteFile): unknown[] {
  return [stamp, file.name, file.size, file.modifiedMs ?? null];
}

/** The export `key` is kept for (its stamp), or undefined for a key of no export's. */
function exportOf(key: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    return undefined;
  }
  return Array.isArray(parsed) && typeof parsed[0] === "string" ? parsed[0] : undefined;
}

function directoryKey(stamp: string, file: RemoteFile): string {
  return JSON.stringify([...partKey(stamp, file), "directory"]);
}

/** A JSON entry's key: where it is in its part (its index in the directory), its size and CRC-32. */
function jsonKey(stamp: string, file: RemoteFile, entry: ArchiveEntry): string | undefined {
  if (entry.index === undefined || entry.crc32 === undefined) return undefined;
  return JSON.stringify([...partKey(stamp, file), "json", entry.index, entry.path, entry.size, entry.crc32]);
}
