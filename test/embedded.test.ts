import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { Role, ServingStatus, serviceNames, services } from "@portal/api";
import { GatewayService } from "@portal/api/gateway/v1/gateway";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import { createPrincipalSigner, generatePrincipalKey } from "@portal/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const webDir = fileURLToPath(new URL("../web", import.meta.url));

describe("pnpm start: the embedded system", () => {
  let dataDir: string;
  let portal: Embedded;
  let base: string;

  beforeAll(async () => {
    await promisify(execFile)("node", ["build.mjs"], { cwd: webDir });
    dataDir = await mkdtemp(join(tmpdir(), "portal-embedded-"));
    portal = await startEmbedded({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
    });
    base = `http://127.0.0.1:${portal.port}`;
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves the web UI from the gateway", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("<title>Portal");
    const js = await fetch(`${base}/assets/main.js`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it("answers every service's health RPC through the gateway (Connect protocol)", async () => {
    const transport = createConnectTransport({ baseUrl: `${base}/api`, httpVersion: "1.1" });
    for (const name of serviceNames) {
      const { info } = await createClient(services[name], transport).getServiceInfo({});
      expect(info?.service).toBe(name);
      expect(info?.mode).toBe("embedded");
      expect(info?.status).toBe(ServingStatus.SERVING);
      expect(info?.checks.map((c) => `${c.name}=${c.detail}`).sort()).toEqual([
        "database=pglite",
        "queue=database",
        "storage=local",
      ]);
    }
  });

  it("answers over gRPC-Web too, as browsers and the Excel add-in call it", async () => {
    const transport = createGrpcWebTransport({ baseUrl: `${base}/api`, httpVersion: "1.1" });
    const { info } = await createClient(services.funds, transport).getServiceInfo({});
    expect(info?.service).toBe("funds");
  });

  it("answers a plain JSON POST, as curl would", async () => {
    const res = await fetch(`${base}/api/portal.runs.v1.RunService/GetServiceInfo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { info: { service: string } }).info.service).toBe("runs");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses an RPC that needs a role to an anonymous or forged caller", async () => {
    const client = createClient(
      GatewayService,
      createConnectTransport({ baseUrl: `${base}/api`, httpVersion: "1.1" }),
    );
    await expect(client.getCaller({})).rejects.toMatchObject({ code: Code.Unauthenticated });
    const forged = await createPrincipalSigner(await generatePrincipalKey());
    const token = await forged.sign({ subject: "mallory", orgId: "", role: Role.SUPER_ADMIN });
    const err = await client
      .getCaller({}, { headers: { authorization: `Bearer ${token}` } })
      .catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.Unauthenticated);
  });

  it("takes a principal token signed with the platform key", async () => {
    const jwk = JSON.parse(await readFile(join(dataDir, "keys", "principal.jwk.json"), "utf8"));
    const signer = await createPrincipalSigner(jwk);
    const token = await signer.sign({
      subject: "u1",
      orgId: "11111111-1111-4111-8111-111111111111",
      role: Role.VIEWER,
    });
    const client = createClient(
      GatewayService,
      createConnectTransport({ baseUrl: `${base}/api`, httpVersion: "1.1" }),
    );
    const me = await client.getCaller({}, { headers: { authorization: `Bearer ${token}` } });
    expect([me.subject, me.orgId, me.role]).toEqual([
      "u1",
      "11111111-1111-4111-8111-111111111111",
      Role.VIEWER,
    ]);
  });

  it("drops a principal header sent from outside", async () => {
    const signer = await createPrincipalSigner(
      JSON.parse(await readFile(join(dataDir, "keys", "principal.jwk.json"), "utf8")),
    );
    const token = await signer.sign({ subject: "u1", orgId: "", role: Role.VIEWER });
    const client = createClient(
      GatewayService,
      createConnectTransport({ baseUrl: `${base}/api`, httpVersion: "1.1" }),
    );
    await expect(
      client.getCaller({}, { headers: { "x-portal-principal": token } }),
    ).rejects.toMatchObject({ code: Code.Unauthenticated });
  });

  it("reports ready and alive", async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
  });

  it("publishes the JWKS of principal tokens without private parts", async () => {
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });
});

describe("the embedded data folder", () => {
  it("lets two instances run side by side and keeps what was stored across a restart", async () => {
    const dirA = await mkdtemp(join(tmpdir(), "portal-a-"));
    const dirB = await mkdtemp(join(tmpdir(), "portal-b-"));
    try {
      const env = (d: string) => ({
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: d,
        LOG_LEVEL: "silent",
      });
      const a = await startEmbedded(env(dirA));
      const b = await startEmbedded(env(dirB));
      expect(a.port).not.toBe(b.port);
      const jwks = async (p: Embedded) =>
        (await fetch(`http://127.0.0.1:${p.port}/.well-known/jwks.json`)).text();
      const jwksA = await jwks(a);
      expect(jwksA).not.toBe(await jwks(b));
      // store an object in A's data folder, as an upload would
      const { createLocalStore } = await import("../packages/runtime/src/storage/local-store.js");
      const store = createLocalStore({
        root: join(dirA, "objects"),
        publicBaseUrl: "http://x/files",
        signingKey: new Uint8Array(32),
      });
      await store.put("raw/acme/fund.csv", new TextEncoder().encode("date,nav\n"));
      await a.stop(1000);
      await b.stop(1000);

      const again = await startEmbedded(env(dirA));
      try {
        expect(await jwks(again)).toBe(jwksA);
        expect(new TextDecoder().decode(await store.get("raw/acme/fund.csv"))).toBe("date,nav\n");
        const { info } = await createClient(
          services.funds,
          createConnectTransport({
            baseUrl: `http://127.0.0.1:${again.port}/api`,
            httpVersion: "1.1",
          }),
        ).getServiceInfo({});
        expect(info?.status).toBe(ServingStatus.SERVING);
      } finally {
        await again.stop(1000);
      }
    } finally {
      await rm(dirA, { recursive: true, force: true });
      await rm(dirB, { recursive: true, force: true });
    }
  }, 240_000); // three PGlite data folders are created and opened: slow on a busy 2-core machine
});
