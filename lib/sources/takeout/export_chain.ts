/**
 * The exports a backup has imported, oldest first: what tells a run which exports of a store are
 * done, what `status` and the report list, and where a missed increment shows (a hole in the chain).
 * Kept as the Takeout source's checkpoints under `["export", stamp]`.
 *
 * Incremental Takeout (a baseline, then every two months what was uploaded or edited since the last
 * export; `shared/google-photos-api.md` §5b) means an increment never imported is a window of uploads
 * that no later increment holds: only the next full export does. {@link chainHoles} finds such
 * windows from the figures recorded here; nothing in this module knows where the parts came from.
 * @module
 */
import type { Store } from "../../core/store.ts";
import { archivePart, stampMs } from "./parts.ts";

const SOURCE = "takeout";

/** What one run found of one part of an export. */
export interface PartFigures {
  /** Entries the part holds. */
  entries: number;
  /**
   * Files placed from it (new to the backup) that sync.db holds: counted from the items' rows (see
   * {@link ExportChain.placedFiles}), so that those a killed run placed count.
   */
  placed: number;
  /** Media items it holds that the backup had from another export. */
  present: number;
  /** A run read it to its end with nothing failed (what lists it in {@link ImportedExport.parts}). */
  complete: boolean;
  /**
   * Its entries of other Takeout products (outside the export's Google Photos folder: `PhotosScope`),
   * left out; absent when none. Its file holds more than photos then: not one to delete once imported.
   */
  otherProducts?: number;
}

/**
 * One export a run read (some of): imported once one of its parts is ({@link isImported}).
 */
export interface ImportedExport {
  /** Its time stamp (`20251110T101010Z`), from its parts' names. */
  stamp: string;
  /**
   * The file names of its parts imported in full: read to their end by a run, nothing failed (a part
   * a stopped run left is not listed until a run finishes it, though its figures count).
   */
  parts: string[];
  /** Entries its parts hold. */
  entries: number;
  /**
   * Files placed from it (new to the backup) that sync.db holds, from any of its parts: counted from the
   * items' rows (see {@link ExportChain.placedFiles}) as {@link ExportChain.list} reads it; the record keeps
   * the count of when a run last recorded it.
   */
  placed: number;
  /** Media files it holds that the backup had already (from an earlier export). */
  present: number;
  /** When it was imported, epoch ms. */
  importedMs: number;
  /** The figures of each part, by file name (what the totals above add up). */
  byPart?: Record<string, PartFigures>;
}

/** An increment imported without the export before it: photos uploaded in between may be missing. */
export interface ChainHole {
  /** The export imported before the hole. */
  after: ImportedExport;
  /** The increment after it, which re-sent few of the items backed up before. */
  before: ImportedExport;
  /** Days between the two. */
  days: number;
}

/**
 * More days than this between two exports imported one after the other is no longer the two-month
 * schedule of Incremental Takeout: an export in between was missed.
 */
export const HOLE_DAYS = 75;

/**
 * An export that holds at least this share of the items the backup had from the exports before it
 * is a full export (a new baseline, or a one-off export): it closes every hole before it.
 */
export const FULL_SHARE = 0.5;

const DAY_MS = 86_400_000;

function exportKey(stamp: string): string {
  return JSON.stringify(["export", stamp]);
}

