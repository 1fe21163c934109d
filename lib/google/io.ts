/**
 * The I/O edges of a run that talks to Google, replaceable so that the same code runs against
 * Google, the emulator, or a test's fakes. Shared by `sync` and `pick`.
 * @module
 */

/** The I/O edges of a run (each defaults to the real one). */
export interface GoogleIo {
  fetch?: typeof fetch;
  env?: (name: string) => string | undefined;
  /**
   * Open a URL in the user's browser (omitted: print it only): false once it is known that none was
   * opened (the opener could not run, or failed), true once the opener succeeded.
   */
  openBrowser?: (url: string) => Promise<boolean>;
  /** Where a pasted redirect URL may come from (default none). */
  input?: ReadableStream<Uint8Array>;
  /**
   * Whether a person may be at this run (default true). When false and no browser is opened, an
   * authorisation fails as soon as `input` ends, instead of waiting for an answer nobody can give.
   */
  attended?: boolean;
  /** The folder the default client secret file (`clientsecret.json`) is looked for in (default the working folder). */
  cwd?: string;
  now?: () => number;
}
