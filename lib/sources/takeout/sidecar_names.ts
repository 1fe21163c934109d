/**
 * Which JSON sidecar in a Takeout folder belongs to which media file.
 *
 * Google derives a sidecar's name from the media file's name by one rule that reproduces
 * every real name seen in users' reports: take `NAME.supplemental-metadata` (exports since
 * late 2024) or `NAME` (older exports; one export can mix both), keep its first 46 UTF-16
 * code units, append the media name's duplicate counter `(n)` if it has one, then `.json`.
 * `NAME` is the media name without that counter. So `IMG_3479(1).JPG` ↔
 * `IMG_3479.JPG(1).json` and `Screenshot_20231027_123303_Facebook.jpg` ↔
 * `Screenshot_20231027_123303_Facebook.jpg.supple.json`.
 *
 * A file uploaded without an extension (`20030616`) gets one in the export (`20030616.jpg`)
 * but its sidecar and `title` do not: `20030616.json`, and `2013-12-23.supplemental-metadata(1).json`
 * for `2013-12-23(1).jpg`. Those names come after the others.
 *
 * A name alone cannot say whether a trailing `(n)` is Google's counter or part of the
 * original name, nor which export style applies, so {@link sidecarCandidates} lists every
 * reading and {@link matchSidecars} settles them with the sidecar's `title` (the original
 * file name). Edited copies and motion-photo video parts share the original's sidecar; the
 * caller handles them (see `edited.ts` and `motion.ts`).
 * @module
 */
import nonSidecarNames from "./non_sidecar_names.json" with { type: "json" };
import { type CounterParts, splitCounter, splitExtension } from "./name_parts.ts";

export { splitCounter } from "./name_parts.ts";

/** How many UTF-16 code units of `NAME.supplemental-metadata` (or `NAME`) a sidecar name keeps. */
export const SIDECAR_STEM_UNITS = 46;

/** How many UTF-16 code units of a media file's stem (its name before the extension) older exports kept. */
export const MEDIA_NAME_UNITS = 47;

/** A JSON file in the folder, with the `title` from its content when it has been read. */
export interface SidecarFile {
  name: string;
  /** The sidecar's `title`: the media file's original, full name. */
  title?: string;
}

/** The sidecar a media file takes, and how it was found. */
export interface SidecarMatch {
  /** The sidecar's name as given. */
  sidecar: string;
  /** How it was found, e.g. "supplemental-metadata, truncated to 46, counter" or "title". */
  rule: string;
  /** Other sidecars that fit this media file as well, and that no other file took. */
  ambiguous?: string[];
}

/** One sidecar name Google may have written, and the title it should then hold. */
interface Candidate {
  name: string;
  rule: string;
  /** The original file name this reading assumes: the media name, or it without the counter. */
  original: string;
}

/** The two export styles, newer first: most archives made today use it. */
const STYLES = [
  { suffix: ".supplemental-metadata", rule: "supplemental-metadata" },
  { suffix: "", rule: "old .json" },
];

const NOT_SIDECARS = new Set(
  [...nonSidecarNames.albumMetadata, ...nonSidecarNames.accountFiles].map(comparable),
);

/**
 * Whether a file in a Takeout folder may be a media file's sidecar: a `.json` that is not
 * an album's `metadata.json` (whose name is localised: `Metadaten.json`,
 * `métadonnées.json`, …) nor one of the account-wide files. A name is only a first filter;
 * a sidecar's content (`photoTakenTime`, `title`) confirms it.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.strictEqual(isSidecarName("IMG_1234.jpg.supplemental-metadata.json"), true);
 * assert.strictEqual(isSidecarName("Metadaten.json"), false);
 * assert.strictEqual(isSidecarName("IMG_1234.jpg"), false);
 * ```
 */
export function isSidecarName(name: string): boolean {
  const key = comparable(name);
  return key.length > ".json".length && key.endsWith(".json") && !NOT_SIDECARS.has(key);
}

