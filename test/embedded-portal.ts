import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Role } from "@portal/api";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import { createPrincipalSigner, embeddedKeys } from "@portal/runtime";

/** An embedded portal with one in-process sampler, a Connect transport to its gateway, and callers. */
export interface TestPortal {
  dataDir: string;
  portal: Embedded;
  transport: ReturnType<typeof createConnectTransport>;
  /** Call options authenticating as `role` in `orgId` (a principal token signed with the embedded key). */
  headers(role: Role, orgId: string): Promise<{ headers: Record<string, string> }>;
  stop(): Promise<void>;
}

/** Starts the portal in a fresh data folder named after `prefix`. */
export async function startTestPortal(prefix: string): Promise<TestPortal> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const portal = await startEmbedded({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    SAMPLER_CONCURRENCY: "1",
  });
  const signer = await createPrincipalSigner((await embeddedKeys(dataDir)).principalJwk);
  return {
    dataDir,
    portal,
    transport: createConnectTransport({
      baseUrl: `http://127.0.0.1:${portal.port}/api`,
      httpVersion: "1.1",
    }),
    headers: async (role, orgId) => ({
      headers: {
        authorization: `Bearer ${await signer.sign({ subject: `user-${role}`, orgId, role })}`,
      },
    }),
    async stop() {
      await portal.stop(1000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
