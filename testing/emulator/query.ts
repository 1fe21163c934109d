/**
 * Queries of the Library API: validating `mediaItems:search` requests and normalising them into a
 * {@linkcode Query}, selecting the matching items through a time index of the library, and answering them
 * page by page with page tokens ({@linkcode Pager}).
 *
 * @module
 */

import type { FixtureItem } from "../library_fixture.ts";
import { isVideo } from "./media.ts";
import { decode, encode, invalidArgument, type Json, random } from "./server.ts";

/** A normalised listing or search. */
export interface Query {
  /** Keeps the page tokens of listings and searches apart. */
  kind: "list" | "search";
  mediaType: "ALL_MEDIA" | "PHOTO" | "VIDEO";
  /** Whether archived items are included. */
  archived: boolean;
  /** [start, end) in ms. */
  ranges: [number, number][];
  /** [year, month, day], 0 meaning any. */
  dates: number[][];
  ascending: boolean;
}

/** What `mediaItems.list` answers: every item but the archived ones, newest first. */
export const LIST_QUERY: Readonly<Query> = {
  kind: "list",
  mediaType: "ALL_MEDIA",
  archived: false,
  ranges: [],
  dates: [],
  ascending: false,
};

/** The query of a search's `filters` and `orderBy`; else 400. */
export function searchQuery(filtersValue: unknown, orderBy: unknown): Query {
  const filters = fields(filtersValue, "filters", [
    "dateFilter",
    "mediaTypeFilter",
    "includeArchivedMedia",
    "excludeNonAppCreatedData",
  ]);
  const dateFilter = fields(filters.dateFilter, "filters.dateFilter", ["ranges", "dates"]);
  const ranges = list(dateFilter.ranges, "filters.dateFilter.ranges", 5).map((value, i) => {
    const path = `filters.dateFilter.ranges[${i}]`;
    const range = fields(value, path, ["startDate", "endDate"]);
    const [startYear, startMonth, startDay] = date(range.startDate, `${path}.startDate`);
    const [endYear, endMonth, endDay] = date(range.endDate, `${path}.endDate`);
    if (!startYear || !endYear) throw invalidArgument(`${path} needs a year at both ends.`);
    const start = utc(startYear, (startMonth || 1) - 1, startDay || 1);
    const end = endMonth === 0
      ? utc(endYear + 1, 0, 1)
      : endDay === 0
      ? utc(endYear, endMonth, 1)
      : utc(endYear, endMonth - 1, endDay + 1);
    if (start >= end) throw invalidArgument(`${path} ends before it starts.`);
    return [start, end] as [number, number];
  });
  const dates = list(dateFilter.dates, "filters.dateFilter.dates", 5)
    .map((value, i) => date(value, `filters.dateFilter.dates[${i}]`));
  const mediaTypes = list(
    fields(filters.mediaTypeFilter, "filters.mediaTypeFilter", ["mediaTypes"]).mediaTypes,
    "filters.mediaTypeFilter.mediaTypes",
    1,
  );
  const mediaType = mediaTypes[0] ?? "ALL_MEDIA";
  if (mediaType !== "ALL_MEDIA" && mediaType !== "PHOTO" && mediaType !== "VIDEO") {
    throw invalidArgument(
      `Invalid value at 'filters.mediaTypeFilter.mediaTypes[0]': ${JSON.stringify(mediaType)}.`,
    );
  }
  const archived = filters.includeArchivedMedia ?? false;
  if (typeof archived !== "boolean") throw invalidArgument("filters.includeArchivedMedia must be a boolean.");
  if (orderBy !== undefined) {
    if (orderBy !== "MediaMetadata.creation_time" && orderBy !== "MediaMetadata.creation_time desc") {
      throw invalidArgument(`Invalid orderBy: ${JSON.stringify(orderBy)}.`);
    }
    if (!ranges.length && !dates.length) throw invalidArgument("orderBy needs a dateFilter.");
  }
  return {
    kind: "search",
    mediaType,
    archived,
    ranges,
    dates,
    ascending: orderBy === "MediaMetadata.creation_time",
  };
}

/** `value` as an object having only the given fields (`{}` if undefined); else 400. */
export function fields(value: unknown, path: string, names: string[]): Json {
  if (value === undefined) return {};
  const where = path ? ` at '${path}'` : "";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidArgument(`Invalid JSON payload received. Expected an object${where}.`);
  }
  const unknown = Object.keys(value).find((name) => !names.includes(name));
  if (unknown !== undefined) {
    throw invalidArgument(
      `Invalid JSON payload received. Unknown name "${unknown}"${where}: Cannot find field.`,
    );
  }
  return value as Json;
}

/** `value` as an array of at most `max` elements (`[]` if undefined); else 400. */
function list(value: unknown, path: string, max: number): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw invalidArgument(`Invalid JSON payload received. Expected a list at '${path}'.`);
  }
  if (value.length > max) throw invalidArgument(`At most ${max} values are allowed at '${path}'.`);
  return value;
}

/** A Date message as [year, month, day], where 0 means "any"; else 400. */
function date(value: unknown, path: string): number[] {
  const parts = fields(value, path, ["year", "month", "day"]);
  const values = [parts.year, parts.month, parts.day].map((part) => part ?? 0);
  const [year, month, day] = values as number[];
  if (
    !values.every(Number.isInteger) ||
    !(year >= 0 && year <= 9999 && month >= 0 && month <= 12 && day >= 0 && day <= 31) ||
    (month === 0 && day !== 0) || (year === 0 && month === 0)
  ) throw invalidArgument(`Invalid date at '${path}': ${JSON.stringify(value)}.`);
  return [year, month, day];
}

