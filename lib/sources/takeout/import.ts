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
import type { ByteBudget } from "../../core/byte_budget.ts";
import type { FolderDays } from "../../core/folder_settings.ts";
import type { PathMapper } from "../../core/layout.ts";
import type { Logger } from "../../core/logger.ts";
import { BodyError, type OnNewEntry, type OutputTree, UnsafePathError } from "../../core/output_tree.ts";
import { Placer } from "../../core/place.ts";
import type { Store } from "../../core/store.ts";
import { linkTakeoutAlbums } from "./album_links.ts";
import type { ArchiveSource } from "./archive_source.ts";
import type { Catalog, MediaPlan } from "./catalog.ts";
import { type Committed, Committer, type Revised, spotOf } from "./commit.ts";
import { type ArchiveEntry, ArchiveError } from "./entry.ts";
import {
  type ChainHole,
  chainHoles,
  ExportChain,
  holeWarning,
  type PartImport,
  recordImports,
} from "./export_chain.ts";
import { archivePart, exportStamps } from "./parts.ts";
import { planImport, type PlansByPath } from "./plan.ts";
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
import { type EarlyStageWorkers, type ListedEntry, STAGED_AT_ONCE, Stager } from "./stage.ts";
import type { StagedFile } from "./stage_protocol.ts";

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
  /** `local`: folders by the capture's local day (see `Placer`); default UTC days. */
  folderDays?: FolderDays;
  /** `links`: album folders of links into the dated tree; `none`: membership recorded only. */
  albums: "links" | "none";
  includeTrashed: boolean;
  /** The run's stop: no entry is staged or committed after it aborts; its reason is thrown. */
  signal?: AbortSignal;
  /** Where the line of each entry goes (none: the report's figures only). */
  reportFile?: ReportFile;
  /**
   * The run's byte budget (`--max-bytes`): an entry is staged only when its size fits in what is left
   * (counting those staged and not yet placed; one larger than the whole budget alone, in a run that
   * has placed nothing else: see `ByteBudget`); from the first that does not, the entries not reached are
   * counted unread, for the next run.
   */
  budget?: ByteBudget;
  /** Called with each placed file's path (relative to the output folder). */
  onFile?: OnNewEntry;
  /** The clock (epoch ms) the exports imported are recorded with; default `Date.now`. */
  now?: () => number;
  /** Stage workers started while the catalog pass read (else they start when staging does). */
  stageWorkers?: EarlyStageWorkers;
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
  /** What each archive brought: files placed, items other exports had placed. */
  parts: ExportTally;
  /** Count a file gone through (imported, a duplicate or already there) and its bytes. */
  advance(size: number): void;
  signal?: AbortSignal;
  budget?: ByteBudget;
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
  const chain = new ExportChain(store);
  const holesBefore = chainHoles(chain.list());
  const parts = new ExportTally(store, chain, inputs, catalog);
  const largest = plan.wanted.reduce((most, media) => Math.max(most, media.entry.size), 0);
  // Their lines are written and their figures counted: from here only plan.archives is read.
  for (
    const list of [
      catalog.sidecarsUsed,
      catalog.notMedia,
      catalog.notGooglePhotos,
      catalog.unmatchedSidecars,
      plan.wanted,
    ]
  ) {
    list.length = 0;
  }
  await tree.clearTemp();
  using stager = await Stager.start(tree, inputs, { logger, largest, early: options.stageWorkers });
  using placer = new Placer({ ...options, onPlaced: options.onFile });
  const run: Run = {
    stager,
    committer: new Committer({ store, placer, tree, records, includeTrashed: options.includeTrashed }),
    store,
    tree,
    records,
    includeTrashed: options.includeTrashed,
    tally,
    logger,
    parts,
    signal: options.signal,
    budget: options.budget,
    advance(size) {
      progress.files++;
      progress.bytes += size;
      logger.progress(progress);
    },
  };
  let stopped = true;
  try {
    await run.committer.finishRevisions();
    await reviseEarlier(catalog, inputs, run);
    // Archives in a remote store fetch what this pass will read of them in a few large requests, all
    // archives in parallel, ahead of the import.
    for (const [archive, input] of inputs.entries()) {
      if (input.willRead) input.willRead(await readsPlanned(input, plan.archives[archive], run));
    }
    catalog.revisions.length = 0;
    catalog.media.length = 0;
    // A stream (tgz) the catalog pass found damaged: gzip checks its bytes only as a whole, at its end,
    // so a damaged one may hold wrong bytes in any entry, even where every tar header reads well (a
    // stored deflate block). Nothing of it is placed; its error line is the catalog pass's.
    const damagedStreams = new Set(catalog.damaged.map(({ archive }) => archive));
    // One archive at a time, in the given (sorted) order.
    for (const [archive, input] of inputs.entries()) {
      if (input.sequential && damagedStreams.has(archive)) {
        countUnread(run.tally, input, plan.archives[archive].all());
        continue;
      }
      const reachedAll = await importArchive(input, plan.archives[archive], run);
      // A part stopped by --max-bytes, or damaged, is not done: the next run reads it again.
      if (reachedAll && !tally.failedArchives.has(input.path)) parts.finished(input);
    }
    stopped = false;
  } finally {
    // Stopped or not, no partial file stays behind (the next run would clear it anyway).
    await tree.removeTemp();
    // A stopped run records what it read of its parts too (the files it placed are in sync.db's items
    // already, whatever stops it: see `ExportChain.placedFiles`); a failure to record them does not hide
    // why the run stopped.
    if (stopped) {
      try {
        recordImports(chain, parts.figures(), (options.now ?? Date.now)());
      } catch {
        // The run's own error is thrown.
      }
    }
  }
  // Counted once for both (it reads every Takeout row).
  const placed = chain.placedFiles();
  recordImports(chain, parts.figures(), (options.now ?? Date.now)(), placed);
  // An increment imported without the one before it: said once, when the hole appears.
  const known = new Set(holesBefore.map(holeKey));
  for (const hole of chainHoles(chain.list(placed))) {
    if (!known.has(holeKey(hole))) logger.warn(holeWarning(hole));
  }
  // Every member recorded, by this run or an earlier one (which may have been stopped).
  if (options.albums === "links") {
    tally.report.albumLinksNotMade = await linkTakeoutAlbums(store, tree, placer);
  }
  if (tree.filesElsewhere) warnStoredAtOldDay(run);
  return tally.report;
}

