// deno-lint-ignore-file no-console -- the renderer writes through the console; the test reads what it wrote
import assert from "node:assert/strict";
import { qrCodeText } from "./qr_code.ts";
import { Renderer } from "./render.ts";

/** What `fn` writes through the console: stderr's lines and stdout's. */
function written(fn: () => void): { stderr: string[]; stdout: string[] } {
  const out = { stderr: [] as string[], stdout: [] as string[] };
  const { error, log } = console;
  console.error = (...data: unknown[]) => out.stderr.push(data.join(" "));
  console.log = (...data: unknown[]) => out.stdout.push(data.join(" "));
  try {
    fn();
  } finally {
    Object.assign(console, { error, log });
  }
  return out;
}

// deno-lint-ignore no-control-regex -- what must never reach the terminal raw
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = "IMG\x1b]0;owned\x07\x1b[2J\r\nwarning: fake\u202egpj.exe\x9b31m.jpg";

Deno.test("every line the renderer writes is escaped and stays one line: warnings, errors, verbose, events, info, notices", () => {
  const renderer = new Renderer({ tty: false, verbosity: "verbose" });
  const { stderr } = written(() => {
    renderer.warn(`Takeout/${HOSTILE}: bad CRC`);
    renderer.error(`evil.zip: ${HOSTILE}`);
    renderer.verbose(`${HOSTILE}: sidecar none`);
    renderer.event(`imported 2020/01/01/${HOSTILE}`);
    renderer.info(HOSTILE);
    renderer.notice(HOSTILE);
  });
  assert.equal(stderr.length, 6);
  for (const line of stderr) {
    assert.doesNotMatch(line, RAW, JSON.stringify(line));
    assert.ok(!line.includes("\n"), JSON.stringify(line));
  }
  assert.equal(
    stderr[0],
    "warning: Takeout/IMG\\e]0;owned\\x07\\e[2J\\r\\nwarning: fake\\u202egpj.exe\\x9b31m.jpg: bad CRC",
  );
});

Deno.test("output keeps its own lines but escapes the rest; the QR code is drawn as it is", () => {
  const renderer = new Renderer({ tty: true });
  const url = "https://photos.google.com/picker/0123/autoclose";
  const { stdout, stderr } = written(() => {
    // Its own lines are kept (a table's rows): a name's other control characters are escaped.
    renderer.output(`failed ${HOSTILE.replace("\n", "")}\nsecond line`);
    renderer.qrCode(url, qrCodeText);
  });
  assert.equal(stdout.length, 1);
  assert.deepEqual(stdout[0].split("\n").length, 2);
  assert.doesNotMatch(stdout[0], RAW);
  assert.deepEqual(stderr, [qrCodeText(url, 80)]);
});
