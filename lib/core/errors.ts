/**
 * Error classes shared by the whole program. Every error the user should see is a
 * {@link PhotosyncError}: its message is one actionable line and it carries the exit code.
 * @module
 */

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  /** A run error: network, API, file system. */
  failure: 1,
  /** Bad input: flags, dates, client secret file, output directory. */
  usage: 2,
  /** The run finished, but some items could not be downloaded (see `photosync status`). */
  incomplete: 3,
  /** Authorisation is needed or was refused. */
  auth: 4,
  /** Google's daily quota is used up: run again after midnight Pacific Time. */
  quota: 5,
  /** Stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it. */
  interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  terminated: 143,
} as const;

/** Base class of the errors printed as one line by the top-level error printer. */
export class PhotosyncError extends Error {
  /** Process exit code for this error. */
  readonly exitCode: number;
  constructor(message: string, options?: ErrorOptions & { exitCode?: number }) {
    super(message, options);
    this.name = "PhotosyncError";
    this.exitCode = options?.exitCode ?? ExitCode.failure;
  }
}

/** Bad command-line input or configuration. */
export class UsageError extends PhotosyncError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, exitCode: ExitCode.usage });
    this.name = "UsageError";
  }
}

/** Authorisation failed, was refused, or must be repeated. */
export class AuthError extends PhotosyncError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, exitCode: ExitCode.auth });
    this.name = "AuthError";
  }
}

/**
 * The run was asked to stop (e.g. its time limit ran out): the reason a stopped run's requests
 * and sleeps end with. Not a failure: what is finished is kept.
 */
export class StopRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StopRequest";
  }
}

/**
 * The run was stopped by a signal (Ctrl-C, SIGTERM): the reason its stop is aborted with (as a
 * {@link StopRequest} is for a time limit), ending in exit 130 or 143; what it finished is kept.
 */
export class InterruptedError extends PhotosyncError {
  /** The signal that stopped the run. */
  readonly signal: "SIGINT" | "SIGTERM";
  /** `kept`: what the run kept, for the one line (default: "what was downloaded is kept"). */
  constructor(signal: "SIGINT" | "SIGTERM", kept = "what was downloaded is kept") {
    super(`stopped by ${signal === "SIGINT" ? "Ctrl-C (SIGINT)" : "SIGTERM"}; ${kept}`, {
      exitCode: signal === "SIGINT" ? ExitCode.interrupted : ExitCode.terminated,
    });
    this.name = "InterruptedError";
    this.signal = signal;
  }
}