/**
 * In a folder whose earlier files are stored elsewhere: the files whose date changed (a sidecar found after
 * they were placed and stored) that stay at their old day, as their entry's bytes were not read (they are in
 * a part imported before, or a run stopped before it read them): said once per run, naming the parts that
 * place them at their new day when read again (see `Committer.keepsFileOf`).
 */
function warnStoredAtOldDay(run: Run): void {
  // Named where it is stored: a run stopped while placing it at its new day left that path in its row.
  const waiting = run.store.pendingRefiles().flatMap(({ id, was }) => {
    const item = run.store.item(id);
    return item?.source === "takeout" && item.path && !run.committer.keepsFileOf(item)
      ? [{ ...item, path: was ?? item.path, movesDay: run.committer.movesDay(id, was) }]
      : [];
  });
  const partsOf = (items: typeof waiting) =>
    [
      ...new Set(
        items.map((item) => (JSON.parse(item.json) as { takeout?: { archive?: string } }).takeout?.archive),
      ),
    ]
      .filter(Boolean).join(", ");
  const later = "(a part a run did not finish is read by the next; import one imported in full again with " +
    "--files-elsewhere)";
  // A move to another day, and a time corrected within the day: a line each.
  for (const movesDay of [true, false]) {
    const files = waiting.filter((item) => item.movesDay === movesDay);
    if (files.length === 0) continue;
    const one = files.length === 1;
    const what = movesDay
      ? `${one ? "has" : "have"} a corrected date but ${one ? "stays" : "stay"} at the old day until ` +
        `${one ? "its" : "their"} part is read again, which places ${one ? "it" : "them"} at the new day`
      : `${one ? "has" : "have"} a time corrected within ${one ? "its" : "their"} day; the stored ` +
        `${one ? "copy keeps" : "copies keep"} the old file time until ${
          one ? "its" : "their"
        } part is read ` +
        `again, which places ${one ? "it" : "them"} again to store over ${one ? "it" : "them"}`;
    run.logger.warn(
      `${files.length} ${one ? "file" : "files"} stored elsewhere (--files-elsewhere, e.g. ${
        files[0].path
      }) ` +
        `${what}: ${partsOf(files)} ${later}`,
    );
  }
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
): Promise<{ trashed?: boolean; redated?: string; id?: string } | undefined> {
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
  const recorded = run.store.item(record.id);
  // An item sharing another source's file (the same bytes) is done while that file is there.
  const item = recorded?.fileOf ? run.store.item(recorded.fileOf) : recorded;
  if (!item?.path || !run.committer.keepsFileOf(item)) return undefined;
  return revised === "redated" ? { redated: item.path, id: item.id } : { id: item.id };
}

