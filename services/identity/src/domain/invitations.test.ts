import { Role } from "@portal/api";
import type { Database } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dbImpls,
  rowsOf,
  seedOrg,
  superAdmin,
  TEST_PASSWORD_PARAMS,
} from "../testing/identity-db.js";
import type { InvitationDeps } from "./invitations.js";
import { acceptInvitation, createInvitation, INVITATION_TTL_MS } from "./invitations.js";
import { loginWithPassword } from "./login.js";
import type { Mail } from "./mailer.js";
import { loginWithOidc } from "./oidc-login.js";

const impl =
  dbImpls.find((i) => i.up() && i.name === "postgres") ?? (dbImpls[0] as (typeof dbImpls)[0]);
const PASSWORD = "invited password 1";

describe(`invitations (${impl.name})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let acme: Awaited<ReturnType<typeof seedOrg>>;
  let globex: Awaited<ReturnType<typeof seedOrg>>;
  let clock = new Date("2026-01-02T03:04:05Z");
  const outbox: Mail[] = [];
  let deps: InvitationDeps;
  const tokenOf = (m: Mail | undefined) =>
    /invite#token=([A-Za-z0-9_-]{43})/.exec(m?.text ?? "")?.[1] ?? "";
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "accepted",
      (e: Error) => `${e.name}: ${e.message}`,
    );
  const userRow = async (email: string) =>
    rowsOf(
      await db.db.execute(
        sql`SELECT status, role, password_hash FROM identity.users WHERE email = ${email}`,
      ),
    )[0];
  const snapshot = async () =>
    JSON.stringify(
      rowsOf(
        await db.db.execute(
          sql`SELECT u.email, u.status, u.role, u.password_hash, i.used_at FROM identity.users u
              LEFT JOIN identity.invitations i ON i.user_id = u.id ORDER BY u.email, i.created_at`,
        ),
      ),
    );

  beforeAll(async () => {
    ({ db, cleanup } = await impl.open());
    deps = {
      db,
      now: () => clock,
      passwordParams: TEST_PASSWORD_PARAMS,
      publicBaseUrl: "https://portal.example/",
      mailer: { send: async (m) => void outbox.push(m) },
    };
    acme = await seedOrg(db, "acme", "seeded password 1");
    globex = await seedOrg(db, "globex");
  });
  afterAll(() => cleanup?.());

  it("invites an email with a role: an invited user, a hashed token, a mailed link", async () => {
    const inv = await createInvitation(deps, acme.org_admin, {
      orgId: acme.orgId,
      email: "New.Hire@Acme.example",
      role: Role.MEMBER,
      displayName: "",
    });
    expect(inv).toMatchObject({
      orgId: acme.orgId,
      email: "new.hire@acme.example",
      role: "member",
    });
    expect(inv.expiresAt.getTime() - clock.getTime()).toBe(INVITATION_TTL_MS);
    const mail = outbox.at(-1);
    expect(mail?.to).toBe("new.hire@acme.example");
    const token = tokenOf(mail);
    expect(mail?.text).toContain(`https://portal.example/invite#token=${token}`);
    const [stored] = rowsOf(
      await db.db.execute(sql`SELECT token_hash FROM identity.invitations WHERE id = ${inv.id}`),
    );
    expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.token_hash).not.toContain(token);
    expect(await userRow("new.hire@acme.example")).toEqual({
      status: "invited",
      role: "member",
      password_hash: null,
    });
    const [log] = rowsOf(
      await db.db.execute(
        sql`SELECT action, after FROM identity.admin_logs ORDER BY id DESC LIMIT 1`,
      ),
    );
    expect(log?.action).toBe("invitation.create");
    expect(JSON.stringify(log?.after)).not.toContain("token");
  });

  it("accepts with a password once; the token cannot be replayed", async () => {
    const token = tokenOf(outbox.at(-1));
    expect(await refusal(acceptInvitation(deps, { token, password: "short" }))).toBe(
      "InvalidInput: password: must be at least 12 characters",
    );
    const r = await acceptInvitation(deps, { token, password: PASSWORD });
    expect(r.role).toBe("member");
    expect((await userRow("new.hire@acme.example"))?.status).toBe("active");
    expect(
      await loginWithPassword(deps, { email: "new.hire@acme.example", password: PASSWORD }),
    ).toMatchObject({
      userId: r.userId,
    });
    expect(await refusal(acceptInvitation(deps, { token, password: "another password 1" }))).toBe(
      "CredentialRefused: invitation already used or replaced by a newer one",
    );
  });

  it("refuses an expired token, an unknown one and a malformed one", async () => {
    await createInvitation(deps, acme.org_admin, {
      orgId: acme.orgId,
      email: "late@acme.example",
      role: Role.VIEWER,
      displayName: "Late",
    });
    const token = tokenOf(outbox.at(-1));
    clock = new Date(clock.getTime() + INVITATION_TTL_MS);
    expect(await refusal(acceptInvitation(deps, { token, password: PASSWORD }))).toBe(
      "CredentialRefused: invitation expired: ask for a new one",
    );
    expect(
      await refusal(acceptInvitation(deps, { token: "x".repeat(43), password: PASSWORD })),
    ).toBe("CredentialRefused: unknown invitation token");
    expect(await refusal(acceptInvitation(deps, { token: "nope", password: PASSWORD }))).toBe(
      "CredentialRefused: malformed invitation token",
    );
    expect((await userRow("late@acme.example"))?.status).toBe("invited");
  });

  it("re-inviting a still-invited address sends a fresh link and retires the old one", async () => {
    const old = tokenOf(outbox.at(-1));
    await createInvitation(deps, acme.org_admin, {
      orgId: acme.orgId,
      email: "late@acme.example",
      role: Role.MEMBER,
      displayName: "Late",
    });
    const fresh = tokenOf(outbox.at(-1));
    expect(fresh).not.toBe(old);
    expect(await refusal(acceptInvitation(deps, { token: old, password: PASSWORD }))).toMatch(
      /^CredentialRefused: invitation (already used|expired)/,
    );
    expect((await acceptInvitation(deps, { token: fresh, password: PASSWORD })).role).toBe(
      "member",
    );
  });

  it("refuses bad input, registered emails, higher roles and other organisations, changing nothing", async () => {
    const before = await snapshot();
    const base = { orgId: acme.orgId, email: "x@acme.example", role: Role.VIEWER, displayName: "" };
    const cases: [Parameters<typeof createInvitation>[1], typeof base, string][] = [
      [
        acme.org_admin,
        { ...base, email: "not an email" },
        'InvalidInput: email: "not an email" is not a valid email address',
      ],
      [
        acme.org_admin,
        { ...base, email: `${"a".repeat(250)}@x.example` },
        "InvalidInput: email: is 260 characters; at most 254 are allowed",
      ],
      [
        acme.org_admin,
        { ...base, role: Role.SERVICE },
        "InvalidInput: role: must be one of viewer, member, org_admin, super_admin",
      ],
      [
        acme.org_admin,
        { ...base, displayName: "a\u202eb" },
        "InvalidInput: display_name: contains control or invisible characters",
      ],
      [
        acme.org_admin,
        { ...base, role: Role.SUPER_ADMIN },
        "Forbidden: only a super admin may grant the super_admin role",
      ],
      [
        acme.org_admin,
        { ...base, email: acme.viewer.email },
        `Conflict: email ${acme.viewer.email} is already registered`,
      ],
      [
        acme.org_admin,
        { ...base, email: globex.viewer.email },
        `Conflict: email ${globex.viewer.email} is already registered`,
      ],
      [globex.org_admin, base, `Forbidden: organisation ${acme.orgId} is not yours`],
    ];
    for (const [actor, input, expected] of cases) {
      expect(await refusal(createInvitation(deps, actor, input))).toBe(expected);
    }
    expect(await snapshot()).toBe(before);
    // A super admin may invite into any organisation.
    const inv = await createInvitation(deps, superAdmin(), {
      ...base,
      email: "chosen@acme.example",
    });
    expect(inv.orgId).toBe(acme.orgId);
  });
});

