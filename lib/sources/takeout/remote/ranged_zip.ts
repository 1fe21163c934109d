/**
 * A zip in a {@link RemoteStore}, read by byte ranges with zip.js: the directory once per run
 * (the tail of the file, and the directory where the tail does not hold it, kept in memory), then
 * only the entries an import asks for. The reader is told beforehand which entries will be read
 * and in what order ({@link RangedZip.willRead}); their byte ranges are joined into spans (gaps of
 * at most the link's bandwidth-delay product, see {@link spanGap}; at most {@link SPAN_MAX} each) and
 * each span is one streaming request.
 * Spans are fetched ahead of the reader (of a zip at most {@link SPANS_AHEAD} large spans of
 * {@link BYTES_AHEAD} bytes in all, and {@link SMALL_SPANS_AHEAD} small ones of {@link SMALL_BYTES_AHEAD};
 * as many requests at once as the run's {@link RangeFetches} lets, the next to be read first). A small
 * span is held in memory whole. A large one streams through a window of {@link WINDOW} bytes, its
 * request held back while the window is full; it runs on into a spool file in the backup's
 * temporary folder only when that would keep a reader from waiting: the import is waiting on the
 * network (more connections bring more), or a reader needs bytes past the window. So memory stays
 * small whatever the archive, and when the network keeps up, no byte is written to disk twice. A
 * span is dropped once every entry in it was read or passed over.
 * @module
 */
import {
  ERR_BAD_FORMAT,
  ERR_CENTRAL_DIRECTORY_NOT_FOUND,
  ERR_EOCDR_NOT_FOUND,
  type FileEntry,
  Reader,
  ZipReader,
} from "@zip.js/zip.js";
import { join } from "node:path";
import { PhotosyncError } from "../../../core/errors.ts";
import { type ArchiveEntry, ArchiveError, type StoredEntry } from "../entry.ts";
// zip.js configured as for a local zip: it only lists (no workers of its own).
import "../zip.ts";
import { decodeStored } from "../stored_entry.ts";
import { RangeFetches } from "./range_fetches.ts";
import { type RangeChunks, rangeChunks, type RangeReadOptions, readBytes } from "./range_read.ts";
import type { RemoteFile, RemoteStore } from "./remote_store.ts";

const KB = 1024;
const MB = 1024 * KB;

/**
 * Entries at most this far apart are fetched in one span (the bytes between are read and dropped): a
 * request saved for a few bytes fetched in vain. The catalog reads every sidecar before the import reads
 * the photos, so a gap holding a photo is fetched twice: with 256 KB, a first import of an export of
 * 50–150 KB photos (messaging apps' pictures, old cameras) fetched 1.75–2.0x its parts' bytes; with 64 KB,
 * 1.0x at 150 KB (about as fast over loopback, faster through a 20 MB/s link: see BENCHMARKS.md). The most
 * {@link spanGap} gives: a fast link's (or one not measured yet).
 */
export const SPAN_GAP = 64 * KB;
/**
 * The least {@link spanGap} gives: about what a request and its answer's headers cost, whatever the link.
 */
export const MIN_SPAN_GAP = 4 * KB;

/**
 * The gap worth fetching between two wanted entries rather than asking for the second alone, for a link
 * whose bandwidth-delay product is `bandwidthDelay` bytes ({@link RangeFetches.bandwidthDelay}): fetching
 * the gap pays when its bytes take less time than a request's round trip, that is when it is smaller than
 * that product; kept within {@link MIN_SPAN_GAP} and {@link SPAN_GAP}. Over loopback a request costs more
 * than 64 KB (the bench's figures are with that); through 200 kB/s with 30 ms a round trip, 6 KB: the
 * spans of the catalog's sidecars no longer run on over the 50 kB photos between them, each fetched again
 * by the import (about 2x the parts' bytes; the sidecar pass took minutes of a `--max-time` run).
 *
 * @example Loopback, a slow link, none measured yet
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIN_SPAN_GAP, SPAN_GAP, spanGap } from "./ranged_zip.ts";
 *
 * assert.equal(spanGap(1_000_000_000 * 0.002), SPAN_GAP);
 * assert.equal(spanGap(200 * 30), 6000);
 * assert.equal(spanGap(0), MIN_SPAN_GAP);
 * assert.equal(spanGap(undefined), SPAN_GAP);
 * ```
 */
