/**
 * The exports a backup has imported, oldest first: what tells a run which exports of a store are
 * done, what `status` and the report list, and where a missed increment shows (a hole in the chain).
 * Kept as the Takeout source's checkpoints under `["export", stamp]`.
 * @module
 */
import type { Store } from "../../core/store.ts";

const SOURCE = "takeout";

/** One export imported in full. */
export interface ImportedExport {
  /** Its time stamp (`20251110T101010Z`), from its parts' names. */
  stamp: string;
  /** The file names of its parts. */
  parts: string[];
  /** Entries its parts hold. */
  entries: number;
  /** Files placed from it (new to the backup). */
  placed: number;
  /** Media files it holds that the backup had already (from an earlier export). */
  present: number;
  /** When it was imported, epoch ms. */
  importedMs: number;
}

function exportKey(stamp: string): string {
  return JSON.stringify(["export", stamp]);
}

/** The chain of exports imported into one `sync.db`. */
export class ExportChain {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Every export imported, oldest first. */
  list(): ImportedExport[] {
    return this.#store.checkpointsFrom(SOURCE, `${JSON.stringify(["export"]).slice(0, -1)},`)
      .map(({ value }) => JSON.parse(value) as ImportedExport)
      .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0));
  }

  /** The export `stamp`, when it was imported in full. */
  get(stamp: string): ImportedExport | undefined {
    const value = this.#store.checkpoint(SOURCE, exportKey(stamp));
    return value === undefined ? undefined : JSON.parse(value) as ImportedExport;
  }

  /** Record `done` as imported in full. */
  record(done: ImportedExport): void {
    this.#store.updateCheckpoints(SOURCE, {
      put: [{ key: exportKey(done.stamp), value: JSON.stringify(done) }],
    });
  }
}
