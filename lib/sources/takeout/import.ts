/**
 * The second pass over a Takeout export, in stages: plan (`plan.ts`: the media files wanted,
 * the entries done before), stage (`stage.ts`: an entry's bytes into a temporary file, in a
 * worker for a zip), commit (`commit.ts`: hash, store once by content, date, then the shared
 * place and record step of `core/place.ts`), report (`report.ts`). The archives' bytes come
 * from {@link ArchiveSource}s, wherever they are. Every entry done is recorded, so a re-run
 * (after a crash, or of an overlapping export) skips it.
 * @module
 */
import type { PathMapper } from "../../core/layout.ts";
import type { Logger } from "../../core/logger.ts";
import { BodyError, type OutputTree, type TempFile, UnsafePathError } from "../../core/output_tree.ts";
import { Placer } from "../../core/place.ts";
import type { Store } from "../../core/store.ts";
import type { ArchiveSource } from "./archive_source.ts";
import type { Catalog, MediaPlan } from "./catalog.ts";
import { Committer } from "./commit.ts";
import { ArchiveError } from "./entry.ts";
import { doneKey, planImport } from "./plan.ts";
import {
  countCommitted,
  countDamagedArchive,
  countDone,
  countFailedEntry,
  countUnread,
  startReport,
  type TakeoutReport,
  type Tally,
} from "./report.ts";
import type { ReportFile } from "./report_file.ts";
import { STAGED_AT_ONCE, Stager } from "./stage.ts";

export type { TakeoutReport } from "./report.ts";

/** Options of {@link importTakeout}. */
export interface ImportOptions {
  store: Store;
  tree: OutputTree;
  /** The archives the catalog read, in the same order. */
  inputs: readonly ArchiveSource[];
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
  tally: Tally;
  logger: Logger;
  /** Entries already imported by earlier runs. */
  done: ReadonlySet<string>;
  /** Count a file gone through (imported, a duplicate or already there) and its bytes. */
  advance(size: number): void;
  signal?: AbortSignal;
}

/** Import every media file the catalog planned; returns the report. */
export async function importTakeout(catalog: Catalog, options: ImportOptions): Promise<TakeoutReport> {
  const { store, tree, inputs, logger } = options;
  const plan = planImport(catalog, store, {
    archiveCount: inputs.length,
    includeTrashed: options.includeTrashed,
  });
  const tally = startReport(catalog, inputs, plan, options.reportFile);
  logger.progress({
    action: "imported",
    filesTotal: plan.wanted.length,
    bytesTotal: plan.wanted.reduce((sum, media) => sum + media.entry.size, 0),
    files: 0,
    bytes: 0,
  });
  const progress = { files: 0, bytes: 0 };
  await tree.clearTemp();
  using stager = await Stager.start(tree, inputs, { logger, needed: plan.wanted.length > 0 });
  using placer = new Placer(options);
  const run: Run = {
    stager,
    committer: new Committer(store, placer),
    tally,
    logger,
    done: plan.done,
    signal: options.signal,
    advance(size) {
      progress.files++;
      progress.bytes += size;
      logger.progress(progress);
    },
  };
  try {
    // One archive at a time, in the given (sorted) order.
    for (const [archive, input] of inputs.entries()) {
      await importArchive(input, plan.archives[archive], run);
    }
  } finally {
    // Stopped or not, no partial file stays behind (the next run would clear it anyway).
    await tree.removeTemp();
  }
  if (options.albums === "links") await placer.linkAlbums(run.committer.albumLinks);
  return tally.report;
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
  wanted: Map<string, MediaPlan>,
  run: Run,
): Promise<void> {
  const remaining = new Map(wanted);
  const window = input.sequential ? 1 : STAGED_AT_ONCE;
  const staging: { media: MediaPlan; staged: Promise<TempFile> }[] = [];
  /** Commit the oldest staged entry; a damaged entry is reported (and ends a sequential archive). */
  const commitOldest = async () => {
    const { media, staged } = staging.shift()!;
    run.signal?.throwIfAborted();
    try {
      const committed = await run.committer.commit(input, media, await staged);
      countCommitted(run.tally, input, media, committed);
      if (committed.kind === "imported") {
        run.logger.event(`imported ${committed.path}`);
        run.logger.verbose(
          `${media.entry.path}: sidecar ${
            media.sidecar ? `${media.sidecar.name} (${media.sidecar.rule})` : "none"
          }; dated from ${committed.dateSource}`,
        );
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
    for await (const entry of input.entries()) {
      run.signal?.throwIfAborted();
      const media = remaining.get(entry.path);
      if (!media) continue;
      remaining.delete(entry.path);
      const checkpoint = doneKey(input.name, entry.path, entry.size);
      if (run.done.has(checkpoint)) {
        countDone(run.tally, input, media);
        run.advance(entry.size);
        continue;
      }
      const staged = run.stager.stage(input, entry, checkpoint);
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
  }
  // What was staged before the end (or before the archive broke off) is kept.
  while (staging.length > 0) await commitOldest();
  // Entries listed in the first pass but not reached now.
  countUnread(run.tally, input, remaining.values());
}
