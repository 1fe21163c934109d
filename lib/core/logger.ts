/**
 * What the program reports while it works: the interface every part of photosync talks to, so
 * that only the command line's renderer writes to the terminal.
 * @module
 */

/** Counters shown by the progress display. */
export interface Progress {
  /** Media items written to the index in this run. */
  indexed: number;
  /** Files downloaded in this run. */
  files: number;
  /** Files this run is trying to download. */
  filesTotal: number;
  /** Bytes downloaded in this run. */
  bytes: number;
  /** Bytes this run is trying to transfer, when known in advance (0: unknown). */
  bytesTotal: number;
  /** What a transfer is called on the progress line: `downloaded` (default), `imported` or `verified` (a file read and checked). */
  action: "downloaded" | "imported" | "verified";
  /** What the run is waiting for (e.g. the user's picks), shown instead of the counters while set. */
  waiting?: string;
}

/** What the program reports while it works. */
export interface Logger {
  /** A line for the user, e.g. the end-of-run summary (hidden by `--quiet`). */
  info(message: string): void;
  /** One step of the work, e.g. a file downloaded: a plain line when stderr is not a terminal, folded into the progress line when it is (shown there with `--verbose`). */
  event(message: string): void;
  /** Detail shown only with `--verbose`. */
  verbose(message: string): void;
  /** Something the user should know about even with `--quiet`. */
  warn(message: string): void;
  /**
   * A warning that needs a person (an authorisation about to expire, the disk budget reached): said
   * as {@link warn} does, and listed in the CI job summary. Loggers without it are given a `warn`.
   */
  attention?(message: string): void;
  /** A line the user must see to go on (e.g. the authorisation URL), even with `--quiet`. */
  notice(message: string): void;
  /** Update the progress counters (redrawn on a TTY, silent otherwise). */
  progress(update: Partial<Progress>): void;
  /** Data for stdout (JSON, tables): never mixed with the progress display. */
  output(text: string): void;
}