/** Milliseconds of a UTC midnight; unlike `Date.UTC`, right for years below 100 too. */
function utc(year: number, monthIndex: number, day: number): number {
  return new Date(0).setUTCFullYear(year, monthIndex, day);
}

function matchesDay(time: number, query: Query): boolean {
  if (query.ranges.some(([start, end]) => time >= start && time < end)) return true;
  const day = new Date(time);
  const [year, month, date] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
  return query.dates.some(([y, m, d]) => (!y || y === year) && (!m || m === month) && (!d || d === date));
}

/** An item's place in the time index. */
interface TimeRow {
  time: number;
  id: string;
}

function byTimeThenId(a: TimeRow, b: TimeRow): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The first index of `rows` whose time is at least `time`. */
function lowerBound(rows: readonly TimeRow[], time: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rows[middle].time < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A Map that counts its changes, so that an index built from it knows when it is stale. */
export class VersionedMap<K, V> extends Map<K, V> {
  version = 0;

  override set(key: K, value: V): this {
    this.version++;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.version++;
    return super.delete(key);
  }

  override clear(): void {
    this.version++;
    super.clear();
  }
}

/** The ids matching a query, in order, with the query's fingerprint (its {@linkcode Query} as JSON). */
interface Snapshot {
  fingerprint: string;
  ids: string[];
}

/** One page of a query's answer. */
export interface Page {
  /** The page's items, in order; those deleted since the first page are left out. */
  items: FixtureItem[];
  /** The token of the next page, if there is one. */
  nextPageToken?: string;
}

/** Answers queries against the library page by page. */
export class Pager {
  #items: () => Map<string, FixtureItem>;
  #now: () => number;
  /** Ordered ids of the listings and searches that have further pages, by snapshot id. */
  #snapshots = new Map<string, Snapshot>();
  #index?: { items: Map<string, FixtureItem>; version: number; rows: TimeRow[] };

  /** `items` is called at each query: the library may be replaced at any time. */
  constructor(items: () => Map<string, FixtureItem>, now: () => number) {
    this.#items = items;
    this.#now = now;
  }

  /**
   * One page of the items matching `query`; else 400 for a bad `pageSize` or `pageToken`. A first page
   * snapshots the matching ids in their order; its page tokens carry the snapshot's id and an offset, and
   * are good for this query only.
   */
  page(query: Readonly<Query>, pageSize: unknown, pageToken: unknown): Page {
    const size = pageSize === undefined || pageSize === null || pageSize === "" ? 0 : Number(pageSize);
    if (!Number.isInteger(size) || size < 0 || size > 100) {
      throw invalidArgument(`pageSize must be an integer from 0 to 100, got ${JSON.stringify(pageSize)}.`);
    }
    const limit = size || 25;
    const fingerprint = JSON.stringify(query);
    let snapshotId = random(16);
    let offset = 0;
    let snapshot: Snapshot;
    if (pageToken) {
      const [id, at] = decode(pageToken) ?? [];
      const found = this.#snapshots.get(String(id));
      if (found?.fingerprint !== fingerprint || !Number.isSafeInteger(at) || (at as number) < 0) {
        throw invalidArgument("Invalid page token: it does not belong to this query.");
      }
      [snapshotId, offset, snapshot] = [String(id), at as number, found];
    } else {
      snapshot = { fingerprint, ids: this.#select(query) };
    }
    const more = offset + limit < snapshot.ids.length;
    if (more) this.#snapshots.set(snapshotId, snapshot);
    const items = this.#items();
    return {
      items: snapshot.ids.slice(offset, offset + limit).flatMap((id) => items.get(id) ?? []),
      ...(more ? { nextPageToken: encode([snapshotId, offset + limit]) } : {}),
    };
  }

  /** The ids of the items matching `query`, in its order (ties broken by id). */
  #select(query: Readonly<Query>): string[] {
    const dated = query.ranges.length + query.dates.length > 0;
    const now = this.#now();
    const index = this.#timeIndex();
    // Whole-day ranges without `dates` are cut out of the time index by binary search.
    let rows = index;
    if (query.ranges.length > 0 && query.dates.length === 0) {
      const cut = query.ranges.flatMap(([start, end]) =>
        index.slice(lowerBound(index, start), lowerBound(index, end))
      );
      rows = query.ranges.length === 1 ? cut : [...new Set(cut)].sort(byTimeThenId);
    }
    const items = this.#items();
    const ids: string[] = [];
    for (const row of rows) {
      const item = items.get(row.id)!;
      if (
        (item.archived && !query.archived) ||
        (query.mediaType !== "ALL_MEDIA" && (query.mediaType === "VIDEO") !== isVideo(item)) ||
        (dated && (row.time > now || !matchesDay(row.time, query)))
      ) continue;
      ids.push(item.id);
    }
    if (!query.ascending) ids.reverse();
    return ids;
  }

  /** Every item by creation time (then id), rebuilt when the library changed or was replaced. */
  #timeIndex(): TimeRow[] {
    const items = this.#items();
    const version = items instanceof VersionedMap ? items.version : Number.NaN;
    if (this.#index?.items !== items || this.#index.version !== version) {
      const rows = [...items.values()].map((item) => ({
        time: Date.parse(item.creationTime),
        id: item.id,
      }));
      this.#index = { items, version, rows: rows.sort(byTimeThenId) };
    }
    return this.#index.rows;
  }
}
