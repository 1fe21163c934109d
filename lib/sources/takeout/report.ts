/**
 * What a Takeout import tells the user: every entry of every archive accounted for (imported,
 * already there, a duplicate, a sidecar, trash, not media, not Google Photos, failed, unread), where dates came
 * from, and one line per failure. The counts and the first few names of each list are kept
 * for the summary; the full account goes, one line per entry, to the report file
 * (`report_file.ts`) as the import goes, so that memory does not grow with the export.
 * @module
 */
import type { ArchiveSource } from "./archive_source.ts";
import type { Catalog, EntryRef, MediaPlan } from "./catalog.ts";
import type { Committed, DateSource, Revised } from "./commit.ts";
import { digestKey } from "./fingerprint.ts";
import type { ImportPlan } from "./plan.ts";
import type { Outcome, ReportFile, ReportLine } from "./report_file.ts";

/** Names kept of each list for the summary (the report file has them all). */
export const LISTED_NAMES = 10;

/** How many there are, and the first {@link LISTED_NAMES} of them. */
export interface Listed {
  count: number;
  first: string[];
}

/** What an import did; the entry counts add up to {@link TakeoutReport.entries}. */
export interface TakeoutReport {
  entries: number;
  imported: number;
  alreadyPresent: number;
  duplicates: number;
  sidecarsUsed: number;
  trashed: number;
  notMedia: number;
  /** Media and JSON files outside the export's Google Photos folder (`PhotosScope`): left out. */
  notGooglePhotos: number;
  /** The folders they were left out by, each with its count (`Takeout/Drive/ (12)`), the largest first. */
  notGooglePhotosFolders: string[];
  unmatchedSidecars: number;
  failed: number;
  /** Entries of damaged archives that could not be listed or reached. */
  unread: number;
  /** Archives that broke off (truncated, corrupt): what was read before is kept. */
  damagedArchives: number;
  /**
   * Album links (`--albums links`) not made because a symbolic link or a file is where a folder of
   * `albums/` goes (a warning names it): the photos are imported, the next import makes them.
   */
  albumLinksNotMade: number;
  bytes: number;
  /** Of the imported: files placed again because theirs had gone missing or changed. */
  restored: number;
  /**
   * Of the imported: files stored elsewhere (`--files-elsewhere`) placed again, at the day a later export
   * corrected their date (the copy stored before, at the old day, is out of date).
   */
  placedAgain: number;
  /** Files placed before (this run or earlier) without a sidecar, re-dated by one this run found. */
  redated: number;
  /** Files placed before their sidecar said they were in the trash, removed. */
  removed: number;
  /**
   * Items placed before their sidecar said they were in the trash whose file stayed (their rows went): `shared`,
   * an item of another source (a pick, a sync) has the same bytes and holds the file now; `changed`, the file
   * changed since photosync placed it (an edit: the user's now); `absent`, no file was here to remove (gone,
   * or stored elsewhere).
   */
  trashKept: { shared: number; changed: number; absent: number };
  /** Items sent again by a later export whose sidecar changed their metadata (favourite, …) or date. */
  updated: number;
  datedFrom: Record<DateSource, number>;
  /** Files dated only by their archive entry time. */
  datedByFileTime: Listed;
  /** Files no rule dated, not even the entry time: dated 1970-01-01 (`none`). */
  undated: Listed;
  /** Files of which a rule's value was no date and was passed over (`entry: why`). */
  invalidDates: Listed;
  /** Media files for which two sidecars fit (the first was used). */
  ambiguous: Listed;
  /** Files of the Google Photos folder of a kind not known, left out as not media (see the catalog). */
  unknownKinds: Listed;
  unmatchedSidecarNames: Listed;
  /** One line per failed entry or damaged archive. */
  failures: Listed;
  /** The report file: every entry, one line each (absent when none was written). */
  file?: string;
}

