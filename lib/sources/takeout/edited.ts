/**
 * Edited copies: when a photo was edited in Google Photos, Takeout holds the original and
 * the edit, named after it with a suffix in the account's language (`IMG_1234-edited.jpg`,
 * `IMG_1234-bearbeitet.jpg`). The edit has no sidecar of its own; it shares the original's.
 *
 * The suffixes are data, in `edited_suffixes.json`. Reported by users of Takeout tools:
 * en `-edited`, de `-bearbeitet`, fr `-modifié`, nl `-bewerkt`, ja `-編集済み`, pl
 * `-edytowane`, it `-modificato`, es `-editado` / `-editada` / `-ha editado`, ca `-editat`,
 * sv `-redigerad`, ko `-편집됨` (GooglePhotosTakeoutHelper's list, and other importers'), ru
 * `-измененный` (a user's script for a Russian export, `Google Фото`). Used by other importers
 * but not yet seen in a report: da `-redigeret`, no `-redigert`, fi `-muokattu`, sk
 * `-upravené`, cs `-upraveno`, hu `-szerkesztett`, tr `-düzenlendi`, zh `-编辑`, ko `-편집`.
 * No Ukrainian suffix has been found in a report, so none is listed. A wrong entry costs little: the caller only treats
 * a file as an edit when the original it names exists. Google's own creations (`-effects`,
 * `-collage`, `-animation`, …) are items in their own right and are not listed.
 * @module
 */
import suffixes from "./edited_suffixes.json" with { type: "json" };
import { splitCounter, splitExtension } from "./name_parts.ts";

/** Each suffix lower-cased in NFC and NFD (macOS archives), longest first. */
const SUFFIXES = [
  ...new Set(suffixes.flatMap((suffix) => [suffix.normalize("NFC"), suffix.normalize("NFD")])),
]
  .map((suffix) => suffix.toLowerCase())
  .sort((a, b) => b.length - a.length);

/**
 * The name of the original an edited copy was made from, or undefined when `name` is not
 * an edited copy. The suffix is matched without regard to case, right before the
 * extension or before Google's duplicate counter (`IMG_1234-edited(1).jpg` is the edit of
 * `IMG_1234(1).jpg`). The original may differ in the case of its extension
 * (`IMG_1234.JPG`); the caller looks it up. Names older exports cut to 47 units may have
 * lost part of the suffix and are not recognised.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * assert.strictEqual(editedOriginal("IMG_1234-edited.jpg"), "IMG_1234.jpg");
 * assert.strictEqual(editedOriginal("IMG_1234-bearbeitet(1).jpg"), "IMG_1234(1).jpg");
 * assert.strictEqual(editedOriginal("IMG_1234.jpg"), undefined);
 * ```
 */
export function editedOriginal(name: string): string | undefined {
  const direct = withoutSuffix(name);
  if (direct !== undefined) return direct;
  const { base, counter } = splitCounter(name);
  const original = counter ? withoutSuffix(base) : undefined;
  if (original === undefined) return undefined;
  const { stem, ext } = splitExtension(original);
  return stem + counter + ext;
}

/** `name` without an edited suffix that ends its stem, keeping something before it. */
function withoutSuffix(name: string): string | undefined {
  const { stem, ext } = splitExtension(name);
  const suffix = SUFFIXES.find((suffix) =>
    stem.length > suffix.length && stem.slice(-suffix.length).toLowerCase() === suffix
  );
  return suffix === undefined ? undefined : stem.slice(0, -suffix.length) + ext;
}
