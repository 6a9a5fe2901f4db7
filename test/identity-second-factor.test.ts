import { createHmac } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Role } from "@portal/api";
import { FundService } from "@portal/api/funds/v1/funds";
import { GatewayService } from "@portal/api/gateway/v1/gateway";
import { IdentityService } from "@portal/api/identity/v1/identity";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ADMIN = { email: "root@platform.example", password: "bootstrap password 1" };

/** RFC 6238 (SHA-1, 6 digits, 30 s), written out here as an independent check of the server's. */
function totpNow(base32: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of base32.replace(/=+$/, ""))
    bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/**
 * TOTP, invitations, the audit-log RPCs and the request size cap through the gateway of the
 * embedded portal on real PostgreSQL, the way the web UI uses them.
 */
describe.skipIf(!postgresUp())("second factor, invitations and audit through the gateway", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  let portal: Embedded;
  let base: string;
  let transport: ReturnType<typeof createConnectTransport>;
  let root: Record<string, string>;
  let orgId = "";

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  /** The cookie and CSRF headers of a session a response just started, or undefined. */
  const sessionOf = async (res: Response) => {
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("portal_session="))
      ?.split(";")[0];
    const body = (await res.json()) as Record<string, unknown>;
    return {
      body,
      headers: cookie ? { cookie, "x-csrf-token": String(body.csrfToken) } : undefined,
    };
  };
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => "ok",
      (e) => `${Code[ConnectError.from(e).code]}: ${ConnectError.from(e).rawMessage}`,
    );
  const mailTo = async (to: string) => {
    const dir = join(dataDir, "outbox");
    const mails = await Promise.all(
      (await readdir(dir)).map((f) => readFile(join(dir, f), "utf8")),
    );
    return mails.filter((m) => m.includes(`To: ${to}`)).at(-1) ?? "";
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), "portal-mfa-"));
    portal = await startEmbedded({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      LOG_LEVEL: "silent",
      PUBLIC_BASE_URL: "https://portal.example",
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    base = `http://127.0.0.1:${portal.port}`;
    transport = createConnectTransport({ baseUrl: `${base}/api`, httpVersion: "1.1" });
    root = (await sessionOf(await post("/auth/login", ADMIN))).headers ?? {};
    const id = createClient(IdentityService, transport);
    orgId = (await id.createOrganization({ slug: "acme", name: "Acme" }, { headers: root }))
      .organization?.id as string;
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("invites a user by mail; accepting sets the password and starts a session", async () => {
    const id = createClient(IdentityService, transport);
    const { invitation } = await id.createInvitation(
      { orgId, email: "Ada@Acme.example", role: Role.ORG_ADMIN, displayName: "Ada" },
      { headers: root },
    );
    expect(invitation).toMatchObject({ email: "ada@acme.example", role: Role.ORG_ADMIN });
    const mail = await mailTo("ada@acme.example");
    const token = /https:\/\/portal\.example\/invite#token=([A-Za-z0-9_-]{43})/.exec(mail)?.[1];
    expect(token).toBeTruthy();
    // Before accepting, the invited user cannot log in with any password.
    expect(
      (await post("/auth/login", { email: "ada@acme.example", password: "x".repeat(12) })).status,
    ).toBe(401);
    const weak = await post("/auth/invite/accept", { token, password: "short" });
    expect(weak.status).toBe(400);
    expect(await weak.json()).toEqual({ error: "password: must be at least 12 characters" });
    const accepted = await sessionOf(
      await post("/auth/invite/accept", { token, password: "ada's password 1" }),
    );
    expect(accepted.body).toMatchObject({ userId: invitation?.userId, orgId, role: "org_admin" });
    const me = await createClient(GatewayService, transport).getCaller(
      {},
      { headers: accepted.headers },
    );
    expect(me.subject).toBe(invitation?.userId);
  });

  it("enrols TOTP, then logs in in two steps with no session before the code", async () => {
    const ada = (
      await sessionOf(
        await post("/auth/login", { email: "ada@acme.example", password: "ada's password 1" }),
      )
    ).headers;
    const id = createClient(IdentityService, transport);
    const e = await id.startTotpEnrollment({}, { headers: ada });
    expect(e.otpauthUri).toContain(`secret=${e.secret}`);
    expect(e.qrCodeDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await codeOf(id.confirmTotpEnrollment({ code: "12345" }, { headers: ada }))).toBe(
      "InvalidArgument: code: must be the 6 digits your authenticator shows",
    );
    const { recoveryCodes } = await id.confirmTotpEnrollment(
      { code: totpNow(e.secret) },
      { headers: ada },
    );
    expect(recoveryCodes).toHaveLength(10);
    expect(await id.getTotpStatus({}, { headers: ada })).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 10,
    });

    const step1 = await post("/auth/login", {
      email: "ada@acme.example",
      password: "ada's password 1",
    });
    expect(step1.status).toBe(200);
    expect(step1.headers.getSetCookie()).toEqual([]);
    const { mfaRequired, mfaToken } = (await step1.json()) as {
      mfaRequired: boolean;
      mfaToken: string;
    };
    expect(mfaRequired).toBe(true);
    const wrong = await post("/auth/login/code", { mfaToken, code: "000000" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "wrong code" });
    expect(wrong.headers.getSetCookie()).toEqual([]);
    // The code used to confirm the enrolment is spent: a recovery code completes this login.
    const done = await sessionOf(
      await post("/auth/login/code", { mfaToken, code: recoveryCodes[0] }),
    );
    expect(done.body).toMatchObject({ orgId, role: "org_admin" });
    expect(
      await codeOf(
        createClient(GatewayService, transport).getCaller({}, { headers: done.headers }),
      ),
    ).toBe("ok");
    const again = await post("/auth/login/code", { mfaToken, code: recoveryCodes[1] });
    expect(await again.json()).toEqual({ error: "login token already used: sign in again" });
  });

  it("lets org admins read their own organisation's audit logs, newest first, and nobody else's", async () => {
    const ada = (
      await sessionOf(
        await post("/auth/login", { email: "ada@acme.example", password: "ada's password 1" }),
      )
    ).body;
    expect(ada.mfaRequired).toBe(true); // the log below ends with this password step
    const id = createClient(IdentityService, transport);
    const access = await id.listAccessLogs({ orgId, pageSize: 3 }, { headers: root });
    expect(access.entries.map((e) => e.event)).toEqual([
      "login_second_factor_due",
      "login",
      "login_failed",
    ]);
    expect(access.entries[1]?.detail).toBe("recovery_code");
    expect(access.entries[2]?.detail).toBe("wrong code");
    expect(access.nextPageToken).not.toBe("");
    const older = await id.listAccessLogs(
      { orgId, pageSize: 3, pageToken: access.nextPageToken },
      { headers: root },
    );
    expect(Number(older.entries[0]?.id)).toBeLessThan(Number(access.entries[2]?.id));
    const admin = await id.listAdminLogs({ orgId }, { headers: root });
    const invite = admin.entries.find((e) => e.action === "invitation.create");
    expect(invite?.targetType).toBe("invitation");
    expect(JSON.parse(invite?.afterJson ?? "{}")).toMatchObject({
      email: "ada@acme.example",
      role: "org_admin",
    });
    expect(invite?.afterJson).not.toMatch(/token/i);
  });

  it("caps request sizes at the gateway: 1 MiB for ordinary RPCs, more for file uploads", async () => {
    const id = createClient(IdentityService, transport);
    const big = "x".repeat(1024 * 1024 + 1);
    expect(
      await codeOf(id.createOrganization({ slug: "big-org", name: big }, { headers: root })),
    ).toMatch(/^ResourceExhausted: .*larger than configured readMaxBytes 1048576/);
    expect(
      (await id.listOrganizations({}, { headers: root })).organizations.map((o) => o.slug),
    ).not.toContain("big-org");
    // An upload of 2 MiB passes the cap and reaches the funds service (which wants a session).
    const upload = createClient(FundService, transport).uploadWorkbook({
      filename: "big.csv",
      content: new Uint8Array(2 * 1024 * 1024),
    });
    expect(await codeOf(upload)).toMatch(/^Unauthenticated/);
  });
});
