/**
 * Committing a staged Takeout file: hash it (its identity), then store it once per content,
 * date it (sidecar, EXIF, file name, entry time) and hand it to the shared place and record
 * step; or drop it as a copy of a file already there, whose item it re-dates when this copy
 * brings a sidecar the item lacked, and whose file it restores when that is gone. Either way the
 * entry's record is written (`records.ts`), so that a re-run skips it without reading it.
 * @module
 */
import { posix } from "node:path";
import type { Placer, Removal } from "../../core/place.ts";
import type { PlacedRow } from "../../core/source.ts";
import { type OutputTree, type TempFile, UnsafePathError } from "../../core/output_tree.ts";
import type { StagedFile } from "./stage_protocol.ts";
import type { ItemRow, Store } from "../../core/store.ts";
import type { ArchiveSource } from "./archive_source.ts";
import type { MediaMatch, MediaPlan } from "./catalog.ts";
import { captureTime, type DateSource } from "./capture_time.ts";
import { EXIF_HEAD_BYTES, type ExifFacts, type LocalTime } from "../../core/local_time.ts";
import { localTime } from "./local_time.ts";
import { LOCAL_OFFSET_KEY } from "../../core/layout.ts";
import { digestKey, Fingerprinter } from "./fingerprint.ts";
import { isVideoName } from "./motion.ts";
import type { SidecarData } from "./sidecar.ts";
import { archivePart } from "./parts.ts";
import type { EntryRecord, EntrySpot, TakeoutRecords } from "./records.ts";
import { storedFileName } from "./stored_name.ts";
import { wallClockOfName } from "./name_dates.ts";
import { liveCaptureMs, sharedCaptureMs } from "../../core/shared_date.ts";

export type { DateSource } from "./capture_time.ts";

/** What became of a committed file. */
export type Committed =
  /** Placed: new, or restored (its file had gone missing or changed). */
  | {
    kind: "imported";
    id: string;
    path: string;
    size: number;
    dateSource: DateSource;
    /** The date rules passed over because their value was no date. */
    skipped: string[];
    restored?: boolean;
    /**
     * Placed again at the day its date maps to now, its file stored elsewhere at this path, now out of date (a
     * date a later export corrected in a folder whose earlier files are stored elsewhere: see `#apply`).
     */
    refiled?: string;
    /**
     * Placed again at its own path with the time this copy's sidecar corrected on the same day, its file stored
     * elsewhere there with the old file time: the copy to store over that one.
     */
    retimed?: true;
    /** Restored, then moved to the date this copy's sidecar, of a later export, gives: its path. */
    redated?: string;
    /** What this copy's sidecar, from a later export than the item's, changed (`favourite`, …). */
    updated?: string[];
  }
  /** Its content is stored already: by an earlier run, or (a duplicate) by this one. */
  | {
    kind: "already present" | "duplicate";
    id: string;
    size: number;
    redated?: string;
    /** What this copy's sidecar, from a later export than the item's, changed (`favourite`, …). */
    updated?: string[];
  };

/**
 * What a sidecar found later did to a file placed before (see {@link Committer.revise}): re-dated it, nothing,
 * or (it puts it in the trash) took its item out of sync.db, with what became of its file (see `Placer.remove`:
 * `removed`, or kept because `shared` or `changed`, or `absent`).
 */
export type Revised = "redated" | "unchanged" | { trash: Removal };

/** Where an entry of `input` is, for its record. */
export function spotOf(input: ArchiveSource, media: MediaPlan): EntrySpot {
  const { path, size, mtimeMs, occurrence } = media.entry;
  const { stamp, folder, name } = media;
  return { stamp, archiveName: input.name, folder, name, path, size, mtimeMs, occurrence };
}

