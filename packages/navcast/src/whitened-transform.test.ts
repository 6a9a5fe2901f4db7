import { symmetricEigen } from "@portal/mcmc";
import { describe, expect, it } from "vitest";
import { createDensity } from "./density.js";
import { processWindow, trimToFirstContribution } from "./fund-processor.js";
import { initialPoints } from "./initial-points.js";
import { withLoadingCoordinates } from "./loading-transform.js";
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from "./model-config.js";
import { createRng, normal } from "./rng.js";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";
import {
  AUTO_CHORD,
  chordChoiceFor,
  chordIterationsFor,
  createWhitenedPotential,
  type WhitenedObservations,
  type WhitenedPotential,
} from "./whitened-transform.js";

const P = {
  alpha: 0.0005,
  beta: 1,
  F: 1,
  rho: 0.5,
  lambda: 0.5,
  sigma_n: 0.02,
  log_delta: Math.log(0.08),
  sigma_d: 0.4,
  sigma_s: 0.1,
};

function setup(
  weeks: number,
  o: {
    options?: ModelOptions;
    observations?: WhitenedObservations;
    secondaryCount?: number;
    loading?: boolean;
    damping?: number;
  } = {},
) {
  const options = o.options ?? DEFAULT_MODEL_OPTIONS;
  const f = trimToFirstContribution(
    simulateFund(
      generateSkeleton({ seed: 4, years: 2, secondaryCount: o.secondaryCount ?? 0 }),
      P,
      { seed: 5 },
    ),
  ).fund;
  const { data } = processWindow(f, weeks, { garchMethod: "garch", allowIgarch: true });
  const dens = createDensity(data, options);
  const ref = initialPoints(dens, data, 1, 3)[0];
  const whitened = createWhitenedPotential(
    dens,
    () => createDensity(data, options),
    ref,
    3,
    o.observations ?? "all",
    o.damping,
  );
  const wp = o.loading ? withLoadingCoordinates(whitened, dens) : whitened;
  return { dens, wp, ref };
}

/** A point in sampler space near the reference, parameters moved away from it. */
function samplerPoint(seed: number, dens: ReturnType<typeof setup>["dens"], ref: Float64Array) {
  const r = createRng(seed);
  const x = Float64Array.from(ref);
  for (let k = 0; k < dens.dim; k++) {
    const name = dens.names[k];
    const scale = name === "alpha" ? 0.001 : k < dens.xiOffset ? 0.3 : 0.5;
    x[k] += scale * normal(r);
  }
  return x;
}

