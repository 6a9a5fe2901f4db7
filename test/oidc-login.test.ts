import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Role } from "@portal/api";
import { GatewayService } from "@portal/api/gateway/v1/gateway";
import { IdentityService, UserStatus } from "@portal/api/identity/v1/identity";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestOidcProvider } from "../services/gateway/src/testing/oidc-test-provider.js";
import { startTestOidcProvider } from "../services/gateway/src/testing/oidc-test-provider.js";

const ADMIN = { email: "root@platform.example", password: "bootstrap password 1" };

/** A port that was free a moment ago: the provider must know the gateway's callback up front. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

/** The cookies a browser keeps for one site (enough for these redirects: no paths, no expiry). */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || pair.slice(i + 1) === "") {
        this.cookies.delete(name);
      } else this.cookies.set(name, pair.slice(i + 1));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * OIDC login (authorisation code + PKCE) through the embedded portal on real PostgreSQL, against a
 * real OpenID provider (oidc-provider) on a loopback port: the browser's redirects are followed
 * by hand, with one cookie jar for the provider and one for the portal.
 */
describe.skipIf(!postgresUp())("OIDC login against a real OpenID provider", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  let portal: Embedded;
  let base: string;
  let idp: TestOidcProvider;
  let orgId = "";
  let rootHeaders: Record<string, string> = {};
  const transport = () => createConnectTransport({ baseUrl: `${base}/api`, httpVersion: "1.1" });

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startTestOidcProvider(`${base}/auth/oidc/callback`);
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), "portal-oidc-"));
    portal = await startEmbedded({
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      LOG_LEVEL: "silent",
      PUBLIC_BASE_URL: base,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      OIDC_ISSUER_URL: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
    });
    const res = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    const session = res.headers.getSetCookie().find((c) => c.startsWith("portal_session="));
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    rootHeaders = { cookie: session?.split(";")[0] ?? "", "x-csrf-token": csrfToken };
    const id = createClient(IdentityService, transport());
    const { organization } = await id.createOrganization(
      { slug: "acme", name: "Acme" },
      { headers: rootHeaders },
    );
    orgId = organization?.id ?? "";
    await id.createUser(
      { orgId, email: "existing@acme.example", displayName: "Existing", role: Role.MEMBER },
      { headers: rootHeaders },
    );
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await idp?.close();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** start → the provider's login and consent → the portal's callback URL (not yet followed). */
  async function throughProvider() {
    const start = await fetch(`${base}/auth/oidc/start`, { redirect: "manual" });
    expect(start.status).toBe(302);
    const oidcCookie = start.headers.getSetCookie().find((c) => c.startsWith("portal_oidc=")) ?? "";
    const authorize = new URL(start.headers.get("location") ?? "");
    const jar = new CookieJar();
    let next = authorize.href;
    for (let hop = 0; hop < 10 && !next.startsWith(`${base}/`); hop++) {
      const r = await fetch(next, { redirect: "manual", headers: { cookie: jar.header() } });
      jar.take(r);
      const location = r.headers.get("location");
      if (!location) throw new Error(`provider stopped at ${next}: ${r.status} ${await r.text()}`);
      next = new URL(location, next).href;
    }
    return { oidcCookie, authorize, callback: new URL(next) };
  }

  const callback = (url: URL, cookie: string) =>
    fetch(url, { redirect: "manual", headers: { cookie } });

  it("redirects to the provider with state, nonce and an S256 PKCE challenge, in a Lax httpOnly cookie", async () => {
    const start = await fetch(`${base}/auth/oidc/start`, { redirect: "manual" });
    const to = new URL(start.headers.get("location") ?? "");
    expect(to.origin).toBe(idp.issuer);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: idp.clientId,
      response_type: "code",
      redirect_uri: `${base}/auth/oidc/callback`,
      code_challenge_method: "S256",
      scope: "openid email profile",
    });
    expect(to.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get("state")).toBeTruthy();
    expect(to.searchParams.get("nonce")).toBeTruthy();
    const cookie = start.headers.getSetCookie().join();
    expect(cookie).toMatch(
      /^portal_oidc=[^;]+; HttpOnly; Path=\/auth\/oidc; Secure; SameSite=Lax; Max-Age=600$/,
    );
    // The verifier stays with the browser's cookie; only its hash goes to the provider.
    expect(to.href).not.toContain(cookie.split(";")[0]?.split("=")[1]);
  });

  it("logs in an invited user, who then acts through the session (and the invitation is used up)", async () => {
    const id = createClient(IdentityService, transport());
    const { invitation } = await id.createInvitation(
      { orgId, email: "SSO.User@Acme.example", role: Role.VIEWER },
      { headers: rootHeaders },
    );
    idp.signInAs({ email: "sso.user@acme.example" });
    const flow = await throughProvider();
    expect(flow.callback.pathname).toBe("/auth/oidc/callback");
    expect(flow.callback.searchParams.get("code")).toBeTruthy();
    const done = await callback(flow.callback, flow.oidcCookie.split(";")[0] ?? "");
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/");
    const set = done.headers.getSetCookie();
    expect(set.find((c) => c.startsWith("portal_session="))).toMatch(
      /HttpOnly; Path=\/; Secure; SameSite=Strict/,
    );
    expect(set.find((c) => c.startsWith("portal_oidc="))).toMatch(/Max-Age=0/);
    const session = set.find((c) => c.startsWith("portal_session="))?.split(";")[0] ?? "";
    const csrf =
      set
        .find((c) => c.startsWith("portal_csrf="))
        ?.split(";")[0]
        ?.split("=")[1] ?? "";
    const me = await createClient(GatewayService, transport()).getCaller(
      {},
      { headers: { cookie: session, "x-csrf-token": csrf } },
    );
    expect(me).toMatchObject({ subject: invitation?.userId, orgId, role: Role.VIEWER });
    const { users } = await id.listUsers({ orgId }, { headers: rootHeaders });
    expect(users.find((u) => u.email === "sso.user@acme.example")?.status).toBe(UserStatus.ACTIVE);
    // The mailed invitation link no longer works.
    const mails = await Promise.all(
      (await readdir(join(dataDir, "outbox"))).map((f) =>
        readFile(join(dataDir, "outbox", f), "utf8"),
      ),
    );
    const token = /invite#token=([A-Za-z0-9_-]{43})/.exec(
      mails.find((m) => m.includes("To: sso.user@acme.example")) ?? "",
    )?.[1];
    const accept = await fetch(`${base}/auth/invite/accept`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, password: "a long password 1" }),
    });
    expect(accept.status).toBe(401);
    expect(await accept.json()).toEqual({
      error: "invitation already used or replaced by a newer one",
    });
  });

  it("logs in an existing user matched by email, whatever its case", async () => {
    idp.signInAs({ email: "EXISTING@acme.example" });
    const flow = await throughProvider();
    const done = await callback(flow.callback, flow.oidcCookie.split(";")[0] ?? "");
    expect(done.status).toBe(303);
    expect(
      done.headers
        .getSetCookie()
        .some((c) => c.startsWith("portal_session=") && !c.startsWith("portal_session=;")),
    ).toBe(true);
  });

  it("refuses an email nobody invited, and provisions no one", async () => {
    idp.signInAs({ email: "stranger@acme.example" });
    const flow = await throughProvider();
    const done = await callback(flow.callback, flow.oidcCookie.split(";")[0] ?? "");
    expect(done.status).toBe(403);
    expect(await done.json()).toEqual({
      error: "stranger@acme.example has no invitation to the portal",
    });
    expect(done.headers.getSetCookie().some((c) => c.startsWith("portal_session="))).toBe(false);
    const { users } = await createClient(IdentityService, transport()).listUsers(
      { orgId },
      { headers: rootHeaders },
    );
    expect(users.map((u) => u.email)).not.toContain("stranger@acme.example");
  });

  it("refuses a callback whose state does not match this browser's, or with no login in progress", async () => {
    idp.signInAs({ email: "existing@acme.example" });
    const flow = await throughProvider();
    const forged = new URL(flow.callback);
    forged.searchParams.set("state", "attacker-state");
    const bad = await callback(forged, flow.oidcCookie.split(";")[0] ?? "");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "the OIDC state does not match this browser's login: start again",
    });
    const none = await callback(flow.callback, "");
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: string }).error).toMatch(
      /^no OIDC login is in progress/,
    );
    // Another browser's flow cannot be finished with this browser's cookie (login CSRF).
    const other = await throughProvider();
    const crossed = await callback(other.callback, flow.oidcCookie.split(";")[0] ?? "");
    expect(crossed.status).toBe(400);
  });

  it("refuses an id_token whose signature does not verify against the provider's JWKS", async () => {
    idp.signInAs({ email: "existing@acme.example" });
    const flow = await throughProvider();
    idp.rewriteIdToken((t) => {
      const [h, p, s] = t.split(".");
      const claims = JSON.parse(Buffer.from(p ?? "", "base64url").toString());
      claims.email = "root@platform.example"; // try to become someone else
      return `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    });
    try {
      const done = await callback(flow.callback, flow.oidcCookie.split(";")[0] ?? "");
      expect(done.status).toBe(401);
      expect(((await done.json()) as { error: string }).error).toMatch(
        /^the identity provider's answer was refused: .*signature/i,
      );
      expect(done.headers.getSetCookie().some((c) => c.startsWith("portal_session="))).toBe(false);
    } finally {
      idp.rewriteIdToken(undefined);
    }
  });

  it("refuses a correctly signed id_token carrying another login's nonce", async () => {
    idp.signInAs({ email: "existing@acme.example" });
    const flow = await throughProvider();
    idp.rewriteIdToken((t) => {
      const claims = JSON.parse(Buffer.from(t.split(".")[1] ?? "", "base64url").toString());
      return idp.sign({ ...claims, nonce: "a-nonce-from-another-login" });
    });
    try {
      const done = await callback(flow.callback, flow.oidcCookie.split(";")[0] ?? "");
      expect(done.status).toBe(401);
      expect(((await done.json()) as { error: string }).error).toMatch(/nonce/);
    } finally {
      idp.rewriteIdToken(undefined);
    }
  });

  it("refuses a provider that does not vouch for the email", async () => {
    idp.signInAs({ email: "existing@acme.example", emailVerified: false });
    const flow = await throughProvider();
    const done = await callback(flow.callback, flow.oidcCookie.split(";")[0] ?? "");
    expect(done.status).toBe(403);
    expect(await done.json()).toEqual({
      error: "the identity provider has not verified this email",
    });
  });
});

describe("OIDC login when not configured", () => {
  let dataDir: string;
  let portal: Embedded;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "portal-no-oidc-"));
    portal = await startEmbedded({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
    });
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("answers that single sign-on is off", async () => {
    const r = await fetch(`http://127.0.0.1:${portal.port}/auth/oidc/start`, {
      redirect: "manual",
    });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({
      error: "single sign-on (OIDC) is not configured on this portal",
    });
  });

  it("refuses to start with half a configuration, naming what is missing", async () => {
    await expect(
      startEmbedded({
        PORT: "0",
        DATA_DIR: dataDir,
        LOG_LEVEL: "silent",
        OIDC_ISSUER_URL: "http://idp.example.com",
      }),
    ).rejects.toThrow(/OIDC_ISSUER_URL: must be an https URL[\s\S]*OIDC_CLIENT_ID: is required/);
  });
});
