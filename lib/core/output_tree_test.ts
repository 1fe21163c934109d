import assert from "node:assert/strict";
import { join } from "node:path";
import {
  BodyError,
  FileSystemError,
  isPlacedMtime,
  type LinkCalls,
  NoFileError,
  NoLinksError,
  OutputTree,
  sameFile,
  UnsafePathError,
} from "./output_tree.ts";
import { noSymlinks } from "./test_link_calls.ts";

/** An output tree in a fresh temporary folder (its temporary folder made), removed at the end. */
async function tempTree() {
  const root = await Deno.makeTempDir({ prefix: "photosync-tree-test-" });
  const tree = new OutputTree(root);
  await tree.clearTemp();
  return { tree, root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

const bytes = (size: number, seed = 1) => new Uint8Array(size).map((_, i) => (i * 31 + seed) % 251);

/** A body giving `chunk` then failing with `error`. */
function failingBody(chunk: Uint8Array, error: Error): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(chunk);
    },
    pull(controller) {
      controller.error(error);
    },
  });
}

const tempFiles = (tree: OutputTree) => [...Deno.readDirSync(tree.tempDir)].map((entry) => entry.name);

Deno.test("OutputTree.writeTemp: the body's bytes in the temporary file, its size checked against the expected", async () => {
  await using t = await tempTree();
  const data = bytes(200_000);
  const staged = await t.tree.writeTemp(ReadableStream.from([data]), {
    tempName: "a.part",
    expectedSize: data.length,
  });
  assert.deepEqual(staged, { temp: join(t.tree.tempDir, "a.part"), size: data.length });
  assert.deepEqual(await Deno.readFile(staged.temp), data);

  // One byte short of what was announced: the network's fault, and nothing is kept.
  const short = await t.tree.writeTemp(ReadableStream.from([data]), {
    tempName: "b.part",
    expectedSize: data.length + 1,
  })
    .catch((error) => error);
  assert.ok(short instanceof BodyError, String(short));
  assert.match(short.message, /cut short: 200000 of 200001 bytes/);
  // One byte more: said as such (not "cut short"), and nothing is kept either.
  const long = await t.tree.writeTemp(ReadableStream.from([data]), {
    tempName: "c.part",
    expectedSize: data.length - 1,
  })
    .catch((error) => error);
  assert.ok(long instanceof BodyError, String(long));
  assert.equal(long.message, "download longer than its size: 200000 bytes, not 199999");
  assert.deepEqual(tempFiles(t.tree), ["a.part"]);
});

Deno.test("OutputTree.writeTemp: a body that breaks off is a BodyError, a file that cannot be written a FileSystemError", async () => {
  await using t = await tempTree();
  const broken = await t.tree.writeTemp(failingBody(bytes(1000), new Error("connection reset")), {
    tempName: "broken.part",
  }).catch((error) => error);
  assert.ok(broken instanceof BodyError, String(broken));
  assert.match(broken.message, /broke off: connection reset/);
  assert.deepEqual(tempFiles(t.tree), []);

  // The temporary folder is gone: the file cannot be created, and the body hears that nobody reads it.
  await t.tree.removeTemp();
  let cancelled: unknown;
  const body = new ReadableStream<Uint8Array>({
    cancel(reason) {
      cancelled = reason;
    },
  });
  const unwritable = await t.tree.writeTemp(body, { tempName: "x.part" }).catch((error) => error);
  assert.ok(unwritable instanceof FileSystemError, String(unwritable));
  assert.match(unwritable.message, /^cannot create .*x\.part/);
  assert.equal(cancelled, unwritable);
});

