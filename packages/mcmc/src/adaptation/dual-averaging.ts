/**
 * Nesterov dual averaging of log step size (Hoffman & Gelman 2014, Algorithm 5; as in Stan's
 * stepsize_adaptation.hpp: the acceptance statistic is capped at 1).
 */
export interface DualAveragingState {
  counter: number;
  sBar: number;
  xBar: number;
  mu: number;
}

/** Hoffman & Gelman (2014) / Stan defaults. */
export const DA_DEFAULTS = { target: 0.8, t0: 10, gamma: 0.05, kappa: 0.75 };

export type DualAveragingOptions = typeof DA_DEFAULTS;

/** Starts dual averaging around mu = log(10 eps0). */
export function daInit(eps0: number): DualAveragingState {
  return { counter: 0, sBar: 0, xBar: 0, mu: Math.log(10 * eps0) };
}

/** Restarts with a new centre mu = log(10 eps0) (Stan does this after every metric update). */
export function daRestart(s: DualAveragingState, eps0: number): void {
  s.counter = 0;
  s.sBar = 0;
  s.xBar = 0;
  s.mu = Math.log(10 * eps0);
}

/** One update with the transition's acceptance statistic; returns the next step size. */
export function daUpdate(
  s: DualAveragingState,
  acceptStat: number,
  o: DualAveragingOptions = DA_DEFAULTS,
): number {
  s.counter += 1;
  const a = Math.min(acceptStat, 1);
  const eta = 1 / (s.counter + o.t0);
  s.sBar = (1 - eta) * s.sBar + eta * (o.target - a);
  const x = s.mu - (s.sBar * Math.sqrt(s.counter)) / o.gamma;
  const xEta = s.counter ** -o.kappa;
  s.xBar = (1 - xEta) * s.xBar + xEta * x;
  return Math.exp(x);
}

/** The step size to sample with after warm-up: exp(x_bar). */
export function daFinal(s: DualAveragingState): number {
  return Math.exp(s.xBar);
}
