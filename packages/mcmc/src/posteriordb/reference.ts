import type { CoordinateSummary } from "../summarize.js";

/** One posterior's entry in validation/posteriordb/reference.json. */
export interface ReferencePosterior {
  posterior: string;
  params: Record<
    string,
    { mean: number; sd: number; q05: number; q95: number; mcse_mean: number; mcse_sd: number }
  >;
  reference_method: { control: { adapt_delta: number; max_treedepth?: number } };
  unconstrained_dim: number;
}

/** One parameter's verdict against the reference (README "How a sampler test should judge agreement"). */
export interface Agreement {
  name: string;
  /** |mean - ref| / sqrt(mcse_mean² + ref mcse_mean²): must be <= 4. */
  zMean: number;
  /** |sd - ref| / sqrt(mcse_sd² + ref mcse_sd²): must be <= 4. */
  zSd: number;
}

/** Compares our summaries with the reference, parameter by parameter, in reference order. */
export function compareWithReference(
  ref: ReferencePosterior,
  ours: CoordinateSummary[],
): Agreement[] {
  return Object.entries(ref.params).map(([name, r]) => {
    const o = ours.find((s) => s.name === name);
    if (!o) throw new Error(`no parameter ${name} in our summary`);
    return {
      name,
      zMean: Math.abs(o.mean - r.mean) / Math.hypot(o.mcseMean, r.mcse_mean),
      zSd: Math.abs(o.sd - r.sd) / Math.hypot(o.mcseSd, r.mcse_sd),
    };
  });
}
