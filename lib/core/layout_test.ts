import assert from "node:assert/strict";
import { UsageError } from "./errors.ts";
import { DEFAULT_LAYOUT, layoutMapper, type PathItem } from "./layout.ts";

const item = (iso: string, filename = "IMG.jpg"): PathItem => ({
  id: "AF1QipId",
  filename,
  createdMs: Date.parse(iso),
  isVideo: false,
});

Deno.test("layoutMapper fills {year}, {month} and {day} zero-padded from the UTC creation time", () => {
  const byDay = layoutMapper(DEFAULT_LAYOUT);
  const cases: [string, string][] = [
    ["2024-03-05T10:00:00Z", "2024/03/05/IMG.jpg"],
    ["2024-12-31T23:59:59.999Z", "2024/12/31/IMG.jpg"],
    // Late evening west of Greenwich is already the next day in UTC.
    ["2024-06-30T22:30:00-05:00", "2024/07/01/IMG.jpg"],
    ["2024-02-29T12:00:00Z", "2024/02/29/IMG.jpg"],
  ];
  for (const [iso, expected] of cases) assert.equal(byDay(item(iso)), expected, iso);
  assert.equal(layoutMapper("{year}-{month}")(item("2024-03-05T10:00:00Z")), "2024-03/IMG.jpg");
  assert.equal(
    layoutMapper("photos/{year}/{day}.{month}")(item("2024-03-05T10:00:00Z")),
    "photos/2024/05.03/IMG.jpg",
  );
});

Deno.test("layoutMapper handles dates before 1970, years below 1000 and the far future", () => {
  const byDay = layoutMapper(DEFAULT_LAYOUT);
  const cases: [number, string][] = [
    [Date.UTC(1969, 11, 31, 23, 0), "1969/12/31/IMG.jpg"],
    [-1, "1969/12/31/IMG.jpg"],
    [0, "1970/01/01/IMG.jpg"],
    [Date.parse("1900-01-01T00:00:00Z"), "1900/01/01/IMG.jpg"],
    [Date.parse("0999-01-05T00:00:00Z"), "0999/01/05/IMG.jpg"],
    [Date.parse("0001-01-01T00:00:00Z"), "0001/01/01/IMG.jpg"],
    // 2100 is not a leap year: the second after 28 February is 1 March.
    [Date.parse("2100-02-28T23:59:59Z"), "2100/02/28/IMG.jpg"],
    [Date.parse("2100-03-01T00:00:00Z"), "2100/03/01/IMG.jpg"],
    [Date.parse("2100-12-31T23:59:59Z"), "2100/12/31/IMG.jpg"],
  ];
  for (const [ms, expected] of cases) {
    assert.equal(
      byDay({ id: "x", filename: "IMG.jpg", createdMs: ms, isVideo: false }),
      expected,
      String(ms),
    );
  }
});

Deno.test("layoutMapper sanitises the file name and literal folder names, falling back to the id", () => {
  const map = layoutMapper("{year}/my:album");
  assert.equal(map(item("2024-01-01T00:00:00Z", "a/b.jpg")), "2024/my_album/a_b.jpg");
  assert.equal(map(item("2024-01-01T00:00:00Z", "..")), "2024/my_album/AF1QipId");
  assert.equal(map(item("2024-01-01T00:00:00Z", "")), "2024/my_album/AF1QipId");
  assert.equal(map(item("2024-01-01T00:00:00Z", "CON")), "2024/my_album/_CON");
});

Deno.test("layoutMapper takes either separator, ignores empty and . parts, and allows no folders", () => {
  const at = item("2024-01-02T00:00:00Z");
  assert.equal(layoutMapper("{year}\\{month}")(at), "2024/01/IMG.jpg");
  assert.equal(layoutMapper("./{year}//{month}/")(at), "2024/01/IMG.jpg");
  assert.equal(layoutMapper("")(at), "IMG.jpg");
  assert.equal(layoutMapper(".")(at), "IMG.jpg");
});

Deno.test("layoutMapper refuses unknown tokens and templates leaving --dir with UsageError", () => {
  const cases: [string, RegExp][] = [
    ["{yr}/{month}", /unknown token \{yr\}/],
    ["{Year}", /unknown token \{Year\}/],
    ["{}", /unknown token \{\}/],
    ["{year}/{hour}", /unknown token \{hour\}/],
    ["..", /relative path inside --dir/],
    ["../{year}", /relative path inside --dir/],
    ["{year}/../..", /relative path inside --dir/],
    ["a\\..\\b", /relative path inside --dir/],
    ["/photos/{year}", /relative path inside --dir/],
    ["\\photos", /relative path inside --dir/],
    ["C:/photos", /relative path inside --dir/],
    ["c:photos", /relative path inside --dir/],
  ];
  for (const [template, message] of cases) {
    assert.throws(() => layoutMapper(template), (error) => {
      assert.ok(error instanceof UsageError, template);
      assert.match(error.message, message, template);
      assert.equal(error.exitCode, 2);
      return true;
    });
  }
});

Deno.test("layoutMapper keeps folder names that merely contain dots", () => {
  const at = item("2024-01-02T00:00:00Z");
  assert.equal(layoutMapper("...a/{year}")(at), "...a/2024/IMG.jpg");
  // A trailing dot would be dropped by Windows: it is trimmed.
  assert.equal(layoutMapper("v1./{year}")(at), "v1/2024/IMG.jpg");
});

Deno.test("layoutMapper refuses a template whose first folder is photosync's own, in any case", () => {
  for (
    const template of [
      ".photosync-tmp/{year}",
      "sync.db/{year}",
      "SYNC.DB-wal",
      "sync.db-lock/x",
      "albums/{year}",
    ]
  ) {
    assert.throws(
      () => layoutMapper(template),
      (error) => error instanceof UsageError && /cannot start with/.test(error.message),
      template,
    );
  }
  // Deeper down, or a name that only begins like one, is the user's.
  for (const template of ["{year}/albums", "photos/sync.db", "albums-{year}", "./{year}/{month}"]) {
    assert.equal(typeof layoutMapper(template), "function", template);
  }
});
