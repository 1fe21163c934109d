/**
 * XMP sidecars in the output tree: `<file name>.xmp` next to each placed file (`IMG_1.jpg.xmp`),
 * written at the end of a run of a folder that has `--xmp`, from what `sync.db` knows. The media
 * bytes are never touched. One pass over the placed items writes the missing sidecars and
 * rewrites those whose content changed (a newer export, a re-sync, an album found later); an
 * `.xmp` file photosync did not write, or one it wrote that was edited since, is never replaced.
 * @module
 */
import type { Hash } from "node:crypto";
import { FileSystemError, type NewEntry, type OutputTree } from "./output_tree.ts";
import type { Logger } from "./logger.ts";
import type { Store } from "./store.ts";
import { isOwnXmp, isPristineXmp, renderXmp, withSharedFields, xmpFieldsOf } from "./xmp.ts";

/** The sidecar's path of the file at `path` (relative, `/`-separated): `IMG_1.jpg` → `IMG_1.jpg.xmp`. */
export const xmpPathOf = (path: string): string => `${path}.xmp`;

/** The file whose sidecar the path would be (`IMG_1.jpg.xmp` → `IMG_1.jpg`), or undefined for no `.xmp`. */
export const xmpOwnerOf = (path: string): string | undefined =>
  path.endsWith(".xmp") ? path.slice(0, -".xmp".length) : undefined;

/** What {@link writeXmpSidecars} did. */
export interface XmpResult {
  /** Sidecars written: new or rewritten. */
  written: number;
  /** Sidecars left as they were: an `.xmp` photosync did not write is in the way. */
  foreign: number;
  /** Sidecars left as they were: photosync wrote them, and someone (a photo program, the user) edited them since. */
  edited: number;
}

/**
 * Under which `sync.db` keeps the digests of the sidecars photosync wrote (as resume points of this
 * pseudo-source, keyed by the id of the item holding the file): `<written> [<replaced>]`, the digest of the
 * text it wrote last and, when that write replaced a sidecar of its own, of the one it replaced. A sidecar
 * whose bytes are neither was edited since (by the user, digiKam, darktable: they keep `<file>.xmp` and our
 * fields in it), and is the user's from then on. In a folder whose earlier files are stored elsewhere (a CI
 * job's) the digest also tells, with no sidecar to compare with, whether what it says changed.
 */
const WRITTEN = "xmp";

/**
 * `createHash` of node:crypto, loaded by the first pass over sidecars: Deno's node:crypto costs about 40 ms
 * of CPU to load, which a run that writes no sidecar (a folder without `--xmp`) and a `verify` (which only
 * tells sidecars by their names) need not pay.
 */
let createHash: Promise<(algorithm: string) => Hash> | undefined;

/** The digest recorded of a sidecar's text (16 hex digits of its sha256), node:crypto loaded first. */
async function digester(): Promise<(text: string) => string> {
  const hash = await (createHash ??= import("node:crypto").then((crypto) => crypto.createHash));
  return (text) => hash("sha256").update(text).digest("hex").slice(0, 16);
}

/** The digests recorded for item `id`'s sidecar (see {@link WRITTEN}): none, or the last written first. */
const recordedDigests = (value: string | undefined): string[] => value ? value.split(" ") : [];

/**
 * Whose the sidecar text `was` (at the sidecar path of an item with the recorded digests `recorded`) is:
 * `foreign`, without photosync's namespace (never photosync's); `ours`, the bytes photosync wrote (a digest
 * recorded), or where none is recorded (an earlier photosync wrote it), exactly photosync's form with nothing
 * else in it ({@link isPristineXmp}); else `edited`: photosync's, edited since, now the user's.
 */
function ownerOf(
  was: string,
  recorded: readonly string[],
  digestOf: (text: string) => string,
): "foreign" | "ours" | "edited" {
  if (!isOwnXmp(was)) return "foreign";
  const ours = recorded.length > 0 ? recorded.includes(digestOf(was)) : isPristineXmp(was);
  return ours ? "ours" : "edited";
}

/** Sidecars written (and their digests recorded) at once: one transaction for the digests of so many. */
const WRITE_BATCH = 500;

/**
 * Write the XMP sidecar of every placed item whose sidecar is missing or says something else than
 * `sync.db` now does. Items whose file is not there are passed over (a later run places them); in a
 * folder whose earlier files are stored elsewhere (`OutputTree.filesElsewhere`: a CI job's), the sidecar
 * of an item stored there is written when it says something else than the one last written (a later
 * export's date or description), and listed with the run's new files, for the job to store it too.
 * A sidecar someone edited since photosync wrote it (see {@link ownerOf}) is left as it is, and the run
 * says how many there are. A full disk stops the pass (a {@link FileSystemError}); another failure to
 * write one sidecar is logged and the pass goes on.
 */