/** Commits staged files one at a time, in the order they are given. */
export class Committer {
  readonly #store: Store;
  readonly #placer: Placer;
  readonly #tree: OutputTree;
  readonly #records: TakeoutRecords;
  readonly #includeTrashed: boolean;
  readonly #fingerprinter = new Fingerprinter();
  /**
   * Contents committed by this run, per export (a copy in the same export is a duplicate, an album's;
   * one in a later export an original sent again, whose sidecar may say what changed), by `digestKey`
   * (two contents sharing it only count one as a duplicate instead of as already present).
   */
  readonly #seen = new Map<string, Set<number>>();

  /** Whether this run committed the content `digest` in the export `stamp` before. */
  #seenBefore(stamp: string, digest: string): boolean {
    return this.#seen.get(stamp)?.has(digestKey(digest)) ?? false;
  }

  #see(stamp: string, digest: string): void {
    let seen = this.#seen.get(stamp);
    if (!seen) this.#seen.set(stamp, seen = new Set());
    seen.add(digestKey(digest));
  }

  constructor(
    options: {
      store: Store;
      placer: Placer;
      tree: OutputTree;
      records: TakeoutRecords;
      includeTrashed: boolean;
    },
  ) {
    this.#store = options.store;
    this.#placer = options.placer;
    this.#tree = options.tree;
    this.#records = options.records;
    this.#includeTrashed = options.includeTrashed;
  }

  /**
   * Commit `media`, staged as `staged`, from `input`. The temporary file is gone afterwards
   * (placed or removed).
   */
  async commit(input: ArchiveSource, media: MediaPlan, staged: StagedFile): Promise<Committed> {
    const { temp, size } = staged;
    // The first bytes, for the EXIF reader: its date when no sidecar dates the file, and an image's
    // offset and place (its local day) in any case. Video formats exifr does not read.
    const headBytes = media.sidecar?.data.takenMs === undefined || !isVideoName(media.name)
      ? EXIF_HEAD_BYTES
      : 0;
    // Hashed by the stage worker as it wrote the file, else read back here.
    const { digest, head } = await this.#fingerprinter.of(temp, headBytes, staged.sha256).catch(
      async (error) => {
        await Deno.remove(temp).catch(() => {});
        throw error;
      },
    );
    const id = `takeout:${digest}`;
    let committed: Committed;
    const known = this.#store.item(id);
    // An item sharing the file of another source's item (the same bytes, stored once) is present
    // while that file is.
    const holder = known?.fileOf ? this.#store.item(known.fileOf) : known;
    // Where its bytes go back when that file is gone: its own path, or the path of the item it shares with.
    const owner = holder === known || holder?.hash === digest ? holder : undefined;
    if (holder && this.keepsFileOf(holder)) {
      const kind = this.#seenBefore(media.stamp, digest) ? "duplicate" : "already present";
      const { redated, updated } = await this.#applyCopy(id, input, media);
      const now = this.#store.item(id)!;
      if (holder === known && !this.keepsFileOf(now)) {
        // Stored elsewhere, and this copy's sidecar corrected its date: these bytes go to its new day here.
        const { path, refiled } = await this.#placeAgain(now, staged, digest);
        const was = refiled ?? holder.path!;
        committed = {
          kind: "imported",
          id,
          path,
          size,
          dateSource: dateSourceOf(now),
          skipped: [],
          ...(was === path ? { retimed: true } : { refiled: was }),
          ...(updated.length > 0 ? { updated } : {}),
        };
      } else {
        await Deno.remove(temp).catch(() => {});
        committed = {
          kind,
          id,
          size,
          ...(redated === "redated" ? { redated: now.path! } : {}),
          ...(updated.length > 0 ? { updated } : {}),
        };
      }
    } else if (owner?.path) {
      // Placed before and gone or changed since (or never recorded as placed: a crash, a --resync):
      // placed again where it was, as it was dated; a file it shares with another source's item (the
      // same bytes, stored once) where that item records it, for both. One whose date changed since it
      // was placed (stored elsewhere) goes to its new day.
      const placed = await this.#placeAgain(owner, staged, digest);
      let path = placed.path;
      // What this copy's sidecar says now (a later export's changes) applies to its own file put back
      // as to one found in place.
      const { redated, updated } = owner.id === id
        ? await this.#applyCopy(id, input, media)
        : { redated: "unchanged", updated: [] };
      path = this.#store.item(id)?.path ?? path;
      committed = {
        kind: "imported",
        id,
        path,
        size,
        dateSource: dateSourceOf(this.#store.item(id) ?? known!),
        skipped: [],
        ...(placed.refiled !== undefined && this.#tree.filesElsewhere
          ? placed.refiled === placed.path ? { retimed: true as const } : { refiled: placed.refiled }
          : { restored: owner.status === "downloaded" }),
        ...(redated === "redated" ? { redated: path } : {}),
        ...(updated.length > 0 ? { updated } : {}),
      };
    } else {
      const { ms, source, skipped, exif, local } = await captureTime(media, head);
      // The same bytes as a file another source stored (a photo photosync uploaded, then exported):
      // no second copy, the item shares that file.
      const copy = this.#store.filesOfContent(size, digest, "takeout").find((file) =>
        this.#tree.keeps(file.path, size)
      );
      this.#store.saveBatch({
        source: "takeout",
        items: [{
          id,
          source: "takeout",
          filename: storedNameOf(media),
          // One photo, one date: the one of the item whose file it shares, when that reads Google
          // Photos now (see `core/shared_date.ts`).
          createdMs: (copy && liveCaptureMs(this.#store.item(copy.id))) ?? ms,
          // A motion photo's video part, whatever its name says (`MVIMG_…` has no extension).
          isVideo: isVideoName(media.name) || media.motionOf !== undefined,
          json: JSON.stringify(metadataOf(media, source, input.name, media.entry.path, { exif, local })),
          hash: digest,
        }],
      });
      if (copy) {
        await Deno.remove(temp).catch(() => {});
        this.#store.markSameFile(id, copy.id, size, digest);
        committed = { kind: "already present", id, size };
      } else {
        const [row] = this.#placer.settle([this.#store.item(id)!]);
        const path = await this.#place(id, row, staged, new Date(ms), digest);
        // Recorded before the entry's record: a crash in between commits the entry again.
        this.#placer.flush();
        committed = { kind: "imported", id, path, size, dateSource: source, skipped };
      }
    }
    this.#see(media.stamp, digest);
    this.#recordEntry(input, media, id);
    return committed;
  }

  /**
   * What this copy of item `id` (its file in place) says of it: the sidecar it was placed without (it was in
   * another part: `revise`), or, an original sent again by a later export, what changed since (`#update`).
   */
  async #applyCopy(
    id: string,
    input: ArchiveSource,
    media: MediaPlan,
  ): Promise<{ redated: Revised; updated: string[] }> {
    const entry = { archiveName: input.name, path: media.entry.path };
    const redated = await this.revise(id, media, entry);
    return { redated, updated: redated === "unchanged" ? await this.#update(id, media, entry) : [] };
  }

  /** Link item `id` into `media`'s album, and record the entry as done (with its date's rule). */
  #recordEntry(input: ArchiveSource, media: MediaPlan, id: string): void {
    if (media.album) {
      this.#store.addToAlbum({ id: media.album.id, source: "takeout", title: media.album.title }, [id]);
    }
    const dateSource = dateSourceOf(this.#store.item(id)!);
    this.#store.updateCheckpoints(
      "takeout",
      this.#records.entryChange(spotOf(input, media), {
        id,
        date: dateSource,
        ...(media.sidecar ? { sidecar: media.sidecar } : {}),
      }, media.entry.crc32),
    );
  }

  /**
   * Record `media` of `input` as already present without reading it: an entry with its path,
   * size and CRC-32 was imported as item `id` (a placed file) from an earlier export. What its
   * sidecar says now is applied: the date, name and metadata when the item had no sidecar (as
   * {@link revise}); otherwise what a later export changed (see `#update`); and its folder's album.
   */
  async present(input: ArchiveSource, media: MediaPlan, id: string): Promise<Committed> {
    const item = this.#store.item(id)!;
    const json = JSON.parse(item.json) as ItemJson & SidecarData;
    // A second copy of the content in this export (an album's) changes nothing the first did not.
    const kind = item.hash && this.#seenBefore(media.stamp, item.hash) ? "duplicate" : "already present";
    if (item.hash) this.#see(media.stamp, item.hash);
    let redated: string | undefined;
    const entry = { archiveName: input.name, path: media.entry.path };
    if (media.sidecar && !json.takeout?.sidecar) {
      const revised = await this.revise(id, media, entry);
      if (revised === "redated") redated = this.#store.item(id)!.path!;
    }
    // Or an original sent again by a later export, whose sidecar says what changed since.
    const updated = kind === "already present" && !redated ? await this.#update(id, media, entry) : [];
    this.#recordEntry(input, media, id);
    return {
      kind,
      id,
      size: media.entry.size,
      ...(redated ? { redated } : {}),
      ...(updated.length > 0 ? { updated } : {}),
    };
  }

  /**
   * What a copy of item `id` (placed, with a sidecar) from a later export than the one its metadata
   * came from changes: the favourite, archived, description, location and people of its sidecar (an
   * increment sends an original again when only these changed), and its date: a date the user
   * corrected in Google Photos (a scan dated by the day it was scanned, a camera's clock) moves the
   * file to its day, as a revision (see {@link revise}) that also takes the new sidecar's name and
   * metadata. Returns the fields changed. The newest export wins, whichever run reads it first. A
   * later sidecar that puts it in the trash neither moves nor removes it: a backup keeps what was
   * deleted since.
   */
  async #update(id: string, media: MediaMatch, entry: EntryOrigin): Promise<string[]> {
    const item = this.#store.item(id);
    if (!media.sidecar || media.stamp === "" || item?.status !== "downloaded") return [];
    const json = JSON.parse(item.json) as ItemJson & Record<string, unknown>;
    const origin = json.takeout;
    if (!origin?.sidecar) return [];
    const since = origin.updatedBy ?? origin.stamp ?? archivePart(origin.archive)?.stamp ?? "";
    if (media.stamp <= since) return [];
    const { data } = media.sidecar;
    const changed: string[] = [];
    for (const [field, label] of [["favorited", "favourite"], ["archived", "archived"]] as const) {
      if ((json[field] === true) === (data[field] === true)) continue;
      changed.push(label);
      if (data[field]) json[field] = true;
      else delete json[field];
    }
    const fields = [["description", "description"], ["geo", "location"], ["people", "people"]] as const;
    for (const [field, label] of fields) {
      if (JSON.stringify(json[field]) === JSON.stringify(data[field])) continue;
      changed.push(label);
      if (data[field] === undefined) delete json[field];
      else json[field] = data[field];
    }
    // A file shared with an item that reads Google Photos now keeps that item's date (see `#apply`).
    const taken = sharedCaptureMs(this.#store, id) ?? data.takenMs;
    const redate = taken !== undefined && taken !== item.createdMs;
    // A new date, or a new place (its local time, so maybe its local day): the file may move, and every
    // field is taken from this sidecar, as for one placed without one. Not on a sidecar that another
    // file's name fits as well (`ambiguous`): a file is never moved on a guess.
    const sure = !media.sidecar.ambiguous?.length;
    if ((redate || changed.includes("location")) && sure && item.path && !data.trashed) {
      const revision: RevisionNote = { match: media, entry, from: item.path, updatedBy: media.stamp };
      this.#records.startRevision(id, revision);
      await this.#apply(id, revision);
      this.#records.endRevision(id);
      return [...(redate ? ["date"] : []), ...changed];
    }
    // Noted even when nothing changed: an older export read later must not undo this one.
    json.takeout = { ...origin, updatedBy: media.stamp };
    this.#store.saveBatch({
      source: "takeout",
      items: [{
        id,
        source: "takeout",
        filename: item.filename,
        createdMs: item.createdMs,
        isVideo: item.isVideo,
        json: JSON.stringify(json),
        ...(item.hash ? { hash: item.hash } : {}),
      }],
    });
    return changed;
  }

  /**
   * Whether item `id`'s file, noted to be placed again (see `#placeAgain`), goes to another folder (day) than
   * the one it is stored in: `was`, where a stopped move's note says it is, else its row's path.
   */
  movesDay(id: string, was?: string): boolean {
    if (was === undefined) return this.#placer.remapped(id);
    const path = this.#store.item(id)?.path;
    return path != null && posix.dirname(was) !== posix.dirname(path);
  }

  /**
   * Whether the backup keeps `item`'s file: here, or in a folder whose earlier files are stored elsewhere, stored
   * there (`OutputTree.keeps`), unless its date changed since it was placed there (noted by `#apply`): then
   * its bytes are wanted here, at its new day or time (see `#placeAgain`).
   */
  keepsFileOf(item: ItemRow): boolean {
    if (item.status !== "downloaded" || !item.path || item.size === null) return false;
    if (this.#tree.holds(item.path, item.size)) return true;
    return this.#tree.keeps(item.path, item.size) && !this.#store.refileNoted(item.id);
  }

  /**
   * Place `staged`, the bytes of `owner` (a placed item whose file is not here), at its recorded path; or, when
   * its file is noted to move to the day its date maps to now (a date corrected while it was not here), at
   * that day's path, claimed first, the note done once the file is there. `refiled`: then, the path its file
   * was at before (stored elsewhere, out of date now).
   */
  async #placeAgain(
    owner: ItemRow,
    staged: TempFile,
    digest: string,
  ): Promise<{ path: string; refiled?: string }> {
    let refiled: string | undefined;
    let row: PlacedRow;
    if (this.#store.refileNoted(owner.id)) {
      // The claim below takes the row's path: where the copy stored before is is kept in the note first, so
      // that a run stopped before the file is placed (a kill, a full disk, a link in the way) still names it,
      // not the new path, as the copy out of date. A note naming it already is of an earlier such run.
      refiled = this.#store.refileWas(owner.id) ?? owner.path!;
      this.#store.refileFrom(owner.id, refiled);
      row = this.#placer.reclaim(owner);
    } else row = this.#placer.settle([owner])[0];
    const path = await this.#place(owner.id, row, staged, new Date(owner.createdMs), digest);
    // Recorded before the note goes: a run stopped in between finds the file at its path.
    this.#placer.flush();
    if (refiled !== undefined) this.#store.refiled(owner.id);
    return { path, ...(refiled !== undefined ? { refiled } : {}) };
  }

  /** Place `row`'s file, staged as `staged`, dated `date`. */
  #place(id: string, row: PlacedRow, staged: TempFile, date: Date, digest: string) {
    return this.#placer.place(row, staged, date, digest).catch((error) => {
      // A link or a file in the way (`DIR/2020 -> elsewhere`): as in `sync`, the item waits with
      // the reason, the run goes on, and the entry (no record) is tried again next time.
      if (error instanceof UnsafePathError) this.#store.markFailed(id, error.message);
      throw error;
    });
  }

  /**
   * {@link revise} the item of an entry recorded under `key` as `record` with what `match` (its
   * plan now) brings, and record that.
   */
  async reviseRecorded(
    key: string,
    record: EntryRecord,
    match: MediaMatch,
    entry: EntryOrigin,
  ): Promise<Revised> {
    const revised = await this.revise(record.id, match, entry);
    this.#records.updateEntry(key, {
      ...record,
      ...(match.sidecar ? { sidecar: match.sidecar } : {}),
      ...(typeof revised === "object" ? { trashed: true } : {}),
    });
    return revised;
  }

  /**
   * What an entry of `item` (a placed item) with the sidecar `match` now has changes: an item
   * placed without a sidecar takes its date (moved to its day, its mtime), its title's name and
   * its metadata; one the sidecar puts in the trash is removed (unless trashed items are
   * imported), when `entry` is the entry it was placed from. Noted before anything changes and
   * finished by {@link finishRevisions} after a stop.
   */
  async revise(
    id: string,
    match: MediaMatch,
    entry: EntryOrigin,
  ): Promise<Revised> {
    const item = this.#store.item(id);
    // An item sharing another source's file (the same bytes, stored once) has no path, but a sidecar
    // all the same: its metadata and trashed flag are taken (see `#apply`).
    if (!match.sidecar || item?.status !== "downloaded" || !(item.path || item.fileOf)) return "unchanged";
    const json = JSON.parse(item.json) as ItemJson;
    if (json.takeout?.sidecar) return "unchanged";
    const trash = match.sidecar.data.trashed && !this.#includeTrashed;
    if (trash && (json.takeout?.archive !== entry.archiveName || json.takeout.entry !== entry.path)) {
      return "unchanged";
    }
    const revision: RevisionNote = { match, entry, from: item.path ?? "" };
    this.#records.startRevision(id, revision);
    const revised = await this.#apply(id, revision);
    this.#records.endRevision(id);
    return revised;
  }

  /** Finish the revisions a stopped run left unfinished (each step is done again or found done). */
  async finishRevisions(): Promise<void> {
    for (const { id, revision } of this.#records.revisionsUnfinished()) {
      await this.#apply(id, revision as RevisionNote);
      this.#records.endRevision(id);
    }
  }

  async #apply(
    id: string,
    { match, entry, from, updatedBy }: RevisionNote,
  ): Promise<Revised> {
    const item = this.#store.item(id);
    const { data } = match.sidecar!;
    if (data.trashed && !this.#includeTrashed) {
      // Its row gone already: a run stopped right after the removal, finished now.
      return { trash: item ? await this.#placer.remove(id) : "absent" };
    }
    if (!item) return "unchanged";
    const json = JSON.parse(item.json) as ItemJson;
    // One photo, one date: a file shared with an item that reads Google Photos now has that item's
    // (its date corrected there since the export; see `core/shared_date.ts`), and does not move.
    const shared = sharedCaptureMs(this.#store, id);
    const ms = shared ?? data.takenMs ?? item.createdMs;
    const source = data.takenMs === undefined ? json.takeout?.dateSource ?? "file time" : "sidecar";
    const exif = json.exif ?? {};
    // Still dated by its name (its own date, not a sharer's): the name's wall clock is its local time.
    const nameClock = source === "name" && shared === undefined ? wallClockOfName(match.name) : undefined;
    const local = await localTime(
      ms,
      exif,
      data.geo,
      source === "exif" && exif.offset === undefined,
      nameClock,
    );
    const metadata = metadataOf(
      match,
      source,
      json.takeout?.archive ?? entry.archiveName,
      json.takeout?.entry ?? entry.path,
      { exif, local },
      json.takeout ? json.takeout.stamp : match.stamp,
    );
    // Not `noteRefiles`: a new time alone (the same day) is no move, and a file stored elsewhere is placed
    // again only when it goes to another path (noted below, after `move`; a stopped run's revision is done again).
    this.#store.saveBatch({
      source: "takeout",
      items: [{
        id,
        source: "takeout",
        filename: storedNameOf(match),
        createdMs: ms,
        isVideo: item.isVideo,
        json: JSON.stringify(
          updatedBy ? { ...metadata, takeout: { ...metadata.takeout, updatedBy } } : metadata,
        ),
        ...(item.hash ? { hash: item.hash } : {}),
      }],
    });
    // Sharing another item's file: that item's, which stays where it is; no file of its own re-dated.
    if (!item.path) return "unchanged";
    // A file not here is restored at its new path when its entry is read (see `commit`). One stored
    // elsewhere (see `OutputTree.keeps`) cannot be moved there: its path stays the one it is stored at, and
    // when its new date (or place) maps it to another path it is noted, so that its entry's bytes (this
    // one's, or read again later) are placed at that path here, as in a folder that holds it (see
    // `keepsFileOf`); the copy stored before is out of date then. A new time on the same day is noted too:
    // the bytes go to the same path with the new time, and the copy stored there is to be stored over.
    const moved = await this.#placer.move(id, new Date(ms), from, {
      missing: this.#tree.filesElsewhere ? "leave" : "claim",
    });
    if (moved === undefined) {
      // Its entry's bytes (this one's, or read again later) are placed again: at another path, or at its own
      // with the new time, to be stored over the copy with the old one.
      if (this.#placer.remapped(id) || ms !== item.createdMs) this.#store.noteRefile(id);
    } else {
      // At its day now: a note of an earlier move (a run stopped after its claim, see `Placer.move`) is done.
      this.#store.refiled(id);
    }
    return "redated";
  }
}

