/**
 * Checking a backup against sync.db (`photosync verify`): every recorded file re-read and its size
 * and sha256 compared with the record, on the hash workers (a worker per core); files in the folder
 * that sync.db does not know; and, to repair, a changed file moved aside (never overwritten in
 * place, so that a user's edit is never lost). Which source puts a file back is the run's business
 * (`lib/verify.ts`).
 * @module
 */
import { join, relative, sep } from "node:path";
import type { HashPool } from "./hash_pool.ts";
import type { Logger } from "./logger.ts";
import { isPlacedMtime, type OutputTree, RESERVED_NAMES } from "./output_tree.ts";
import type { RecordedFile, SourceName, Store } from "./store.ts";
import { xmpOwnerOf } from "./xmp_sidecars.ts";

/** Files checked at once: enough to keep every hash worker busy while the next are looked at. */
const IN_FLIGHT_PER_WORKER = 4;

/** A recorded file that is not as recorded. */
export interface Problem {
  id: string;
  source: string;
  path: string;
  /** What is wrong: `missing`, or how it changed. */
  kind: "missing" | "changed";
  detail?: string;
  /** The recorded sha256, where there is one (what a repaired file must hash to). */
  hash: string | null;
}

/** What {@link checkFiles} found. */
export interface CheckResult {
  files: number;
  bytes: number;
  problems: Problem[];
  /** Hashes of the files that had none, taken now (their size and mtime were as recorded): for the caller to record. */
  taken: { id: string; hash: string }[];
}

/**
 * Check every file sync.db records (or only `only`, by id) in `root`: missing, another size,
 * other bytes than its recorded sha256. A file without a hash (placed before photosync kept one
 * for every file, or by a run stopped before it recorded it) is hashed, its hash returned to be
 * recorded, when its size and mtime are as photosync left them; otherwise it counts as changed.
 */
export async function checkFiles(
  options: {
    store: Store;
    root: string;
    pool: HashPool;
    logger: Logger;
    only?: ReadonlySet<string>;
    /**
     * The sources whose items were queued again once their file went missing or changed (see
     * `Store.unrestoredFiles`): each such item not downloaded since is missing, unless its file is
     * back at its path with its recorded bytes (placed by a run stopped before it recorded it).
     */
    requeuedOf?: readonly SourceName[];
    /** The run's stop (Ctrl-C): no file is started after it, and its reason is thrown. */
    signal?: AbortSignal;
  },
): Promise<CheckResult> {
  const { store, root, pool, logger, only, signal } = options;
  const files = [...store.recordedFiles()].filter((file) => !only || only.has(file.id));
  const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
  const result: CheckResult = { files: files.length, bytes: bytesTotal, problems: [], taken: [] };
  const found: Problem[] = [];
  let done = 0;
  let bytes = 0;
  logger.progress({ action: "verified", filesTotal: files.length, bytesTotal, files: 0, bytes: 0 });
  const check = async (file: RecordedFile): Promise<void> => {
    const problem = await checkOne(file, root, pool, result.taken);
    if (problem) found.push(problem);
    done++;
    bytes += file.size;
    logger.progress({ files: done, bytes });
  };
  let next = 0;
  const lanes = Array.from(
    { length: (navigator.hardwareConcurrency || 1) * IN_FLIGHT_PER_WORKER },
    async () => {
      while (next < files.length) {
        signal?.throwIfAborted();
        await check(files[next++]);
      }
    },
  );
  await Promise.all(lanes);
  for (const file of store.unrestoredFiles(options.requeuedOf ?? [])) {
    if (only && !only.has(file.id)) continue;
    signal?.throwIfAborted();
    const absolute = join(root, ...file.path.split("/"));
    const back = await Deno.lstat(absolute).then((stat) => stat.isFile, () => false) &&
      await pool.hash(absolute).then((taken) => taken.digest === file.hash, () => false);
    if (back) continue;
    const { id, source, path, hash } = file;
    const detail = file.note
      ? `not restored: ${file.note}`
      : "queued again by an earlier run, not downloaded since";
    found.push({ id, source, path, kind: "missing", detail, hash });
  }
  // In the order sync.db lists them, whatever order the workers finished in (the unrestored last).
  const order = new Map(files.map((file, i) => [file.id, i]));
  const at = (problem: Problem) => order.get(problem.id) ?? files.length;
  result.problems = found.sort((a, b) => at(a) - at(b));
  return result;
}

