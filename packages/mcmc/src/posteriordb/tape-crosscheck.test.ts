import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tape } from "../ad/tape.js";
import { tapePotential } from "../ad/tape-potential.js";
import { createRng, uniform } from "../rng.js";
import { posteriordbDir } from "../testing/posteriordb-dir.js";
import { createPotential as arma11 } from "./arma11.js";
import { createPotential as garch11 } from "./garch11.js";

// The same log densities written a second way, on the AD tape, straight from the Stan programs:
// an independent check of the hand-written adjoints (values up to a constant, gradients exactly).
const root = posteriordbDir();
const load = (name: string) => JSON.parse(readFileSync(new URL(`${name}/data.json`, root), "utf8"));

function garchOnTape(data: { T: number; y: number[]; sigma1: number }) {
  return tapePotential(4, (t: Tape, x: number) => {
    const mu = x;
    const alpha0 = t.exp(x + 1);
    const a1 = t.invLogit(x + 2);
    const s3 = t.invLogit(x + 3);
    const oneMinusA1 = t.addConst(t.neg(a1), 1);
    const beta1 = t.mul(oneMinusA1, s3);
    let lp = t.variable(0);
    let s2 = t.variable(data.sigma1 * data.sigma1);
    for (let k = 0; k < data.T; k++) {
      if (k > 0) {
        const e = t.addConst(t.neg(mu), data.y[k - 1]);
        s2 = t.add(t.add(alpha0, t.mul(a1, t.square(e))), t.mul(beta1, s2));
      }
      const r = t.addConst(t.neg(mu), data.y[k]);
      lp = t.sub(lp, t.add(t.mulConst(t.log(s2), 0.5), t.mulConst(t.div(t.square(r), s2), 0.5)));
    }
    // log-Jacobian of the bounds
    lp = t.add(lp, x + 1);
    lp = t.add(lp, t.add(t.log(a1), t.mulConst(t.log(oneMinusA1), 2)));
    return t.add(lp, t.add(t.log(s3), t.log(t.addConst(t.neg(s3), 1))));
  });
}

function armaBuild(data: { T: number; y: number[] }) {
  return (t: Tape, x: number): number => {
    const mu = x;
    const phi = x + 1;
    const theta = x + 2;
    const sigma = t.exp(x + 3);
    let err = t.addConst(t.neg(t.add(mu, t.mul(phi, mu))), data.y[0]);
    let ss = t.square(err);
    for (let k = 1; k < data.T; k++) {
      const nu = t.add(t.add(mu, t.mulConst(phi, data.y[k - 1])), t.mul(theta, err));
      err = t.addConst(t.neg(nu), data.y[k]);
      ss = t.add(ss, t.square(err));
    }
    let lp = t.mulConst(t.div(ss, t.square(sigma)), -0.5);
    lp = t.sub(lp, t.mulConst(x + 3, data.T - 1)); // -T log sigma + log sigma (Jacobian)
    lp = t.sub(lp, t.log1p(t.square(t.mulConst(sigma, 1 / 2.5))));
    lp = t.sub(lp, t.mulConst(t.square(mu), 0.5 / 100));
    lp = t.sub(lp, t.mulConst(t.square(phi), 0.5 / 4));
    return t.sub(lp, t.mulConst(t.square(theta), 0.5 / 4));
  };
}

const armaOnTape = (data: { T: number; y: number[] }) => tapePotential(4, armaBuild(data));

describe.each([
  ["garch11", garch11(load("garch-garch11")), garchOnTape(load("garch-garch11"))],
  ["arma11", arma11(load("arma-arma11")), armaOnTape(load("arma-arma11"))],
] as const)("hand-written adjoint of %s", (_name, hand, tape) => {
  it("agrees with the tape: same gradient, log density equal up to a constant", () => {
    const rng = createRng(31);
    const g1 = new Float64Array(4);
    const g2 = new Float64Array(4);
    let offset = Number.NaN;
    for (let k = 0; k < 5; k++) {
      const q = Float64Array.from({ length: 4 }, () => uniform(rng) - 0.5);
      const l1 = hand.logDensityGradient(q, g1);
      const l2 = tape.logDensityGradient(q, g2);
      if (Number.isNaN(offset)) offset = l1 - l2;
      expect(l1 - l2).toBeCloseTo(offset, 8);
      for (let i = 0; i < 4; i++)
        expect(Math.abs(g1[i] - g2[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(g2[i])));
    }
  });
});

describe("gradient cost", () => {
  it("grows linearly with the length of the series (tape nodes of arma11)", () => {
    const d = load("arma-arma11") as { T: number; y: number[] };
    const nodes = (T: number) => {
      const t = new Tape();
      armaBuild({ T, y: d.y.slice(0, T) })(t, t.inputs(new Float64Array(4)));
      return t.n;
    };
    const per = (nodes(200) - nodes(100)) / 100;
    expect(nodes(150) - nodes(50)).toBe(100 * per);
    expect(per).toBeLessThan(10);
  });
});
