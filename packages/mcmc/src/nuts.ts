import {
  copyPhasePoint,
  copyPosition,
  createPhasePoint,
  hamiltonian,
  leapfrog,
  type PhasePoint,
  refreshVelocity,
} from "./leapfrog.js";
import type { Metric } from "./metric/metric.js";
import type { LogDensityGradient } from "./potential.js";
import { type RngState, uniform } from "./rng.js";

/** What one NUTS transition reports (Stan's sampler diagnostics). */
export interface NutsInfo {
  /** Mean Metropolis acceptance probability over every leapfrog step of the trajectory. */
  acceptStat: number;
  /** Number of doublings (Stan's treedepth__). */
  treeDepth: number;
  nLeapfrog: number;
  divergent: boolean;
  /** Hamiltonian at the selected point (Stan's energy__). */
  energy: number;
}

/** Buffers for one chain's NUTS transitions, allocated once (no allocation per transition). */
export interface NutsWorkspace {
  dim: number;
  maxDepth: number;
  /** The point being integrated. */
  z: PhasePoint;
  zFwd: PhasePoint;
  zBck: PhasePoint;
  zSample: PhasePoint;
  zPropose: PhasePoint;
  pFwdFwd: Float64Array;
  pSharpFwdFwd: Float64Array;
  pFwdBck: Float64Array;
  pSharpFwdBck: Float64Array;
  pBckFwd: Float64Array;
  pSharpBckFwd: Float64Array;
  pBckBck: Float64Array;
  pSharpBckBck: Float64Array;
  rho: Float64Array;
  rhoFwd: Float64Array;
  rhoBck: Float64Array;
  /** Per recursion depth: buffers of build_tree's locals. */
  levels: TreeLevel[];
  // running totals of one transition
  nLeapfrog: number;
  sumMetroProb: number;
  divergent: boolean;
  valid: boolean;
  h0: number;
}

interface TreeLevel {
  pInitEnd: Float64Array;
  pSharpInitEnd: Float64Array;
  rhoInit: Float64Array;
  pFinalBeg: Float64Array;
  pSharpFinalBeg: Float64Array;
  rhoFinal: Float64Array;
  zProposeFinal: PhasePoint;
}

/** Allocates the workspace for dimension `dim` and trees of depth at most `maxDepth`. */
export function createNutsWorkspace(dim: number, maxDepth: number): NutsWorkspace {
  const v = () => new Float64Array(dim);
  const levels: TreeLevel[] = [];
  for (let d = 0; d <= maxDepth; d++) {
    levels.push({
      pInitEnd: v(),
      pSharpInitEnd: v(),
      rhoInit: v(),
      pFinalBeg: v(),
      pSharpFinalBeg: v(),
      rhoFinal: v(),
      zProposeFinal: createPhasePoint(dim),
    });
  }
  return {
    dim,
    maxDepth,
    z: createPhasePoint(dim),
    zFwd: createPhasePoint(dim),
    zBck: createPhasePoint(dim),
    zSample: createPhasePoint(dim),
    zPropose: createPhasePoint(dim),
    pFwdFwd: v(),
    pSharpFwdFwd: v(),
    pFwdBck: v(),
    pSharpFwdBck: v(),
    pBckFwd: v(),
    pSharpBckFwd: v(),
    pBckBck: v(),
    pSharpBckBck: v(),
    rho: v(),
    rhoFwd: v(),
    rhoBck: v(),
    levels,
    nLeapfrog: 0,
    sumMetroProb: 0,
    divergent: false,
    valid: true,
    h0: 0,
  };
}

/** Static settings of the NUTS kernel. */
export interface NutsSettings {
  f: LogDensityGradient;
  metric: Metric;
  /** Energy error beyond which a trajectory is divergent (Stan: 1000). */
  maxDeltaH: number;
}

function logSumExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** Generalised no-U-turn criterion (Betancourt 2017, sec. A.4.2): p#- · rho > 0 and p#+ · rho > 0. */
function criterion(
  pSharpMinus: Float64Array,
  pSharpPlus: Float64Array,
  rho: Float64Array,
): boolean {
  let a = 0;
  let b = 0;
  for (let i = 0; i < rho.length; i++) {
    a += pSharpMinus[i] * rho[i];
    b += pSharpPlus[i] * rho[i];
  }
  return a > 0 && b > 0;
}

