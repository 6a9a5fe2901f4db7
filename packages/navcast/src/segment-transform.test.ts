import { describe, expect, it } from "vitest";
import { createDensity } from "./density.js";
import { processWindow, trimToFirstContribution } from "./fund-processor.js";
import { DEFAULT_MODEL_OPTIONS } from "./model-config.js";
import { createRng, normal } from "./rng.js";
import {
  createSegmentTransform,
  modelToSegments,
  segmentPotential,
  segmentsToModel,
} from "./segment-transform.js";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";

const P = {
  alpha: 0.0005,
  beta: 1,
  F: 1,
  rho: 0.5,
  lambda: 0.5,
  sigma_n: 0.05,
  log_delta: Math.log(0.08),
  sigma_d: 0.4,
  sigma_s: 0.1,
};

function setup() {
  const f = trimToFirstContribution(
    simulateFund(generateSkeleton({ seed: 4, years: 2 }), P, { seed: 5 }),
  ).fund;
  const { data } = processWindow(f, 100, { garchMethod: "garch", allowIgarch: true });
  const dens = createDensity(data, DEFAULT_MODEL_OPTIONS);
  const ends: number[] = [];
  for (let i = 0; i < 100; i++) if (!Number.isNaN(data.navGp[i])) ends.push(i - 2);
  const tr = createSegmentTransform(dens.xiOffset, data.h.map(Math.sqrt), ends, 1, 0.07);
  return { dens, tr };
}

describe("segment transform", () => {
  it("is inverted by modelToSegments", () => {
    const { dens, tr } = setup();
    const r = createRng(1);
    const x = Float64Array.from({ length: dens.dim }, () => normal(r));
    const q = new Float64Array(dens.dim);
    const x2 = new Float64Array(dens.dim);
    modelToSegments(tr, x, q);
    segmentsToModel(tr, q, x2);
    for (let i = 0; i < dens.dim; i++) expect(x2[i]).toBeCloseTo(x[i], 10);
  });

  it("is linear, so its Jacobian is constant and the target density is unchanged", () => {
    const { dens, tr } = setup();
    const r = createRng(2);
    const [q1, q2] = [0, 1].map(() => Float64Array.from({ length: dens.dim }, () => normal(r)));
    const sum = q1.map((v, i) => 2 * v - 3 * q2[i]);
    const [x1, x2, xs] = [q1, q2, sum].map((q) => {
      const x = new Float64Array(dens.dim);
      segmentsToModel(tr, q, x);
      return x;
    });
    for (let i = 0; i < dens.dim; i++) expect(xs[i]).toBeCloseTo(2 * x1[i] - 3 * x2[i], 10);
  });

  it("passes gradients through exactly (central differences, 1e-6 relative)", () => {
    const { dens, tr } = setup();
    const pot = segmentPotential(dens, tr);
    const r = createRng(3);
    const x = new Float64Array(dens.dim);
    dens.unconstrainParams({ ...P, sigma_n: 0.1 }, x);
    for (let i = dens.xiOffset; i < dens.dim; i++) x[i] = 0.5 * normal(r);
    const q = new Float64Array(dens.dim);
    modelToSegments(tr, x, q);
    const g = new Float64Array(dens.dim);
    const g2 = new Float64Array(dens.dim);
    pot.logDensityGradient(q, g);
    for (let k = 0; k < dens.dim; k++) {
      // fourth-order central difference
      const h = 1e-4;
      const q0 = q[k];
      const f = (d: number) => {
        q[k] = q0 + d;
        const v = pot.logDensityGradient(q, g2);
        q[k] = q0;
        return v;
      };
      const fd = (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h);
      expect(Math.abs(fd - g[k]) / Math.max(1, Math.abs(g[k]))).toBeLessThan(1e-6);
    }
  });
});
