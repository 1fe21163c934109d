/**
 * The ordinary items of an export: shots spread over the years (more in recent ones, some burst days), named as
 * the phone or camera that took them names its files.
 *
 * @module
 */

import { DAY_MS, parts, utc } from "./dates.ts";
import { ANDROID, COMPUTER, type Draft, IOS, TIMEZONES, WHATSAPP } from "./draft.ts";

/** The ordinary items: camera-like names, more in recent years, some burst days. */
export function ordinaryDrafts(
  count: number,
  fromYear: number,
  exportedMs: number,
  random: () => number,
): Draft[] {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const exportYear = new Date(exportedMs).getUTCFullYear();
  const years: number[] = [];
  const weights: number[] = [];
  for (let y = fromYear; y <= exportYear; y++) (years.push(y), weights.push(1.3 ** (y - fromYear)));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const counters = { iphone: int(1000, 8000), camera: int(100, 9000), whatsapp: 0 };
  // Shots first, then names in time order, so that camera counters rise with time.
  const shots: { wall: number; takenMs: number; tz: number; device: Device; burst: boolean }[] = [];
  while (shots.length < count) {
    let r = random() * totalWeight;
    let year = years[years.length - 1];
    for (const [i, w] of weights.entries()) {
      if ((r -= w) < 0) {
        year = years[i];
        break;
      }
    }
    const yearStart = Date.UTC(year, 0, 1);
    const yearEnd = Math.min(Date.UTC(year + 1, 0, 1), exportedMs - 3 * DAY_MS);
    const day = yearStart + Math.floor(random() * Math.max(1, (yearEnd - yearStart) / DAY_MS)) * DAY_MS;
    const tz = pick(TIMEZONES);
    const burst = random() < 0.12;
    const n = Math.min(count - shots.length, burst ? int(5, 14) : int(1, 3));
    const device = pickDevice(year, random);
    let wall = day + int(7 * 3600, 20 * 3600) * 1000;
    for (let k = 0; k < n; k++) {
      if (k > 0) wall += (burst ? int(1, 40) : int(30, 3600)) * 1000;
      const takenMs = wall - tz * 60_000;
      if (takenMs >= exportedMs - DAY_MS) break;
      shots.push({ wall, takenMs, tz, device, burst });
    }
  }
  shots.sort((a, b) => a.takenMs - b.takenMs);
  return shots.map((s) => deviceDraft(s.device, s.wall, s.takenMs, s.tz, random, counters, s.burst));
}

type Device = "android" | "pixel" | "iphone" | "camera" | "whatsapp" | "screenshot";

function pickDevice(year: number, random: () => number): Device {
  const r = random();
  if (r < 0.06) return "whatsapp";
  if (r < 0.1) return "screenshot";
  if (r < 0.22) return "camera";
  if (r < 0.55) return "iphone";
  return year >= 2020 ? "pixel" : "android";
}

function deviceDraft(
  device: Device,
  wall: number,
  takenMs: number,
  tz: number,
  random: () => number,
  counters: { iphone: number; camera: number; whatsapp: number },
  burst: boolean,
): Draft {
  const p = parts(wall);
  const stamp = `${p.y}${p.mo}${p.d}_${p.h}${p.mi}${p.s}`;
  const video = !burst && random() < 0.12;
  const base: Draft = {
    title: "",
    kind: "jpeg",
    takenMs,
    tz,
    sidecar: "yes",
    origin: ANDROID,
    quirks: burst ? ["burst"] : [],
    albums: [],
  };
  switch (device) {
    case "android": {
      const motion = !video && p.y >= 2017 && random() < 0.15;
      const exif = { wallMs: wall, offset: random() < 0.5, make: "samsung", model: "SM-G960F" };
      if (video) return { ...base, title: `VID_${stamp}.mp4`, kind: "mp4", nameMs: wall };
      if (motion) {
        return {
          ...base,
          title: `MVIMG_${stamp}.jpg`,
          exif,
          nameMs: wall,
          motion: { title: `MVIMG_${stamp}.mp4`, kind: "mp4" },
          quirks: [...base.quirks, "motion-still"],
        };
      }
      return { ...base, title: `IMG_${stamp}.jpg`, exif, nameMs: wall, edited: random() < 0.06 };
    }
    case "pixel": {
      const u = parts(takenMs);
      const name = `PXL_${u.y}${u.mo}${u.d}_${u.h}${u.mi}${u.s}${u.ms.slice(0, 2)}${
        Math.floor(random() * 10)
      }`;
      const nameMs = utc(`${u.y}-${u.mo}-${u.d} ${u.h}:${u.mi}:${u.s}`);
      if (video) return { ...base, title: `${name}.mp4`, kind: "mp4", nameMs };
      const exif = { wallMs: wall, offset: true, make: "Google", model: "Pixel 7" };
      if (random() < 0.25) {
        return {
          ...base,
          title: `${name}.MP.jpg`,
          exif,
          nameMs,
          motion: { title: `${name}.MP`, kind: "mp4" },
          quirks: [...base.quirks, "motion-still"],
        };
      }
      return { ...base, title: `${name}.jpg`, exif, nameMs, edited: random() < 0.06 };
    }
    case "iphone": {
      const name = `IMG_${String(counters.iphone++ % 10_000).padStart(4, "0")}`;
      const ios = { ...base, origin: IOS };
      if (video) return { ...ios, title: `${name}.MOV`, kind: "mov" };
      if (p.y >= 2018) {
        const live = random() < 0.4;
        return {
          ...ios,
          title: `${name}.HEIC`,
          kind: "heic",
          ...(live ? { motion: { title: `${name}.MOV`, kind: "mov" as const } } : {}),
          quirks: live ? [...base.quirks, "motion-still"] : base.quirks,
        };
      }
      return {
        ...ios,
        title: `${name}.JPG`,
        exif: { wallMs: wall, offset: p.y >= 2017, make: "Apple", model: "iPhone 6s" },
        edited: random() < 0.06,
      };
    }
    case "camera": {
      const name = `DSC${String(counters.camera++ % 100_000).padStart(5, "0")}`;
      return {
        ...base,
        title: `${name}.JPG`,
        origin: COMPUTER,
        exif: { wallMs: wall, offset: false, make: "SONY", model: "ILCE-6000" },
      };
    }
    case "whatsapp": {
      counters.whatsapp++;
      return {
        ...base,
        title: `IMG-${p.y}${p.mo}${p.d}-WA${String(counters.whatsapp % 10_000).padStart(4, "0")}.jpg`,
        origin: WHATSAPP,
      };
    }
    case "screenshot":
      return {
        ...base,
        title: `Screenshot_${p.y}${p.mo}${p.d}-${p.h}${p.mi}${p.s}.png`,
        kind: "png",
        nameMs: wall,
      };
  }
}
