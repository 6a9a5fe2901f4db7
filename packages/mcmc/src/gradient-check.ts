import type { LogDensityGradient } from "./potential.js";

/** Outcome of {@link checkGradient}. */
export interface GradientCheck {
  /** Largest |analytic - numeric| / max(1, |analytic|, |numeric|) over coordinates. */
  maxRelError: number;
  /** Largest |analytic - numeric| over coordinates. */
  maxAbsError: number;
  analytic: Float64Array;
  numeric: Float64Array;
  logDensity: number;
}

/**
 * Compares a model's gradient with a fourth-order central finite difference
 * (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h, with h = 1e-3 * max(1, |x_i|): truncation
 * error O(h^4) and round-off O(eps |f| / h), both far below 1e-6 for well-scaled models.
 */
export function checkGradient(
  f: LogDensityGradient,
  q: Float64Array,
  opts: { relStep?: number } = {},
): GradientCheck {
  const n = q.length;
  const analytic = new Float64Array(n);
  const scratch = new Float64Array(n);
  const x = Float64Array.from(q);
  const logDensity = f(x, analytic);
  const numeric = new Float64Array(n);
  const rel = opts.relStep ?? 1e-3;
  let maxRelError = 0;
  let maxAbsError = 0;
  for (let i = 0; i < n; i++) {
    const h = rel * Math.max(1, Math.abs(q[i]));
    const at = (d: number): number => {
      x.set(q);
      x[i] = q[i] + d;
      return f(x, scratch);
    };
    numeric[i] = (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h);
    const abs = Math.abs(analytic[i] - numeric[i]);
    const relErr = abs / Math.max(1, Math.abs(analytic[i]), Math.abs(numeric[i]));
    if (!(abs <= maxAbsError)) maxAbsError = abs;
    if (!(relErr <= maxRelError)) maxRelError = relErr;
  }
  return { maxRelError, maxAbsError, analytic, numeric, logDensity };
}
