import { describe, expect, it } from "vitest";
import { garchNll, N_PARAMS, type VarianceModel } from "./garch-likelihood.js";
import { createRng, normal } from "./rng.js";

describe("garchNll", () => {
  it.each(["garch", "garch_x", "egarch"] as VarianceModel[])(
    "has an analytic gradient equal to central differences (%s, with gaps)",
    (model) => {
      const r = createRng(3);
      const n = 300;
      const u = new Float64Array(n);
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        u[i] = i % 23 === 7 ? Number.NaN : normal(r) * (1 + 0.5 * Math.sin(i / 20));
        x[i] = normal(r) ** 2;
      }
      const th =
        model === "egarch"
          ? Float64Array.from([-0.05, 0.15, -0.05, 0.9])
          : Float64Array.from([Math.log(0.1), -2, 1.5, Math.log(0.05)].slice(0, N_PARAMS[model]));
      const h = new Float64Array(n);
      const g = new Float64Array(th.length);
      const g2 = new Float64Array(th.length);
      garchNll(model, th, u, x, h, g);
      for (let j = 0; j < th.length; j++) {
        const e = 1e-6;
        const t0 = th[j];
        th[j] = t0 + e;
        const fp = garchNll(model, th, u, x, h, g2);
        th[j] = t0 - e;
        const fm = garchNll(model, th, u, x, h, g2);
        th[j] = t0;
        expect(Math.abs((fp - fm) / (2 * e) - g[j])).toBeLessThan(
          1e-5 * Math.max(1, Math.abs(g[j])),
        );
      }
    },
  );
});
