/**
 * Summaries in the section-10 field names (mean, sd, q05..q95, rhat, ess_bulk, ess_tail,
 * mcse_mean), computed by @portal/mcmc's diagnostics.
 */
import { summarizeDraws } from "@portal/mcmc";

/** One quantity's posterior summary, as the CLI writes it. */
export interface Summary {
  mean: number;
  sd: number;
  q05: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
  rhat: number;
  ess_bulk: number;
  ess_tail: number;
  mcse_mean: number;
}

/** Summary of chains x draws of one scalar. */
export function summarize(chains: Float64Array[]): Summary {
  const s = summarizeDraws(chains);
  return {
    mean: s.mean,
    sd: s.sd,
    q05: s.q5,
    q25: s.q25,
    q50: s.q50,
    q75: s.q75,
    q95: s.q95,
    rhat: s.rhat,
    ess_bulk: s.essBulk,
    ess_tail: s.essTail,
    mcse_mean: s.mcseMean,
  };
}

/**
 * Whether every draw of every chain is the same number: a posterior that is a point mass (the
 * value of a fund wiped out by a distribution the week before, `eps log 2` in every draw). Its
 * R-hat and ESS are undefined (NaN), and its chains agree exactly, so they judge nothing.
 */
export function isPointMass(chains: Float64Array[]): boolean {
  const v = chains[0]?.[0];
  return v !== undefined && !Number.isNaN(v) && chains.every((c) => c.every((x) => x === v));
}