/** The chain of exports imported into one `sync.db`. */
export class ExportChain {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Every export a run read (some of), oldest first, imported ({@link isImported}) or not yet, with the
   * files placed from it that sync.db holds now: `placed`, when counted by {@link placedFiles} since the last
   * file was placed (the count reads every Takeout row), else counted here when there is an export (a folder
   * of no Takeout, `status` of a Library backup, reads no rows for it).
   */
  list(placed?: ReadonlyMap<string, ReadonlyMap<string, number>>): ImportedExport[] {
    const recorded = this.#store.checkpointsFrom(SOURCE, `${JSON.stringify(["export"]).slice(0, -1)},`);
    if (recorded.length === 0) return [];
    const counted = placed ?? this.placedFiles();
    return recorded
      .map(({ value }) => JSON.parse(value) as ImportedExport)
      .map((done) => withPlaced(done, counted.get(done.stamp)))
      .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0));
  }

  /**
   * The files each export's parts placed that sync.db holds (downloaded, each a file of its own), by the
   * export's stamp, then the part's file name: counted from the items' rows, which record each file as it is
   * placed, so that a run killed after placing some counts them as a run that ended (or was stopped) does.
   * A file a later sidecar put in the trash, removed since, is not counted; nor is an item sharing another
   * source's file (the same bytes: none placed).
   */
  placedFiles(): Map<string, Map<string, number>> {
    const placed = new Map<string, Map<string, number>>();
    const add = (stamp: string, archive: string, files: number) => {
      const parts = placed.get(stamp) ?? new Map<string, number>();
      placed.set(stamp, parts.set(archive, (parts.get(archive) ?? 0) + files));
    };
    // By the part's name, which holds its export's stamp (one JSON path read a row: the cost of this count).
    let unnamed = false;
    for (const { values: [archive], files } of this.#store.filesByJson(SOURCE, ["$.takeout.archive"])) {
      if (typeof archive !== "string") continue;
      const stamp = archivePart(archive)?.stamp;
      if (stamp === undefined) unnamed = true;
      else add(stamp, archive, files);
    }
    if (!unnamed) return placed;
    // A part of another name (an extracted `Takeout` folder): the export its rows name.
    for (
      const { values: [archive, stamp], files } of this.#store.filesByJson(SOURCE, [
        "$.takeout.archive",
        "$.takeout.stamp",
      ])
    ) {
      if (typeof archive !== "string" || archivePart(archive) !== undefined) continue;
      if (typeof stamp === "string" && stamp !== "") add(stamp, archive, files);
    }
    return placed;
  }

  /**
   * The export `stamp`, when a run imported (some of) it: its `parts` are those imported in full; its files
   * placed as a run last recorded them ({@link list} counts them now).
   */
  get(stamp: string): ImportedExport | undefined {
    const value = this.#store.checkpoint(SOURCE, exportKey(stamp));
    return value === undefined ? undefined : JSON.parse(value) as ImportedExport;
  }

  /** Record `done` (see {@link recordImports}). */
  record(done: ImportedExport): void {
    this.#store.updateCheckpoints(SOURCE, {
      put: [{ key: exportKey(done.stamp), value: JSON.stringify(done) }],
    });
  }
}

/**
 * Whether `done` counts as imported (for the chain's holes, `status` and the report): a run read one of
 * its parts to its end with nothing failed. An export whose parts all failed (damaged, unreadable) or
 * were stopped holds a window of uploads the backup may not have: it neither fills a hole nor makes one
 * until a run finishes a part of it. One imported in part counts (a baseline read one part a run):
 * `status` says how many of its parts were read in full.
 */
export function isImported(done: ImportedExport): boolean {
  return done.parts.length > 0;
}

/** Whether a part of `done` holds files of other Takeout products besides Google Photos. */
export function holdsOtherProducts(done: ImportedExport): boolean {
  return Object.values(done.byPart ?? {}).some((part) => (part.otherProducts ?? 0) > 0);
}

/**
 * `done` with `placed`, the files of each of its parts sync.db holds ({@link ExportChain.placedFiles}): its
 * parts' figures, and its total, which counts a part no run recorded figures of too (one a killed run began).
 */
function withPlaced(done: ImportedExport, placed: ReadonlyMap<string, number> = new Map()): ImportedExport {
  const byPart = done.byPart &&
    Object.fromEntries(
      Object.entries(done.byPart).map((
        [part, figures],
      ) => [part, { ...figures, placed: placed.get(part) ?? 0 }]),
    );
  return {
    ...done,
    placed: [...placed.values()].reduce((total, files) => total + files, 0),
    ...(byPart ? { byPart } : {}),
  };
}

/**
 * What one run imported of one part: its export, its file name and its figures (its files placed are counted
 * from sync.db's items: {@link ExportChain.placedFiles}).
 */
export interface PartImport extends Omit<PartFigures, "placed"> {
  stamp: string;
  part: string;
}

