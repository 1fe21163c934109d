/**
 * How Google names what it puts in an export: the localised folder names (root, year folders, trash, untitled
 * album) and edited-copy suffix of each language, and the name rules of media files and their sidecars (cut to so
 * many UTF-16 units, duplicate counters).
 *
 * @module
 */

import type { SidecarStyle, TakeoutLanguage } from "./model.ts";

/** The localised names of an export's folders. */
export interface TakeoutNames {
  /** Folder under `Takeout/`. */
  root: string;
  yearFolder(year: number): string;
  trash: string;
  /** Suffix of edited copies, before the extension. */
  edited: string;
  /** Folder of an untitled album (assumed localised like this). */
  untitled: string;
  /** Title of the holiday album the fixture creates. */
  vacation: string;
}

const NAMES: Record<TakeoutLanguage, TakeoutNames> = {
  en: {
    root: "Google Photos",
    yearFolder: (y) => `Photos from ${y}`,
    trash: "Trash",
    edited: "-edited",
    untitled: "Untitled",
    vacation: "Vacation 2019",
  },
  de: {
    root: "Google Fotos",
    yearFolder: (y) => `Fotos von ${y}`,
    trash: "Papierkorb",
    edited: "-bearbeitet",
    untitled: "Ohne Titel",
    vacation: "Urlaub 2019",
  },
  fr: {
    root: "Google Photos",
    yearFolder: (y) => `Photos de ${y}`,
    trash: "Corbeille",
    edited: "-modifié",
    untitled: "Sans titre",
    vacation: "Vacances 2019",
  },
  es: {
    root: "Google Fotos",
    yearFolder: (y) => `Fotos de ${y}`,
    trash: "Papelera",
    edited: "-editado",
    untitled: "Sin título",
    vacation: "Vacaciones 2019",
  },
  it: {
    root: "Google Foto",
    yearFolder: (y) => `Foto dal ${y}`,
    trash: "Cestino",
    edited: "-modificato",
    untitled: "Senza titolo",
    vacation: "Vacanze 2019",
  },
  nl: {
    root: "Google Foto",
    yearFolder: (y) => `Foto's uit ${y}`,
    trash: "Prullenbak",
    edited: "-bewerkt",
    untitled: "Zonder titel",
    vacation: "Vakantie 2019",
  },
  // The edited suffix is in GooglePhotosTakeoutHelper's list; the folder names are assumed.
  ko: {
    root: "Google 포토",
    yearFolder: (y) => `${y}년 사진`,
    trash: "휴지통",
    edited: "-편집됨",
    untitled: "제목 없음",
    vacation: "2019년 휴가",
  },
  // The root and the edited suffix as a user's script for a Russian export has them; the other names are assumed.
  ru: {
    root: "Google Фото",
    yearFolder: (y) => `Фото за ${y} г.`,
    trash: "Корзина",
    edited: "-измененный",
    untitled: "Без названия",
    vacation: "Отпуск 2019",
  },
};

/** The localised folder names of a language. */
export function takeoutNames(language: TakeoutLanguage): TakeoutNames {
  const names = NAMES[language];
  if (!names) throw new RangeError(`Unknown language "${language}"`);
  return names;
}

/**
 * The first `units` UTF-16 code units of `text`; a cut that would split a surrogate pair keeps the whole pair
 * (seen for media names cut to 47 units; assumed for sidecar names, which real exports show cut only between
 * code points).
 */
export function cutUnits(text: string, units: number): string {
  if (text.length <= units) return text;
  const last = text.charCodeAt(units - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? units + 1 : units);
}

/**
 * The name Google gives a media file with original name `title`: `/` becomes `_`; in old-style exports a stem
 * (the part before the last `.`) longer than 47 UTF-16 units is cut to 47, the extension kept; a duplicate
 * counter goes between stem and extension (`IMG_3479(1).JPG`).
 */
export function mediaName(title: string, style: SidecarStyle, counter?: number): string {
  const clean = title.replaceAll("/", "_");
  const dot = clean.lastIndexOf(".");
  let stem = dot > 0 ? clean.slice(0, dot) : clean;
  const ext = dot > 0 ? clean.slice(dot) : "";
  if (style === "old") stem = cutUnits(stem, 47);
  return counter ? `${stem}(${counter})${ext}` : stem + ext;
}

/**
 * The sidecar name of the media file named `name` (without its counter, i.e. `mediaName(title, style)`): take
 * `NAME.supplemental-metadata` (new) or `NAME` (old), keep its first 46 UTF-16 units, append the media name's
 * counter `(n)` if it has one, then `.json`.
 */
export function sidecarName(name: string, style: SidecarStyle, counter?: number): string {
  const full = style === "new" ? `${name}.supplemental-metadata` : name;
  return `${cutUnits(full, 46)}${counter ? `(${counter})` : ""}.json`;
}

/** `name` with a duplicate counter before its extension. */
export function withCounter(name: string, counter: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)}(${counter})${name.slice(dot)}` : `${name}(${counter})`;
}