/** A report being made: its figures, and the file its lines go to. */
export interface Tally {
  readonly report: TakeoutReport;
  readonly inputs: readonly ArchiveSource[];
  readonly file?: ReportFile;
  /** Archives that have a failure line already. */
  readonly failedArchives: Set<string>;
  /**
   * Items this run imported dated by a fallback (the entry's time, or none), by a number (see
   * `digestKey`): the rule, and the entry's path where it is listed by name. A sidecar later in the run
   * re-dates such a file: then it counts as dated by it.
   */
  readonly fallbackDated: Map<number, { rule: "file time" | "none"; path?: string }>;
}

const listed = (): Listed => ({ count: 0, first: [] });

function add(list: Listed, name: string): void {
  if (list.count++ < LISTED_NAMES) list.first.push(name);
}

/** Take `name` (when given: it is among the names listed) off `list`. */
function remove(list: Listed, name: string | undefined): void {
  const at = name === undefined ? -1 : list.first.indexOf(name);
  if (at >= 0) list.first.splice(at, 1);
  list.count--;
}

/** A Takeout item's id (`takeout:<sha256>`) as a number (see `digestKey`). */
const idKey = (id: string) => digestKey(id.slice(id.indexOf(":") + 1));

/**
 * The report before the second pass: what the catalog found and what the plan leaves out; the
 * file (when given) gets their lines now.
 */
export function startReport(
  catalog: Catalog,
  inputs: readonly ArchiveSource[],
  plan: ImportPlan,
  file?: ReportFile,
): Tally {
  const tally: Tally = {
    inputs,
    file,
    failedArchives: new Set(),
    fallbackDated: new Map(),
    report: {
      entries: catalog.entries,
      imported: 0,
      alreadyPresent: 0,
      duplicates: 0,
      sidecarsUsed: catalog.sidecarsUsed.length,
      trashed: plan.trashed,
      notMedia: catalog.notMedia.length,
      notGooglePhotos: catalog.notGooglePhotos.length,
      notGooglePhotosFolders: leftOutFolders(catalog.notGooglePhotos),
      unmatchedSidecars: catalog.unmatchedSidecars.length,
      failed: catalog.unreadable.length,
      unread: catalog.untrusted.length,
      damagedArchives: catalog.damaged.length,
      albumLinksNotMade: 0,
      bytes: 0,
      restored: 0,
      placedAgain: 0,
      redated: 0,
      removed: 0,
      trashKept: { shared: 0, changed: 0, absent: 0 },
      updated: 0,
      datedFrom: { sidecar: 0, exif: 0, name: 0, "file time": 0, none: 0 },
      datedByFileTime: listed(),
      undated: listed(),
      invalidDates: listed(),
      ambiguous: listed(),
      unknownKinds: listed(),
      unmatchedSidecarNames: listed(),
      failures: listed(),
      ...(file ? { file: file.path } : {}),
    },
  };
  const { report } = tally;
  for (const { archive, error } of catalog.damaged) {
    failure(tally, inputs[archive], undefined, error);
  }
  for (const { ref, error } of catalog.unreadable) {
    failure(tally, inputs[ref.archive], ref.path, namedOnce(ref.path, error));
  }
  const line = (ref: EntryRef, outcome: Outcome, more: Partial<ReportLine> = {}) =>
    file?.write({ archive: inputs[ref.archive].path, entry: ref.path, outcome, ...more });
  for (const ref of catalog.sidecarsUsed) line(ref, "sidecar");
  for (const ref of catalog.untrusted) line(ref, "unread", { note: "its archive is damaged: not used" });
  const unknownKinds = new Set(catalog.unknownKinds);
  for (const ref of catalog.notMedia) {
    line(
      ref,
      "not media",
      unknownKinds.has(ref) ? { note: "an extension not known as a photo's or a video's" } : {},
    );
  }
  for (const ref of catalog.unknownKinds) add(report.unknownKinds, ref.path);
  for (const { ref, top, why } of catalog.notGooglePhotos) {
    line(ref, "not Google Photos", { note: `${why}: ${top}` });
  }
  for (const ref of catalog.unmatchedSidecars) {
    add(report.unmatchedSidecarNames, ref.path);
    line(ref, "unmatched sidecar");
  }
  // Only when there is trash (a set of every plan is a few MB at 100,000 entries).
  const wanted = plan.trashed > 0 ? new Set(plan.wanted) : undefined;
  for (const media of catalog.media) {
    if (wanted && !wanted.has(media)) line(media.entry, "trashed", sidecarFields(media));
    else if (media.sidecar?.ambiguous?.length) {
      add(report.ambiguous, media.entry.path);
    }
  }
  return tally;
}

