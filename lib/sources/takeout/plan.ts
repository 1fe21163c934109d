/**
 * What the second pass of a Takeout import goes through: the media files the catalog found,
 * less the trash (unless asked for), by archive and entry path. Each entry has its own plan: an
 * archive may hold one path twice.
 * @module
 */
import type { Catalog, MediaPlan } from "./catalog.ts";

/** The media files to import. */
export interface ImportPlan {
  /** In the catalog's order. */
  wanted: MediaPlan[];
  /**
   * For each archive (by its index among the inputs), its wanted media files by entry path: the
   * plans of the entries of one path in the archive's order (the catalog's).
   */
  archives: PlansByPath[];
  /** Media files left out as trash. */
  trashed: number;
}

/** Plan the import of `catalog`'s media files from `archiveCount` archives. */
export function planImport(
  catalog: Catalog,
  options: { archiveCount: number; includeTrashed: boolean },
): ImportPlan {
  const wanted = catalog.media.filter((media) => options.includeTrashed || !media.sidecar?.data.trashed);
  const archives = Array.from({ length: options.archiveCount }, () => new PlansByPath());
  for (const media of wanted) archives[media.entry.archive].add(media);
  return { wanted, archives, trashed: catalog.media.length - wanted.length };
}

/**
 * One archive's plans by entry path, each path's in the archive's order. A path held once (nearly
 * every one) maps to its plan itself, not to an array of one: about 50 bytes less an entry.
 */
export class PlansByPath {
  readonly #plans = new Map<string, MediaPlan | MediaPlan[]>();

  /** Paths with plans left. */
  get size(): number {
    return this.#plans.size;
  }

  /** The paths with plans left, in the order they were added. */
  keys(): IterableIterator<string> {
    return this.#plans.keys();
  }

  /** The plans left of `path`, in order; undefined when none. */
  get(path: string): MediaPlan[] | undefined {
    const plans = this.#plans.get(path);
    return plans === undefined || Array.isArray(plans) ? plans : [plans];
  }

  /** Add `media` after the plans of its entry's path. */
  add(media: MediaPlan): void {
    const { path } = media.entry;
    const plans = this.#plans.get(path);
    if (plans === undefined) this.#plans.set(path, media);
    else if (Array.isArray(plans)) plans.push(media);
    else this.#plans.set(path, [plans, media]);
  }

  /** Take the first plan of `path`: the k-th entry of a path is its k-th plan. */
  take(path: string): MediaPlan | undefined {
    const plans = this.#plans.get(path);
    if (plans === undefined || !Array.isArray(plans)) {
      this.#plans.delete(path);
      return plans;
    }
    const first = plans.shift();
    if (plans.length === 0) this.#plans.delete(path);
    return first;
  }

  /** Put `media` back as the first plan of its path (an entry not taken after all). */
  putBack(media: MediaPlan): void {
    const { path } = media.entry;
    const plans = this.#plans.get(path);
    if (plans === undefined) this.#plans.set(path, media);
    else this.#plans.set(path, [media, ...(Array.isArray(plans) ? plans : [plans])]);
  }

  /** Every plan left. */
  *all(): Generator<MediaPlan> {
    for (const plans of this.#plans.values()) {
      if (Array.isArray(plans)) yield* plans;
      else yield plans;
    }
  }
}
