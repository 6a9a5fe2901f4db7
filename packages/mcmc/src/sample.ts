import { type ChainOutput, runChain } from "./chain.js";
import type { LogDensityGradient } from "./potential.js";
import {
  collectResult,
  resolveOptions,
  type SampleResult,
  type SamplerOptions,
} from "./sample-options.js";

/**
 * Runs NUTS chains one after another in the calling thread (Stan's algorithm: multinomial NUTS
 * with windowed adaptation). Deterministic: the same options and seed give the same draws.
 *
 * @example
 * const res = await sample({ dim: 1, logDensityGradient: (q, g) => { g[0] = -q[0]; return -0.5 * q[0] ** 2; }, seed: 1 });
 */
export async function sample(
  opts: SamplerOptions & { dim: number; logDensityGradient: LogDensityGradient },
): Promise<SampleResult> {
  const config = resolveOptions(opts.dim, opts);
  const outs: ChainOutput[] = [];
  for (let c = 0; c < config.chains; c++) {
    outs.push(
      runChain(opts.logDensityGradient, { ...config, dim: opts.dim, chain: c }, opts.onProgress),
    );
    // let the event loop breathe between chains
    await Promise.resolve();
  }
  return collectResult(opts.dim, config, outs);
}
