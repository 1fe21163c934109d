/**
 * The demo's generated Google Photos library (300 photos and videos over nine years): one definition
 * for `deno task demo` and for `deno task screenshot`'s picture of its report page.
 * @module
 */
import { type FixtureItem, generateLibrary } from "../testing/library_fixture.ts";

/** The demo library's items. */
export function demoLibrary(): FixtureItem[] {
  return generateLibrary({ count: 300, seed: 2026, from: "2016-01-01", to: "2024-12-31" });
}
