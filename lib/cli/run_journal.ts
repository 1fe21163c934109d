/**
 * What a command leaves behind about its run, whatever its exit: each source's last run in
 * `sync.db` (for `status` and `report`), and, when `GITHUB_STEP_SUMMARY` names a file (GitHub
 * Actions sets it for each step), a short Markdown summary appended to it.
 *
 * A command tells the journal which backup it works on ({@link RunJournal.begin}); `run.ts` ends the
 * journal with the exit code and the warnings that needed a person (the renderer's `attention`), after
 * the command and its store are done, still holding the folder's lock (`keepingLocks` around both): a run
 * started as this one's command ended is refused, as during the command, instead of taking the folder
 * before the record is written.
 * @module
 */
import { join } from "node:path";
import { DB_FILE } from "../core/db_files.ts";
import { type Figures, sourceFigures } from "../core/overview.ts";
import { Store } from "../core/store.ts";
import { jobSummary, outcomeOf } from "./job_summary.ts";

/** The environment variable GitHub Actions sets to the step's summary file. */
export const STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY";

/** Options of {@link RunJournal}. */
export interface RunJournalOptions {
  env: (name: string) => string | undefined;
  now?: () => number;
}

/** One command's run, as the journal sees it. */
export class RunJournal {
  readonly #env: (name: string) => string | undefined;
  readonly #now: () => number;
  #run?: {
    command: string;
    dir: string;
    source?: string;
    started: number;
    before?: Record<string, Figures>;
    failure?: string;
  };

  constructor(options: RunJournalOptions) {
    this.#env = options.env;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The command works on the backup in `dir`: a run of `source` when it adds to it (`sync`: the
   * library), else only read. Reads each source's figures before the run, as far as there are any.
   */
  begin(command: string, dir: string, source?: string): void {
    const started = this.#now();
    const before = source !== undefined || this.#summaryFile() ? figuresOf(dir) : undefined;
    this.#run = { command, dir, source, started, before: before === "unreadable" ? undefined : before ?? {} };
  }

  /**
   * The command fails without throwing (it goes on, and ends with its exit code): `message` says why (a
   * `takeout` whose archive was damaged: the others were imported). Recorded as a thrown error's line is.
   */
  fail(message: string): void {
    if (this.#run) this.#run.failure ??= message;
  }

  /**
   * The command ended with `exitCode` (and `message`, its error's line, or else what it said with `fail`;
   * `warnings`, those that need a person): record the source's last run and append the job summary. Never
   * fails the run: returns what could not be written.
   */
  async end(
    exitCode: number,
    message?: string,
    warnings: readonly string[] = [],
  ): Promise<string | undefined> {
    const run = this.#run;
    if (!run) return undefined;
    this.#run = undefined;
    message ??= exitCode === 0 ? undefined : run.failure;
    const file = this.#summaryFile();
    if (run.source === undefined && !file) return undefined;
    const after = figuresOf(run.dir);
    if (after === undefined || after === "unreadable") return undefined;
    const outcome = outcomeOf(run.command, exitCode);
    // An authorisation needed or refused needs a person too.
    const attention = exitCode === 4 && message && !warnings.includes(message)
      ? [...warnings, message]
      : warnings;
    const problems: string[] = [];
    if (run.source !== undefined) {
      const added = run.before ? addedBy(run.before[run.source], after[run.source]) : undefined;
      const record = {
        command: run.command,
        started: new Date(run.started).toISOString(),
        ended: new Date(this.#now()).toISOString(),
        exitCode,
        outcome,
        ...(message === undefined ? {} : { message }),
        // What needed a person (an export lacking a part, a budget reached): `status` shows it.
        ...(warnings.some((warning) => warning !== message)
          ? { warnings: warnings.filter((warning) => warning !== message) }
          : {}),
        ...(added ? { added } : {}),
      };
      try {
        using store = Store.open(run.dir);
        store.recordRun(run.source, JSON.stringify(record));
      } catch (error) {
        // A run that failed said why already (the folder locked by another run, say): its record can wait.
        if (exitCode === 0) {
          problems.push(`cannot record the run in ${join(run.dir, DB_FILE)}: ${(error as Error).message}`);
        }
      }
    }
    if (file) {
      const text = jobSummary({
        command: run.command,
        exitCode,
        outcome,
        before: run.before,
        after,
        warnings: [...attention],
      });
      try {
        await Deno.writeTextFile(file, text, { append: true });
      } catch (error) {
        problems.push(`cannot append to ${STEP_SUMMARY_VARIABLE} ${file}: ${(error as Error).message}`);
      }
    }
    return problems.length > 0 ? problems.join("; ") : undefined;
  }

  #summaryFile(): string | undefined {
    return this.#env(STEP_SUMMARY_VARIABLE) || undefined;
  }
}

/**
 * What one source gained from `before` to `after` (none before: all of it is new): never less than
 * nothing (a `--resync` puts files it found gone back to pending, a Takeout import removes trashed
 * items: what they took away was not there to add).
 */
function addedBy(before: Figures | undefined, after: Figures | undefined) {
  const was = before ?? { items: 0, files: 0, bytes: 0 };
  const now = after ?? { items: 0, files: 0, bytes: 0 };
  return {
    items: Math.max(0, now.items - was.items),
    files: Math.max(0, now.files - was.files),
    bytes: Math.max(0, now.bytes - was.bytes),
  };
}

/**
 * Each source's figures in `dir`'s sync.db: undefined when there is none, `"unreadable"` when it
 * cannot be read as this photosync's (damaged, another program's, an older or newer schema).
 */
function figuresOf(dir: string): Record<string, Figures> | "unreadable" | undefined {
  try {
    Deno.statSync(join(dir, DB_FILE));
  } catch {
    return undefined;
  }
  try {
    using store = Store.open(dir, { readOnly: true });
    return sourceFigures(store);
  } catch {
    return "unreadable";
  }
}
