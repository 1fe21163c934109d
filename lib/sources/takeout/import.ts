/**
 * The second pass over a Takeout export, in stages: plan (`plan.ts`: the media files wanted),
 * revise (what this run's sidecars and albums say of files earlier runs placed: re-date them,
 * remove the trash), stage (`stage.ts`: an entry's bytes into a temporary file, in a worker for
 * a zip), commit (`commit.ts`: hash, store once by content, date, then the shared place and
 * record step of `core/place.ts`), report (`report.ts`). The archives' bytes come from
 * {@link ArchiveSource}s, wherever they are. Every entry done is recorded (`records.ts`), so a
 * re-run (after a crash, or of an overlapping export) skips it, once it has seen that its file
 * is still there.
 * @module
 */
import type { PathMapper } from "../../core/layout.ts";
import type { Logger } from "../../core/logger.ts";
import { BodyError, type OutputTree, type TempFile, UnsafePathError } from "../../core/output_tree.ts";
import { Placer } from "../../core/place.ts";
import type { Store } from "../../core/store.ts";
import type { ArchiveSource } from "./archive_source.ts";
import type { Catalog, MediaPlan } from "./catalog.ts";
import { Committer, type Revised, spotOf } from "./commit.ts";
import { ArchiveError } from "./entry.ts";
import { planImport } from "./plan.ts";
import { entryKey, type TakeoutRecords } from "./records.ts";
import {
  countCommitted,
  countDamagedArchive,
  countDone,
  countFailedEntry,
  countRevised,
  countUnread,
  startReport,
  type TakeoutReport,
  type Tally,
} from "./report.ts";
import type { ReportFile } from "./report_file.ts";
import { type ListedEntry, STAGED_AT_ONCE, Stager } from "./stage.ts";

export type { TakeoutReport } from "./report.ts";

/** Options of {@link importTakeout}. */
export interface ImportOptions {
  store: Store;
  tree: OutputTree;
  /** The archives the catalog read, in the same order. */
  inputs: readonly ArchiveSource[];
  /** What earlier runs recorded (the catalog matched with it too). */
  records: TakeoutRecords;
  logger: Logger;
  pathMapper: PathMapper;
  /** `links`: album folders of links into the dated tree; `none`: membership recorded only. */
  albums: "links" | "none";
  includeTrashed: boolean;
  /** The run's stop: no entry is staged or committed after it aborts; its reason is thrown. */
  signal?: AbortSignal;
  /** Where the line of each entry goes (none: the report's figures only). */
  reportFile?: ReportFile;
}

/** What one archive's import works with. */
interface Run {
  stager: Stager;
  committer: Committer;
  store: Store;
  tree: OutputTree;
  records: TakeoutRecords;
  includeTrashed: boolean;
  tally: Tally;
  logger: Logger;
  /** Count a file gone through (imported, a duplicate or already there) and its bytes. */
  advance(size: number): void;
  signal?: AbortSignal;
}

/**
 * Import every media file the catalog planned; returns the report. The catalog's lists are
 * emptied once used (its plans are then held only until their entry is committed), so that an
 * import's memory does not keep every entry of the export to its end.
 */
export async function importTakeout(catalog: Catalog, options: ImportOptions): Promise<TakeoutReport> {
  const { store, tree, inputs, logger, records } = options;
  const plan = planImport(catalog, {
    archiveCount: inputs.length,
    includeTrashed: options.includeTrashed,
  });
  const tally = startReport(catalog, inputs, plan, options.reportFile);
  const gaps = records.remember({
    sidecars: catalog.unmatchedSidecars.map(({ stamp, archive, folder, name, data }) => ({
      stamp,
      archiveName: inputs[archive].name,
      folder,
      name,
      data,
    })),
    albums: catalog.albums,
  });
  for (const { series, missing } of gaps) {
    logger.warn(
      `parts ${missing.map((n) => String(n).padStart(3, "0")).join(", ")} of takeout-${series} are not ` +
        `imported yet: files whose sidecars are in them may still change their date (or go, if in the trash)`,
    );
  }
  logger.progress({
    action: "imported",
    filesTotal: plan.wanted.length,
    bytesTotal: plan.wanted.reduce((sum, media) => sum + media.entry.size, 0),
    files: 0,
    bytes: 0,
  });
  const progress = { files: 0, bytes: 0 };
  const needed = plan.wanted.length > 0;
  // Their lines are written and their figures counted: from here only plan.archives is read.
  for (const list of [catalog.sidecarsUsed, catalog.notMedia, catalog.unmatchedSidecars, plan.wanted]) {
    list.length = 0;
  }
  await tree.clearTemp();
  using stager = await Stager.start(tree, inputs, { logger, needed });
  using placer = new Placer(options);
  const run: Run = {
    stager,
    committer: new Committer({ store, placer, tree, records, includeTrashed: options.includeTrashed }),
    store,
    tree,
    records,
    includeTrashed: options.includeTrashed,
    tally,
    logger,
    signal: options.signal,
    advance(size) {
      progress.files++;
      progress.bytes += size;
      logger.progress(progress);
    },
  };
  try {
    await run.committer.finishRevisions();
    await reviseEarlier(catalog, inputs, run);
    catalog.revisions.length = 0;
    catalog.media.length = 0;
    // One archive at a time, in the given (sorted) order.
    for (const [archive, input] of inputs.entries()) {
      await importArchive(input, plan.archives[archive], run);
    }
  } finally {
    // Stopped or not, no partial file stays behind (the next run would clear it anyway).
    await tree.removeTemp();
  }
  // Every member recorded, by this run or an earlier one (which may have been stopped).
  if (options.albums === "links") await placer.linkAlbums(store.albumMembers("takeout"));
  return tally.report;
}