/**
 * Every sidecar name Google may have written for a media file, most likely first, without
 * duplicates: for each reading of a trailing `(n)` (as Google's counter, and as part of the
 * name; the counter first unless a space precedes it, as Google adds none), the newer
 * `.supplemental-metadata` style, then the older one; then the same for the name without its
 * extension (an original uploaded without one).
 *
 * Where the 46-unit cut would split a surrogate pair (an emoji), the name cut before the
 * pair comes first and the name keeping the whole pair (47 units) next: a lone surrogate
 * cannot be stored in a UTF-8 file name, and which repair Google applies has not been seen.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.deepStrictEqual(sidecarCandidates("IMG_1234.jpg"), [
 *   "IMG_1234.jpg.supplemental-metadata.json",
 *   "IMG_1234.jpg.json",
 *   "IMG_1234.supplemental-metadata.json",
 *   "IMG_1234.json",
 * ]);
 * assert.deepStrictEqual(sidecarCandidates("Scan35(1).jpg").slice(0, 2), [
 *   "Scan35.jpg.supplemental-metadata(1).json",
 *   "Scan35.jpg(1).json",
 * ]);
 * ```
 */
export function sidecarCandidates(mediaName: string): string[] {
  return candidates(mediaName).map((candidate) => candidate.name);
}

/**
 * Match the media files of ONE folder to its sidecars. Each media file takes the first of
 * its {@link sidecarCandidates} that exists and whose `title` fits (equals the original name
 * the candidate assumes, or is that name before a media name's cut to 47 units);
 * candidates whose title differs come last, as names can be sanitised. A sidecar goes to
 * one media file only: when several want it, the one whose title fits, then the one for
 * which it is the likelier candidate, then the one listed first. A media file with no
 * candidate left takes an unused sidecar whose title names it (rule "title") and whose
 * counter `(n)` before `.json` is the file's own: `DSC_0103.JPG(1).json` belongs to
 * `DSC_0103(1).JPG`, never to `DSC_0103.JPG`, though its title names both. Files
 * without a match are absent from the result.
 *
 * Names that are not {@link isSidecarName} are ignored. Sidecars without a `title` are
 * matched by name alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * const matches = matchSidecars(["IMG_3479.JPG", "IMG_3479(1).JPG"], [
 *   { name: "IMG_3479.JPG.json", title: "IMG_3479.JPG" },
 *   { name: "IMG_3479.JPG(1).json", title: "IMG_3479.JPG" },
 * ]);
 * assert.deepStrictEqual(matches.get("IMG_3479(1).JPG"), {
 *   sidecar: "IMG_3479.JPG(1).json",
 *   rule: "old .json, counter",
 * });
 * ```
 */
export function matchSidecars(mediaNames: string[], sidecars: SidecarFile[]): Map<string, SidecarMatch> {
  const byName = new Map<string, SidecarFile>();
  for (const sidecar of sidecars) {
    const key = sidecar.name.normalize("NFC");
    if (isSidecarName(sidecar.name) && !byName.has(key)) byName.set(key, sidecar);
  }
  const media = [...new Set(mediaNames)];
  const offers = new Map(media.map((name, order) => [name, offersFor(name, order, byName)]));
  const held = assign(media, offers);

  const taken = new Set([...held.values()].map((offer) => offer.sidecar));
  const byTitle = titleIndex([...byName.values()].filter((sidecar) => !taken.has(sidecar)));
  const named = new Map<string, SidecarFile[]>();
  for (const name of media.filter((name) => !held.has(name))) {
    const found = titleReadings(name).flatMap((reading) =>
      (byTitle.get(reading.base.normalize("NFC")) ?? []).filter((sidecar) =>
        !taken.has(sidecar) && sidecarCounter(sidecar) === reading.counter
      )
    );
    if (found.length === 0) continue;
    named.set(name, [...new Set(found)]);
    taken.add(found[0]);
  }

  const result = new Map<string, SidecarMatch>();
  for (const name of media) {
    const offer = held.get(name);
    const found = named.get(name);
    if (offer) {
      const others = offers.get(name)!.filter((other) =>
        other !== offer && other.fit <= Math.max(offer.fit, Fit.unknown) && !taken.has(other.sidecar)
      );
      result.set(name, match(offer.sidecar, offer.rule, others.map((other) => other.sidecar)));
    } else if (found) {
      result.set(name, match(found[0], "title", found.slice(1).filter((sidecar) => !taken.has(sidecar))));
    }
  }
  return result;
}

