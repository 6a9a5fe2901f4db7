/** Result of a solver that may find no answer: callers must handle both cases. */
export type Solved = { ok: true; rate: number } | { ok: false; reason: string };

/**
 * Finds the rate r > -1 where `npv(r) = 0`. Works in x = ln(1 + r), where the NPV of any flow
 * list is smooth and defined everywhere: scans x over [-10, 10] (r from -0.99995 to 22025) for
 * sign changes, takes the root nearest the guess, and polishes it by bisection to machine
 * precision. A flow list with more than one root (several sign changes of the flows) gets the one
 * nearest `guess`, as Excel's XIRR does from its guess.
 */
export function solveRate(npv: (r: number) => number, guess = 0.1): Solved {
  const xs: number[] = [];
  for (let x = -10; x <= 10 + 1e-12; x += 0.01) xs.push(x);
  const f = (x: number) => npv(Math.expm1(x));
  const x0 = Math.log1p(guess);
  let best: [number, number] | undefined;
  let prevX = xs[0] as number;
  let prevF = f(prevX);
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i] as number;
    const fx = f(x);
    if (!Number.isFinite(fx) || !Number.isFinite(prevF)) {
      prevX = x;
      prevF = fx;
      continue;
    }
    if (fx === 0 || Math.sign(fx) !== Math.sign(prevF)) {
      const mid = (x + prevX) / 2;
      if (!best || Math.abs(mid - x0) < Math.abs((best[0] + best[1]) / 2 - x0)) best = [prevX, x];
    }
    prevX = x;
    prevF = fx;
  }
  if (!best)
    return {
      ok: false,
      reason:
        "no rate makes the net present value zero (the flows never change sign, or the rate is beyond ±99.995%)",
    };
  let [lo, hi] = best;
  let flo = f(lo);
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    if (fm === 0) return { ok: true, rate: Math.expm1(mid) };
    if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return { ok: true, rate: Math.expm1((lo + hi) / 2) };
}
