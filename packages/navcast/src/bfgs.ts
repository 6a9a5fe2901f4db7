/**
 * A compact BFGS minimiser with an Armijo backtracking line search (Nocedal & Wright 2006,
 * Algorithm 6.1 with the curvature condition checked before each update). Used for the GARCH
 * maximum-likelihood fits; reports convergence instead of hiding it.
 */

/** Objective: returns f(x) and writes its gradient into g. */
export type Objective = (x: Float64Array, g: Float64Array) => number;

/** Options of `minimizeBfgs`. */
export interface BfgsOptions {
  maxIter?: number;
  /** Converged when max |g_i| < gradTol. */
  gradTol?: number;
  /** ... or when the relative decrease of f falls below relTol twice in a row. */
  relTol?: number;
}

/** Result: the point, its value, and whether (and why) it converged. */
export interface BfgsResult {
  x: Float64Array;
  f: number;
  gradNorm: number;
  iterations: number;
  converged: boolean;
  reason: "gradient" | "relative-decrease" | "max-iterations" | "line-search-failed" | "non-finite";
}

/** Minimises `fn` from `x0`. */
export function minimizeBfgs(fn: Objective, x0: Float64Array, o: BfgsOptions = {}): BfgsResult {
  const n = x0.length;
  const maxIter = o.maxIter ?? 500;
  const gradTol = o.gradTol ?? 1e-6;
  const relTol = o.relTol ?? 1e-12;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = fn(x, g);
  if (!Number.isFinite(f)) return done(x, f, g, 0, false, "non-finite");
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = 1;
  const p = new Float64Array(n);
  const xn = new Float64Array(n);
  const gn = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const Hy = new Float64Array(n);
  let smallSteps = 0;
  for (let it = 1; it <= maxIter; it++) {
    if (maxAbs(g) < gradTol) return done(x, f, g, it - 1, true, "gradient");
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= H[i * n + j] * g[j];
      p[i] = v;
    }
    let slope = dot(p, g);
    if (!(slope < 0)) {
      // not a descent direction: restart from steepest descent
      H.fill(0);
      for (let i = 0; i < n; i++) {
        H[i * n + i] = 1;
        p[i] = -g[i];
      }
      slope = -dot(g, g);
    }
    let step = 1;
    let fn1 = Number.NaN;
    let ok = false;
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + step * p[i];
      fn1 = fn(xn, gn);
      if (Number.isFinite(fn1) && fn1 <= f + 1e-4 * step * slope) {
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) return done(x, f, g, it, maxAbs(g) < 1e3 * gradTol, "line-search-failed");
    for (let i = 0; i < n; i++) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      // H <- (I - rho s y') H (I - rho y s') + rho s s'
      const rho = 1 / sy;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += H[i * n + j] * y[j];
        Hy[i] = v;
      }
      const yHy = dot(y, Hy);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] +=
            -rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
        }
      }
    }
    const rel = (f - fn1) / Math.max(1, Math.abs(f));
    x.set(xn);
    g.set(gn);
    f = fn1;
    smallSteps = rel < relTol ? smallSteps + 1 : 0;
    if (smallSteps >= 2) return done(x, f, g, it, maxAbs(g) < 1e3 * gradTol, "relative-decrease");
  }
  return done(x, f, g, maxIter, false, "max-iterations");
}

function done(
  x: Float64Array,
  f: number,
  g: Float64Array,
  iterations: number,
  converged: boolean,
  reason: BfgsResult["reason"],
): BfgsResult {
  return { x, f, gradNorm: maxAbs(g), iterations, converged, reason };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
