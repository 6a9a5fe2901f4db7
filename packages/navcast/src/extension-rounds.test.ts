import { describe, expect, it } from "vitest";
import {
  converged,
  keptRun,
  nextRound,
  type RunSoFar,
  shouldRestart,
  worstOf,
} from "./extension-rounds.js";
import { parseRunConfig } from "./run-config.js";

const s = parseRunConfig({}).sampler; // 4 chains x 1000 draws, 3 rounds, 1.01 / 400, 0.25
const run = (rhat: number, ess: number, drawsPerChain = 1000, divergences = 0): RunSoFar => ({
  worst: { rhat: { name: "F", value: rhat }, ess: { name: "F", value: ess } },
  drawsPerChain,
  divergences,
});

describe("worstOf and converged", () => {
  it("finds the worst R-hat and bulk-ESS and whose, NaN counting as worst", () => {
    // chains that agree (alpha) and chains that sit apart (beta)
    const mixed = (shift: number) =>
      [0, 1].map((c) =>
        Float64Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7 + c) + c * shift),
      );
    const w = worstOf({ paramDraws: { alpha: mixed(0), beta: mixed(5) }, vDraws: mixed(0) });
    expect(w.rhat.name).toBe("beta");
    expect(w.rhat.value).toBeGreaterThan(1.5);
    expect(w.ess.name).toBe("beta");
    expect(converged(w, s)).toBe(false);
    const nan = worstOf({
      paramDraws: { alpha: mixed(0), beta: [new Float64Array(200).fill(Number.NaN)] },
      vDraws: mixed(0),
    });
    expect(nan.rhat.value).toBeNaN();
    expect(converged(nan, s)).toBe(false);
  });

  it("leaves out a point mass (every draw the same number), but not chains stuck apart", () => {
    const mixed = (c: number) =>
      Float64Array.from({ length: 400 }, (_, i) => Math.sin(i * 1.7 + c));
    const point = [0, 1, 2, 3].map(() => new Float64Array(400).fill(6.931471805599453e-5));
    const w = worstOf({ paramDraws: { alpha: [0, 1, 2, 3].map(mixed) }, vDraws: point });
    expect(w.rhat.name).toBe("alpha");
    expect(w.rhat.value).toBeLessThan(1.01);
    expect(w.ess.name).toBe("alpha");
    // each chain constant, at different values: not a point mass, and the worst
    const apart = [0, 1, 2, 3].map((c) => new Float64Array(400).fill(c));
    const a = worstOf({ paramDraws: { alpha: [0, 1, 2, 3].map(mixed) }, vDraws: apart });
    expect(a.rhat.name).toBe("V_tau");
    expect(converged(a, s)).toBe(false);
  });
});