/**
 * What this run's archives say of files earlier runs placed: a sidecar that arrived re-dates
 * them (or removes them, for the trash); an album found adds them to it. Also the trash of this
 * run's entries: one imported before its sidecar was seen goes.
 */
async function reviseEarlier(catalog: Catalog, inputs: readonly ArchiveSource[], run: Run): Promise<void> {
  for (const revision of catalog.revisions) {
    run.signal?.throwIfAborted();
    const { earlier, album } = revision;
    if (album && run.store.item(earlier.record.id)) {
      run.store.addToAlbum({ id: album.id, source: "takeout", title: album.title }, [earlier.record.id]);
    }
    if (earlier.record.sidecar || !revision.sidecar) continue;
    const revised = await run.committer.reviseRecorded(earlier.key, earlier.record, revision, earlier);
    countRevised(run.tally, revised, {
      archiveName: earlier.archiveName,
      path: earlier.path,
      sidecar: revision.sidecar.name,
      now: run.store.item(earlier.record.id)?.path ?? undefined,
    });
    if (revised !== "unchanged") run.logger.verbose(`${revised} ${earlier.path} (${revision.sidecar.name})`);
  }
  if (run.includeTrashed) return;
  for (const media of catalog.media) {
    if (!media.sidecar?.data.trashed) continue;
    run.signal?.throwIfAborted();
    const spot = spotOf(inputs[media.entry.archive], media);
    const record = run.records.entry(spot);
    if (!record || record.trashed || record.sidecar) continue;
    const revised = await run.committer.reviseRecorded(entryKey(spot), record, media, spot);
    // The entry has its line ("trashed") already.
    countRevised(run.tally, revised);
    if (revised !== "unchanged") run.logger.verbose(`${revised} ${media.entry.path} (${media.sidecar.name})`);
  }
}

/**
 * Whether an entry recorded before needs nothing (undefined: it does): its item's file is where
 * it was placed, with its size (a look, not a read), and what the entry's plan brings now (a
 * sidecar it was imported without) is applied (`redated`: where that moved the file). An entry
 * whose file was removed as trash is `trashed`.
 */
async function alreadyDone(
  input: ArchiveSource,
  media: MediaPlan,
  run: Run,
): Promise<{ trashed?: boolean; redated?: string } | undefined> {
  const spot = spotOf(input, media);
  const record = run.records.entry(spot);
  if (!record) return undefined;
  // Its file was removed as trash (the flag may be missing after a stop right after the removal).
  if (record.trashed || (record.sidecar?.data.trashed && !run.includeTrashed)) {
    return run.includeTrashed ? undefined : { trashed: true };
  }
  let revised: Revised = "unchanged";
  if (media.sidecar && !record.sidecar) {
    revised = await run.committer.reviseRecorded(entryKey(spot), record, media, spot);
    // Counted here; the entry's line (already present, or imported again) follows.
    countRevised(run.tally, revised);
  }
  const item = run.store.item(record.id);
  if (item?.status !== "downloaded" || !item.path || item.size === null) return undefined;
  if (!run.tree.holds(item.path, item.size)) return undefined;
  return revised === "redated" ? { redated: item.path } : {};
}