Deno.test("OutputTree.writeTemp with observe: each chunk shown once, in order, as it is written; the same errors as without", async () => {
  await using t = await tempTree();
  const chunks = [bytes(70_000, 1), bytes(1, 2), bytes(300_000, 3)];
  const seen: Uint8Array[] = [];
  const staged = await t.tree.writeTemp(ReadableStream.from(chunks), {
    tempName: "a.part",
    expectedSize: 370_001,
    observe: (chunk) => {
      // Shown before it is written: the file holds the chunks before it, no more.
      assert.equal(
        Deno.statSync(join(t.tree.tempDir, "a.part")).size,
        seen.reduce((n, c) => n + c.length, 0),
      );
      seen.push(chunk.slice());
    },
  });
  assert.deepEqual(seen, chunks);
  assert.deepEqual(
    await Deno.readFile(staged.temp),
    new Uint8Array([...chunks[0], ...chunks[1], ...chunks[2]]),
  );

  const short = await t.tree.writeTemp(ReadableStream.from(chunks), {
    tempName: "b.part",
    expectedSize: 370_002,
    observe: () => {},
  }).catch((error) => error);
  assert.ok(short instanceof BodyError, String(short));
  assert.match(short.message, /cut short: 370001 of 370002 bytes/);

  const broken = await t.tree.writeTemp(failingBody(bytes(1000), new Error("connection reset")), {
    tempName: "broken.part",
    observe: () => {},
  }).catch((error) => error);
  assert.ok(broken instanceof BodyError, String(broken));
  assert.match(broken.message, /broke off: connection reset/);

  // A read waiting for bytes that never come is broken off by the signal; the body hears it.
  const stop = new AbortController();
  let cancelled: unknown;
  const waiting = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(bytes(10)),
    // Asked for more once the first chunk is written: the run stops while the read waits.
    pull: () => {
      stop.abort(new Error("stopped by the run"));
      return new Promise<void>(() => {});
    },
    cancel: (reason) => void (cancelled = reason),
  }, { highWaterMark: 0 });
  const aborted = t.tree.writeTemp(waiting, {
    tempName: "aborted.part",
    signal: stop.signal,
    observe: () => {},
  }).catch((error) => error);
  const error = await aborted;
  assert.ok(error instanceof BodyError, String(error));
  assert.match(error.message, /broke off: stopped by the run/);
  assert.equal((cancelled as Error).message, "stopped by the run");
  assert.deepEqual(tempFiles(t.tree), ["a.part"]);
});

Deno.test("OutputTree.place: the mtime set, folders made; without replace nothing there is replaced and the file stays to go elsewhere", async () => {
  await using t = await tempTree();
  const mtime = new Date("2020-01-02T03:04:05Z");
  const first = await t.tree.writeTemp(ReadableStream.from([bytes(10, 1)]), { tempName: "1.part" });
  assert.equal(await t.tree.place(first.temp, "2020/01/02/x.jpg", mtime, { replace: false }), true);
  const placed = await Deno.stat(join(t.root, "2020/01/02/x.jpg"));
  assert.equal(placed.mtime?.getTime(), mtime.getTime());
  assert.deepEqual(await Deno.readFile(join(t.root, "2020/01/02/x.jpg")), bytes(10, 1));
  assert.deepEqual(tempFiles(t.tree), []);

  const second = await t.tree.writeTemp(ReadableStream.from([bytes(20, 2)]), { tempName: "2.part" });
  assert.equal(await t.tree.place(second.temp, "2020/01/02/x.jpg", mtime, { replace: false }), false);
  assert.deepEqual(await Deno.readFile(join(t.root, "2020/01/02/x.jpg")), bytes(10, 1));
  assert.deepEqual(tempFiles(t.tree), ["2.part"]);
  assert.equal(t.tree.occupied("2020/01/02/x.jpg"), true);
  assert.equal(t.tree.occupied("2020/01/02/y.jpg"), false);

  // With replace, it takes the place of what is there.
  assert.equal(await t.tree.place(second.temp, "2020/01/02/x.jpg", mtime, { replace: true }), true);
  assert.deepEqual(await Deno.readFile(join(t.root, "2020/01/02/x.jpg")), bytes(20, 2));
  assert.deepEqual(tempFiles(t.tree), []);
});

