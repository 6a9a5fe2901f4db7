import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkGradient } from "../gradient-check.js";
import { createRng, uniform } from "../rng.js";
import { posteriordbDir } from "../testing/posteriordb-dir.js";
import { POSTERIORDB_MODELS } from "./registry.js";

const root = posteriordbDir();
const loadData = (name: string): never =>
  JSON.parse(readFileSync(new URL(`${name}/data.json`, root), "utf8")) as never;

describe.each(Object.keys(POSTERIORDB_MODELS))("gradient of %s", (name) => {
  it("matches central finite differences (rel err < 1e-6) at 5 random points", () => {
    const model = POSTERIORDB_MODELS[name].create(loadData(name));
    const rng = createRng(2024, name.length);
    for (let k = 0; k < 5; k++) {
      const q = Float64Array.from({ length: model.dim }, () => 2 * uniform(rng) - 1);
      const r = checkGradient((z, g) => model.logDensityGradient(z, g), q);
      expect(Number.isFinite(r.logDensity)).toBe(true);
      expect(r.maxRelError).toBeLessThan(1e-6);
    }
  });
});
