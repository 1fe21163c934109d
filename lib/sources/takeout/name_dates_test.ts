import assert from "node:assert";
import namePatterns from "./name_date_patterns.json" with { type: "json" };
import { dateFromName } from "./name_dates.ts";

/** What the default reading must give: the fields as local time in this process's zone. */
function local(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

const UTC = () => 0;

Deno.test("dateFromName reads camera, phone and app names as local time", () => {
  const cases: [string, number][] = [
    ["IMG_20190405_101112.jpg", local(2019, 4, 5, 10, 11, 12)],
    ["VID_20190405_101112.mp4", local(2019, 4, 5, 10, 11, 12)],
    ["20140102_123456.jpg", local(2014, 1, 2, 12, 34, 56)],
    ["20140102_123456(1).jpg", local(2014, 1, 2, 12, 34, 56)],
    ["PXL_20230615_123456789.jpg", local(2023, 6, 15, 12, 34, 56, 789)],
    ["PXL_20230615_123456789.MP.jpg", local(2023, 6, 15, 12, 34, 56, 789)],
    ["MVIMG_20190101_101010.jpg", local(2019, 1, 1, 10, 10, 10)],
    ["Screenshot_2021-01-02-03-04-05.png", local(2021, 1, 2, 3, 4, 5)],
    ["Screenshot_20231027_123303_Facebook.jpg", local(2023, 10, 27, 12, 33, 3)],
    ["signal-2022-03-04-05-06-07-123.jpg", local(2022, 3, 4, 5, 6, 7, 123)],
    ["2014-01-02 12.34.56.jpg", local(2014, 1, 2, 12, 34, 56)],
    ["Screenshot 2021-01-02 at 03.04.05.png", local(2021, 1, 2, 3, 4, 5)],
    ["IMG20231202123456.jpg", local(2023, 12, 2, 12, 34, 56)],
    // From peers' reports: Signal, underscores, 18 digits, spaces.
    ["signal-2020-10-26-163832.jpg", local(2020, 10, 26, 16, 38, 32)],
    ["signal-2020-10-26-163832-001.jpg", local(2020, 10, 26, 16, 38, 32)],
    ["2016_01_30_11_49_15.mp4", local(2016, 1, 30, 11, 49, 15)],
    ["201801261147521000.jpg", local(2018, 1, 26, 11, 47, 52)],
    ["2019-10-31 155703.jpg", local(2019, 10, 31, 15, 57, 3)],
    ["Screenshot 20221106 211633.png", local(2022, 11, 6, 21, 16, 33)],
    ["Screenshot 20221106 211633 Chrome.jpg", local(2022, 11, 6, 21, 16, 33)],
  ];
  for (const [name, expected] of cases) assert.strictEqual(dateFromName(name), expected, name);
});

Deno.test("dateFromName: every example of the pattern table gives its wall-clock time", () => {
  for (const { what, examples } of namePatterns) {
    const names = Object.entries(examples);
    assert.ok(names.length > 0, `${what}: an example`);
    for (const [name, wall] of names) {
      assert.strictEqual(
        dateFromName(name, UTC),
        Date.parse(`${wall.replace(" ", "T")}Z`),
        `${what}: ${name}`,
      );
    }
  }
});

Deno.test("dateFromName: the new patterns reject impossible dates and longer numbers", () => {
  for (
    const name of [
      "signal-2020-13-26-163832.jpg", // month 13
      "signal-2020-10-26-1638321.jpg", // seven digits of time
      "2016_01_30_25_49_15.mp4", // hour 25
      "2016_02_30_11_49_15.mp4", // 30 February
      "201813261147521000.jpg", // month 13 in 18 digits
      "2018012611475210001.jpg", // nineteen digits
      "20180126114752100.jpg", // seventeen digits
      "2019-10-31 155760.jpg", // second 60
    ]
  ) {
    assert.strictEqual(dateFromName(name, UTC), undefined, name);
  }
});

Deno.test("dateFromName: WhatsApp names give local noon of their day", () => {
  assert.strictEqual(dateFromName("VID-20200101-WA0001.mp4"), local(2020, 1, 1, 12));
  assert.strictEqual(dateFromName("IMG-20200229-WA0042.jpg"), local(2020, 2, 29, 12));
});

Deno.test("dateFromName: a WhatsApp day stays on its UTC day east and west of UTC", () => {
  for (const offset of [-600, -300, 0, 330, 540, 720]) {
    const ms = dateFromName("IMG-20200101-WA0001.jpg", () => offset)!;
    assert.strictEqual(new Date(ms).toISOString().slice(0, 10), "2020-01-01", `offset ${offset}`);
  }
});

Deno.test("dateFromName: an explicit zone, east and west of UTC", () => {
  assert.strictEqual(dateFromName("IMG_20190405_101112.jpg", () => 120), Date.UTC(2019, 3, 5, 8, 11, 12));
  assert.strictEqual(dateFromName("IMG_20190405_101112.jpg", () => -300), Date.UTC(2019, 3, 5, 15, 11, 12));
  assert.strictEqual(dateFromName("PXL_20230615_123456789.jpg", UTC), Date.UTC(2023, 5, 15, 12, 34, 56, 789));
  assert.strictEqual(dateFromName("VID-20200101-WA0001.mp4", () => 330), Date.UTC(2020, 0, 1, 6, 30));
});

Deno.test("dateFromName: the zone is asked about the wall-clock time, read as UTC", () => {
  const asked: number[] = [];
  // A zone with daylight saving from April: +60 before, +120 after.
  const zone = (localMs: number) => (asked.push(localMs), localMs < Date.UTC(2019, 3, 1) ? 60 : 120);
  assert.strictEqual(dateFromName("IMG_20190331_235959.jpg", zone), Date.UTC(2019, 2, 31, 22, 59, 59));
  assert.strictEqual(dateFromName("IMG_20190405_101112.jpg", zone), Date.UTC(2019, 3, 5, 8, 11, 12));
  assert.deepStrictEqual(asked, [Date.UTC(2019, 2, 31, 23, 59, 59), Date.UTC(2019, 3, 5, 10, 11, 12)]);
});

Deno.test("dateFromName rejects impossible dates", () => {
  for (
    const name of [
      "IMG_20191305_101112.jpg", // month 13
      "IMG_20190005_101112.jpg", // month 0
      "IMG_20190230_101112.jpg", // 30 February
      "IMG_20190229_101112.jpg", // 2019 is no leap year
      "IMG_20190400_101112.jpg", // day 0
      "IMG_20190405_241112.jpg", // hour 24
      "IMG_20190405_106012.jpg", // minute 60
      "IMG_20190405_101160.jpg", // second 60
      "Screenshot_2021-02-30-03-04-05.png",
      "VID-20201301-WA0001.mp4",
    ]
  ) {
    assert.strictEqual(dateFromName(name, UTC), undefined, name);
  }
});

Deno.test("dateFromName: years outside 1900-2100 are no date", () => {
  assert.strictEqual(dateFromName("IMG_18991231_235959.jpg", UTC), undefined);
  assert.strictEqual(dateFromName("IMG_21010101_000000.jpg", UTC), undefined);
  assert.strictEqual(dateFromName("IMG_19000101_000000.jpg", UTC), Date.UTC(1900, 0, 1));
  assert.strictEqual(dateFromName("IMG_21001231_235959.jpg", UTC), Date.UTC(2100, 11, 31, 23, 59, 59));
});

Deno.test("dateFromName: plain numbers and names without a date", () => {
  for (
    const name of [
      "IMG_1234.jpg",
      "1588888888888.jpg", // epoch milliseconds
      "FB_IMG_1588888888888.jpg",
      "12345678_123456.jpg", // year 1234
      "20190405.jpg", // a day alone, not from a known app
      "120190405_101112.jpg", // nine digits before the separator
      "20190405_1011121.jpg", // seven digits after it
      "201904051011121.jpg", // fifteen digits
      "DSC_0001.JPG",
      "",
    ]
  ) {
    assert.strictEqual(dateFromName(name, UTC), undefined, name);
  }
});

Deno.test("dateFromName: a later valid date in the name is found after an invalid one", () => {
  assert.strictEqual(
    dateFromName("20191399_000000_20190405_101112.jpg", UTC),
    Date.UTC(2019, 3, 5, 10, 11, 12),
  );
});
