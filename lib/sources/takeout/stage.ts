/**
 * Staging: an archive entry's bytes streamed into a temporary file of the output tree, checked
 * against the entry's size. A zip's entries of {@link WORKER_ENTRY_BYTES} or more are staged in a
 * stage worker (`stage_pool.ts`): a local zip's the worker reads itself, a remote zip's stored
 * bytes the main thread fetches and passes on; the worker hashes what it writes (the commit's
 * sha256). Smaller ones (sidecar-sized), anything else (a tgz, a folder), or all where workers
 * cannot start, on the main thread.
 * @module
 */
import type { Logger } from "../../core/logger.ts";
import { idTag } from "../../core/names.ts";
import type { OutputTree } from "../../core/output_tree.ts";
import type { ArchiveSource } from "./archive_source.ts";
import type { ArchiveEntry } from "./entry.ts";
import { StagePool } from "./stage_pool.ts";
import type { StagedFile } from "./stage_protocol.ts";
import { openZipEntry } from "./stored_entry.ts";

/**
 * Entries of one archive streamed into temporary files at once (unless it is one stream): the
 * one being placed and the next two, so that the worker has work while the main thread commits
 * (with two it waited: about 9% slower in the benchmark; each more costs memory).
 */
export const STAGED_AT_ONCE = 3;

/**
 * Stage workers. One inflates, checks, hashes and writes while the main thread fetches, lists, dates,
 * stores and places: faster than the main thread alone by about a fifth. A second was faster
 * again (by about 15%) but each worker's heap and buffers add about 60 MB, which took the
 * benchmark's peak RSS past its 200 MB budget.
 */
const STAGE_WORKERS = 1;

/**
 * The size from which a zip entry is staged by a stage worker. A smaller one (a tiny photo, a
 * thumbnail) the main thread writes in about the time it would take to hand it over, and an export
 * of only such entries never starts a worker: its heap (about 20 MB) would come on top of the
 * catalog's, which is largest in just such an export (a zip of 100,000 tiny entries).
 */
export const WORKER_ENTRY_BYTES = 256 * 1024;

/**
 * The bytes of zips (their files' sizes) from which an export's zips start a stage worker: those of a
 * smaller one are staged on the main thread, as a small run starts no hash worker (`placed_hashes.ts`).
 * Its zips bound what a worker would stage (photos and videos hardly deflate), and they are known before
 * the catalog pass, where the worker starts. A worker's start costs more than it saves on so few bytes:
 * the main thread waits about 40 ms while the worker's isolate is made, the worker loads its modules
 * (about 50 ms), and its first megabytes go through a heap of its own still growing (a fault per fresh
 * page, costly on this VM: its first 10 MB took it 75–90 ms more CPU than the next 10). A large export
 * keeps its worker: with a core to spare it stages a fifth faster. See BENCHMARKS.md.
 */
export const WORKER_MIN_BYTES = 64 * 1024 * 1024;

/** An entry to stage: as listed (with its body), or a zip entry found by its place in the zip. */
export type ListedEntry =
  & Pick<ArchiveEntry, "path" | "size" | "index" | "crc32" | "offset" | "compressedSize">
  & Partial<Pick<ArchiveEntry, "body" | "stored">>;

/** Whether `input` is a zip to read, local or remote: what stage workers stage. */
function isZip(input: ArchiveSource): boolean {
  return input.zipPath !== undefined || input.storedEntries === true;
}

/** Whether `inputs` may be staged by stage workers: when there is a zip to read, local or remote. */
function wantsStageWorkers(inputs: readonly ArchiveSource[]): boolean {
  return inputs.some(isZip);
}

/**
 * Stage workers started while the catalog pass reads, as soon as it lists an entry a worker would
 * stage ({@link listed}), so that a worker loads its modules (a few hundred milliseconds) during
 * that pass, not after it; {@link Stager.start} takes them over. None for an export whose zips come to
 * less than {@link WORKER_MIN_BYTES} ({@link small}): the main thread stages it. Disposed without being
 * taken (the run ended first, or stages nothing a worker would), they are stopped once started.
 */
export class EarlyStageWorkers implements Disposable {
  #wanted: boolean;
  #started?: Promise<StagePool | { unavailable: string }>;
  /**
   * Whether the export's zips come to less than {@link WORKER_MIN_BYTES} (each zip's
   * `ArchiveSource.size`; one of unknown size counts as large): its stager starts no worker.
   */
  readonly small: boolean;

  /** Stage workers for `inputs` (none if they want none, or are {@link small}), started by {@link listed}. */
  constructor(inputs: readonly ArchiveSource[]) {
    this.small =
      inputs.filter(isZip).reduce((bytes, zip) => bytes + (zip.size ?? Infinity), 0) < WORKER_MIN_BYTES;
    this.#wanted = wantsStageWorkers(inputs) && !this.small;
  }