Deno.test("OutputTree.move: `arrived` is told while the file is at both paths, before it leaves the old one; not for a new time only, nor when something is in the way", async () => {
  await using t = await tempTree();
  const placed = await t.tree.writeTemp(ReadableStream.from([bytes(10)]), { tempName: "1.part" });
  assert.equal(await t.tree.place(placed.temp, "2020/01/02/a.jpg", new Date(0), { replace: false }), true);
  const there = (path: string) => t.tree.occupied(path);
  const told: [boolean, boolean][] = [];
  const mtime = new Date("2021-02-03T04:05:06Z");
  const tell = (from: string, to: string) => () => {
    told.push([there(from), there(to)]);
    // The list is told of a file that has its time already (see `move`).
    assert.equal(Deno.statSync(join(t.root, to)).mtime?.getTime(), mtime.getTime());
  };
  assert.equal(
    await t.tree.move(
      "2020/01/02/a.jpg",
      "2021/02/03/a.jpg",
      mtime,
      tell("2020/01/02/a.jpg", "2021/02/03/a.jpg"),
    ),
    "moved",
  );
  assert.deepEqual(told, [[true, true]], "told once, the file at both paths");
  assert.equal(there("2020/01/02/a.jpg"), false);
  assert.equal((await Deno.stat(join(t.root, "2021/02/03/a.jpg"))).mtime?.getTime(), mtime.getTime());
  // A new time at the same path moves nothing anywhere, and is set.
  assert.equal(await t.tree.move("2021/02/03/a.jpg", "2021/02/03/a.jpg", new Date(0), tell("", "")), "moved");
  assert.equal((await Deno.stat(join(t.root, "2021/02/03/a.jpg"))).mtime?.getTime(), 0);
  // Something at the new path: the file stays where it is, with its time.
  await Deno.writeFile(join(t.root, "2021/02/03/b.jpg"), bytes(5));
  assert.equal(await t.tree.move("2021/02/03/a.jpg", "2021/02/03/b.jpg", mtime, tell("", "")), "occupied");
  assert.deepEqual(told, [[true, true]]);
  assert.equal((await Deno.stat(join(t.root, "2021/02/03/a.jpg"))).mtime?.getTime(), 0);
});

Deno.test("OutputTree.move that fails before the file is at its new path (a folder the file system cannot make: a name too long) leaves the file at the old path with its time, not the new day's; `arrived` not told", async () => {
  await using t = await tempTree();
  const placed = await t.tree.writeTemp(ReadableStream.from([bytes(10)]), { tempName: "1.part" });
  const old = new Date("2020-01-02T03:04:05Z");
  assert.equal(await t.tree.place(placed.temp, "2020/01/02/a.jpg", old, { replace: false }), true);
  let told = 0;
  await assert.rejects(
    t.tree.move(
      "2020/01/02/a.jpg",
      `${"x".repeat(300)}/a.jpg`,
      new Date("2021-02-03T04:05:06Z"),
      () => told++,
    ),
    FileSystemError,
  );
  assert.equal(told, 0);
  assert.deepEqual(await Deno.readFile(join(t.root, "2020/01/02/a.jpg")), bytes(10));
  assert.equal((await Deno.stat(join(t.root, "2020/01/02/a.jpg"))).mtime?.getTime(), old.getTime());
});

Deno.test("OutputTree.place with replace takes no folder's place: false, the folder and the file kept", async () => {
  await using t = await tempTree();
  await Deno.mkdir(join(t.root, "2020/01/02/x.jpg"), { recursive: true });
  await Deno.writeTextFile(join(t.root, "2020/01/02/x.jpg/inside.txt"), "the user's");
  const staged = await t.tree.writeTemp(ReadableStream.from([bytes(10, 1)]), { tempName: "1.part" });
  assert.equal(await t.tree.place(staged.temp, "2020/01/02/x.jpg", new Date(0), { replace: true }), false);
  assert.equal(await Deno.readTextFile(join(t.root, "2020/01/02/x.jpg/inside.txt")), "the user's");
  assert.deepEqual(tempFiles(t.tree), ["1.part"]);
});

