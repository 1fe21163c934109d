/**
 * A file or folder the CLI under test cannot change, for the tests of what it does then: root writes through
 * file modes, so as root it is made immutable too (`chattr +i`), which stops root as well.
 * @module
 */
import assert from "node:assert/strict";

/**
 * Makes the file or folder at `path` one that cannot be written to (a folder: no entry made in it or removed
 * from it) until disposed: its mode set to `mode` and, as root, immutable too. Disposing lifts the
 * immutability and, given `restore`, sets that mode again (else the mode stays).
 */
export async function locked(
  path: string,
  { mode, restore }: { mode: number; restore?: number },
): Promise<AsyncDisposable> {
  await Deno.chmod(path, mode);
  const asRoot = Deno.uid() === 0;
  if (asRoot) await chattr("+i", path);
  return {
    async [Symbol.asyncDispose]() {
      if (asRoot) await chattr("-i", path);
      if (restore !== undefined) await Deno.chmod(path, restore);
    },
  };
}

/**
 * Makes the folder at `path` append-only until disposed (`chattr +a`, root only): names are made in it (a file
 * linked or moved in) and none removed, as a move finds a folder whose file it has linked elsewhere and cannot
 * unlink (a kill at that moment leaves the same: the file under both names).
 */
export async function appendOnly(path: string): Promise<AsyncDisposable> {
  assert.equal(Deno.uid(), 0, "chattr +a needs root");
  await chattr("+a", path);
  return { [Symbol.asyncDispose]: () => chattr("-a", path) };
}

async function chattr(flag: string, path: string) {
  const { code, stderr } = await new Deno.Command("chattr", { args: [flag, path], stderr: "piped" }).output();
  assert.equal(code, 0, `chattr ${flag} ${path}: ${new TextDecoder().decode(stderr)}`);
}
