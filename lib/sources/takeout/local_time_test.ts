import assert from "node:assert/strict";
import { localTime } from "./local_time.ts";

const LA = { latitude: 34.0522, longitude: -118.2437 };
const EVENING_LA = Date.UTC(2023, 6, 2, 6, 30); // 23:30 on 1 July, summer time (UTC-7)

Deno.test("the offset: EXIF's first, then the place's zone at that instant, then the EXIF wall clock", async () => {
  assert.deepEqual(await localTime(EVENING_LA, { offset: "+09:00" }, LA), {
    offsetMinutes: 540,
    rule: "exif offset",
  });
  assert.deepEqual(await localTime(EVENING_LA, {}, LA), { offsetMinutes: -420, rule: "location" });
  // Winter in Los Angeles: UTC-8.
  assert.deepEqual(await localTime(Date.UTC(2023, 0, 2, 6, 30), {}, LA), {
    offsetMinutes: -480,
    rule: "location",
  });
  // EXIF GPS when the sidecar has no place (Sydney: UTC+10 in July).
  assert.deepEqual(
    await localTime(EVENING_LA, { latitude: -33.8688, longitude: 151.2093 }, undefined),
    { offsetMinutes: 600, rule: "location" },
  );
  // The wall clock 23:30:07 on 1 July for the instant 06:30 UTC on 2 July: 7 hours behind, to the quarter hour.
  assert.deepEqual(await localTime(EVENING_LA, { time: "2023:07:01 23:30:07" }, undefined), {
    offsetMinutes: -420,
    rule: "exif local time",
  });
  // A camera clock a day off is no offset.
  assert.equal(await localTime(EVENING_LA, { time: "2023:07:04 23:30:00" }, undefined), undefined);
  assert.equal(await localTime(EVENING_LA, {}, undefined), undefined);
  assert.equal(await localTime(EVENING_LA, { offset: "+25:00" }, undefined), undefined);
  assert.equal(await localTime(EVENING_LA, {}, { latitude: 200, longitude: 0 }), undefined);
});

Deno.test("a time read from the EXIF wall clock keeps its day: the clock comes before the place", async () => {
  // Dated from EXIF without an offset (read in the importer's zone): the wall clock is the local time.
  const ms = Date.UTC(2023, 6, 1, 23, 30); // read as UTC on an importer in UTC
  assert.deepEqual(await localTime(ms, { time: "2023:07:01 23:30:00" }, LA, true), {
    offsetMinutes: 0,
    rule: "exif local time",
  });
});

Deno.test("a time read from a file name keeps the name's day: its wall clock comes before every rule", async () => {
  // `IMG_20230105_093000` read on an importer in Auckland (UTC+13 in January): 20:30 UTC on 4 January.
  const ms = Date.UTC(2023, 0, 4, 20, 30);
  const nameClock = Date.UTC(2023, 0, 5, 9, 30);
  assert.deepEqual(await localTime(ms, {}, undefined, false, nameClock), {
    offsetMinutes: 780,
    rule: "name local time",
  });
  // Neither an EXIF offset nor the place moves it off the name's day.
  assert.deepEqual(await localTime(ms, { offset: "-05:00" }, LA, false, nameClock), {
    offsetMinutes: 780,
    rule: "name local time",
  });
});
