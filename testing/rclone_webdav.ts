/**
 * A real `rclone serve webdav` over a local folder, for the tests and the bench: the server users put
 * in front of Dropbox, OneDrive, Box, S3 or SFTP, here with rclone's local backend. It listens on a
 * free port of 127.0.0.1 (`--addr 127.0.0.1:0`); the server is ready when rclone logs the address it
 * serves on, which is where the port is read from.
 * @module
 */

/** The rclone program (Debian's package installs `/usr/bin/rclone`; `.ci/run` installs it when missing). */
export const RCLONE = "rclone";

/** Whether rclone can be run here. */
export async function rcloneAvailable(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(RCLONE, { args: ["version"], stdout: "null", stderr: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

/** What to serve. */
export interface RcloneWebdavOptions {
  /** The local folder served at the root. */
  root: string;
  /** Basic sign-in rclone demands (`--user`, `--pass`); none: it serves anyone. */
  user?: string;
  password?: string;
  /**
   * Count what rclone serves with its own accounting (its remote control on another free port, without
   * authentication, on 127.0.0.1): {@link RcloneWebdav.bytesServed}.
   */
  stats?: boolean;
  /** More flags for `rclone serve webdav`. */
  args?: string[];
}

/** A running `rclone serve webdav`; dispose of it to stop it. */
export class RcloneWebdav implements AsyncDisposable {
  /** The served root, `http://127.0.0.1:PORT/`. */
  readonly url: string;
  readonly #rcUrl?: string;
  readonly #child: Deno.ChildProcess;
  readonly #log: string[];
  readonly #logDone: Promise<void>;

  private constructor(
    url: string,
    rcUrl: string | undefined,
    child: Deno.ChildProcess,
    log: string[],
    logDone: Promise<void>,
  ) {
    this.url = url;
    this.#rcUrl = rcUrl;
    this.#child = child;
    this.#log = log;
    this.#logDone = logDone;
  }

  /**
   * Start rclone and wait for its "WebDav Server started on http://…" line. It reads no rclone.conf
   * (`--config /dev/null`) and keeps no listing cached (`--dir-cache-time 0s`), so that files a test
   * adds are listed at once. Rejects with rclone's log when it exits first.
   */
  static async start(options: RcloneWebdavOptions): Promise<RcloneWebdav> {
    const args = [
      "serve",
      "webdav",
      options.root,
      "--addr",
      "127.0.0.1:0",
      "--config",
      "/dev/null",
      "--dir-cache-time",
      "0s",
      ...(options.user === undefined ? [] : ["--user", options.user]),
      ...(options.password === undefined ? [] : ["--pass", options.password]),
      ...(options.stats ? ["--rc", "--rc-addr", "127.0.0.1:0", "--rc-no-auth"] : []),
      ...options.args ?? [],
    ];
    const child = new Deno.Command(RCLONE, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
    const log: string[] = [];
    const ready = Promise.withResolvers<string>();
    let rcUrl: string | undefined;
    const logDone = (async () => {
      let buffer = "";
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        const lines = buffer.split("\n");
        buffer = lines.pop()!;
        for (const line of lines) {
          log.push(line);
          // rclone starts its remote control first, then the WebDAV server.
          rcUrl ??= /remote control on \[?(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
          const started = /WebDav Server started on \[?(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
          if (started && (rcUrl || !options.stats)) ready.resolve(started[1]);
        }
      }
      if (buffer) log.push(buffer);
    })();
    child.status.then(({ code }) =>
      ready.reject(new Error(`rclone serve webdav exited (${code}) before serving:\n${log.join("\n")}`))
    );
    try {
      return new RcloneWebdav(await ready.promise, rcUrl, child, log, logDone);
    } catch (error) {
      await logDone;
      throw error;
    }
  }

  /** rclone's log lines so far. */
  get log(): readonly string[] {
    return this.#log;
  }

  /** Bytes of files rclone served since it started or since {@link resetStats} (started with `stats`). */
  async bytesServed(): Promise<number> {
    const stats = await this.#rc("core/stats");
    return (stats as { bytes: number }).bytes;
  }

  /** Count served bytes from zero again. */
  async resetStats(): Promise<void> {
    await this.#rc("core/stats-reset");
  }

  async #rc(command: string): Promise<unknown> {
    if (!this.#rcUrl) throw new Error("rclone was started without stats");
    const response = await fetch(new URL(command, this.#rcUrl), { method: "POST" });
    if (!response.ok) {
      throw new Error(`rclone rc ${command}: HTTP ${response.status}: ${await response.text()}`);
    }
    return await response.json();
  }

  /** Stop rclone (SIGTERM) and wait for it to exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Exited already.
    }
    await this.#child.status;
    await this.#logDone;
  }
}
