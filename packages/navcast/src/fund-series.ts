/**
 * A fund as the interchange format carries it (MODEL.md section 10), in typed arrays on the
 * weekly grid with NaN for missing values.
 */

/** Daily market and comparable series for the daily GARCH methods. */
export interface DailySeries {
  readonly dates: readonly string[];
  readonly market: Float64Array;
  readonly comparable: Float64Array;
}

/** Externally supplied category-1 estimates (section 10 `external`); any subset may be given. */
export interface ExternalEstimates {
  h?: Float64Array;
  alphaC?: number;
  betaCM?: number;
  deltaHat?: number;
  sigmaDHat?: number;
}

/** One fund on its weekly grid. */
export interface FundSeries {
  readonly name: string;
  readonly weeks: readonly string[];
  readonly contributions: Float64Array;
  readonly distributions: Float64Array;
  readonly navGp: Float64Array;
  readonly secondary: Float64Array;
  readonly market: Float64Array;
  readonly comparable: Float64Array;
  readonly daily?: DailySeries;
  readonly external?: ExternalEstimates;
  /** Present on simulated funds. */
  readonly truth?: { params: Record<string, number>; V: Float64Array; h?: Float64Array };
}
