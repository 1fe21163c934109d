/**
 * For unit tests: the link calls of an `OutputTree` on a drive that refuses symbolic links.
 * @module
 */
import type { LinkCalls } from "./output_tree.ts";

/** Link calls where symbolic links are refused (Windows without Developer Mode): links are hard links. */
export const noSymlinks: LinkCalls = {
  symlink: () =>
    Promise.reject(
      Object.assign(new Error("A required privilege is not held by the client. (os error 1314)"), {
        code: "EPERM",
      }),
    ),
  link: Deno.link,
};
