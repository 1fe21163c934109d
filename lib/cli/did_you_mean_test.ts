import assert from "node:assert/strict";
import { didYouMean, editDistance } from "./did_you_mean.ts";

const COMMANDS = ["sync", "status", "query", "takeout", "token", "pick", "help", "version"];

Deno.test("editDistance counts insertions, deletions, substitutions and neighbour swaps as one each", () => {
  const cases: [string, string, number][] = [
    ["", "", 0],
    ["", "sync", 4],
    ["sync", "sync", 0],
    ["sycn", "sync", 1],
    ["syn", "sync", 1],
    ["synnc", "sync", 1],
    ["sinc", "sync", 1],
    ["stauts", "status", 1],
    ["statsu", "status", 1],
    ["stats", "status", 1],
    ["takout", "takeout", 1],
    ["tokn", "token", 1],
    ["qeury", "query", 1],
    ["tkaeuot", "takeout", 2],
    ["pick", "sync", 4],
  ];
  for (const [a, b, distance] of cases) {
    assert.equal(editDistance(a, b), distance, `${a} ${b}`);
    assert.equal(editDistance(b, a), distance, `${b} ${a}`);
  }
});

Deno.test("didYouMean suggests only a close command", () => {
  const cases: [string, string | undefined][] = [
    ["stauts", "status"],
    ["Status", "status"],
    ["stat", "status"],
    ["stop", undefined],
    ["takout", "takeout"],
    ["takeoutt", "takeout"],
    ["tkaeout", "takeout"],
    ["sycn", "sync"],
    ["pik", "pick"],
    ["tokne", "token"],
    ["versoin", "version"],
    ["hlep", "help"],
    ["photos", undefined],
    ["x", undefined],
    ["backup", undefined],
    ["./photos", undefined],
  ];
  for (const [typed, expected] of cases) assert.equal(didYouMean(typed, COMMANDS), expected, typed);
});
