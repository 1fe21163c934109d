import assert from "node:assert";
import nonSidecarNames from "./non_sidecar_names.json" with { type: "json" };
import {
  isSidecarName,
  matchSidecars,
  sidecarCandidates,
  type SidecarFile,
  splitCounter,
} from "./sidecar_names.ts";

/** The media file finds `sidecar` among its candidates, and takes it when it is alone in a folder. */
function assertPair(media: string, sidecar: string, rule: string, title = splitCounter(media).base) {
  assert.ok(sidecarCandidates(media).includes(sidecar), `${sidecar} not in ${sidecarCandidates(media)}`);
  assert.deepStrictEqual(matchSidecars([media], [{ name: sidecar, title }]).get(media), { sidecar, rule });
}

const NAME_45 = "A_name_of_exactly_forty-five_code_units_1.jpg";

Deno.test("new style, cut inside .supplemental-metadata", () => {
  assertPair(
    "Screenshot_20231027_123303_Facebook.jpg",
    "Screenshot_20231027_123303_Facebook.jpg.supple.json",
    "supplemental-metadata, truncated to 46",
  );
});

Deno.test("new style, cut, with a counter", () => {
  assertPair(
    "Screenshot_20231027_123303_Facebook(1).jpg",
    "Screenshot_20231027_123303_Facebook.jpg.supple(1).json",
    "supplemental-metadata, truncated to 46, counter",
  );
});

Deno.test("new style, whole suffix, with a counter", () => {
  assertPair("Scan35(1).jpg", "Scan35.jpg.supplemental-metadata(1).json", "supplemental-metadata, counter");
});

Deno.test("old style with a counter", () => {
  assertPair("IMG_3479(1).JPG", "IMG_3479.JPG(1).json", "old .json, counter");
});

Deno.test("a 45-unit name keeps one dot of the new suffix: NAME..json", () => {
  assert.strictEqual(NAME_45.length, 45);
  assertPair(NAME_45, `${NAME_45}..json`, "supplemental-metadata, truncated to 46");
  // The old style does not reach 46 units, so nothing is cut.
  assertPair(NAME_45, `${NAME_45}.json`, "old .json");
});

Deno.test("short names: both styles whole", () => {
  assertPair("IMG_1234.jpg", "IMG_1234.jpg.supplemental-metadata.json", "supplemental-metadata");
  assertPair("IMG_1234.jpg", "IMG_1234.jpg.json", "old .json");
  assert.deepStrictEqual(sidecarCandidates("IMG_1234.jpg"), [
    "IMG_1234.jpg.supplemental-metadata.json",
    "IMG_1234.jpg.json",
    // Last, for an original uploaded without an extension.
    "IMG_1234.supplemental-metadata.json",
    "IMG_1234.json",
  ]);
});

Deno.test("a (38) that belongs to the name is no counter", () => {
  const media = "Urlaub in Knaufspesch in der Schneifel (38).JPG";
  assertPair(media, "Urlaub in Knaufspesch in der Schneifel (38).JP.json", "truncated to 46", media);
  // A space before "(38)": Google adds none, so the literal reading comes first…
  assert.deepStrictEqual(sidecarCandidates(media), [
    "Urlaub in Knaufspesch in der Schneifel (38).JP.json",
    "Urlaub in Knaufspesch in der Schneifel .JPG.su(38).json",
    "Urlaub in Knaufspesch in der Schneifel .JPG(38).json",
    "Urlaub in Knaufspesch in der Schneifel (38).su.json",
    "Urlaub in Knaufspesch in der Schneifel (38).json",
    "Urlaub in Knaufspesch in der Schneifel .supple(38).json",
  ]);
  // …but the counter reading is kept for the title to decide.
  const matched = matchSidecars([media], [{
    name: "Urlaub in Knaufspesch in der Schneifel .JPG(38).json",
    title: "Urlaub in Knaufspesch in der Schneifel .JPG",
  }]);
  assert.strictEqual(matched.get(media)?.rule, "old .json, counter");
});

