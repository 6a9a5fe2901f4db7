/**
 * Special functions for the NAVcast density: softplus and its log, the normal CDF and its log,
 * the normal quantile, log-gamma. Double precision throughout; each is checked against values
 * computed independently in special.test.ts.
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT2 = Math.SQRT2;

/** log N(x; 0, 1). */
export function logStdNormal(x: number): number {
  return -0.5 * x * x - LOG_SQRT_2PI;
}

/** Half the log of 2 pi, the normal density's constant. */
export const HALF_LOG_2PI = LOG_SQRT_2PI;

/** softplus(a) = log(1 + e^a), without overflow. */
export function softplus(a: number): number {
  return a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a));
}

/** Logistic sigmoid, without overflow. */
export function sigmoid(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/**
 * log softplus(a), finite for every finite a. Below a = -30, log1p(e^a) = e^a to double precision
 * (MODEL.md section 2), so log softplus(a) = a there; computing log(softplus(a)) instead would
 * return log(0) once e^a underflows.
 */
export function logSoftplus(a: number): number {
  if (a < -30) return a + Math.log1p(-0.5 * Math.exp(a));
  // above 40, log1p(e^-a) / a < 1e-19: softplus(a) = a to double precision
  if (a > 40) return Math.log(a);
  return Math.log(softplus(a));
}

/** d/da log softplus(a) = sigmoid(a) / softplus(a); tends to 1 as a -> -infinity. */
export function dLogSoftplus(a: number): number {
  if (a < -30) return 1 - 0.5 * Math.exp(a);
  if (a > 40) return 1 / a;
  return sigmoid(a) / softplus(a);
}

/**
 * erfc(x) to about 1e-14 relative: Taylor series of erf for |x| < 2.5 and a Lentz continued
 * fraction for the tail (Abramowitz & Stegun 7.1.5 and 7.1.14).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) return 1 - erfSeries(x);
  if (x > 27) return 0;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : d;
    c = x + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

function erfSeries(x: number): number {
  // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))  (A&S 7.1.6)
  let term = x;
  let sum = x;
  const x2 = 2 * x * x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** Standard normal CDF Phi(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / SQRT2);
}

/** log Phi(x), accurate in both tails (asymptotic Mills ratio below x = -37). */
export function logNormalCdf(x: number): number {
  if (x > -1) return Math.log1p(-0.5 * erfc(x / SQRT2));
  if (x > -37) return Math.log(0.5 * erfc(-x / SQRT2));
  // Phi(x) ~ phi(x)/(-x) * (1 - 1/x^2 + 3/x^4)
  const x2 = x * x;
  return logStdNormal(x) - Math.log(-x) + Math.log1p(-1 / x2 + 3 / (x2 * x2));
}

/** phi(x) / Phi(x), the inverse Mills ratio, stable for very negative x. */
export function normalHazardLower(x: number): number {
  return Math.exp(logStdNormal(x) - logNormalCdf(x));
}

/**
 * Standard normal quantile Phi^{-1}(p): Acklam's rational approximation refined by one Halley
 * step on erfc, giving full double precision on (0, 1).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  let x = acklam(p);
  const e = 0.5 * erfc(-x / SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  x = x - u / (1 + 0.5 * x * u);
  return x;
}

const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
];
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function acklam(p: number): number {
  const plow = 0.02425;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  if (p > 1 - plow) {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    return -(
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** log Gamma(x) for x > 0 (Lanczos, g = 7, n = 9; about 1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === Number.NEGATIVE_INFINITY) return m;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}