Deno.test("OutputTree.place refuses a folder that is a symbolic link or a file, writing nothing through it", async () => {
  await using t = await tempTree();
  await using elsewhere = await tempTree();
  await Deno.symlink(elsewhere.root, join(t.root, "2020"));
  await Deno.writeTextFile(join(t.root, "2021"), "a file where a folder would go");
  for (const path of ["2020/01/01/x.jpg", "2021/01/01/x.jpg"]) {
    const staged = await t.tree.writeTemp(ReadableStream.from([bytes(10)]), { tempName: "x.part" });
    await assert.rejects(t.tree.place(staged.temp, path, new Date(0), { replace: false }), UnsafePathError);
    assert.deepEqual(tempFiles(t.tree), []);
  }
  assert.deepEqual([...Deno.readDirSync(elsewhere.root)].map((entry) => entry.name), [".photosync-tmp"]);
});

Deno.test("OutputTree.link: a relative symbolic link; false when the name is taken", async () => {
  await using t = await tempTree();
  await Deno.mkdir(join(t.root, "2020/01/01"), { recursive: true });
  await Deno.writeTextFile(join(t.root, "2020/01/01/x.jpg"), "photo");
  assert.equal(await t.tree.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), true);
  assert.equal(await Deno.readLink(join(t.root, "albums/Trip/x.jpg")), "../../2020/01/01/x.jpg");
  assert.equal(await Deno.readTextFile(join(t.root, "albums/Trip/x.jpg")), "photo");
  assert.equal(await t.tree.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), false);
});

Deno.test("OutputTree.link: where symbolic links are refused, a hard link to a file not there (deleted, kept aside) is a NoFileError, leaving no folder made for it; a symbolic link to it is made, pointing there", async () => {
  await using t = await tempTree();
  const hard = new OutputTree(t.root, { linkCalls: noSymlinks });
  await assert.rejects(() => hard.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), NoFileError);
  assert.equal(hard.makesLinks, true);
  // The album's only member: neither its folder nor `albums/` stays behind, empty.
  await assert.rejects(() => Deno.lstat(join(t.root, "albums")), Deno.errors.NotFound);
  // A folder holding another member's link stays.
  await Deno.mkdir(join(t.root, "2020/01/01"), { recursive: true });
  await Deno.writeTextFile(join(t.root, "2020/01/01/y.jpg"), "photo");
  assert.equal(await hard.link("albums/Trip/y.jpg", "2020/01/01/y.jpg"), true);
  await assert.rejects(() => hard.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), NoFileError);
  assert.deepEqual([...Deno.readDirSync(join(t.root, "albums/Trip"))].map((entry) => entry.name), ["y.jpg"]);
  await Deno.remove(join(t.root, "albums"), { recursive: true });
  assert.equal(await t.tree.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), true);
  assert.equal(await Deno.readLink(join(t.root, "albums/Trip/x.jpg")), "../../2020/01/01/x.jpg");
});

/** What exFAT's FUSE driver answers: ENOSYS (no code from Deno) for a symbolic link, EPERM for a hard link. */
const exfatLinks: LinkCalls = {
  symlink: () => Promise.reject(new Error("Function not implemented (os error 38)")),
  link: () =>
    Promise.reject(Object.assign(new Deno.errors.PermissionDenied("Operation not permitted (os error 1)"), {
      code: "EPERM",
    })),
};

Deno.test("OutputTree.link: a drive making no links of either kind (exFAT, FAT32) is a NoLinksError, once, leaving no folder made for it", async () => {
  await using t = await tempTree();
  await Deno.mkdir(join(t.root, "2020/01/01"), { recursive: true });
  await Deno.writeTextFile(join(t.root, "2020/01/01/x.jpg"), "photo");
  const tree = new OutputTree(t.root, { linkCalls: exfatLinks });
  assert.equal(tree.makesLinks, true);
  await assert.rejects(() => tree.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), NoLinksError);
  assert.equal(tree.makesLinks, false);
  // Neither the album folder nor `albums/` stays behind, empty.
  assert.deepEqual([...Deno.readDirSync(t.root)].map((entry) => entry.name).sort(), [
    ".photosync-tmp",
    "2020",
  ]);
  // FAT32: EPERM for both; a driver answering EOPNOTSUPP, or Deno's NotSupported.
  for (
    const refusal of [
      Object.assign(new Deno.errors.PermissionDenied("Operation not permitted (os error 1)"), {
        code: "EPERM",
      }),
      Object.assign(new Error("Operation not supported (os error 95)"), { code: "EOPNOTSUPP" }),
      new Deno.errors.NotSupported("not supported"),
    ]
  ) {
    const fat = new OutputTree(t.root, {
      linkCalls: { symlink: () => Promise.reject(refusal), link: () => Promise.reject(refusal) },
    });
    await assert.rejects(() => fat.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), NoLinksError);
  }
});

