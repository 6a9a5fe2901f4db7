import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Role } from "@portal/api";
import { GatewayService } from "@portal/api/gateway/v1/gateway";
import { IdentityService } from "@portal/api/identity/v1/identity";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ADMIN = { email: "root@platform.example", password: "bootstrap password 1" };

/** Sessions, CSRF, API keys and principal propagation through the gateway of the embedded system. */
describe("logging in through the gateway", () => {
  let dataDir: string;
  let portal: Embedded;
  let base: string;
  let transport: ReturnType<typeof createConnectTransport>;

  const login = async (email: string, password: string, cookie?: string) => {
    const res = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ email, password }),
    });
    const setCookie = res.headers.getSetCookie();
    const session = setCookie.find((c) => c.startsWith("portal_session="));
    const body = (await res.json()) as Record<string, string>;
    return {
      status: res.status,
      body,
      setCookie,
      cookie: session?.split(";")[0] ?? "",
      headers: { cookie: session?.split(";")[0] ?? "", "x-csrf-token": body.csrfToken ?? "" },
    };
  };
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => "ok",
      (e) => `${Code[ConnectError.from(e).code]}: ${ConnectError.from(e).rawMessage}`,
    );

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "portal-login-"));
    portal = await startEmbedded({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    base = `http://127.0.0.1:${portal.port}`;
    transport = createConnectTransport({ baseUrl: `${base}/api`, httpVersion: "1.1" });
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("sets an httpOnly, Secure, SameSite=Strict session cookie and refuses a wrong password", async () => {
    const bad = await login(ADMIN.email, "wrong password!!");
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe("wrong email or password");
    expect(bad.setCookie).toEqual([]);
    const ok = await login(ADMIN.email.toUpperCase(), ADMIN.password);
    expect(ok.status).toBe(200);
    expect(ok.body.role).toBe("super_admin");
    const session = ok.setCookie.find((c) => c.startsWith("portal_session=")) ?? "";
    expect(session).toMatch(/; HttpOnly;/);
    expect(session).toMatch(/; Secure;/);
    expect(session).toMatch(/SameSite=Strict/);
    const csrf = ok.setCookie.find((c) => c.startsWith("portal_csrf=")) ?? "";
    expect(csrf).not.toMatch(/HttpOnly/);
  });

  it("refuses a login posted as a form or from another origin", async () => {
    const form = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `email=${ADMIN.email}&password=${ADMIN.password}`,
    });
    expect(form.status).toBe(403);
    const cross = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify(ADMIN),
    });
    expect(cross.status).toBe(403);
  });

  it("acts for the session's user, but only with the CSRF token", async () => {
    const s = await login(ADMIN.email, ADMIN.password);
    const gw = createClient(GatewayService, transport);
    const me = await gw.getCaller({}, { headers: s.headers });
    expect(me.role).toBe(Role.SUPER_ADMIN);
    expect(me.subject).toBe(s.body.userId);
    expect(await codeOf(gw.getCaller({}, { headers: { cookie: s.cookie } }))).toBe(
      "PermissionDenied: missing or wrong x-csrf-token header for a cookie-authenticated call",
    );
    expect(
      await codeOf(gw.getCaller({}, { headers: { cookie: s.cookie, "x-csrf-token": "forged" } })),
    ).toMatch(/^PermissionDenied/);
  });

  it("rotates the session at login and revokes it at logout", async () => {
    const first = await login(ADMIN.email, ADMIN.password);
    const second = await login(ADMIN.email, ADMIN.password, first.cookie);
    expect(second.cookie).not.toBe(first.cookie);
    const gw = createClient(GatewayService, transport);
    expect(await codeOf(gw.getCaller({}, { headers: first.headers }))).toBe(
      "Unauthenticated: session expired or signed out",
    );
    expect(await codeOf(gw.getCaller({}, { headers: second.headers }))).toBe("ok");
    const out = await fetch(`${base}/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: second.cookie },
      body: "{}",
    });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().join()).toMatch(/portal_session=; .*Max-Age=0/);
    expect(await codeOf(gw.getCaller({}, { headers: second.headers }))).toBe(
      "Unauthenticated: session expired or signed out",
    );
  });

  it("manages an organisation end to end and accepts its API keys until revoked", async () => {
    const root = await login(ADMIN.email, ADMIN.password);
    const id = createClient(IdentityService, transport);
    const { organization } = await id.createOrganization(
      { slug: "acme", name: "Acme" },
      { headers: root.headers },
    );
    const orgId = organization?.id ?? "";
    await id.createUser(
      {
        orgId,
        email: "Admin@Acme.example",
        displayName: "Acme admin",
        role: Role.ORG_ADMIN,
        initialPassword: "acme admin password",
      },
      { headers: root.headers },
    );
    const admin = await login("admin@acme.example", "acme admin password");
    expect(admin.body).toMatchObject({ orgId, role: "org_admin" });
    const { key, apiKey } = await id.createApiKey(
      { name: "excel", role: Role.VIEWER },
      { headers: admin.headers },
    );
    expect(key).toMatch(/^sk_live_/);

    const gw = createClient(GatewayService, transport);
    const asKey = { headers: { authorization: `Bearer ${key}` } };
    expect(await gw.getCaller({}, asKey)).toMatchObject({
      subject: `key:${apiKey?.id}`,
      orgId,
      role: Role.VIEWER,
    });
    // The viewer key may read but not administer.
    expect(await codeOf(id.listUsers({}, asKey))).toBe(
      "PermissionDenied: ListUsers requires role org_admin",
    );
    const listed = await id.listApiKeys({}, { headers: admin.headers });
    expect(listed.apiKeys[0]?.lastUsedAt).not.toBe("");

    await id.revokeApiKey({ apiKeyId: apiKey?.id ?? "" }, { headers: admin.headers });
    expect(await codeOf(gw.getCaller({}, asKey))).toBe("Unauthenticated: API key revoked");
    expect(
      await codeOf(
        gw.getCaller({}, { headers: { authorization: `Bearer sk_live_${"x".repeat(43)}` } }),
      ),
    ).toBe("Unauthenticated: unknown API key");
  });

  it("revokes every session of a user when the password changes", async () => {
    const laptop = await login(ADMIN.email, ADMIN.password);
    const phone = await login(ADMIN.email, ADMIN.password);
    const change = (headers: Record<string, string>, current: string, next: string) =>
      fetch(`${base}/auth/password`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ currentPassword: current, newPassword: next }),
      });
    expect((await change({ cookie: laptop.cookie }, ADMIN.password, "x".repeat(12))).status).toBe(
      403,
    );
    const wrong = await change(laptop.headers, "not the password", "new password 12345");
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { error: string }).error).toBe("current_password: is wrong");
    const short = await change(laptop.headers, ADMIN.password, "short");
    expect(((await short.json()) as { error: string }).error).toMatch(
      /new_password: must be at least 12/,
    );
    const ok = await change(laptop.headers, ADMIN.password, "new password 12345");
    expect(ok.status).toBe(200);
    const fresh =
      ok.headers
        .getSetCookie()
        .find((c) => c.startsWith("portal_session="))
        ?.split(";")[0] ?? "";
    const csrf = ((await ok.json()) as { csrfToken: string }).csrfToken;
    const gw = createClient(GatewayService, transport);
    for (const old of [laptop, phone]) {
      expect(await codeOf(gw.getCaller({}, { headers: old.headers }))).toBe(
        "Unauthenticated: session expired or signed out",
      );
    }
    expect(
      await codeOf(gw.getCaller({}, { headers: { cookie: fresh, "x-csrf-token": csrf } })),
    ).toBe("ok");
    expect((await login(ADMIN.email, ADMIN.password)).status).toBe(401);
    expect((await login(ADMIN.email, "new password 12345")).status).toBe(200);
    ADMIN.password = "new password 12345";
  });

  it("resets a password by a mailed single-use link, ending every session", async () => {
    const before = await login(ADMIN.email, ADMIN.password);
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const unknown = await post("/auth/reset-request", { email: "ghost@nowhere.example" });
    const known = await post("/auth/reset-request", { email: ADMIN.email });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual(await known.json());
    const outbox = join(dataDir, "outbox");
    const files = await readdir(outbox);
    expect(files).toHaveLength(1);
    const mail = await readFile(join(outbox, files[0] as string), "utf8");
    expect(mail).toContain(`To: ${ADMIN.email}`);
    const token = /reset#token=([A-Za-z0-9_-]{43})/.exec(mail)?.[1] ?? "";
    expect(token).not.toBe("");
    const ok = await post("/auth/reset", { token, newPassword: "reset password 123" });
    expect(ok.status).toBe(200);
    const replay = await post("/auth/reset", { token, newPassword: "reset password 456" });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: "reset token already used" });
    const gw = createClient(GatewayService, transport);
    expect(await codeOf(gw.getCaller({}, { headers: before.headers }))).toBe(
      "Unauthenticated: session expired or signed out",
    );
    expect((await login(ADMIN.email, "reset password 123")).status).toBe(200);
    ADMIN.password = "reset password 123";
  });

  it("ends a user's sessions when an admin deactivates them", async () => {
    const root = await login(ADMIN.email, ADMIN.password);
    const id = createClient(IdentityService, transport);
    const { organization } = await id.getOrganization({}, { headers: root.headers });
    const { user } = await id.createUser(
      {
        orgId: organization?.id ?? "",
        email: "leaver@platform.example",
        displayName: "Leaver",
        role: Role.MEMBER,
        initialPassword: "leaver password 1",
      },
      { headers: root.headers },
    );
    const leaver = await login("leaver@platform.example", "leaver password 1");
    const gw = createClient(GatewayService, transport);
    expect(await codeOf(gw.getCaller({}, { headers: leaver.headers }))).toBe("ok");
    await id.deactivateUser({ userId: user?.id ?? "" }, { headers: root.headers });
    // The gateway hears of it through the event bus, asynchronously: wait for the outcome itself.
    await expect
      .poll(() => codeOf(gw.getCaller({}, { headers: leaver.headers })), { timeout: 10_000 })
      .toBe("Unauthenticated: session expired or signed out");
    expect((await login("leaver@platform.example", "leaver password 1")).status).toBe(401);
  });

  it("keeps the gateway's own service RPCs out of callers' reach", async () => {
    const root = await login(ADMIN.email, ADMIN.password);
    const id = createClient(IdentityService, transport);
    expect(
      await codeOf(
        id.verifyPassword(
          { email: ADMIN.email, password: ADMIN.password },
          { headers: root.headers },
        ),
      ),
    ).toBe("PermissionDenied: VerifyPassword requires role service");
  });
});
