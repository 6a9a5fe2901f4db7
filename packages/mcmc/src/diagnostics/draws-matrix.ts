/**
 * Draws of one scalar quantity as chains x iterations: `chains[c][i]`. The diagnostics follow the
 * R package posterior (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021, "Rank-normalization,
 * folding, and localization: an improved R-hat").
 */
export type ChainDraws = ArrayLike<number>[];

/**
 * Splits each chain into halves (posterior::split_chains): an odd-length chain drops its middle
 * draw, so both halves have floor(n/2) draws.
 */
export function splitChains(x: ChainDraws): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of x) {
    const n = c.length;
    if (n < 2) {
      out.push(Float64Array.from(c as ArrayLike<number>));
      continue;
    }
    const half = Math.floor(n / 2);
    const a = new Float64Array(half);
    const b = new Float64Array(half);
    for (let i = 0; i < half; i++) {
      a[i] = c[i];
      b[i] = c[n - half + i];
    }
    out.push(a, b);
  }
  return out;
}

/** All draws pooled into one array, chain after chain. */
export function pooled(x: ChainDraws): Float64Array {
  let n = 0;
  for (const c of x) n += c.length;
  const out = new Float64Array(n);
  let k = 0;
  for (const c of x) for (let i = 0; i < c.length; i++) out[k++] = c[i];
  return out;
}

/** Applies `f` to every draw, keeping the chain structure. */
export function mapDraws(x: ChainDraws, f: (v: number) => number): Float64Array[] {
  return x.map((c) => {
    const out = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) out[i] = f(c[i]);
    return out;
  });
}

/** True when any draw is not finite or all draws are equal (posterior's should_return_NA). */
export function isDegenerate(x: ChainDraws): boolean {
  let first = Number.NaN;
  let constant = true;
  for (const c of x) {
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      if (!Number.isFinite(v)) return true;
      if (Number.isNaN(first)) first = v;
      else if (v !== first) constant = false;
    }
  }
  return constant;
}
