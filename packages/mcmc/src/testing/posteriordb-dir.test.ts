import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { posteriordbDir } from "./posteriordb-dir.js";

describe("posteriordbDir", () => {
  it("finds the shared posteriordb folder with its reference and test vectors", () => {
    const dir = posteriordbDir();
    expect(existsSync(new URL("reference.json", dir))).toBe(true);
    expect(existsSync(new URL("diagnostics_vectors.json", dir))).toBe(true);
    expect(existsSync(new URL("arma-arma11/data.json", dir))).toBe(true);
  });
});
