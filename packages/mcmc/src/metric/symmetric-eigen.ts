/**
 * Eigen-decomposition of a symmetric n x n row-major matrix by the cyclic Jacobi method (Golub &
 * Van Loan 2013, sec. 8.5). Returns eigenvalues and the eigenvectors as the columns of a
 * row-major n x n matrix (A = V diag(values) V'). Accurate to working precision; O(n³) per sweep,
 * meant for the small matrices of metric adaptation.
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a.subarray(0, n * n));
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = m[i * n + j] * m[i * n + j];
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // rotate rows/columns p and q
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i];
  return { values, vectors: v };
}

/** f(A) = V diag(f(values)) V' for a symmetric matrix given by its eigen-decomposition. */
export function spectralFunction(
  e: { values: Float64Array; vectors: Float64Array },
  n: number,
  f: (x: number) => number,
): Float64Array {
  const out = new Float64Array(n * n);
  const fv = e.values.map(f);
  const v = e.vectors;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += v[i * n + k] * fv[k] * v[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Product of row-major matrices: (r x m) * (m x c). */
export function matMul(
  a: Float64Array,
  b: Float64Array,
  r: number,
  m: number,
  c: number,
): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] += aik * b[k * c + j];
    }
  }
  return out;
}

/**
 * The SPD geometric mean Σ = A # B^-1, the unique SPD solution of Σ B Σ = A:
 * Σ = B^-1/2 (B^1/2 A B^1/2)^1/2 B^-1/2. With A the covariance of draws and B that of gradients
 * it is the Gaussian metric that minimises the Fisher divergence (Seyboldt et al. 2024).
 */
export function spdGeometricMean(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const eb = symmetricEigen(b, n);
  const bHalf = spectralFunction(eb, n, Math.sqrt);
  const bInvHalf = spectralFunction(eb, n, (x) => 1 / Math.sqrt(x));
  const mid = matMul(matMul(bHalf, a, n, n, n), bHalf, n, n, n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (mid[i * n + j] + mid[j * n + i]);
      mid[i * n + j] = s;
      mid[j * n + i] = s;
    }
  const midHalf = spectralFunction(symmetricEigen(mid, n), n, (x) => Math.sqrt(Math.max(x, 0)));
  return matMul(matMul(bInvHalf, midHalf, n, n, n), bInvHalf, n, n, n);
}
