/**
 * JSON as Google writes it in an export: its text form (indent, `[{`, floats with a fraction), the localised
 * `{timestamp, formatted}` times, and a media item's sidecar.
 *
 * @module
 */

import { hash } from "../library_fixture.ts";
import type { Draft } from "./draft.ts";
import type { TakeoutGeo, TakeoutLanguage } from "./model.ts";

/** The locale whose `formatted` times a language's export holds. */
const LOCALES: Record<TakeoutLanguage, string> = {
  en: "en-US",
  de: "de-DE",
  fr: "fr-FR",
  es: "es-ES",
  it: "it-IT",
  nl: "nl-NL",
  ko: "ko-KR",
  ru: "ru-RU",
};

const formatters = new Map<TakeoutLanguage, Intl.DateTimeFormat>();

/** The sidecar's `{timestamp, formatted}` for an epoch-ms time: seconds as a string, and a localised text. */
export function stamp(ms: number, language: TakeoutLanguage): { timestamp: string; formatted: string } {
  let format = formatters.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], {
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      second: "2-digit",
      timeZone: "UTC",
      timeZoneName: "short",
    });
    formatters.set(language, format);
  }
  return { timestamp: String(Math.floor(ms / 1000)), formatted: format.format(ms) };
}

/**
 * JSON as Google writes sidecars: two-space indent, objects in arrays opened on the array's line
 * (`[{` … `}, {` … `}]`), and floats always with a fraction (`0.0`).
 */
export function googleJson(value: unknown, indent = ""): string {
  if (typeof value === "number") return Number.isInteger(value) ? `${value}.0` : String(value);
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => googleJson(v, indent)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  const inner = indent + "  ";
  return `{\n${
    entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${googleJson(v, inner)}`).join(",\n")
  }\n${indent}}`;
}

const ZERO_GEO = { latitude: 0, longitude: 0, altitude: 0, latitudeSpan: 0, longitudeSpan: 0 };

/** The sidecar of the media item `d` with identity `id`. */
export function sidecarJson(d: Draft, id: string, language: TakeoutLanguage): Record<string, unknown> {
  const views = hash(id) % 140;
  const geo = (g: TakeoutGeo | undefined) => g ? { ...g, latitudeSpan: 0, longitudeSpan: 0 } : ZERO_GEO;
  return {
    title: d.title,
    description: d.description ?? "",
    imageViews: String(views),
    creationTime: stamp(d.uploadMs!, language),
    photoTakenTime: d.sidecar === "zero" ? stamp(0, language) : stamp(d.takenMs, language),
    geoData: geo(d.geo?.data),
    geoDataExif: geo(d.geo?.exif),
    people: d.people?.map((name) => ({ name })),
    url: `https://photos.google.com/photo/${id}`,
    googlePhotosOrigin: d.origin,
    favorited: d.favorited || undefined,
    archived: d.archived || undefined,
    trashed: d.trashed || undefined,
  };
}
