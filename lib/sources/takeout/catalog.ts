/**
 * The first pass over a Takeout export: list every entry of every archive, read the small
 * JSON files (sidecars, album metadata), and decide for each media file which sidecar it
 * takes, which album its folder is, and what it is (an edited copy, a motion photo's video).
 * A file's sidecar may sit in another archive: folders are matched across all archives.
 * @module
 */
import type { ArchiveSource } from "./archive_source.ts";
import { editedOriginal } from "./edited.ts";
import { isMediaName, pairMotionPhotos } from "./motion.ts";
import { albumTitle, parseSidecar, type SidecarData } from "./sidecar.ts";
import { isSidecarName, matchSidecars } from "./sidecar_names.ts";
import nonSidecarNames from "./non_sidecar_names.json" with { type: "json" };

/** JSON files of one zip or folder read at once. */
const JSON_READS_AT_ONCE = 8;

/** JSON files larger than this are no sidecar or album metadata, and are not read. */
const MAX_JSON_BYTES = 1 << 20;

const ALBUM_METADATA = new Set(
  nonSidecarNames.albumMetadata.map((name) => name.normalize("NFC").toLowerCase()),
);

/** Where an entry is: its archive (index into the inputs) and path inside. */
export interface EntryRef {
  archive: number;
  path: string;
  size: number;
  mtimeMs: number;
}

/** A media file of the export and what the catalog found out about it. */
export interface MediaPlan {
  entry: EntryRef;
  /** The file's own name (last path segment). */
  name: string;
  /** The folder (full path inside the archive) it sits in. */
  folder: string;
  sidecar?: { name: string; rule: string; data: SidecarData; ambiguous?: string[] };
  /** The original this edited copy was made from (same folder). */
  editedOf?: string;
  /** The still photo whose video part this is (same folder). */
  motionOf?: string;
  /** The album its folder is, when the folder is an album. */
  album?: { id: string; title: string };
}

/** What the first pass found. */
export interface Catalog {
  media: MediaPlan[];
  /** Entries counted as sidecars used by a media file. */
  sidecarsUsed: EntryRef[];
  /** JSON files that look like sidecars but no media file took. */
  unmatchedSidecars: EntryRef[];
  /** Everything else: album metadata, account files, web pages. */
  notMedia: EntryRef[];
  /** Entries in all archives. */
  entries: number;
  /** Archives that could not be listed, with why. */
  damaged: { archive: number; error: string }[];
  /** JSON entries whose bytes could not be read (a corrupt entry), with why. */
  unreadable: { ref: EntryRef; error: string }[];
}

interface JsonFile {
  ref: EntryRef;
  name: string;
  sidecar?: SidecarData;
  albumTitle?: string;
}

/**
 * List and match every entry of `inputs`. A damaged archive is reported; the others are read.
 * Once `signal` aborts, no further entry is read and its reason is thrown.
 */
export async function catalog(inputs: readonly ArchiveSource[], signal?: AbortSignal): Promise<Catalog> {
  const folders = new Map<string, { media: { ref: EntryRef; name: string }[]; json: JsonFile[] }>();
  const result: Catalog = {
    media: [],
    sidecarsUsed: [],
    unmatchedSidecars: [],
    notMedia: [],
    entries: 0,
    damaged: [],
    unreadable: [],
  };
  for (const [archive, input] of inputs.entries()) {
    // JSON files of a zip or folder are read a few at a time (each read waits mostly on the
    // disk), and taken in the archive's order, so that matching never depends on timing.
    const window = input.sequential ? 1 : JSON_READS_AT_ONCE;
    const reading: Promise<void>[] = [];
    try {
      for await (const entry of input.entries()) {
        signal?.throwIfAborted();
        result.entries++;
        const ref: EntryRef = { archive, path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs };
        const { folder, name } = splitPath(entry.path);
        let group = folders.get(folder);
        if (!group) folders.set(folder, group = { media: [], json: [] });
        if (entry.link) {
          result.notMedia.push(ref);
        } else if (/\.json$/i.test(name) && entry.size <= MAX_JSON_BYTES) {
          const text = new Response(entry.body()).text();
          text.catch(() => {}); // Awaited in order below.
          const json = group.json;
          const previous = reading.at(-1);
          reading.push((async () => {
            await previous;
            try {
              const read = await text;
              json.push({
                ref,
                name,
                sidecar: parseSidecar(read),
                albumTitle: albumMetadataTitle(name, read),
              });
            } catch (error) {
              // A zip goes on past a corrupt entry; a tar stream cannot, and the archive is reported.
              if (input.sequential) throw error;
              result.unreadable.push({ ref, error: (error as Error).message });
            }
          })());
          if (reading.length >= window) await reading.shift();
        } else if (isMediaName(name)) {
          group.media.push({ ref, name });
        } else {
          result.notMedia.push(ref);
        }
      }
      await reading.at(-1);
    } catch (error) {
      await Promise.allSettled(reading);
      if (signal?.aborted) throw signal.reason;
      result.damaged.push({ archive, error: (error as Error).message });
    }
  }
  for (const [folder, group] of folders) matchFolder(folder, group, result);
  return result;
}