  /** The catalog listed an entry of `size` bytes: the workers start at the first one they would stage. */
  listed(size: number): void {
    if (!this.#wanted || size < WORKER_ENTRY_BYTES) return;
    this.#wanted = false;
    this.#started = StagePool.start(STAGE_WORKERS);
  }

  /** The workers started, handed over once: later calls (or none started) give undefined. */
  take(): Promise<StagePool | { unavailable: string }> | undefined {
    const started = this.#started;
    this.#started = undefined;
    this.#wanted = false;
    return started;
  }

  /** Stop the workers if they were not taken. */
  [Symbol.dispose](): void {
    this.take()?.then((pool) => {
      if (pool instanceof StagePool) pool[Symbol.dispose]();
    });
  }
}

/** Stages entries into one output tree's temporary folder. */
export class Stager implements Disposable {
  readonly #tree: OutputTree;
  readonly #pool?: StagePool;

  private constructor(tree: OutputTree, pool: StagePool | undefined) {
    this.#tree = tree;
    this.#pool = pool;
  }

  /**
   * A stager for `inputs` into `tree`: with stage workers when there is a zip to read, local or
   * remote, and `largest` (the largest entry to stage, in bytes) is one a worker would stage; said
   * under `--verbose` when they cannot start. The workers `early` started (see
   * {@link EarlyStageWorkers}) are taken over; else they start now, but for an export `early` found
   * {@link EarlyStageWorkers.small}: the main thread stages it.
   */
  static async start(
    tree: OutputTree,
    inputs: readonly ArchiveSource[],
    options: { logger: Logger; largest: number; early?: EarlyStageWorkers },
  ): Promise<Stager> {
    if (!wantsStageWorkers(inputs)) return new Stager(tree, undefined);
    if (options.largest < WORKER_ENTRY_BYTES) {
      // Started for an entry this run does not stage (done before, or trash): stopped now, not at the end.
      options.early?.[Symbol.dispose]();
      options.logger.verbose(
        `staging on the main thread: no entry to stage is of ${WORKER_ENTRY_BYTES} bytes or more`,
      );
      return new Stager(tree, undefined);
    }
    if (options.early?.small) {
      options.logger.verbose(
        `staging on the main thread: the zips come to less than ${WORKER_MIN_BYTES} bytes, fewer than a ` +
          "stage worker's start pays for",
      );
      return new Stager(tree, undefined);
    }
    const started = await (options.early?.take() ?? StagePool.start(STAGE_WORKERS));
    if (!(started instanceof StagePool)) {
      options.logger.verbose(`staging on the main thread: ${started.unavailable}`);
    }
    return new Stager(tree, started instanceof StagePool ? started : undefined);
  }

  /**
   * Whether the entries of `input` are read from the zip itself, each from its local header (by a
   * stage worker, or here): the main thread then needs no listing of its own, only each entry's
   * path, size, CRC-32 and place in the zip ({@link ListedEntry}), which the catalog has.
   */
  readsItself(input: ArchiveSource): boolean {
    return input.zipPath !== undefined;
  }

  /**
   * Stream `entry` of `input` into a temporary file named after `checkpoint` (the entry's
   * record key, see `records.ts`); with its sha256 when a stage worker staged it. Fails with `BodyError` or `ArchiveError` for a damaged entry,
   * `FileSystemError` when the file cannot be written, the store's error when a remote entry's
   * bytes cannot be fetched. An entry without `body` must be one read from the zip itself
   * ({@link readsItself}).
   */
  async stage(input: ArchiveSource, entry: ListedEntry, checkpoint: string): Promise<StagedFile> {
    const options = {
      tempName: `${idTag(checkpoint)}-${crypto.randomUUID()}.part`,
      expectedSize: entry.size,
    };
    const pool = entry.size >= WORKER_ENTRY_BYTES ? this.#pool : undefined;
    if (this.readsItself(input) && entry.offset !== undefined && entry.compressedSize !== undefined) {
      if (!pool) {
        const { offset, compressedSize, crc32 } = entry;
        return await this.#tree.writeTemp(
          openZipEntry(input.zipPath!, entry.path, { offset, compressedSize, crc32, size: entry.size }),
          options,
        );
      }
      return await pool.stage({
        archive: input.zipPath!,
        offset: entry.offset,
        compressedSize: entry.compressedSize,
        crc32: entry.crc32,
        path: entry.path,
        root: this.#tree.root,
        ...options,
      });
    }
    if (pool && entry.stored) {
      return await pool.stageStored({ path: entry.path, root: this.#tree.root, ...options }, entry.stored());
    }
    if (!entry.body) throw new TypeError(`${entry.path}: no body to stage`);
    return await this.#tree.writeTemp(entry.body(), options);
  }

  /** Stop the stage workers, if any. */
  [Symbol.dispose](): void {
    this.#pool?.[Symbol.dispose]();
  }
}