Deno.test("a counter without a space comes first, its literal reading after", () => {
  assert.deepStrictEqual(sidecarCandidates("IMG_3479(1).JPG"), [
    "IMG_3479.JPG.supplemental-metadata(1).json",
    "IMG_3479.JPG(1).json",
    "IMG_3479(1).JPG.supplemental-metadata.json",
    "IMG_3479(1).JPG.json",
    "IMG_3479.supplemental-metadata(1).json",
    "IMG_3479(1).json",
    "IMG_3479(1).supplemental-metadata.json",
  ]);
});

Deno.test("names of 46 units or more give one candidate per reading", () => {
  const media = "x".repeat(50) + ".jpg";
  assert.deepStrictEqual(sidecarCandidates(media), ["x".repeat(46) + ".json"]);
  assertPair(media, "x".repeat(46) + ".json", "truncated to 46");
});

Deno.test("emoji count as two units", () => {
  const media = "😀".repeat(20) + ".jpg"; // 44 units
  const stem = "😀".repeat(20);
  assert.deepStrictEqual(sidecarCandidates(media), [
    `${media}.s.json`,
    `${media}.json`,
    `${stem}.suppl.json`,
    `${stem}.json`,
  ]);
});

Deno.test("a cut inside a surrogate pair drops the pair, then keeps it whole", () => {
  const media = "x".repeat(45) + "😀.jpg"; // the emoji takes units 46 and 47
  const [dropped, kept, ...rest] = sidecarCandidates(media);
  assert.deepStrictEqual([dropped, kept, rest], ["x".repeat(45) + ".json", "x".repeat(45) + "😀.json", []]);
  for (const name of [dropped, kept]) assert.ok(name.isWellFormed(), "no lone surrogate");
  assertPair(media, dropped, "truncated to 46");
  assertPair(media, kept, "truncated to 47, whole surrogate pair");
});

Deno.test("candidates never repeat", () => {
  for (const media of ["IMG_3479(1).JPG", NAME_45, "x".repeat(60) + "(2).jpg", "a (1)", "😀".repeat(30)]) {
    const names = sidecarCandidates(media);
    assert.strictEqual(new Set(names).size, names.length, media);
  }
});

Deno.test("media names cut to 47 units keep their extension, and the title fits", () => {
  // From immich-go's issue 35: the stem is cut to 47 units, the extension stays.
  assertPair(
    "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg",
    "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json",
    "truncated to 46",
    "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg",
  );
  const title = "Family_reunion_at_the_lake_house_summer_2015_final.jpg";
  assertPair(`${title.slice(0, 47)}.jpg`, `${title.slice(0, 46)}.json`, "truncated to 46", title);
  // A counter of its own after the cut.
  assertPair(
    `${title.slice(0, 47)}(1).jpg`,
    `${title.slice(0, 46)}(1).json`,
    "truncated to 46, counter",
    title,
  );
});

Deno.test("media names cut to 47 units: an emoji pair the cut would split is kept whole", () => {
  // From immich-go's issue 35.
  const title =
    "😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛😝😜🤪🤨🧐🤓😎🥸🤩🥳😏😒😞😔😟😕🙁☹️😣😖😫😩🥺😢😭.jpg";
  assertPair(
    "😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.jpg",
    "😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋.json",
    "truncated to 46",
    title,
  );
});

Deno.test("a cut media name whose title names another file still says so", () => {
  const matches = matchSidecars(["PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg"], [{
    name: "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json",
    title: "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.mp4",
  }]);
  assert.deepStrictEqual(matches.get("PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg"), {
    sidecar: "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json",
    rule: "truncated to 46, title differs",
  });
});

