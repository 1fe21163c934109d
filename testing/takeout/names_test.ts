/**
 * Self-checks of the name rule: it reproduces the hand-written names seen in real exports.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mediaName, sidecarName } from "./names.ts";

Deno.test("the name rule reproduces names seen in real exports", () => {
  // Hand-written: the test does not only check the rule against itself.
  const cases: [name: string, style: "new" | "old", counter: number | undefined, sidecar: string][] = [
    [
      "Screenshot_20231027_123303_Facebook.jpg",
      "new",
      undefined,
      "Screenshot_20231027_123303_Facebook.jpg.supple.json",
    ],
    [
      "Screenshot_20231027_123303_Facebook.jpg",
      "new",
      1,
      "Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
    ],
    ["Scan35.jpg", "new", 1, "Scan35.jpg.supplemental-metadata(1).json"],
    ["IMG_3479.JPG", "old", 1, "IMG_3479.JPG(1).json"],
    ["IMG_20190405_101112.jpg", "new", undefined, "IMG_20190405_101112.jpg.supplemental-metadata.json"],
    [
      "Familienfeier bei Oma und Opa im Garten 9.jpg",
      "new",
      undefined,
      "Familienfeier bei Oma und Opa im Garten 9.jpg..json",
    ],
    [
      "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg",
      "new",
      undefined,
      "PXL_20220704_183245123.PORTRAIT.ORIGINAL.jpg.s.json",
    ],
    [
      "Urlaub in Knaufspesch in der Schneifel (38).JPG",
      "old",
      undefined,
      "Urlaub in Knaufspesch in der Schneifel (38).JP.json",
    ],
    [
      "PXL_20230615_123456789.MP.jpg",
      "new",
      undefined,
      "PXL_20230615_123456789.MP.jpg.supplemental-met.json",
    ],
    ["Oma & Opa 24_12_1998.jpg", "new", undefined, "Oma & Opa 24_12_1998.jpg.supplemental-metadata.json"],
    [
      "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg",
      "new",
      undefined,
      "A\u0308rger im Bu\u0308ro – Weihnachtsfeier 2019.jpg.sup.json",
    ],
    [
      "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.jpg",
      "old",
      undefined,
      "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.j.json",
    ],
  ];
  for (const [name, style, counter, sidecar] of cases) {
    assert.equal(sidecarName(name, style, counter), sidecar, name);
  }
  assert.equal(mediaName("IMG_3479.JPG", "old", 1), "IMG_3479(1).JPG");
  assert.equal(mediaName("Oma & Opa 24/12/1998.jpg", "new"), "Oma & Opa 24_12_1998.jpg");
  const long = "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benrath_Torte.jpg";
  assert.equal(mediaName(long, "new"), long);
  assert.equal(mediaName(long, "old", 1), "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Benr(1).jpg");
  assert.equal(
    sidecarName(mediaName(long, "old"), "old", 1),
    "Hochzeit_von_Anna_und_Bernd_im_Schlosspark_Ben(1).json",
  );
  // A cut that would split an emoji keeps it whole: 6 + 2·20 = 46 units, the 21st emoji spans units 47–48.
  assert.equal(
    mediaName("Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋🍊🍏🍎🍇.jpg", "old"),
    "Sommer🌞🌊🍉🍦🐚🦀🌴🍹🕶👙🐬🚤🌅🌄🍍🥥🍓🍒🍑🥭🍋.jpg",
  );
});
