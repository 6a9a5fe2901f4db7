import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

function run(example: string): number[] {
  const out = execFileSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", `examples/${example}`],
    {
      cwd: pkg,
      encoding: "utf8",
    },
  );
  return out.trim().split(/\s+/).map(Number);
}

describe("README examples", () => {
  it.each(["sample-example.ts", "workers-example.ts", "normal-model.ts"])(
    "embeds examples/%s verbatim",
    (f) => {
      const code = readFileSync(new URL(`../examples/${f}`, import.meta.url), "utf8");
      expect(readme).toContain(code.trim());
    },
  );

  it("runs the sample example: N(3, 2²) recovered", () => {
    const [mean, sd, rhat] = run("sample-example.ts");
    expect(Math.abs(mean - 3)).toBeLessThan(0.3);
    expect(Math.abs(sd - 2)).toBeLessThan(0.2);
    expect(rhat).toBeLessThan(1.01);
  });

  it("runs the sampleOnWorkers example: posterior N(2.0, 0.447²)", () => {
    const [mean, sd, rhat] = run("workers-example.ts");
    expect(Math.abs(mean - 2)).toBeLessThan(0.07);
    expect(Math.abs(sd - Math.sqrt(1 / 5))).toBeLessThan(0.05);
    expect(rhat).toBeLessThan(1.01);
  });
});