export async function writeXmpSidecars(
  { store, tree, logger, onFile }: {
    store: Store;
    tree: OutputTree;
    logger: Logger;
    /** Told of each sidecar written (relative path): a run's new files (`--new-files`) include them. */
    onFile?: (path: string, entry: NewEntry) => void;
  },
): Promise<XmpResult> {
  const result: XmpResult = { written: 0, foreign: 0, edited: 0 };
  const digestOf = await digester();
  const lookup = store.checkpointLookup(WRITTEN);
  /** Digests to record, each with the sidecar to write after (none: it is there already). */
  const batch: { key: string; value: string; write?: { path: string; text: string; of: string } }[] = [];
  // The digests are recorded before their sidecars are written: a run stopped in between leaves each
  // sidecar as it was (the digest it replaces is recorded too) or as recorded, photosync's either way.
  const flush = async () => {
    store.updateCheckpoints(WRITTEN, { put: batch.map(({ key, value }) => ({ key, value })) });
    for (const { write } of batch.splice(0)) {
      if (!write) continue;
      try {
        await tree.writeSmall(write.path, write.text);
        result.written++;
        onFile?.(write.path, "sidecar");
      } catch (error) {
        if (error instanceof FileSystemError && /disk is full/.test(error.message)) throw error;
        logger.warn(`no XMP sidecar for ${write.of}: ${(error as Error).message}`);
      }
    }
  };
  try {
    for (const row of store.downloaded()) {
      if (!row.path || row.size === null) continue;
      const here = tree.holds(row.path, row.size);
      if (!here && !(tree.filesElsewhere && tree.keeps(row.path, row.size))) continue;
      const path = xmpPathOf(row.path);
      // With what the items sharing its file (the same bytes from another source) know: their albums too.
      let fields = xmpFieldsOf(row, [...new Set(store.albumsOfFile(row.id).map((album) => album.title))]);
      for (const sharer of store.itemsSharing(row.id)) fields = withSharedFields(fields, xmpFieldsOf(sharer));
      const text = renderXmp(fields);
      const digest = digestOf(text);
      const recorded = recordedDigests(lookup(row.id));
      // A sidecar stored elsewhere is compared by its digest; one here, by its text (it may be gone).
      if (!here && recorded[0] === digest) continue;
      let replaced: string | undefined;
      if (tree.occupied(path)) {
        const was = await tree.readSmall(path);
        if (was === text) {
          // As photosync writes it now: only its digest to record, where it is not yet.
          if (recorded[0] !== digest) batch.push({ key: row.id, value: digest });
          if (batch.length >= WRITE_BATCH) await flush();
          continue;
        }
        const owner = was === undefined ? "foreign" : ownerOf(was, recorded, digestOf);
        if (owner === "foreign") {
          result.foreign++;
          logger.verbose(`kept ${path} (not photosync's): no XMP sidecar written for ${row.path}`);
          continue;
        }
        if (owner === "edited") {
          result.edited++;
          logger.verbose(`kept ${path} (edited since photosync wrote it): not updated`);
          continue;
        }
        replaced = digestOf(was!);
      }
      batch.push({
        key: row.id,
        value: replaced === undefined ? digest : `${digest} ${replaced}`,
        write: { path, text, of: row.path },
      });
      if (batch.length >= WRITE_BATCH) await flush();
    }
    await flush();
  } finally {
    await tree.removeTemp();
  }
  if (result.written > 0) {
    logger.info(`${result.written} XMP ${result.written === 1 ? "sidecar" : "sidecars"} written`);
  }
  if (result.edited > 0) {
    const one = result.edited === 1;
    logger.info(
      `kept ${result.edited} XMP ${one ? "sidecar" : "sidecars"} edited since photosync wrote ${
        one ? "it" : "them"
      } (not updated: remove one to have photosync write it anew; --verbose names them)`,
    );
  }
  return result;
}

/**
 * The sidecar beside item `id`'s file at `path`, which the file leaves (moved to `to`, or removed: no `to`).
 * photosync's own goes (written anew beside the file at the run's end); one edited since (see
 * {@link ownerOf}) is the user's: it goes with the file, where nothing is at the sidecar path there, else
 * stays. Returns what became of it: `none` (no sidecar of photosync's there, or it went), `moved`, `kept`.
 */
export async function leaveXmpSidecar(
  { store, tree }: { store: Store; tree: OutputTree },
  id: string,
  path: string,
  to?: string,
): Promise<"none" | "moved" | "kept"> {
  const xmp = xmpPathOf(path);
  if (!tree.occupied(xmp)) return "none";
  const text = await tree.readSmall(xmp);
  const owner = text === undefined
    ? "foreign"
    : ownerOf(text, recordedDigests(store.checkpoint(WRITTEN, id)), await digester());
  if (owner === "foreign") return "none";
  if (owner === "ours") {
    await tree.remove(xmp);
    return "none";
  }
  if (to === undefined || to === path) return "kept";
  // Its time is the user's edit: kept as it is.
  return await tree.move(xmp, xmpPathOf(to)) === "moved" ? "moved" : "kept";
}