Deno.test("an original uploaded without an extension: its sidecar has none either", () => {
  // GooglePhotosTakeoutHelper, PR 369: `2013-08-22.png` with `2013-08-22.json`, title `2013-08-22`.
  assertPair("20030616.jpg", "20030616.json", "old .json, without extension", "20030616");
  assertPair("2013-08-22.png", "2013-08-22.json", "old .json, without extension", "2013-08-22");
  assertPair(
    "2013-12-23(1).jpg",
    "2013-12-23.supplemental-metadata(1).json",
    "supplemental-metadata, without extension, counter",
    "2013-12-23",
  );
  assertPair(
    "2013-12-23(1).jpg",
    "2013-12-23(1).json",
    "old .json, without extension, counter",
    "2013-12-23",
  );
});

Deno.test("an original uploaded without an extension, next to its duplicate and a file with one", () => {
  const matches = matchSidecars(["2013-12-23.jpg", "2013-12-23(1).jpg", "2013-12-23.png"], [
    { name: "2013-12-23.supplemental-metadata.json", title: "2013-12-23" },
    { name: "2013-12-23.supplemental-metadata(1).json", title: "2013-12-23" },
    { name: "2013-12-23.png.supplemental-metadata.json", title: "2013-12-23.png" },
  ]);
  assert.deepStrictEqual([...matches], [
    ["2013-12-23.jpg", {
      sidecar: "2013-12-23.supplemental-metadata.json",
      rule: "supplemental-metadata, without extension",
    }],
    ["2013-12-23(1).jpg", {
      sidecar: "2013-12-23.supplemental-metadata(1).json",
      rule: "supplemental-metadata, without extension, counter",
    }],
    ["2013-12-23.png", {
      sidecar: "2013-12-23.png.supplemental-metadata.json",
      rule: "supplemental-metadata",
    }],
  ]);
});

Deno.test("a name with its extension beats one without, whatever the titles say", () => {
  const matches = matchSidecars(["IMG_7.jpg"], [
    { name: "IMG_7.json", title: "IMG_7" },
    { name: "IMG_7.jpg.json", title: "IMG_7.jpg" },
  ]);
  assert.deepStrictEqual(matches.get("IMG_7.jpg"), {
    sidecar: "IMG_7.jpg.json",
    rule: "old .json",
    ambiguous: ["IMG_7.json"],
  });
});

Deno.test("title fallback: a counter sidecar goes to no file without that counter", () => {
  // immich-go's matcher tests: both sidecars belong to other photos.
  assert.strictEqual(
    matchSidecars(["DSC_0103.JPG"], [{ name: "DSC_0103.JPG(1).json", title: "DSC_0103.JPG" }]).size,
    0,
  );
  assert.strictEqual(
    matchSidecars(["DSC_0104(1).JPG"], [{ name: "DSC_0104.JPG.json", title: "DSC_0104.JPG" }]).size,
    0,
  );
  assert.strictEqual(
    matchSidecars(["DSC_0102(1).JPG"], [{ name: "DSC_0102.JPG(2).json", title: "DSC_0102.JPG" }]).size,
    0,
  );
});

Deno.test("title fallback: within the same counter the title still finds a renamed sidecar", () => {
  const matches = matchSidecars(["DSC_0105(1).JPG", "DSC_0105.JPG"], [
    { name: "DSC_0105 copy(1).json", title: "DSC_0105.JPG" },
    { name: "DSC_0105 copy.json", title: "DSC_0105.JPG" },
  ]);
  assert.deepStrictEqual([...matches], [
    ["DSC_0105(1).JPG", { sidecar: "DSC_0105 copy(1).json", rule: "title" }],
    ["DSC_0105.JPG", { sidecar: "DSC_0105 copy.json", rule: "title" }],
  ]);
});

Deno.test("isSidecarName: sidecars in any case", () => {
  for (const name of ["IMG_1.jpg.json", "IMG_1.jpg.supple.json", "x.JSON", "IMG_1.JPG(1).json"]) {
    assert.strictEqual(isSidecarName(name), true, name);
  }
});

Deno.test("isSidecarName: album metadata and account files, in any case or normal form", () => {
  const listed = [...nonSidecarNames.albumMetadata, ...nonSidecarNames.accountFiles];
  for (const name of [...listed, "METADATA.JSON", "metadaten.json", "métadonnées.json".normalize("NFD")]) {
    assert.strictEqual(isSidecarName(name), false, name);
  }
});