Deno.test("OutputTree.link: a permission refused (EACCES) is an error of the run, not a drive without links", async () => {
  await using t = await tempTree();
  const denied = () =>
    Promise.reject(Object.assign(new Deno.errors.PermissionDenied("Permission denied (os error 13)"), {
      code: "EACCES",
    }));
  const tree = new OutputTree(t.root, { linkCalls: { symlink: denied, link: denied } });
  await assert.rejects(() => tree.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), FileSystemError);
  assert.equal(tree.makesLinks, true);
});

Deno.test("OutputTree.link: a hard link where symbolic links are not allowed (a program granting write access to its folder only)", async () => {
  await using t = await tempTree();
  await Deno.mkdir(join(t.root, "2020/01/01"), { recursive: true });
  await Deno.writeTextFile(join(t.root, "2020/01/01/x.jpg"), "photo");
  const script = join(t.root, "link.ts");
  await Deno.writeTextFile(
    script,
    `import { OutputTree } from ${JSON.stringify(new URL("./output_tree.ts", import.meta.url).href)};
const linked = await new OutputTree(Deno.args[0]).link("albums/Trip/x.jpg", "2020/01/01/x.jpg");
await Deno.stdout.write(new TextEncoder().encode(String(linked)));`,
  );
  // Deno makes symbolic links only with unscoped grants: this process may not.
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-lock", "--allow-read", `--allow-write=${t.root}`, script, t.root],
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout), "true");
  const link = await Deno.lstat(join(t.root, "albums/Trip/x.jpg"));
  assert.ok(link.isFile && !link.isSymlink);
  assert.equal(link.ino, (await Deno.stat(join(t.root, "2020/01/01/x.jpg"))).ino);
});

Deno.test("OutputTree.linkTo: a symbolic link to the target, or a hard link to that very file (also once it moved, told where to); not a copy of it with its times, nor another file, a folder or nothing", async () => {
  await using t = await tempTree();
  await Deno.mkdir(join(t.root, "2020/01/01"), { recursive: true });
  await Deno.writeTextFile(join(t.root, "2020/01/01/x.jpg"), "photo");
  await Deno.writeTextFile(join(t.root, "2020/01/01/y.jpg"), "other");
  assert.equal(await t.tree.link("albums/Trip/x.jpg", "2020/01/01/x.jpg"), true);
  assert.equal(t.tree.linkTo("albums/Trip/x.jpg", "2020/01/01/x.jpg"), "symbolic");
  assert.equal(t.tree.linkTo("albums/Trip/x.jpg", "2020/01/01/y.jpg"), undefined);

  const hard = new OutputTree(t.root, { linkCalls: noSymlinks });
  assert.equal(await hard.link("albums/Hard/x.jpg", "2020/01/01/x.jpg"), true);
  assert.ok(!Deno.lstatSync(join(t.root, "albums/Hard/x.jpg")).isSymlink);
  assert.equal(hard.linkTo("albums/Hard/x.jpg", "2020/01/01/x.jpg"), "hard");
  assert.equal(hard.linkTo("albums/Hard/x.jpg", "2020/01/01/y.jpg"), undefined);
  // A copy with the file's bytes and times is the user's, as are a folder and nothing.
  Deno.copyFileSync(join(t.root, "2020/01/01/x.jpg"), join(t.root, "albums/Hard/copy.jpg"));
  const { mtime, atime } = Deno.statSync(join(t.root, "2020/01/01/x.jpg"));
  Deno.utimeSync(join(t.root, "albums/Hard/copy.jpg"), atime!, mtime!);
  Deno.mkdirSync(join(t.root, "albums/Hard/folder.jpg"));
  for (const other of ["albums/Hard/copy.jpg", "albums/Hard/folder.jpg", "albums/Hard/none.jpg"]) {
    assert.equal(hard.linkTo(other, "2020/01/01/x.jpg"), undefined, other);
  }
  // The file moved (re-dated): its hard link went with it, found by where it is now.
  assert.equal(await hard.move("2020/01/01/x.jpg", "2021/02/03/x.jpg"), "moved");
  assert.equal(hard.linkTo("albums/Hard/x.jpg", "2020/01/01/x.jpg"), undefined);
  assert.equal(hard.linkTo("albums/Hard/x.jpg", "2020/01/01/x.jpg", "2021/02/03/x.jpg"), "hard");
});

