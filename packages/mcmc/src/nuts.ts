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
  /** Largest number of micro steps in one step of the trajectory (1 without local step sizes). */
  maxMicroSteps: number;
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
  /** Scratch points of the local step-size search (start of a step, reversed end point). */
  microStart: PhasePoint;
  microReverse: PhasePoint;
  /** Per recursion depth: buffers of build_tree's locals. */
  levels: TreeLevel[];
  // running totals of one transition
  nLeapfrog: number;
  sumMetroProb: number;
  divergent: boolean;
  valid: boolean;
  h0: number;
  maxMicroSteps: number;
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
    microStart: createPhasePoint(dim),
    microReverse: createPhasePoint(dim),
    levels,
    nLeapfrog: 0,
    sumMetroProb: 0,
    divergent: false,
    valid: true,
    h0: 0,
    maxMicroSteps: 1,
  };
}

/** Static settings of the NUTS kernel. */
export interface NutsSettings {
  f: LogDensityGradient;
  metric: Metric;
  /** Energy error beyond which a trajectory is divergent (Stan: 1000). */
  maxDeltaH: number;
  /**
   * Local step sizes within the orbit (WALNUTS, Bou-Rabee, Carpenter, Kleppe & Liu 2025): each
   * step of size eps is split into the fewest 2^n micro steps (n <= maxHalvings) whose energies
   * stay within maxError of each other. Absent: plain NUTS.
   */
  localStep?: { maxError: number; maxHalvings: number };
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
  ws.maxMicroSteps = 1;
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
  info.maxMicroSteps = ws.maxMicroSteps;
}

const UNSTABLE = -1;
const IRREVERSIBLE = -2;

/**
 * Integrates `eps` from ws.z in 2^n micro steps (n in 0..maxHalvings) of size eps / 2^n, choosing
 * the smallest n whose energies along the way (start included) span at most maxError. The map
 * from a point to the step's end is then an involution only if, from the end with its momentum
 * reversed, the same n would be chosen: no smaller n may be stable there (the same n is, by the
 * reversibility of leapfrog). Returns the number of micro steps, UNSTABLE when no n is stable, or
 * IRREVERSIBLE. Leaves ws.z at the step's end.
 */
function localStep(
  ws: NutsWorkspace,
  s: NutsSettings,
  o: { maxError: number; maxHalvings: number },
  eps: number,
): number {
  const z = ws.z;
  const start = ws.microStart;
  copyPhasePoint(z, start);
  let chosen = -1;
  for (let n = 0; n <= o.maxHalvings; n++) {
    if (n > 0) copyPhasePoint(start, z);
    if (microRun(s, o.maxError, eps, 1 << n, start.h, z)) {
      chosen = n;
      break;
    }
  }
  if (chosen < 0) return UNSTABLE;
  if (chosen > 0) {
    const r = ws.microReverse;
    const hEnd = hamiltonian(z);
    for (let m = 0; m < chosen; m++) {
      copyPhasePoint(z, r);
      for (let i = 0; i < r.p.length; i++) {
        r.p[i] = -r.p[i];
        r.v[i] = -r.v[i];
      }
      if (microRun(s, o.maxError, eps, 1 << m, hEnd, r)) return IRREVERSIBLE;
    }
  }
  return 1 << chosen;
}

/** Runs `k` leapfrog steps of eps / k on z; true when every energy stays within maxError of the others. */
function microRun(
  s: NutsSettings,
  maxError: number,
  eps: number,
  k: number,
  h0: number,
  z: PhasePoint,
): boolean {
  let lo = h0;
  let hi = h0;
  const e = eps / k;
  for (let i = 0; i < k; i++) {
    leapfrog(s.f, s.metric, e, z);
    const h = hamiltonian(z);
    if (!Number.isFinite(h)) return false;
    if (h < lo) lo = h;
    if (h > hi) hi = h;
    if (hi - lo > maxError) return false;
  }
  return true;
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
    ws.nLeapfrog++;
    let micro = 1;
    if (s.localStep) {
      const n = localStep(ws, s, s.localStep, eps);
      if (n === UNSTABLE) {
        ws.divergent = true;
        ws.valid = false;
        return Number.NEGATIVE_INFINITY;
      }
      if (n === IRREVERSIBLE) {
        // the step from the other end would be split differently: the point is not on an orbit
        // that every one of its members builds alike, so the subtree ends here (like a U-turn)
        ws.valid = false;
        return Number.NEGATIVE_INFINITY;
      }
      micro = n;
      if (n > ws.maxMicroSteps) ws.maxMicroSteps = n;
    } else {
      leapfrog(s.f, s.metric, eps, z);
    }
    let h = hamiltonian(z);
    if (Number.isNaN(h)) h = Number.POSITIVE_INFINITY;
    z.h = h;
    if (h - ws.h0 > s.maxDeltaH) ws.divergent = true;
    const dH = ws.h0 - h;
    // a split step counts as accepted 1/micro of the time: step-size adaptation then keeps the
    // bulk on whole steps (splitting everywhere would let the step size grow without bound)
    ws.sumMetroProb += (dH > 0 ? 1 : Math.exp(dH)) / micro;
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
