import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { serviceNames } from "@portal/api";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const chart = fileURLToPath(new URL("../deploy/helm/portal/", import.meta.url));

describe("the Helm chart", () => {
  it("deploys every service of the API registry, the sampler as a DaemonSet", async () => {
    const values = parse(await readFile(`${chart}values.yaml`, "utf8")) as {
      services: Record<string, { enabled: boolean; replicas: number }>;
      sampler: { enabled: boolean };
    };
    const deployed = [...Object.keys(values.services), "sampler"].sort();
    expect(deployed).toEqual([...serviceNames].sort());
    expect(values.sampler.enabled).toBe(true);
    const ds = await readFile(`${chart}templates/sampler-daemonset.yaml`, "utf8");
    expect(ds).toContain("kind: DaemonSet");
  });

  it("keeps secret values out of the chart", async () => {
    const files = [
      `${chart}values.yaml`,
      ...(await readdir(`${chart}templates`))
        .filter((f) => f.endsWith(".yaml") || f.endsWith(".tpl"))
        .map((f) => `${chart}templates/${f}`),
    ];
    for (const f of files) {
      const text = await readFile(f, "utf8");
      expect(text, f).not.toMatch(/BEGIN (RSA )?PRIVATE KEY|"d"\s*:|postgres:\/\/[^$\s]*:[^@\s]+@/);
    }
  });

  it("probes /readyz and /healthz, the routes every service serves", async () => {
    const dep = await readFile(`${chart}templates/deployments.yaml`, "utf8");
    expect(dep).toContain("path: /readyz");
    expect(dep).toContain("path: /healthz");
  });
});