Deno.test("OutputTree.keptAside: a file that is the very file moved aside for a path (any run's folder under .photosync-changed), not a copy of it, another path's, a symbolic link or nothing", async () => {
  await using t = await tempTree();
  const at = (path: string) => join(t.root, ...path.split("/"));
  await Deno.mkdir(at("2020/01/01"), { recursive: true });
  await Deno.mkdir(at("albums/Trip"), { recursive: true });
  assert.equal(t.tree.keptAside("albums/Trip/a.jpg", "2020/01/01/a.jpg"), false);
  await Deno.writeFile(at("2020/01/01/a.jpg"), bytes(10));
  await Deno.link(at("2020/01/01/a.jpg"), at("albums/Trip/a.jpg"));
  await Deno.copyFile(at("2020/01/01/a.jpg"), at("albums/Trip/copy.jpg"));
  await Deno.symlink("../../2020/01/01/a.jpg", at("albums/Trip/symbolic.jpg"));
  // Not aside yet: no folder of changed files.
  assert.equal(t.tree.keptAside("albums/Trip/a.jpg", "2020/01/01/a.jpg"), false);
  await t.tree.moveAside("2020/01/01/a.jpg", "2026-12-06T230509");
  // Another run's folder, without it: every run's folder is looked in.
  await Deno.mkdir(at(".photosync-changed/2026-12-07T000000/2020/01/01"), { recursive: true });
  assert.equal(t.tree.keptAside("albums/Trip/a.jpg", "2020/01/01/a.jpg"), true);
  assert.equal(t.tree.keptAside("albums/Trip/a.jpg", "2020/01/01/other.jpg"), false);
  assert.equal(t.tree.keptAside("albums/Trip/copy.jpg", "2020/01/01/a.jpg"), false);
  assert.equal(t.tree.keptAside("albums/Trip/symbolic.jpg", "2020/01/01/a.jpg"), false);
  assert.equal(t.tree.keptAside("albums/Trip/none.jpg", "2020/01/01/a.jpg"), false);
});

Deno.test("OutputTree.secondName: a hard link to the very file at the other path (a moved file's old name, left), not the path itself, a copy of it with its times, a symbolic link to it, another file or nothing", async () => {
  await using t = await tempTree();
  const at = (path: string) => join(t.root, ...path.split("/"));
  await Deno.mkdir(at("2020/01/01"), { recursive: true });
  await Deno.mkdir(at("2021/02/03"), { recursive: true });
  await Deno.writeFile(at("2021/02/03/a.jpg"), bytes(10));
  await Deno.link(at("2021/02/03/a.jpg"), at("2020/01/01/a.jpg"));
  await Deno.copyFile(at("2021/02/03/a.jpg"), at("2020/01/01/copy.jpg"));
  const { mtime, atime } = Deno.statSync(at("2021/02/03/a.jpg"));
  Deno.utimeSync(at("2020/01/01/copy.jpg"), atime!, mtime!);
  await Deno.symlink("../../2021/02/03/a.jpg", at("2020/01/01/symbolic.jpg"));
  await Deno.writeFile(at("2020/01/01/other.jpg"), bytes(10, 2));
  assert.equal(t.tree.secondName("2020/01/01/a.jpg", "2021/02/03/a.jpg"), true);
  assert.equal(t.tree.secondName("2021/02/03/a.jpg", "2021/02/03/a.jpg"), false);
  for (const other of ["copy", "symbolic", "other", "none"]) {
    assert.equal(t.tree.secondName(`2020/01/01/${other}.jpg`, "2021/02/03/a.jpg"), false, other);
  }
  // Its only name left: no second name of anything.
  await Deno.remove(at("2021/02/03/a.jpg"));
  assert.equal(t.tree.secondName("2020/01/01/a.jpg", "2021/02/03/a.jpg"), false);
});

