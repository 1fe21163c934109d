/**
 * Preloaded into a CLI run (`CliOptions.gcOften`, with V8's `--expose-gc`) by a test whose outcome must
 * not hang on when V8 happens to collect garbage: a full collection every 10 ms, also while the run waits
 * on the network. What a collection takes (an object held only weakly) is then gone within 10 ms, as it is
 * sooner or later in a real run. The timer keeps no run alive.
 * @module
 */
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("testing/gc_often.ts needs --v8-flags=--expose-gc");
Deno.unrefTimer(setInterval(gc, 10));