/** The entry an item's revision comes from: its archive's name and its path. */
type EntryOrigin = { archiveName: string; path: string };

/** A revision of an item, noted in `sync.db` while it is done: what it applies, and where the file was. */
interface RevisionNote {
  match: MediaMatch;
  entry: EntryOrigin;
  from: string;
  /** A later export's sidecar re-dating an item dated by an earlier one's (see `#update`): that export. */
  updatedBy?: string;
}

/** What an item's `json` says of its Takeout origin (and of its EXIF, for its local time). */
interface ItemJson {
  takeout?: {
    archive: string;
    entry: string;
    /** The export it was placed from (absent in rows of older releases: its archive's name says). */
    stamp?: string;
    /** The later export whose sidecar last updated its favourite, archived and description. */
    updatedBy?: string;
    sidecar?: string;
    dateSource: DateSource;
  };
  exif?: ExifFacts;
}

/** The file name a media file is stored under: its sidecar's title, keeping its own extension. */
function storedNameOf(media: MediaMatch): string {
  return media.editedOf || media.motionOf
    ? media.name
    : storedFileName(media.name, media.sidecar?.data.title);
}

/** The rule that dated a Takeout item (recorded in its JSON). */
function dateSourceOf(row: ItemRow): DateSource {
  return (JSON.parse(row.json) as ItemJson).takeout?.dateSource ?? "file time";
}

/**
 * What `sync.db` keeps of a Takeout file: its sidecar's metadata and how it was matched, what its
 * EXIF said of its time and place, and its local time (its offset under `LOCAL_OFFSET_KEY`, which
 * a folder of local days files it by).
 */
function metadataOf(
  media: MediaMatch,
  dateSource: DateSource,
  archive: string,
  entry: string,
  { exif, local }: { exif: ExifFacts; local?: LocalTime },
  stamp: string | undefined = media.stamp,
) {
  const data = media.sidecar?.data;
  return {
    takeout: {
      archive,
      entry,
      ...(stamp ? { stamp } : {}),
      sidecar: media.sidecar?.name,
      rule: media.sidecar?.rule,
      dateSource,
    },
    ...(data ?? {}),
    ...(media.editedOf ? { editedOf: media.editedOf } : {}),
    ...(media.motionOf ? { motionOf: media.motionOf } : {}),
    ...(Object.keys(exif).length > 0 ? { exif } : {}),
    ...(local ? { [LOCAL_OFFSET_KEY]: local.offsetMinutes, localRule: local.rule } : {}),
  };
}
