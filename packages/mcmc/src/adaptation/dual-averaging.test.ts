import { describe, expect, it } from "vitest";
import { daFinal, daInit, daUpdate } from "./dual-averaging.js";

describe("dual averaging", () => {
  it("matches a hand computation of the first update", () => {
    const s = daInit(1);
    const eps = daUpdate(s, 0.5);
    // counter 1: eta = 1/11, sBar = 0.3/11, x = log 10 - sBar * 1 / 0.05
    const x = Math.log(10) - 0.3 / 11 / 0.05;
    expect(eps).toBeCloseTo(Math.exp(x), 12);
    expect(daFinal(s)).toBeCloseTo(Math.exp(x), 12);
  });

  it("finds the step size whose acceptance hits the target", () => {
    // acceptance falls with step size: a(eps) = exp(-eps); target 0.8 => eps = -log 0.8
    const s = daInit(1);
    let eps = 1;
    for (let i = 0; i < 2000; i++) eps = daUpdate(s, Math.exp(-eps));
    expect(daFinal(s)).toBeCloseTo(-Math.log(0.8), 2);
  });
});
