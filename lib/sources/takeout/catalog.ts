/**
 * The first pass over a Takeout export: list every entry of every archive, read the small
 * JSON files (sidecars, album metadata), and decide for each media file which sidecar it
 * takes, which album its folder is, and what it is (an edited copy, a motion photo's video).
 * A file's sidecar may sit in another archive: folders are matched across all archives of one
 * export (its stamp), and with what earlier runs left of the folder (their media files and
 * sidecars, see `records.ts`), so that an import in parts matches as one run over all.
 * @module
 */
import { PhotosyncError } from "../../core/errors.ts";
import { parseJsonObject } from "../../core/json_object.ts";
import type { ArchiveSource } from "./archive_source.ts";
import type { ArchiveEntry } from "./entry.ts";
import { editedOriginal } from "./edited.ts";
import { isDesktopFile, isMediaName, mayBeMedia, pairMotionPhotos } from "./motion.ts";
import { albumTitleOf, type SidecarData, sidecarData } from "./sidecar.ts";
import { isSidecarName, matchSidecars } from "./sidecar_names.ts";
import { splitExtension } from "./name_parts.ts";
import { exportStamps } from "./parts.ts";
import { PhotosScope } from "./export_check.ts";
import type { EarlierFolder, EarlierMedia, MatchedSidecar, NewerFolder, OlderFolder } from "./records.ts";
import nonSidecarNames from "./non_sidecar_names.json" with { type: "json" };

/** JSON files of one zip or folder read at once. */
const JSON_READS_AT_ONCE = 8;

/** JSON files larger than this are no sidecar or album metadata, and are not read. */
const MAX_JSON_BYTES = 1 << 20;

const ALBUM_METADATA = new Set(
  nonSidecarNames.albumMetadata.map((name) => name.normalize("NFC").toLowerCase()),
);
const ACCOUNT_FILES = new Set(
  nonSidecarNames.accountFiles.map((name) => name.normalize("NFC").toLowerCase()),
);
/** Fields of every media file's sidecar, none of an album's metadata file. */
const SIDECAR_FIELDS = ["photoTakenTime", "creationTime", "url"];

/** Where an entry is: its archive (index into the inputs) and path inside. */
export interface EntryRef {
  archive: number;
  path: string;
  size: number;
  mtimeMs: number;
  /** 0 for the first entry with this path in its archive, 1 for a second one, … */
  occurrence: number;
  /** Its CRC-32, when the archive's directory says (a zip). */
  crc32?: number;
  /** Its position among a zip's files (`ArchiveEntry.index`). */
  index?: number;
  /** A zip's: where its local header starts and its stored size (a stage worker reads it from there). */
  offset?: number;
  compressedSize?: number;
}

/** A media file and what the catalog found out about it. */
export interface MediaMatch {
  /** The export it belongs to (see `exportStamps`). */
  stamp: string;
  /** The file's own name (last path segment). */
  name: string;
  /** The folder (full path inside the archive) it sits in. */
  folder: string;
  sidecar?: MatchedSidecar;
  /** The original this edited copy was made from (same folder). */
  editedOf?: string;
  /** The still photo whose video part this is (same folder). */
  motionOf?: string;
  /** The album its folder is, when the folder is an album. */
  album?: { id: string; title: string };
}

/** A media entry of this run's archives. */
export interface MediaPlan extends MediaMatch {
  entry: EntryRef;
}

/**
 * A media entry an earlier run imported that this run learns more about: a sidecar (its own, or
 * its original's or still's) that arrived in this run's archives, or its folder's album.
 */
export interface Revision extends MediaMatch {
  earlier: EarlierMedia;
}

/** A sidecar no media file took (yet). */
export interface UnmatchedSidecar extends EntryRef {
  stamp: string;
  folder: string;
  name: string;
  data: SidecarData;
}

/** What earlier runs left of a folder of an export (`records.ts`), for the catalog to match with. */
export type EarlierLookup = (stamp: string, folder: string) => EarlierFolder;

/**
 * What earlier runs recorded of a folder in exports older than `stamp` (`records.ts`), newest first:
 * asked only when a folder of an increment needs it (an edited copy without its original, an album
 * folder without its metadata).
 */
export type OlderLookup = (stamp: string, folder: string) => OlderFolder;

