/**
 * @portal/navcast: the NAVcast Bayesian state-space model for private-fund NAV nowcasting
 * (../../shared/MODEL.md). Pure code: the density with its gradient, the fund processor, the
 * simulator, window fits on @portal/mcmc, posterior predictive, and the section-10 interchange.
 */
export { alignToWeeks, firstContributionWeek, weekIndexOf } from "./align.js";
export { type BfgsResult, minimizeBfgs } from "./bfgs.js";
export { isQuarterEndWeek, weekEnds } from "./calendar.js";
export { createDensity, floorEps, NavcastDensity, type Potential } from "./density.js";
export {
  ConfigError,
  DataError,
  FundProcessorError,
  NavcastError,
  type NavcastErrorCode,
} from "./errors.js";
export type { ExtensionStop, RunStats } from "./extension-rounds.js";
export {
  type FitWindowOptions,
  fitWindow,
  type SamplerBlock,
  type WindowResult,
} from "./fit-window.js";
export {
  type ProcessorOptions,
  type ProcessorReport,
  processWindow,
  trimToFirstContribution,
} from "./fund-processor.js";
export type { DailySeries, ExternalEstimates, FundSeries } from "./fund-series.js";
export {
  fitGarch,
  GARCH_METHODS,
  type GarchFit,
  type GarchInput,
  type GarchMethod,
} from "./garch.js";
export { initialPoints } from "./initial-points.js";
export { dataHash, fitOutput, fundToJson, parseFund } from "./interchange.js";
export { type MasterShocks, masterShocks } from "./master-shocks.js";
export {
  CORE_PARAMS,
  DEFAULT_MODEL_OPTIONS,
  defaultPrior,
  type ModelOptions,
  type ParamName,
} from "./model-config.js";
export { type ModelData, truncateData } from "./model-data.js";
export { fitOls, type OlsFit } from "./ols.js";
export { type DeltaEstimate, estimateDelta, pmeNaive, rolledForwardNav } from "./pme.js";
export { type Summary, summarize } from "./posterior-summary.js";
export {
  type PredictiveDraws,
  type PredictiveOutput,
  type PredictivePaths,
  predictivePaths,
  replicateObservations,
} from "./predictive.js";
export { createPredictiveKernels, type PredictiveKernels } from "./predictive-kernels.js";
export { type PredictiveOptions, posteriorPredictive } from "./predictive-run.js";
export { samplePrior } from "./prior-sample.js";
export { compilePrior, type PriorSpec } from "./priors.js";
export { createRng, normal, type RngState, uniform } from "./rng.js";
export {
  configHash,
  DEFAULT_RUN_CONFIG,
  parseRunConfig,
  type RunConfig,
  type SamplerSettings,
} from "./run-config.js";
export {
  isFitted,
  type RunOptions,
  type RunProgress,
  runWindows,
  type WindowFailure,
} from "./run-windows.js";
export { momentMatch } from "./sequential-prior.js";
export { drawParams, simulateFund, type TrueParams } from "./simulate.js";
export { type FundSkeleton, generateSkeleton, type SkeletonOptions } from "./skeleton.js";
export { windowEnds } from "./window-schedule.js";
