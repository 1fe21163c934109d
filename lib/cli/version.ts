/**
 * The program's version, from `deno.json`.
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };

/** The version printed by `--version`. */
export const VERSION: string = denoJson.version;