describe("whitened transform", () => {
  it.each([false, true])("toSampler inverts toModel (loading coordinates: %s)", (loading) => {
    const { dens, wp, ref } = setup(100, { loading });
    const x = samplerPoint(1, dens, ref);
    const q = new Float64Array(dens.dim);
    const x2 = new Float64Array(dens.dim);
    wp.toSampler(x, q);
    wp.toModel(q, x2);
    for (let i = 0; i < dens.dim; i++) expect(x2[i]).toBeCloseTo(x[i], 9);
    expect(wp.rank).toBeGreaterThan(3);
  });

  it.each([false, true])(
    "adds exactly log|det dx/dq| to the model density (finite-difference Jacobian; loading coordinates: %s)",
    (loading) => {
      const { dens, wp, ref } = setup(40, { loading });
      const q = samplerPoint(2, dens, ref);
      const n = dens.dim;
      const x = new Float64Array(n);
      const g = new Float64Array(n);
      wp.toModel(q, x);
      const diff = wp.logDensityGradient(q, g) - dens.logDensityGradient(x, new Float64Array(n));
      // dense Jacobian by central differences, then log|det| by Gaussian elimination
      const J = new Float64Array(n * n);
      const xp = new Float64Array(n);
      const xm = new Float64Array(n);
      const h = 1e-6;
      for (let j = 0; j < n; j++) {
        const qj = q[j];
        q[j] = qj + h;
        wp.toModel(q, xp);
        q[j] = qj - h;
        wp.toModel(q, xm);
        q[j] = qj;
        for (let i = 0; i < n; i++) J[i * n + j] = (xp[i] - xm[i]) / (2 * h);
      }
      let logDet = 0;
      for (let c = 0; c < n; c++) {
        let p = c;
        for (let r = c + 1; r < n; r++) if (Math.abs(J[r * n + c]) > Math.abs(J[p * n + c])) p = r;
        if (p !== c)
          for (let k = 0; k < n; k++) [J[c * n + k], J[p * n + k]] = [J[p * n + k], J[c * n + k]];
        const piv = J[c * n + c];
        logDet += Math.log(Math.abs(piv));
        for (let r = c + 1; r < n; r++) {
          const f = J[r * n + c] / piv;
          for (let k = c; k < n; k++) J[r * n + k] -= f * J[c * n + k];
        }
      }
      expect(diff).toBeLessThan(0); // the map contracts the NAV directions
      expect(Math.abs(diff - logDet)).toBeLessThan(1e-6 * Math.max(1, Math.abs(logDet)));
    },
  );

  it.each([
    ["default options", {}],
    ["NAVs only", { observations: "navs" }],
    ["secondary prices", { secondaryCount: 3 }],
    ["loading coordinates", { loading: true }],
    ["damped chord steps", { damping: 0.5 }],
    [
      "L = 0, category1 prior",
      { options: { ...DEFAULT_MODEL_OPTIONS, navLagWeeks: 0, category1: "prior" } },
    ],
  ] as const)("has an exact gradient (%s)", (_, o) => {
    const { dens, wp, ref } = setup(100, o as Parameters<typeof setup>[1]);
    const observations = "observations" in o ? o.observations : "all";
    const secondaries = "secondaryCount" in o ? o.secondaryCount : 0;
    // the window holds NAVs and distributions (and secondary prices where asked for)
    expect(dens.logNav.length).toBeGreaterThan(3);
    expect(dens.logDist.length).toBeGreaterThan(3);
    expect(dens.logSec.length).toBe(secondaries);
    expect(wp.rank).toBe(
      observations === "navs"
        ? dens.logNav.length
        : dens.logNav.length + dens.logDist.length + secondaries,
    );
    const q = samplerPoint(3, dens, ref);
    const g = new Float64Array(dens.dim);
    wp.logDensityGradient(q, g);
    const g2 = new Float64Array(dens.dim);
    let worst = 0;
    for (let k = 0; k < dens.dim; k++) {
      // small enough for the curvature of the secondary-price case (the error scales as h^4)
      const h = 3e-5;
      const qk = q[k];
      const f = (d: number) => {
        q[k] = qk + d;
        const v = wp.logDensityGradient(q, g2);
        q[k] = qk;
        return v;
      };
      const fd = (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h);
      worst = Math.max(worst, Math.abs(fd - g[k]) / Math.max(1, Math.abs(g[k])));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  /** A fund's first `weeks` weeks, a reference point, and its whitened potential at any count. */
  function chordSetup(years: number, weeks: number) {
    const f = trimToFirstContribution(
      simulateFund(generateSkeleton({ seed: 4, years }), P, { seed: 5 }),
    ).fund;
    const { data } = processWindow(f, weeks, { garchMethod: "garch", allowIgarch: true });
    const dens = createDensity(data, DEFAULT_MODEL_OPTIONS);
    const ref = initialPoints(dens, data, 1, 3)[0];
    const make = (iterations: number, damping = 1) =>
      createWhitenedPotential(
        dens,
        () => createDensity(data, DEFAULT_MODEL_OPTIONS),
        ref,
        iterations,
        "navs",
        damping,
      );
    return { dens, ref, make };
  }

  it("iterates the mean to the linearised conditional mode: chord iterations converge", () => {
    const { dens, ref, make } = chordSetup(2, 100);
    // parameters moved from the reference (lambda and sigma_n most), shocks u = 0
    const q = samplerPoint(4, dens, ref);
    q.fill(0, dens.xiOffset);
    q[dens.names.indexOf("lambda")] += 1;
    q[dens.names.indexOf("sigma_n")] -= 1;
    const at = (iterations: number, damping = 1) => {
      const x = new Float64Array(dens.dim);
      make(iterations, damping).toModel(q, x);
      return x;
    };
    const dist = (a: Float64Array, b: Float64Array) => {
      let m = 0;
      for (let i = dens.xiOffset; i < dens.dim; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
      return m;
    };
    const x1 = at(1);
    const x2 = at(2);
    const x8 = at(8);
    const x9 = at(9);
    // the first iteration leaves a visible correction, the later ones shrink geometrically
    expect(dist(x1, x2)).toBeGreaterThan(1e-3);
    expect(dist(x8, x9)).toBeLessThan(1e-3 * dist(x1, x2));
    // half steps take longer to the same limit (the fixed point does not depend on the step)
    const h1 = at(1, 0.5);
    expect(dist(h1, x1)).toBeGreaterThan(1e-4);
    expect(dist(at(40, 0.5), at(24))).toBeLessThan(1e-9);
  });

  it("says how far fewer iterations leave the mean from its limit", () => {
    const { dens, ref, make } = chordSetup(8, 400);
    const probe = make(AUTO_CHORD.probe);
    // a model point away from the reference in lambda, sigma_n and F
    const x = Float64Array.from(ref);
    x[dens.names.indexOf("lambda")] += 1;
    x[dens.names.indexOf("sigma_n")] -= 1;
    x[dens.names.indexOf("F")] += 0.7;
    const e = probe.chordErrors(x);
    expect(e.length).toBe(AUTO_CHORD.probe);
    expect(e[0]).toBeGreaterThan(1);
    expect(e[AUTO_CHORD.probe - 1]).toBeLessThan(1e-9);
    // a map of j iterations moves the point by V (m_j - m_limit), which the error bounds: its
    // length is at most sqrt(rank) times the largest |m_j - m_limit|_i / d_i (d_i <= 1)
    const q = new Float64Array(dens.dim);
    probe.toSampler(x, q);
    let before = Infinity;
    for (const j of [1, 2, 3, 5, 8]) {
      const y = new Float64Array(dens.dim);
      make(j).toModel(q, y);
      let len = 0;
      for (let i = 0; i < dens.dim; i++) len += (y[i] - x[i]) ** 2;
      len = Math.sqrt(len);
      expect(len).toBeLessThanOrEqual(Math.sqrt(probe.rank) * e[j] * (1 + 1e-9) + 1e-12);
      expect(len).toBeLessThan(before);
      before = len;
    }
  });

  // a stand-in probe whose errors at each point are given, and some errors
  const errorsAt = (rows: number[][]) => {
    let k = 0;
    return {
      chordErrors: () => {
        const out = new Float64Array(AUTO_CHORD.probe);
        rows[k++ % rows.length].forEach((v, j) => {
          out[j] = v;
        });
        return out;
      },
    } as unknown as WhitenedPotential;
  };
  const pts = (n: number) => Array.from({ length: n }, () => new Float64Array(1));
  const fast = [50, 5, 0.5, 0.05, 0.005];
  const slow = [500, 200, 100, 40, 9, 2, 0.4, 0.09, 0.01];
  const cycle = Array.from({ length: AUTO_CHORD.probe }, (_, j) => (j % 2 ? 50 : 0.01));
  const nan = Array.from({ length: AUTO_CHORD.probe }, () => Number.NaN);

  it("chooses the fewest iterations whose mean is close enough at every point", () => {
    // converged by the fewest allowed: that many
    expect(chordIterationsFor(errorsAt([fast]), pts(1))).toBe(AUTO_CHORD.min);
    // the slowest point decides
    expect(chordIterationsFor(errorsAt([fast, slow, fast]), pts(3))).toBe(7);
    // settling, but not within the tolerance by the most allowed: the most allowed
    const late = Array.from({ length: AUTO_CHORD.probe }, (_, j) => (j <= AUTO_CHORD.max ? 1 : 0));
    expect(chordIterationsFor(errorsAt([late]), pts(1))).toBe(AUTO_CHORD.max);
    // not settled by the probe's last iteration at some point (a two-cycle whose even iterations
    // look converged, as in seed 1's ten-year fund 5, or no number at all): none
    expect(chordIterationsFor(errorsAt([fast, cycle]), pts(2))).toBeNull();
    expect(chordIterationsFor(errorsAt([nan, fast]), pts(2))).toBeNull();
    expect(chordIterationsFor(errorsAt([slow, late]), pts(2))).toBe(AUTO_CHORD.max);
    // a tolerance given: looser takes fewer, and it also judges whether the iterations settled
    expect(chordIterationsFor(errorsAt([slow]), pts(1), 0.5)).toBe(6);
    const settling = Array.from({ length: AUTO_CHORD.probe }, (_, j) => (j < 4 ? 1 : 0.05));
    expect(chordIterationsFor(errorsAt([settling]), pts(1))).toBe(4);
    expect(chordIterationsFor(errorsAt([settling]), pts(1), 0.01)).toBeNull();
  });

  it("takes the largest step whose iterations settle, and the fewest plain ones where none does", () => {
    const probes = (byDamping: Record<number, number[][]>) => {
      const asked: number[] = [];
      const probeAt = (damping: number) => {
        asked.push(damping);
        return errorsAt(byDamping[damping]);
      };
      return { probeAt, asked };
    };
    const half = AUTO_CHORD.dampings[1];
    // the plain steps settle: no smaller step is tried
    let p = probes({ 1: [fast], [half]: [slow] });
    expect(chordChoiceFor(p.probeAt, pts(1))).toEqual({ iterations: AUTO_CHORD.min, damping: 1 });
    expect(p.asked).toEqual([1]);
    // the plain steps cycle at one point and half steps settle: half steps, as many as they need
    p = probes({ 1: [fast, cycle], [half]: [fast, slow] });
    expect(chordChoiceFor(p.probeAt, pts(2))).toEqual({ iterations: 7, damping: half });
    expect(p.asked).toEqual([1, half]);
    // neither settles: the fewest plain steps
    p = probes({ 1: [cycle], [half]: [nan] });
    expect(chordChoiceFor(p.probeAt, pts(1))).toEqual({ iterations: AUTO_CHORD.min, damping: 1 });
    // a step given (no choice of step), or a number of iterations given (no choice of number)
    p = probes({ 1: [cycle], [half]: [slow] });
    expect(chordChoiceFor(p.probeAt, pts(1), { dampings: [1] })).toEqual({
      iterations: AUTO_CHORD.min,
      damping: 1,
    });
    expect(chordChoiceFor(p.probeAt, pts(1), { iterations: 5 })).toEqual({
      iterations: 5,
      damping: half,
    });
    // the tolerance reaches the probes
    p = probes({ 1: [slow], [half]: [fast] });
    expect(chordChoiceFor(p.probeAt, pts(1), { tolerance: 0.5 })).toEqual({
      iterations: 6,
      damping: 1,
    });
  });
});

describe("whitened geometry", () => {
  /**
   * Eigenvalues of minus the Hessian of the log density in the shocks' sampler coordinates at the
   * reference's shocks, with sigma_n and sigma_d set as given (central differences of gradients).
   */
  function shockSpectrum(observations: WhitenedObservations, sn: number, sd: number) {
    const { dens, wp, ref } = setup(100, { observations });
    const x = Float64Array.from(ref);
    x[dens.names.indexOf("sigma_n")] = Math.log(sn);
    x[dens.names.indexOf("sigma_d")] = Math.log(sd);
    const q = new Float64Array(dens.dim);
    wp.toSampler(x, q);
    const P = dens.xiOffset;
    const n = dens.dim - P;
    const H = new Float64Array(n * n);
    const gp = new Float64Array(dens.dim);
    const gm = new Float64Array(dens.dim);
    const h = 1e-5;
    for (let j = 0; j < n; j++) {
      const qj = q[P + j];
      q[P + j] = qj + h;
      wp.logDensityGradient(q, gp);
      q[P + j] = qj - h;
      wp.logDensityGradient(q, gm);
      q[P + j] = qj;
      for (let i = 0; i < n; i++) H[i * n + j] = -(gp[P + i] - gm[P + i]) / (2 * h);
    }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) {
        const m = (H[i * n + j] + H[j * n + i]) / 2;
        H[i * n + j] = m;
        H[j * n + i] = m;
      }
    const values = Array.from(symmetricEigen(H, n).values);
    return { min: Math.min(...values), max: Math.max(...values) };
  }

  it("keeps the shocks near unit scale however tight the NAVs are", () => {
    // sigma_n 0.002 and 0.2 around the reference's (the NAVs are the tightest kind there, so
    // their precision is diagonal in the basis for every sigma_n): measured 0.84-1.19 and
    // 0.93-1.09; the plain shocks' curvature at sigma_n 0.002 reaches (F / sigma_n)^2 ~ 1e5
    for (const sn of [0.002, 0.2]) {
      const s = shockSpectrum("all", sn, 0.4);
      expect(s.min).toBeGreaterThan(0.6);
      expect(s.max).toBeLessThan(1.5);
    }
  });

  it("follows tight distributions, which the NAV-only whitening leaves 100 times too tight", () => {
    // sigma_d 0.01: each distribution pins log V before it; measured largest eigenvalue 6.3 when
    // the distributions are whitened too (their pull along the NAVs' directions is followed on
    // the diagonal only), 111 with the NAVs alone
    const all = shockSpectrum("all", 0.05, 0.01);
    const navs = shockSpectrum("navs", 0.05, 0.01);
    expect(all.max).toBeLessThan(10);
    expect(navs.max).toBeGreaterThan(50);
  });
});