/**
 * What earlier runs recorded of a folder in exports newer than `stamp` (`records.ts`), oldest first:
 * an older export imported after them (a missed increment) dates their edited copies that came
 * without an original, and adds their members to an album whose metadata they lacked.
 */
export type NewerLookup = (stamp: string, folder: string) => NewerFolder[];

/** What this run's exports older than a folder's hold of that folder (matched already). */
interface OlderInRun {
  stamp: string;
  /** Media files by lower-case name (the first of each). */
  media: Map<string, MediaMatch>;
  /** Its album's title, when the folder is an album there. */
  title?: string;
}

/** What the first pass found. */
export interface Catalog {
  /** Every media entry, in the order of the folders' first entries. */
  media: MediaPlan[];
  /** Media entries of earlier runs to re-date, remove (trash) or add to their album. */
  revisions: Revision[];
  /** Entries counted as sidecars used by a media file. */
  sidecarsUsed: EntryRef[];
  /** JSON files that look like sidecars but no media file took. */
  unmatchedSidecars: UnmatchedSidecar[];
  /** The album folders whose metadata this run found. */
  albums: { stamp: string; folder: string; title: string }[];
  /** Everything else: album metadata, account files, web pages. */
  notMedia: EntryRef[];
  /**
   * Of those, the files of a Google Photos folder known by its name whose kind is not known (an extension
   * not listed: `tweet.jpg_large`): said by name, as they may be photos (renamed, they are imported).
   */
  unknownKinds: EntryRef[];
  /**
   * Media and JSON files outside the export's Google Photos folder (another Takeout product's, or
   * beside the export in a folder given), with the folder they were left out by (`PhotosScope`).
   */
  notGooglePhotos: { ref: EntryRef; top: string; why: string }[];
  /** Entries in all archives. */
  entries: number;
  /** Entries in each archive (by index into the inputs). */
  archiveEntries: number[];
  /** Archives that could not be listed, with why. */
  damaged: { archive: number; error: string }[];
  /** JSON entries whose bytes could not be read (a corrupt entry), with why. */
  unreadable: { ref: EntryRef; error: string }[];
  /**
   * JSON entries of a damaged stream (tgz), read but not used: gzip checks a stream only as a whole,
   * so any of them may hold wrong bytes (a flipped digit of a date).
   */
  untrusted: EntryRef[];
}

/** Whether the catalog reads `entry`'s bytes: a JSON file small enough to be a sidecar or album metadata. */
export function catalogReads(entry: ArchiveEntry): boolean {
  return !entry.link && /\.json$/i.test(entry.path) && entry.size <= MAX_JSON_BYTES &&
    !isDesktopFile(entry.path);
}

interface JsonFile {
  ref: EntryRef;
  name: string;
  sidecar?: SidecarData;
  albumTitle?: string;
}

/** The entries of one folder of one export. */
interface Folder {
  stamp: string;
  folder: string;
  /** Left out, known while listing (a remote archive's, see `planReads`): its JSON files are not read. */
  leftOut?: boolean;
  /** Its media entries (their names are those of their paths: no second object per entry). */
  media: EntryRef[];
  /**
   * Its files of a kind not listed (`IMG_5.HIF`, `MVIMG_…` with no extension: see `mayBeMedia`): media in a
   * Google Photos folder known by its name, which holds media only; elsewhere (an export whose folder's name
   * is not known, where other Takeout products' files may lie) not. Decided by each file's own path, so that
   * parts imported in separate runs decide alike.
   */
  unknown: EntryRef[];
  json: JsonFile[];
}

/** What {@link catalog} matches with, and whom it tells. */
export interface CatalogOptions {
  /** Once it aborts, no further entry is read and its reason is thrown. */
  signal?: AbortSignal;
  /** What earlier runs left of each folder. */
  earlier?: EarlierLookup;
  /** What earlier runs recorded of a folder in older exports. */
  older?: OlderLookup;
  /** What earlier runs recorded of a folder in newer exports. */
  newer?: NewerLookup;
  /** Told of each entry as it is listed (the stage workers start at the first one they would stage). */
  listed?: (entry: ArchiveEntry) => void;
  /** The JSON files an earlier run read (of a part in a remote store), and where those read now are kept. */
  memory?: JsonMemory;
}

