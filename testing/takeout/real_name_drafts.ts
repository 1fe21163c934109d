/**
 * Names reported by users of other Takeout tools (immich-go, GooglePhotosTakeoutHelper), as items of an export:
 * originals uploaded without an extension, counter sidecars whose titles name other photos, media names cut to 47
 * units, dates written in names in more ways, a newer Pixel motion photo (`.MV`), and an edited copy.
 *
 * @module
 */

import { utc } from "./dates.ts";
import { at, COMPUTER, type Draft, exifAt, IOS } from "./draft.ts";

/** The drafts, in the order they are placed. */
export function realNameDrafts(): Draft[] {
  /** An original uploaded without an extension: Google adds one to the name, not to the sidecar or title. */
  const noExtension = (wall: string, title: string, ext: string, kind: Draft["kind"], counter?: number) => {
    const name = `${title}${counter ? `(${counter})` : ""}${ext}`;
    const suffix = counter ? `(${counter})` : "";
    return at(wall, 60, {
      title,
      kind,
      origin: COMPUTER,
      literal: {
        new: { name, sidecar: `${title}.supplemental-metadata${suffix}.json`, counter },
        old: { name, sidecar: `${title}${suffix}.json`, counter },
      },
      quirks: ["no-extension"],
    });
  };
  /** Named by its date only: no sidecar, no EXIF. */
  const datedByName = (title: string, wall: string, kind: Draft["kind"] = "jpeg") =>
    at(wall, 120, { title, kind, sidecar: "none", nameMs: utc(wall), quirks: ["name-only"] });
  return [
    // GooglePhotosTakeoutHelper, PR 369 (`2013-08-22.png` with `2013-08-22.json`); the issue's own examples.
    noExtension("2003-06-16 10:15:00", "20030616", ".jpg", "jpeg"),
    noExtension("2013-12-23 18:00:00", "2013-12-23", ".jpg", "jpeg"),
    noExtension("2013-12-23 18:05:00", "2013-12-23", ".jpg", "jpeg", 1),
    noExtension("2013-08-22 09:30:00", "2013-08-22", ".png", "png"),
    // A video uploaded without an extension (assumed named like the photos: lower case, from its type).
    noExtension("2014-05-03 16:20:00", "IMG_0412", ".mov", "mov"),
    // immich-go's matcher tests: `DSC_0103.JPG(1).json` and `DSC_0104.JPG.json` belong to other photos than
    // `DSC_0103.JPG` and `DSC_0104(1).JPG`. Each pair in one folder; the camera's clock is right (EXIF).
    ...["DSC_0103.JPG", "DSC_0103.JPG", "DSC_0104.JPG", "DSC_0104.JPG"].map((title, i) =>
      at(`2011-09-1${i} 1${i}:30:00`, 120, {
        title,
        origin: COMPUTER,
        exif: exifAt(`2011-09-1${i} 1${i}:30:00`, false, "NIKON CORPORATION", "NIKON D90"),
        prefer: "old",
      })
    ),
    // immich-go, issue 35: the media name cut to 47 units keeps its extension.
    at("2023-08-09 22:34:49", 120, {
      title: "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg",
      exif: exifAt("2023-08-09 22:34:49", true, "Google", "Pixel 7 Pro"),
      nameMs: utc("2023-08-09 20:34:49.253"),
      prefer: "old",
      literal: {
        old: {
          name: "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg",
          sidecar: "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json",
        },
      },
    }),
    // GooglePhotosTakeoutHelper's date tests; "Screenshot 20221106 211633" from issue 16.
    datedByName("signal-2020-10-26-163832.jpg", "2020-10-26 16:38:32"),
    datedByName("2016_01_30_11_49_15.mp4", "2016-01-30 11:49:15", "mp4"),
    datedByName("201801261147521000.jpg", "2018-01-26 11:47:52"),
    datedByName("2019-10-31 155703.jpg", "2019-10-31 15:57:03"),
    datedByName("Screenshot 20221106 211633.png", "2022-11-06 21:16:33", "png"),
    // A newer Pixel motion photo: `….MV.jpg` and its video part `….MV` (GooglePhotosTakeoutHelper, PR 384).
    at("2024-07-30 14:01:32", 120, {
      title: "PXL_20240730_120132807.MV.jpg",
      exif: exifAt("2024-07-30 14:01:32", true, "Google", "Pixel 8"),
      nameMs: utc("2024-07-30 12:01:32.807"),
      motion: { title: "PXL_20240730_120132807.MV", kind: "mp4" },
      quirks: ["motion-still"],
    }),
    // An edited copy, with the suffix of the export's language.
    at("2023-08-12 15:30:12", 540, {
      title: "20230812_153012.jpg",
      origin: IOS,
      exif: exifAt("2023-08-12 15:30:12", true),
      nameMs: utc("2023-08-12 15:30:12"),
      edited: true,
    }),
  ];
}