/** The folders entries were left out by, each with its count, the largest first (at most {@link LISTED_NAMES}). */
function leftOutFolders(left: readonly { top: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const { top } of left) counts.set(top, (counts.get(top) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, LISTED_NAMES).map(([top, count]) =>
    `${top} (${count})`
  );
}

/** Count a committed media file. */
export function countCommitted(
  tally: Tally,
  input: ArchiveSource,
  media: MediaPlan,
  committed: Committed,
): void {
  const { report } = tally;
  const fields = { archive: input.path, entry: media.entry.path, ...sidecarFields(media) };
  switch (committed.kind) {
    case "imported": {
      report.imported++;
      if (committed.restored) report.restored++;
      if (committed.refiled || committed.retimed) report.placedAgain++;
      if (committed.redated) report.redated++;
      if (committed.updated) report.updated++;
      report.bytes += committed.size;
      report.datedFrom[committed.dateSource]++;
      if (committed.dateSource === "file time") add(report.datedByFileTime, media.entry.path);
      if (committed.dateSource === "none") add(report.undated, media.entry.path);
      if (committed.dateSource === "file time" || committed.dateSource === "none") {
        const list = committed.dateSource === "file time" ? report.datedByFileTime : report.undated;
        tally.fallbackDated.set(idKey(committed.id), {
          rule: committed.dateSource,
          ...(list.first.at(-1) === media.entry.path ? { path: media.entry.path } : {}),
        });
      }
      const skipped = committed.skipped.join("; ");
      if (skipped) add(report.invalidDates, `${media.entry.path}: ${skipped}`);
      tally.file?.write({
        ...fields,
        outcome: "imported",
        dateSource: committed.dateSource,
        note: [
          committed.restored
            ? `restored ${committed.path}`
            : committed.refiled
            ? `placed again at ${committed.path} (its date corrected; the copy stored at ${committed.refiled} is out of date)`
            : committed.retimed
            ? `placed again at ${committed.path} (its time corrected; to store over the copy stored there)`
            : committed.path,
          ...committed.skipped,
          ...committed.updated ? [`updated ${committed.updated.join(", ")} (a later export)`] : [],
        ].join("; "),
      });
      break;
    }
    case "already present":
    case "duplicate": {
      if (committed.kind === "duplicate") report.duplicates++;
      else report.alreadyPresent++;
      const imported = committed.redated ? tally.fallbackDated.get(idKey(committed.id)) : undefined;
      if (imported) {
        // Imported by this run, and dated by this copy's sidecar now: it counts as dated by a sidecar.
        tally.fallbackDated.delete(idKey(committed.id));
        report.datedFrom[imported.rule]--;
        report.datedFrom.sidecar++;
        remove(imported.rule === "file time" ? report.datedByFileTime : report.undated, imported.path);
      } else if (committed.redated) report.redated++;
      if (committed.updated) report.updated++;
      const redated = committed.redated ? `; redated to ${committed.redated}` : "";
      const updated = committed.updated ? `; updated ${committed.updated.join(", ")} (a later export)` : "";
      tally.file?.write({ ...fields, outcome: committed.kind, note: `${committed.id}${redated}${updated}` });
      break;
    }
  }
}

/**
 * Count a file placed before that a sidecar this run found re-dated or removed. One placed from
 * an entry of an earlier run (`earlier`: its archive's name, its path, and where the file is now)
 * gets a line of its own: it has none of this run's.
 */
export function countRevised(
  tally: Tally,
  revised: Revised,
  earlier?: { archiveName: string; path: string; sidecar: string; now?: string },
): void {
  if (revised === "unchanged") return;
  const { report } = tally;
  const trash = typeof revised === "object" ? revised.trash : undefined;
  if (trash === undefined) report.redated++;
  else if (trash === "removed") report.removed++;
  else report.trashKept[trash]++;
  if (!earlier) return;
  tally.file?.write({
    archive: earlier.archiveName,
    entry: earlier.path,
    outcome: trash === undefined
      ? "redated"
      : trash === "removed"
      ? "removed"
      : trash === "absent"
      ? "no file here"
      : "kept",
    sidecar: earlier.sidecar,
    note: trash === undefined
      ? `an earlier run's entry, now ${earlier.now}`
      : `an earlier run's entry${trash === "removed" ? "" : `, in the trash: ${TRASH_KEPT[trash]}`}`,
  });
}

/** Why the file of an item the trash took out of sync.db stayed (see {@link TakeoutReport.trashKept}). */
export const TRASH_KEPT = {
  shared: "its file kept, for an item of another source with the same bytes",
  changed: "its file kept, changed since photosync placed it (no longer in sync.db)",
  absent: "no file here to remove (gone, or stored elsewhere)",
} as const;

/**
 * Count a media file an earlier run went through (recorded, not read again): already present, or
 * trash that a run removed; `redated`: where a sidecar found now moved its file.
 */
export function countDone(
  tally: Tally,
  input: ArchiveSource,
  media: MediaPlan,
  done: { trashed?: boolean; redated?: string } = {},
): void {
  if (done.trashed) tally.report.trashed++;
  else tally.report.alreadyPresent++;
  tally.file?.write({
    archive: input.path,
    entry: media.entry.path,
    outcome: done.trashed ? "trashed" : "already present",
    note: done.trashed
      ? "taken out as trash by an earlier run"
      : `imported by an earlier run${done.redated ? `; redated to ${done.redated}` : ""}`,
  });
}

/** Count a media file whose bytes could not be read (a corrupt entry) or that could not be placed. */
export function countFailedEntry(
  tally: Tally,
  input: ArchiveSource,
  media: MediaPlan,
  error: Error,
): void {
  tally.report.failed++;
  const message = (error.cause as Error)?.message ?? error.message;
  failure(tally, input, media.entry.path, namedOnce(media.entry.path, message));
}

/** An archive's own error names the entry already (`path: …`): the line names it once. */
function namedOnce(path: string, message: string): string {
  const named = `${path}: `;
  return message.startsWith(named) ? message.slice(named.length) : message;
}

/** Count an archive that broke off: one failure line for it, unless one of its entries has one already. */
export function countDamagedArchive(
  tally: Tally,
  input: ArchiveSource,
  error: Error,
): void {
  tally.report.damagedArchives++;
  if (!tally.failedArchives.has(input.path)) failure(tally, input, undefined, error.message);
}

/** Count the media files of an archive that broke off before they were reached. */
export function countUnread(tally: Tally, input: ArchiveSource, unread: Iterable<MediaPlan>): void {
  for (const media of unread) {
    tally.report.unread++;
    tally.file?.write({ archive: input.path, entry: media.entry.path, outcome: "unread" });
  }
}

/** A failure line (for the terminal) and its report line: an entry's, or the archive's. */
function failure(tally: Tally, input: ArchiveSource, entry: string | undefined, error: string): void {
  tally.failedArchives.add(input.path);
  add(
    tally.report.failures,
    entry === undefined ? `${input.path}: ${error}` : `${input.path}: ${entry}: ${error}`,
  );
  tally.file?.write({
    archive: input.path,
    entry,
    outcome: entry === undefined ? "damaged archive" : "failed",
    note: error,
  });
}

/** The sidecar columns of a media file's line. */
function sidecarFields(media: MediaPlan): Pick<ReportLine, "sidecar" | "rule"> {
  return media.sidecar ? { sidecar: media.sidecar.name, rule: media.sidecar.rule } : {};
}