/** How well a sidecar's title agrees with a candidate; lower is better. */
const Fit = {
  /** The title is the original name the candidate assumes. */
  fits: 0,
  /** The sidecar's title was not given. */
  unknown: 1,
  /** The title names another file: a weak match, kept as names can be sanitised. */
  differs: 2,
} as const;
type Fit = typeof Fit[keyof typeof Fit];

/** A sidecar that exists among a media file's candidates. */
interface Offer {
  sidecar: SidecarFile;
  rule: string;
  fit: Fit;
  /** Position in the media file's candidate list. */
  index: number;
  /** Position of the media file in the input, the last tie-breaker. */
  order: number;
}

/** The existing candidates of a media file, best first. */
function offersFor(mediaName: string, order: number, byName: Map<string, SidecarFile>): Offer[] {
  const offers: Offer[] = [];
  for (const [index, candidate] of candidates(mediaName).entries()) {
    const sidecar = byName.get(candidate.name.normalize("NFC"));
    if (!sidecar) continue;
    const fit = !sidecar.title
      ? Fit.unknown
      : titleFits(sidecar.title, candidate.original)
      ? Fit.fits
      : Fit.differs;
    const rule = fit === Fit.differs ? `${candidate.rule}, title differs` : candidate.rule;
    offers.push({ sidecar, rule, fit, index, order });
  }
  return offers.sort(compareOffers);
}

function compareOffers(a: Offer, b: Offer): number {
  return a.fit - b.fit || a.index - b.index || a.order - b.order;
}

/**
 * Give each sidecar to one media file (deferred acceptance): media files propose to their
 * offers in order; a sidecar keeps the better proposal and sends the other on to its next.
 */
function assign(media: string[], offers: Map<string, Offer[]>): Map<string, Offer> {
  const holder = new Map<SidecarFile, { name: string; offer: Offer }>();
  const next = new Map(media.map((name) => [name, 0]));
  const queue = [...media];
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head];
    const list = offers.get(name)!;
    for (let index = next.get(name)!; index < list.length; index++) {
      const offer = list[index];
      const current = holder.get(offer.sidecar);
      if (current && compareOffers(current.offer, offer) <= 0) continue;
      holder.set(offer.sidecar, { name, offer });
      if (current) queue.push(current.name);
      next.set(name, index + 1);
      break;
    }
  }
  return new Map([...holder.values()].map(({ name, offer }) => [name, offer]));
}

function match(sidecar: SidecarFile, rule: string, others: SidecarFile[]): SidecarMatch {
  return others.length > 0
    ? { sidecar: sidecar.name, rule, ambiguous: others.map((other) => other.name) }
    : { sidecar: sidecar.name, rule };
}

/**
 * All candidates of a media name with their rules, most likely first, unique by name: those
 * of the name as it is, then those of the name without its extension.
 */
function candidates(mediaName: string): Candidate[] {
  const seen = new Map<string, Candidate>();
  const add = ({ base, counter }: CounterParts, extra?: string) => {
    for (const style of STYLES) {
      for (const cut of cuts(base + style.suffix, SIDECAR_STEM_UNITS)) {
        const rule = [
          cut.rule === undefined || cut.stem.length > base.length ? style.rule : undefined,
          cut.rule,
          extra,
          counter ? "counter" : undefined,
        ].filter(Boolean).join(", ");
        const name = `${cut.stem}${counter}.json`;
        if (!seen.has(name)) seen.set(name, { name, rule, original: base });
      }
    }
  };
  for (const reading of readings(mediaName)) add(reading);
  for (const reading of extensionlessReadings(mediaName)) add(reading, "without extension");
  return [...seen.values()];
}

