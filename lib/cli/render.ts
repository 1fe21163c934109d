// deno-lint-ignore-file no-console
/**
 * The one place that writes to the terminal. On a TTY it keeps a redrawn progress line on
 * stderr; otherwise every event is a plain line. Everything else in photosync talks to the
 * {@link Logger} interface.
 *
 * What it is given may hold names from archives and from Google (hostile: ESC, BEL, CR, bidi
 * overrides), so every line it writes is escaped (`escapeControls`) and is one line; only its
 * own control sequences (redrawing the progress line) and the QR code's drawing are written as
 * they are.
 * @module
 */
import { escapeControls } from "../core/escape.ts";
import type { Logger, Progress } from "../core/logger.ts";
import { formatBytes, formatCount, formatDuration } from "./format.ts";

/** How much the renderer says. */
export type Verbosity = "quiet" | "normal" | "verbose";

/** Where the renderer's text goes: each call writes `text` exactly (lines end in their own `\n`). */
export interface TextSink {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's own stdout and stderr. */
export const PROCESS_SINK: TextSink = {
  stdout: (text) => writeText(console.log, Deno.stdout, text),
  stderr: (text) => writeText(console.error, Deno.stderr, text),
};

/** Options of {@link Renderer}. */
export interface RendererOptions {
  verbosity?: Verbosity;
  /** Draw a progress line: defaults to whether stderr is a terminal. */
  tty?: boolean;
  /** Clock in milliseconds, for rates and redraw throttling. */
  now?: () => number;
  /** Where the text goes: by default the process's stdout and stderr ({@link PROCESS_SINK}). */
  sink?: TextSink;
}

const REDRAW_MS = 100;
/** Off a terminal, how often at most a line tells how many items were indexed so far. */
export const PLAIN_PROGRESS_MS = 5_000;

/** The terminal renderer: a {@link Logger} writing to stderr (and stdout for {@link Logger.output}). */
export class Renderer implements Logger {
  readonly #verbosity: Verbosity;
  readonly #tty: boolean;
  readonly #now: () => number;
  readonly #sink: TextSink;
  readonly #started: number;
  #state: Progress = { indexed: 0, files: 0, filesTotal: 0, bytes: 0, bytesTotal: 0, action: "downloaded" };
  #lineShown = false;
  readonly #attention: string[] = [];
  #lastDraw = 0;
  #lastPlain: number;

  constructor(options: RendererOptions = {}) {
    this.#verbosity = options.verbosity ?? "normal";
    this.#tty = options.tty ?? Deno.stderr.isTerminal();
    // Monotonic: it measures rates and the time between lines, which a wall clock set back would stop
    // for as long (and one set forward would make a rate of nothing).
    this.#now = options.now ?? (() => performance.now());
    this.#sink = options.sink ?? PROCESS_SINK;
    this.#started = this.#now();
    this.#lastPlain = this.#started;
  }

  /** Counters accumulated so far. */
  get state(): Readonly<Progress> {
    return this.#state;
  }

  info(message: string): void {
    if (this.#verbosity !== "quiet") this.#line(message);
  }

  event(message: string): void {
    if (this.#tty ? this.#verbosity === "verbose" : this.#verbosity !== "quiet") this.#line(message);
  }

  verbose(message: string): void {
    if (this.#verbosity === "verbose") this.#line(message);
  }

  warn(message: string): void {
    this.#line(`warning: ${message}`);
  }

  attention(message: string): void {
    this.warn(message);
    if (!this.#attention.includes(message)) this.#attention.push(message);
  }

  /** The warnings that need a person said so far (for the job summary), each once. */
  get attentionNeeded(): readonly string[] {
    return this.#attention;
  }

  notice(message: string): void {
    this.#line(message);
  }

  /** Print a one-line error (the top-level error printer's output). */
  error(message: string): void {
    this.#line(`error: ${message}`);
  }

  progress(update: Partial<Progress>): void {
    const indexed = this.#state.indexed;
    this.#state = { ...this.#state, ...update };
    if (this.#verbosity === "quiet") return;
    const now = this.#now();
    if (!this.#tty) {
      // A log gets a line every few seconds while indexing, not one per page.
      if (this.#state.indexed !== indexed && now - this.#lastPlain >= PLAIN_PROGRESS_MS) {
        this.#lastPlain = now;
        this.#line(`indexed ${formatCount(this.#state.indexed, "item")} so far`);
      }
      return;
    }
    if (now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    this.#draw();
  }

  output(text: string): void {
    this.#clear();
    // Tables and help are several lines; JSON escapes its own control characters.
    this.#sink.stdout(`${escapeControls(text, "\n")}\n`);
    this.#redraw();
  }

  /** Remove the progress line (call before exiting). */
  finish(): void {
    this.#clear();
  }

  /**
   * Draw `text` (a URL) as a QR code with `draw` (`qrCodeText` of qr_code.ts, which the command that shows
   * one loads: its npm module costs every other start CPU), for a phone's camera, when stderr is a
   * terminal wide enough for it; otherwise nothing.
   */
  qrCode(text: string, draw: (text: string, columns: number) => string | undefined): void {
    if (!this.#tty) return;
    const drawing = draw(text, consoleColumns());
    if (drawing !== undefined) this.#write(drawing);
  }

  /** One line describing the progress so far, e.g. for the end-of-run summary. */
  describe(): string {
    const { indexed, files, filesTotal, bytes, bytesTotal, action, waiting } = this.#state;
    if (waiting) return waiting;
    const seconds = Math.max((this.#now() - this.#started) / 1000, 0.001);
    // An import indexes nothing of its own: its line is about files and bytes only.
    const parts = action === "downloaded" ? [`indexed ${indexed}`] : [];
    if (filesTotal > 0) {
      const size = bytesTotal > 0
        ? `${formatBytes(bytes)} of ${formatBytes(bytesTotal)}`
        : formatBytes(bytes);
      parts.push(`${action} ${files}/${filesTotal} files, ${size}, ${formatBytes(bytes / seconds)}/s`);
      // By bytes where the total is known (files differ in size), else by files.
      const done = bytesTotal > 0 ? bytes / bytesTotal : files / filesTotal;
      if (done > 0 && done < 1) parts.push(`ETA ${formatDuration((seconds / done) * (1 - done))}`);
    }
    return parts.join(" · ");
  }

  /** One line of `message`, escaped. */
  #line(message: string): void {
    this.#write(escapeControls(message));
  }

  /** `text` as it is: the renderer's own drawing only. */
  #write(text: string): void {
    this.#clear();
    this.#sink.stderr(`${text}\n`);
    this.#redraw();
  }

  #draw(): void {
    const columns = consoleColumns();
    const text = escapeControls(this.describe()).slice(0, columns - 1);
    this.#sink.stderr(`\r\x1b[K${text}`);
    this.#lineShown = true;
  }

  #redraw(): void {
    if (this.#tty && this.#verbosity !== "quiet" && this.#lastDraw > 0) this.#draw();
  }

  #clear(): void {
    if (!this.#lineShown) return;
    this.#sink.stderr("\r\x1b[K");
    this.#lineShown = false;
  }
}

/**
 * `text` on a standard stream: whole lines through the console, which ignores a closed pipe
 * (`photosync status | head -1`) where `writeSync` throws; the progress line's redraws, which end
 * in no newline (only on a terminal), straight to the stream.
 */
function writeText(print: (text: string) => void, stream: typeof Deno.stderr, text: string): void {
  if (text.endsWith("\n")) print(text.slice(0, -1));
  else stream.writeSync(new TextEncoder().encode(text));
}

function consoleColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}
