import { describe, expect, it } from "vitest";
import { checkGradient } from "../gradient-check.js";
import { Tape } from "./tape.js";
import { tapePotential } from "./tape-potential.js";

describe("Tape", () => {
  it("differentiates every primitive as the calculus says", () => {
    const t = new Tape(4);
    const x = t.variable(0.7);
    const y = t.variable(-1.3);
    const cases: Array<[number, number, number]> = [
      // [node, d/dx, d/dy]
      [t.add(x, y), 1, 1],
      [t.sub(x, y), 1, -1],
      [t.mul(x, y), -1.3, 0.7],
      [t.div(x, y), 1 / -1.3, -0.7 / 1.69],
      [t.exp(x), Math.exp(0.7), 0],
      [t.log(x), 1 / 0.7, 0],
      [t.sqrt(x), 0.5 / Math.sqrt(0.7), 0],
      [t.square(y), 0, -2.6],
      [t.log1p(x), 1 / 1.7, 0],
      [t.powConst(x, 2.5), 2.5 * 0.7 ** 1.5, 0],
      [t.neg(y), 0, -1],
      [t.addConst(x, 3), 1, 0],
      [t.mulConst(y, 3), 0, 3],
      [t.linear2(x, 2, y, -4), 2, -4],
    ];
    const g = new Float64Array(2);
    for (const [node, dx, dy] of cases) {
      t.gradient(node, g, x, 2);
      expect(g[0]).toBeCloseTo(dx, 12);
      expect(g[1]).toBeCloseTo(dy, 12);
    }
  });

  it("computes stable logSumExp, log1pExp and invLogit with their derivatives", () => {
    const t = new Tape();
    const a = t.variable(800);
    const b = t.variable(801);
    const l = t.logSumExp(a, b);
    expect(t.value(l)).toBeCloseTo(801 + Math.log1p(Math.exp(-1)), 10);
    const g = new Float64Array(2);
    t.gradient(l, g, a, 2);
    expect(g[0] + g[1]).toBeCloseTo(1, 14);
    expect(t.value(t.log1pExp(a))).toBe(800);
    expect(t.value(t.invLogit(t.neg(a)))).toBeGreaterThanOrEqual(0);
  });

  it("grows past its initial capacity and reuses its buffers after reset", () => {
    const pot = tapePotential(3, (t, x) => {
      let acc = t.variable(0);
      for (let k = 0; k < 1000; k++) acc = t.add(acc, t.mul(t.addConst(x + (k % 3), k), x));
      return acc;
    });
    const q = Float64Array.from([0.3, -0.2, 0.5]);
    const res = checkGradient((z, g) => pot.logDensityGradient(z, g), q);
    expect(res.maxRelError).toBeLessThan(1e-9);
  });
});
