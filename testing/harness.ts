/**
 * Running the real CLI as a child process against the emulator, playing the user's browser during
 * authorisation, and the test environment (an emulator and a workspace folder) the runs share.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Emulator, type EmulatorOptions } from "./emulator.ts";
import { grantedEnv, runFlags } from "./run_flags.ts";
import { runCli } from "../main.ts";

/** Path of the CLI's entry point. */
export const MAIN: string = new URL("../main.ts", import.meta.url).pathname;

/** The preload of a run with {@link CliOptions.gcOften}. */
const GC_OFTEN = new URL("./gc_often.ts", import.meta.url).pathname;

/**
 * The command line running the CLI with `args` and the flags photosync runs with (`gcOften`: and
 * testing/gc_often.ts preloaded, with the V8 flag it needs; `allowWrite`: write access granted to those
 * folders only, as a program embedding photosync may grant it, where Deno makes no symbolic links).
 */
export function cliCommand(
  args: string[],
  options: { gcOften?: boolean; allowWrite?: string[] } = {},
): string[] {
  let flags = runFlags();
  if (options.allowWrite) {
    const scoped = `--allow-write=${options.allowWrite.join(",")}`;
    if (!flags.includes("--allow-write")) {
      throw new Error("deno.json's photosync task grants no --allow-write");
    }
    flags = flags.map((flag) => flag === "--allow-write" ? scoped : flag);
  }
  if (options.gcOften) {
    flags = flags.map((flag) => flag.startsWith("--v8-flags=") ? `${flag},--expose-gc` : flag);
    if (!flags.some((flag) => flag.startsWith("--v8-flags="))) flags.push("--v8-flags=--expose-gc");
    flags.push(`--preload=${GC_OFTEN}`);
  }
  return [Deno.execPath(), "run", ...flags, MAIN, ...args];
}

/** A finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * What `photosync status --json` prints, as the README documents it for scripts: the harness reads the CLI's
 * output, not photosync's modules.
 */
export type StatusJson = Record<"items" | "downloaded" | "pending" | "failed" | "bytes", number> & {
  /** Items per source. */
  sources: Record<string, number>;
  failures: { id: string; filename: string; reason: string }[];
  notes: { id: string; filename: string; note: string }[];
  /** Downloaded items whose file is gone from the folder or has another size. */
  missing: { id: string; filename: string; path: string }[];
  /** Per year of capture (UTC); `sources` filled for years of more than one source. */
  years: Record<
    string,
    Record<"items" | "downloaded" | "files" | "pending" | "failed" | "bytes", number> & {
      sources: Record<
        string,
        Record<"items" | "downloaded" | "files" | "pending" | "failed" | "bytes", number>
      >;
    }
  >;
  /** Capture times (ISO 8601) of the oldest and newest item, null when there are none. */
  oldest: string | null;
  newest: string | null;
  /** Each source's last run. */
  runs: Record<string, {
    command: string;
    started: string;
    ended: string;
    exitCode: number;
    outcome: string;
    message?: string;
    warnings?: string[];
    added?: { items: number; files: number; bytes: number };
  }>;
};

/** How to start the CLI. */
export interface CliOptions {
  /**
   * The emulator the CLI talks to: PHOTOSYNC_API_URL and PHOTOSYNC_PICKER_URL point to it. Needed to answer
   * the authorisation prompt; a run that talks to no Google endpoint (`takeout`, `status`) needs none.
   */
  emulator?: Emulator;
  /** Environment on top of PATH, HOME, NO_COLOR and the emulator's URLs. */
  env?: Record<string, string>;
  cwd?: string;
  /** Answer the authorisation prompt: through the loopback callback, by pasting the URL on stdin, or not at all. */
  auth?: "browser" | "paste" | "deny" | "none";
  /** Also copy the CLI's stderr to ours (for the demo). */
  echo?: boolean;
  /**
   * A command line the CLI's command line is appended to, which runs it (e.g. `unshare` and a shell script
   * preparing a mount namespace, then running `"$@"`).
   */
  wrap?: string[];
  /**
   * Run the command line in this process ({@link runInProcess}), not as a child: for runs that end before
   * any work (bad input, `--help`) and `status`, where starting a process is most of the cost. Relative
   * paths resolve from `cwd` as from `deno task`'s folder: made absolute, as messages then show them.
   */
  inProcess?: boolean;
  /**
   * Collect garbage every few milliseconds in the child (testing/gc_often.ts): for a test whose outcome
   * must not depend on when V8 happens to collect (what Deno holds weakly is then gone at once).
   */
  gcOften?: boolean;
  /**
   * Grant the child write access to these folders only (see {@link cliCommand}): Deno then refuses it
   * symbolic links, as for a program that embeds photosync, so that album links are hard links.
   */
  allowWrite?: string[];
}

/** A running CLI process whose stderr is read line by line. */
export class CliProcess {
  readonly child: Deno.ChildProcess;
  readonly #stderrLines: string[] = [];
  readonly #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  readonly #stdout: Promise<string>;
  readonly #stderrDone: Promise<void>;
  readonly #echo: boolean;

