/**
 * The full account of a Takeout import, one line per entry of every archive (and one per file
 * of an earlier run's entry that a sidecar found now re-dated or removed), written to a
 * tab-separated file in the output folder as the import goes (never held in memory):
 * `DIR/takeout-report-<UTC time>.tsv`. The terminal gets a short summary that names it.
 *
 * It sits at the top of `DIR`, where no item of the default layout goes (items go into year
 * folders), and is created new, never over anything: an item that took the name first (with
 * a `--layout` putting files at the top) keeps it, and the report takes the next name.
 * @module
 */
import { join } from "node:path";
import { escapeField } from "../../core/escape.ts";

/** The columns, as the file's first line names them. */
export const REPORT_COLUMNS = [
  "archive",
  "entry",
  "outcome",
  "sidecar",
  "rule",
  "date source",
  "note",
] as const;

/** What an entry became, as the report's `outcome` column says it. */
export type Outcome =
  | "imported"
  | "already present"
  | "duplicate"
  | "trashed"
  | "sidecar"
  | "unmatched sidecar"
  | "not media"
  /** Outside the export's Google Photos folder (another Takeout product's, or beside the export): left out. */
  | "not Google Photos"
  | "failed"
  | "unread"
  | "damaged archive"
  /** A file placed from an entry of an earlier run that a sidecar found now re-dated or removed. */
  | "redated"
  | "removed"
  /** A file placed from an entry of an earlier run that a sidecar found now put in the trash, kept (the note says why). */
  | "kept"
  /**
   * An item placed from an entry of an earlier run that a sidecar found now put in the trash, with no file here
   * to remove (gone, or stored elsewhere): only its record went.
   */
  | "no file here";

/** One line of the report; absent fields are empty. */
export interface ReportLine {
  archive: string;
  entry?: string;
  outcome: Outcome;
  sidecar?: string;
  rule?: string;
  dateSource?: string;
  note?: string;
}

/** Bytes gathered before they are written: the file grows in steps, memory stays flat. */
const FLUSH_BYTES = 64 * 1024;

/** The report file of one run, open for appending lines. */
export class ReportFile implements Disposable {
  /** Its path (under the output folder). */
  readonly path: string;
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();
  #buffer: string[] = [];
  #buffered = 0;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /** Create `dir/takeout-report-<now as YYYYMMDDTHHMMSSZ>.tsv` (or `…-2.tsv`, … when taken), with its header. */
  static create(dir: string, now = new Date()): ReportFile {
    const stamp = now.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
    for (let n = 1;; n++) {
      const path = join(dir, `takeout-report-${stamp}${n > 1 ? `-${n}` : ""}.tsv`);
      try {
        // Only the user may read it: it lists the library's file names, as sync.db does.
        const file = Deno.openSync(path, { write: true, createNew: true, mode: 0o600 });
        const report = new ReportFile(path, file);
        report.#append(REPORT_COLUMNS.join("\t"));
        return report;
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
    }
  }

  /** Add one entry's line. */
  write(line: ReportLine): void {
    const fields = [
      line.archive,
      line.entry,
      line.outcome,
      line.sidecar,
      line.rule,
      line.dateSource,
      line.note,
    ];
    this.#append(fields.map((field) => escapeField(field ?? "")).join("\t"));
  }

  /** Write what is gathered. */
  flush(): void {
    if (this.#buffered === 0) return;
    const bytes = this.#encoder.encode(this.#buffer.join(""));
    this.#buffer = [];
    this.#buffered = 0;
    for (let at = 0; at < bytes.length;) at += this.#file.writeSync(bytes.subarray(at));
  }

  /** Write what is gathered and close the file. */
  [Symbol.dispose](): void {
    try {
      this.flush();
    } finally {
      this.#file.close();
    }
  }

  #append(line: string): void {
    this.#buffer.push(`${line}\n`);
    this.#buffered += line.length + 1;
    if (this.#buffered >= FLUSH_BYTES) this.flush();
  }
}
