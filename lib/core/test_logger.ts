/**
 * For unit tests: a {@link Logger} that keeps what it is told, by kind, and writes nothing.
 * @module
 */
import type { Logger } from "./logger.ts";

/** The lines a {@link testLogger} kept. */
export interface KeptLines {
  info: string[];
  event: string[];
  verbose: string[];
  warn: string[];
}

/** A logger keeping its lines in `lines`; progress, notices and output are dropped. */
export function testLogger(): Logger & { lines: KeptLines } {
  const lines: KeptLines = { info: [], event: [], verbose: [], warn: [] };
  return {
    lines,
    info: (message) => lines.info.push(message),
    event: (message) => lines.event.push(message),
    verbose: (message) => lines.verbose.push(message),
    warn: (message) => lines.warn.push(message),
    notice() {},
    progress() {},
    output() {},
  };
}
