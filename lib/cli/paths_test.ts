import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { pathBase, resolvePath } from "./paths.ts";

const HOME = "/home/ann";
const TASK = { home: HOME, cwd: "/home/ann/work" };

Deno.test("resolvePath: a leading ~ is the home folder, in any flag", () => {
  const cases: [string, string][] = [
    ["~", HOME],
    ["~/", HOME],
    ["~/photos", `${HOME}/photos`],
    ["~/a/../b", `${HOME}/b`],
    // Only a leading ~ that is the whole first part: anything else is a name.
    ["~ann/photos", "~ann/photos"],
    ["~photos", "~photos"],
    ["photos/~", "photos/~"],
    ["./~/x", "./~/x"],
  ];
  for (const [path, expected] of cases) {
    assert.equal(resolvePath("--dir", path, { home: HOME }, "linux"), expected, path);
  }
});

Deno.test("resolvePath: relative paths resolve against the base's folder when it has one, else stay as given", () => {
  const cases: [string, string, string][] = [
    ["photos", "/home/ann/work/photos", "photos"],
    [".", "/home/ann/work", "."],
    ["../x", "/home/ann/x", "../x"],
    ["./clientsecret.json", "/home/ann/work/clientsecret.json", "./clientsecret.json"],
    ["/srv/photos", "/srv/photos", "/srv/photos"],
    ["~/photos", `${HOME}/photos`, `${HOME}/photos`],
    // An empty value is left for the flag's own check to refuse.
    ["", "", ""],
  ];
  for (const [path, underTask, plain] of cases) {
    assert.equal(resolvePath("--dir", path, TASK, "linux"), underTask, `${path} under deno task`);
    assert.equal(resolvePath("--dir", path, { home: HOME }, "linux"), plain, `${path} elsewhere`);
  }
});

Deno.test("resolvePath: on Windows ~\\ is home too; without a home folder ~ is bad input naming the flag", () => {
  assert.equal(resolvePath("--dir", "~\\photos", { home: HOME }, "windows"), `${HOME}/photos`);
  assert.equal(resolvePath("--dir", "~\\photos", { home: HOME }, "linux"), "~\\photos");
  assert.throws(() => resolvePath("--creds", "~/c.json", {}, "linux"), (error) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message, "--creds ~/c.json: cannot expand ~, HOME is not set; give the full path");
    return true;
  });
  assert.throws(() => resolvePath("--dir", "~", {}, "windows"), /USERPROFILE is not set/);
});

Deno.test("pathBase: HOME (USERPROFILE on Windows) and INIT_CWD; empty values count as unset", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const all = { HOME: "/h", USERPROFILE: "C:\\Users\\ann", INIT_CWD: "/w" };
  assert.deepEqual(pathBase(env(all), "linux"), { home: "/h", cwd: "/w" });
  assert.deepEqual(pathBase(env(all), "windows"), { home: "C:\\Users\\ann", cwd: "/w" });
  assert.deepEqual(pathBase(env({ HOME: "", INIT_CWD: "" }), "darwin"), { home: undefined, cwd: undefined });
});