/**
 * JSON files' texts kept between runs (`remote/pass_memory.ts`): a run stopped in the catalog pass keeps
 * what it read, and the next reads only the rest.
 */
export interface JsonMemory {
  /** The text of entry `entry` of archive `archive` (index into the inputs) read before, if kept. */
  text(archive: number, entry: ArchiveEntry): string | undefined;
  /** Keep the text of `entry` of `archive`, read whole now. */
  keep(archive: number, entry: ArchiveEntry, text: string): void;
}

/**
 * List and match every entry of `inputs`, with what earlier runs left of each folder met. A
 * damaged archive is reported; the others are read.
 */
export async function catalog(
  inputs: readonly ArchiveSource[],
  { signal, earlier, older, newer, listed, memory }: CatalogOptions = {},
): Promise<Catalog> {
  const folders = new Map<string, Folder>();
  const result: Catalog = {
    media: [],
    revisions: [],
    albums: [],
    sidecarsUsed: [],
    unmatchedSidecars: [],
    notMedia: [],
    unknownKinds: [],
    notGooglePhotos: [],
    entries: 0,
    archiveEntries: inputs.map(() => 0),
    damaged: [],
    unreadable: [],
    untrusted: [],
  };
  const stamps = exportStamps(inputs.map((input) => input.name));
  // Only the Google Photos folder's files are the export's: the folders of other Takeout products (and
  // beside the export, in a folder given) are left out whole, before any is matched (see below).
  const scope = new PhotosScope();
  // Archives in a remote store are told first what the catalog will read of them all: they fetch ahead.
  const ahead = inputs.some((input) => input.willRead);
  if (ahead) await planReads(inputs, stamps, scope, memory);
  for (const [archive, input] of inputs.entries()) {
    const stamp = stamps[archive];
    // JSON files of a zip or folder are read a few at a time (each read waits mostly on the
    // disk), and taken in the archive's order, so that matching never depends on timing.
    const window = input.sequential ? 1 : JSON_READS_AT_ONCE;
    const reading: Promise<void>[] = [];
    /** The folder of the entry before (of this archive, so of its export). */
    let last: Folder | undefined;
    try {
      for await (const entry of input.entries()) {
        signal?.throwIfAborted();
        listed?.(entry);
        result.entries++;
        result.archiveEntries[archive]++;
        const { path, size, mtimeMs, crc32, index, offset, compressedSize } = entry;
        // A zip's entry (every field known) is written as one literal: its fields are then kept in the
        // object itself, not in a second array of properties added to it (about 40 bytes an entry).
        const ref: EntryRef =
          crc32 !== undefined && index !== undefined && offset !== undefined && compressedSize !== undefined
            ? { archive, path, size, mtimeMs, occurrence: 0, crc32, index, offset, compressedSize }
            : {
              archive,
              path,
              size,
              mtimeMs,
              occurrence: 0,
              ...(crc32 === undefined ? {} : { crc32 }),
              ...(index === undefined ? {} : { index }),
            };
        if (isDesktopFile(path)) {
          // `._IMG_1.jpg`, `__MACOSX/…`: a desktop's, in an export extracted or zipped again on it.
          result.notMedia.push(ref);
          continue;
        }
        const { folder, name } = splitPath(entry.path);
        // An archive lists a folder's entries together (nearly always): its group is looked up once.
        let group = last?.folder === folder ? last : undefined;
        if (!group) {
          const key = JSON.stringify([stamp, folder]);
          group = folders.get(key);
          if (!group) {
            group = { stamp, folder, media: [], unknown: [], json: [] };
            if (ahead && scope.leftOut(stamp, folder)) group.leftOut = true;
            folders.set(key, group);
          }
          last = group;
        }
        if (entry.link) {
          result.notMedia.push(ref);
        } else if (group.leftOut && catalogReads(entry)) {
          // Not fetched (see `planReads`): it goes with its folder's files below.
          group.json.push({ ref, name });
        } else if (catalogReads(entry)) {
          const known = memory?.text(archive, entry);
          const text = known !== undefined ? Promise.resolve(known) : new Response(entry.body()).text();
          text.catch(() => {}); // Awaited in order below.
          if (known === undefined && memory) {
            // Kept as soon as it is read whole, not in order (a stop keeps every one read): as JSON without
            // its spaces (Google indents it), or as it is when it is no object (read again as no sidecar).
            // One holding a NUL (zero bytes at the end of a copy cut short) is kept empty, no object either:
            // sync.db gives a text back only up to its first NUL, which may end a JSON object.
            text.then((whole) => {
              const read = parseJsonObject(whole);
              try {
                memory.keep(archive, entry, read ? JSON.stringify(read) : whole.includes("\0") ? "" : whole);
              } catch {
                // Not kept (sync.db's write failed: a full disk): read again by the next run, which is all it
                // costs; thrown here, where no one awaits it, it would end the process with a stack trace.
              }
            }, () => {});
          }
          const json = group.json;
          const previous = reading.at(-1);
          reading.push((async () => {
            await previous;
            try {
              const read = parseJsonObject(await text);
              // A sidecar's name but no JSON object (cut short, damaged): said, never taken for no sidecar.
              if (isSidecarName(name) && read === undefined) {
                result.unreadable.push({
                  ref,
                  error: "no JSON object (a sidecar cut short or damaged): its photo is dated without it",
                });
                return;
              }
              json.push({
                ref,
                name,
                sidecar: sidecarData(read),
                albumTitle: albumMetadataTitle(name, read),
              });
            } catch (error) {
              // A zip goes on past a corrupt entry; a tar stream cannot, and the archive is reported.
              if (input.sequential) throw error;
              result.unreadable.push({ ref, error: (error as Error).message });
            }
          })());
          if (reading.length >= window) await reading.shift();
        } else if (isMediaName(name)) {
          group.media.push(ref);
        } else if (mayBeMedia(name)) {
          group.unknown.push(ref);
        } else {
          result.notMedia.push(ref);
        }
      }
      await reading.at(-1);
    } catch (error) {
      await Promise.allSettled(reading);
      if (signal?.aborted) throw signal.reason;
      // The store of a remote archive failing (the network, authorisation) is no damage: the run stops.
      if (error instanceof PhotosyncError) throw error;
      result.damaged.push({ archive, error: (error as Error).message });
      // A stream (tgz) is checked only as a whole, at its end: no JSON file read from a damaged one
      // dates a file or names an album (see `untrusted`).
      if (input.sequential) {
        for (const group of folders.values()) {
          const taken = group.json.filter((file) => file.ref.archive === archive);
          if (taken.length === 0) continue;
          group.json = group.json.filter((file) => file.ref.archive !== archive);
          for (const { ref } of taken) result.untrusted.push(ref);
        }
      }
    }
  }
  // The folders left out, whole, before any is matched.
  for (const { stamp, folder } of folders.values()) scope.add(stamp, folder);
  for (const [key, group] of folders) {
    const left = scope.leftOut(group.stamp, group.folder);
    if (!left) continue;
    folders.delete(key);
    for (const ref of [...group.media, ...group.unknown, ...group.json.map((file) => file.ref)]) {
      result.notGooglePhotos.push({ ref, ...left });
    }
  }
  for (const group of folders.values()) {
    if (group.unknown.length === 0) continue;
    const known = scope.inPhotosFolder(group.stamp, group.folder);
    for (const ref of group.unknown) {
      if (known && splitExtension(splitPath(ref.path).name).ext === "") group.media.push(ref);
      else {
        result.notMedia.push(ref);
        if (known) result.unknownKinds.push(ref);
      }
    }
    group.unknown = [];
  }
  // Oldest export first (a stable sort: within one, the order of the folders' first entries), so
  // that an increment's folder is matched with what the exports before it (this run's and earlier
  // runs') hold of it, as if they were one export.
  const groups = [...folders.values()].sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0));
  folders.clear();
  // What a folder's match leaves for the same folder of a later export of this run: kept only for
  // folders that more than one export of the run holds (most hold one: their names are not kept).
  const exportsOf = new Map<string, number>();
  for (const { folder } of groups) exportsOf.set(folder, (exportsOf.get(folder) ?? 0) + 1);
  const inRun = new Map<string, OlderInRun[]>();
  const revisedNewer = new Map<string, Revision>();
  for (const [at, group] of groups.entries()) {
    // Let go of as it is matched: its entries are held by their plans from here.
    groups[at] = undefined!;
    let known: OlderExports | undefined;
    const before = () => known ??= olderOf(group, inRun.get(group.folder) ?? [], older);
    const matched = matchFolder(
      group,
      earlier?.(group.stamp, group.folder) ?? { media: [], sidecars: [] },
      before,
      result,
    );
    if (newer && group.stamp !== "") {
      reviseNewer(matched, group.folder, newer(group.stamp, group.folder), revisedNewer, result);
    }
    if (group.stamp === "" || exportsOf.get(group.folder)! < 2) continue;
    inRun.set(group.folder, [matched, ...inRun.get(group.folder) ?? []]);
  }
  return result;
}

