import assert from "node:assert/strict";
import { type DavResource, MultistatusError, parseMultistatus } from "./multistatus.ts";
import { hrefInside, nameOfUrl } from "./webdav_url.ts";

// As `rclone serve webdav` (v1.60) answers `PROPFIND Depth: 1`: one line, prefix `D:` declared again
// inside some elements, non-ASCII names percent-encoded in the href and raw in the display name.
const RCLONE = `<?xml version="1.0" encoding="UTF-8"?><D:multistatus xmlns:D="DAV:"><D:response>` +
  `<D:href>/Takeout/</D:href><D:propstat><D:prop><D:displayname>Takeout</D:displayname><D:supportedlock>` +
  `<D:lockentry xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>` +
  `</D:lockentry></D:supportedlock><D:resourcetype><D:collection xmlns:D="DAV:"/></D:resourcetype>` +
  `<D:getlastmodified>Sat, 05 Dec 2026 07:17:44 GMT</D:getlastmodified></D:prop><D:status>HTTP/1.1 200 OK` +
  `</D:status></D:propstat></D:response><D:response><D:href>/Takeout/%C3%BCber%20uns/</D:href><D:propstat>` +
  `<D:prop><D:resourcetype><D:collection xmlns:D="DAV:"/></D:resourcetype><D:getlastmodified>Sat, 05 Dec ` +
  `2026 07:17:43 GMT</D:getlastmodified><D:displayname>über uns</D:displayname></D:prop><D:status>HTTP/1.1 ` +
  `200 OK</D:status></D:propstat></D:response><D:response><D:href>/Takeout/takeout-20260602T101010Z-001.zip` +
  `</D:href><D:propstat><D:prop><D:displayname>takeout-20260602T101010Z-001.zip</D:displayname>` +
  `<D:getcontenttype>application/zip</D:getcontenttype><D:resourcetype></D:resourcetype>` +
  `<D:getcontentlength>2147483649</D:getcontentlength><D:getlastmodified>Tue, 02 Jun 2026 10:10:10 GMT` +
  `</D:getlastmodified><D:getetag>"18ee4a5ccba2768b2"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK` +
  `</D:status></D:propstat></D:response><D:response><D:href>/Takeout/a%20b&amp;c.zip</D:href><D:propstat>` +
  `<D:prop><D:displayname>a b&amp;c.zip</D:displayname><D:resourcetype></D:resourcetype>` +
  `<D:getcontentlength>6</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>` +
  `</D:response></D:multistatus>`;

// As Nextcloud (SabreDAV) answers: prefix `d:`, several namespaces, a second propstat with 404 for the
// properties a folder lacks, lower-case percent escapes, an entity-escaped etag, an `oc:size`
// (another namespace's `size`, which is no content length).
const NEXTCLOUD = `<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:response>
  <d:href>/remote.php/dav/files/anna/Takeout/</d:href>
  <d:propstat>
   <d:prop>
    <d:resourcetype><d:collection/></d:resourcetype>
    <d:getlastmodified>Tue, 02 Jun 2026 10:00:00 GMT</d:getlastmodified>
    <d:getetag>&quot;6650a1b2c3d4e&quot;</d:getetag>
    <oc:size>4294967296</oc:size>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
  <d:propstat>
   <d:prop>
    <d:getcontentlength/>
   </d:prop>
   <d:status>HTTP/1.1 404 Not Found</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/remote.php/dav/files/anna/Takeout/Fotos%20f%c3%bcr%20Oma/</d:href>
  <d:propstat>
   <d:prop>
    <d:resourcetype><d:collection/></d:resourcetype>
    <d:getlastmodified>Wed, 03 Jun 2026 08:00:00 GMT</d:getlastmodified>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/remote.php/dav/files/anna/Takeout/takeout-20260602T101010Z-3-001.zip</d:href>
  <d:propstat>
   <d:prop>
    <d:resourcetype/>
    <d:getcontentlength>53687091200</d:getcontentlength>
    <d:getlastmodified>Tue, 02 Jun 2026 10:10:10 GMT</d:getlastmodified>
    <d:getetag>&quot;a7f0&quot;</d:getetag>
    <oc:size>53687091200</oc:size>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
 </d:response>
</d:multistatus>`;

