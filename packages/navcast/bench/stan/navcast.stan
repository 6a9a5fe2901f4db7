// MODEL.md sections 2-5 written independently in Stan (rstan 2.21 syntax), as the referee for
// bench/stan-compare.ts: shocks in the xi form of section 3, category 1 fixed, default priors.
functions {
  // log(softplus(a)); below -30 it equals a to double precision (MODEL.md section 2)
  real log_softplus(real a) {
    return a < -30 ? a : log(log1p_exp(a));
  }
}
data {
  int<lower=1> T;
  vector[T] C;
  vector[T] D;
  vector[T] m;
  vector[T] s;                    // sqrt(h_t)
  int<lower=0, upper=1> has_y[T];
  vector[T] z;                    // (y_t - alpha_c - beta_cM m_t) / s_t, 0 where y_t is missing
  int<lower=0> K;
  int<lower=1> nav_t[K];
  vector[K] nav;
  int<lower=0> J;
  int<lower=2> dist_t[J];
  vector[J] log_dist;
  int<lower=0> S;
  int<lower=1> sec_t[S];
  vector[S] log_sec;
  int<lower=0> L;
  real<lower=0> eps;
  real log_delta_hat;
  real<lower=0> sigma_d_hat;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> F;
  real<lower=-1, upper=1> rho;
  real<lower=0, upper=1> lambda;
  real<lower=0> sigma_n;
  real log_delta;
  real<lower=0> sigma_d;
  real<lower=0> sigma_s[S > 0 ? 1 : 0];
  vector[T] xi;
}
transformed parameters {
  vector[T] logV;
  vector[T] logB;
  {
    real sr = sqrt(1 - rho * rho);
    for (t in 1:T) {
      real e = has_y[t] ? rho * z[t] + sr * xi[t] : xi[t];
      real r = alpha + beta * m[t] + F * s[t] * e;
      real U = t == 1 ? 0 : exp(logV[t - 1] + r);
      logV[t] = log(eps) + log_softplus((U + C[t] - D[t]) / eps);
    }
    for (t in 1:T) {
      if (t <= max(L, 1)) logB[t] = logV[t];
      else logB[t] = log_sum_exp(log(lambda) + logB[t - 1], log1m(lambda) + logV[t - L]);
    }
  }
}
model {
  alpha ~ normal(0, 0.003);
  beta ~ normal(1, 0.5);
  F ~ lognormal(0, 0.5);
  rho ~ uniform(-1, 1);
  lambda ~ beta(2, 2);
  sigma_n ~ normal(0, 0.1);
  log_delta ~ normal(log_delta_hat, 1);
  sigma_d ~ normal(0, sigma_d_hat + 0.5);
  if (S > 0) sigma_s[1] ~ normal(0, 0.1);
  xi ~ std_normal();
  for (j in 1:J) log_dist[j] ~ normal(log_delta + logV[dist_t[j] - 1], sigma_d);
  for (k in 1:K) {
    real B = exp(logB[nav_t[k]]);
    nav[k] ~ normal(B, sigma_n * B);
  }
  target += -K * normal_lcdf(1 / sigma_n | 0, 1);
  for (j in 1:S) log_sec[j] ~ normal(logV[sec_t[j]], sigma_s[1]);
}
generated quantities {
  real V_tau = exp(logV[T]);
}
