/**
 * Committing a staged Takeout file: hash it (its identity), then store it once per content,
 * date it (sidecar, EXIF, file name, entry time) and hand it to the shared place and record
 * step; or drop it as a copy of a file already there. Either way the entry's checkpoint is
 * written, so that a re-run skips it without reading it.
 * @module
 */
import type { Placer } from "../../core/place.ts";
import { type TempFile, UnsafePathError } from "../../core/output_tree.ts";
import type { Store } from "../../core/store.ts";
import type { ArchiveSource } from "./archive_source.ts";
import type { MediaPlan } from "./catalog.ts";
import { captureTime, type DateSource } from "./capture_time.ts";
import { EXIF_HEAD_BYTES } from "./exif_date.ts";
import { Fingerprinter } from "./fingerprint.ts";
import { isVideoName } from "./motion.ts";
import { doneKey } from "./plan.ts";
import { storedFileName } from "./stored_name.ts";

export type { DateSource } from "./capture_time.ts";

/** What became of a committed file. */
export type Committed =
  | {
    kind: "imported";
    id: string;
    path: string;
    size: number;
    dateSource: DateSource;
    /** The date rules passed over because their value was no date. */
    skipped: string[];
  }
  /** Its content is stored already: by an earlier run, or (a duplicate) by this one. */
  | { kind: "already present" | "duplicate"; id: string; size: number };

/** Commits staged files one at a time, in the order they are given. */
export class Committer {
  readonly #store: Store;
  readonly #placer: Placer;
  readonly #fingerprinter = new Fingerprinter();
  /**
   * Contents committed by this run, by the first 48 bits of their digest: a number, not the 64
   * characters (which took about 100 bytes per file). Two contents sharing them (about one chance
   * in 10^5 for 100,000 files) only count one as a duplicate instead of as already present.
   */
  readonly #seen = new Set<number>();
  /** Album members committed, for the album links made at the end. */
  readonly albumLinks: { title: string; id: string }[] = [];

  constructor(store: Store, placer: Placer) {
    this.#store = store;
    this.#placer = placer;
  }

  /**
   * Commit `media`, staged as `staged`, from `input`. The temporary file is gone afterwards
   * (placed or removed).
   */
  async commit(input: ArchiveSource, media: MediaPlan, staged: TempFile): Promise<Committed> {
    const { temp, size } = staged;
    // The first bytes, for the EXIF reader, only when no sidecar dates the file.
    const headBytes = media.sidecar?.data.takenMs === undefined ? EXIF_HEAD_BYTES : 0;
    const { digest, head } = await this.#fingerprinter.of(temp, headBytes).catch(async (error) => {
      await Deno.remove(temp).catch(() => {});
      throw error;
    });
    const id = `takeout:${digest}`;
    let committed: Committed;
    if (this.#store.item(id)?.status === "downloaded") {
      await Deno.remove(temp).catch(() => {});
      committed = { kind: this.#seen.has(seenKey(digest)) ? "duplicate" : "already present", id, size };
    } else {
      const { ms, source, skipped } = await captureTime(media, head);
      this.#store.saveBatch({
        source: "takeout",
        items: [{
          id,
          source: "takeout",
          filename: media.editedOf || media.motionOf
            ? media.name
            : storedFileName(media.name, media.sidecar?.data.title),
          createdMs: ms,
          isVideo: isVideoName(media.name),
          json: JSON.stringify(metadataOf(media, source, input.name)),
          hash: digest,
        }],
      });
      const [row] = this.#placer.settle([this.#store.item(id)!]);
      const path = await this.#placer.place(row, staged, new Date(ms), digest).catch((error) => {
        // A link or a file in the way (`DIR/2020 -> elsewhere`): as in `sync`, the item waits with
        // the reason, the run goes on, and the entry (no checkpoint) is tried again next time.
        if (error instanceof UnsafePathError) this.#store.markFailed(id, error.message);
        throw error;
      });
      // Recorded before the entry's checkpoint: a crash in between commits the entry again.
      this.#placer.flush();
      committed = { kind: "imported", id, path, size, dateSource: source, skipped };
    }
    this.#seen.add(seenKey(digest));
    if (media.album) {
      this.#store.addToAlbum({ id: media.album.id, source: "takeout", title: media.album.title }, [id]);
      this.albumLinks.push({ title: media.album.title, id });
    }
    this.#store.updateCheckpoints("takeout", {
      put: [{ key: doneKey(input.name, media.entry.path, media.entry.size), value: id }],
    });
    return committed;
  }
}

/** What {@link Committer} keeps of a digest (hex): its first 48 bits. */
const seenKey = (digest: string) => parseInt(digest.slice(0, 12), 16);

/** What `sync.db` keeps of a Takeout file: its sidecar's metadata and how it was matched. */
function metadataOf(media: MediaPlan, dateSource: DateSource, archive: string) {
  const data = media.sidecar?.data;
  return {
    takeout: {
      archive,
      entry: media.entry.path,
      sidecar: media.sidecar?.name,
      rule: media.sidecar?.rule,
      dateSource,
    },
    ...(data ?? {}),
    ...(media.editedOf ? { editedOf: media.editedOf } : {}),
    ...(media.motionOf ? { motionOf: media.motionOf } : {}),
  };
}
