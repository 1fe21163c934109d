import assert from "node:assert/strict";
import { UsageError } from "../../../core/errors.ts";
import {
  describeUrl,
  folderUrl,
  hrefInside,
  nameOfUrl,
  sameResource,
  stripCredentials,
} from "./webdav_url.ts";

Deno.test("folderUrl: an http(s) folder, ending in /, without fragment; credentials, queries and other schemes refused in one line", () => {
  assert.equal(
    folderUrl("https://cloud.example/remote.php/dav/files/anna/Takeout#x").href,
    "https://cloud.example/remote.php/dav/files/anna/Takeout/",
  );
  assert.equal(folderUrl("http://127.0.0.1:8080").href, "http://127.0.0.1:8080/");
  assert.equal(
    folderUrl("http://nas/Google Download Your Data").pathname,
    "/Google%20Download%20Your%20Data/",
  );
  const refused: [string, RegExp][] = [
    ["ftp://nas/takeout/", /http:\/\/ or https:\/\/ URL/],
    ["nas:8080/takeout", /http:\/\/ or https:\/\/ URL/],
    ["not a url", /must be the URL of a WebDAV folder .*"not a url"/],
    ["http://anna:hunter2@nas/takeout/", /^--from http:\/\/nas\/takeout\/ had a user name or password/],
    ["http://anna@nas/", /PHOTOSYNC_WEBDAV_USER and PHOTOSYNC_WEBDAV_PASSWORD/],
    ["http://nas/takeout/?token=abc", /has a \?query/],
    // A password with a / or # (the URL then does not parse), or a scheme without its colon: not shown.
    ["https://anna:Xy/9+kQ#hunter2@cloud.example/Takeout/", /not what was given \(not shown: it has an @/],
    ["http//anna:hunter2@nas/takeout/", /not what was given \(not shown/],
  ];
  for (const [text, message] of refused) {
    assert.throws(() => folderUrl(text), (error: Error) => {
      assert.ok(error instanceof UsageError, text);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /hunter2|\n/);
      return true;
    }, text);
  }
});

Deno.test("hrefs: decoded alike whatever a server escapes; inside the folder only; names and descriptions read as names", () => {
  const folder = folderUrl("http://nas:5005/Fotos für Oma");
  const upper = hrefInside("/Fotos%20f%C3%BCr%20Oma/a%26b%20(1).zip", folder)!;
  const lower = hrefInside("http://nas:5005/Fotos%20f%c3%bcr%20Oma/a&b%20%281%29.zip", folder)!;
  assert.ok(sameResource(upper, lower));
  assert.equal(nameOfUrl(upper), "a&b (1).zip");
  assert.equal(describeUrl(upper), "http://nas:5005/Fotos für Oma/a&b (1).zip");
  assert.ok(sameResource(hrefInside("/Fotos%20f%C3%BCr%20Oma", folder)!, folder), "the folder without its /");
  assert.equal(
    hrefInside("/Fotos%20f%C3%BCr%20Oma2/x.zip", folder),
    undefined,
    "a sibling with a longer name",
  );
  assert.equal(hrefInside("//evil.example/Fotos%20f%C3%BCr%20Oma/x.zip", folder), undefined);
  assert.equal(hrefInside("http://u:p@nas:5005/Fotos%20f%C3%BCr%20Oma/x.zip", folder), undefined);
  assert.equal(
    nameOfUrl(hrefInside("/Fotos%20f%C3%BCr%20Oma/bad%E9.zip", folder)!),
    "bad%E9.zip",
    "no valid UTF-8: as sent",
  );
  assert.equal(
    stripCredentials("error sending request for url (https://a:b@h/x)"),
    "error sending request for url (https://h/x)",
  );
});