async function checkOne(
  file: RecordedFile,
  root: string,
  pool: HashPool,
  hashedNow: { id: string; hash: string }[],
): Promise<Problem | undefined> {
  const { id, source, path, hash } = file;
  const problem = (kind: Problem["kind"], detail?: string): Problem => ({
    id,
    source,
    path,
    kind,
    ...(detail ? { detail } : {}),
    hash,
  });
  const absolute = join(root, ...path.split("/"));
  const stat = await Deno.lstat(absolute).catch(() => undefined);
  if (!stat?.isFile) return problem("missing");
  if (stat.size !== file.size) return problem("changed", `${stat.size} bytes, recorded ${file.size}`);
  if (hash === null) {
    const mtime = stat.mtime?.getTime();
    if (mtime === undefined || !isPlacedMtime(mtime, file.createdMs)) {
      return problem("changed", "no hash recorded, and modified since photosync placed it");
    }
  }
  let digest: string;
  try {
    const taken = await pool.hash(absolute);
    if (taken.size !== file.size) return problem("changed", `${taken.size} bytes, recorded ${file.size}`);
    digest = taken.digest;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return problem("missing");
    return problem("changed", `cannot be read: ${(error as Error).message}`);
  }
  if (hash === null) hashedNow.push({ id, hash: digest });
  else if (digest !== hash) return problem("changed", "its bytes differ from the recorded sha256");
  return undefined;
}

/**
 * The files under `root` that sync.db does not know (relative, `/`-separated, sorted): not the
 * database, its lock, the temporary folder, the album links, kept changed files, Takeout reports,
 * the XMP sidecars of known files (`IMG_1.jpg.xmp`, `--xmp`'s or a photo program's: no photo), nor
 * `alsoKnown` (the names stopped moves left of known files: {@link leftNames}).
 */
export async function unknownFiles(
  store: Store,
  root: string,
  alsoKnown: Iterable<string> = [],
): Promise<string[]> {
  // Every path an item holds, recorded or not yet (a file placed just before a crash is its item's).
  const known = new Set([...store.itemPaths(), ...alsoKnown]);
  const unknown: string[] = [];
  const walk = async (dir: string, top: boolean): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (top) {
        // photosync's own: sync.db, the album links, kept changed files, the report page (`RESERVED_NAMES`).
        if (RESERVED_NAMES.has(entry.name.toLowerCase())) continue;
        if (/^takeout-report-.*\.tsv$/.test(entry.name) || entry.name.startsWith(".photosync-write-test-")) {
          continue;
        }
      }
      if (entry.isDirectory) await walk(path, false);
      else if (entry.isFile) {
        const relativePath = relative(root, path).split(sep).join("/");
        const owner = xmpOwnerOf(relativePath);
        if (!known.has(relativePath) && !(owner !== undefined && known.has(owner))) {
          unknown.push(relativePath);
        }
      }
    }
  };
  await walk(root, true);
  return unknown.sort();
}

/** A name a stopped move left of a known file: the very file at `of`, its item's path now. */
export interface LeftName {
  path: string;
  of: string;
}

/**
 * The names moves stopped between a file's hard link at its new path and the removal of its old name left
 * (recorded in sync.db, see `Store.arrivedFrom`) that are still the very file its item holds
 * (`OutputTree.secondName`): no unknown file, no copy, but the photo seen twice until a run that places files
 * removes the name (`finishStoppedMoves`). A look: two calls each, where a move was stopped.
 */
export function leftNames(store: Store, tree: OutputTree): LeftName[] {
  return store.secondNames().flatMap(({ path, id }) => {
    const row = store.item(id);
    return row?.status === "downloaded" && row.path && tree.secondName(path, row.path)
      ? [{ path, of: row.path }]
      : [];
  });
}
