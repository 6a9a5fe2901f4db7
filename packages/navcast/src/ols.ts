/**
 * OLS of the comparable on the market, y_t = alpha_c + beta_cM m_t + u_t, over the weeks where
 * y_t is observed (MODEL.md section 4), with classical standard errors.
 */

/** Estimates, standard errors and residuals (NaN where y is missing). */
export interface OlsFit {
  alphaC: number;
  betaCM: number;
  alphaCSe: number;
  betaCMSe: number;
  /** Residual standard deviation (n - 2 degrees of freedom). */
  sigma: number;
  n: number;
  residuals: Float64Array;
}

/** Fits the regression; returns null when fewer than 3 observations or m has no variation. */
export function fitOls(y: Float64Array, m: Float64Array): OlsFit | null {
  let n = 0;
  let sm = 0;
  let sy = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) continue;
    n++;
    sm += m[i];
    sy += y[i];
  }
  if (n < 3) return null;
  const mm = sm / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) continue;
    sxx += (m[i] - mm) ** 2;
    sxy += (m[i] - mm) * (y[i] - my);
  }
  if (!(sxx > 0)) return null;
  const betaCM = sxy / sxx;
  const alphaC = my - betaCM * mm;
  const residuals = new Float64Array(y.length);
  let rss = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) {
      residuals[i] = Number.NaN;
      continue;
    }
    residuals[i] = y[i] - alphaC - betaCM * m[i];
    rss += residuals[i] ** 2;
  }
  const s2 = rss / (n - 2);
  return {
    alphaC,
    betaCM,
    betaCMSe: Math.sqrt(s2 / sxx),
    alphaCSe: Math.sqrt(s2 * (1 / n + (mm * mm) / sxx)),
    sigma: Math.sqrt(s2),
    n,
    residuals,
  };
}
