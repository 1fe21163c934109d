/**
 * The second pass over a Takeout export: stream each media file straight from its archive
 * into the output tree's temporary folder, hash it there, then store it once (by content),
 * date it (sidecar, EXIF, file name, entry time), and rename it into the dated tree. Every
 * entry done is recorded, so a re-run (after a crash, or of an overlapping export) skips it.
 * @module
 */
import { basename } from "node:path";
import type { PathMapper } from "../../core/layout.ts";
import type { Logger } from "../../core/logger.ts";
import { idTag, sanitizeName, taggedName } from "../../core/names.ts";
import { BodyError, type OutputTree, type TempFile } from "../../core/output_tree.ts";
import type { Store } from "../../core/store.ts";
import { placeRows } from "../../core/transfer.ts";
import { type ArchiveEntry, ArchiveError, readArchive, readsInParallel } from "./archive.ts";
import type { ArchiveInput, Catalog, MediaPlan } from "./catalog.ts";
import { dateFromExif, EXIF_HEAD_BYTES } from "./exif_date.ts";
import { ZIP_HANDLES } from "./zip.ts";
import { isVideoName } from "./motion.ts";
import { dateFromName } from "./name_dates.ts";
import { Fingerprinter } from "./fingerprint.ts";
import { StagePool } from "./stage_pool.ts";
import { storedFileName } from "./stored_name.ts";

/**
 * Entries of one zip streamed into temporary files at once: the one being hashed and placed and
 * the next two, so that the worker has work while the main thread hashes (with two it waited:
 * about 9% slower in the benchmark; each more costs memory). As many as a zip has file handles.
 */
const STAGED_AT_ONCE = ZIP_HANDLES;

/**
 * Stage workers. One inflates, checks and writes while the main thread lists, hashes, dates,
 * stores and places: faster than the main thread alone by about a fifth. A second was faster
 * again (by about 15%) but each worker's heap and buffers add about 60 MB, which took the
 * benchmark's peak RSS past its 200 MB budget.
 */
const STAGE_WORKERS = 1;

/** Folder under the output directory holding the album links. */
export const ALBUMS_DIR = "albums";

/** Where a media file's capture time came from. */
export type DateSource = "sidecar" | "exif" | "name" | "file time";

/** Options of {@link importTakeout}. */
export interface ImportOptions {
  store: Store;
  tree: OutputTree;
  inputs: readonly ArchiveInput[];
  logger: Logger;
  pathMapper: PathMapper;
  /** `links`: album folders of links into the dated tree; `none`: membership recorded only. */
  albums: "links" | "none";
  includeTrashed: boolean;
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
  unmatchedSidecars: number;
  failed: number;
  /** Entries of damaged archives that could not be listed or reached. */
  unread: number;
  /** Archives that broke off (truncated, corrupt): what was read before is kept. */
  damagedArchives: number;
  bytes: number;
  datedFrom: Record<DateSource, number>;
  /** Files dated only by their archive entry time. */
  datedByFileTime: string[];
  /** Media files for which two sidecars fit (the first was used). */
  ambiguous: string[];
  unmatchedSidecarNames: string[];
  /** One line per failed entry or damaged archive. */
  failures: string[];
}

