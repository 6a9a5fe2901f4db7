import type { ChainDraws } from "./draws-matrix.js";
import { normalQuantile } from "./normal-quantile.js";

/**
 * Rank normalisation (Vehtari et al. 2021, eq. 14; posterior::z_scale): ranks over all pooled
 * draws with ties averaged, then z = Φ^-1((r - 3/8) / (S + 1/4)) (Blom's offset). Keeps the chain
 * structure.
 */
export function zScale(x: ChainDraws): Float64Array[] {
  let s = 0;
  for (const c of x) s += c.length;
  const vals = new Float64Array(s);
  let k = 0;
  for (const c of x) for (let i = 0; i < c.length; i++) vals[k++] = c[i];
  const order = new Uint32Array(s);
  for (let i = 0; i < s; i++) order[i] = i;
  order.sort((a, b) => vals[a] - vals[b]);
  const rank = new Float64Array(s);
  let i = 0;
  while (i < s) {
    let j = i;
    while (j + 1 < s && vals[order[j + 1]] === vals[order[i]]) j++;
    const avg = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let t = i; t <= j; t++) rank[order[t]] = avg;
    i = j + 1;
  }
  const out: Float64Array[] = [];
  k = 0;
  for (const c of x) {
    const z = new Float64Array(c.length);
    for (let t = 0; t < c.length; t++) z[t] = normalQuantile((rank[k++] - 0.375) / (s + 0.25));
    out.push(z);
  }
  return out;
}
