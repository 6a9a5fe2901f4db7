import type { ChainConfig, ChainOutput } from "./chain.js";
import type { SampleResult } from "./sample-options.js";
import { findStuckChains } from "./stuck-chains.js";

/** Runs one chain somewhere (this thread or a worker). */
export type ChainRunner = (cfg: ChainConfig) => Promise<ChainOutput>;

/**
 * Runs every chain, then restarts (up to `maxRestarts` times each) the chains that got stuck with
 * a collapsed step size, from the next init strategy (median <-> uniform) on a fresh RNG stream.
 * The decision depends only on the chains' outputs, so it is the same whatever runs them.
 */
export async function runChains(
  dim: number,
  config: SampleResult["config"],
  run: ChainRunner,
  maxRestarts = 3,
): Promise<{ outs: ChainOutput[]; warnings: string[] }> {
  const cfgFor = (chain: number, attempt: number): ChainConfig => ({
    ...config,
    dim,
    chain,
    attempt,
    resume: config.resume?.[chain],
    init: attempt === 0 ? config.init : config.init === "median" ? "uniform" : "median",
  });
  const outs = await Promise.all(
    Array.from({ length: config.chains }, (_, c) => run(cfgFor(c, 0))),
  );
  const warnings: string[] = [];
  for (let attempt = 1; attempt <= maxRestarts; attempt++) {
    const stuck = findStuckChains(outs).filter((s) => s.collapsed);
    if (stuck.length === 0) break;
    for (const s of stuck) warnings.push(`${s.message}; restarted (attempt ${attempt})`);
    const again = await Promise.all(stuck.map((s) => run(cfgFor(s.chain, attempt))));
    stuck.forEach((s, k) => {
      outs[s.chain] = again[k];
    });
  }
  for (const s of findStuckChains(outs)) warnings.push(s.message);
  return { outs, warnings };
}