export function spanGap(bandwidthDelay: number | undefined): number {
  if (bandwidthDelay === undefined || Number.isNaN(bandwidthDelay)) return SPAN_GAP;
  return Math.round(Math.min(SPAN_GAP, Math.max(MIN_SPAN_GAP, bandwidthDelay)));
}
/** The longest span: longer runs of wanted entries are cut, so that their pieces come in parallel. */
export const SPAN_MAX = 64 * MB;
/** Large spans of a zip fetched or held at once, ahead of the reader. */
export const SPANS_AHEAD = 16;
/**
 * Small spans (held in memory whole) of a zip fetched or held at once, ahead of the reader. Sidecars
 * are many spans of a few kilobytes, a request each: the catalog pass waits on round trips, so the run's
 * small requests at once ({@link RangeFetches}) should be the limit, not a zip's spans. With the large
 * spans' 16, the catalog of the bench's export (352 sidecars in 3 zips, 20 ms a request) took
 * 0.9–1.1 s; with this, 0.64–0.75 s.
 */
export const SMALL_SPANS_AHEAD = 64;
/** Bytes of small spans fetched or held at once, ahead of the reader: what they may hold in memory. */
export const SMALL_BYTES_AHEAD = 16 * MB;
/** Bytes of large spans fetched or held at once (a span larger than this is fetched alone). */
export const BYTES_AHEAD = 256 * MB;
/**
 * What to do about a part whose bytes where it is stored are no good zip: the part is the user's copy
 * (uploaded, synced or delivered there), so a good copy has to replace it; photosync reads it again then.
 */
const REPLACE_PART = "put a good copy of this part there (download it from Takeout again) and run again";

/** Dropped spans a zip holds at least before it lets go of them (see `RangedZip.#compact`). */
const COMPACT_AT = 32;
/** Spans up to this size are held in memory whole; larger ones stream through a window. */
const IN_MEMORY = 1 * MB;
/** A span's kind: small (up to {@link IN_MEMORY}, held whole) or large (through a window). */
type SpanKind = "small" | "large";
/** Spans and bytes of each kind a zip fetches or holds at once, ahead of the reader. */
const AHEAD: Readonly<Record<SpanKind, { spans: number; bytes: number }>> = {
  small: { spans: SMALL_SPANS_AHEAD, bytes: SMALL_BYTES_AHEAD },
  large: { spans: SPANS_AHEAD, bytes: BYTES_AHEAD },
};
/**
 * A large span's bytes held in memory: two of the pieces a reader takes at once. Each large request
 * at once holds one (4 MB windows gave the benchmark's peak RSS 10–15 MB more and no speed).
 */
export const WINDOW = 2 * MB;
/**
 * How long a reader may wait for bytes past a large span's full window before the span runs on into a
 * spool file. Such a reader reads ahead of another in the same span (an import stages three entries at
 * once, each read a megabyte at a time): mostly the one before moves on within milliseconds, as its
 * stage worker takes its bytes, and the window with it; one that never reads on would keep it waiting
 * for good. Spilled at once instead, the WebDAV bench's baseline spooled up to two of its six spans
 * (their bytes written to disk and read back) on a network far faster than the import.
 */
export const BEHIND_MS = 500;
/** Bytes written to a spool file at once. */
const SPOOL_WRITE = 1 * MB;
/** Bytes of an entry's stored bytes read from the spans at once, for a stage worker. */
const STORED_PIECE = 1 * MB;
/** The end of the file read at first: the directory's end record, and often the whole directory. */
const TAIL = 128 * KB;

/** Where a ranged zip spools and how it reads. */
export interface RangedZipOptions extends RangeReadOptions {
  /** A folder for the spool files of large spans (the backup's temporary folder), made when first needed. */
  spoolDir: string;
  /** The run's requests, shared by its zips (default: this zip's own). */
  fetches?: RangeFetches;
  /** How long a reader past a full window waits before its span spills (default {@link BEHIND_MS}). */
  behindMs?: number;
}

