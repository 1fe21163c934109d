/**
 * What `sync.db` remembers of earlier Takeout runs, so that importing the parts of an export in
 * separate runs gives the tree of one run: per media entry imported, its item and how it was
 * dated; per entry content imported (its path, size and CRC-32), the item holding it, so that a later export's
 * same entry is known without reading it; the sidecars no media file took yet; the albums' titles; the numbered parts seen. All
 * are the source's checkpoints (opaque key/values to the store); the keys are JSON arrays that
 * start with the export's stamp and the folder, so that a later run reads a folder's records
 * when it meets that folder, and never all of them at once.
 * @module
 */
import type { CheckpointChange, Store } from "../../core/store.ts";
import type { DateSource } from "./capture_time.ts";
import { archivePart, missingParts } from "./parts.ts";
import type { SidecarData } from "./sidecar.ts";

/** A sidecar a media file took: its name, the rule that matched it, its content. */
export interface MatchedSidecar {
  name: string;
  rule: string;
  data: SidecarData;
  ambiguous?: string[];
}

const SOURCE = "takeout";

/** What a run recorded of one media entry it went through. */
export interface EntryRecord {
  /** The item holding its content. */
  id: string;
  /** How the item was dated when the entry was committed. */
  date: DateSource;
  /** The sidecar it had (its own, or its original's or still's), kept for files related to it later. */
  sidecar?: MatchedSidecar;
  /** A later sidecar said it is in the trash: its file was removed. */
  trashed?: boolean;
}

/** One media entry, where it is: what its record's key is made of. */
export interface EntrySpot {
  /** The export (see `exportStamps`). */
  stamp: string;
  archiveName: string;
  folder: string;
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  /** 0 for the first entry with this path in its archive, 1 for a second one, … */
  occurrence: number;
}

/** A media entry of an earlier run, in a folder this run meets again. */
export interface EarlierMedia {
  name: string;
  /** Its record's key and the record. */
  key: string;
  record: EntryRecord;
  archiveName: string;
  path: string;
}

/** What earlier runs left of one folder of one export. */
export interface EarlierFolder {
  media: EarlierMedia[];
  /** Sidecars that no media file took. */
  sidecars: { name: string; data: SidecarData }[];
  /** The album's title, when an earlier run found the folder's album metadata. */
  album?: string;
}

/** What older exports (other stamps, earlier than this one) hold of one folder, newest first. */
export interface OlderFolder {
  /** Their media entries recorded in the folder, with their export's stamp. */
  media: { stamp: string; name: string; record: EntryRecord }[];
  /** The album titles their runs found for the folder. */
  albums: { stamp: string; title: string }[];
}

/** What one newer export holds of a folder (see {@link TakeoutRecords.newerExports}). */
export interface NewerFolder {
  stamp: string;
  media: EarlierMedia[];
  /** The folder was an album in that export (its metadata was found). */
  album: boolean;
}

/** The key of a media entry's record. */
export function entryKey(spot: EntrySpot): string {
  return JSON.stringify([
    "entry",
    spot.stamp,
    spot.folder,
    spot.name,
    spot.archiveName,
    spot.size,
    spot.mtimeMs,
    spot.occurrence,
  ]);
}

/**
 * The key of a content record: an entry's path, size and CRC-32 (from a zip's directory), whatever
 * the export. Two entries alike in all three hold the same bytes but for a chance of about one in
 * 4 billion among files of one path and size; Google's re-exports repeat paths, sizes and bytes.
 */
function contentKey(path: string, size: number, crc32: number): string {
  return JSON.stringify(["content", path, size, crc32]);
}

/** The key an entry was recorded under before records were kept by folder: still honoured. */
function legacyKey(spot: EntrySpot): string {
  return JSON.stringify([spot.archiveName, spot.path, spot.size]);
}

/** The key of an item's revision in progress. */
function revisionKey(id: string): string {
  return JSON.stringify(["revision", id]);
}

/** The start of the keys of `kind` records of one folder of one export. */
function folderPrefix(kind: string, stamp: string, folder: string): string {
  return `${JSON.stringify([kind, stamp, folder]).slice(0, -1)},`;
}

