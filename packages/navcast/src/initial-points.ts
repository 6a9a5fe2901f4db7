/**
 * Starting points built from the data (MODEL.md section 11): parameters at their prior centres
 * (log_delta at log delta_hat), and shocks solved week by week so that the modelled value follows
 * the reported NAVs (log-linear between them, the PME-naive path scaled to the first NAV before
 * it). Each chain is then jittered by its own stream. Feasible for every fund: the value path is
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
    // shocks solved for this chain's own parameters, so its value path meets the NAVs
    solveShocks(density, data, density.constrainedParams(q), q);
    // in the density's own coordinates (kappa in net distribution weeks)
    return density.coordinatesFromShocks(q);
  });
}

/**
 * Writes into q's xi block shocks that make V hit every reported NAV: between two NAV weeks the
 * fund earns alpha + beta m_t + c with one constant c per segment, found by bisection (V at the
 * next NAV week increases with c); before the first NAV and after the last, c = 0.
 */
function solveShocks(
  density: NavcastDensity,
  d: ModelData,
  p: Record<string, number>,
  q: Float64Array,
): void {
  const T = density.T;
  const logEps = Math.log(density.eps);
  const eps = density.eps;
  const rho = p.rho;
  const sr = Math.sqrt(1 - rho * rho);
  const alphaC = p.alpha_c ?? d.alphaC;
  const betaCM = p.beta_cM ?? d.betaCM;
  const e = new Float64Array(T);
  // log V after week i given log V before it and the excess return c
  const step = (logVPrev: number, i: number, c: number) => {
    const r = p.alpha + p.beta * d.market[i] + c;
    const U = i === 0 ? 0 : Math.exp(logVPrev + r);
    return logEps + logSoftplus((U + d.contributions[i] - d.distributions[i]) / eps);
  };
  const run = (logV0: number, from: number, to: number, c: number) => {
    let lv = logV0;
    for (let i = from; i <= to; i++) lv = step(lv, i, c);
    return lv;
  };
  let logV = 0;
  let start = 0;
  for (let i = 0; i <= T; i++) {
    const isNav = i < T && !Number.isNaN(d.navGp[i]);
    if (!isNav && i < T) continue;
    const end = i < T ? i : T - 1;
    let c = 0;
    if (isNav && end >= start && start > 0) {
      const goal = Math.log(d.navGp[i]);
      let lo = -0.5;
      let hi = 0.5;
      for (let k = 0; k < 60; k++) {
        const mid = 0.5 * (lo + hi);
        if (run(logV, start, end, mid) < goal) lo = mid;
        else hi = mid;
      }
      c = 0.5 * (lo + hi);
    }
    for (let t = start; t <= end; t++) {
      const s = Math.sqrt(d.h[t]);
      e[t] = Math.max(-6, Math.min(6, c / (p.F * s)));
      logV = step(logV, t, p.F * s * e[t]);
    }
    start = end + 1;
  }
  for (let i = 0; i < T; i++) {
    const s = Math.sqrt(d.h[i]);
    const hasY = !Number.isNaN(d.comparable[i]);
    const z = hasY ? (d.comparable[i] - alphaC - betaCM * d.market[i]) / s : 0;
    q[density.xiOffset + i] = hasY ? (e[i] - rho * z) / sr : e[i];
  }
}
