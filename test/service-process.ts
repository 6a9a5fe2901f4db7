/** A service started as its own process, as `pnpm --filter <service> start` would (tests only). */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { realServices, TEST_S3_CREDENTIALS } from "@portal/test-kit";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Starts `services/<name>/src/main.ts` as its own process and waits for it to listen. */
export async function startService(
  name: string,
  env: Record<string, string>,
): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", `services/${name}/src/main.ts`],
    {
      cwd: root,
      env: { ...process.env, ...env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const rec = JSON.parse(line) as { msg?: string; port?: number };
    if (rec.msg?.startsWith("listening") && rec.port) return { proc, port: rec.port };
  }
  throw new Error(`${name} exited before listening`);
}

/**
 * Funds, identity and a gateway in processes of their own (the gateway calls funds over gRPC,
 * as in the cluster), on the given database and principal signing key and the test run's NATS
 * and S3 server; the processes go into `procs` as they start, so a caller can kill them even
 * when a later one fails. Returns the gateway's port.
 */
export async function startGatewayStack(
  databaseUrl: string,
  signingJwk: JsonWebKey,
  procs: ChildProcess[],
): Promise<number> {
  const common = {
    DATABASE_URL: databaseUrl,
    NATS_URL: realServices.natsUrl,
    PRINCIPAL_SIGNING_JWK: JSON.stringify(signingJwk),
  };
  const funds = await startService("funds", {
    ...common,
    S3_BUCKET: "portal-test",
    S3_ENDPOINT: realServices.s3Endpoint ?? "",
    S3_FORCE_PATH_STYLE: "true",
    AWS_ACCESS_KEY_ID: TEST_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_S3_CREDENTIALS.secretAccessKey,
  });
  procs.push(funds.proc);
  const identity = await startService("identity", common);
  procs.push(identity.proc);
  const gateway = await startService("gateway", {
    ...common,
    IDENTITY_URL: `http://127.0.0.1:${identity.port}`,
    FUNDS_URL: `http://127.0.0.1:${funds.port}`,
  });
  procs.push(gateway.proc);
  return gateway.port;
}
