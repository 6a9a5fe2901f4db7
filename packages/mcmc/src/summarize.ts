import { ebfmi } from "./diagnostics/ebfmi.js";
import { essBulk, essMean, essTail } from "./diagnostics/ess.js";
import { mcseMean, mcseQuantile, mcseSd } from "./diagnostics/mcse.js";
import { quantileSorted } from "./diagnostics/quantile.js";
import { rhat } from "./diagnostics/rhat.js";
import type { SampleResult } from "./sample-options.js";

/** Posterior summary of one coordinate (names as in MODEL.md section 10 plus camelCase aliases). */
export interface CoordinateSummary {
  name: string;
  mean: number;
  sd: number;
  q5: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
  rhat: number;
  essBulk: number;
  essTail: number;
  essMean: number;
  mcseMean: number;
  mcseSd: number;
  mcseQ5: number;
  mcseQ95: number;
  ess_bulk: number;
  ess_tail: number;
  mcse_mean: number;
}

/** Whole-run sampler health (the `sampler` block of MODEL.md section 10). */
export interface SamplerSummary {
  divergences: number;
  /** Transitions that stopped at the maximum tree depth. */
  maxTreeDepthHits: number;
  /** Per chain. */
  stepSize: number[];
  /** Per chain. */
  ebfmi: number[];
  meanTreeDepth: number;
  meanAcceptStat: number;
  gradientEvals: number;
  warnings: string[];
}

/** Extracts coordinate `j` of every chain as chains x draws. */
export function coordinateDraws(
  res: Pick<SampleResult, "draws" | "dim">,
  j: number,
): Float64Array[] {
  return res.draws.map((d) => {
    const n = d.length / res.dim;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = d[i * res.dim + j];
    return out;
  });
}

/** Summarises chains x draws of one scalar. */
export function summarizeDraws(x: Float64Array[], name = ""): CoordinateSummary {
  let n = 0;
  for (const c of x) n += c.length;
  const all = new Float64Array(n);
  let k = 0;
  for (const c of x) {
    all.set(c, k);
    k += c.length;
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += all[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (all[i] - mean) ** 2;
  const sorted = all.sort();
  const eb = essBulk(x);
  const et = essTail(x);
  const mm = mcseMean(x);
  return {
    name,
    mean,
    sd: Math.sqrt(ss / (n - 1)),
    q5: quantileSorted(sorted, 0.05),
    q25: quantileSorted(sorted, 0.25),
    q50: quantileSorted(sorted, 0.5),
    q75: quantileSorted(sorted, 0.75),
    q95: quantileSorted(sorted, 0.95),
    rhat: rhat(x),
    essBulk: eb,
    essTail: et,
    essMean: essMean(x),
    mcseMean: mm,
    mcseSd: mcseSd(x),
    mcseQ5: mcseQuantile(x, 0.05),
    mcseQ95: mcseQuantile(x, 0.95),
    ess_bulk: eb,
    ess_tail: et,
    mcse_mean: mm,
  };
}

/**
 * Per-coordinate posterior summary of a run: mean, sd, quantiles (type 7), rank-normalised split
 * R-hat, bulk and tail ESS, MCSE of mean, sd and 5%/95% quantiles (Vehtari et al. 2021, as the R
 * package posterior computes them). `transform` maps an unconstrained draw to the reported
 * quantities (e.g. constrained parameters); `names` labels them.
 */
export function summarize(
  res: Pick<SampleResult, "draws" | "dim">,
  opts: {
    names?: string[];
    transform?: { dim: number; apply(q: Float64Array, out: Float64Array): void };
  } = {},
): CoordinateSummary[] {
  let src = res;
  if (opts.transform) src = transformDraws(res, opts.transform);
  const out: CoordinateSummary[] = [];
  for (let j = 0; j < src.dim; j++)
    out.push(summarizeDraws(coordinateDraws(src, j), opts.names?.[j] ?? `q[${j + 1}]`));
  return out;
}

/** Applies `t` to every draw of every chain. */
export function transformDraws(
  res: Pick<SampleResult, "draws" | "dim">,
  t: { dim: number; apply(q: Float64Array, out: Float64Array): void },
): { draws: Float64Array[]; dim: number } {
  const draws = res.draws.map((d) => {
    const n = d.length / res.dim;
    const out = new Float64Array(n * t.dim);
    const o = new Float64Array(t.dim);
    for (let i = 0; i < n; i++) {
      t.apply(d.subarray(i * res.dim, (i + 1) * res.dim), o);
      out.set(o, i * t.dim);
    }
    return out;
  });
  return { draws, dim: t.dim };
}

/** Divergences, tree-depth saturation, step sizes and E-BFMI of a run. */
export function samplerSummary(res: SampleResult): SamplerSummary {
  let div = 0;
  let hits = 0;
  let depth = 0;
  let acc = 0;
  let n = 0;
  for (const s of res.stats) {
    for (let i = 0; i < s.divergent.length; i++) {
      div += s.divergent[i];
      if (s.treeDepth[i] >= res.config.maxTreeDepth) hits++;
      depth += s.treeDepth[i];
      acc += s.acceptStat[i];
      n++;
    }
  }
  return {
    divergences: div,
    maxTreeDepthHits: hits,
    stepSize: res.stepSize.slice(),
    ebfmi: res.stats.map((s) => ebfmi(s.energy)),
    meanTreeDepth: depth / n,
    meanAcceptStat: acc / n,
    gradientEvals: res.gradientEvals.reduce((a, b) => a + b, 0),
    warnings: res.warnings.slice(),
  };
}
