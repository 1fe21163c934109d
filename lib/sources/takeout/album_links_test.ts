import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_LAYOUT, layoutMapper } from "../../core/layout.ts";
import { OutputTree } from "../../core/output_tree.ts";
import { NO_LINKS_WARNING, Placer } from "../../core/place.ts";
import { Store } from "../../core/store.ts";
import { testLogger } from "../../core/test_logger.ts";
import { linkTakeoutAlbums } from "./album_links.ts";

const DAY = Date.parse("2020-01-01T12:00:00Z");

/** A folder with photo `a` placed and in the Takeout album "Trip"; `noLinks`: on a drive that makes none. */
async function folder(options: { filesElsewhere?: boolean; noLinks?: boolean }) {
  const root = await Deno.makeTempDir({ prefix: "photosync-album-links-test-" });
  const refuse = () => Promise.reject(new Error("Function not implemented (os error 38)"));
  const tree = new OutputTree(root, {
    filesElsewhere: options.filesElsewhere,
    ...(options.noLinks ? { linkCalls: { symlink: refuse, link: refuse } } : {}),
  });
  await tree.clearTemp();
  const store = Store.open(root);
  store.saveBatch({
    source: "takeout",
    items: [{ id: "a", source: "takeout", filename: "a.jpg", createdMs: DAY, isVideo: false, json: "{}" }],
  });
  const logger = testLogger();
  const placer = new Placer({ store, tree, pathMapper: layoutMapper(DEFAULT_LAYOUT), logger });
  const [row] = placer.settle([store.item("a")!]);
  const staged = await tree.writeTemp(ReadableStream.from([new TextEncoder().encode("photo a")]), {
    tempName: "a.part",
  });
  await placer.place(row, staged, new Date(DAY));
  placer.flush();
  store.addToAlbum({ id: "trip", source: "takeout", title: "Trip" }, ["a"]);
  return {
    root,
    store,
    tree,
    placer,
    logger,
    async [Symbol.asyncDispose]() {
      placer[Symbol.dispose]();
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("linkTakeoutAlbums: a link made takes its note; one blocked by something of the user's keeps it", async () => {
  await using made = await folder({});
  assert.equal(made.store.newMemberships().size, 1);
  assert.equal(await linkTakeoutAlbums(made.store, made.tree, made.placer), 0);
  assert.equal(await Deno.readTextFile(join(made.root, "albums/Trip/a.jpg")), "photo a");
  assert.equal(made.store.newMemberships().size, 0);

  await using blocked = await folder({});
  await Deno.writeTextFile(join(blocked.root, "albums"), "the user's");
  assert.equal(await linkTakeoutAlbums(blocked.store, blocked.tree, blocked.placer), 1);
  assert.equal(blocked.store.newMemberships().size, 1, "kept for a run after it is moved away");
});

Deno.test("linkTakeoutAlbums: on a drive that makes no links, a folder holding its files keeps no notes (each run would warn again); one whose files are elsewhere keeps them", async () => {
  await using here = await folder({ noLinks: true });
  assert.equal(await linkTakeoutAlbums(here.store, here.tree, here.placer), 0);
  assert.deepEqual(here.logger.lines.warn, [NO_LINKS_WARNING]);
  assert.equal(here.store.newMemberships().size, 0);

  await using elsewhere = await folder({ noLinks: true, filesElsewhere: true });
  assert.equal(await linkTakeoutAlbums(elsewhere.store, elsewhere.tree, elsewhere.placer), 0);
  assert.equal(elsewhere.store.newMemberships().size, 1, "its links are made only while noted");
});