/** The Takeout records of one `sync.db`, for a run over the archives named `archiveNames`. */
export class TakeoutRecords {
  readonly #store: Store;
  readonly #archives: ReadonlySet<string>;
  /** Stamps of the exports whose parts earlier runs recorded, newest first (read once). */
  #stamps?: string[];

  constructor(store: Store, archiveNames: Iterable<string>) {
    this.#store = store;
    this.#archives = new Set(archiveNames);
  }

  /** The record of an entry imported before, or undefined. */
  entry(spot: EntrySpot): EntryRecord | undefined {
    const value = this.#store.checkpoint(SOURCE, entryKey(spot));
    if (value !== undefined) return JSON.parse(value) as EntryRecord;
    const id = this.#store.checkpoint(SOURCE, legacyKey(spot));
    // An entry of an older release's run: its item says how it was dated.
    return id === undefined ? undefined : { id, date: "sidecar" };
  }

  /**
   * The change recording `record` for an entry (in place of an older release's record), and its
   * content record when its CRC-32 is known.
   */
  entryChange(spot: EntrySpot, record: EntryRecord, crc32?: number): CheckpointChange {
    const put = [{ key: entryKey(spot), value: JSON.stringify(record) }];
    if (crc32 !== undefined) put.push({ key: contentKey(spot.path, spot.size, crc32), value: record.id });
    return { remove: [legacyKey(spot)], put };
  }

  /** The item an entry with this path, size and CRC-32 was imported as (from any export), or undefined. */
  content(path: string, size: number, crc32: number): string | undefined {
    return this.#store.checkpoint(SOURCE, contentKey(path, size, crc32));
  }

  /** Record `record` under `key` (an {@link EarlierMedia}'s). */
  updateEntry(key: string, record: EntryRecord): void {
    this.#store.updateCheckpoints(SOURCE, { put: [{ key, value: JSON.stringify(record) }] });
  }