// As Apache httpd's mod_dav answers: live properties under a prefix `lp1` bound to `DAV:` on each response,
// Apache's own namespace `lp2`, a creation date, a directory's content type.
const APACHE = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/dav/Takeout/</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
<lp1:creationdate>2026-06-02T10:00:00Z</lp1:creationdate>
<lp1:getlastmodified>Tue, 02 Jun 2026 10:00:00 GMT</lp1:getlastmodified>
<lp1:getetag>"1000-5f2a3b"</lp1:getetag>
<D:getcontenttype>httpd/unix-directory</D:getcontenttype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/dav/Takeout/takeout-20260602T101010Z-002.zip</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:creationdate>2026-06-02T10:11:00Z</lp1:creationdate>
<lp1:getcontentlength>52428800</lp1:getcontentlength>
<lp1:getlastmodified>Tue, 02 Jun 2026 10:11:00 GMT</lp1:getlastmodified>
<lp1:getetag>"3200000-5f2a3c"</lp1:getetag>
<lp2:executable>F</lp2:executable>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
</D:multistatus>`;

const project = (resources: DavResource[]) =>
  resources.map(({ href, collection, size, status }) => ({ href, collection, size, status }));

Deno.test("rclone's multistatus: folders, sizes past 2 GiB, dates, etags, encoded names", () => {
  const resources = parseMultistatus(RCLONE);
  assert.deepEqual(project(resources), [
    { href: "/Takeout/", collection: true, size: undefined, status: 200 },
    { href: "/Takeout/%C3%BCber%20uns/", collection: true, size: undefined, status: 200 },
    { href: "/Takeout/takeout-20260602T101010Z-001.zip", collection: false, size: 2147483649, status: 200 },
    { href: "/Takeout/a%20b&c.zip", collection: false, size: 6, status: 200 },
  ]);
  assert.equal(resources[2].modifiedMs, Date.parse("2026-06-02T10:10:10Z"));
  assert.equal(resources[2].etag, `"18ee4a5ccba2768b2"`);
  const folder = new URL("http://127.0.0.1:8080/Takeout/");
  assert.deepEqual(
    resources.map((resource) => nameOfUrl(hrefInside(resource.href, folder)!)),
    ["Takeout", "über uns", "takeout-20260602T101010Z-001.zip", "a b&c.zip"],
  );
});

Deno.test("Nextcloud's multistatus: a 404 propstat and another namespace's size are not the content length", () => {
  const resources = parseMultistatus(NEXTCLOUD);
  assert.deepEqual(project(resources), [
    { href: "/remote.php/dav/files/anna/Takeout/", collection: true, size: undefined, status: 200 },
    {
      href: "/remote.php/dav/files/anna/Takeout/Fotos%20f%c3%bcr%20Oma/",
      collection: true,
      size: undefined,
      status: 200,
    },
    {
      href: "/remote.php/dav/files/anna/Takeout/takeout-20260602T101010Z-3-001.zip",
      collection: false,
      size: 53687091200,
      status: 200,
    },
  ]);
  assert.equal(resources[0].etag, `"6650a1b2c3d4e"`);
  const folder = new URL("https://cloud.example/remote.php/dav/files/anna/Takeout/");
  assert.equal(nameOfUrl(hrefInside(resources[1].href, folder)!), "Fotos für Oma");
});

Deno.test("Apache mod_dav's multistatus: live properties under another prefix bound to DAV:", () => {
  const resources = parseMultistatus(APACHE);
  assert.deepEqual(project(resources), [
    { href: "/dav/Takeout/", collection: true, size: undefined, status: 200 },
    { href: "/dav/Takeout/takeout-20260602T101010Z-002.zip", collection: false, size: 52428800, status: 200 },
  ]);
  assert.equal(resources[1].modifiedMs, Date.parse("2026-06-02T10:11:00Z"));
});

Deno.test("namespaces, not prefixes, decide: a default DAV: namespace counts, a look-alike in another does not", () => {
  const resources = parseMultistatus(`<?xml version="1.0"?>
    <multistatus xmlns="DAV:">
      <response><href>http://nas.local/share/</href>
        <propstat><prop><resourcetype><collection/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat>
      </response>
      <response><href>http://nas.local/share/fake-folder</href>
        <propstat><prop><resourcetype><x:collection xmlns:x="urn:not-dav"/></resourcetype>
          <getcontentlength>10</getcontentlength></prop><status>HTTP/1.1 200 OK</status></propstat>
      </response>
      <response xmlns:o="urn:other"><href>/share/other-size.zip</href>
        <propstat><prop><o:getcontentlength>99</o:getcontentlength><getcontentlength>7</getcontentlength>
        </prop><status>HTTP/1.1 200 OK</status></propstat>
      </response>
      <response><href>/share/undeclared.zip</href>
        <propstat><prop><u:getcontentlength>5</u:getcontentlength></prop><status>HTTP/1.1 200 OK</status></propstat>
      </response>
    </multistatus>`);
  assert.deepEqual(project(resources), [
    { href: "http://nas.local/share/", collection: true, size: undefined, status: 200 },
    { href: "http://nas.local/share/fake-folder", collection: false, size: 10, status: 200 },
    { href: "/share/other-size.zip", collection: false, size: 7, status: 200 },
    { href: "/share/undeclared.zip", collection: false, size: undefined, status: 200 },
  ]);
});

Deno.test("a response's own status and failed propstats: what a 404 says is not taken", () => {
  const resources = parseMultistatus(`<D:multistatus xmlns:D="DAV:">
    <D:response><D:href>/t/gone.zip</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
    <D:response><D:href>/t/locked.zip</D:href>
      <D:propstat><D:prop><D:getcontentlength>12</D:getcontentlength></D:prop>
      <D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat></D:response>
    <D:response><D:href></D:href></D:response>
    <D:response><D:href>/t/odd.zip</D:href>
      <D:propstat><D:prop><D:getcontentlength>-3</D:getcontentlength><D:getlastmodified>soon</D:getlastmodified>
      </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
  </D:multistatus>`);
  assert.deepEqual(project(resources), [
    { href: "/t/gone.zip", collection: false, size: undefined, status: 404 },
    { href: "/t/locked.zip", collection: false, size: undefined, status: 403 },
    { href: "/t/odd.zip", collection: false, size: undefined, status: 200 },
  ]);
  assert.equal(resources[2].modifiedMs, undefined);
});

Deno.test("what is no multistatus is refused with a reason: HTML, broken XML, another root, a DOCTYPE", () => {
  const cases: [string, RegExp][] = [
    ["<html><body><h1>Welcome to nginx!</h1></body></html>", /root element is <html>\)$/],
    ["<D:multistatus xmlns:D='DAV:'><D:response>", /not XML/],
    ["", /empty/],
    ["<x:multistatus xmlns:x='urn:x'/>", /root element is <multistatus> in namespace urn:x\)$/],
    ["<?xml version='1.0'?>\n<D:multistatus xmlns:D='DAV:'>\n<a></b>", /not XML \(.+ at line 3\)/],
    ["<multistatus/>", /root element is <multistatus>\)$/],
    [
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>` +
      `<D:multistatus xmlns:D="DAV:"><D:response><D:href>&lol2;</D:href></D:response></D:multistatus>`,
      /DOCTYPE/,
    ],
  ];
  for (const [xml, reason] of cases) {
    assert.throws(() => parseMultistatus(xml), (error: Error) => {
      assert.ok(error instanceof MultistatusError, String(error));
      assert.match(error.message, reason);
      return true;
    }, xml);
  }
});

