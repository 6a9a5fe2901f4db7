import type { SampleResult } from "@portal/mcmc";
import { describe, expect, it } from "vitest";
import { pilotEnds } from "./fit-window.js";

/** A pilot of `lps.length` chains with 8 draws each in 2 dimensions; draw i of chain c is [c, i]. */
function pilot(lps: number[]): SampleResult {
  const n = 8;
  const dim = 2;
  return {
    dim,
    draws: lps.map((_, c) =>
      Float64Array.from({ length: n * dim }, (_, k) => (k % 2 ? (k - 1) / 2 : c)),
    ),
    // a spread around each chain's level, so that the mean is what is compared
    stats: lps.map((lp) => ({
      logDensity: Float64Array.from({ length: n }, (_, i) => lp + (i % 2 ? 3 : -3)),
    })),
  } as unknown as SampleResult;
}

describe("pilotEnds", () => {
  it("starts each chain where its pilot ended when none sits far below the best", () => {
    const ends = pilotEnds(pilot([-300, -305, -309, -302]), 2);
    expect(ends.map((q) => [...q])).toEqual([
      [0, 7],
      [1, 7],
      [2, 7],
      [3, 7],
    ]);
  });

  it("moves a chain more than 10 below the best to a good chain's draw, the chains apart", () => {
    // chains 0 and 2 sit 15 below chain 3 (seed 1's fund 130: -322 against -307)
    const ends = pilotEnds(pilot([-322, -309, -322, -307]), 2);
    expect(ends.map((q) => [...q])).toEqual([
      [1, 5],
      [1, 7],
      [3, 5],
      [3, 7],
    ]);
    // three moved onto one good chain: different draws of it
    const one = pilotEnds(pilot([-350, -340, -340, -300]), 2).map((q) => [...q]);
    expect(one).toEqual([
      [3, 5],
      [3, 3],
      [3, 1],
      [3, 7],
    ]);
  });
});