/** One byte range fetched in one request. */
interface Span {
  start: number;
  end: number;
  /** The planned entries (indices) overlapping it that are not read or passed over yet. */
  entries: Set<number>;
  state: "waiting" | "fetching" | "fetched" | "failed" | "dropped";
  error?: unknown;
  /** Bytes received, from `start`. */
  received: number;
  /** A small span's bytes, whole. */
  memory?: Uint8Array;
  /** A large span's window: bytes `front` to `received` (from `start`), at their offset modulo its size. */
  ring?: Uint8Array;
  front: number;
  /** Wakes the fetch waiting for room in the window. */
  room?: () => void;
  /** Since when (`performance.now`) the window has been full with a reader waiting for bytes past it. */
  behindSince?: number;
  /** A large span's spool file, holding its bytes from `base` (from `start`) on. */
  spool?: {
    path: string;
    base: number;
    write: Deno.FsFile;
    read?: Deno.FsFile;
    at?: number;
    lock: Promise<unknown>;
  };
  stop: AbortController;
  waiters: (() => void)[];
}

/** zip.js's reads of the remote file: from the directory kept, the spans, or (otherwise) a request each. */
class StoreReader extends Reader<string> {
  readonly #zip: RangedZip;

  constructor(zip: RangedZip, size: number) {
    super("");
    this.#zip = zip;
    this.size = size;
  }

  override readUint8Array(index: number, length: number): Promise<Uint8Array> {
    return this.#zip.readAt(index, Math.max(0, Math.min(length, this.size - index)));
  }
}