/**
 * Match one folder's media files (this run's and earlier runs') to its sidecars (this run's and
 * those earlier runs left unmatched), edited copies to originals, videos to stills. Every entry
 * gets its own plan: two entries of one name (two exports, or two parts) are two files.
 */
function matchFolder(
  group: Folder,
  earlier: EarlierFolder,
  older: () => OlderExports,
  result: Catalog,
): OlderInRun {
  const { stamp, folder } = group;
  // The metadata file by its known name first; else one its content tells (see `albumMetadataTitle`).
  const metadata =
    group.json.find((file) =>
      file.albumTitle !== undefined && ALBUM_METADATA.has(file.name.normalize("NFC").toLowerCase())
    ) ?? group.json.find((file) => file.albumTitle !== undefined);
  // A folder with an album's metadata.json is an album; its title is localised there. An
  // increment's album folder may come without it (it lists only the new members): the title of
  // the album in an older export.
  const title = metadata
    ? metadata.albumTitle || folder.split(/[/\\]/).filter(Boolean).pop() || "album"
    : earlier.album ?? (group.media.length > 0 ? older().title : undefined);
  const album = title === undefined ? undefined : { id: `takeout:${folder}`, title };
  if (metadata) result.albums.push({ stamp, folder, title: title! });
  const sidecars = group.json.filter((file) => file !== metadata && file.sidecar && isSidecarName(file.name));
  // Every sidecar of the folder known so far: this run's, those earlier runs left unmatched and
  // those earlier media files took; and every media file, so that they match as in one run.
  const candidates = [
    ...sidecars.map((file) => ({ name: file.name, data: file.sidecar! })),
    ...earlier.sidecars,
    ...earlier.media.flatMap(({ record }) => record.sidecar ? [record.sidecar] : []),
  ];
  const ownNames = group.media.map((ref) => splitPath(ref.path).name);
  const names = [...ownNames, ...earlier.media.map((media) => media.name)];
  const matches = matchSidecars(
    names,
    candidates.map((file) => ({ name: file.name, title: file.data.title })),
  );
  // The candidate itself, whose name is the string kept (not the match's copy of it: 25,000 sidecars, 2 MB).
  const byName = new Map<string, { name: string; data: SidecarData }>();
  for (const file of candidates) if (!byName.has(file.name)) byName.set(file.name, file);
  const used = new Set<string>();
  const matched = (name: string): MatchedSidecar | undefined => {
    const match = matches.get(name);
    if (!match) return undefined;
    used.add(match.sidecar);
    const { name: sidecar, data } = byName.get(match.sidecar)!;
    return { name: sidecar, rule: match.rule, data, ambiguous: match.ambiguous };
  };
  const occurrences = new Map<string, number>();
  const plans: MediaPlan[] = group.media.map((ref, at) => {
    const name = ownNames[at];
    const seen = JSON.stringify([ref.archive, name]);
    ref.occurrence = occurrences.get(seen) ?? 0;
    occurrences.set(seen, ref.occurrence + 1);
    const sidecar = matched(name);
    return { entry: ref, stamp, name, folder, album, ...(sidecar ? { sidecar } : {}) };
  });
  const revisions: Revision[] = earlier.media.map((media) => {
    // One that had its sidecar keeps it (and that sidecar read again, a part imported again, is used).
    if (media.record.sidecar) used.add(media.record.sidecar.name);
    const sidecar = media.record.sidecar ?? matched(media.name);
    return { earlier: media, stamp, name: media.name, folder, album, ...(sidecar ? { sidecar } : {}) };
  });
  const all: MediaMatch[] = [...plans, ...revisions];
  const first = new Map<string, MediaMatch>();
  for (const plan of all) if (!first.has(plan.name)) first.set(plan.name, plan);
  const lowerNames = new Map([...first.keys()].map((name) => [name.toLowerCase(), name]));
  const motion = pairMotionPhotos([...first.keys()]);
  for (const plan of all) {
    if (plan.sidecar) continue;
    const original = editedOriginal(plan.name);
    let originalName = original && lowerNames.get(original.toLowerCase());
    const still = motion.get(plan.name);
    let from: { name: string; sidecar?: MatchedSidecar } | undefined = originalName
      ? first.get(originalName)
      : still
      ? first.get(still)
      : undefined;
    if (original && !originalName && !still) {
      // An edited copy whose original came in an older export (an increment sends what was
      // edited since): dated from that original, as if both had been in one export.
      from = older().media.get(original.toLowerCase());
      originalName = from?.name;
    }
    if (originalName) plan.editedOf = originalName;
    else if (still) plan.motionOf = still;
    if (from?.sidecar) {
      plan.sidecar = {
        ...from.sidecar,
        rule: `${originalName ? "edited copy of" : "motion video of"} ${from.name}`,
      };
    }
  }
  result.media.push(...plans);
  for (const revision of revisions) {
    const { record } = revision.earlier;
    // This run's album metadata adds earlier files too (again, if a stopped run did it before).
    if (!record.trashed && ((revision.sidecar && !record.sidecar) || metadata !== undefined)) {
      result.revisions.push(revision);
    }
  }
  for (const file of group.json) {
    if (file === metadata) result.notMedia.push(file.ref);
    else if (used.has(file.name)) result.sidecarsUsed.push(file.ref);
    else if (file.sidecar) {
      result.unmatchedSidecars.push({ ...file.ref, stamp, folder, name: file.name, data: file.sidecar });
    } else result.notMedia.push(file.ref);
  }
  const byLowerName = new Map<string, MediaMatch>();
  for (const [name, match] of first) {
    if (!byLowerName.has(name.toLowerCase())) byLowerName.set(name.toLowerCase(), match);
  }
  return { stamp, media: byLowerName, ...(title === undefined ? {} : { title }) };
}

