import assert from "node:assert/strict";
import {
  captureMs,
  civilDate,
  dayNumber,
  EARLIEST,
  formatDate,
  fromDayNumber,
  parseDate,
  parseDateRange,
  parseTimestamp,
} from "./dates.ts";
import { UsageError } from "./errors.ts";

Deno.test("parseDate takes real calendar days, leap days included", () => {
  const cases: [string, { year: number; month: number; day: number }][] = [
    ["2024-06-30", { year: 2024, month: 6, day: 30 }],
    ["2024-02-29", { year: 2024, month: 2, day: 29 }],
    ["2000-02-29", { year: 2000, month: 2, day: 29 }],
    ["0001-01-01", { year: 1, month: 1, day: 1 }],
    ["1969-12-31", { year: 1969, month: 12, day: 31 }],
    ["9999-12-31", { year: 9999, month: 12, day: 31 }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseDate(text), expected, text);
});

Deno.test("parseDate refuses days that do not exist and other spellings, naming the flag", () => {
  const bad = [
    "2023-02-29", // Not a leap year.
    "1900-02-29", // Divisible by 100, not by 400.
    "2100-02-29",
    "2024-02-30",
    "2024-04-31",
    "2024-13-01",
    "2024-00-10",
    "2024-01-00",
    "0000-01-01",
    "2024-1-01",
    "24-01-01",
    "2024/01/01",
    " 2024-01-01",
    "2024-01-01T00:00",
    "",
  ];
  for (const text of bad) {
    assert.throws(() => parseDate(text), (error) => {
      assert.ok(error instanceof UsageError, text);
      assert.equal(error.message, `--dates: "${text}" is not a date; use YYYY-MM-DD, e.g. 2024-06-30`);
      return true;
    });
  }
  assert.throws(() => parseDate("soon", "--since"), /^UsageError: --since: "soon"/);
});

Deno.test("parseDateRange: one day, a range, and a range of one day", () => {
  const day = { year: 2024, month: 2, day: 29 };
  assert.deepEqual(parseDateRange("2024-02-29"), { startDate: day, endDate: day });
  assert.deepEqual(parseDateRange("2024-02-29:2024-02-29"), { startDate: day, endDate: day });
  assert.deepEqual(parseDateRange("2023-01-01:2023-12-31"), {
    startDate: { year: 2023, month: 1, day: 1 },
    endDate: { year: 2023, month: 12, day: 31 },
  });
});

Deno.test("parseDateRange refuses reversed ranges, bad days and other shapes", () => {
  const cases: [string, RegExp][] = [
    ["2024-01-02:2024-01-01", /^--dates: 2024-01-02 is after 2024-01-01; put the earlier date first$/],
    ["2023-02-28:2023-02-29", /"2023-02-29" is not a date/],
    ["2024-01-01:", /"" is not a date/],
    [":2024-01-01", /is not a range/],
    ["", /is not a range/],
    ["2024-01-01:2024-02-01:2024-03-01", /is not a range; use FROM\[:TO\]/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => parseDateRange(spec), (error) => {
      assert.ok(error instanceof UsageError, spec);
      assert.match(error.message, message, spec);
      return true;
    });
  }
});

Deno.test("dayNumber counts days from 1970-01-01, negative before", () => {
  assert.equal(dayNumber({ year: 1970, month: 1, day: 1 }), 0);
  assert.equal(dayNumber({ year: 1970, month: 1, day: 2 }), 1);
  assert.equal(dayNumber({ year: 1969, month: 12, day: 31 }), -1);
  assert.equal(dayNumber({ year: 2000, month: 3, day: 1 }) - dayNumber({ year: 2000, month: 2, day: 28 }), 2);
  assert.equal(dayNumber({ year: 2100, month: 3, day: 1 }) - dayNumber({ year: 2100, month: 2, day: 28 }), 1);
  // Years below 100 are not taken as 19xx.
  assert.equal(dayNumber(EARLIEST), -719162);
  assert.equal(dayNumber({ year: 99, month: 1, day: 1 }), dayNumber(EARLIEST) + 98 * 365 + 24);
});

Deno.test("fromDayNumber(dayNumber(d)) is d, before and after 1970", () => {
  const days = [
    EARLIEST,
    { year: 99, month: 12, day: 31 },
    { year: 1900, month: 3, day: 1 },
    { year: 1969, month: 12, day: 31 },
    { year: 1970, month: 1, day: 1 },
    { year: 2024, month: 2, day: 29 },
    { year: 2100, month: 12, day: 31 },
    { year: 9999, month: 12, day: 31 },
  ];
  for (const date of days) assert.deepEqual(fromDayNumber(dayNumber(date)), date, formatDate(date));
  // Every day from 1966-01-01 to 1974-01-01, the leap days of 1968 and 1972 among them.
  for (let n = -1461; n <= 1461; n++) assert.equal(dayNumber(fromDayNumber(n)), n);
});

Deno.test("civilDate is the UTC day; formatDate pads to YYYY-MM-DD", () => {
  assert.deepEqual(civilDate(Date.parse("2024-06-30T23:59:59.999Z")), { year: 2024, month: 6, day: 30 });
  assert.deepEqual(civilDate(Date.parse("2024-06-30T20:00:00-05:00")), { year: 2024, month: 7, day: 1 });
  assert.deepEqual(civilDate(-1), { year: 1969, month: 12, day: 31 });
  assert.equal(formatDate({ year: 2024, month: 1, day: 5 }), "2024-01-05");
  assert.equal(formatDate(EARLIEST), "0001-01-01");
  for (const text of ["0001-01-01", "0999-09-09", "2024-02-29"]) {
    assert.equal(formatDate(parseDate(text)), text);
  }
});

Deno.test("captureMs takes whole epoch ms of the years 0001 to 9999, and nothing else", () => {
  const year1 = Date.parse("0001-01-01T00:00:00Z");
  const year10000 = Date.parse("+010000-01-01T00:00:00Z");
  const sane = [year1, Date.UTC(1750, 5, 15), 0, -1, Date.UTC(2019, 3, 5, 10, 11, 12), year10000 - 1];
  for (const ms of sane) assert.equal(captureMs(ms), ms, String(ms));
  const insane = [
    undefined,
    NaN,
    Infinity,
    -Infinity,
    1e23, // A sidecar's "1e20" seconds.
    year1 - 1,
    year10000,
    Date.UTC(-1199, 1, 15),
    8.64e15, // The last time a Date holds (year 275760).
    1554458472000.5,
  ];
  for (const ms of insane) assert.equal(captureMs(ms), undefined, String(ms));
});

Deno.test("parseTimestamp reads RFC 3339 strictly: any real day of 0001 to 9999, to the millisecond, in UTC", () => {
  const times: [string, number][] = [
    ["0001-01-01T00:00:00Z", Date.parse("0001-01-01T00:00:00Z")],
    ["0099-07-08T09:10:11Z", Date.parse("0099-07-08T09:10:11Z")],
    ["1750-06-15T10:00:00Z", Date.UTC(1750, 5, 15, 10)],
    ["1899-12-31T23:59:59.999999999Z", Date.UTC(1899, 11, 31, 23, 59, 59, 999)],
    ["1969-12-31T23:59:59.5Z", -500],
    ["2024-02-29T12:00:00.1Z", Date.UTC(2024, 1, 29, 12, 0, 0, 100)],
    ["2100-03-04T05:06:07Z", Date.UTC(2100, 2, 4, 5, 6, 7)],
    ["9999-12-31T23:59:59.999Z", Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
    // A leap second stays on its day.
    ["2016-12-31T23:59:60Z", Date.UTC(2016, 11, 31, 23, 59, 59, 999)],
    // Lower case, a space, an offset, none (UTC, whatever this machine's zone).
    ["2024-01-02t03:04:05z", Date.UTC(2024, 0, 2, 3, 4, 5)],
    ["2024-01-02 03:04:05Z", Date.UTC(2024, 0, 2, 3, 4, 5)],
    ["2024-01-02T03:04:05-05:30", Date.UTC(2024, 0, 2, 8, 34, 5)],
    ["2024-01-02T03:04:05", Date.UTC(2024, 0, 2, 3, 4, 5)],
  ];
  for (const [text, ms] of times) assert.equal(parseTimestamp(text), ms, text);
  const none = [
    undefined,
    null,
    1554458472,
    "",
    "soon",
    "2023-02-30T00:00:00Z",
    "2023-13-01T00:00:00Z",
    "2023-00-10T00:00:00Z",
    "2023-01-01T24:00:00Z",
    "2023-01-01T00:60:00Z",
    "2023-01-01T00:00:61Z",
    "2023-01-01T00:00:00+24:00",
    "0000-12-31T00:00:00Z",
    "0001-01-01T00:00:00+01:00", // Year 0000 in UTC.
    "+010000-01-01T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "2023-01-01",
    "Sun, 01 Jan 2023 00:00:00 GMT",
  ];
  for (const text of none) assert.equal(parseTimestamp(text), undefined, String(text));
});