Deno.test("sameFile: the same device and file number where Deno gives them; where it gives no number (Windows), the same volume, size, modification and creation times, and change time where given", async () => {
  await using t = await tempTree();
  const path = join(t.root, "x.jpg");
  await Deno.writeTextFile(path, "photo");
  await Deno.link(path, join(t.root, "link.jpg"));
  await Deno.writeTextFile(join(t.root, "other.jpg"), "other");
  const [file, link, other] = ["x.jpg", "link.jpg", "other.jpg"].map((name) =>
    Deno.lstatSync(join(t.root, name))
  );
  assert.equal(sameFile(file, link), true);
  assert.equal(sameFile(file, other), false);
  assert.equal(sameFile(file, { ...link, dev: link.dev + 1 }), false);
  assert.equal(sameFile(Deno.statSync(t.root), Deno.statSync(t.root)), false, "a folder is no file");

  // Windows: no file number. What two hard links of a file share, as Deno gives it there.
  const at = (ms: number) => new Date(Date.UTC(2020, 0, 1) + ms);
  const windows: Deno.FileInfo = {
    ...file,
    ino: null,
    nlink: null,
    mtime: at(1),
    birthtime: at(2),
    ctime: at(3),
  };
  assert.equal(sameFile(windows, { ...windows }), true);
  assert.equal(sameFile(windows, { ...windows, ctime: null }), true, "no change time: the others decide");
  for (
    const [what, differs] of [
      ["volume", { dev: windows.dev + 1 }],
      ["size", { size: windows.size + 1 }],
      ["modification time", { mtime: at(4) }],
      ["creation time", { birthtime: at(4) }],
      // A copy that kept both times (a backup restored): its change time is its own.
      ["change time", { ctime: at(4) }],
    ] as const
  ) {
    assert.equal(sameFile(windows, { ...windows, ...differs }), false, what);
  }
  // Without its times, a file is not told from another.
  assert.equal(sameFile({ ...windows, birthtime: null }, { ...windows, birthtime: null }), false);
  assert.equal(sameFile({ ...windows, mtime: null }, { ...windows, mtime: null }), false);
});

Deno.test("isPlacedMtime: a capture time before 1980 or after 2107 as FAT and exFAT clamp it, in any zone of the drive", () => {
  const hour = 3600_000;
  const before1980 = [Date.UTC(1975, 5, 1, 12), Date.UTC(1901, 0, 1), Date.UTC(1979, 11, 31, 20)];
  const after2107 = [Date.UTC(2110, 2, 4, 5, 6, 7), Date.UTC(2107, 11, 31, 23, 59, 59)];
  for (let zone = -12; zone <= 14; zone++) {
    // 1980-01-01 00:00:00 and 2107-12-31 23:59:58 local (UTC+zone), in UTC; FAT keeps even seconds.
    const floor = Date.UTC(1980, 0, 1) - zone * hour;
    const ceiling = Date.UTC(2107, 11, 31, 23, 59, 58) - zone * hour;
    for (const created of before1980) {
      if (created < floor) assert.equal(isPlacedMtime(floor, created), true, `${created} at UTC${zone}`);
    }
    for (const created of after2107) {
      if (created > ceiling) assert.equal(isPlacedMtime(ceiling, created), true, `${created} at UTC${zone}`);
    }
  }
  // A time of the clamp's days that is no clamp: a photo of later (or earlier) than the file says.
  assert.equal(isPlacedMtime(Date.UTC(1980, 0, 1), Date.UTC(1985, 5, 1)), false);
  assert.equal(isPlacedMtime(Date.UTC(1980, 0, 3), Date.UTC(1975, 5, 1)), false);
  assert.equal(isPlacedMtime(Date.UTC(2107, 11, 31), Date.UTC(2090, 0, 1)), false);
  assert.equal(isPlacedMtime(Date.UTC(2107, 11, 29), Date.UTC(2110, 0, 1)), false);
});