/** The readings of a name's counter with the extension taken off, as Google added it to an extensionless original. */
function extensionlessReadings(mediaName: string): CounterParts[] {
  return readings(mediaName).flatMap((reading) => {
    const { stem, ext } = splitExtension(reading.base);
    return ext ? [{ base: stem, counter: reading.counter }] : [];
  });
}

/** The readings whose base a sidecar's title may be: with the extension, then without. */
function titleReadings(mediaName: string): CounterParts[] {
  return [...readings(mediaName), ...extensionlessReadings(mediaName)];
}

/** A sidecar name's `(n)` right before `.json`. */
const SIDECAR_COUNTER = /(\(\d+\))\.json$/i;

/** The counter `(n)` Google put before a sidecar's `.json`, or "" when there is none. */
function sidecarCounter(sidecar: SidecarFile): string {
  return SIDECAR_COUNTER.exec(sidecar.name)?.[1] ?? "";
}

/**
 * The readings of a name's trailing `(n)`: Google's counter, or part of the name. Google
 * appends its counter straight after the stem, so a space before `(n)` makes the second
 * reading likelier; both are kept for the title to decide.
 */
function readings(mediaName: string): CounterParts[] {
  const split = splitCounter(mediaName);
  if (!split.counter) return [split];
  const literal = { base: mediaName, counter: "" };
  return /\s$/.test(splitExtension(split.base).stem) ? [literal, split] : [split, literal];
}

/**
 * `text` cut to `units` UTF-16 code units; `rule` is undefined when it was short enough.
 * A cut inside a surrogate pair gives two names: without the pair, then with all of it.
 */
function cuts(text: string, units: number): { stem: string; rule?: string }[] {
  if (text.length <= units) return [{ stem: text }];
  if (isHighSurrogate(text.charCodeAt(units - 1)) && isLowSurrogate(text.charCodeAt(units))) {
    return [
      { stem: text.slice(0, units - 1), rule: `truncated to ${units}` },
      { stem: text.slice(0, units + 1), rule: `truncated to ${units + 1}, whole surrogate pair` },
    ];
  }
  return [{ stem: text.slice(0, units), rule: `truncated to ${units}` }];
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * The names a media file whose original name is `title` may carry: the title itself, and,
 * as older exports did, the title's stem cut to 47 units with its extension put back
 * (`PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg` →
 * `PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg`).
 */
function titleNames(title: string): string[] {
  const full = title.normalize("NFC");
  const { stem, ext } = splitExtension(full);
  return [full, ...cuts(stem, MEDIA_NAME_UNITS).filter((cut) => cut.rule).map((cut) => cut.stem + ext)];
}

/** Whether a sidecar's title is, or was cut to, the original name a candidate assumes. */
function titleFits(title: string, original: string): boolean {
  return titleNames(title).includes(original.normalize("NFC"));
}

/** Sidecars by every name their title allows a media file to carry, in the given order. */
function titleIndex(sidecars: SidecarFile[]): Map<string, SidecarFile[]> {
  const index = new Map<string, SidecarFile[]>();
  for (const sidecar of sidecars) {
    for (const name of sidecar.title ? titleNames(sidecar.title) : []) {
      const list = index.get(name);
      if (list) list.push(sidecar);
      else index.set(name, [sidecar]);
    }
  }
  return index;
}

/** File names compare in NFC (macOS writes NFD) and, for the fixed names, without case. */
function comparable(name: string): string {
  return name.normalize("NFC").toLowerCase();
}