Deno.test("isSidecarName: not JSON, or nothing before .json", () => {
  for (const name of ["IMG_1.jpg", "IMG_1.json.jpg", ".json", ""]) {
    assert.strictEqual(isSidecarName(name), false);
  }
});

Deno.test("matchSidecars: duplicates each take their own sidecar", () => {
  const matches = matchSidecars(["IMG_3479.JPG", "IMG_3479(1).JPG", "IMG_3479(2).JPG"], [
    { name: "IMG_3479.JPG(2).json", title: "IMG_3479.JPG" },
    { name: "IMG_3479.JPG(1).json", title: "IMG_3479.JPG" },
    { name: "IMG_3479.JPG.json", title: "IMG_3479.JPG" },
  ]);
  assert.deepStrictEqual([...matches], [
    ["IMG_3479.JPG", { sidecar: "IMG_3479.JPG.json", rule: "old .json" }],
    ["IMG_3479(1).JPG", { sidecar: "IMG_3479.JPG(1).json", rule: "old .json, counter" }],
    ["IMG_3479(2).JPG", { sidecar: "IMG_3479.JPG(2).json", rule: "old .json, counter" }],
  ]);
});

Deno.test("matchSidecars: two fitting candidates are reported as ambiguous", () => {
  const matches = matchSidecars(["IMG_1.jpg"], [
    { name: "IMG_1.jpg.json", title: "IMG_1.jpg" },
    { name: "IMG_1.jpg.supplemental-metadata.json", title: "IMG_1.jpg" },
  ]);
  assert.deepStrictEqual(matches.get("IMG_1.jpg"), {
    sidecar: "IMG_1.jpg.supplemental-metadata.json",
    rule: "supplemental-metadata",
    ambiguous: ["IMG_1.jpg.json"],
  });
});

Deno.test("matchSidecars: both readings of (n) fitting are ambiguous", () => {
  const matches = matchSidecars(["Trip (2).jpg"], [
    { name: "Trip .jpg(2).json", title: "Trip .jpg" },
    { name: "Trip (2).jpg.json", title: "Trip (2).jpg" },
  ]);
  assert.deepStrictEqual(matches.get("Trip (2).jpg"), {
    sidecar: "Trip (2).jpg.json",
    rule: "old .json",
    ambiguous: ["Trip .jpg(2).json"],
  });
});

Deno.test("matchSidecars: a fitting title beats the likelier name", () => {
  const matches = matchSidecars(["IMG_1.jpg"], [
    { name: "IMG_1.jpg.supplemental-metadata.json", title: "IMG_2.jpg" },
    { name: "IMG_1.jpg.json", title: "IMG_1.jpg" },
  ]);
  assert.deepStrictEqual(matches.get("IMG_1.jpg"), { sidecar: "IMG_1.jpg.json", rule: "old .json" });
});

Deno.test("matchSidecars: a confirmed title beats an unread one, which stays a possibility", () => {
  const matches = matchSidecars(["IMG_1.jpg"], [
    { name: "IMG_1.jpg.supplemental-metadata.json" },
    { name: "IMG_1.jpg.json", title: "IMG_1.jpg" },
  ]);
  assert.deepStrictEqual(matches.get("IMG_1.jpg"), {
    sidecar: "IMG_1.jpg.json",
    rule: "old .json",
    ambiguous: ["IMG_1.jpg.supplemental-metadata.json"],
  });
});

Deno.test("matchSidecars: without titles, names alone decide", () => {
  const matches = matchSidecars(["IMG_1.jpg", "IMG_1(1).jpg"], [
    { name: "IMG_1.jpg(1).json" },
    { name: "IMG_1.jpg.json" },
  ]);
  assert.deepStrictEqual([...matches], [
    ["IMG_1.jpg", { sidecar: "IMG_1.jpg.json", rule: "old .json" }],
    ["IMG_1(1).jpg", { sidecar: "IMG_1.jpg(1).json", rule: "old .json, counter" }],
  ]);
});

