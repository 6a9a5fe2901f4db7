/**
 * When a window's chains have not converged, whether they run on (an extension round) and for how
 * many draws, or stop and why (issue 9). Pure: fit-window.ts measures, this decides.
 */
import { isPointMass, summarize } from "./posterior-summary.js";
import type { SamplerSettings } from "./run-config.js";

/** The largest R-hat and the smallest bulk-ESS of a run so far, and whose. */
export interface Worst {
  rhat: { name: string; value: number };
  ess: { name: string; value: number };
}

/**
 * Worst of the parameters and V_tau in draws that `extractDraws` gave; NaN counts as worst. A
 * quantity whose draws are all one number (`isPointMass`) is left out: its chains agree exactly.
 */
export function worstOf(d: {
  paramDraws: Record<string, Float64Array[]>;
  vDraws: Float64Array[];
}): Worst {
  const w: Worst = { rhat: { name: "", value: 0 }, ess: { name: "", value: Infinity } };
  for (const [name, chains] of [...Object.entries(d.paramDraws), ["V_tau", d.vDraws] as const]) {
    if (isPointMass(chains)) continue;
    const x = summarize(chains);
    if (!Number.isNaN(w.rhat.value) && !(x.rhat <= w.rhat.value)) w.rhat = { name, value: x.rhat };
    if (!Number.isNaN(w.ess.value) && !(x.ess_bulk >= w.ess.value))
      w.ess = { name, value: x.ess_bulk };
  }
  return w;
}

type Bars = Pick<SamplerSettings, "extendRhat" | "extendMinEss">;

/** Every R-hat below `extend_rhat` and every bulk-ESS at least `extend_min_ess`. */
export function converged(w: Worst, s: Bars): boolean {
  return w.rhat.value < s.extendRhat && w.ess.value >= s.extendMinEss;
}

/** Why a window's rounds ended: it converged, or one of the three reasons to stop short of it. */
export type ExtensionStop = "converged" | "rounds" | "divergences" | "no_progress";

/** A run (the first, or the first and its rounds so far) as `nextRound` judges it. */
export interface RunSoFar {
  worst: Worst;
  /** Draws per chain so far. */
  drawsPerChain: number;
  /** Divergent draws so far, all chains. */
  divergences: number;
}

/**
 * More divergent draws than this share of all draws (the health bar of issue 9: 4 of 4,000) stop
 * the rounds: a divergence marks geometry the sampler cannot cross, and more draws of the same
 * kernel only add more of them.
 */
export const MAX_DIVERGENT_SHARE = 0.001;

/** Chains whose worst bulk-ESS is under this share of `extend_min_ess` count as stuck. */
export const STUCK_SHARE = 0.25;

/**
 * The next step after a run short of the bar: a round of `draws` more draws per chain, or a stop.
 *
 * - `rounds`: `extend_rounds` rounds have run.
 * - `divergences`: more than MAX_DIVERGENT_SHARE of the draws so far diverged.
 * - `no_progress`: chains that are stuck (worst bulk-ESS under STUCK_SHARE of `extend_min_ess`)
 *   and that the last round helped too little. Over a round that multiplied the draws by g,
 *   chains that mix see their bulk-ESS grow about g-fold and R-hat's excess over 1 shrink about
 *   g-fold; chains stuck in different regions see neither (issue 9's four-year funds 19, 86 and
 *   91: bulk-ESS 59 -> 59, 7 -> 7 and 22 -> 14 over three rounds). A round that moved neither by
 *   the share `extend_min_progress` of that (bulk-ESS by less than 1 + p (g - 1) times, R-hat's
 *   excess by less than 1 - p (1 - 1/g) times) is the last. Chains past that bulk-ESS mix, only
 *   slowly, and their estimates of bulk-ESS and R-hat are too noisy to judge one round by
 *   (four-year funds 31 and 40 of the fifth session: 260 -> 292 and 181 -> 213 over a round).
 *
 * A round's length: `draws` while some R-hat is at or above `extend_rhat`. When every R-hat is
 * below it and only bulk-ESS is short, the chains mix and bulk-ESS grows in proportion to the
 * draws, so the round is what reaches 1.2 times `extend_min_ess` at that rate, at least a quarter
 * and at most all of `draws`.
 */
export function nextRound(
  now: RunSoFar,
  before: RunSoFar | undefined,
  rounds: number,
  chains: number,
  s: Bars & Pick<SamplerSettings, "draws" | "extendRounds" | "extendMinProgress">,
): { draws: number } | { stop: Exclude<ExtensionStop, "converged"> } {
  if (rounds >= s.extendRounds) return { stop: "rounds" };
  if (now.divergences > MAX_DIVERGENT_SHARE * chains * now.drawsPerChain)
    return { stop: "divergences" };
  if (before && s.extendMinProgress > 0 && now.worst.ess.value < STUCK_SHARE * s.extendMinEss) {
    const g = now.drawsPerChain / before.drawsPerChain;
    const p = s.extendMinProgress;
    const essGrew = now.worst.ess.value >= before.worst.ess.value * (1 + p * (g - 1));
    const rhatFell =
      now.worst.rhat.value - 1 <= (before.worst.rhat.value - 1) * (1 - p * (1 - 1 / g));
    if (!essGrew && !rhatFell) return { stop: "no_progress" };
  }
  const full = s.draws;
  if (!(now.worst.rhat.value < s.extendRhat && now.worst.ess.value > 0)) return { draws: full };
  const need = Math.ceil(now.drawsPerChain * ((1.2 * s.extendMinEss) / now.worst.ess.value - 1));
  return { draws: Math.min(full, Math.max(Math.ceil(full / 4), need)) };
}

/** A run before any extension round: its largest R-hat, smallest bulk-ESS, divergent draws. */
export interface RunStats {
  max_rhat: number;
  min_ess_bulk: number;
  divergences: number;
}

/** More divergent draws than the health bar allows (MAX_DIVERGENT_SHARE of all draws). */
function divergesPastBar(r: RunStats, chains: number, draws: number): boolean {
  return r.divergences > MAX_DIVERGENT_SHARE * chains * draws;
}

/**
 * Whether a first run restarts (`restart_rhat`, 0: never): some R-hat at or above the bar (NaN
 * included), or more divergent draws than the health bar allows.
 */
export function shouldRestart(
  r: RunStats,
  s: Pick<SamplerSettings, "restartRhat" | "chains" | "draws">,
): boolean {
  return (
    s.restartRhat > 0 && (!(r.max_rhat < s.restartRhat) || divergesPastBar(r, s.chains, s.draws))
  );
}

/**
 * Which of a window's first run and its restart's run the extension rounds continue: the one
 * within the divergence bar if only one is, else the one with the smaller largest R-hat (NaN
 * counting as worst; the restart's on a tie).
 */
export function keptRun(
  first: RunStats,
  second: RunStats,
  s: Pick<SamplerSettings, "chains" | "draws">,
): "first" | "second" {
  const rank = (r: RunStats) => [
    divergesPastBar(r, s.chains, s.draws) ? 1 : 0,
    Number.isNaN(r.max_rhat) ? Infinity : r.max_rhat,
  ];
  const [a, b] = [rank(first), rank(second)];
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]) ? "first" : "second";
}

/** The words a window's warning uses for a stop short of the bar. */
export const STOP_REASONS: Record<Exclude<ExtensionStop, "converged">, string> = {
  rounds: "extend_rounds reached",
  divergences: "too many divergences for more draws to help",
  no_progress: "the last round moved neither R-hat nor bulk-ESS enough to go on",
};
