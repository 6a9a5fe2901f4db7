import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { ServingStatus } from "@portal/api";
import type { GetServiceInfoResponse } from "@portal/api/funds/v1/funds";
import {
  FundService,
  GetServiceInfoRequestSchema,
  GetServiceInfoResponseSchema,
} from "@portal/api/funds/v1/funds";
import { generatePrincipalKey } from "@portal/runtime";
import {
  createTestDatabase,
  natsUp,
  postgresUp,
  realServices,
  TEST_S3_CREDENTIALS,
} from "@portal/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService } from "./service-process.js";

const root = fileURLToPath(new URL("..", import.meta.url));

describe.skipIf(!postgresUp() || !natsUp())(
  "a service alone on PostgreSQL, NATS JetStream and S3",
  () => {
    let drop: () => Promise<void>;
    let proc: ChildProcess;
    let port: number;
    let gateway: { proc: ChildProcess; port: number };
    let identity: { proc: ChildProcess; port: number };

    beforeAll(async () => {
      const db = await createTestDatabase();
      drop = db.drop;
      const signingJwk = JSON.stringify(await generatePrincipalKey());
      ({ proc, port } = await startService("funds", {
        DATABASE_URL: db.url,
        NATS_URL: realServices.natsUrl,
        S3_BUCKET: "portal-test",
        S3_ENDPOINT: realServices.s3Endpoint ?? "",
        S3_FORCE_PATH_STYLE: "true",
        AWS_ACCESS_KEY_ID: TEST_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_S3_CREDENTIALS.secretAccessKey,
        PRINCIPAL_SIGNING_JWK: signingJwk,
      }));
      // Identity and the gateway alone too: the gateway in front of funds over the network
      // (gRPC over HTTP/2), authenticating through identity.
      identity = await startService("identity", {
        DATABASE_URL: db.url,
        NATS_URL: realServices.natsUrl,
        PRINCIPAL_SIGNING_JWK: signingJwk,
      });
      gateway = await startService("gateway", {
        DATABASE_URL: db.url,
        NATS_URL: realServices.natsUrl,
        PRINCIPAL_SIGNING_JWK: signingJwk,
        IDENTITY_URL: `http://127.0.0.1:${identity.port}`,
        FUNDS_URL: `http://127.0.0.1:${port}`,
      });
    });
    afterAll(async () => {
      for (const p of [gateway?.proc, identity?.proc]) if (p?.exitCode === null) p.kill("SIGKILL");
      if (proc && proc.exitCode === null) proc.kill("SIGKILL");
      await drop?.();
    });

    const expectDistributedInfo = (res: GetServiceInfoResponse) => {
      expect(res.info?.service).toBe("funds");
      expect(res.info?.mode).toBe("distributed");
      expect(res.info?.status).toBe(ServingStatus.SERVING);
      expect(res.info?.checks.map((c) => `${c.name}=${c.detail}`).sort()).toEqual([
        "database=postgres",
        "queue=nats",
        "storage=s3",
      ]);
    };

    it("answers a plain @grpc/grpc-js client (gRPC over HTTP/2)", async () => {
      const Client = grpc.makeGenericClientConstructor(
        {
          getServiceInfo: {
            path: "/portal.funds.v1.FundService/GetServiceInfo",
            requestStream: false,
            responseStream: false,
            requestSerialize: (m: unknown) =>
              Buffer.from(toBinary(GetServiceInfoRequestSchema, m as never)),
            requestDeserialize: (b: Buffer) => fromBinary(GetServiceInfoRequestSchema, b),
            responseSerialize: (m: unknown) =>
              Buffer.from(toBinary(GetServiceInfoResponseSchema, m as never)),
            responseDeserialize: (b: Buffer) => fromBinary(GetServiceInfoResponseSchema, b),
          },
        },
        "FundService",
      );
      const client = new Client(
        `127.0.0.1:${port}`,
        grpc.credentials.createInsecure(),
      ) as unknown as {
        getServiceInfo(
          req: unknown,
          cb: (err: grpc.ServiceError | null, res: GetServiceInfoResponse) => void,
        ): void;
        close(): void;
      };
      try {
        const res = await new Promise<GetServiceInfoResponse>((resolve, reject) =>
          client.getServiceInfo({}, (err, r) => (err ? reject(err) : resolve(r))),
        );
        expectDistributedInfo(res);
      } finally {
        client.close();
      }
    });

    it("answers the Connect protocol over HTTP/1.1 and gRPC from connect-node on the same port", async () => {
      expectDistributedInfo(
        await createClient(
          FundService,
          createConnectTransport({ baseUrl: `http://127.0.0.1:${port}`, httpVersion: "1.1" }),
        ).getServiceInfo({}),
      );
      expectDistributedInfo(
        await createClient(
          FundService,
          createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }),
        ).getServiceInfo({}),
      );
    });

    it("is reached through a gateway running alone, over the network transport", async () => {
      const viaGateway = createClient(
        FundService,
        createConnectTransport({
          baseUrl: `http://127.0.0.1:${gateway.port}/api`,
          httpVersion: "1.1",
        }),
      );
      expectDistributedInfo(await viaGateway.getServiceInfo({}));
    });

    it("reports readiness and shuts down cleanly on SIGTERM", async () => {
      const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as {
        ok: boolean;
      };
      expect(ready.ok).toBe(true);
      proc.kill("SIGTERM");
      const [code] = await once(proc, "exit");
      expect(code).toBe(0);
    });
  },
);

describe("a service with bad configuration", () => {
  it("names every bad variable and exits non-zero", async () => {
    const proc = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "services/runs/src/main.ts"],
      {
        cwd: root,
        env: { PATH: process.env.PATH, PORT: "http", DATABASE_URL: "mysql://nope" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    proc.stdout?.on("data", (d) => (out += d));
    proc.stderr?.on("data", (d) => (out += d));
    const [code] = await once(proc, "exit");
    expect(code).not.toBe(0);
    expect(out).toContain("PORT:");
    expect(out).toContain("DATABASE_URL:");
  });
});