/** Match one folder's media files to its sidecars, edited copies to originals, videos to stills. */
function matchFolder(
  folder: string,
  group: { media: { ref: EntryRef; name: string }[]; json: JsonFile[] },
  result: Catalog,
): void {
  const metadata = group.json.find((file) => file.albumTitle !== undefined);
  // A folder with an album's metadata.json is an album; its title is localised there.
  const album = metadata
    ? {
      id: `takeout:${folder}`,
      title: metadata.albumTitle || folder.split(/[/\\]/).filter(Boolean).pop() || "album",
    }
    : undefined;
  const sidecars = group.json.filter((file) => file !== metadata && file.sidecar && isSidecarName(file.name));
  const names = group.media.map((media) => media.name);
  const matches = matchSidecars(
    names,
    sidecars.map((file) => ({ name: file.name, title: file.sidecar?.title })),
  );
  const byName = new Map(sidecars.map((file) => [file.name, file]));
  const used = new Set<string>();
  const plans = new Map<string, MediaPlan>();
  for (const { ref, name } of group.media) {
    const plan: MediaPlan = { entry: ref, name, folder, album };
    const match = matches.get(name);
    if (match) {
      const file = byName.get(match.sidecar)!;
      plan.sidecar = {
        name: match.sidecar,
        rule: match.rule,
        data: file.sidecar!,
        ambiguous: match.ambiguous,
      };
      used.add(match.sidecar);
    }
    plans.set(name, plan);
  }
  const lowerNames = new Map(names.map((name) => [name.toLowerCase(), name]));
  const motion = pairMotionPhotos(names);
  for (const plan of plans.values()) {
    if (plan.sidecar) continue;
    const original = editedOriginal(plan.name);
    const originalName = original && lowerNames.get(original.toLowerCase());
    const still = motion.get(plan.name);
    const from = originalName ? plans.get(originalName) : still ? plans.get(still) : undefined;
    if (originalName) plan.editedOf = originalName;
    else if (still) plan.motionOf = still;
    if (from?.sidecar) {
      plan.sidecar = {
        ...from.sidecar,
        rule: `${originalName ? "edited copy of" : "motion video of"} ${from.name}`,
      };
    }
  }
  result.media.push(...plans.values());
  for (const file of group.json) {
    if (file === metadata) result.notMedia.push(file.ref);
    else if (used.has(file.name)) result.sidecarsUsed.push(file.ref);
    else if (file.sidecar) result.unmatchedSidecars.push(file.ref);
    else result.notMedia.push(file.ref);
  }
}

/** An album's title when `name`/`text` is an album's `metadata.json` (localised), else undefined. */
function albumMetadataTitle(name: string, text: string): string | undefined {
  if (!ALBUM_METADATA.has(name.normalize("NFC").toLowerCase())) return undefined;
  return albumTitle(text) ?? "";
}

/** The folder part and the file name of an entry path (either separator). */
function splitPath(path: string): { folder: string; name: string } {
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return { folder: path.slice(0, at + 1), name: path.slice(at + 1) };
}