/** The criterion with rho = r1 + r2, without materialising the sum. */
function criterionSum(
  pSharpMinus: Float64Array,
  pSharpPlus: Float64Array,
  r1: Float64Array,
  r2: Float64Array,
): boolean {
  let a = 0;
  let b = 0;
  for (let i = 0; i < r1.length; i++) {
    const r = r1[i] + r2[i];
    a += pSharpMinus[i] * r;
    b += pSharpPlus[i] * r;
  }
  return a > 0 && b > 0;
}

/** Sets every entry to 0 (a loop beats TypedArray.fill on short vectors). */
function zero(a: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] = 0;
}

/** `out = a + b`. */
function add(a: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

/**
 * One NUTS transition from `state` (q, g, logp used; p is redrawn), written back into `state`.
 * Multinomial sampling within subtrees, biased progressive sampling between the trajectory and
 * each new subtree, and the generalised U-turn criterion checked across each merged subtree and
 * across the joins between subtrees — a transcription of Stan's base_nuts::transition and
 * build_tree (Stan 2.26+; Hoffman & Gelman 2014, Betancourt 2017).
 */
export function nutsTransition(
  ws: NutsWorkspace,
  s: NutsSettings,
  rng: RngState,
  eps: number,
  state: PhasePoint,
  info: NutsInfo,
): void {
  const { z, zFwd, zBck, zSample, zPropose, rho } = ws;
  copyPosition(state, z);
  s.metric.sampleMomentum(rng, z.p);
  refreshVelocity(s.metric, z);
  z.h = hamiltonian(z);
  copyPhasePoint(z, zFwd);
  copyPhasePoint(z, zBck);
  copyPosition(z, zSample);

  ws.pFwdFwd.set(z.p);
  ws.pSharpFwdFwd.set(z.v);
  ws.pFwdBck.set(z.p);
  ws.pSharpFwdBck.set(z.v);
  ws.pBckFwd.set(z.p);
  ws.pSharpBckFwd.set(z.v);
  ws.pBckBck.set(z.p);
  ws.pSharpBckBck.set(z.v);
  rho.set(z.p);

  let logSumWeight = 0; // log(exp(H0 - H0))
  ws.h0 = z.h;
  ws.nLeapfrog = 0;
  ws.sumMetroProb = 0;
  ws.divergent = false;
  let depth = 0;

  while (depth < ws.maxDepth) {
    ws.rhoFwd.fill(0);
    ws.rhoBck.fill(0);
    let lswSubtree: number;
    if (uniform(rng) > 0.5) {
      // extend forward
      copyPhasePoint(zFwd, z);
      ws.rhoBck.set(rho);
      ws.pBckFwd.set(ws.pFwdFwd);
      ws.pSharpBckFwd.set(ws.pSharpFwdFwd);
      lswSubtree = buildTree(
        ws,
        s,
        rng,
        depth,
        eps,
        zPropose,
        ws.pSharpFwdBck,
        ws.pSharpFwdFwd,
        ws.rhoFwd,
        ws.pFwdBck,
        ws.pFwdFwd,
      );
      copyPhasePoint(z, zFwd);
    } else {
      // extend backward
      copyPhasePoint(zBck, z);
      ws.rhoFwd.set(rho);
      ws.pFwdBck.set(ws.pBckBck);
      ws.pSharpFwdBck.set(ws.pSharpBckBck);
      lswSubtree = buildTree(
        ws,
        s,
        rng,
        depth,
        -eps,
        zPropose,
        ws.pSharpBckFwd,
        ws.pSharpBckBck,
        ws.rhoBck,
        ws.pBckFwd,
        ws.pBckBck,
      );
      copyPhasePoint(z, zBck);
    }
    if (!ws.valid) break;
    depth++;

    // biased progressive sampling: move to the new subtree with probability min(1, w_new / w_old)
    if (lswSubtree > logSumWeight) {
      copyPosition(zPropose, zSample);
    } else if (uniform(rng) < Math.exp(lswSubtree - logSumWeight)) {
      copyPosition(zPropose, zSample);
    }
    logSumWeight = logSumExp(logSumWeight, lswSubtree);

    add(ws.rhoBck, ws.rhoFwd, rho);
    let persist = criterion(ws.pSharpBckBck, ws.pSharpFwdFwd, rho);
    persist = persist && criterionSum(ws.pSharpBckBck, ws.pSharpFwdBck, ws.rhoBck, ws.pFwdBck);
    persist = persist && criterionSum(ws.pSharpBckFwd, ws.pSharpFwdFwd, ws.rhoFwd, ws.pBckFwd);
    if (!persist) break;
  }

  copyPosition(zSample, state);
  info.acceptStat = ws.nLeapfrog > 0 ? ws.sumMetroProb / ws.nLeapfrog : 0;
  info.treeDepth = depth;
  info.nLeapfrog = ws.nLeapfrog;
  info.divergent = ws.divergent;
  info.energy = zSample.h;
}

/**
 * Stan's build_tree: integrates 2^depth steps from ws.z, leaves ws.z at the far end, writes the
 * multinomial proposal into zPropose and the end momenta into the given buffers, adds the summed
 * momenta into `rho`; returns the subtree's log sum of weights and sets ws.valid.
 */
function buildTree(
  ws: NutsWorkspace,
  s: NutsSettings,
  rng: RngState,
  depth: number,
  eps: number,
  zPropose: PhasePoint,
  pSharpBeg: Float64Array,
  pSharpEnd: Float64Array,
  rho: Float64Array,
  pBeg: Float64Array,
  pEnd: Float64Array,
): number {
  const z = ws.z;
  if (depth === 0) {
    leapfrog(s.f, s.metric, eps, z);
    ws.nLeapfrog++;
    let h = hamiltonian(z);
    if (Number.isNaN(h)) h = Number.POSITIVE_INFINITY;
    z.h = h;
    if (h - ws.h0 > s.maxDeltaH) ws.divergent = true;
    const dH = ws.h0 - h;
    ws.sumMetroProb += dH > 0 ? 1 : Math.exp(dH);
    copyPosition(z, zPropose);
    const p = z.p;
    const v = z.v;
    for (let i = 0; i < rho.length; i++) {
      const pi = p[i];
      const vi = v[i];
      pSharpBeg[i] = vi;
      pSharpEnd[i] = vi;
      pBeg[i] = pi;
      pEnd[i] = pi;
      rho[i] += pi;
    }
    ws.valid = !ws.divergent;
    return dH;
  }

  const lv = ws.levels[depth];
  zero(lv.rhoInit);
  const lswInit = buildTree(
    ws,
    s,
    rng,
    depth - 1,
    eps,
    zPropose,
    pSharpBeg,
    lv.pSharpInitEnd,
    lv.rhoInit,
    pBeg,
    lv.pInitEnd,
  );
  if (!ws.valid) return Number.NEGATIVE_INFINITY;

  const zFinal = lv.zProposeFinal;
  zero(lv.rhoFinal);
  const lswFinal = buildTree(
    ws,
    s,
    rng,
    depth - 1,
    eps,
    zFinal,
    lv.pSharpFinalBeg,
    pSharpEnd,
    lv.rhoFinal,
    lv.pFinalBeg,
    pEnd,
  );
  if (!ws.valid) return Number.NEGATIVE_INFINITY;

  // multinomial sample between the two halves (uniform progressive sampling inside a subtree)
  const lswSubtree = logSumExp(lswInit, lswFinal);
  if (lswFinal > lswSubtree) {
    copyPosition(zFinal, zPropose);
  } else if (uniform(rng) < Math.exp(lswFinal - lswSubtree)) {
    copyPosition(zFinal, zPropose);
  }

  // rho += rho_init + rho_final, and the criterion over the merged subtree
  const ri = lv.rhoInit;
  const rf = lv.rhoFinal;
  let da = 0;
  let db = 0;
  for (let i = 0; i < rho.length; i++) {
    const r = ri[i] + rf[i];
    rho[i] += r;
    da += pSharpBeg[i] * r;
    db += pSharpEnd[i] * r;
  }
  let persist = da > 0 && db > 0;
  // the extra checks across the join of the two halves
  persist = persist && criterionSum(pSharpBeg, lv.pSharpFinalBeg, ri, lv.pFinalBeg);
  persist = persist && criterionSum(lv.pSharpInitEnd, pSharpEnd, rf, lv.pInitEnd);
  ws.valid = persist;
  return lswSubtree;
}