/**
 * The item of an entry imported from an earlier export (same path, size and CRC-32: see
 * `records.ts`) whose file is in place, or undefined: its bytes need not be read again.
 */
function presentContent(entry: Pick<ArchiveEntry, "path" | "size" | "crc32">, run: Run): string | undefined {
  if (entry.crc32 === undefined) return undefined;
  const id = run.records.content(entry.path, entry.size, entry.crc32);
  return id !== undefined && holdsItem(run, id) ? id : undefined;
}

/**
 * Whether item `id` is placed and the backup keeps its file (there with its size, or stored elsewhere: a look,
 * not a read; see `Committer.keepsFileOf`).
 */
function holdsItem(run: Run, id: string): boolean {
  const item = run.store.item(id);
  return item !== undefined && run.committer.keepsFileOf(item);
}

/**
 * The entries (by index) of `input` whose bytes the pass over it will read, in order: the wanted
 * ones but those recorded before with their file in place and those whose content is present
 * (as {@link alreadyDone} and {@link presentContent} decide; the pass decides again, and reads
 * what it finds it needs).
 */
async function readsPlanned(
  input: ArchiveSource,
  wanted: PlansByPath,
  run: Run,
): Promise<number[]> {
  const seen = new Map<string, number>();
  const reads: number[] = [];
  try {
    for await (const entry of input.entries()) {
      const plans = wanted.get(entry.path);
      if (!plans || entry.index === undefined) continue;
      const occurrence = seen.get(entry.path) ?? 0;
      seen.set(entry.path, occurrence + 1);
      const media = plans[occurrence];
      if (!media) continue;
      const record = run.records.entry(spotOf(input, media));
      const skipped = record
        ? (record.trashed || (record.sidecar?.data.trashed && !run.includeTrashed)
          ? !run.includeTrashed
          : holdsItem(run, record.id))
        : presentContent(entry, run) !== undefined;
      if (!skipped) reads.push(entry.index);
    }
  } catch (error) {
    // A damaged archive is reported by its pass.
    if (!(error instanceof ArchiveError)) throw error;
  }
  return reads;
}

/**
 * Import the `wanted` media files of one archive; those not reached (the archive broke off) are
 * counted as unread; returns whether every one was reached. Entries are committed in the archive's order: which of two
 * same-named files on one day keeps the plain name must not depend on timing, or a resumed
 * import could name files differently from an uninterrupted one. Only the staging overlaps (a
 * few entries at once, unless the archive is one stream), which keeps both cores busy while
 * the temporary space stays a few files.
 */
