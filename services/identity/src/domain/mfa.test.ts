import type { Database } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dbImpls,
  rowsOf,
  seedOrg,
  superAdmin,
  TEST_PASSWORD_PARAMS,
} from "../testing/identity-db.js";
import { InvalidInput, PreconditionFailed } from "./errors.js";
import { loginWithPassword } from "./login.js";
import { MAX_CHALLENGE_ATTEMPTS, verifySecondFactor } from "./login-second-factor.js";
import {
  confirmTotpEnrollment,
  disableTotp,
  resetUserTotp,
  startTotpEnrollment,
  totpStatus,
} from "./mfa.js";
import { createSecretBox } from "./secret-box.js";

const PASSWORD = "correct horse battery staple";
const impl =
  dbImpls.find((i) => i.up() && i.name === "postgres") ?? (dbImpls[0] as (typeof dbImpls)[0]);
const codeAt = (secret: string, at: Date) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at.getTime() });

describe(`TOTP second factor (${impl.name})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let acme: Awaited<ReturnType<typeof seedOrg>>;
  let clock = new Date("2026-01-02T03:04:05Z");
  const tick = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  let deps: Parameters<typeof startTotpEnrollment>[0] & Parameters<typeof loginWithPassword>[0];
  const lastEvent = async () =>
    rowsOf(
      await db.db.execute(
        sql`SELECT event, detail FROM identity.access_logs ORDER BY id DESC LIMIT 1`,
      ),
    )[0];

  beforeAll(async () => {
    ({ db, cleanup } = await impl.open());
    deps = {
      db,
      now: () => clock,
      passwordParams: TEST_PASSWORD_PARAMS,
      secretBox: createSecretBox(Buffer.alloc(32, 7)),
    };
    acme = await seedOrg(db, "acme", PASSWORD);
  });
  afterAll(() => cleanup?.());

  it("enrols with a secret, an otpauth URI and a QR code, stored encrypted and pending", async () => {
    const e = await startTotpEnrollment(deps, acme.member);
    expect(e.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(e.otpauthUri).toMatch(/^otpauth:\/\/totp\/Portal:member%40acme\.example\?/);
    expect(e.otpauthUri).toContain(`secret=${e.secret}`);
    expect(e.qrCodeDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = Buffer.from(e.qrCodeDataUrl.split(",")[1] as string, "base64").toString();
    expect(svg).toMatch(/^<svg /);
    const [row] = rowsOf(
      await db.db.execute(
        sql`SELECT secret, enabled_at FROM identity.mfa_factors WHERE user_id = ${acme.member.subject}`,
      ),
    );
    expect(row?.enabled_at).toBeNull();
    expect(String(row?.secret)).not.toContain(e.secret);
    expect(deps.secretBox?.open(String(row?.secret))).toBe(e.secret);
    // A pending factor does not change how the user logs in.
    expect(
      await loginWithPassword(deps, { email: acme.member.email, password: PASSWORD }),
    ).toHaveProperty("userId");
  });

  it("refuses a wrong confirmation code and enables with the current one, once", async () => {
    const e = await startTotpEnrollment(deps, acme.viewer);
    const wrong = await confirmTotpEnrollment(deps, acme.viewer, { code: "000000" }).catch(
      (x) => x,
    );
    expect(wrong).toBeInstanceOf(InvalidInput);
    expect(wrong.message).toBe("code: is wrong or expired: enter the current code");
    const letters = await confirmTotpEnrollment(deps, acme.viewer, { code: "abc" }).catch((x) => x);
    expect(letters.message).toBe("code: must be the 6 digits your authenticator shows");
    expect(await totpStatus(deps, acme.viewer)).toEqual({ enabled: false, recoveryCodesLeft: 0 });

    const codes = await confirmTotpEnrollment(deps, acme.viewer, { code: codeAt(e.secret, clock) });
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(await totpStatus(deps, acme.viewer)).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    const stored = rowsOf(
      await db.db.execute(
        sql`SELECT code_hash FROM identity.mfa_recovery_codes WHERE user_id = ${acme.viewer.subject}`,
      ),
    ).map((r) => String(r.code_hash));
    expect(stored).toHaveLength(10);
    for (const c of codes) expect(stored).not.toContain(c);
    expect(await startTotpEnrollment(deps, acme.viewer).catch((x) => x)).toBeInstanceOf(
      PreconditionFailed,
    );
    expect((await lastEvent())?.event).toBe("mfa_enabled");
  });

  /** Enrols and confirms a factor for `actor`; returns its secret. */
  async function enrolled(actor: typeof acme.member): Promise<string> {
    const e = await startTotpEnrollment(deps, actor);
    await confirmTotpEnrollment(deps, actor, { code: codeAt(e.secret, clock) });
    tick(30_000); // the confirmation used this step's code
    return e.secret;
  }
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "accepted",
      (e: Error) => `${e.name}: ${e.message}`,
    );
  const passwordStep = async (email: string) => {
    const r = await loginWithPassword(deps, { email, password: PASSWORD });
    if (!("mfaToken" in r)) throw new Error("expected the second factor to be due");
    return r.mfaToken;
  };

  it("asks for the second factor after the password and completes the login only with the code", async () => {
    const secret = await enrolled(acme.org_admin);
    const first = await loginWithPassword(deps, {
      email: acme.org_admin.email,
      password: PASSWORD,
    });
    expect(Object.keys(first)).toEqual(["mfaToken"]);
    expect(await lastEvent()).toEqual({ event: "login_second_factor_due", detail: null });
    const token = (first as { mfaToken: string }).mfaToken;
    const ok = await verifySecondFactor(deps, { mfaToken: token, code: codeAt(secret, clock) });
    expect(ok).toEqual({ userId: acme.org_admin.subject, orgId: acme.orgId, role: "org_admin" });
    expect(await lastEvent()).toEqual({ event: "login", detail: "totp" });
    tick(30_000);
    expect(
      await refusal(verifySecondFactor(deps, { mfaToken: token, code: codeAt(secret, clock) })),
    ).toBe("CredentialRefused: login token already used: sign in again");
  });

  it("refuses a code replayed within its step, even with a fresh login token", async () => {
    const secret = await enrolled(acme.member);
    const code = codeAt(secret, clock);
    await verifySecondFactor(deps, { mfaToken: await passwordStep(acme.member.email), code });
    const replay = verifySecondFactor(deps, {
      mfaToken: await passwordStep(acme.member.email),
      code,
    });
    expect(await refusal(replay)).toBe(
      "CredentialRefused: that code was already used: wait for the next one",
    );
    expect(await lastEvent()).toEqual({ event: "login_failed", detail: "replayed code" });
    tick(30_000);
    const next = await verifySecondFactor(deps, {
      mfaToken: await passwordStep(acme.member.email),
      code: codeAt(secret, clock),
    });
    expect(next.userId).toBe(acme.member.subject);
    // Clean up for the next test: disable with a current code.
    tick(30_000);
    await disableTotp(deps, acme.member, { code: codeAt(secret, clock) });
    expect(await totpStatus(deps, acme.member)).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    expect(
      await loginWithPassword(deps, { email: acme.member.email, password: PASSWORD }),
    ).toHaveProperty("userId");
  });

  it("accepts each recovery code once, in place of a TOTP code", async () => {
    const e = await startTotpEnrollment(deps, acme.member);
    const codes = await confirmTotpEnrollment(deps, acme.member, { code: codeAt(e.secret, clock) });
    const code = (codes[3] as string).toUpperCase().replace("-", " ");
    const r = await verifySecondFactor(deps, {
      mfaToken: await passwordStep(acme.member.email),
      code,
    });
    expect(r.userId).toBe(acme.member.subject);
    expect(await lastEvent()).toEqual({ event: "login", detail: "recovery_code" });
    expect(
      await refusal(
        verifySecondFactor(deps, {
          mfaToken: await passwordStep(acme.member.email),
          code: codes[3] as string,
        }),
      ),
    ).toBe("CredentialRefused: wrong code");
    expect(await totpStatus(deps, acme.member)).toEqual({ enabled: true, recoveryCodesLeft: 9 });
  });

  it("allows a few wrong codes per login token, counts them as failed logins, then refuses the token", async () => {
    const token = await passwordStep(acme.viewer.email);
    for (let i = 0; i < MAX_CHALLENGE_ATTEMPTS; i++) {
      expect(await refusal(verifySecondFactor(deps, { mfaToken: token, code: "123456" }))).toMatch(
        /^CredentialRefused: (wrong code|that code was already used)/,
      );
    }
    expect(await refusal(verifySecondFactor(deps, { mfaToken: token, code: "123456" }))).toBe(
      "CredentialRefused: too many wrong codes: sign in again",
    );
    const [u] = rowsOf(
      await db.db.execute(
        sql`SELECT failed_logins, locked_until FROM identity.users WHERE id = ${acme.viewer.subject}`,
      ),
    );
    expect(u?.failed_logins).toBe(MAX_CHALLENGE_ATTEMPTS);
    expect(u?.locked_until).not.toBeNull();
  });

  it("refuses expired, unknown and malformed login tokens and bad codes with clear errors", async () => {
    tick(60 * 60_000); // past any lock from the previous test
    const token = await passwordStep(acme.member.email);
    expect(await refusal(verifySecondFactor(deps, { mfaToken: token, code: "" }))).toBe(
      "InvalidInput: code: is required",
    );
    expect(await refusal(verifySecondFactor(deps, { mfaToken: token, code: "9".repeat(40) }))).toBe(
      "InvalidInput: code: is longer than any code we issue",
    );
    tick(5 * 60_000 + 1);
    expect(await refusal(verifySecondFactor(deps, { mfaToken: token, code: "123456" }))).toBe(
      "CredentialRefused: login token expired: sign in again",
    );
    expect(
      await refusal(verifySecondFactor(deps, { mfaToken: "A".repeat(43), code: "123456" })),
    ).toBe("CredentialRefused: unknown login token: sign in again");
    expect(await refusal(verifySecondFactor(deps, { mfaToken: "short", code: "123456" }))).toBe(
      "CredentialRefused: malformed login token",
    );
  });

  it("refuses to disable without a valid code, and keeps the factor", async () => {
    expect(await refusal(disableTotp(deps, acme.member, { code: "000000" }))).toBe(
      "InvalidInput: code: is refused (wrong code)",
    );
    expect(await lastEvent()).toEqual({ event: "mfa_disable_refused", detail: "wrong code" });
    expect((await totpStatus(deps, acme.member)).enabled).toBe(true);
  });

  it("locks disabling after repeated wrong codes, like logins", async () => {
    for (let i = 0; i < 5; i++) await refusal(disableTotp(deps, acme.member, { code: "000000" }));
    expect(await refusal(disableTotp(deps, acme.member, { code: "000000" }))).toMatch(
      /^PreconditionFailed: too many wrong codes: try again in \d+ s$/,
    );
    expect((await totpStatus(deps, acme.member)).enabled).toBe(true);
    tick(60 * 60_000);
  });

  it("lets an org admin remove a user's factor (admin-logged), and no other organisation's admin", async () => {
    const globex = await seedOrg(db, "globex");
    expect(
      await refusal(resetUserTotp(deps, globex.org_admin, { userId: acme.member.subject })),
    ).toBe(`NotFound: user ${acme.member.subject} not found`);
    expect((await totpStatus(deps, acme.member)).enabled).toBe(true);
    expect(await resetUserTotp(deps, acme.org_admin, { userId: acme.member.subject })).toBe(true);
    expect(await totpStatus(deps, acme.member)).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    const [log] = rowsOf(
      await db.db.execute(
        sql`SELECT action, target_id, before, after FROM identity.admin_logs ORDER BY id DESC LIMIT 1`,
      ),
    );
    expect(log).toEqual({
      action: "user.totp_reset",
      target_id: acme.member.subject,
      before: { totp: "enabled" },
      after: { totp: "none" },
    });
    expect(await resetUserTotp(deps, acme.org_admin, { userId: acme.member.subject })).toBe(false);
    // A super admin reaches any organisation's users.
    expect(await resetUserTotp(deps, superAdmin(), { userId: acme.org_admin.subject })).toBe(true);
    expect(await refusal(resetUserTotp(deps, acme.org_admin, { userId: "nope" }))).toBe(
      'InvalidInput: user_id: "nope" is not a uuid',
    );
  });

  it("refuses callers that are not users, and enrolment without an encryption key", async () => {
    const key = {
      subject: "key:0b6f2f44-1c1f-4d43-9a43-6d2f0d4c9d11",
      orgId: acme.orgId,
      role: acme.member.role,
    };
    expect(await refusal(startTotpEnrollment(deps, key))).toMatch(
      /^PreconditionFailed: only a signed-in user/,
    );
    expect(await refusal(startTotpEnrollment({ ...deps, secretBox: undefined }, acme.member))).toBe(
      "PreconditionFailed: TOTP is not configured on this server (MFA_ENCRYPTION_KEY)",
    );
  });
});
