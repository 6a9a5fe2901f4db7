import { runChain } from "./chain.js";
import type { LogDensityGradient } from "./potential.js";
import { runChains } from "./run-chains.js";
import {
  collectResult,
  resolveOptions,
  type SampleResult,
  type SamplerOptions,
} from "./sample-options.js";

/**
 * Runs NUTS chains one after another in the calling thread (Stan's algorithm: multinomial NUTS
 * with windowed adaptation), restarting any chain that gets stuck at a bad init. Deterministic:
 * the same options and seed give the same draws.
 *
 * @example
 * const res = await sample({ dim: 1, logDensityGradient: (q, g) => { g[0] = -q[0]; return -0.5 * q[0] ** 2; }, seed: 1 });
 */
export async function sample(
  opts: SamplerOptions & { dim: number; logDensityGradient: LogDensityGradient },
): Promise<SampleResult> {
  const config = resolveOptions(opts.dim, opts);
  const { outs, warnings } = await runChains(opts.dim, config, async (cfg) => {
    // yield to the event loop between chains
    await Promise.resolve();
    return runChain(opts.logDensityGradient, cfg, opts.onProgress);
  });
  const res = collectResult(opts.dim, config, outs);
  res.warnings.push(...warnings);
  return res;
}