async function importArchive(
  input: ArchiveSource,
  wanted: PlansByPath,
  run: Run,
): Promise<boolean> {
  // A stream (tgz) is checked as a whole only at its end, and a damaged one often decodes to wrong
  // bytes for a while before it fails: an entry is committed only once the next one's header was read
  // (or the stream ended whole), and what is staged when it breaks is dropped, never placed.
  const window = input.sequential ? 2 : STAGED_AT_ONCE;
  /**
   * `held`: the bytes held in the run's budget for the entry while it is staged (its size); `updated`: what its
   * sidecar changed of the item it is a copy of, recorded present before its bytes were found wanted.
   */
  const staging: { media: MediaPlan; staged: Promise<StagedFile>; held: number; updated?: string[] }[] = [];
  /** Commit the oldest staged entry; a damaged entry is reported (and ends a sequential archive). */
  const commitOldest = async () => {
    const { media, staged, held, updated } = staging.shift()!;
    // Held until the entry is placed (then spent) or not (then free again for the entries to come).
    let spent = false;
    run.signal?.throwIfAborted();
    try {
      const committed = await run.committer.commit(input, media, await staged);
      if (updated && !committed.updated) committed.updated = updated;
      countCommitted(run.tally, input, media, committed);
      run.parts.committed(input, media, committed);
      if (committed.kind === "imported") {
        run.budget?.spend(committed.size, held);
        spent = true;
        if (committed.refiled) {
          run.logger.info(
            `placed ${committed.path} again: a later export corrected its date; the copy stored elsewhere at ` +
              `${committed.refiled} is out of date (delete it there)`,
          );
        } else if (committed.retimed) {
          run.logger.info(
            `placed ${committed.path} again: a later export corrected its time; store it over the copy stored ` +
              "elsewhere at that path (its file time is the old one)",
          );
        } else run.logger.event(`${committed.restored ? "restored" : "imported"} ${committed.path}`);
        run.logger.verbose(
          `${media.entry.path}: sidecar ${
            media.sidecar ? `${media.sidecar.name} (${media.sidecar.rule})` : "none"
          }; dated from ${committed.dateSource}`,
        );
      } else if (committed.redated) {
        // Where a file this run (or an earlier one) placed went: the line its "imported" line needs.
        run.logger.event(`re-dated ${committed.redated} (by ${media.sidecar?.name})`);
      }
      run.advance(committed.size);
    } catch (error) {
      // A link or file in the way fails this entry only (it is tried again next run).
      if (error instanceof UnsafePathError) return countFailedEntry(run.tally, input, media, error);
      if (!(error instanceof BodyError || error instanceof ArchiveError)) throw error;
      countFailedEntry(run.tally, input, media, error);
      if (input.sequential) throw error;
    } finally {
      if (!spent) run.budget?.release(held);
    }
  };
  try {
    const listing = run.stager.readsItself(input) ? inZipOrder(wanted) : input.entries();
    for await (const entry of listing) {
      run.signal?.throwIfAborted();
      // The k-th entry of a path is the k-th plan of it: the catalog listed them in this order.
      const media = wanted.take(entry.path);
      if (!media) continue;
      const done = await alreadyDone(input, media, run);
      if (done) {
        countDone(run.tally, input, media, done);
        if (done.id) run.parts.present(input, media, done.id);
        run.advance(entry.size);
        continue;
      }
      const present = presentContent(entry, run);
      let updated: string[] | undefined;
      if (present !== undefined) {
        // In the archive's order, as every commit.
        while (staging.length > 0) await commitOldest();
        const committed = await run.committer.present(input, media, present);
        const item = run.store.item(present);
        // Stored elsewhere, and this entry's sidecar corrected its date: its bytes are read after all, and
        // placed at its new day (the entry counted once, then).
        if (!item || run.committer.keepsFileOf(item)) {
          countCommitted(run.tally, input, media, committed);
          run.parts.committed(input, media, committed);
          if (committed.kind !== "imported" && committed.redated) {
            run.logger.event(`re-dated ${committed.redated} (by ${media.sidecar?.name})`);
          }
          run.advance(entry.size);
          continue;
        }
        updated = committed.updated;
      }
      // --max-bytes: an entry is staged only when its size fits in what is left, counting the entries
      // staged and not yet placed (as a download's Content-Length, see `transferPending`).
      if (run.budget && !run.budget.hold(entry.size)) {
        // Nothing more is staged; this entry and those after it wait for the next run.
        wanted.putBack(media);
        break;
      }
      const staged = run.stager.stage(input, entry, entryKey(spotOf(input, media)));
      staged.catch(() => {}); // Awaited in order by commitOldest.
      staging.push({ media, staged, held: run.budget ? entry.size : 0, ...(updated ? { updated } : {}) });
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
      for (const { staged, held } of dropped) {
        run.budget?.release(held);
        await staged.then(({ temp }) => Deno.remove(temp), () => {}).catch(() => {});
      }
      countUnread(run.tally, input, dropped.map(({ media }) => media));
    }
  }
  // What was staged before the end (or before a zip broke off: each entry is checked on its own) is kept.
  while (staging.length > 0) await commitOldest();
  // Entries listed in the first pass but not reached now.
  const unread = [...wanted.all()];
  countUnread(run.tally, input, unread);
  return unread.length === 0;
}

