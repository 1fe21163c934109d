/**
 * Flag parsing shared by the subcommands: `node:util` parseArgs with one-line errors.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../core/errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parse `args` strictly against `options`; unknown flags and bad values become {@link UsageError}. */
export function parseFlags<T extends Options>(command: string, args: string[], options: T, positionals = 0) {
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
