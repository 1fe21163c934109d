import assert from "node:assert/strict";
import type { RemoteFile } from "./remote_store.ts";
import { DELIVERY_WINDOW_MS, groupExports, STAMP_WINDOW_MS, unfinishedDelivery } from "./store_exports.ts";

const HOUR = 3_600_000;
/** The clock of every case. */
const NOW = Date.UTC(2026, 5, 10, 12);
const GB = 1_000_000_000;

/** Part `n` of the export `20260610T080000Z` (`series`: the extra number of the newer names). */
function part(
  n: number,
  size: number,
  times: { createdMs?: number; modifiedMs?: number } = { createdMs: NOW - HOUR },
  series = "",
): RemoteFile {
  const name = `takeout-20260610T080000Z${series}-${String(n).padStart(3, "0")}.zip`;
  return { id: name, name, location: `Drive: Takeout/${name}`, size, ...times };
}

Deno.test("unfinishedDelivery: a full-size highest part that came recently waits; anything else is taken", () => {
  const old = { createdMs: NOW - DELIVERY_WINDOW_MS };
  const cases: { what: string; parts: RemoteFile[]; next?: string[] }[] = [
    {
      what: "the highest part as large as the others, an hour ago",
      parts: [part(1, 2 * GB), part(2, 2 * GB)],
      next: ["takeout-20260610T080000Z-003.zip"],
    },
    {
      what: "within the tolerance (4 % below the smallest other)",
      parts: [part(1, 2 * GB), part(2, 2.1 * GB), part(3, 1.92 * GB)],
      next: ["takeout-20260610T080000Z-004.zip"],
    },
    {
      what: "larger than the others",
      parts: [part(1, 2 * GB), part(2, 3 * GB)],
      next: ["takeout-20260610T080000Z-003.zip"],
    },
    { what: "a smaller last part: the delivery is whole", parts: [part(1, 2 * GB), part(2, 0.7 * GB)] },
    { what: "just past the tolerance", parts: [part(1, 2 * GB), part(2, 1.89 * GB)] },
    { what: "one part: nothing to compare it with", parts: [part(1, 2 * GB)] },
    {
      what: "full-size, but the newest part came a day ago: the delivery has finished",
      parts: [part(1, 2 * GB, old), part(2, 2 * GB, old)],
    },
    {
      what: "the newest part decides, by the later of its times",
      parts: [
        part(1, 2 * GB, old),
        part(2, 2 * GB, { createdMs: old.createdMs, modifiedMs: NOW - 23 * HOUR }),
      ],
      next: ["takeout-20260610T080000Z-003.zip"],
    },
    {
      what: "times a day or more ahead of the clock are no delivery under way",
      parts: [
        part(1, 2 * GB, { createdMs: NOW + 30 * HOUR }),
        part(2, 2 * GB, { createdMs: NOW + 30 * HOUR }),
      ],
    },
    { what: "a store that gives no times", parts: [part(1, 2 * GB, {}), part(2, 2 * GB, {})] },
    {
      what: "per series of the newer names: one full, one whole",
      parts: [
        part(1, 2 * GB, undefined, "-3"),
        part(2, 2 * GB, undefined, "-3"),
        part(1, 2 * GB, undefined, "-4"),
        part(2, GB, undefined, "-4"),
      ],
      next: ["takeout-20260610T080000Z-3-003.zip"],
    },
    {
      what: "a series of one part beside a whole one",
      parts: [
        part(1, 2 * GB, undefined, "-3"),
        part(1, 2 * GB, undefined, "-4"),
        part(2, GB, undefined, "-4"),
      ],
    },
  ];
  for (const { what, parts, next } of cases) {
    const found = unfinishedDelivery(parts, NOW);
    assert.deepEqual(found?.next, next, what);
    if (found) {
      const newest = Math.max(...parts.flatMap((p) => [p.createdMs ?? -Infinity, p.modifiedMs ?? -Infinity]));
      assert.equal(found.newestMs, newest, what);
      assert.equal(found.untilMs, newest + DELIVERY_WINDOW_MS, what);
    }
  }
});

Deno.test("groupExports: an export with a gap names what is missing, and is not also held as unfinished", () => {
  const [gapped] = groupExports([part(1, 2 * GB), part(3, 2 * GB)], NOW);
  assert.deepEqual(gapped.missing, ["takeout-20260610T080000Z-002.zip"]);
  assert.equal(gapped.unfinished, undefined);
  const [held] = groupExports([part(2, 2 * GB), part(1, 2 * GB)], NOW);
  assert.deepEqual(held.missing, []);
  assert.deepEqual(held.unfinished?.next, ["takeout-20260610T080000Z-003.zip"]);
  const [taken] = groupExports([part(2, 2 * GB), part(1, 2 * GB)], NOW + DELIVERY_WINDOW_MS);
  assert.equal(taken.unfinished, undefined);
});

Deno.test("groupExports: a gap is waited for while the delivery may run, then said to be lost (stalled)", () => {
  const gapped = (times: { createdMs?: number; modifiedMs?: number }, now = NOW) =>
    groupExports([part(1, 2 * GB, times), part(3, 2 * GB, times)], now)[0];
  // Its newest part an hour old: parts may still come.
  assert.equal(gapped({ createdMs: NOW - HOUR }).stalled, undefined);
  assert.equal(gapped({ createdMs: NOW - DELIVERY_WINDOW_MS + HOUR }).stalled, undefined);
  // A day without a new part: the delivery has ended, -002 will not come.
  const lost = gapped({ createdMs: NOW - DELIVERY_WINDOW_MS });
  assert.deepEqual(lost.missing, ["takeout-20260610T080000Z-002.zip"]);
  assert.deepEqual(lost.stalled, { newestMs: NOW - DELIVERY_WINDOW_MS });
  // The later of a part's times decides.
  assert.equal(
    gapped({ createdMs: NOW - 3 * DELIVERY_WINDOW_MS, modifiedMs: NOW - HOUR }).stalled,
    undefined,
  );
  // No times: a week after the export's stamp (2026-06-10 08:00).
  const stampMs = Date.UTC(2026, 5, 10, 8);
  assert.equal(gapped({}, stampMs + STAMP_WINDOW_MS - HOUR).stalled, undefined);
  assert.deepEqual(gapped({}, stampMs + STAMP_WINDOW_MS).stalled, { newestMs: stampMs });
  // Without a gap nothing is stalled.
  assert.equal(groupExports([part(1, 2 * GB, { createdMs: 0 })], NOW)[0].stalled, undefined);
});