describe(`OIDC login by email (${impl.name})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let acme: Awaited<ReturnType<typeof seedOrg>>;
  const clock = new Date("2026-01-02T03:04:05Z");
  const outbox: Mail[] = [];
  let deps: InvitationDeps;
  const claims = (email: string, emailVerified = true) => ({
    issuer: "https://idp.example",
    subject: "sub-1",
    email,
    emailVerified,
  });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "accepted",
      (e: Error) => `${e.name}: ${e.message}`,
    );
  beforeAll(async () => {
    ({ db, cleanup } = await impl.open());
    deps = {
      db,
      now: () => clock,
      passwordParams: TEST_PASSWORD_PARAMS,
      publicBaseUrl: "https://portal.example",
      mailer: { send: async (m) => void outbox.push(m) },
    };
    acme = await seedOrg(db, "acme");
  });
  afterAll(() => cleanup?.());

  it("logs in an existing user by lower-cased email", async () => {
    const r = await loginWithOidc(deps, claims(acme.member.email.toUpperCase()));
    expect(r).toEqual({ userId: acme.member.subject, orgId: acme.orgId, role: "member" });
  });

  it("activates an invited user and uses the invitation up", async () => {
    await createInvitation(deps, acme.org_admin, {
      orgId: acme.orgId,
      email: "sso@acme.example",
      role: Role.VIEWER,
      displayName: "",
    });
    const r = await loginWithOidc(deps, claims("sso@acme.example"));
    expect(r.role).toBe("viewer");
    const token = /invite#token=([A-Za-z0-9_-]{43})/.exec(outbox.at(-1)?.text ?? "")?.[1] ?? "";
    expect(await refusal(acceptInvitation(deps, { token, password: "a password 12345" }))).toBe(
      "CredentialRefused: invitation already used or replaced by a newer one",
    );
  });

  it("refuses uninvited and unverified emails, and logs the refusal", async () => {
    expect(await refusal(loginWithOidc(deps, claims("stranger@acme.example")))).toBe(
      "CredentialRefused: stranger@acme.example has no invitation to the portal",
    );
    expect(await refusal(loginWithOidc(deps, claims(acme.member.email, false)))).toBe(
      "CredentialRefused: the identity provider has not verified this email",
    );
    const logs = rowsOf(
      await db.db.execute(sql`SELECT detail FROM identity.access_logs ORDER BY id DESC LIMIT 2`),
    );
    expect(logs.map((l) => l.detail)).toEqual(["oidc: email not verified", "oidc: not invited"]);
    expect(
      rowsOf(
        await db.db.execute(
          sql`SELECT 1 FROM identity.users WHERE email = 'stranger@acme.example'`,
        ),
      ),
    ).toEqual([]);
  });
});