/**
 * What an older export's folder (`matched`, imported after newer ones: a missed increment) tells the
 * media those newer exports placed in it (`later`): an edited copy that came without its original
 * takes the original's sidecar from here (re-dated, as if both had been in one export); members of
 * an album whose metadata only this export has join the album.
 */
function reviseNewer(
  matched: OlderInRun,
  folder: string,
  later: NewerFolder[],
  revised: Map<string, Revision>,
  result: Catalog,
): void {
  for (const { stamp, media, album } of later) {
    const names = new Set(media.map((m) => m.name.toLowerCase()));
    for (const earlier of media) {
      if (earlier.record.trashed) continue;
      // Met again from a newer export of this run (folders go oldest first): the newest original wins.
      const before = revised.get(earlier.key);
      const revision: Revision = before ?? { earlier, stamp, name: earlier.name, folder };
      const original = earlier.record.sidecar ? undefined : editedOriginal(earlier.name);
      const from = original && !names.has(original.toLowerCase())
        ? matched.media.get(original.toLowerCase())
        : undefined;
      if (from?.sidecar) {
        revision.editedOf = from.name;
        revision.sidecar = { ...from.sidecar, rule: `edited copy of ${from.name}` };
      }
      const joins = !album && matched.title !== undefined;
      if (joins) revision.album = { id: `takeout:${folder}`, title: matched.title! };
      if (!before && (revision.sidecar || joins)) {
        revised.set(earlier.key, revision);
        result.revisions.push(revision);
      }
    }
  }
}

