/**
 * Deterministic fake Google Photos libraries and the bytes of their media, for tests, benchmarks and the demo.
 *
 * @module
 */
import { exifSegment } from "./takeout/exif.ts";

/** One media item of a fake library. */
export interface FixtureItem {
  /** Opaque id such as `AF1Qip` followed by 20 base64url characters. */
  id: string;
  /** Name as uploaded, e.g. `IMG_20190304_101112.jpg`. */
  filename: string;
  /** E.g. `image/jpeg` or `video/mp4`. */
  mimeType: string;
  /** RFC 3339 UTC time, e.g. `2019-03-04T10:11:12Z`. */
  creationTime: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Present for videos. */
  video?: { status: "UNSPECIFIED" | "PROCESSING" | "READY" | "FAILED"; fps?: number };
  /** Byte length of the media served for `=d` (photo) or `=dv` (video). */
  size: number;
  /** Caption. */
  description?: string;
  /** Whether the user archived the item. */
  archived?: boolean;
  /**
   * The EXIF a photo's bytes carry (an APP1 segment after the JFIF header): its wall clock
   * `YYYY:MM:DD HH:MM:SS`, its offset `±HH:MM`, its GPS position. Without it, none.
   */
  exif?: {
    dateTimeOriginal: string;
    offsetTimeOriginal?: string;
    gps?: { latitude: number; longitude: number };
  };
}

/** A 4032×3024 JPEG photo of 5,000 bytes created at `creationTime` (UTC); `extra` overrides any field. */
export function fixtureItem(
  id: string,
  filename: string,
  creationTime: string,
  extra: Partial<FixtureItem> = {},
): FixtureItem {
  return {
    id,
    filename,
    mimeType: "image/jpeg",
    creationTime,
    width: 4032,
    height: 3024,
    size: 5000,
    ...extra,
  };
}

/** Options of {@linkcode generateLibrary}. */
export interface LibraryOptions {
  /** Number of items. */
  count: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** First day (UTC) of the creation times, `YYYY-MM-DD`; default `2015-01-01`. */
  from?: string;
  /** Last day (UTC) of the creation times, `YYYY-MM-DD`; default `2024-12-31`. */
  to?: string;
  /** Share of videos, 0..1; default 0.15. */
  videoRatio?: number;
  /** Smallest media size in bytes; default 20,000. */
  minSize?: number;
  /** Largest media size in bytes; default 120,000. */
  maxSize?: number;
  /**
   * How the creation times are spread: `even` (default) over the whole range; `skewed` as a real
   * library grows: each year holds a fifth more than the one before, and a fifth of all items fall on
   * about 25 burst days (trips, weddings) of several hundred items each.
   */
  spread?: "even" | "skewed";
}

const DAY_MS = 86_400_000;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Size of the chunks of {@linkcode mediaStream}; a multiple of 4 so the filler words line up. */
const CHUNK_SIZE = 256 * 1024;

