/**
 * Stan's windowed adaptation schedule (windowed_adaptation.hpp): an initial fast buffer (75), slow
 * windows that double from 25, and a terminal fast buffer (50). Warm-ups too short for that are
 * split 15% / 75% / 10%, as Stan does.
 */
export interface AdaptationWindows {
  initBuffer: number;
  termBuffer: number;
  /** Iteration indices (0-based) that close a slow window, where the metric is updated. */
  ends: number[];
}

/** Computes the schedule for `numWarmup` iterations. */
export function adaptationWindows(
  numWarmup: number,
  initBuffer = 75,
  termBuffer = 50,
  baseWindow = 25,
): AdaptationWindows {
  if (numWarmup < 20) return { initBuffer: numWarmup, termBuffer: 0, ends: [] };
  let init = initBuffer;
  let term = termBuffer;
  let base = baseWindow;
  if (init + base + term > numWarmup) {
    init = Math.trunc(0.15 * numWarmup);
    term = Math.trunc(0.1 * numWarmup);
    base = numWarmup - (init + term);
  }
  const ends: number[] = [];
  const last = numWarmup - term - 1;
  let size = base;
  let next = init + base - 1;
  for (;;) {
    ends.push(next);
    if (next >= last) break;
    // compute_next_window
    size *= 2;
    next = next + size;
    if (next !== last) {
      const boundary = next + 2 * size;
      if (boundary >= numWarmup - term) next = last;
    }
  }
  return { initBuffer: init, termBuffer: term, ends };
}
