/**
 * Drafts: the media items an export is made of, before they are named and placed in folders; and the pools drafts
 * are drawn from (upload origins, time zones, places, descriptions, people).
 *
 * @module
 */

import type { ContentKind } from "./content.ts";
import { utc } from "./dates.ts";
import type { SidecarStyle, TakeoutGeo, TakeoutQuirk } from "./model.ts";

/** The sidecar's `googlePhotosOrigin`: uploaded from a phone (maybe from a folder of it) or a computer. */
export type Origin =
  | { mobileUpload: { deviceFolder?: { localFolderName: string }; deviceType: string } }
  | { webUpload: { computerUpload: Record<string, never> } };

export const ANDROID: Origin = {
  mobileUpload: { deviceFolder: { localFolderName: "" }, deviceType: "ANDROID_PHONE" },
};
export const IOS: Origin = { mobileUpload: { deviceType: "IOS_PHONE" } };
export const WHATSAPP: Origin = {
  mobileUpload: { deviceFolder: { localFolderName: "WhatsApp Images" }, deviceType: "ANDROID_PHONE" },
};
export const COMPUTER: Origin = { webUpload: { computerUpload: {} } };

/** One media item to place, with its motion video and edited copy. */
export interface Draft {
  title: string;
  kind: ContentKind;
  /** True capture instant, whole seconds. */
  takenMs: number;
  /** Minutes east of UTC where it was taken. */
  tz: number;
  sidecar: "yes" | "zero" | "none";
  /** EXIF: wall clock (read as UTC) and whether OffsetTimeOriginal is written. */
  exif?: { wallMs: number; offset: boolean; make: string; model: string };
  nameMs?: number;
  /** Style when the export is "mixed". */
  prefer?: SidecarStyle;
  /** Hand-written name and sidecar name per style. */
  literal?: Partial<Record<SidecarStyle, { name: string; sidecar: string; counter?: number }>>;
  trashed?: boolean;
  archived?: boolean;
  favorited?: boolean;
  description?: string;
  people?: string[];
  geo?: { data: TakeoutGeo; exif: TakeoutGeo };
  origin: Origin;
  uploadMs?: number;
  /** Year folder to use instead of the year of `takenMs`. */
  folderYear?: number;
  edited?: boolean;
  motion?: { title: string; kind: ContentKind };
  quirks: TakeoutQuirk[];
  /** Indexes into the album list. */
  albums: number[];
}

/** A draft taken at local wall-clock time `wall` (`YYYY-MM-DD HH:MM:SS`) in a zone `tz` minutes east of UTC. */
export function at(wall: string, tz: number, rest: Partial<Draft> & { title: string }): Draft {
  const wallMs = utc(wall);
  return {
    kind: "jpeg",
    takenMs: wallMs - tz * 60_000,
    tz,
    sidecar: "yes",
    origin: ANDROID,
    albums: [],
    ...rest,
    quirks: rest.quirks ?? [],
  };
}

/** A draft's EXIF: taken at wall-clock time `wall`, with or without OffsetTimeOriginal. */
export function exifAt(wall: string, offset: boolean, make = "samsung", model = "SM-G960F"): Draft["exif"] {
  return { wallMs: utc(wall), offset, make, model };
}

export const TIMEZONES = [60, 120, 0, -300, -240, -420, 330, 540, 600, 120, 60, 60];
export const CITIES: TakeoutGeo[] = [
  { latitude: 52.520008, longitude: 13.404954, altitude: 34 },
  { latitude: 48.8566, longitude: 2.3522, altitude: 35.2 },
  { latitude: 35.6762, longitude: 139.6503, altitude: 40 },
  { latitude: -33.8688, longitude: 151.2093, altitude: 58.1 },
  { latitude: 40.7128, longitude: -74.006, altitude: 10 },
  { latitude: 50.2833, longitude: 6.4333, altitude: 512 },
  { latitude: 43.7696, longitude: 11.2558, altitude: 50 },
  { latitude: 55.755826, longitude: 37.6173, altitude: 144 },
];
export const DESCRIPTIONS = [
  "Sonnenuntergang am Meer",
  "Семейный ужин у бабушки",
  "家族で花見",
  "عيد ميلاد سعيد",
  "Tour Eiffel ✨ avec toute la famille",
  'Line 1\nLine 2, with "quotes" and a tab\t.',
];
export const PEOPLE = ["Anna", "Bernd", "Дочь", "田中さん", "José", "Zoë"];