  constructor(args: string[], options: CliOptions = {}) {
    const { emulator } = options;
    this.#echo = options.echo ?? false;
    const [program, ...programArgs] = [...options.wrap ?? [], ...cliCommand(args, options)];
    this.child = new Deno.Command(program, {
      args: programArgs,
      cwd: options.cwd,
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: Deno.env.get("HOME") ?? "",
        NO_COLOR: "1",
        ...emulator && { PHOTOSYNC_API_URL: emulator.apiUrl, PHOTOSYNC_PICKER_URL: emulator.pickerUrl },
        ...options.env,
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdout = new Response(this.child.stdout).text();
    this.#stderrDone = this.#readStderr();
  }

  async #readStderr(): Promise<void> {
    let buffer = "";
    for await (const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      lines.forEach((line) => this.#push(line));
    }
    if (buffer) this.#push(buffer);
  }

  #push(line: string): void {
    this.#stderrLines.push(line);
    if (this.#echo) Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`));
    for (const waiter of [...this.#waiters]) {
      if (waiter.test(line)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  }

  /** The `count`-th stderr line (already printed or still to come) that passes `test`. */
  waitForLine(test: (line: string) => boolean, count = 1): Promise<string> {
    const seen = this.#stderrLines.filter(test);
    if (seen.length >= count) return Promise.resolve(seen[count - 1]);
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    let left = count - seen.length;
    this.#waiters.push({ test: (line) => test(line) && --left === 0, resolve });
    this.#stderrDone.then(() =>
      reject(new Error(`CLI ended without such a line:\n${this.#stderrLines.join("\n")}`))
    );
    return promise;
  }

  /**
   * `event` (something the test waits for while the CLI runs: a proxy's stall, a request), or a rejection
   * with the CLI's stderr when the CLI ends first: a run that fails early fails the test, it does not hang.
   */
  async until<T>(event: Promise<T>): Promise<T> {
    const ended = this.#stderrDone.then(() => this.child.status).then(({ code }) => {
      throw new Error(`CLI ended (exit ${code}) before the event awaited:\n${this.#stderrLines.join("\n")}`);
    });
    ended.catch(() => {});
    return await Promise.race([event, ended]);
  }

  /** Write text to the CLI's stdin. */
  async type(text: string): Promise<void> {
    const writer = this.child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    writer.releaseLock();
  }

  /** Wait for the exit; stdin is closed first. */
  async result(): Promise<CliResult> {
    await this.child.stdin.close().catch(() => {});
    const [{ code }, stdout] = await Promise.all([this.child.status, this.#stdout, this.#stderrDone]);
    return { code, stdout, stderr: this.#stderrLines.join("\n") };
  }
}

/**
 * Run photosync as a child process to completion, answering the authorisation prompt as `options.auth` says.
 * With `options.inProcess`, it runs in this process instead ({@link runInProcess}).
 */
export async function runPhotosync(args: string[], options: CliOptions = {}): Promise<CliResult> {
  if (options.inProcess) return await runInProcess(args, options);
  const cli = new CliProcess(args, options);
  await answerAuth(cli, options.emulator, options.auth ?? "none");
  return await cli.result();
}

/**
 * Run photosync's command line in this process (`runCli` of lib/cli/run.ts) as {@link CliProcess} runs
 * it as a child: the same environment (only the variables photosync may read), `options.cwd` as the
 * folder relative paths resolve from, stdin closed and no terminal; stdout and stderr kept as a
 * child's are. What it cannot play (answering the authorisation, `wrap`, `echo`, `gcOften`) is refused.
 */
export async function runInProcess(args: string[], options: CliOptions = {}): Promise<CliResult> {
  if (
    (options.auth ?? "none") !== "none" || options.wrap || options.echo || options.gcOften ||
    options.allowWrite
  ) {
    throw new Error(
      "a run that answers the authorisation, is wrapped, echoed, collects garbage often or has scoped grants runs as a child process",
    );
  }
  const { emulator } = options;
  const variables: Record<string, string> = {
    HOME: Deno.env.get("HOME") ?? "",
    ...emulator && { PHOTOSYNC_API_URL: emulator.apiUrl, PHOTOSYNC_PICKER_URL: emulator.pickerUrl },
    // A child runs in `cwd`; in-process, relative paths resolve from it as from `deno task`'s INIT_CWD.
    ...options.cwd && { INIT_CWD: options.cwd },
    ...options.env,
  };
  const granted = grantedEnv();
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    sink: { stdout: (text) => stdout += text, stderr: (text) => stderr += text },
    env: (name) => granted.has(name) ? variables[name] : undefined,
    stdin: new ReadableStream({ start: (controller) => controller.close() }),
    stdinIsTerminal: false,
    stderrIsTerminal: false,
  });
  return { code, stdout, stderr: stderr.replace(/\n$/, "") };
}

/** Play the user's part in the authorisation: open the printed URL, consent (or deny), deliver the redirect. */
export async function answerAuth(
  cli: CliProcess,
  emulator: Emulator | undefined,
  auth: CliOptions["auth"],
): Promise<void> {
  if (auth === "none" || auth === undefined) return;
  if (!emulator) throw new Error(`answering the authorisation (${auth}) needs the emulator`);
  const authUrl = await cli.waitForLine((line) => line.startsWith(emulator.authUri));
  const redirect = await emulator.consent(authUrl, { deny: auth === "deny" });
  if (auth === "paste") await cli.type(`${redirect}\n`);
  else await (await fetch(redirect)).body?.cancel();
}

/** A fresh temporary folder with the emulator's client secret in `clientsecret.json`; returns its path. */
export async function workspace(emulator: Emulator): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "photosync-test-" });
  await Deno.writeTextFile(join(root, "clientsecret.json"), JSON.stringify(emulator.clientSecretJson()));
  return root;
}