/**
 * Add what a run imported (`parts`, of any exports) to `chain`, at `nowMs`; returns the exports
 * changed. A part read again keeps the larger count of items present (a re-run sees its own files as
 * present, not another export's); the files placed are those sync.db holds of each part, whichever run
 * placed them ({@link ExportChain.placedFiles}: `counted`, when the caller counted them after the last file
 * was placed). Parts of no known export (stamp "") are not recorded: nothing dates them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Store } from "../../core/store.ts";
 * import { ExportChain, recordImports } from "./export_chain.ts";
 * const dir = Deno.makeTempDirSync();
 * using store = Store.open(dir);
 * const chain = new ExportChain(store);
 * const part = "takeout-20251110T101010Z-001.zip";
 * const stamp = "20251110T101010Z";
 * // A run stopped in the part, then one that finished it: listed from then on.
 * recordImports(chain, [{ stamp, part, entries: 9, present: 0, complete: false }], 1);
 * assert.deepEqual(chain.get(stamp)?.parts, []);
 * recordImports(chain, [{ stamp, part, entries: 9, present: 0, complete: true }], 2);
 * assert.deepEqual(chain.get(stamp)?.parts, [part]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function recordImports(
  chain: ExportChain,
  parts: readonly PartImport[],
  nowMs: number,
  counted?: ReadonlyMap<string, ReadonlyMap<string, number>>,
): ImportedExport[] {
  const byStamp = new Map<string, PartImport[]>();
  for (const part of parts) {
    if (part.stamp === "") continue;
    byStamp.set(part.stamp, [...byStamp.get(part.stamp) ?? [], part]);
  }
  const changed: ImportedExport[] = [];
  const placed = counted ?? (byStamp.size > 0 ? chain.placedFiles() : new Map());
  for (const [stamp, imported] of byStamp) {
    const earlier = chain.get(stamp);
    const byPart: Record<string, PartFigures> = { ...earlier?.byPart };
    for (const { part, entries, present, complete, otherProducts } of imported) {
      const before = byPart[part];
      const others = Math.max(before?.otherProducts ?? 0, otherProducts ?? 0);
      byPart[part] = {
        entries,
        placed: 0, // Counted below, as every part's.
        present: Math.max(before?.present ?? 0, present),
        complete: (before?.complete ?? false) || complete,
        ...(others > 0 ? { otherProducts: others } : {}),
      };
    }
    const figures = Object.values(byPart);
    const sum = (field: "entries" | "present") => figures.reduce((total, f) => total + f[field], 0);
    const done = withPlaced({
      stamp,
      parts: Object.keys(byPart).filter((part) => byPart[part].complete).sort(),
      entries: sum("entries"),
      placed: 0,
      present: sum("present"),
      importedMs: nowMs,
      byPart,
    }, placed.get(stamp));
    chain.record(done);
    changed.push(done);
  }
  return changed;
}

/**
 * Whether `exported` (with the exports before it, oldest first) is a full export: it holds at least
 * {@link FULL_SHARE} of what those placed, or (read only in part so far) more items already backed up
 * than new ones. The first export is the baseline.
 */
export function isFullExport(exported: ImportedExport, before: readonly ImportedExport[]): boolean {
  if (before.length === 0) return true;
  const backedUp = before.reduce((total, e) => total + e.placed, 0);
  return exported.present >= FULL_SHARE * backedUp || exported.present > exported.placed;
}

/**
 * The holes in a chain of exports: an export more than {@link HOLE_DAYS} after the one imported
 * before it, that is not a full export ({@link isFullExport}), and after which no full export was
 * imported (a full export holds what the missed increment held). Only exports imported
 * ({@link isImported}) count: one whose every part failed is missed as much as one never downloaded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chainHoles, type ImportedExport } from "./export_chain.ts";
 * const exp = (stamp: string, placed: number, present: number): ImportedExport =>
 *   ({ stamp, parts: [`takeout-${stamp}-001.zip`], entries: 0, placed, present, importedMs: 0 });
 * const baseline = exp("20260110T080000Z", 1000, 0);
 * const missedOne = exp("20260510T080000Z", 40, 3); // 120 days later, few re-sent
 * assert.deepEqual(chainHoles([baseline, missedOne]).map((h) => h.days), [120]);
 * // A full export later closes it.
 * assert.deepEqual(chainHoles([baseline, missedOne, exp("20260710T080000Z", 30, 1020)]), []);
 * ```
 */
