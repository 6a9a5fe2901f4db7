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
  /** The gateway's base URL, e.g. http://127.0.0.1:PORT (the web UI at /, the API at /api). */
  baseUrl: string;
  /** Call options authenticating as `role` in `orgId` (a principal token signed with the embedded key). */
  headers(role: Role, orgId: string): Promise<{ headers: Record<string, string> }>;
  /** Signs in through `POST /auth/login`; call options carrying the session cookie and CSRF token. */
  login(
    email: string,
    password: string,
  ): Promise<{ headers: Record<string, string>; orgId: string; role: string }>;
  stop(): Promise<void>;
}

/**
 * Starts the portal in a fresh data folder named after `prefix`; `env` adds settings (for instance
 * BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD, or WEB_DIR).
 */
export async function startTestPortal(
  prefix: string,
  env: Record<string, string> = {},
): Promise<TestPortal> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const portal = await startEmbedded({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    SAMPLER_CONCURRENCY: "1",
    ...env,
  });
  const signer = await createPrincipalSigner((await embeddedKeys(dataDir)).principalJwk);
  const baseUrl = `http://127.0.0.1:${portal.port}`;
  return {
    dataDir,
    portal,
    baseUrl,
    transport: createConnectTransport({
      baseUrl: `http://127.0.0.1:${portal.port}/api`,
      httpVersion: "1.1",
    }),
    headers: async (role, orgId) => ({
      headers: {
        authorization: `Bearer ${await signer.sign({ subject: `user-${role}`, orgId, role })}`,
      },
    }),
    async login(email, password) {
      const res = await fetch(`${baseUrl}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      const body = (await res.json()) as Record<string, string>;
      if (res.status !== 200) throw new Error(`login of ${email}: ${res.status} ${body.error}`);
      const cookie =
        res.headers
          .getSetCookie()
          .find((c) => c.startsWith("portal_session="))
          ?.split(";")[0] ?? "";
      return {
        headers: { cookie, "x-csrf-token": body.csrfToken ?? "" },
        orgId: body.orgId ?? "",
        role: body.role ?? "",
      };
    },
    async stop() {
      await portal.stop(1000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
