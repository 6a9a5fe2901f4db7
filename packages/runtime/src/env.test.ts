import { describe, expect, it } from "vitest";
import { z } from "zod";
import { baseEnvSchema, ConfigError, parseEnv } from "./env.js";

describe("parseEnv", () => {
  it("applies defaults for the embedded mode", () => {
    const env = parseEnv(baseEnvSchema, {});
    expect(env.PORT).toBe(8080);
    expect(env.DATA_DIR).toBe("./.data");
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("names every bad variable in one error", () => {
    let caught: unknown;
    try {
      parseEnv(baseEnvSchema, { PORT: "eighty", DATABASE_URL: "mysql://x", NATS_URL: "http://x" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const names = (caught as ConfigError).problems.map((p) => p.variable).sort();
    expect(names).toEqual(["DATABASE_URL", "NATS_URL", "PORT"]);
    expect((caught as ConfigError).message).toContain("PORT:");
  });

  it("treats an empty string as unset", () => {
    expect(parseEnv(baseEnvSchema, { PORT: "" }).PORT).toBe(8080);
  });

  it("says a required variable is required", () => {
    const schema = baseEnvSchema.extend({ STRIPE_SECRET: z.string().min(1) });
    expect(() => parseEnv(schema, {})).toThrow(/STRIPE_SECRET: is required/);
  });
});