/** A hole's identity: the two exports around it. */
const holeKey = (hole: ChainHole) => `${hole.after.stamp} ${hole.before.stamp}`;

/**
 * What each archive of a run brought to its export's record in the chain (`export_chain.ts`): its
 * entries, whether it was read to its end, and the items among its media that another export had placed
 * (what tells a full export from an increment). The files it placed the chain counts from sync.db.
 */
class ExportTally {
  readonly #store: Store;
  readonly #inputs: readonly ArchiveSource[];
  readonly #stamps: string[];
  readonly #entries: readonly number[];
  /** Entries of each archive left out as other Takeout products'. */
  readonly #otherProducts: number[];
  readonly #present: Set<string>[];
  readonly #complete: boolean[];
  /** Archives a run read to their end before: what they hold of other exports is counted already. */
  readonly #counted: boolean[];

  constructor(
    store: Store,
    chain: ExportChain,
    inputs: readonly ArchiveSource[],
    catalog: Pick<Catalog, "archiveEntries" | "notGooglePhotos">,
  ) {
    this.#store = store;
    this.#inputs = inputs;
    this.#stamps = exportStamps(inputs.map((input) => input.name));
    this.#entries = catalog.archiveEntries;
    this.#otherProducts = inputs.map(() => 0);
    for (const { ref } of catalog.notGooglePhotos) this.#otherProducts[ref.archive]++;
    this.#present = inputs.map(() => new Set());
    this.#complete = inputs.map(() => false);
    this.#counted = inputs.map((input, i) =>
      this.#stamps[i] !== "" && chain.get(this.#stamps[i])?.byPart?.[input.name]?.complete === true
    );
  }

  /** `input` was read to its end and nothing of it failed. */
  finished(input: ArchiveSource): void {
    this.#complete[this.#inputs.indexOf(input)] = true;
  }

  /**
   * Count a committed file of `input`. One placed new is not counted here: the chain counts the files placed
   * from sync.db's items (`ExportChain.placedFiles`), which a killed run's placements are in too.
   */
  committed(input: ArchiveSource, media: MediaPlan, committed: Committed): void {
    if (committed.kind === "imported" && !committed.restored && !committed.refiled && !committed.retimed) {
      return;
    }
    this.present(input, media, committed.id);
  }

  /** Count item `id`, which a file of `input` holds and was placed before, if another export placed it. */
  present(input: ArchiveSource, media: MediaPlan, id: string): void {
    const archive = this.#inputs.indexOf(input);
    // A re-run over a part imported in full (no look at each item: the count is kept as it was).
    if (this.#counted[archive]) return;
    const item = this.#store.item(id);
    if (!item) return;
    const origin = (JSON.parse(item.json) as { takeout?: { stamp?: string; archive?: string } }).takeout;
    const stamp = origin?.stamp ?? (origin?.archive ? archivePart(origin.archive)?.stamp : undefined);
    if (stamp !== media.stamp) this.#present[archive].add(id);
  }

  /** Each archive's figures, for {@link recordImports}. */
  figures(): PartImport[] {
    return this.#inputs.map((input, i) => ({
      stamp: this.#stamps[i],
      part: input.name,
      entries: this.#entries[i] ?? 0,
      present: this.#present[i].size,
      ...(this.#otherProducts[i] > 0 ? { otherProducts: this.#otherProducts[i] } : {}),
      complete: this.#complete[i],
    }));
  }
}

/**
 * The wanted entries of a local zip (read from their local headers), in the zip's order (by index),
 * as the catalog listed them: the zip is not listed again, so that its directory (zip.js keeps the
 * directory's bytes and every name read so far) is held only during the catalog pass.
 */
function* inZipOrder(wanted: PlansByPath): Generator<ListedEntry> {
  const entries: (ListedEntry | undefined)[] = [];
  for (const { entry } of wanted.all()) entries.push(entry);
  entries.sort((a, b) => a!.index! - b!.index!);
  for (let at = 0; at < entries.length; at++) {
    const entry = entries[at]!;
    entries[at] = undefined; // Held from here by its plan only, until it is committed.
    yield entry;
  }
}