/** Import every media file the catalog planned; returns the report. */
export async function importTakeout(catalog: Catalog, options: ImportOptions): Promise<TakeoutReport> {
  const { store, tree, inputs, logger } = options;
  const report: TakeoutReport = {
    entries: catalog.entries,
    imported: 0,
    alreadyPresent: 0,
    duplicates: 0,
    sidecarsUsed: catalog.sidecarsUsed.length,
    trashed: 0,
    notMedia: catalog.notMedia.length,
    unmatchedSidecars: catalog.unmatchedSidecars.length,
    failed: catalog.unreadable.length,
    unread: 0,
    damagedArchives: catalog.damaged.length,
    bytes: 0,
    datedFrom: { sidecar: 0, exif: 0, name: 0, "file time": 0 },
    datedByFileTime: [],
    ambiguous: [],
    unmatchedSidecarNames: catalog.unmatchedSidecars.map((ref) => ref.path),
    failures: [
      ...catalog.damaged.map(({ archive, error }) => `${inputs[archive].path}: ${error}`),
      ...catalog.unreadable.map(({ ref, error }) => `${inputs[ref.archive].path}: ${ref.path}: ${error}`),
    ],
  };
  const plans = new Map(catalog.media.map((plan) => [entryKey(plan.entry.archive, plan.entry.path), plan]));
  const done = new Set(store.checkpoints("takeout").map((checkpoint) => checkpoint.key));
  const seenThisRun = new Set<string>();
  const links: { title: string; id: string }[] = [];
  const wanted = catalog.media.filter((plan) => options.includeTrashed || !plan.sidecar?.data.trashed);
  report.trashed = catalog.media.length - wanted.length;
  for (const plan of wanted) if (plan.sidecar?.ambiguous?.length) report.ambiguous.push(plan.entry.path);
  logger.progress({
    action: "imported",
    filesTotal: wanted.length,
    bytesTotal: wanted.reduce((sum, plan) => sum + plan.entry.size, 0),
    files: 0,
    bytes: 0,
  });
  // Progress counts every file gone through (imported, duplicate or already there) and its bytes.
  const progress = { files: 0, bytes: 0 };
  const advance = (size: number) => {
    progress.files++;
    progress.bytes += size;
    logger.progress(progress);
  };
  await tree.clearTemp();
  const started = inputs.some((input) => input.kind === "zip") && wanted.length > 0
    ? await StagePool.start(STAGE_WORKERS)
    : undefined;
  if (started && !(started instanceof StagePool)) {
    logger.verbose(`staging on the main thread: ${started.unavailable}`);
  }
  using pool = started instanceof StagePool ? started : undefined;
  const fingerprinter = new Fingerprinter();

  /** Stream an entry's bytes into a temporary file: in a stage worker for a zip, else here. */
  const stage = (plan: MediaPlan, entry: ArchiveEntry, input: ArchiveInput): Promise<TempFile> => {
    const checkpoint = doneKey(basename(input.path), plan.entry.path, plan.entry.size);
    const options = {
      tempName: `${idTag(checkpoint)}-${crypto.randomUUID()}.part`,
      expectedSize: plan.entry.size,
    };
    if (pool && input.kind === "zip" && entry.index !== undefined) {
      return pool.stage({
        archive: input.path,
        index: entry.index,
        path: entry.path,
        root: tree.root,
        ...options,
      });
    }
    return tree.writeTemp(entry.body(), options);
  };

  /** Hash, store, date and place a staged file (or drop it as already there), and record the entry done. */
  const commit = async (plan: MediaPlan, staged: TempFile): Promise<void> => {
    const { temp, size } = staged;
    // The first bytes, for the EXIF reader, only when no sidecar dates the file.
    const headBytes = plan.sidecar?.data.takenMs === undefined ? EXIF_HEAD_BYTES : 0;
    const { digest, head } = await fingerprinter.of(temp, headBytes).catch(async (error) => {
      await Deno.remove(temp).catch(() => {});
      throw error;
    });
    const archiveName = basename(inputs[plan.entry.archive].path);
    const checkpoint = doneKey(archiveName, plan.entry.path, plan.entry.size);
    const id = `takeout:${digest}`;
    const known = store.item(id);
    if (known?.status === "downloaded") {
      await Deno.remove(temp).catch(() => {});
      if (seenThisRun.has(digest)) report.duplicates++;
      else report.alreadyPresent++;
    } else {
      const { ms, source } = await captureTime(plan, head);
      report.datedFrom[source]++;
      if (source === "file time") report.datedByFileTime.push(plan.entry.path);
      store.saveBatch({
        source: "takeout",
        items: [{
          id,
          source: "takeout",
          filename: plan.editedOf || plan.motionOf
            ? plan.name
            : storedFileName(plan.name, plan.sidecar?.data.title),
          createdMs: ms,
          isVideo: isVideoName(plan.name),
          json: JSON.stringify(metadataOf(plan, source, archiveName)),
          hash: digest,
        }],
      });
      const [row] = placeRows(store, [store.item(id)!], options.pathMapper);
      await tree.place(temp, row.path, new Date(ms));
      store.markDownloaded([{ id, size, hash: digest }]);
      report.imported++;
      report.bytes += size;
      logger.event(`imported ${row.path}`);
      logger.verbose(
        `${plan.entry.path}: sidecar ${
          plan.sidecar ? `${plan.sidecar.name} (${plan.sidecar.rule})` : "none"
        }; dated from ${source}`,
      );
    }
    seenThisRun.add(digest);
    if (plan.album) {
      store.addToAlbum({ id: plan.album.id, source: "takeout", title: plan.album.title }, [id]);
      links.push({ title: plan.album.title, id });
    }
    store.updateCheckpoints("takeout", { put: [{ key: checkpoint, value: id }] });
    advance(size);
  };

  // One archive at a time, in the given (sorted) order, and within it the entries are stored
  // and placed in the archive's order: which of two same-named files on one day keeps the
  // plain name must not depend on timing, or a resumed import could name files differently
  // from an uninterrupted one. Only the streaming into temporary files overlaps (a few entries
  // of a zip at once), which keeps both cores busy while the temporary space stays a few files.
  for (const [archive, input] of inputs.entries()) {
    const remaining = new Set(
      wanted.filter((plan) => plan.entry.archive === archive).map((plan) =>
        entryKey(archive, plan.entry.path)
      ),
    );
    const window = readsInParallel(input.kind) ? STAGED_AT_ONCE : 1;
    const staging: { plan: MediaPlan; staged: Promise<TempFile> }[] = [];
    /** Commit the oldest staged entry; a damaged entry is reported (and ends a tgz). */
    const commitOldest = async () => {
      const { plan, staged } = staging.shift()!;
      try {
        await commit(plan, await staged);
      } catch (error) {
        if (!(error instanceof BodyError || error instanceof ArchiveError)) throw error;
        report.failed++;
        report.failures.push(
          `${input.path}: ${plan.entry.path}: ${(error.cause as Error)?.message ?? error.message}`,
        );
        // A tar stream cannot go on past a broken entry; a zip can.
        if (input.kind === "tgz") throw error;
      }
    };
    let broken: unknown;
    try {
      for await (const entry of readArchive(input.path, input.kind)) {
        const key = entryKey(archive, entry.path);
        if (!remaining.delete(key)) continue;
        const plan = plans.get(key)!;
        if (done.has(doneKey(basename(input.path), entry.path, entry.size))) {
          report.alreadyPresent++;
          advance(entry.size);
          continue;
        }
        const staged = stage(plan, entry, input);
        staged.catch(() => {}); // Awaited in order by commitOldest.
        staging.push({ plan, staged });
        if (staging.length >= window) await commitOldest();
      }
      // What was read before the end (or before the archive broke off) is kept.
      while (staging.length > 0) await commitOldest();
    } catch (error) {
      broken = error;
    }
    if (broken !== undefined) {
      // Let the files still streaming finish before going on or stopping; what they wrote stays in
      // the temporary folder, which the end of the import removes (or the next run clears).
      await Promise.allSettled(staging.splice(0).map(({ staged }) => staged));
      if (!(broken instanceof ArchiveError || broken instanceof BodyError)) throw broken;
      report.damagedArchives++;
      if (!report.failures.some((line) => line.startsWith(`${input.path}: `))) {
        report.failures.push(`${input.path}: ${broken.message}`);
      }
    }
    // Entries listed in the first pass but not reached now (the archive broke off).
    report.unread += remaining.size;
  }
  await tree.removeTemp();
  if (options.albums === "links") await linkAlbums(store, tree, links);
  return report;
}

