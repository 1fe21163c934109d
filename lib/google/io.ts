/**
 * The I/O edges of a run that talks to Google, replaceable so that the same code runs against
 * Google, the emulator, or a test's fakes. Shared by `sync` and `pick`.
 * @module
 */

/** The I/O edges of a run (each defaults to the real one). */
export interface GoogleIo {
  fetch?: typeof fetch;
  env?: (name: string) => string | undefined;
  /** Open a URL in the user's browser (omitted: print it only). */
  openBrowser?: (url: string) => void;
  /** Where a pasted redirect URL may come from (default none). */
  input?: ReadableStream<Uint8Array>;
  now?: () => number;
}
