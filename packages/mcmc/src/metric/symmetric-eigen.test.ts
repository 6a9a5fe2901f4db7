import { describe, expect, it } from "vitest";
import { matMul, spdGeometricMean, symmetricEigen } from "./symmetric-eigen.js";

const A = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]);
const B = Float64Array.from([2, -0.3, 0, -0.3, 1, 0.1, 0, 0.1, 0.5]);

describe("symmetricEigen", () => {
  it("reconstructs the matrix from orthonormal eigenvectors", () => {
    const { values, vectors: v } = symmetricEigen(A, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let a = 0;
        let o = 0;
        for (let k = 0; k < 3; k++) {
          a += v[i * 3 + k] * values[k] * v[j * 3 + k];
          o += v[k * 3 + i] * v[k * 3 + j];
        }
        expect(a).toBeCloseTo(A[i * 3 + j], 12);
        expect(o).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    // trace is preserved
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(9, 12);
  });
});

describe("spdGeometricMean", () => {
  it("solves Σ B Σ = A", () => {
    const s = spdGeometricMean(A, B, 3);
    const sbs = matMul(matMul(s, B, 3, 3, 3), s, 3, 3, 3);
    for (let i = 0; i < 9; i++) expect(sbs[i]).toBeCloseTo(A[i], 10);
  });
});
