import { logistic, type PosteriorModel } from "./model.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * hmm_example (posteriordb): 2-state HMM, forward algorithm. q = [logit theta1[1], logit theta2[1],
 * log mu1, log(mu2 - mu1)] (simplex[2] and positive_ordered as Stan transforms them). The gradient
 * is the hand-written adjoint of the forward recursion, i.e. the forward-backward algorithm:
 * d log Z / d e_t(k) = P(z_t = k | y), d log Z / d log theta[j,k] = sum_t P(z_{t-1} = j, z_t = k | y).
 */
export function createPotential(data: { N: number; K: number; y: number[] }): PosteriorModel {
  const N = data.N;
  if (data.K !== 2) throw new RangeError("hmm_example is written for K = 2");
  const y = Float64Array.from(data.y);
  const alpha = new Float64Array(N * 2);
  const beta = new Float64Array(N * 2);
  const e = new Float64Array(N * 2);
  const lth = new Float64Array(4); // log theta[j][k] at 2j + k
  return {
    dim: 4,
    names: ["theta1[1]", "theta1[2]", "theta2[1]", "theta2[2]", "mu[1]", "mu[2]"],
    logDensityGradient(q, g) {
      const s1 = logistic(q[0]);
      const s2 = logistic(q[1]);
      const m1 = Math.exp(q[2]);
      const m2 = m1 + Math.exp(q[3]);
      lth[0] = Math.log(s1);
      lth[1] = Math.log1p(-s1);
      lth[2] = Math.log(s2);
      lth[3] = Math.log1p(-s2);
      for (let t = 0; t < N; t++) {
        e[2 * t] = -HALF_LOG_2PI - 0.5 * (y[t] - m1) ** 2;
        e[2 * t + 1] = -HALF_LOG_2PI - 0.5 * (y[t] - m2) ** 2;
      }
      alpha[0] = e[0];
      alpha[1] = e[1];
      for (let t = 1; t < N; t++) {
        for (let k = 0; k < 2; k++) {
          alpha[2 * t + k] =
            lse(alpha[2 * t - 2] + lth[k], alpha[2 * t - 1] + lth[2 + k]) + e[2 * t + k];
        }
      }
      const logZ = lse(alpha[2 * N - 2], alpha[2 * N - 1]);
      beta[2 * N - 2] = 0;
      beta[2 * N - 1] = 0;
      for (let t = N - 2; t >= 0; t--) {
        for (let j = 0; j < 2; j++) {
          beta[2 * t + j] = lse(
            lth[2 * j] + e[2 * t + 2] + beta[2 * t + 2],
            lth[2 * j + 1] + e[2 * t + 3] + beta[2 * t + 3],
          );
        }
      }
      let gm1 = 0;
      let gm2 = 0;
      const xi = [0, 0, 0, 0];
      for (let t = 0; t < N; t++) {
        const p1 = Math.exp(alpha[2 * t] + beta[2 * t] - logZ);
        const p2 = Math.exp(alpha[2 * t + 1] + beta[2 * t + 1] - logZ);
        gm1 += p1 * (y[t] - m1);
        gm2 += p2 * (y[t] - m2);
        if (t >= 1) {
          for (let j = 0; j < 2; j++)
            for (let k = 0; k < 2; k++)
              xi[2 * j + k] += Math.exp(
                alpha[2 * t - 2 + j] + lth[2 * j + k] + e[2 * t + k] + beta[2 * t + k] - logZ,
              );
        }
      }
      // priors mu1 ~ N(3, 1), mu2 ~ N(10, 1)
      let lp = logZ - HALF_LOG_2PI - 0.5 * (m1 - 3) ** 2 - HALF_LOG_2PI - 0.5 * (m2 - 10) ** 2;
      gm1 += -(m1 - 3);
      gm2 += -(m2 - 10);
      // Jacobians: log s(1-s) for each simplex, q2 + q3 for positive_ordered
      lp += lth[0] + lth[1] + lth[2] + lth[3] + q[2] + q[3];
      g[0] = (1 - s1) * xi[0] - s1 * xi[1] + 1 - 2 * s1;
      g[1] = (1 - s2) * xi[2] - s2 * xi[3] + 1 - 2 * s2;
      g[2] = (gm1 + gm2) * m1 + 1;
      g[3] = gm2 * (m2 - m1) + 1;
      return lp;
    },
    constrain(q, out) {
      const s1 = logistic(q[0]);
      const s2 = logistic(q[1]);
      const m1 = Math.exp(q[2]);
      out[0] = s1;
      out[1] = 1 - s1;
      out[2] = s2;
      out[3] = 1 - s2;
      out[4] = m1;
      out[5] = m1 + Math.exp(q[3]);
    },
  };
}

function lse(a: number, b: number): number {
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}