export function chainHoles(exports: readonly ImportedExport[]): ChainHole[] {
  const dated = exports.filter((e) => isImported(e) && stampMs(e.stamp) !== undefined)
    .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0));
  const full = dated.map((e, i) => isFullExport(e, dated.slice(0, i)));
  const holes: ChainHole[] = [];
  for (let i = 1; i < dated.length; i++) {
    const days = Math.floor((stampMs(dated[i].stamp)! - stampMs(dated[i - 1].stamp)!) / DAY_MS);
    if (days <= HOLE_DAYS || full[i] || full.slice(i + 1).some(Boolean)) continue;
    holes.push({ after: dated[i - 1], before: dated[i], days });
  }
  return holes;
}

/** `2025-11-10` for the stamp `20251110T101010Z` (the stamp itself for another text). */
export function stampDate(stamp: string): string {
  const ms = stampMs(stamp);
  return ms === undefined ? stamp : new Date(ms).toISOString().slice(0, 10);
}

/**
 * The one-line warning for a hole: both dates, what may be missing, what to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { holeWarning, type ImportedExport } from "./export_chain.ts";
 * const exp = (stamp: string): ImportedExport =>
 *   ({ stamp, parts: [], entries: 0, placed: 0, present: 0, importedMs: 0 });
 * const line = holeWarning({ after: exp("20260110T080000Z"), before: exp("20260510T080000Z"), days: 120 });
 * assert.match(line, /2026-01-10.*2026-05-10/);
 * assert.ok(!line.includes("\n"));
 * ```
 */
export function holeWarning(hole: ChainHole): string {
  const [from, to] = [stampDate(hole.after.stamp), stampDate(hole.before.stamp)];
  return `the Takeout export of ${to} comes ${hole.days} days after the one of ${from} imported before it: ` +
    `an export in between was not imported, so photos uploaded between ${from} and ${to} may be missing; ` +
    `download and import that export while its link is valid (Takeout's mail, or your Drive), ` +
    `or ask Takeout for a new full export and import it`;
}

/** The chain as `status` and the report show it (`--json`): the exports and the missed windows. */
export interface ChainSummary {
  exports: {
    stamp: string;
    date: string;
    parts: number;
    entries: number;
    placed: number;
    present: number;
    importedMs: number;
  }[];
  missed: { from: string; to: string; days: number }[];
}

/**
 * The chain of the backup `store` holds, for `status` and the report: the exports imported
 * ({@link isImported}); empty when none was.
 */
export function chainSummary(store: Store): ChainSummary {
  const exports = new ExportChain(store).list().filter(isImported);
  return {
    exports: exports.map(({ stamp, parts, entries, placed, present, importedMs }) => ({
      stamp,
      date: stampDate(stamp),
      parts: parts.length,
      entries,
      placed,
      present,
      importedMs,
    })),
    missed: chainHoles(exports).map(({ after, before, days }) => ({
      from: stampDate(after.stamp),
      to: stampDate(before.stamp),
      days,
    })),
  };
}

/**
 * The chain as lines for people (nothing when no export was imported): one line per export
 * (its date, parts, files placed, items it had that were backed up already), then one per missed
 * window.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeChain } from "./export_chain.ts";
 * const lines = describeChain({
 *   exports: [{
 *     stamp: "20260110T080000Z", date: "2026-01-10", parts: 2, entries: 90, placed: 40, present: 0, importedMs: 0,
 *   }],
 *   missed: [],
 * });
 * assert.equal(lines[1], "  2026-01-10  2 parts, 90 entries: 40 files placed, 0 present already");
 * ```
 */
export function describeChain(summary: ChainSummary): string[] {
  if (summary.exports.length === 0) return [];
  return [
    `exports:    ${summary.exports.length} Takeout ${
      summary.exports.length === 1 ? "export" : "exports"
    } imported`,
    ...summary.exports.map((e) =>
      `  ${e.date}  ${e.parts} ${e.parts === 1 ? "part" : "parts"}, ${e.entries} ${
        e.entries === 1 ? "entry" : "entries"
      }: ${e.placed} ${e.placed === 1 ? "file" : "files"} placed, ${e.present} present already`
    ),
    ...summary.missed.map((m) =>
      `  missed:   an export between ${m.from} and ${m.to} (${m.days} days apart) was not imported: ` +
      `photos uploaded then may be missing until a full export is imported`
    ),
  ];
}