/** What the exports older than a folder's hold of it: its media by lower-case name, its album's title. */
interface OlderExports {
  media: Map<string, { name: string; sidecar?: MatchedSidecar }>;
  title?: string;
}

/**
 * What the exports older than `group`'s hold of its folder, the newest first: this run's (`inRun`,
 * newest first) before those earlier runs recorded (`lookup`); read once per folder when asked.
 */
function olderOf(group: Folder, inRun: readonly OlderInRun[], lookup?: OlderLookup): OlderExports {
  const media = new Map<string, { name: string; sidecar?: MatchedSidecar }>();
  let title: string | undefined;
  const runs = inRun.filter((run) => run.stamp < group.stamp);
  const recorded = group.stamp === "" ? undefined : lookup?.(group.stamp, group.folder);
  // Newest first: this run's older exports and the recorded ones, merged by stamp.
  const stamps = [
    ...new Set([
      ...runs.map((r) => r.stamp),
      ...(recorded?.media ?? []).map((m) => m.stamp),
      ...(recorded?.albums ?? []).map((a) => a.stamp),
    ]),
  ].sort().reverse();
  for (const stamp of stamps) {
    const run = runs.find((r) => r.stamp === stamp);
    if (run) {
      for (const [lower, match] of run.media) if (!media.has(lower)) media.set(lower, match);
      title ??= run.title;
      continue;
    }
    for (const { name, record } of recorded!.media.filter((m) => m.stamp === stamp)) {
      const lower = name.toLowerCase();
      if (!media.has(lower)) {
        media.set(lower, { name, ...(record.sidecar ? { sidecar: record.sidecar } : {}) });
      }
    }
    title ??= recorded!.albums.find((a) => a.stamp === stamp)?.title;
  }
  return { media, ...(title === undefined ? {} : { title }) };
}

