/**
 * Flag parsing shared by the subcommands: `node:util` parseArgs with one-line errors.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../core/errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The flags every command takes: how much to say, its help, the version. */
export const COMMON_FLAGS = {
  quiet: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

/**
 * Parse `args` strictly against `options`; unknown flags, bad values, too many positionals and
 * `--quiet` with `--verbose` become {@link UsageError}.
 */
export function parseFlags<T extends Options>(command: string, args: string[], options: T, positionals = 0) {
  const parsed = parseStrictly(command, args, options, positionals);
  const { quiet, verbose } = parsed.values as { quiet?: unknown; verbose?: unknown };
  if (quiet && verbose) throw new UsageError("--quiet and --verbose cannot be combined: choose one");
  return parsed;
}

function parseStrictly<T extends Options>(command: string, args: string[], options: T, positionals: number) {
  try {
    // Positionals are counted below rather than refused by node: node's message is cut at its
    // first full stop in the catch below, which would mangle an argument like `photo.jpg`.
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(
        `unexpected argument "${parsed.positionals[positionals]}"; see photosync ${command} --help`,
      );
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = (error as Error).message;
    const flag = /'(-[^' ]+)/.exec(message)?.[1];
    const code = (error as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError(`unknown flag ${flag}; see photosync ${command} --help`, { cause: error });
    }
    throw new UsageError(`${message.split(".")[0]}; see photosync ${command} --help`, { cause: error });
  }
}

/** `--timeout`: seconds (a positive number up to an hour), returned in milliseconds. */
export function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds < 0.1 || seconds > 3600) {
    throw new UsageError(`--timeout must be a number of seconds from 0.1 to 3600, not "${text}"`);
  }
  return seconds * 1000;
}

/** `--concurrency`: a whole number from 1 to 64. */
export function parseConcurrency(text: string | undefined): number | undefined {
  return parseWholeNumber("--concurrency", text, 64);
}

/** The value of `flag`: a whole number from 1 to `max`, or undefined when not given. */
export function parseWholeNumber(flag: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not "${text}"`);
  }
  return value;
}

/** The longest `--max-time`: about what a timer can wait (2^31 ms is 596 hours). */
const MAX_DURATION_HOURS = 500;

/**
 * `--max-time`: a duration of hours, minutes and seconds in that order, each optional but
 * not all, decimals allowed (`5h30m`, `90m`, `45s`, `1.5h`), from 0.1 s to 500 h; returned in
 * milliseconds.
 *
 * @example Usage
 * ```ts
 * import { parseDuration } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseDuration("5h30m"), 19_800_000);
 * assert.equal(parseDuration("90m"), 5_400_000);
 * ```
 */
export function parseDuration(text: string | undefined, flag = "--max-time"): number | undefined {
  if (text === undefined) return undefined;
  const number = String.raw`(\d+(?:\.\d+)?)`;
  const match = new RegExp(`^(?:${number}h)?(?:${number}m)?(?:${number}s)?$`).exec(text);
  const [hours = 0, minutes = 0, seconds = 0] = (match?.slice(1) ?? []).map((part) => Number(part ?? 0));
  const ms = Math.round(((hours * 60 + minutes) * 60 + seconds) * 1000);
  if (!match || text === "" || ms < 100 || ms > MAX_DURATION_HOURS * 3_600_000) {
    throw new UsageError(
      `${flag} must be a duration such as 5h30m, 90m or 45s (from 0.1s to ${MAX_DURATION_HOURS}h), not "${text}"`,
    );
  }
  return ms;
}

/** Bytes per unit of {@link parseSize}: decimal as photosync prints sizes, and binary. */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** The largest `--max-bytes`: 1 PB, far above any disk and a safe integer. */
const MAX_SIZE = 1e15;

/**
 * `--max-bytes`: a size with its unit (`500MB`, `10GB`, `1.5TB`, `512MiB`, `100000B`; decimal units
 * are powers of 1000 as in photosync's output, `KiB` to `TiB` powers of 1024; case does not matter),
 * from 1 B to 1 PB; returned in bytes.
 *
 * @example Usage
 * ```ts
 * import { parseSize } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseSize("500MB"), 500_000_000);
 * assert.equal(parseSize("10GB"), 10_000_000_000);
 * ```
 */
export function parseSize(text: string | undefined, flag = "--max-bytes"): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([a-z]+)$/i.exec(text);
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  const bytes = match && unit ? Math.round(Number(match[1]) * unit) : NaN;
  if (!(bytes >= 1 && bytes <= MAX_SIZE)) {
    throw new UsageError(
      `${flag} must be a size such as 500MB, 10GB or 512MiB (from 1B to 1PB), not "${text}"`,
    );
  }
  return bytes;
}