Deno.test("isPlacedMtime: a capture time clamped to ext4's, XFS's, APFS's, NTFS's or HFS+'s first or last time", () => {
  const hour = 3600_000;
  const year1 = Date.parse("0001-01-01T00:00:00Z");
  const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59);
  const clamps: [kept: number, created: number][] = [
    [-(2 ** 31) * 1000, year1], // ext4, XFS: 1901-12-13 20:45:52.
    [(2 ** 31 - 1) * 1000, Date.UTC(2100, 2, 4)], // 32-bit seconds: 2038-01-19 03:14:07.
    [Date.UTC(2446, 4, 10, 22, 38, 55), year9999], // ext4.
    [Date.UTC(2486, 6, 2, 20, 20, 25), year9999], // XFS with bigtime.
    [Date.UTC(1677, 8, 21, 0, 12, 43, 146), Date.UTC(1600, 0, 1)], // APFS.
    [Date.UTC(2262, 3, 11, 23, 47, 16, 854), year9999],
    [Date.UTC(1601, 0, 1), year1], // NTFS.
    [Date.UTC(1904, 0, 1) - 9 * hour, Date.UTC(1850, 0, 1)], // HFS+ in UTC+9.
    [Date.UTC(2040, 1, 6, 6, 28, 15) + 5 * hour, Date.UTC(2050, 0, 1)], // HFS+ in UTC-5.
  ];
  for (const [kept, created] of clamps) {
    assert.equal(isPlacedMtime(kept, created), true, `${new Date(kept).toISOString()} for ${created}`);
    // Not for a capture time the drive keeps: the file's time was set since.
    assert.equal(isPlacedMtime(kept, Date.UTC(2000, 0, 1)), false, new Date(kept).toISOString());
  }
  // Nor for a clamp in the other direction: ext4's last time is no clamp of a photo of 1750.
  assert.equal(isPlacedMtime(Date.UTC(2446, 4, 10, 22, 38, 55), Date.UTC(1750, 0, 1)), false);
  assert.equal(isPlacedMtime(-(2 ** 31) * 1000, year9999), false);
});

Deno.test("OutputTree.unkeptTime: a time outside every drive's range that the drive did not keep is told once a tree", async () => {
  await using t = await tempTree();
  const tree = new OutputTree(t.root);
  const write = async (path: string, mtimeMs: number) => {
    await Deno.mkdir(join(t.root, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(t.root, path), "photo");
    await Deno.utime(join(t.root, path), mtimeMs / 1000, mtimeMs / 1000);
  };
  const year1750 = new Date(Date.UTC(1750, 5, 15, 10));
  // Kept (a time of 1975, which FAT would not keep, but the test's drive does): nothing to tell; and a time
  // every drive keeps is not looked at.
  const year1975 = new Date(Date.UTC(1975, 5, 15, 10));
  await write("1975/06/15/kept.jpg", year1975.getTime());
  assert.equal(tree.unkeptTime("1975/06/15/kept.jpg", year1975), undefined);
  await write("2020/01/01/a.jpg", Date.UTC(2021, 0, 1));
  assert.equal(tree.unkeptTime("2020/01/01/a.jpg", new Date(Date.UTC(2020, 0, 1))), undefined);
  // As ext4 keeps it: its first time.
  const first = -(2 ** 31) * 1000;
  await write("1750/06/15/b.jpg", first);
  await write("1750/06/15/c.jpg", first);
  assert.equal(tree.unkeptTime("1750/06/15/b.jpg", year1750), first);
  assert.equal(tree.unkeptTime("1750/06/15/c.jpg", year1750), undefined, "told once");
  // Another tree (the next run) tells it again.
  assert.equal(new OutputTree(t.root).unkeptTime("1750/06/15/c.jpg", year1750), first);
});