/**
 * An album's title when `name`/`json` is an album's `metadata.json`: by its name (localised, those listed), or
 * else by its content; otherwise undefined.
 */
function albumMetadataTitle(name: string, json: Record<string, unknown> | undefined): string | undefined {
  const comparable = name.normalize("NFC").toLowerCase();
  if (ALBUM_METADATA.has(comparable)) return albumTitleOf(json) ?? "";
  // Its name in a language the list lacks: told by its content, an album's title and none of the fields
  // every media file's sidecar has.
  if (ACCOUNT_FILES.has(comparable) || json === undefined || SIDECAR_FIELDS.some((field) => field in json)) {
    return undefined;
  }
  return albumTitleOf(json);
}

/**
 * Tell each remote archive of `inputs` (listed from its directory, kept in memory) which JSON files the
 * catalog will read of it, so that it fetches them ahead, in parallel: not those an earlier run read
 * (`memory` kept them), nor those of folders `scope` leaves out (a Takeout of Keep or Fit beside Google
 * Photos holds thousands, a request each). `scope` is told the folders holding JSON files: a folder lies
 * in the Google Photos folder when its path holds that folder's, so for these the answer is the one the
 * whole listing gives later.
 */
async function planReads(
  inputs: readonly ArchiveSource[],
  stamps: string[],
  scope: PhotosScope,
  memory?: JsonMemory,
): Promise<void> {
  /** Each folder (by export) listed, numbered, so that a JSON file to read keeps only a number. */
  const folderIds = new Map<string, number>();
  const folderOf: { stamp: string; path: string }[] = [];
  const planned: { input: ArchiveSource; reads: number[]; folders: number[] }[] = [];
  for (const [archive, input] of inputs.entries()) {
    if (!input.willRead) continue;
    const plan = { input, reads: [] as number[], folders: [] as number[] };
    planned.push(plan);
    try {
      for await (const entry of input.entries()) {
        if (!catalogReads(entry) || entry.index === undefined) continue;
        const path = splitPath(entry.path).folder;
        const key = JSON.stringify([stamps[archive], path]);
        let id = folderIds.get(key);
        if (id === undefined) {
          folderIds.set(key, id = folderOf.length);
          folderOf.push({ stamp: stamps[archive], path });
        }
        // Read by an earlier run: taken from what it kept, not fetched (its folder still counts for the scope).
        if (memory?.text(archive, entry) !== undefined) continue;
        plan.reads.push(entry.index);
        plan.folders.push(id);
      }
    } catch {
      // Reported when the catalog reads the archive.
    }
  }
  for (const { stamp, path } of folderOf) scope.add(stamp, path);
  const kept = folderOf.map(({ stamp, path }) => !scope.leftOut(stamp, path));
  for (const { input, reads, folders } of planned) {
    input.willRead!(reads.filter((_, at) => kept[folders[at]]));
  }
}

/** The folder part and the file name of an entry path (either separator). */
function splitPath(path: string): { folder: string; name: string } {
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return { folder: path.slice(0, at + 1), name: path.slice(at + 1) };
}
