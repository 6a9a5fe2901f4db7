/**
 * Loading coordinates for F and rho (issue 9). The fund's log return is
 *
 *     r_t = alpha + beta m_t + b sqrt(h_t) z_t + s sqrt(h_t) xi_t,   b = F rho,  s = F sqrt(1 - rho^2),
 *
 * where the comparable is observed (MODEL.md section 3): b is the fund's loading on the
 * comparable's standardised residual z_t, s its own volatility. The data pin s (through the
 * spread of the path between observations) far more tightly than b, so in (log F, atanh rho) the
 * posterior lies along the curved valley log F = log s + log cosh(atanh rho), which no fixed
 * metric follows: on seed 1's ten-year fund 11 the chains held s within 7% while b stayed at -0.4
 * in two and -0.95 in two (R-hat 1.7 for rho). The sampler sees (b, log s) instead:
 *
 *     F = sqrt(b^2 + s^2),  rho = b / F,
 *
 * a bijection of (F, rho) in (0, inf) x (-1, 1) onto R^2 with
 * log|d(F, rho) / d(b, log s)| = log(1 - rho^2); the density gains it, minus the log-Jacobians of
 * F's and rho's own transforms, so the target is exactly MODEL.md's.
 */
import type { NavcastDensity } from "./density.js";
import { constrain, unconstrain } from "./priors.js";
import type { WhitenedPotential } from "./whitened-transform.js";

/**
 * `inner` with F's and rho's sampler coordinates replaced by (b, log s); `inner` itself where the
 * priors of F and rho do not span (0, inf) and (-1, 1) (a bounded F cannot take every b and s).
 */
export function withLoadingCoordinates(
  inner: WhitenedPotential,
  density: NavcastDensity,
): WhitenedPotential {
  const iF = density.names.indexOf("F");
  const iRho = density.names.indexOf("rho");
  const pF = density.priors[iF];
  const pRho = density.priors[iRho];
  if (
    pF.support.lower !== 0 ||
    pF.support.upper !== Number.POSITIVE_INFINITY ||
    pRho.support.lower !== -1 ||
    pRho.support.upper !== 1
  )
    return inner;
  const dim = inner.dim;
  const qi = new Float64Array(dim); // inner coordinates
  const gi = new Float64Array(dim);
  const tF = new Float64Array(4);
  const tRho = new Float64Array(4);
  /** Inner coordinates of (b, log s) = (q[iF], q[iRho]); returns F and rho. */
  const toInner = (q: Float64Array) => {
    qi.set(q);
    const b = q[iF];
    const s = Math.exp(q[iRho]);
    const F = Math.hypot(b, s);
    const rho = b / F;
    qi[iF] = unconstrain(pF.transform, pF.support, F);
    qi[iRho] = unconstrain(pRho.transform, pRho.support, rho);
    return { F, rho, s };
  };
  return {
    dim,
    rank: inner.rank,
    chordErrors: (x) => inner.chordErrors(x),
    toModel(q, x) {
      toInner(q);
      inner.toModel(qi, x);
    },
    toSampler(x, q) {
      inner.toSampler(x, q);
      constrain(pF.transform, pF.support, q[iF], tF);
      constrain(pRho.transform, pRho.support, q[iRho], tRho);
      const F = tF[0];
      const rho = tRho[0];
      q[iF] = F * rho;
      q[iRho] = Math.log(F) + 0.5 * Math.log1p(-rho * rho);
    },
    logDensityGradient(q, g) {
      const { F, rho, s } = toInner(q);
      let lp = inner.logDensityGradient(qi, gi);
      g.set(gi);
      constrain(pF.transform, pF.support, qi[iF], tF);
      constrain(pRho.transform, pRho.support, qi[iRho], tRho);
      const r2 = 1 - rho * rho;
      // log|d(q_F, q_rho) / d(b, log s)| = log(1 - rho^2) - log|dF/dq_F| - log|drho/dq_rho|
      lp += Math.log(r2) - tF[2] - tRho[2];
      // the gradient in F and rho (the inner one through the inner transforms, and the Jacobian's)
      const gF = (gi[iF] - tF[3]) / tF[1];
      const gRho = (gi[iRho] - tRho[3]) / tRho[1] - (2 * rho) / r2;
      // dF/db = rho, dF/ds = sqrt(1 - rho^2); drho/db = (1 - rho^2) / F, drho/ds = -rho sqrt(.) / F
      const sr = Math.sqrt(r2);
      g[iF] = gF * rho + (gRho * r2) / F;
      g[iRho] = s * (gF * sr - (gRho * rho * sr) / F);
      return lp;
    },
  };
}
