/**
 * The hand-written items of an export: names copied from real exports (cut sidecar names, counters, emoji,
 * scripts, NFD, `/`), motion photos, an edited copy, and the dating, trash and archive edge cases.
 *
 * @module
 */

import { utc } from "./dates.ts";
import { at, CITIES, COMPUTER, DESCRIPTIONS, type Draft, exifAt, IOS, PEOPLE } from "./draft.ts";

const MULTI_SCRIPT = [
  "Москва зимой.jpg",
  "東京タワーの夜景.jpg",
  "رحلة إلى دبي.jpg",
  "Ακρόπολη.jpg",
  "서울 야경.jpg",
  "ताज महल.jpg",
  "שבת שלום.jpg",
  "กรุงเทพมหานคร.jpg",
  // 52 UTF-16 units before the extension: cut in old-style exports.
  "京都の清水寺で撮った紅葉の写真と友達と一緒に食べた湯豆腐と抹茶パフェと夜のライトアップと帰り道の夕焼け.jpg",
];

/** The hand-written cases: literal names from real exports, and the dating and folder edge cases. */
export function specialDrafts(): Draft[] {
  const summer = "🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋🍊🍏🍎🍇";
  const smileys = "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛";
  const drafts: Draft[] = [
    // `.supplemental-metadata` cut to `.supple`, and a counter after the cut.
    at("2023-10-27 12:33:03", 120, {
      title: "Screenshot_20231027_123303_Facebook.jpg",
      nameMs: utc("2023-10-27 12:33:03"),
      prefer: "new",
      literal: {
        new: {
          name: "Screenshot_20231027_123303_Facebook.jpg",
          sidecar: "Screenshot_20231027_123303_Facebook.jpg.supple.json",
        },
        old: {
          name: "Screenshot_20231027_123303_Facebook.jpg",
          sidecar: "Screenshot_20231027_123303_Facebook.jpg.json",
        },
      },
    }),
    at("2023-10-27 12:33:03", 120, {
      title: "Screenshot_20231027_123303_Facebook.jpg",
      nameMs: utc("2023-10-27 12:33:03"),
      prefer: "new",
      literal: {
        new: {
          name: "Screenshot_20231027_123303_Facebook(1).jpg",
          sidecar: "Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
          counter: 1,
        },
        old: {
          name: "Screenshot_20231027_123303_Facebook(1).jpg",
          sidecar: "Screenshot_20231027_123303_Facebook.jpg(1).json",
          counter: 1,
        },
      },
    }),
    // A counter after the whole `.supplemental-metadata`.
    ...[0, 1].map((n) =>
      at(`2016-03-12 1${n}:00:00`, 60, {
        title: "Scan35.jpg",
        origin: COMPUTER,
        prefer: "new",
        literal: {
          new: {
            name: n ? "Scan35(1).jpg" : "Scan35.jpg",
            sidecar: n ? "Scan35.jpg.supplemental-metadata(1).json" : "Scan35.jpg.supplemental-metadata.json",
            ...(n ? { counter: 1 } : {}),
          },
          old: {
            name: n ? "Scan35(1).jpg" : "Scan35.jpg",
            sidecar: n ? "Scan35.jpg(1).json" : "Scan35.jpg.json",
            ...(n ? { counter: 1 } : {}),
          },
        },
      })
    ),
    // Old style: the counter moves behind the extension.
    ...[0, 1].map((n) =>
      at(`2009-08-14 1${4 + n}:2${n}:00`, 120, {
        title: "IMG_3479.JPG",
        origin: IOS,
        exif: exifAt(`2009-08-14 1${4 + n}:2${n}:00`, false, "Apple", "iPhone 3GS"),
        prefer: "old",
        albums: [4],
        literal: {
          old: {
            name: n ? "IMG_3479(1).JPG" : "IMG_3479.JPG",
            sidecar: n ? "IMG_3479.JPG(1).json" : "IMG_3479.JPG.json",
            ...(n ? { counter: 1 } : {}),
          },
          new: {
            name: n ? "IMG_3479(1).JPG" : "IMG_3479.JPG",
            sidecar: n
              ? "IMG_3479.JPG.supplemental-metadata(1).json"
              : "IMG_3479.JPG.supplemental-metadata.json",
            ...(n ? { counter: 1 } : {}),
          },
        },
      })
    ),
    // 45 units: `NAME..json` in new style.
    at("2018-06-10 15:42:00", 120, {
      title: "Familienfeier bei Oma und Opa im Garten 9.jpg",
      exif: exifAt("2018-06-10 15:42:00", true),
      prefer: "new",
      literal: {
        new: {
          name: "Familienfeier bei Oma und Opa im Garten 9.jpg",
          sidecar: "Familienfeier bei Oma und Opa im Garten 9.jpg..json",
        },
        old: {
          name: "Familienfeier bei Oma und Opa im Garten 9.jpg",
          sidecar: "Familienfeier bei Oma und Opa im Garten 9.jpg.json",
        },
      },
    }),
    // 44 units: `.s.json` in new style. Pixel names are in UTC.
    at("2022-07-04 20:32:45", 120, {
      title: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg",
      exif: exifAt("2022-07-04 20:32:45", true, "Google", "Pixel 6"),
      nameMs: utc("2022-07-04 18:32:45.123"),
      prefer: "new",
      literal: {
        new: {
          name: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg",
          sidecar: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg.s.json",
        },
        old: {
          name: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg",
          sidecar: "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg.json",
        },
      },
    }),
    // 47 units with a " (38)" of its own: no counter.
    at("2014-07-20 11:05:00", 120, {
      title: "Urlaub in Knaufspesch in der Schneifel (38).JPG",
      exif: exifAt("2014-07-20 11:05:00", false, "Canon", "Canon PowerShot S95"),
      origin: COMPUTER,
      prefer: "old",
      literal: {
        old: {
          name: "Urlaub in Knaufspesch in der Schneifel (38).JPG",
          sidecar: "Urlaub in Knaufspesch in der Schneifel (38).JP.json",
        },
        new: {
          name: "Urlaub in Knaufspesch in der Schneifel (38).JPG",
          sidecar: "Urlaub in Knaufspesch in der Schneifel (38).JP.json",
        },
      },
      quirks: ["real-parens"],
    }),
    // Two titles whose old-style names cut to the same 47 units: the second gets a counter.
    ...["Tanz", "Torte"].map((what, n) =>
      at(`2018-09-01 1${6 + n}:00:00`, 120, {
        title: `Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benrath_${what}.jpg`,
        origin: COMPUTER,
        prefer: "old",
        albums: [3],
        literal: {
          old: {
            name: n
              ? "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benr(1).jpg"
              : "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benr.jpg",
            sidecar: n
              ? "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Ben(1).json"
              : "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Ben.json",
            ...(n ? { counter: 1 } : {}),
          },
        },
      })
    ),
    // Emoji are two units each; the old-style name cut keeps the pair it would split.
    at("2021-08-08 17:00:00", 180, {
      title: `Sommer${summer}.jpg`,
      prefer: "old",
      albums: [2],
      literal: {
        old: {
          name: "Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋.jpg",
          sidecar: "Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭.json",
        },
        new: {
          name: `Sommer${summer}.jpg`,
          sidecar: "Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭.json",
        },
      },
      quirks: ["emoji"],
    }),
    at("2023-05-01 09:00:00", 120, {
      title: `${smileys}.jpg`,
      prefer: "new",
      literal: {
        new: { name: `${smileys}.jpg`, sidecar: "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.j.json" },
        old: { name: `${smileys}.jpg`, sidecar: "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.j.json" },
      },
      quirks: ["emoji"],
    }),
    at("2020-02-29 19:30:00", 60, {
      title: "🎉 Geburtstag 🎂.jpg",
      exif: exifAt("2020-02-29 19:30:00", true),
      prefer: "new",
      literal: {
        new: { name: "🎉 Geburtstag 🎂.jpg", sidecar: "🎉 Geburtstag 🎂.jpg.supplemental-metadata.json" },
        old: { name: "🎉 Geburtstag 🎂.jpg", sidecar: "🎉 Geburtstag 🎂.jpg.json" },
      },
      quirks: ["emoji"],
    }),
    // NFD names (macOS uploads): more units than their NFC form, so the cut lands elsewhere.
    at("2019-06-21 22:10:00", 120, {
      title: "Cafe\u0301 de Flore.jpg",
      origin: IOS,
      prefer: "new",
      literal: {
        new: {
          name: "Cafe\u0301 de Flore.jpg",
          sidecar: "Cafe\u0301 de Flore.jpg.supplemental-metadata.json",
        },
        old: { name: "Cafe\u0301 de Flore.jpg", sidecar: "Cafe\u0301 de Flore.jpg.json" },
      },
      quirks: ["nfd"],
    }),
    at("2019-12-20 20:15:00", 60, {
      title: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg",
      origin: IOS,
      prefer: "new",
      literal: {
        new: {
          name: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg",
          sidecar: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg.sup.json",
        },
        old: {
          name: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg",
          sidecar: "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg.json",
        },
      },
      quirks: ["nfd"],
    }),
    // A `/` in the title; 24 units, so the new-style sidecar name is exactly 46 units before `.json`.
    at("1998-12-24 18:00:00", 60, {
      title: "Oma & Opa 24/12/1998.jpg",
      origin: COMPUTER,
      prefer: "new",
      literal: {
        new: {
          name: "Oma & Opa 24_12_1998.jpg",
          sidecar: "Oma & Opa 24_12_1998.jpg.supplemental-metadata.json",
        },
        old: { name: "Oma & Opa 24_12_1998.jpg", sidecar: "Oma & Opa 24_12_1998.jpg.json" },
      },
      quirks: ["slash"],
    }),
    // Motion photos: only the still has a sidecar.
    at("2021-04-03 10:20:30", 120, {
      title: "IMG_0421.HEIC",
      kind: "heic",
      origin: IOS,
      motion: { title: "IMG_0421.MOV", kind: "mov" },
      literal: {
        new: { name: "IMG_0421.HEIC", sidecar: "IMG_0421.HEIC.supplemental-metadata.json" },
        old: { name: "IMG_0421.HEIC", sidecar: "IMG_0421.HEIC.json" },
      },
      quirks: ["motion-still"],
    }),
    at("2023-06-15 14:34:56", 120, {
      title: "PXL_20230615_123456789.MP.jpg",
      exif: exifAt("2023-06-15 14:34:56", true, "Google", "Pixel 7"),
      nameMs: utc("2023-06-15 12:34:56.789"),
      motion: { title: "PXL_20230615_123456789.MP", kind: "mp4" },
      albums: [4],
      literal: {
        new: {
          name: "PXL_20230615_123456789.MP.jpg",
          sidecar: "PXL_20230615_123456789.MP.jpg.supplemental-met.json",
        },
        old: { name: "PXL_20230615_123456789.MP.jpg", sidecar: "PXL_20230615_123456789.MP.jpg.json" },
      },
      quirks: ["motion-still"],
    }),
    at("2019-07-04 12:00:00", 120, {
      title: "MVIMG_20190704_120000.jpg",
      exif: exifAt("2019-07-04 12:00:00", false, "Google", "Pixel 3"),
      nameMs: utc("2019-07-04 12:00:00"),
      motion: { title: "MVIMG_20190704_120000.mp4", kind: "mp4" },
      albums: [0, 1],
      literal: {
        new: {
          name: "MVIMG_20190704_120000.jpg",
          sidecar: "MVIMG_20190704_120000.jpg.supplemental-metadat.json",
        },
        old: { name: "MVIMG_20190704_120000.jpg", sidecar: "MVIMG_20190704_120000.jpg.json" },
      },
      quirks: ["motion-still"],
    }),
    // An edited copy without a sidecar of its own (suffix in the export's language).
    at("2017-05-13 16:45:10", 120, {
      title: "IMG_1234.jpg",
      exif: exifAt("2017-05-13 16:45:10", true),
      edited: true,
      literal: {
        new: { name: "IMG_1234.jpg", sidecar: "IMG_1234.jpg.supplemental-metadata.json" },
        old: { name: "IMG_1234.jpg", sidecar: "IMG_1234.jpg.json" },
      },
    }),
    // Dated by EXIF only: no sidecar at all, or a sidecar saying "0" (filed under 1970, assumed).
    at("2015-05-02 14:22:10", 120, {
      title: "DSC01234.JPG",
      sidecar: "none",
      origin: COMPUTER,
      exif: exifAt("2015-05-02 14:22:10", false, "SONY", "DSC-RX100"),
      quirks: ["exif-only"],
    }),
    at("2012-09-15 08:30:00", 120, {
      title: "DSC05678.JPG",
      sidecar: "zero",
      origin: COMPUTER,
      exif: exifAt("2012-09-15 08:30:00", true, "NIKON", "COOLPIX P7100"),
      folderYear: 1970,
      quirks: ["zero-timestamp"],
    }),
    // Dated by the name only.
    at("2019-04-05 10:11:12", 120, {
      title: "IMG_20190405_101112.jpg",
      sidecar: "none",
      nameMs: utc("2019-04-05 10:11:12"),
      albums: [0],
      quirks: ["name-only"],
    }),
    // No date at all: the archive entry's time.
    at("2020-01-18 12:00:00", 60, {
      title: "scan0001.jpg",
      sidecar: "none",
      origin: COMPUTER,
      quirks: ["undated"],
    }),
    // The user fixed the date in Google Photos; the camera's clock had been reset.
    at("2016-07-15 13:14:15", 120, {
      title: "DSC00042.JPG",
      origin: COMPUTER,
      exif: exifAt("2000-01-01 00:02:13", false, "Canon", "Canon EOS 400D"),
      quirks: ["date-edited"],
    }),
    // Before 1970 (a scan dated by hand) and after 2038 (a wrong camera clock).
    at("1962-06-16 14:00:00", 60, {
      title: "Hochzeit Oma und Opa 1962.jpg",
      origin: COMPUTER,
      quirks: ["pre-1970"],
    }),
    at("2039-05-01 08:00:00", 120, {
      title: "IMG_20390501_080000.jpg",
      exif: exifAt("2039-05-01 08:00:00", true),
      nameMs: utc("2039-05-01 08:00:00"),
      quirks: ["future"],
    }),
    // Trash and archive.
    at("2020-03-14 15:09:26", 60, {
      title: "IMG_20200314_150926.jpg",
      exif: exifAt("2020-03-14 15:09:26", true),
      nameMs: utc("2020-03-14 15:09:26"),
      trashed: true,
      quirks: ["trashed"],
    }),
    at("2020-03-14 15:10:02", 60, {
      title: "VID_20200314_151002.mp4",
      kind: "mp4",
      nameMs: utc("2020-03-14 15:10:02"),
      trashed: true,
      quirks: ["trashed"],
    }),
    at("2021-08-02 09:30:15", 120, {
      title: "IMG_20210802_093015.jpg",
      exif: exifAt("2021-08-02 09:30:15", true),
      nameMs: utc("2021-08-02 09:30:15"),
      archived: true,
      favorited: true,
      description: "Nur für mich",
      quirks: ["archived"],
    }),
  ];
  // Names in many scripts, with descriptions and people; the long Japanese one is cut in old-style exports.
  for (const [i, title] of MULTI_SCRIPT.entries()) {
    drafts.push(at(`2021-0${1 + (i % 9)}-1${i % 10} 1${i % 10}:00:00`, 540, {
      title,
      origin: IOS,
      description: DESCRIPTIONS[i % DESCRIPTIONS.length],
      people: [PEOPLE[i % PEOPLE.length]],
      geo: { data: CITIES[i % CITIES.length], exif: CITIES[i % CITIES.length] },
      albums: i === 0 ? [2] : [],
      quirks: ["script"],
    }));
  }
  return drafts;
}
