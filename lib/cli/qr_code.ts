/**
 * A URL drawn as a QR code in text, for a phone's camera to read off a terminal.
 * @module
 */
import { renderUnicodeCompact } from "uqr";

/**
 * `text` as a QR code drawn with half-block characters (two rows of modules per line), or
 * undefined when it is wider than `columns`.
 *
 * @example Usage
 * ```ts
 * import { qrCodeText } from "./qr_code.ts";
 * import assert from "node:assert/strict";
 *
 * const drawing = qrCodeText("https://photos.google.com/picker/0123/autoclose", 80)!;
 * const lines = drawing.split("\n");
 * assert.ok(lines.every((line) => line.length === lines[0].length && line.length <= 80));
 * assert.equal(qrCodeText("https://photos.google.com/picker/0123/autoclose", 30), undefined);
 * ```
 */
export function qrCodeText(text: string, columns: number): string | undefined {
  const drawing = renderUnicodeCompact(text, { border: 2 });
  const width = Math.max(...drawing.split("\n").map((line) => line.length));
  return width <= columns ? drawing : undefined;
}