describe("nextRound", () => {
  it("runs a full round while some R-hat is at or above the bar", () => {
    expect(nextRound(run(1.02, 900), undefined, 0, 4, s)).toEqual({ draws: 1000 });
    expect(nextRound(run(Number.NaN, 900), undefined, 0, 4, s)).toEqual({ draws: 1000 });
  });

  it("runs a shorter round when only bulk-ESS is short: what reaches 1.2 x 400 at its rate", () => {
    // 350 per 1000 draws: 480 needs 1372, so 372 more
    expect(nextRound(run(1.005, 350), undefined, 0, 4, s)).toEqual({ draws: 372 });
    // at least a quarter of `draws`, at most all of it
    expect(nextRound(run(1.005, 399), undefined, 0, 4, s)).toEqual({ draws: 250 });
    expect(nextRound(run(1.005, 100), undefined, 0, 4, s)).toEqual({ draws: 1000 });
    expect(nextRound(run(1.005, 0), undefined, 0, 4, s)).toEqual({ draws: 1000 });
  });

  it("stops after extend_rounds rounds", () => {
    expect(nextRound(run(1.02, 900, 4000), run(1.03, 450), 3, 4, s)).toEqual({ stop: "rounds" });
    expect(nextRound(run(1.02, 900), undefined, 0, 4, { ...s, extendRounds: 0 })).toEqual({
      stop: "rounds",
    });
  });

  it("stops when more than 0.1% of the draws diverged", () => {
    expect(nextRound(run(1.02, 900, 1000, 4), undefined, 0, 4, s)).toEqual({ draws: 1000 });
    expect(nextRound(run(1.02, 900, 1000, 5), undefined, 0, 4, s)).toEqual({
      stop: "divergences",
    });
    // the bar grows with the draws
    expect(nextRound(run(1.02, 900, 2000, 8), run(1.05, 300), 1, 4, s)).toEqual({ draws: 1000 });
  });

  it("stops when the last round moved neither bulk-ESS nor R-hat enough", () => {
    // doubling the draws: bulk-ESS must grow 1.25-fold or R-hat's excess shrink to 0.875 of it
    const first = run(1.068, 59);
    expect(nextRound(run(1.066, 60, 2000), first, 1, 4, s)).toEqual({ stop: "no_progress" });
    expect(nextRound(run(1.066, 74, 2000), first, 1, 4, s)).toEqual({ draws: 1000 });
    expect(nextRound(run(1.059, 60, 2000), first, 1, 4, s)).toEqual({ draws: 1000 });
    // over a 1.5-fold round the bar is lower: bulk-ESS 1.125-fold
    const second = run(1.06, 80, 2000);
    expect(nextRound(run(1.058, 89, 3000), second, 2, 4, s)).toEqual({ stop: "no_progress" });
    expect(nextRound(run(1.058, 91, 3000), second, 2, 4, s)).toEqual({ draws: 1000 });
    // chains past a quarter of extend_min_ess mix, if slowly: no round is judged
    const slow = run(1.022, 260);
    expect(nextRound(run(1.023, 292, 2000), slow, 1, 4, s)).toEqual({ draws: 1000 });
    expect(nextRound(run(1.023, 99, 2000), run(1.022, 95), 1, 4, s)).toEqual({
      stop: "no_progress",
    });
    // 0 turns the check off
    expect(nextRound(run(1.066, 60, 2000), first, 1, 4, { ...s, extendMinProgress: 0 })).toEqual({
      draws: 1000,
    });
  });
});

describe("shouldRestart and keptRun", () => {
  const r = (max_rhat: number, divergences = 0) => ({ max_rhat, min_ess_bulk: 100, divergences });
  it("restarts at or above restart_rhat, on NaN, or past the divergence bar; never with 0", () => {
    const at = { ...s, restartRhat: 1.03 };
    expect(shouldRestart(r(1.0299), at)).toBe(false);
    expect(shouldRestart(r(1.03), at)).toBe(true);
    expect(shouldRestart(r(Number.NaN), at)).toBe(true);
    // 4 x 1000 draws: 4 divergent draws are within the bar, 5 are not
    expect(shouldRestart(r(1.001, 4), at)).toBe(false);
    expect(shouldRestart(r(1.001, 5), at)).toBe(true);
    expect(shouldRestart(r(2, 50), { ...s, restartRhat: 0 })).toBe(false);
  });

  it("keeps the run within the divergence bar, else the one with the smaller R-hat", () => {
    expect(keptRun(r(1.05), r(1.2), s)).toBe("first");
    expect(keptRun(r(1.2), r(1.05), s)).toBe("second");
    expect(keptRun(r(1.05), r(1.05), s)).toBe("second");
    expect(keptRun(r(1.5), r(1.01, 5), s)).toBe("first");
    expect(keptRun(r(1.01, 300), r(1.5, 4), s)).toBe("second");
    expect(keptRun(r(1.05, 300), r(1.02, 500), s)).toBe("second");
    expect(keptRun(r(Number.NaN), r(3), s)).toBe("second");
    expect(keptRun(r(3), r(Number.NaN), s)).toBe("first");
  });
});
