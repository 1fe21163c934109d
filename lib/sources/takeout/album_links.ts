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
 * made); returns how many links something in the way blocked. `fresh`: the memberships noted since links were
 * last made (`store.newMemberships()`, when the caller has read them). A folder whose earlier files are stored
 * elsewhere holds none of their links either: there, only the links new to the backup are made (and listed
 * with the run's new files), those of a membership noted and those of a file here; a membership's note goes
 * once its link is made, so a run that makes none (a drive that makes no links, something of the user's in
 * the way) leaves it to the first run that does. A folder that holds its files makes every member's link at
 * each import: there, only the links something in the way blocked stay noted (a run over a store that
 * imports nothing new makes them once it is moved away), not a drive's that makes none (the notes would
 * never go, and each such run would say so again).
 */
export async function linkTakeoutAlbums(
  store: Store,
  tree: OutputTree,
  placer: Placer,
  fresh: Set<string> = store.newMemberships(),
): Promise<number> {
  const members = store.albumMembers("takeout");
  const { blocked, unlinkable } = await placer.linkAlbums(
    tree.filesElsewhere
      ? members.filter((member) =>
        fresh.has(membershipKey(member.album, member.id)) || tree.occupied(member.path)
      )
      : members,
  );
  const waiting = new Set(
    [...blocked, ...(tree.filesElsewhere ? unlinkable : [])].map((member) =>
      membershipKey(member.album, member.id)
    ),
  );
  store.membershipsLinked([...fresh].filter((key) => !waiting.has(key)));
  return blocked.length;
}
