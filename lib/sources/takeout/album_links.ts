/**
 * The album links of the Takeout albums recorded in `sync.db`: made by every import, and by a run over a store
 * of exports that imports nothing new while links wait (an earlier run's were blocked by something of the
 * user's in `albums/`, or it ran with `--albums none`), so that they need not wait for the next export.
 * @module
 */
import type { OutputTree } from "../../core/output_tree.ts";
import type { Placer } from "../../core/place.ts";
import { membershipKey, type Store } from "../../core/store.ts";

/**
 * Make the album links of every Takeout membership, and note the memberships whose link is made (or found
 * made); returns how many links something in the way blocked. A folder whose earlier files are stored
 * elsewhere holds none of their links either: there, only the links new to the backup are made (and listed
 * with the run's new files), those of a membership recorded since links were last made and those of a file
 * here. A membership's note goes once its link is made: a run that makes none (`--albums none`, a drive that
 * makes no links, something of the user's in the way) leaves it to the first run that does.
 */
export async function linkTakeoutAlbums(store: Store, tree: OutputTree, placer: Placer): Promise<number> {
  const fresh = store.newMemberships();
  const members = store.albumMembers("takeout");
  const { blocked, notMade } = await placer.linkAlbums(
    tree.filesElsewhere
      ? members.filter((member) =>
        fresh.has(membershipKey(member.album, member.id)) || tree.occupied(member.path)
      )
      : members,
  );
  const waiting = new Set(notMade.map((member) => membershipKey(member.album, member.id)));
  store.membershipsLinked([...fresh].filter((key) => !waiting.has(key)));
  return blocked;
}
