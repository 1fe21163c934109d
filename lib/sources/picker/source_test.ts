import assert from "node:assert/strict";
import type { PlacedRow } from "../../core/source.ts";
import { PICK_AGAIN, pickedDownload, type StoredPick } from "./source.ts";

const LISTED = Date.parse("2026-01-10T12:00:00Z");
const EXPIRES = new Date(LISTED + 3_600_000).toISOString();

function row(isVideo: boolean, item: Partial<StoredPick>): PlacedRow {
  return {
    id: "P1",
    source: "picker",
    filename: "a.jpg",
    createdMs: 0,
    isVideo,
    status: "pending",
    path: "2020/01/01/a.jpg",
    size: null,
    note: null,
    hash: null,
    json: JSON.stringify({ id: "P1", baseUrlExpireTime: EXPIRES, ...item }),
  };
}

Deno.test("pickedDownload: =d for photos, =dv for videos, while the URL lasts", () => {
  const photo = row(false, { mediaFile: { baseUrl: "https://lh3.example/p" } });
  assert.deepEqual(pickedDownload(photo, LISTED), { url: "https://lh3.example/p=d" });
  const video = row(true, {
    mediaFile: {
      baseUrl: "https://lh3.example/v",
      mediaFileMetadata: { videoMetadata: { processingStatus: "READY" } },
    },
  });
  assert.deepEqual(pickedDownload(video, LISTED + 3_599_999), { url: "https://lh3.example/v=dv" });
});

Deno.test("pickedDownload: an expired or missing URL waits to be picked again, without a request", () => {
  const photo = row(false, { mediaFile: { baseUrl: "https://lh3.example/p" } });
  assert.deepEqual(pickedDownload(photo, LISTED + 3_600_000), {
    row: photo,
    skip: "deferred",
    reason: PICK_AGAIN,
  });
  const noUrl = row(false, { mediaFile: {} });
  assert.equal((pickedDownload(noUrl, LISTED) as { reason: string }).reason, PICK_AGAIN);
  const noExpiry = {
    ...photo,
    json: JSON.stringify({ id: "P1", mediaFile: { baseUrl: "https://lh3.example/p" } }),
  };
  assert.equal((pickedDownload(noExpiry, LISTED) as { reason: string }).reason, PICK_AGAIN);
});

Deno.test("pickedDownload: a video not READY when picked stays pending with a note", () => {
  const video = row(true, {
    mediaFile: {
      baseUrl: "https://lh3.example/v",
      mediaFileMetadata: { videoMetadata: { processingStatus: "PROCESSING" } },
    },
  });
  const skipped = pickedDownload(video, LISTED) as { skip: string; reason: string };
  assert.equal(skipped.skip, "deferred");
  assert.match(skipped.reason, /not ready when it was picked \(PROCESSING\)/);
});
