import type { LogDensityGradient } from "../potential.js";

/** Independent Gaussian N(mean_i, scale_i²). */
export function gaussian(
  mean: number[],
  scale: number[],
): { dim: number; logDensityGradient: LogDensityGradient } {
  const d = mean.length;
  return {
    dim: d,
    logDensityGradient(q, g) {
      let lp = 0;
      for (let i = 0; i < d; i++) {
        const z = (q[i] - mean[i]) / scale[i];
        lp -= 0.5 * z * z;
        g[i] = -z / scale[i];
      }
      return lp;
    },
  };
}

/** Bivariate Gaussian with sds s1, s2 and correlation rho. */
export function correlatedGaussian(
  s1: number,
  s2: number,
  rho: number,
): { dim: number; logDensityGradient: LogDensityGradient } {
  const k = 1 / (1 - rho * rho);
  return {
    dim: 2,
    logDensityGradient(q, g) {
      const a = q[0] / s1;
      const b = q[1] / s2;
      g[0] = (-k * (a - rho * b)) / s1;
      g[1] = (-k * (b - rho * a)) / s2;
      return -0.5 * k * (a * a - 2 * rho * a * b + b * b);
    },
  };
}

/** Independent Student-t(nu) coordinates (scale 1). */
export function studentT(
  nu: number,
  dim: number,
): { dim: number; logDensityGradient: LogDensityGradient } {
  return {
    dim,
    logDensityGradient(q, g) {
      let lp = 0;
      for (let i = 0; i < dim; i++) {
        const x = q[i];
        lp -= 0.5 * (nu + 1) * Math.log1p((x * x) / nu);
        g[i] = (-(nu + 1) * x) / (nu + x * x);
      }
      return lp;
    },
  };
}

/** Neal's funnel, centred: v ~ N(0, 3²), x_i | v ~ N(0, e^v). q = [v, x_1..x_{dim-1}]. */
export function funnel(dim: number): { dim: number; logDensityGradient: LogDensityGradient } {
  return {
    dim,
    logDensityGradient(q, g) {
      const v = q[0];
      const ev = Math.exp(-v);
      let lp = (-v * v) / 18;
      g[0] = -v / 9;
      for (let i = 1; i < dim; i++) {
        const x = q[i];
        lp += -0.5 * v - 0.5 * x * x * ev;
        g[i] = -x * ev;
        g[0] += -0.5 + 0.5 * x * x * ev;
      }
      return lp;
    },
  };
}
