/**
 * Starting points built from the data (MODEL.md section 11): parameters at their prior centres
 * (log_delta at log delta_hat), and shocks solved segment by segment so that the modelled GP
 * appraisal B, or the value V, meets the reported NAVs (the start with the higher density). Each chain is then jittered by its own stream. Feasible for every fund: the value path is
 * the model's own recursion, the floor included.
 */
import type { NavcastDensity } from "./density.js";
import type { ModelData } from "./model-data.js";
import { priorCentre } from "./priors.js";
import { createRng, uniform } from "./rng.js";
import { logSoftplus } from "./special.js";

/**
 * One starting point per chain on the unconstrained space. `data` must be the density's data.
 */
export function initialPoints(
  density: NavcastDensity,
  data: ModelData,
  chains: number,
  seed: number,
): Float64Array[] {
  const centre: Record<string, number> = {};
  density.names.forEach((n, k) => {
    centre[n] = priorCentre(density.priors[k].spec);
  });
  const base = density.unconstrainParams(centre, new Float64Array(density.dim));
  return Array.from({ length: chains }, (_, c) => {
    const r = createRng(seed, 0x1417, c);
    const q = Float64Array.from(base);
    for (let k = 0; k < density.xiOffset; k++) {
      const p = density.priors[k];
      const scale =
        p.transform === "identity" && "sigma" in p.spec ? (p.spec as { sigma: number }).sigma : 1;
      q[k] += 0.2 * scale * (2 * uniform(r) - 1);
    }
    // shocks solved for this chain's own parameters, so that the GP's appraisal B meets the NAVs,
    // or V itself does; whichever start has the higher density (in the density's coordinates)
    const p = density.constrainedParams(q);
    const grad = new Float64Array(density.dim);
    let best = q;
    let bestLp = Number.NEGATIVE_INFINITY;
    for (const target of ["appraisal", "value"] as const) {
      const c = Float64Array.from(q);
      solveShocks(density, data, p, c, target);
      density.coordinatesFromShocks(c);
      const lp = density.logDensityGradient(c, grad);
      if (lp > bestLp || bestLp === Number.NEGATIVE_INFINITY) {
        best = c;
        bestLp = Number.isNaN(lp) ? Number.NEGATIVE_INFINITY : lp;
      }
    }
    return best;
  });
}

/**
 * Writes into q's xi block shocks that make the GP's appraisal B (MODEL.md section 3, component 4:
 * lambda-smoothed, lagged V), or V itself, hit every reported NAV: between two NAV weeks the fund
 * earns alpha + beta m_t + c with one constant c per segment, found by bisection (B or V at the
 * next NAV week increases with c); after the last NAV, c = 0. Matching B matters where a
 * distribution takes the whole value: the NAVs after it still show the smoothed value from
 * before, which V could only follow by not being wiped out, with shocks of 6 sd. Matching V
 * matters where B's smoothing lets V dip under a large distribution that the data say it paid.
 */
function solveShocks(
  density: NavcastDensity,
  d: ModelData,
  p: Record<string, number>,
  q: Float64Array,
  target: "appraisal" | "value",
): void {
  const T = density.T;
  const logEps = Math.log(density.eps);
  const eps = density.eps;
  const rho = p.rho;
  const sr = Math.sqrt(1 - rho * rho);
  const alphaC = p.alpha_c ?? d.alphaC;
  const betaCM = p.beta_cM ?? d.betaCM;
  const lag = density.lag;
  const k0 = Math.max(lag, 1);
  const logLam = Math.log(p.lambda);
  const log1mLam = Math.log1p(-p.lambda);
  const e = new Float64Array(T);
  // log V and log B along the path so far (weeks before the segment) and within a trial
  const lv = new Float64Array(T);
  const lb = new Float64Array(T);
  const shock = (i: number, c: number) => Math.max(-6, Math.min(6, c / (p.F * Math.sqrt(d.h[i]))));
  // weeks from..to with excess return c (shocks clamped to +-6 sd); returns log B at `to`
  const run = (from: number, to: number, c: number) => {
    for (let i = from; i <= to; i++) {
      const r = p.alpha + p.beta * d.market[i] + p.F * Math.sqrt(d.h[i]) * shock(i, c);
      const U = i === 0 ? 0 : Math.exp(lv[i - 1] + r);
      lv[i] = logEps + logSoftplus((U + d.contributions[i] - d.distributions[i]) / eps);
      if (i < k0) {
        lb[i] = lv[i];
      } else {
        const p1 = logLam + lb[i - 1];
        const p2 = log1mLam + lv[i - lag];
        lb[i] = Math.max(p1, p2) + Math.log1p(Math.exp(-Math.abs(p1 - p2)));
      }
    }
    return target === "appraisal" ? lb[to] : lv[to];
  };
  let start = 0;
  for (let i = 0; i <= T; i++) {
    const isNav = i < T && !Number.isNaN(d.navGp[i]);
    if (!isNav && i < T) continue;
    const end = i < T ? i : T - 1;
    let c = 0;
    if (isNav && end >= start) {
      const goal = Math.log(d.navGp[i]);
      let lo = -0.5;
      let hi = 0.5;
      for (let k = 0; k < 60; k++) {
        const mid = 0.5 * (lo + hi);
        if (run(start, end, mid) < goal) lo = mid;
        else hi = mid;
      }
      c = 0.5 * (lo + hi);
    }
    run(start, end, c);
    for (let t = start; t <= end; t++) e[t] = shock(t, c);
    start = end + 1;
  }
  for (let i = 0; i < T; i++) {
    const s = Math.sqrt(d.h[i]);
    const hasY = !Number.isNaN(d.comparable[i]);
    const z = hasY ? (d.comparable[i] - alphaC - betaCM * d.market[i]) / s : 0;
    q[density.xiOffset + i] = hasY ? (e[i] - rho * z) / sr : e[i];
  }
}
