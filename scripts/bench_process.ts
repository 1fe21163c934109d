/**
 * The one way the benches run photosync: a child process of this Deno, its peak RSS read from
 * `/proc` (VmHWM) while it runs, a failure thrown with what it printed.
 * @module
 */
import { MAIN } from "../testing/harness.ts";
import { runFlags } from "../testing/run_flags.ts";

/**
 * Run `photosync ARGS --quiet` (a clean environment but `PATH`, `HOME` and `env`) until it exits;
 * returns its peak RSS in MB. Throws when it exits non-zero.
 */
export async function runWithPeakRss(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...runFlags(), MAIN, ...args, "--quiet"],
    ...(options.cwd ? { cwd: options.cwd } : {}),
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "", ...options.env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // The process has just exited.
    }
  }, 100);
  const [{ code }, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  clearInterval(poll);
  if (code !== 0) throw new Error(`photosync ${args.join(" ")} exited with ${code}: ${stderr}`);
  return peakKb / 1024;
}
