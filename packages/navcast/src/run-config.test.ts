import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { canonicalJson, configHash, DEFAULT_RUN_CONFIG, parseRunConfig } from "./run-config.js";

describe("parseRunConfig", () => {
  it("fills defaults and maps snake_case keys", () => {
    const c = parseRunConfig({
      nav_lag_weeks: 4,
      windows: "last",
      sampler: {
        chains: 2,
        target_accept: 0.9,
        local_step_halvings: 8,
        whiten_observations: "all",
        loading_coordinates: true,
        extend_rounds: 0,
        extend_rhat: 1.05,
        extend_min_ess: 100,
        extend_min_progress: 0,
        whitening_iterations: 5,
        whitening_tolerance: 0.01,
        whitening_damping: "auto",
      },
    });
    expect(c.model.navLagWeeks).toBe(4);
    expect(c.windows).toBe("last");
    expect(c.sampler).toMatchObject({
      chains: 2,
      targetAccept: 0.9,
      warmup: 1000,
      localStepHalvings: 8,
      whitenObservations: "all",
      loadingCoordinates: true,
      extendRounds: 0,
      extendRhat: 1.05,
      extendMinEss: 100,
      extendMinProgress: 0,
      whiteningIterations: 5,
      whiteningTolerance: 0.01,
      whiteningDamping: "auto",
    });
    expect(parseRunConfig({}).sampler).toMatchObject({
      whitenObservations: "navs",
      loadingCoordinates: false,
      extendRounds: 3,
      extendRhat: 1.01,
      extendMinEss: 400,
      extendMinProgress: 0.25,
      whiteningIterations: "auto",
      whiteningTolerance: 0.1,
      whiteningDamping: 1,
    });
    expect(c.garchMethod).toBe("garch");
  });
  it("rejects unknown keys and methods", () => {
    expect(() => parseRunConfig({ nav_lag: 2 })).toThrow(ConfigError);
    expect(() => parseRunConfig({ garch_method: "figarch" })).toThrow(/garch_method/);
    expect(() => parseRunConfig({ sampler: { chain: 2 } })).toThrow(/sampler key chain/);
    expect(() => parseRunConfig({ sampler: { whiten_observations: "nav" } })).toThrow(
      /whiten_observations/,
    );
    expect(() => parseRunConfig({ sampler: { loading_coordinates: "yes" } })).toThrow(
      /loading_coordinates/,
    );
    for (const extend_rounds of [-1, 1.5, 21, "2"])
      expect(() => parseRunConfig({ sampler: { extend_rounds } })).toThrow(/extend_rounds/);
    for (const extend_rhat of [1, 0.99, "1.01"])
      expect(() => parseRunConfig({ sampler: { extend_rhat } })).toThrow(/extend_rhat/);
    for (const restart_rhat of [1, 0.5, -1, "1.05", Number.NaN])
      expect(() => parseRunConfig({ sampler: { restart_rhat } })).toThrow(/restart_rhat/);
    expect(parseRunConfig({ sampler: { restart_rhat: 0 } }).sampler.restartRhat).toBe(0);
    expect(parseRunConfig({ sampler: { restart_rhat: 1.2 } }).sampler.restartRhat).toBe(1.2);
    expect(() => parseRunConfig({ sampler: { extend_min_ess: -1 } })).toThrow(/extend_min_ess/);
    for (const whitening_iterations of [0, 2.5, 33, "6", "many"])
      expect(() => parseRunConfig({ sampler: { whitening_iterations } })).toThrow(
        /whitening_iterations/,
      );
    for (const whitening_tolerance of [0, 1, -0.1, "0.1", Number.NaN])
      expect(() => parseRunConfig({ sampler: { whitening_tolerance } })).toThrow(
        /whitening_tolerance/,
      );
    expect(parseRunConfig({ sampler: { whitening_damping: 0.5 } }).sampler.whiteningDamping).toBe(
      0.5,
    );
    for (const whitening_damping of [0, 1.5, -0.5, "0.5", "half", Number.NaN])
      expect(() => parseRunConfig({ sampler: { whitening_damping } })).toThrow(/whitening_damping/);
    for (const extend_min_progress of [-0.1, 1.5, "0.25"])
      expect(() => parseRunConfig({ sampler: { extend_min_progress } })).toThrow(
        /extend_min_progress/,
      );
  });
});

describe("configHash", () => {
  it("is the same for a config written with defaults spelled out and one without", () => {
    expect(configHash(parseRunConfig({}))).toBe(
      configHash(parseRunConfig({ nav_lag_weeks: 2, mode: "independent" })),
    );
    expect(configHash(parseRunConfig({}))).not.toBe(
      configHash(parseRunConfig({ nav_lag_weeks: 3 })),
    );
    expect(configHash(DEFAULT_RUN_CONFIG)).toMatch(/^[0-9a-f]{64}$/);
  });
  it("sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,2]},"b":1}',
    );
  });
});
