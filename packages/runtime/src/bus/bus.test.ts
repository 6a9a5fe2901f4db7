import { describe, expect, it } from "vitest";
import { assertSubject, retryDelayMs, subjectMatches } from "./bus.js";

describe("subjectMatches", () => {
  it("follows NATS wildcard rules", () => {
    expect(subjectMatches("runs.completed", "runs.completed")).toBe(true);
    expect(subjectMatches("runs.*", "runs.completed")).toBe(true);
    expect(subjectMatches("runs.*", "runs.task.completed")).toBe(false);
    expect(subjectMatches("runs.>", "runs.task.completed")).toBe(true);
    expect(subjectMatches("runs.>", "runs")).toBe(false);
    expect(subjectMatches("funds.*", "runs.completed")).toBe(false);
  });
});

describe("assertSubject", () => {
  it("refuses wildcards in published subjects and empty tokens", () => {
    expect(() => assertSubject("runs.*", false)).toThrow(/invalid subject/);
    expect(() => assertSubject("runs..x", true)).toThrow(/invalid subject/);
    expect(() => assertSubject("runs.>.x", true)).toThrow(/invalid subject/);
    expect(() => assertSubject("runs.*.done", true)).not.toThrow();
  });
});

describe("retryDelayMs", () => {
  it("doubles up to a cap", () => {
    expect([1, 2, 3, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 30_000]);
  });
});
