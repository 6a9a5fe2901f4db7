import { describe, expect, it } from "vitest";
import { lineageOf, MAX_ALIAS_DEPTH, resolveAlias } from "./aliases.js";

const chain = (n: number) =>
  new Map(Array.from({ length: n }, (_, i) => [`h${i}`, `h${i + 1}`] as [string, string]));

describe("resolveAlias", () => {
  it("returns a hash with no alias as it is", () => {
    expect(resolveAlias(new Map(), "a")).toEqual({ hash: "a", hops: 0 });
  });

  it("follows a chain of renames to the current identity", () => {
    expect(resolveAlias(chain(3), "h0")).toEqual({ hash: "h3", hops: 3 });
    expect(resolveAlias(chain(3), "h2")).toEqual({ hash: "h3", hops: 1 });
  });

  it("stops at the depth limit and says so", () => {
    const r = resolveAlias(chain(MAX_ALIAS_DEPTH + 5), "h0");
    expect(r).toEqual({ hash: `h${MAX_ALIAS_DEPTH}`, hops: MAX_ALIAS_DEPTH, stopped: "depth" });
    expect(resolveAlias(chain(10), "h0", 4)).toMatchObject({ hash: "h4", stopped: "depth" });
  });

  it("stops at a cycle instead of looping", () => {
    const cyc = new Map([
      ["a", "b"],
      ["b", "c"],
      ["c", "a"],
    ]);
    expect(resolveAlias(cyc, "a")).toEqual({ hash: "c", hops: 2, stopped: "cycle" });
    expect(resolveAlias(new Map([["s", "s"]]), "s")).toEqual({
      hash: "s",
      hops: 0,
      stopped: "cycle",
    });
  });
});

describe("lineageOf", () => {
  it("lists every identity that resolves to the fund, current one first", () => {
    const aliases = new Map([
      ["old", "mid"],
      ["mid", "new"],
    ]);
    expect(lineageOf(aliases, ["new", "other", "old", "mid"], "new")).toEqual([
      "new",
      "old",
      "mid",
    ]);
    expect(lineageOf(aliases, ["new", "other", "old", "mid"], "other")).toEqual(["other"]);
  });
});
