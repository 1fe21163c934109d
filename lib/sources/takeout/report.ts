/**
 * What a Takeout import tells the user: every entry of every archive accounted for (imported,
 * already there, a duplicate, a sidecar, trash, not media, failed, unread), where dates came
 * from, and one line per failure.
 * @module
 */
import type { ArchiveSource } from "./archive_source.ts";
import type { Catalog, MediaPlan } from "./catalog.ts";
import type { Committed, DateSource } from "./commit.ts";
import type { ImportPlan } from "./plan.ts";

/** What an import did; the entry counts add up to {@link TakeoutReport.entries}. */
export interface TakeoutReport {
  entries: number;
  imported: number;
  alreadyPresent: number;
  duplicates: number;
  sidecarsUsed: number;
  trashed: number;
  notMedia: number;
  unmatchedSidecars: number;
  failed: number;
  /** Entries of damaged archives that could not be listed or reached. */
  unread: number;
  /** Archives that broke off (truncated, corrupt): what was read before is kept. */
  damagedArchives: number;
  bytes: number;
  /** Of the imported: files placed again because theirs had gone missing or changed. */
  restored: number;
  /** Files placed before (this run or earlier) without a sidecar, re-dated by one this run found. */
  redated: number;
  /** Files placed before their sidecar said they were in the trash, removed. */
  removed: number;
  datedFrom: Record<DateSource, number>;
  /** Files dated only by their archive entry time. */
  datedByFileTime: string[];
  /** Media files for which two sidecars fit (the first was used). */
  ambiguous: string[];
  unmatchedSidecarNames: string[];
  /** One line per failed entry or damaged archive. */
  failures: string[];
}

/** The report before the second pass: what the catalog found and what the plan leaves out. */
export function startReport(
  catalog: Catalog,
  inputs: readonly ArchiveSource[],
  plan: ImportPlan,
): TakeoutReport {
  return {
    entries: catalog.entries,
    imported: 0,
    alreadyPresent: 0,
    duplicates: 0,
    sidecarsUsed: catalog.sidecarsUsed.length,
    trashed: plan.trashed,
    notMedia: catalog.notMedia.length,
    unmatchedSidecars: catalog.unmatchedSidecars.length,
    failed: catalog.unreadable.length,
    unread: 0,
    damagedArchives: catalog.damaged.length,
    bytes: 0,
    restored: 0,
    redated: 0,
    removed: 0,
    datedFrom: { sidecar: 0, exif: 0, name: 0, "file time": 0 },
    datedByFileTime: [],
    ambiguous: plan.wanted.filter((media) => media.sidecar?.ambiguous?.length).map((media) =>
      media.entry.path
    ),
    unmatchedSidecarNames: catalog.unmatchedSidecars.map((ref) => ref.path),
    failures: [
      ...catalog.damaged.map(({ archive, error }) => `${inputs[archive].path}: ${error}`),
      ...catalog.unreadable.map(({ ref, error }) => `${inputs[ref.archive].path}: ${ref.path}: ${error}`),
    ],
  };
}

/** Count a committed media file. */
export function countCommitted(report: TakeoutReport, media: MediaPlan, committed: Committed): void {
  switch (committed.kind) {
    case "imported":
      report.imported++;
      if (committed.restored) report.restored++;
      report.bytes += committed.size;
      report.datedFrom[committed.dateSource]++;
      if (committed.dateSource === "file time") report.datedByFileTime.push(media.entry.path);
      break;
    case "already present":
      report.alreadyPresent++;
      break;
    case "duplicate":
      report.duplicates++;
      break;
  }
  if (committed.kind !== "imported" && committed.redated) report.redated++;
}

/** Count a file placed before that a sidecar found now re-dated or removed. */
export function countRevised(report: TakeoutReport, revised: "redated" | "removed" | "unchanged"): void {
  if (revised === "redated") report.redated++;
  if (revised === "removed") report.removed++;
}

/** Count a media file whose bytes could not be read (a corrupt entry). */
export function countFailedEntry(
  report: TakeoutReport,
  input: ArchiveSource,
  media: MediaPlan,
  error: Error,
): void {
  report.failed++;
  report.failures.push(
    `${input.path}: ${media.entry.path}: ${(error.cause as Error)?.message ?? error.message}`,
  );
}

/** Count an archive that broke off: one failure line for it, unless one of its entries has one already. */
export function countDamagedArchive(
  report: TakeoutReport,
  input: ArchiveSource,
  error: Error,
): void {
  report.damagedArchives++;
  if (!report.failures.some((line) => line.startsWith(`${input.path}: `))) {
    report.failures.push(`${input.path}: ${error.message}`);
  }
}