/** `albums/<title>/<name>`: a link to each album member's file in the dated tree. */
async function linkAlbums(
  store: Store,
  tree: OutputTree,
  links: { title: string; id: string }[],
): Promise<void> {
  for (const { title, id } of links) {
    const path = store.item(id)?.path;
    if (!path) continue;
    const wanted = `${ALBUMS_DIR}/${sanitizeName(title, "album")}/${path.slice(path.lastIndexOf("/") + 1)}`;
    for (const candidate of [wanted, taggedName(wanted, idTag(id))]) {
      if (await tree.link(candidate, path)) break;
      // Already there: done if it is this item's link (a re-run), else try the tagged name.
      const target = await Deno.readLink(`${tree.root}/${candidate}`).catch(() => "");
      if (target.endsWith(`/${path}`)) break;
    }
  }
}

/** The capture time of a media file and where it came from. */
async function captureTime(plan: MediaPlan, head: Uint8Array): Promise<{ ms: number; source: DateSource }> {
  if (plan.sidecar?.data.takenMs !== undefined) return { ms: plan.sidecar.data.takenMs, source: "sidecar" };
  const exif = await dateFromExif(head);
  if (exif !== undefined) return { ms: exif, source: "exif" };
  const named = dateFromName(plan.name);
  if (named !== undefined) return { ms: named, source: "name" };
  return { ms: plan.entry.mtimeMs, source: "file time" };
}

/** What `sync.db` keeps of a Takeout file: its sidecar's metadata and how it was matched. */
function metadataOf(plan: MediaPlan, dateSource: DateSource, archive: string) {
  const data = plan.sidecar?.data;
  return {
    takeout: {
      archive,
      entry: plan.entry.path,
      sidecar: plan.sidecar?.name,
      rule: plan.sidecar?.rule,
      dateSource,
    },
    ...(data ?? {}),
    ...(plan.editedOf ? { editedOf: plan.editedOf } : {}),
    ...(plan.motionOf ? { motionOf: plan.motionOf } : {}),
  };
}

/** The checkpoint recording that an archive entry was imported (JSON: SQLite text stops at a NUL). */
function doneKey(archiveName: string, path: string, size: number): string {
  return JSON.stringify([archiveName, path, size]);
}

function entryKey(archive: number, path: string): string {
  return `${archive}\0${path}`;
}