  /** What runs over other archives than this run's left of `folder` of the export `stamp`. */
  earlier(stamp: string, folder: string): EarlierFolder {
    const media: EarlierMedia[] = [];
    for (const { key, value } of this.#store.checkpointsFrom(SOURCE, folderPrefix("entry", stamp, folder))) {
      const [, , , name, archiveName] = JSON.parse(key) as [string, string, string, string, string];
      if (this.#archives.has(archiveName)) continue;
      const spot = { name, archiveName, path: `${folder}${name}` };
      media.push({ ...spot, key, record: JSON.parse(value) });
    }
    const sidecars = [];
    for (
      const { key, value } of this.#store.checkpointsFrom(SOURCE, folderPrefix("sidecar", stamp, folder))
    ) {
      const [, , , name, archiveName] = JSON.parse(key) as [string, string, string, string, string];
      if (!this.#archives.has(archiveName)) sidecars.push({ name, data: JSON.parse(value) as SidecarData });
    }
    const album = this.#store.checkpoint(SOURCE, JSON.stringify(["album", stamp, folder]));
    return { media, sidecars, ...(album === undefined ? {} : { album }) };
  }

  /**
   * What runs over exports older than `stamp` recorded of `folder` (an increment's folder may hold
   * an edited copy whose original, or album members whose album metadata, came in an earlier
   * export), newest export first. Nothing for an export of no known stamp ("").
   */
  olderExports(stamp: string, folder: string): OlderFolder {
    const older: OlderFolder = { media: [], albums: [] };
    if (stamp === "") return older;
    for (const other of this.#recordedStamps()) {
      if (other >= stamp) continue;
      for (
        const { key, value } of this.#store.checkpointsFrom(SOURCE, folderPrefix("entry", other, folder))
      ) {
        const name = (JSON.parse(key) as string[])[3];
        older.media.push({ stamp: other, name, record: JSON.parse(value) as EntryRecord });
      }
      const title = this.#store.checkpoint(SOURCE, JSON.stringify(["album", other, folder]));
      if (title !== undefined) older.albums.push({ stamp: other, title });
    }
    return older;
  }

  /**
   * What runs over other archives than this run's recorded of `folder` in exports newer than
   * `stamp` (imported before this older one: a missed increment imported late), oldest first:
   * their media entries, and whether the folder was an album there (its title recorded).
   */
  newerExports(stamp: string, folder: string): NewerFolder[] {
    if (stamp === "") return [];
    return this.#recordedStamps().filter((other) => other > stamp).reverse().map((other) => {
      const media: EarlierMedia[] = [];
      for (
        const { key, value } of this.#store.checkpointsFrom(SOURCE, folderPrefix("entry", other, folder))
      ) {
        const [, , , name, archiveName] = JSON.parse(key) as [string, string, string, string, string];
        if (this.#archives.has(archiveName)) continue;
        media.push({ name, key, record: JSON.parse(value), archiveName, path: `${folder}${name}` });
      }
      const album = this.#store.checkpoint(SOURCE, JSON.stringify(["album", other, folder])) !== undefined;
      return { stamp: other, media, album };
    }).filter(({ media }) => media.length > 0);
  }

  /** Stamps of the exports whose parts earlier runs recorded, newest first. */
  #recordedStamps(): string[] {
    return this.#stamps ??= [
      ...new Set(
        this.#store.checkpointsFrom(SOURCE, `${JSON.stringify(["part"]).slice(0, -1)},`)
          .map(({ value }) => archivePart(value)?.stamp ?? ""),
      ),
    ].filter((s) => s !== "").sort().reverse();
  }

  /**
   * Note that item `id` is being revised (re-dated or removed) with `revision`, before anything of
   * it changes: a run stopped meanwhile is finished by the next ({@link revisionsUnfinished}).
   */
  startRevision(id: string, revision: unknown): void {
    this.#store.updateCheckpoints(SOURCE, {
      put: [{ key: revisionKey(id), value: JSON.stringify(revision) }],
    });
  }

  /** The revision of item `id` is done. */
  endRevision(id: string): void {
    this.#store.updateCheckpoints(SOURCE, { remove: [revisionKey(id)] });
  }

  /** Revisions a stopped run left unfinished: the item and what {@link startRevision} noted. */
  revisionsUnfinished(): { id: string; revision: unknown }[] {
    return this.#store.checkpointsFrom(SOURCE, `${JSON.stringify(["revision"]).slice(0, -1)},`).map((
      { key, value },
    ) => ({ id: (JSON.parse(key) as [string, string])[1], revision: JSON.parse(value) }));
  }

  /**
   * Remember the sidecars no media file took and the albums found (for later runs), and the
   * numbered parts of this run's archives; returns, per series of parts, the numbers below the
   * highest seen that no run has imported yet.
   */
  remember(found: {
    sidecars: readonly {
      stamp: string;
      archiveName: string;
      folder: string;
      name: string;
      data: SidecarData;
    }[];
    albums: readonly { stamp: string; folder: string; title: string }[];
  }): { series: string; missing: number[] }[] {
    const put: { key: string; value: string }[] = [];
    for (const { stamp, archiveName, folder, name, data } of found.sidecars) {
      const key = JSON.stringify(["sidecar", stamp, folder, name, archiveName]);
      put.push({ key, value: JSON.stringify(data) });
    }
    for (const { stamp, folder, title } of found.albums) {
      put.push({ key: JSON.stringify(["album", stamp, folder]), value: title });
    }
    const series = new Set<string>();
    for (const name of this.#archives) {
      const part = archivePart(name);
      if (!part) continue;
      series.add(part.series);
      put.push({ key: JSON.stringify(["part", part.series, part.number]), value: name });
    }
    this.#store.updateCheckpoints(SOURCE, { put });
    return [...series].sort().map((name) => ({
      series: name,
      missing: missingParts(
        this.#store.checkpointsFrom(SOURCE, `${JSON.stringify(["part", name]).slice(0, -1)},`)
          .map(({ key }) => (JSON.parse(key) as [string, string, number])[2]),
      ),
    })).filter(({ missing }) => missing.length > 0);
  }
}