/**
 * Whether a name at the top of an output folder is photosync's own file, no photo: `sync.db` (and its
 * `-wal`, `-shm`, `-lock`) and the reports of Takeout imports (`takeout-report-<time>.tsv`).
 */
export function isOwnFile(name: string): boolean {
  return name.startsWith("sync.db") || /^takeout-report-[\dTZ-]+\.tsv$/.test(name);
}

/** Every file under `dir` (relative, `/`-separated), sorted, skipping photosync's own at its top ({@link isOwnFile}). */
export async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) files.push(...await listFiles(dir, path));
    else if (prefix || !isOwnFile(entry.name)) files.push(path);
  }
  return files.sort();
}

/**
 * An emulator and a {@linkcode workspace} folder whose `photos` subfolder is the output folder. `await using`
 * it: disposing closes the emulator and removes the folder.
 */
export class TestEnv implements AsyncDisposable {
  /** The output folder, `<root>/photos` (not created). */
  readonly dir: string;

  /** Whether disposing closes the emulator: it was started for this environment alone. */
  readonly #ownsEmulator: boolean;

  private constructor(readonly emulator: Emulator, readonly root: string, ownsEmulator = true) {
    this.dir = join(root, "photos");
    this.#ownsEmulator = ownsEmulator;
  }

  /** Starts an emulator with `options` and makes its workspace. */
  static async start(options: EmulatorOptions = {}): Promise<TestEnv> {
    const emulator = await Emulator.start(options);
    try {
      return new TestEnv(emulator, await workspace(emulator));
    } catch (error) {
      await emulator.close();
      throw error;
    }
  }

  /**
   * A workspace of its own on `emulator`, which is already running and stays so: one emulator that a
   * file's tests share, each giving it its library and faults. Disposing removes the workspace only.
   */
  static async on(emulator: Emulator): Promise<TestEnv> {
    return new TestEnv(emulator, await workspace(emulator), false);
  }

  /** Runs the CLI with exactly `args`, in the workspace. */
  cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
    return runPhotosync(args, { emulator: this.emulator, cwd: this.root, ...options });
  }

  /**
   * Runs a sync into {@linkcode TestEnv.dir} with `args`. Where `options.auth` answers the authorisation
   * prompt, `--no-browser` is added: the harness plays the browser.
   */
  run(args: string[] = [], options: CliOptions = {}): Promise<CliResult> {
    return this.cli(this.#syncArgs(args, options), options);
  }

  /** Starts a sync into {@linkcode TestEnv.dir} with `args` (see {@linkcode TestEnv.run}) without waiting. */
  spawn(args: string[] = [], options: CliOptions = {}): CliProcess {
    return new CliProcess(this.#syncArgs(args, options), {
      emulator: this.emulator,
      cwd: this.root,
      ...options,
    });
  }

  /**
   * `photosync pick` into {@linkcode TestEnv.dir}: the test plays the browser (consents to the Picker scope)
   * and the user (picks `ids`), and waits for the run's end.
   */
  async pick(ids: string[]): Promise<CliResult> {
    const cli = new CliProcess(["pick", `--dir=${this.dir}`, "--no-browser"], {
      emulator: this.emulator,
      cwd: this.root,
    });
    const authUrl = await cli.waitForLine((line) => line.startsWith(this.emulator.authUri));
    await (await fetch(await this.emulator.consent(authUrl))).body?.cancel();
    await this.emulator.pick(await cli.waitForLine((line) => line.startsWith(this.emulator.pickerUrl)), ids);
    return await cli.result();
  }

  /**
   * `photosync status --json` of `dir` (by default {@linkcode TestEnv.dir}), which must exit 0. Run
   * in-process: a test reads it after (or between) the runs it is about.
   */
  async status(dir: string = this.dir): Promise<StatusJson> {
    const result = await this.cli(["status", `--dir=${dir}`, "--json"], { inProcess: true });
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  }

  /** The first refresh token the emulator issued (after a first authorised run). */
  refreshToken(): string {
    const token = this.emulator.issuedTokens.find((issued) => issued.startsWith("1//"));
    if (token === undefined) throw new Error("No refresh token was issued yet");
    return token;
  }

  #syncArgs(args: string[], options: CliOptions): string[] {
    const browser = options.auth !== undefined && options.auth !== "none" ? ["--no-browser"] : [];
    return [`--dir=${this.dir}`, ...browser, ...args];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#ownsEmulator) await this.emulator.close();
    await Deno.remove(this.root, { recursive: true });
  }
}