/**
 * Import the `wanted` media files of one archive; those not reached (the archive broke off) are
 * counted as unread. Entries are committed in the archive's order: which of two
 * same-named files on one day keeps the plain name must not depend on timing, or a resumed
 * import could name files differently from an uninterrupted one. Only the staging overlaps (a
 * few entries at once, unless the archive is one stream), which keeps both cores busy while
 * the temporary space stays a few files.
 */
async function importArchive(
  input: ArchiveSource,
  wanted: Map<string, MediaPlan[]>,
  run: Run,
): Promise<void> {
  // A stream (tgz) is checked as a whole only at its end, and a damaged one often decodes to wrong
  // bytes for a while before it fails: an entry is committed only once the next one's header was read
  // (or the stream ended whole), and what is staged when it breaks is dropped, never placed.
  const window = input.sequential ? 2 : STAGED_AT_ONCE;
  const staging: { media: MediaPlan; staged: Promise<TempFile> }[] = [];
  /** Commit the oldest staged entry; a damaged entry is reported (and ends a sequential archive). */
  const commitOldest = async () => {
    const { media, staged } = staging.shift()!;
    run.signal?.throwIfAborted();
    try {
      const committed = await run.committer.commit(input, media, await staged);
      countCommitted(run.tally, input, media, committed);
      if (committed.kind === "imported") {
        run.logger.event(`${committed.restored ? "restored" : "imported"} ${committed.path}`);
        run.logger.verbose(
          `${media.entry.path}: sidecar ${
            media.sidecar ? `${media.sidecar.name} (${media.sidecar.rule})` : "none"
          }; dated from ${committed.dateSource}`,
        );
      } else if (committed.redated) {
        run.logger.verbose(`redated ${committed.redated} (${media.sidecar?.name})`);
      }
      run.advance(committed.size);
    } catch (error) {
      // A link or file in the way fails this entry only (it is tried again next run).
      if (error instanceof UnsafePathError) return countFailedEntry(run.tally, input, media, error);
      if (!(error instanceof BodyError || error instanceof ArchiveError)) throw error;
      countFailedEntry(run.tally, input, media, error);
      if (input.sequential) throw error;
    }
  };
  try {
    const listing = run.stager.readsItself(input) ? inZipOrder(wanted) : input.entries();
    for await (const entry of listing) {
      run.signal?.throwIfAborted();
      const plans = wanted.get(entry.path);
      // The k-th entry of a path is the k-th plan of it: the catalog listed them in this order.
      const media = plans?.shift();
      if (!media) continue;
      if (plans!.length === 0) wanted.delete(entry.path);
      const done = await alreadyDone(input, media, run);
      if (done) {
        countDone(run.tally, input, media, done);
        run.advance(entry.size);
        continue;
      }
      const staged = run.stager.stage(input, entry, entryKey(spotOf(input, media)));
      staged.catch(() => {}); // Awaited in order by commitOldest.
      staging.push({ media, staged });
      if (staging.length >= window) await commitOldest();
    }
  } catch (error) {
    if (!(error instanceof ArchiveError || error instanceof BodyError)) {
      // Let the files still streaming finish before stopping; what they wrote stays in the
      // temporary folder, which the next run clears.
      await Promise.allSettled(staging.map(({ staged }) => staged));
      throw error;
    }
    countDamagedArchive(run.tally, input, error);
    if (input.sequential) {
      const dropped = staging.splice(0);
      for (const { staged } of dropped) {
        await staged.then(({ temp }) => Deno.remove(temp), () => {}).catch(() => {});
      }
      countUnread(run.tally, input, dropped.map(({ media }) => media));
    }
  }
  // What was staged before the end (or before a zip broke off: each entry is checked on its own) is kept.
  while (staging.length > 0) await commitOldest();
  // Entries listed in the first pass but not reached now.
  countUnread(run.tally, input, [...wanted.values()].flat());
}

/**
 * The wanted entries of a zip that a stage worker reads, in the zip's order (by index), as the
 * catalog listed them: the main thread does not list the zip again, so that only one thread at
 * a time holds its directory (zip.js keeps the directory's bytes and every name read so far).
 */
function* inZipOrder(wanted: Map<string, MediaPlan[]>): Generator<ListedEntry> {
  const entries: (ListedEntry | undefined)[] = [];
  for (const plans of wanted.values()) for (const { entry } of plans) entries.push(entry);
  entries.sort((a, b) => a!.index! - b!.index!);
  for (let at = 0; at < entries.length; at++) {
    const entry = entries[at]!;
    entries[at] = undefined; // Held from here by its plan only, until it is committed.
    yield entry;
  }
}