/** A zip in a store, its directory read. */
export class RangedZip {
  readonly #store: RemoteStore;
  readonly #file: RemoteFile;
  /** The options given, each request timed by the run's fetches. */
  readonly #options: RangedZipOptions;
  readonly #fetches: RangeFetches;
  readonly #zip: ZipReader<string>;
  /** Bytes kept from opening: the tail and the directory. */
  readonly #kept: { start: number; bytes: Uint8Array }[] = [];
  #opening = true;
  /** Per file index, the offset of its local header and of the next entry (where its bytes end). */
  #ranges: { start: number; end: number }[] = [];
  /** Planned reads, in the reader's order. */
  #plan: number[] = [];
  #planAt = new Map<number, number>();
  /** The first planned entry not started yet. */
  #nextUnstarted = 0;
  /**
   * The spans of the plan, by their start (they do not overlap), those dropped let go of from time to time
   * (see {@link #compact}).
   */
  #spans: Span[] = [];
  /** The first span not fetched yet. */
  #nextSpan = 0;
  /** Spans of {@link #spans} dropped since it was last compacted. */
  #dropped = 0;
  /** Spans being fetched or held, and their bytes, by kind. */
  readonly #active: Record<SpanKind, { spans: number; bytes: number }> = {
    small: { spans: 0, bytes: 0 },
    large: { spans: 0, bytes: 0 },
  };
  #spansOf = new Map<number, Span[]>();
  /** Where the reader of each entry being read has come to (a byte of the file). */
  #cursors = new Map<number, number>();
  /** The plan's rank among the run's ({@link RangeFetches.rank}). */
  #rank = 0;
  #fatal?: unknown;

  private constructor(store: RemoteStore, file: RemoteFile, options: RangedZipOptions) {
    this.#store = store;
    this.#file = file;
    const fetches = options.fetches ?? new RangeFetches();
    this.#fetches = fetches;
    this.#options = { ...options, onRequest: () => fetches.request() };
    this.#zip = new ZipReader(new StoreReader(this, file.size));
  }

  /**
   * Read the directory of `file` in `store` (from `kept`, the bytes an earlier opening of the same
   * file read, when given: see {@link kept}): an {@link ArchiveError} when it is no zip or its
   * directory is damaged; the store's own error (a `RemoteReadError`, an `AuthError`) when the
   * store cannot be read, never taken for damage.
   */
  static async open(
    store: RemoteStore,
    file: RemoteFile,
    options: RangedZipOptions,
    kept?: readonly { start: number; bytes: Uint8Array }[],
  ): Promise<RangedZip> {
    if (file.size === 0) {
      throw new ArchiveError(
        `the file is empty (0 bytes): its copy there stopped before it began; ${REPLACE_PART}`,
      );
    }
    const zip = new RangedZip(store, file, options);
    if (kept) zip.#kept.push(...kept);
    else {
      const tailStart = Math.max(0, file.size - TAIL);
      zip.#kept.push({
        start: tailStart,
        bytes: await readBytes(store, file, tailStart, file.size, zip.#options),
      });
    }
    for await (const { entry } of zip.#list()) zip.#ranges.push({ start: entry.offset, end: 0 });
    zip.#opening = false;
    // An entry's bytes end where the next entry (in the file) starts, or the directory does (not
    // where zip.js first read: it looks for the directory's end record in the last 64 KB).
    const sorted = zip.#ranges.map((range) => range.start).sort((a, b) => a - b);
    const directoryStart = Math.min(zip.#zip.directoryOffset ?? file.size, file.size);
    for (const range of zip.#ranges) {
      const at = upperBound(sorted, range.start);
      range.end = at < sorted.length ? sorted[at] : directoryStart;
    }
    return zip;
  }

  /**
   * The bytes read at opening (the tail of the file, and the directory where the tail did not hold it):
   * given to {@link open} again (`kept`), the directory is listed from them without a request.
   */
  get kept(): readonly { start: number; bytes: Uint8Array }[] {
    return this.#kept;
  }

  /** Files in the zip. */
  get count(): number {
    return this.#ranges.length;
  }

  /** The zip.js entries of files, in stored order, with their index; directory errors as ArchiveErrors. */
  async *#list(): AsyncGenerator<{ entry: FileEntry; index: number }> {
    const listed = this.#zip.getEntriesGenerator({
      filenameEncoding: "utf-8",
      filenameValidation: "tolerant",
    });
    let index = 0;
    while (true) {
      let next;
      try {
        next = await listed.next();
      } catch (error) {
        throw this.#directoryError(error);
      }
      if (next.done) return;
      const entry = next.value;
      if (entry.directory || !entry.getData) continue;
      yield { entry, index: index++ };
    }
  }

  /**
   * Every file of the zip, in stored order, from the directory kept (no request). Throws the
   * store's error once a fetch failed for good.
   */
  async *entries(): AsyncGenerator<ArchiveEntry> {
    try {
      for await (const { entry, index } of this.#list()) {
        if (this.#fatal) throw this.#fatal;
        yield this.#entry(entry, index);
      }
      if (this.#fatal) throw this.#fatal;
    } finally {
      // What was not started by now will not be read by this listing's reader.
      this.#passOver(this.#plan.length);
    }
  }

  /**
   * The entries (by index) the reader will read, in its order: they are fetched in spans, ahead
   * of it. Replaces an earlier plan (whose spans are dropped). An entry read that was not
   * planned is read by requests of its own. Entries are joined across gaps of {@link spanGap} of the
   * link as measured by now (the run's requests so far: at least this part's directory).
   */
  willRead(indices: readonly number[]): void {
    const gap = spanGap(this.#fetches.bandwidthDelay);
    this.close();
    this.#rank = this.#fetches.rank();
    this.#plan = [...indices];
    this.#planAt = new Map(this.#plan.map((index, at) => [index, at]));
    this.#nextUnstarted = 0;
    this.#spansOf = new Map();
    const ranges = this.#plan.map((index) => ({ index, ...this.#ranges[index] }))
      .filter((range) => range.end > range.start)
      .sort((a, b) => a.start - b.start);
    let span: Span | undefined;
    for (const range of ranges) {
      let at = range.start;
      if (span && at - span.end <= gap) at = Math.max(at, span.end);
      else span = undefined;
      if (span && range.end <= span.end) this.#attach(span, range.index);
      while (at < range.end) {
        if (!span || span.end - span.start >= SPAN_MAX) {
          span = newSpan(at);
          this.#spans.push(span);
        }
        span.end = Math.min(range.end, span.start + SPAN_MAX);
        this.#attach(span, range.index);
        at = span.end;
      }
    }
    this.#pump();
  }

  /** Stop every fetch and drop what is held. */
  close(): void {
    for (const span of this.#spans) this.#drop(span);
    this.#spans = [];
    this.#nextSpan = 0;
    this.#dropped = 0;
  }

  /** Spans held: those of the plan being fetched, held or waiting, and dropped ones not let go of yet. */
  get spansHeld(): number {
    return this.#spans.length;
  }

  /**
   * Let go of the dropped spans once they are as many as the others (and at least {@link COMPACT_AT}). Kept
   * until the next plan, each held about 3 KB of the heap (its controller, aborted with an error whose stack
   * holds the streams of the read that dropped it), and the catalog's plan has a span for each sidecar:
   * thousands in a large part, each part's kept until its import plans anew. A dropped span holds no byte a
   * read can use: {@link #spanAt} finds none, and bytes no live span holds are asked for alone.
   */
  #compact(): void {
    if (this.#dropped < COMPACT_AT || this.#dropped * 2 < this.#spans.length) return;
    const live: Span[] = [];
    let next = 0;
    for (const [at, span] of this.#spans.entries()) {
      if (isDropped(span)) continue;
      if (at < this.#nextSpan) next++;
      live.push(span);
    }
    this.#spans = live;
    this.#nextSpan = next;
    this.#dropped = 0;
  }

  #attach(span: Span, index: number): void {
    span.entries.add(index);
    const list = this.#spansOf.get(index);
    if (!list) this.#spansOf.set(index, [span]);
    else if (!list.includes(span)) list.push(span);
  }

  /**
   * The entry `index` as an {@link ArchiveEntry}, with its CRC-32 from the directory. Its body is its
   * stored bytes decoded here as a stage worker decodes them (`decodeStored`: native inflate in pieces,
   * native CRC-32), not by zip.js, which only lists.
   */
  #entry(entry: FileEntry, index: number): ArchiveEntry {
    const stored = (): StoredEntry => {
      this.#started(index);
      const { start, end } = this.#ranges[index];
      return {
        method: (entry as { compressionMethod?: number }).compressionMethod ?? -1,
        encrypted: entry.encrypted,
        compressedSize: entry.compressedSize,
        crc32: entry.signature ?? 0,
        size: entry.uncompressedSize,
        bytes: this.#bytes(index, start, end),
      };
    };
    return {
      path: entry.filename,
      size: entry.uncompressedSize,
      mtimeMs: entry.lastModDate.getTime(),
      index,
      crc32: entry.signature,
      // The store failing is the run's error (the bytes' own); damage is this entry's ArchiveError.
      body: () => decodeStored(entry.filename, stored()),
      stored,
    };
  }

  /**
   * Bytes `start` to `end` of the file (entry `index`'s), from the spans, in pieces of at most
   * {@link STORED_PIECE}; the entry is finished once the stream ends, fails or is cancelled.
   */
  #bytes(index: number, start: number, end: number): ReadableStream<Uint8Array> {
    let at = start;
    let finished = false;
    const finish = () => {
      if (!finished) {
        this.#cursors.delete(index);
        this.#finished(index);
      }
      finished = true;
    };
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (at >= end) {
          finish();
          return controller.close();
        }
        const length = Math.min(STORED_PIECE, end - at);
        let bytes;
        try {
          if (this.#fatal) throw this.#fatal;
          bytes = await this.readAt(at, length);
        } catch (error) {
          finish();
          throw error;
        }
        at += length;
        // Bytes before it are no longer this entry's to read: its spans' windows may move on.
        this.#cursors.set(index, at);
        for (const span of this.#spansOf.get(index) ?? []) span.room?.();
        controller.enqueue(bytes);
      },
      cancel: finish,
    }, { highWaterMark: 0 });
  }

  /** Entry `index` is being read: those planned before it and not started are passed over. */
  #started(index: number): void {
    const at = this.#planAt.get(index);
    if (at === undefined) return;
    this.#passOver(at);
    this.#nextUnstarted = Math.max(this.#nextUnstarted, at + 1);
  }

  /** Planned entries before position `at` that were never started will not be: done with them. */
  #passOver(at: number): void {
    const until = Math.min(at, this.#plan.length);
    for (let i = this.#nextUnstarted; i < until; i++) this.#finished(this.#plan[i]);
    this.#nextUnstarted = Math.max(this.#nextUnstarted, until);
  }

  /** Entry `index` is read (or will not be): spans left without entries are dropped. */
  #finished(index: number): void {
    const spans = this.#spansOf.get(index);
    if (!spans) return;
    this.#spansOf.delete(index);
    for (const span of spans) {
      span.entries.delete(index);
      // The window's front may have been this entry's.
      if (span.entries.size === 0) this.#drop(span);
      else span.room?.();
    }
    this.#compact();
    this.#pump();
  }

  /** Start the fetches there is room for, in the file's order. */
  #pump(): void {
    while (this.#nextSpan < this.#spans.length) {
      const span = this.#spans[this.#nextSpan];
      if (span.state === "waiting") {
        const kind = kindOf(span);
        const active = this.#active[kind];
        const room = this.#active.small.spans + this.#active.large.spans === 0 ||
          (active.spans < AHEAD[kind].spans && active.bytes + spanSize(span) <= AHEAD[kind].bytes);
        if (!room) return;
        this.#fetch(span);
      }
      this.#nextSpan++;
    }
  }

  async #fetch(span: Span): Promise<void> {
    span.state = "fetching";
    const size = spanSize(span);
    const kind = kindOf(span);
    this.#active[kind].spans++;
    this.#active[kind].bytes += size;
    const stop = this.#options.signal
      ? AbortSignal.any([this.#options.signal, span.stop.signal])
      : span.stop.signal;
    let release: (() => void) | undefined;
    let body: RangeChunks | undefined;
    let ended = false;
    try {
      release = await this.#fetches.slot(kind, [this.#rank, span.start], stop);
      if (isDropped(span)) return;
      if (kind === "small") span.memory = new Uint8Array(size);
      else if (this.#fetches.networkBound) await this.#spill(span);
      else span.ring = new Uint8Array(WINDOW);
      if (isDropped(span)) return;
      // Each chunk is copied (into the span's memory, window or spool batch) before the next is asked for.
      body = rangeChunks(this.#store, this.#file, span.start, span.end, {
        ...this.#options,
        signal: stop,
        reuse: true,
      });
      // Spooled bytes are written a megabyte at a time: a write per network chunk (often 16 KB) cost more
      // than the import around it. The batch is made once the span is spooled (through its window, never).
      let batch: Uint8Array | undefined;
      let batched = 0;
      const flush = async () => {
        for (let done = 0; done < batched;) {
          done += await span.spool!.write.write(batch!.subarray(done, batched));
        }
        span.received += batched;
        batched = 0;
        this.#wake(span);
      };
      for (let chunk; (chunk = await body.next()) !== undefined;) {
        if (isDropped(span)) return;
        if (span.memory) {
          span.memory.set(chunk, span.received);
          span.received += chunk.length;
          this.#wake(span);
          continue;
        }
        let at = span.ring ? await this.#intoWindow(span, chunk) : 0;
        if (isDropped(span)) return;
        if (at < chunk.length) batch ??= new Uint8Array(SPOOL_WRITE);
        while (at < chunk.length) {
          const part = chunk.subarray(at, at + SPOOL_WRITE - batched);
          batch!.set(part, batched);
          batched += part.length;
          at += part.length;
          if (batched === SPOOL_WRITE) await flush();
        }
        if (isDropped(span)) return;
      }
      ended = true;
      if (batched > 0 && !isDropped(span)) await flush();
      if (!isDropped(span)) span.state = "fetched";
    } catch (error) {
      if (isDropped(span)) return;
      span.state = "failed";
      span.error = error;
      // A store that fails for good fails the run (not while it is stopping: that is no failure).
      if (!this.#options.signal?.aborted) this.#fatal ??= error;
    } finally {
      // Left before its end (dropped, failed): the body is let go of, as a stream's loop would.
      if (!ended) body?.cancel().catch(() => {});
      release?.();
      this.#wake(span);
    }
  }

  /** Tell the readers waiting for `span` that more came (or that it ended). */
  #wake(span: Span): void {
    for (const wake of span.waiters.splice(0)) wake();
  }

  /**
   * Put `chunk` into `span`'s window, waiting for room while it is full; gives how much of it went
   * in. Less than all once the span was spilled into a spool file (see {@link #spill}), which
   * takes the rest.
   */
  async #intoWindow(span: Span, chunk: Uint8Array): Promise<number> {
    let at = 0;
    while (at < chunk.length) {
      const ring = span.ring;
      if (!ring || isDropped(span)) return at;
      let room = WINDOW - (span.received - span.front);
      if (room === 0) {
        this.#trim(span);
        room = WINDOW - (span.received - span.front);
      }
      if (room === 0) {
        // The network is slower than the import, or a reader has waited a while for bytes past the
        // window (see BEHIND_MS): no waiting then.
        const now = performance.now();
        if (span.waiters.length === 0) span.behindSince = undefined;
        else span.behindSince ??= now;
        const behind = span.behindSince === undefined ? undefined : now - span.behindSince;
        const patience = this.#options.behindMs ?? BEHIND_MS;
        if (this.#fetches.networkBound || (behind !== undefined && behind >= patience)) {
          await this.#spill(span);
          continue;
        }
        await new Promise<void>((resolve) => {
          const forget = this.#fetches.onNetworkBound(() => span.room?.());
          const timer = behind === undefined ? undefined : setTimeout(() => span.room?.(), patience - behind);
          span.room = () => {
            span.room = undefined;
            forget();
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      span.behindSince = undefined;
      const count = Math.min(room, chunk.length - at);
      const offset = span.received % WINDOW;
      const first = Math.min(count, WINDOW - offset);
      ring.set(chunk.subarray(at, at + first), offset);
      if (first < count) ring.set(chunk.subarray(at + first, at + count), 0);
      span.received += count;
      at += count;
      this.#wake(span);
    }
    return at;
  }

  /** Let go of the bytes at the front of `span`'s window that no reader will read again. */
  #trim(span: Span): void {
    // A span's entries are attached in the order of their bytes (`willRead`), which do not overlap, and
    // a reader stays within its entry's: the first entry left holds the lowest byte still needed.
    const first: number | undefined = span.entries.values().next().value;
    const lowest = first === undefined ? span.end : this.#cursors.get(first) ?? this.#ranges[first].start;
    span.front = Math.max(span.front, Math.min(lowest - span.start, span.received));
  }

  /**
   * From now on `span` is fetched into a spool file, which starts with what its window holds (a
   * span not started yet: empty).
   */
  async #spill(span: Span): Promise<void> {
    // Made each time: a run clears its temporary folder between the catalog and the import.
    await Deno.mkdir(this.#options.spoolDir, { recursive: true });
    const path = join(this.#options.spoolDir, `span-${crypto.randomUUID()}.part`);
    const write = await Deno.open(path, { write: true, createNew: true });
    const base = span.front;
    span.spool = { path, base, write, lock: Promise.resolve() };
    if (isDropped(span)) return this.#drop(span, true);
    if (span.ring) {
      const held = new Uint8Array(span.received - base);
      fromRing(span.ring, base, held);
      for (let done = 0; done < held.length;) done += await write.write(held.subarray(done));
    }
    span.ring = undefined;
    span.room?.();
  }

  /** Drop `span`: its fetch stopped, its bytes let go (`again`: its spool came after it was dropped). */
  #drop(span: Span, again = false): void {
    if (span.state === "dropped" && !again) return;
    if (span.state === "fetching" || span.state === "fetched" || span.state === "failed") {
      const active = this.#active[kindOf(span)];
      active.spans--;
      active.bytes -= spanSize(span);
    }
    if (span.state !== "dropped") this.#dropped++;
    span.state = "dropped";
    span.stop.abort();
    span.memory = undefined;
    span.ring = undefined;
    span.room?.();
    this.#wake(span);
    const spool = span.spool;
    if (spool) {
      span.spool = undefined;
      spool.lock = spool.lock.then(async () => {
        for (const file of [spool.write, spool.read]) {
          try {
            file?.close();
          } catch {
            // Closed already.
          }
        }
        await Deno.remove(spool.path).catch(() => {});
      });
    }
  }

  /** The live span holding byte `at`, if any. */
  #spanAt(at: number): Span | undefined {
    let low = 0;
    let high = this.#spans.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#spans[mid].start <= at) low = mid + 1;
      else high = mid;
    }
    const span = this.#spans[low - 1];
    return span && at < span.end && !isDropped(span) ? span : undefined;
  }

  /** `length` bytes at `index`, for zip.js. */
  async readAt(index: number, length: number): Promise<Uint8Array> {
    for (const { start, bytes } of this.#kept) {
      if (index >= start && index + length <= start + bytes.length) {
        return bytes.slice(index - start, index - start + length);
      }
    }
    if (this.#opening) {
      // The directory, where the tail did not hold it: kept for the listings to come.
      const bytes = await readBytes(this.#store, this.#file, index, index + length, this.#options);
      this.#kept.push({ start: index, bytes });
      return bytes.slice();
    }
    const out = new Uint8Array(length);
    let at = index;
    while (at < index + length) {
      const span = this.#spanAt(at);
      if (!span || !(await this.#copyFrom(span, at, Math.min(index + length, span.end), out, index))) {
        // Bytes no live span holds (an entry read that was not planned): asked for alone.
        const next = this.#spans.find((s) => s.start > at && !isDropped(s))?.start ?? Infinity;
        const end = Math.min(index + length, span ? span.end : next);
        out.set(await readBytes(this.#store, this.#file, at, end, this.#options), at - index);
        at = end;
        continue;
      }
      at = Math.min(index + length, span.end);
    }
    return out;
  }

  /**
   * Bytes `from` to `to` of `span` into `out` (which starts at byte `base`), once they have
   * come; false when the span was dropped meanwhile.
   */
  async #copyFrom(span: Span, from: number, to: number, out: Uint8Array, base: number): Promise<boolean> {
    while (span.received < to - span.start && (span.state === "fetching" || span.state === "waiting")) {
      if (span.state === "waiting") {
        // Read before its turn (the reader went ahead of the fetches): fetched now.
        this.#fetch(span);
        continue;
      }
      const waited = new Promise<void>((resolve) => span.waiters.push(resolve));
      // A full window makes room for a waiting reader if it must (see #intoWindow). Waiting for a
      // large span's bytes counts towards the import being network-bound, but not for bytes past its
      // window: that is waiting for another reader to move on (an import reads three entries at once).
      span.room?.();
      if (span.ring) this.#trim(span);
      const past = span.ring !== undefined && to - span.start > span.front + WINDOW;
      const stopped = kindOf(span) === "large" && !past ? this.#fetches.waiting() : undefined;
      await waited;
      stopped?.();
    }
    if (span.state === "failed") throw this.#fatal ?? span.error;
    if (isDropped(span)) return false;
    const into = out.subarray(from - base, to - base);
    if (span.memory) {
      into.set(span.memory.subarray(from - span.start, to - span.start));
      return true;
    }
    if (span.ring) {
      // Bytes the window let go of (read before, out of the plan's order): asked for alone.
      if (from - span.start < span.front) return false;
      fromRing(span.ring, from - span.start, into);
      return true;
    }
    const spool = span.spool!;
    if (from - span.start < spool.base) return false;
    const read = spool.lock.then(async () => {
      spool.read ??= await Deno.open(spool.path, { read: true });
      // Entries are read front to back: mostly no seek is needed.
      const offset = from - span.start - spool.base;
      if (spool.at !== offset) await spool.read.seek(offset, Deno.SeekMode.Start);
      spool.at = undefined;
      for (let filled = 0; filled < into.length;) {
        const count = await spool.read.read(into.subarray(filled));
        if (count === null) throw new ArchiveError("a spooled span ended early");
        filled += count;
      }
      spool.at = to - span.start - spool.base;
    });
    spool.lock = read.catch(() => {});
    await read;
    return true;
  }

  /** Why the directory cannot be read: the store's error as it is, or damage as an {@link ArchiveError}. */
  #directoryError(error: unknown): unknown {
    // zip.js passes on what its reader threw: the store's errors are no damage.
    if (error instanceof PhotosyncError || error instanceof ArchiveError || this.#fatal) return error;
    const message = (error as Error).message;
    if ([ERR_EOCDR_NOT_FOUND, ERR_CENTRAL_DIRECTORY_NOT_FOUND, ERR_BAD_FORMAT].includes(message)) {
      return new ArchiveError(
        `the zip's directory (at its end) is missing or damaged: the file is cut short, or not a zip; ${REPLACE_PART} (${message})`,
        { cause: error },
      );
    }
    // Not damage as far as zip.js can tell (a feature it does not read, a fault of ours): no copy to replace.
    return new ArchiveError(`cannot read the zip directory (${message})`, { cause: error });
  }
}

function newSpan(start: number): Span {
  return {
    start,
    end: start,
    entries: new Set(),
    state: "waiting",
    received: 0,
    front: 0,
    stop: new AbortController(),
    waiters: [],
  };
}

/** Bytes of `span`. */
function spanSize(span: Span): number {
  return span.end - span.start;
}

function kindOf(span: Span): SpanKind {
  return spanSize(span) > IN_MEMORY ? "large" : "small";
}

/** Fill `into` with a window's bytes from `at` (a byte of its span, held at `at` modulo its size) on. */
function fromRing(ring: Uint8Array, at: number, into: Uint8Array): void {
  for (let filled = 0; filled < into.length;) {
    const offset = (at + filled) % ring.length;
    const count = Math.min(into.length - filled, ring.length - offset);
    into.set(ring.subarray(offset, offset + count), filled);
    filled += count;
  }
}

function isDropped(span: Span): boolean {
  return span.state === "dropped";
}

/** The first position in ascending `sorted` holding a value greater than `value`. */
function upperBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