Deno.test("matchSidecars: a sidecar goes to the file its title names, the other finds its own by title", () => {
  const prefix = "Family_reunion_at_the_lake_house_summer_2015_x";
  const first = `${prefix}a_first_take.jpg`;
  const second = `${prefix}b_second_take.jpg`;
  const sidecars: SidecarFile[] = [
    { name: first.slice(0, 46) + ".json", title: second },
    { name: "unexpected.json", title: first },
  ];
  // Both media names are cut to 47 units before the extension, so both want the one sidecar name.
  const [firstName, secondName] = [first, second].map((title) => `${title.slice(0, 47)}.jpg`);
  const matches = matchSidecars([firstName, secondName], sidecars);
  assert.deepStrictEqual([...matches], [
    [firstName, { sidecar: "unexpected.json", rule: "title" }],
    [secondName, { sidecar: first.slice(0, 46) + ".json", rule: "truncated to 46" }],
  ]);
});

Deno.test("matchSidecars: a sidecar is used once; without titles the file listed first keeps it", () => {
  const prefix = "x".repeat(46);
  const matches = matchSidecars([`${prefix}a`, `${prefix}b`], [{ name: `${prefix}.json` }]);
  assert.deepStrictEqual([...matches], [[`${prefix}a`, {
    sidecar: `${prefix}.json`,
    rule: "truncated to 46",
  }]]);
});

Deno.test("matchSidecars: a name match whose title differs is still taken, and says so", () => {
  const matches = matchSidecars(["a_b.jpg"], [{ name: "a_b.jpg.json", title: "a:b.jpg" }]);
  assert.deepStrictEqual(matches.get("a_b.jpg"), {
    sidecar: "a_b.jpg.json",
    rule: "old .json, title differs",
  });
});

Deno.test("matchSidecars: the title rule lists other unused sidecars with that title", () => {
  const matches = matchSidecars(["IMG_9.jpg"], [
    { name: "renamed.json", title: "IMG_9.jpg" },
    { name: "other.json", title: "IMG_9.jpg" },
  ]);
  assert.deepStrictEqual(matches.get("IMG_9.jpg"), {
    sidecar: "renamed.json",
    rule: "title",
    ambiguous: ["other.json"],
  });
});

Deno.test("matchSidecars: edited copies, motion videos and album metadata find nothing", () => {
  const matches = matchSidecars(["IMG_1-edited.jpg", "IMG_2.MOV", "Holiday"], [
    { name: "IMG_1.jpg.json", title: "IMG_1.jpg" },
    { name: "IMG_2.HEIC.json", title: "IMG_2.HEIC" },
    { name: "metadata.json", title: "Holiday" },
  ]);
  assert.strictEqual(matches.size, 0);
});

Deno.test("matchSidecars: names and titles compare in NFC", () => {
  const media = "Café.jpg".normalize("NFD");
  const sidecar = "Café.jpg.json".normalize("NFC");
  const matches = matchSidecars([media], [{ name: sidecar, title: "Café.jpg".normalize("NFD") }]);
  assert.deepStrictEqual(matches.get(media), { sidecar, rule: "old .json" });
});

Deno.test("matchSidecars: in a large folder, edited copies find no sidecar and every original its own", () => {
  // Edited copies go on to the title search, which finds none (its speed is measured by the bench).
  const media = Array.from({ length: 2000 }, (_, i) => `IMG_${i}.jpg`);
  const edited = media.map((name) => name.replace(".jpg", "-edited.jpg"));
  const sidecars = media.map((name) => ({ name: `${name}.supplemental-metadata.json`, title: name }));
  const matches = matchSidecars([...media, ...edited], sidecars);
  assert.deepStrictEqual([...matches.keys()].sort(), media.toSorted());
  for (const name of media) {
    assert.strictEqual(matches.get(name)?.sidecar, `${name}.supplemental-metadata.json`);
  }
});
