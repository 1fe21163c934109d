import assert from "node:assert/strict";
import {
  earlierFolderNames,
  idTag,
  itemFileName,
  sanitizeName,
  taggedFolderName,
  taggedName,
} from "./names.ts";

const bytes = (text: string) => new TextEncoder().encode(text).length;

/** Each name is made safe as shown. */
function assertSafe(cases: [name: string, safe: string][]) {
  for (const [name, expected] of cases) assert.equal(sanitizeName(name), expected, JSON.stringify(name));
}

/** No lone surrogate: the name survives a UTF-8 round trip unchanged. */
function assertWellFormed(name: string) {
  assert.equal(new TextDecoder().decode(new TextEncoder().encode(name)), name);
}

Deno.test("sanitizeName replaces separators, reserved characters, NUL and control characters", () => {
  assertSafe([
    ["a/b", "a_b"],
    ["a\\b", "a_b"],
    ["a\0b", "a_b"],
    ["tab\there", "tab_here"],
    ["bell\x07\x1f\x7f", "bell___"],
    // C1 controls (NEL, CSI).
    ["x\u0085y\u009b.jpg", "x_y_.jpg"],

    ['a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"],
    ["IMG_0001.jpg", "IMG_0001.jpg"],
    [".hidden", "_hidden"],
    ["ünïcödé 写真.heic", "ünïcödé 写真.heic"],
  ]);
});

Deno.test("sanitizeName never returns . or .., nor trailing dots or spaces", () => {
  assertSafe([
    [".", "unnamed"],
    ["..", "unnamed"],
    ["...", "unnamed"],
    ["", "unnamed"],
    ["   ", "unnamed"],
    ["a. . ", "a"],
    ["photo.jpg.", "photo.jpg"],
    ["photo ", "photo"],
  ]);
  assert.equal(sanitizeName("..", "AF1Qip-id"), "AF1Qip-id");
  // The fallback is itself made safe.
  assert.equal(sanitizeName("", "a/b"), "a_b");
  assert.equal(sanitizeName("", ".."), "unnamed");
});

Deno.test("sanitizeName: no name starts with a dot; dot-only parts of a path-like name are dropped", () => {
  assertSafe([
    ["../../escape.jpg", "escape.jpg"],
    ["..\\..\\win.jpg", "win.jpg"],
    ["./IMG_1.jpg", "IMG_1.jpg"],
    ["a/../b.jpg", "a_b.jpg"],
    ["/etc/passwd", "_etc_passwd"],
    [".bashrc", "_bashrc"],
    ["...jpg", "_jpg"],
    ["..a", "_a"],
    ["../.hidden", "_hidden"],
    ["a/.hidden", "a_.hidden"],
    [" .jpg", " .jpg"],
    ["../..", "unnamed"],
  ]);
  // Whatever the name, cut or prefixed: never a leading dot.
  for (const name of [".." + "x".repeat(300), "." + "é".repeat(200) + ".jpg", ".con", "../.nul.txt"]) {
    assert.ok(!sanitizeName(name).startsWith("."), name);
  }
});

Deno.test("sanitizeName prefixes Windows reserved device names, with or without an extension", () => {
  assertSafe([
    ["CON", "_CON"],
    ["con.txt", "_con.txt"],
    ["Prn", "_Prn"],
    ["aux.tar.gz", "_aux.tar.gz"],
    ["NUL", "_NUL"],
    ["COM1.jpg", "_COM1.jpg"],
    ["lpt9", "_lpt9"],
    ["COM0.jpg", "_COM0.jpg"],
    // Spaces before the dot: Windows reads AUX .jpg as AUX.
    ["AUX .jpg", "_AUX .jpg"],
    ["nul   .tar.gz", "_nul   .tar.gz"],
    // Superscript digits are devices too.
    ["COM\u00b9.jpg", "_COM\u00b9.jpg"],
    ["lpt\u00b2", "_lpt\u00b2"],
    ["Lpt\u00b3.png", "_Lpt\u00b3.png"],
    // Only the whole first part is reserved.
    ["COM10.jpg", "COM10.jpg"],
    ["con_.jpg", "con_.jpg"],
    ["aux x.jpg", "aux x.jpg"],
    ["console.log", "console.log"],
    ["icon.png", "icon.png"],
    ["com.jpg", "com.jpg"],
    ["nullable", "nullable"],
  ]);
});

Deno.test("sanitizeName cuts a file's name to 251 bytes of UTF-8, keeping the extension: its sidecar's `.xmp` fits in 255", () => {
  const ascii = sanitizeName("x".repeat(300) + ".jpg");
  assert.equal(bytes(ascii), 251);
  assert.equal(bytes(ascii + ".xmp"), 255);
  assert.ok(ascii.endsWith("x.jpg"));

  // é is two bytes: 123 of them and ".jpg" are 250 bytes; a 124th would make 252.
  const accented = sanitizeName("é".repeat(200) + ".jpg");
  assert.equal(accented, "é".repeat(123) + ".jpg");

  // 251 bytes exactly is left alone; 252 is cut.
  assert.equal(sanitizeName("y".repeat(251)), "y".repeat(251));
  assert.equal(sanitizeName("y".repeat(252)), "y".repeat(251));

  // A long "extension" is not one: the name is cut as a whole.
  const longExt = sanitizeName("a".repeat(200) + "." + "b".repeat(100));
  assert.equal(longExt, "a".repeat(200) + "." + "b".repeat(50));
});

Deno.test("sanitizeName cuts a folder's name (an album's, a layout's) to 255 bytes: existing folders keep their names", () => {
  assert.equal(sanitizeName("y".repeat(255), "album", { folder: true }), "y".repeat(255));
  assert.equal(sanitizeName("y".repeat(256), "album", { folder: true }), "y".repeat(255));
});

Deno.test("sanitizeName never splits a multi-byte character or an emoji's surrogate pair", () => {
  // 😀 is four UTF-8 bytes and two UTF-16 code units.
  const emoji = sanitizeName("😀".repeat(100));
  assert.equal(emoji, "😀".repeat(62));
  assertWellFormed(emoji);

  const withExt = sanitizeName("😀".repeat(100) + ".png");
  assert.equal(withExt, "😀".repeat(61) + ".png");
  assertWellFormed(withExt);

  // A four-byte character straddling byte 251 is dropped whole.
  const straddling = sanitizeName("a".repeat(249) + "😀");
  assert.equal(straddling, "a".repeat(249));

  const cjk = sanitizeName("写".repeat(100)); // Three bytes each.
  assert.equal(cjk, "写".repeat(83));
  for (const name of [emoji, withExt, straddling, cjk]) assert.ok(bytes(name) <= 251);
});

Deno.test("sanitizeName trims a dot, space or reserved name that the cut exposes", () => {
  // The cut falls just after a space: the name must not end in it.
  assert.equal(sanitizeName("x".repeat(250) + " y"), "x".repeat(250));
  assert.equal(sanitizeName("x".repeat(250) + ".yyyyyyyyyyyyyyyyyyyy"), "x".repeat(250));
  // The cut leaves only a reserved name followed by spaces.
  assert.equal(sanitizeName("con" + " ".repeat(300) + "x"), "_con");
  // Prefixing a reserved name of 251 bytes cuts it again.
  const reserved = sanitizeName("con." + "x".repeat(247));
  assert.equal(reserved, "_con." + "x".repeat(246));
  // A trailing run of dots is not mistaken for the extension to keep.
  assert.ok(sanitizeName("x".repeat(300) + ".jpg. . ").endsWith("x.jpg"));
});

Deno.test("taggedName puts the tag before the extension and keeps the folder", () => {
  assert.equal(taggedName("2024/01/02/IMG.jpg", "1a2b3c4d"), "2024/01/02/IMG (1a2b3c4d).jpg");
  assert.equal(taggedName("IMG.jpg", "t"), "IMG (t).jpg");
  assert.equal(taggedName("a/README", "t"), "a/README (t)");
  assert.equal(taggedName("a/.hidden", "t"), "a/.hidden (t)");
  assert.equal(taggedName("a/archive.tar.gz", "t"), "a/archive.tar (t).gz");
});

Deno.test("taggedName stays within 251 bytes (room for `.xmp`), cutting the stem and never a character", () => {
  const long = taggedName("2024/" + "x".repeat(247) + ".jpg", "12345678");
  const name = long.slice("2024/".length);
  assert.equal(bytes(name), 251);
  assert.ok(name.endsWith("x (12345678).jpg"));

  const emoji = taggedName("😀".repeat(62), "abcdef01").split("/").pop()!;
  assert.ok(bytes(emoji) <= 251);
  assert.ok(emoji.endsWith("😀 (abcdef01)"));
  assertWellFormed(emoji);
});

Deno.test("taggedFolderName puts the tag at the end of a folder's name (a dot in a title is no extension) and stays within 255 bytes, cutting the name between characters", () => {
  assert.equal(taggedFolderName("Trip_ 2024", "1a2b3c4d"), "Trip_ 2024 (1a2b3c4d)");
  assert.equal(taggedFolderName("Paris 2024.jpg", "t"), "Paris 2024.jpg (t)");
  assert.equal(taggedFolderName("v1.2", "t"), "v1.2 (t)");

  const long = taggedFolderName("x".repeat(250) + ".2024", "12345678");
  assert.equal(bytes(long), 255);
  assert.equal(long, "x".repeat(244) + " (12345678)");

  const flags = taggedFolderName("🇫🇷".repeat(40), "abcdef01");
  assert.ok(bytes(flags) <= 255);
  assert.ok(flags.endsWith("🇫🇷 (abcdef01)"), flags);
  assertWellFormed(flags);
});

Deno.test("idTag is FNV-1a as 8 hex digits: stable across calls and runs, different per id", () => {
  // Known FNV-1a 32-bit values: a change of the hash would rename files on disk.
  assert.equal(idTag(""), "811c9dc5");
  assert.equal(idTag("a"), "e40c292c");
  assert.equal(idTag("foobar"), "bf9cf968");
  const id = "AF1QipKtyPp4dsOqurusJWQ-D8";
  assert.equal(idTag(id), idTag(id));
  assert.match(idTag(id), /^[0-9a-f]{8}$/);
  assert.notEqual(idTag(id), idTag(id + "x"));
  // Multi-byte ids are hashed as UTF-8.
  assert.match(idTag("写真😀"), /^[0-9a-f]{8}$/);
  // A hash with leading zero bits is still 8 digits.
  const tags = Array.from({ length: 2000 }, (_, i) => idTag(`id${i}`));
  assert.ok(tags.some((tag) => tag.startsWith("0")));
  assert.ok(tags.every((tag) => tag.length === 8));
});

Deno.test("itemFileName: a name with nothing to name a file by is the id with its type's extension", () => {
  const none = [
    "",
    ".",
    "..",
    "...",
    " ",
    " . . ",
    "\t",
    "/",
    "../..",
    "..\\..",
    "\u0000",
    ".jpg",
    "...JPG",
    " .jpg. ",
  ];
  for (const name of none) {
    assert.equal(itemFileName(name, "AF1Qip", "image/jpeg"), "AF1Qip.jpg", JSON.stringify(name));
    assert.equal(itemFileName(name, "AF1Qip", "VIDEO/QuickTime"), "AF1Qip.mov", JSON.stringify(name));
  }
  // No type known: the name's own extension, else none.
  assert.equal(itemFileName(".HEIC", "AF1Qip"), "AF1Qip.HEIC");
  assert.equal(itemFileName("..", "AF1Qip", "application/octet-stream"), "AF1Qip");
  // A name of its own stays (sanitizeName makes it safe).
  for (const name of ["a.jpg", "jpg", ".hidden.jpg", "a .jpg", "_.jpg", "a..", "CON"]) {
    assert.equal(itemFileName(name, "AF1Qip", "image/jpeg"), name);
  }
});

Deno.test("sanitizeName cuts a long name between characters as a reader sees them", () => {
  const cases: [unit: string, size: number][] = [
    ["e\u0301", 3], // é decomposed
    ["\u{1F1EF}\u{1F1F5}", 8], // 🇯🇵
    ["\u1100\u1161\u11a8", 9], // 각 in jamo
    ["\u{1F468}\u200d\u{1F469}\u200d\u{1F467}", 18], // 👨‍👩‍👧
    ["\u{1F44D}\u{1F3FD}", 8], // 👍🏽
  ];
  for (const [unit, size] of cases) {
    assert.equal(bytes(unit), size);
    const whole = Math.floor(247 / size);
    assert.equal(sanitizeName(unit.repeat(100) + ".jpg"), unit.repeat(whole) + ".jpg", unit);
    assert.equal(sanitizeName(unit.repeat(100)), unit.repeat(Math.floor(251 / size)), unit);
    // A tagged name too.
    const tagged = taggedName(`2020/01/01/${unit.repeat(100)}.jpg`, "1a2b3c4d");
    assert.equal(tagged, `2020/01/01/${unit.repeat(Math.floor((251 - 15) / size))} (1a2b3c4d).jpg`, unit);
  }
  // One character longer than a name may be (a letter under 300 marks): cut inside it, never to nothing.
  const zalgo = sanitizeName("e" + "\u0301".repeat(300) + ".jpg");
  assert.ok(zalgo.startsWith("e\u0301") && zalgo.endsWith(".jpg") && bytes(zalgo) <= 251, zalgo);
});

Deno.test("earlierFolderNames: the name a folder had before 2026-12-07 where it has another now (C1 controls, device names with spaces or superscripts, a cut inside a character); none where it is the same", () => {
  const decomposed = `${"x".repeat(254)}e\u0301`;
  const cases: [title: string, earlier: string | undefined, now: string][] = [
    ["Road trip\u0085", "Road trip\u0085", "Road trip_"],
    ["AUX .x", "AUX .x", "_AUX .x"],
    ["COM¹", "COM¹", "_COM¹"],
    // Cut at 255 bytes: then between the e and its accent, now before the e.
    [decomposed, `${"x".repeat(254)}e`, "x".repeat(254)],
    ["Trip", undefined, "Trip"],
    ["CON", undefined, "_CON"],
    ["..", undefined, "album"],
  ];
  for (const [title, earlier, now] of cases) {
    assert.equal(sanitizeName(title, "album", { folder: true }), now, JSON.stringify(title));
    assert.deepEqual(earlierFolderNames(title, "album"), earlier === undefined ? [] : [earlier]);
  }
});
