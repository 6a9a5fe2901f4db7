export { invLogit, log1pExp, Tape } from "./ad/tape.js";
export { tapePotential } from "./ad/tape-potential.js";
export {
  DA_DEFAULTS,
  type DualAveragingState,
  daFinal,
  daInit,
  daRestart,
  daUpdate,
} from "./adaptation/dual-averaging.js";
export {
  LOW_RANK_DEFAULTS,
  type LowRankOptions,
  lowRankAdapter,
} from "./adaptation/low-rank-adapter.js";
export {
  createMetricAdapter,
  type MetricAdapter,
  type MetricKind,
} from "./adaptation/metric-adapter.js";
export { initStepSize } from "./adaptation/step-size-heuristic.js";
export { type AdaptationWindows, adaptationWindows } from "./adaptation/windows.js";
export {
  type ChainConfig,
  type ChainEnd,
  type ChainOutput,
  type Progress,
  runChain,
} from "./chain.js";
export type { ChainStats } from "./chain-stats.js";
export { splitChains } from "./diagnostics/draws-matrix.js";
export { ebfmi } from "./diagnostics/ebfmi.js";
export { essBulk, essMean, essQuantile, essRaw, essTail } from "./diagnostics/ess.js";
export { mcseMean, mcseQuantile, mcseSd } from "./diagnostics/mcse.js";
export { quantile } from "./diagnostics/quantile.js";
export { zScale } from "./diagnostics/rank-normalize.js";
export { rhat, rhatRaw } from "./diagnostics/rhat.js";
export { checkGradient, type GradientCheck } from "./gradient-check.js";
export { InitError, type InitStrategy } from "./init.js";
export { createPhasePoint, hamiltonian, leapfrog, type PhasePoint } from "./leapfrog.js";
export { DenseMetric } from "./metric/dense-metric.js";
export { DiagMetric } from "./metric/diag-metric.js";
export { LowRankMetric } from "./metric/low-rank-metric.js";
export type { Metric } from "./metric/metric.js";
export { symmetricEigen } from "./metric/symmetric-eigen.js";
export {
  createNutsWorkspace,
  type NutsInfo,
  type NutsSettings,
  type NutsWorkspace,
  nutsTransition,
} from "./nuts.js";
export type { PosteriorModel } from "./posteriordb/model.js";
export { POSTERIORDB_MODELS } from "./posteriordb/registry.js";
export type { LogDensityGradient, Potential } from "./potential.js";
export { createRng, normal, type RngState, uniform } from "./rng.js";
export { sample } from "./sample.js";
export { appendRun, type SampleResult, type SamplerOptions } from "./sample-options.js";
export { findStuckChains, type StuckChain } from "./stuck-chains.js";
export {
  type CoordinateSummary,
  coordinateDraws,
  type SamplerSummary,
  samplerSummary,
  summarize,
  summarizeDraws,
  transformDraws,
} from "./summarize.js";
export { sampleOnWorkers, type WorkerSampleOptions } from "./workers/sample-on-workers.js";
