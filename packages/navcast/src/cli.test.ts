import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/navcast.js", import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("navcast command line", () => {
  it("prints help for the tool and for every subcommand", () => {
    expect(run(["--help"]).stdout).toMatch(/navcast simulate/);
    expect(run(["simulate", "--help"]).stdout).toMatch(/--years/);
    expect(run(["fit", "--help"]).stdout).toMatch(/--config/);
    const bad = run(["fit"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/needs --fund/);
  });

  it("simulates a fund and fits it into the section-10 output", () => {
    const dir = mkdtempSync(join(tmpdir(), "navcast-"));
    const fund = join(dir, "fund.json");
    const config = join(dir, "config.json");
    const out = join(dir, "out.json");
    expect(run(["simulate", "--out", fund, "--years", "1", "--seed", "3"]).status).toBe(0);
    writeFileSync(
      config,
      JSON.stringify({
        windows: "last",
        garch_allow_igarch: true,
        sampler: { chains: 1, warmup: 60, draws: 30 },
      }),
    );
    const r = run(["fit", "--fund", fund, "--config", config, "--out", out, "--quiet"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc.config_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.data_hash).toMatch(/^[0-9a-f]{64}$/);
    const w = doc.windows[0];
    expect(w.t).toBe(52);
    expect(Object.keys(w.params.sigma_n)).toEqual([
      "mean",
      "sd",
      "q05",
      "q25",
      "q50",
      "q75",
      "q95",
      "rhat",
      "ess_bulk",
      "ess_tail",
      "mcse_mean",
    ]);
    expect(w.nowcast.V.q50).toBeGreaterThan(0);
    expect(w.sampler).toHaveProperty("divergences");
    expect(w.sampler).toHaveProperty("max_treedepth_hits");
  }, 120_000);
});