const JPEG_HEADER = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...ascii("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
const JPEG_TRAILER = [0xff, 0xd9];
/** An `ftyp` box (brand isom) followed by the header of an `mdat` box running to the end of the file. */
const MP4_HEADER = [
  ...[0, 0, 0, 32],
  ...ascii("ftypisom"),
  ...[0, 0, 2, 0],
  ...ascii("isomiso2avc1mp41"),
  ...[0, 0, 0, 0],
  ...ascii("mdat"),
];

/**
 * Generates a fake library: deterministic for given options, spread over the date range and sorted by
 * `creationTime` ascending. Every video is `READY`; no item is archived or has a description.
 */
export function generateLibrary(opts: LibraryOptions): FixtureItem[] {
  const {
    count,
    seed = 1,
    from = "2015-01-01",
    to = "2024-12-31",
    videoRatio = 0.15,
    minSize = 20_000,
    maxSize = 120_000,
  } = opts;
  const start = parseDay(from, "from");
  const end = parseDay(to, "to") + DAY_MS;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be >= 0, got ${count}`);
  if (end <= start) throw new RangeError(`"from" (${from}) must not be after "to" (${to})`);
  if (!Number.isSafeInteger(minSize) || minSize < 0 || !Number.isSafeInteger(maxSize) || maxSize < minSize) {
    throw new RangeError(`Sizes must satisfy 0 <= minSize <= maxSize, got ${minSize}..${maxSize}`);
  }
  const random = mulberry32(seed);
  const slot = (end - start) / count;
  const skewed = opts.spread === "skewed" ? skewedTimes(count, start, end, seed) : undefined;
  const ids = new Set<string>();
  const items: FixtureItem[] = [];
  for (let i = 0; i < count; i++) {
    // One creation time per slot keeps the items sorted and spread evenly over the range.
    const ms = skewed ? skewed[i] : Math.floor((start + (i + random()) * slot) / 1000) * 1000;
    const time = new Date(ms).toISOString();
    const creationTime = time.slice(0, 19) + "Z";
    const stamp = `${time.slice(0, 10).replaceAll("-", "")}_${time.slice(11, 19).replaceAll(":", "")}`;
    let id: string;
    do {
      id = "AF1Qip";
      for (let c = 0; c < 20; c++) id += BASE64URL[Math.floor(random() * 64)];
    } while (ids.has(id));
    ids.add(id);
    const isVideo = random() < videoRatio;
    const portrait = random() < 0.3;
    const [long, short] = isVideo ? [1920, 1080] : [4032, 3024];
    const size = minSize + Math.floor(random() * (maxSize - minSize + 1));
    items.push({
      id,
      filename: isVideo ? `VID_${stamp}.mp4` : `IMG_${stamp}.jpg`,
      mimeType: isVideo ? "video/mp4" : "image/jpeg",
      creationTime,
      width: portrait ? short : long,
      height: portrait ? long : short,
      ...(isVideo ? { video: { status: "READY", fps: random() < 0.2 ? 60 : 30 } } : {}),
      size,
    });
  }
  return items;
}

/** Share of a skewed library's items on burst days. */
const BURST_SHARE = 0.2;
/** Items on one burst day, about; at most {@linkcode MAX_BURST_DAYS} such days. */
const BURST_SIZE = 400;
const MAX_BURST_DAYS = 25;
/** How much bigger each year of a skewed library is than the one before. */
const YEARLY_GROWTH = 1.2;

/**
 * `count` creation times (whole seconds, ascending) in [start, end) for a skewed library: the items off
 * burst days spread evenly within each year, each year {@linkcode YEARLY_GROWTH} times the one before;
 * the rest on burst days, each over a few hours of one day.
 */
function skewedTimes(count: number, start: number, end: number, seed: number): number[] {
  const random = mulberry32(seed ^ 0x5eed);
  const bursts = Math.min(MAX_BURST_DAYS, Math.round((count * BURST_SHARE) / BURST_SIZE));
  const inBursts = bursts > 0 ? Math.round(count * BURST_SHARE) : 0;
  // Years (or the parts of the range in each), weighted by growth and by how much of the year is in range.
  const spans: [number, number, number][] = [];
  for (let from = start, k = 0; from < end; k++) {
    const next = Math.min(end, Date.UTC(new Date(from).getUTCFullYear() + 1, 0, 1));
    spans.push([from, next, YEARLY_GROWTH ** k * ((next - from) / (365.25 * DAY_MS))]);
    from = next;
  }
  const weight = spans.reduce((sum, [, , w]) => sum + w, 0);
  const times: number[] = [];
  let placed = 0;
  let share = 0;
  for (const [from, to, w] of spans) {
    share += w / weight;
    const n = Math.round(share * (count - inBursts)) - placed;
    for (let i = 0; i < n; i++) times.push(from + (i + random()) * ((to - from) / n));
    placed += n;
  }
  const days = Math.floor((end - start) / DAY_MS);
  const burstDays = new Set<number>();
  while (burstDays.size < Math.min(bursts, days)) burstDays.add(Math.floor(random() * days));
  [...burstDays].forEach((day, b) => {
    const n = Math.round(((b + 1) * inBursts) / burstDays.size) - Math.round((b * inBursts) / burstDays.size);
    // Within one UTC day: starting between 06:00 and 12:00, over up to ten hours.
    const first = start + day * DAY_MS + (6 + random() * 6) * 3_600_000;
    for (let i = 0; i < n; i++) times.push(first + random() * 10 * 3_600_000);
  });
  return times.map((ms) => Math.floor(ms / 1000) * 1000).sort((a, b) => a - b);
}

/**
 * The media bytes of an item: JPEG-looking for `image/*`, MP4-looking (an `ftypisom` box first) for `video/*`,
 * filled with pseudo-random bytes seeded by the id; exactly `item.size` bytes.
 */
export function mediaBytes(item: FixtureItem): Uint8Array<ArrayBuffer> {
  return render(mediaContent(item));
}

/** The bytes of {@linkcode mediaBytes}, generated chunk by chunk as they are read, so any size fits in memory. */
export function mediaStream(item: FixtureItem): ReadableStream<Uint8Array<ArrayBuffer>> {
  return contentStream(mediaContent(item));
}

/** The bytes of `content`, generated chunk by chunk as they are read. */
export function contentStream(content: Content): ReadableStream<Uint8Array<ArrayBuffer>> {
  let offset = 0;
  let state = content.seed;
  return new ReadableStream({
    pull(controller) {
      if (offset === content.size) return controller.close();
      const chunk = new Uint8Array(Math.min(CHUNK_SIZE, content.size - offset));
      state = fill(chunk, state);
      overlay(chunk, offset, content);
      offset += chunk.length;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

/** A small JPEG-looking still frame of a video (what `=d` serves for videos); differs from its media bytes. */
export function stillFrameBytes(item: FixtureItem): Uint8Array<ArrayBuffer> {
  const seed = hash(`${item.id}#still`);
  return render({ seed, size: 1_500 + seed % 2_500, header: JPEG_HEADER, trailer: JPEG_TRAILER });
}

/** Bytes made of xorshift32 filler words (little endian) from `seed`, with a header and a trailer over them. */
export interface Content {
  seed: number;
  size: number;
  header: ArrayLike<number>;
  trailer: ArrayLike<number>;
}

function mediaContent(item: FixtureItem): Content {
  const seed = hash(item.id);
  const { size } = item;
  if (item.mimeType.startsWith("image/")) {
    const header = item.exif ? [...JPEG_HEADER, ...exifSegment(item.exif)] : JPEG_HEADER;
    return { seed, size, header, trailer: JPEG_TRAILER };
  }
  if (item.mimeType.startsWith("video/")) return { seed, size, header: MP4_HEADER, trailer: [] };
  return { seed, size, header: [], trailer: [] };
}

function render(content: Content): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(content.size);
  fill(bytes, content.seed);
  overlay(bytes, 0, content);
  return bytes;
}

/**
 * Fills `out` with the xorshift32 words following `state` and returns the new state. `out` must start on a
 * 4-byte boundary of its buffer, and its length be a multiple of 4 unless it is the last piece of the content.
 */
export function fill(out: Uint8Array, state: number): number {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2);
  let x = state;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  if (out.length % 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    for (let i = words.length * 4, shift = 0; i < out.length; i++, shift += 8) out[i] = x >>> shift;
  }
  return x;
}

/** Writes the parts of the header and trailer that fall into `out`, which holds the bytes from `offset` on. */
export function overlay(out: Uint8Array, offset: number, { size, header, trailer }: Content): void {
  const put = (bytes: ArrayLike<number>, at: number) => {
    for (let i = Math.max(0, offset - at); i < bytes.length && at + i < offset + out.length; i++) {
      out[at + i - offset] = bytes[i];
    }
  };
  put(header, 0);
  put(trailer, size - trailer.length);
}

/** FNV-1a hash of a string, never 0 (a valid xorshift32 state). */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) || 1;
}

/** mulberry32: a small seeded PRNG of floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parseDay(day: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new RangeError(`"${name}" must be a date YYYY-MM-DD, got "${day}"`);
  }
  return ms;
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}
