/**
 * Checks on the output directory before anything is written to it.
 * @module
 */
import { UsageError } from "./errors.ts";

/** Create `dir` if missing and make sure it is a writable folder, or throw {@link UsageError}. */
export async function prepareOutputDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) {
      throw new UsageError(`--dir ${dir} cannot be created: ${(error as Error).message}`, { cause: error });
    }
  }
  const stat = await Deno.stat(dir);
  if (!stat.isDirectory) throw new UsageError(`--dir ${dir} is a file, not a folder; choose another --dir`);
  try {
    await Deno.remove(await Deno.makeTempFile({ dir, prefix: ".photosync-write-test-" }));
  } catch (error) {
    throw new UsageError(`--dir ${dir} is not writable (${(error as Error).message}); choose another --dir`, {
      cause: error,
    });
  }
}
