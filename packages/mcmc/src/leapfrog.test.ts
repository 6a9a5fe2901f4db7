import { describe, expect, it } from "vitest";
import { createPhasePoint, hamiltonian, leapfrog, refreshVelocity } from "./leapfrog.js";
import { DenseMetric } from "./metric/dense-metric.js";
import { DiagMetric } from "./metric/diag-metric.js";

// log N(0, diag(1, 4)) up to a constant
const gauss = (q: Float64Array, g: Float64Array) => {
  g[0] = -q[0];
  g[1] = -q[1] / 4;
  return -0.5 * (q[0] * q[0] + (q[1] * q[1]) / 4);
};

function start() {
  const z = createPhasePoint(2);
  z.q.set([1, -2]);
  z.p.set([0.5, 0.3]);
  z.logp = gauss(z.q, z.g);
  return z;
}

describe("leapfrog", () => {
  it("is time reversible", () => {
    const m = new DiagMetric(2);
    m.setInvMass(Float64Array.from([0.5, 3]));
    const z = start();
    refreshVelocity(m, z);
    for (let i = 0; i < 20; i++) leapfrog(gauss, m, 0.1, z);
    for (let i = 0; i < 20; i++) leapfrog(gauss, m, -0.1, z);
    expect(z.q[0]).toBeCloseTo(1, 12);
    expect(z.q[1]).toBeCloseTo(-2, 12);
    expect(z.p[0]).toBeCloseTo(0.5, 12);
    expect(z.p[1]).toBeCloseTo(0.3, 12);
  });

  it("keeps the energy error bounded and of order eps^2", () => {
    const m = new DenseMetric(2);
    m.setCov(Float64Array.from([1, 0.2, 0.2, 4]));
    const drift = (eps: number) => {
      const z = start();
      refreshVelocity(m, z);
      const h0 = hamiltonian(z);
      let worst = 0;
      for (let i = 0; i < Math.round(20 / eps); i++) {
        leapfrog(gauss, m, eps, z);
        worst = Math.max(worst, Math.abs(hamiltonian(z) - h0));
      }
      return worst;
    };
    const a = drift(0.2);
    const b = drift(0.1);
    expect(a).toBeLessThan(0.05);
    // second-order integrator: halving eps divides the energy error by about 4
    expect(a / b).toBeGreaterThan(3.5);
    expect(a / b).toBeLessThan(4.5);
  });
});