Deno.test("XML references in an href are decoded as any XML reader does: character references, the five entities", () => {
  const hrefs = [
    ["/t/&#x74;akeout-1.zip", "/t/takeout-1.zip"],
    ["/t/&#116;akeout-2.zip", "/t/takeout-2.zip"],
    ["/t/caf&#xE9;&#x1F600;.zip", "/t/café😀.zip"],
    ["/t/&lt;a&gt;&amp;&quot;b&apos;.zip", `/t/<a>&"b'.zip`],
    // One pass: an escaped ampersand stays the text of a reference, not the character it would name.
    ["/t/&amp;#116;.zip", "/t/&#116;.zip"],
  ];
  const resources = parseMultistatus(
    `<D:multistatus xmlns:D="DAV:">${
      hrefs.map(([href]) =>
        `<D:response><D:href>${href}</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>`
      )
        .join("")
    }</D:multistatus>`,
  );
  assert.deepEqual(resources.map((resource) => resource.href), hrefs.map(([, decoded]) => decoded));
  for (const reference of ["&nbsp;", "&#0;", "&#xD800;", "&#x110000;", "&#;", "&foo"]) {
    assert.throws(
      () =>
        parseMultistatus(
          `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/t/${reference}</D:href></D:response></D:multistatus>`,
        ),
      (error: Error) => error instanceof MultistatusError && /not XML/.test(error.message),
      reference,
    );
  }
});
