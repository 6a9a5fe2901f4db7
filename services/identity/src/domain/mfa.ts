import { createHash, randomBytes } from "node:crypto";
import type { Database, Tx } from "@portal/runtime";
import { and, eq, isNull, sql } from "drizzle-orm";
import { accessLogs, mfaFactors, mfaRecoveryCodes, users } from "../db/schema/index.js";
import { Forbidden, InvalidInput, NotFound, PreconditionFailed } from "./errors.js";
import { countFailure } from "./lockout.js";
import type { Actor } from "./scope.js";
import { isSuperAdmin, logAdminChange } from "./scope.js";
import type { SecretBox } from "./secret-box.js";
import {
  hashRecoveryCode,
  isTotpCode,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  qrCodeDataUrl,
  totpStep,
} from "./totp.js";
import { orgOfUser } from "./users.js";
import { parseUuid } from "./validate.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface MfaDeps {
  db: Database;
  now: () => Date;
  /** Encrypts TOTP secrets; without it, enrolment is refused (not configured). */
  secretBox?: SecretBox | undefined;
  random?: (n: number) => Buffer;
}

/** The calling user: API keys and services have no second factor of their own. */
function userOf(actor: Actor): { userId: string; orgId: string } {
  if (!UUID.test(actor.subject) || !UUID.test(actor.orgId)) {
    throw new PreconditionFailed(
      "only a signed-in user has a second factor (not an API key or a service)",
    );
  }
  return { userId: actor.subject, orgId: actor.orgId };
}

function boxOf(deps: MfaDeps): SecretBox {
  if (!deps.secretBox) {
    throw new PreconditionFailed("TOTP is not configured on this server (MFA_ENCRYPTION_KEY)");
  }
  return deps.secretBox;
}

const record = (tx: Tx, orgId: string, userId: string, event: string, at: Date, detail?: string) =>
  tx.insert(accessLogs).values({ orgId, subject: userId, event, detail: detail ?? null, at });

/**
 * Starts (or restarts) TOTP enrolment for the calling user: a new secret, stored encrypted and
 * pending until confirmed. Refused while a factor is enabled, so a stolen session cannot swap
 * the factor without the code.
 */
export async function startTotpEnrollment(deps: MfaDeps, actor: Actor) {
  const { userId, orgId } = userOf(actor);
  const box = boxOf(deps);
  const now = deps.now();
  const secret = newTotpSecret(deps.random);
  const email = await deps.db.withOrg(orgId, async (tx) => {
    const [u] = await tx
      .select({ email: users.email })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.status, "active")));
    if (!u) throw new NotFound(`user ${userId} not found`);
    const [f] = await tx
      .select()
      .from(mfaFactors)
      .where(eq(mfaFactors.userId, userId))
      .for("update");
    if (f?.enabledAt) {
      throw new PreconditionFailed("a second factor is already enabled: disable it first");
    }
    const row = {
      orgId,
      secret: box.seal(secret),
      createdAt: now,
      enabledAt: null,
      lastUsedStep: null,
    };
    await tx
      .insert(mfaFactors)
      .values({ userId, ...row })
      .onConflictDoUpdate({ target: mfaFactors.userId, set: row });
    await record(tx, orgId, userId, "mfa_enrolment_started", now);
    return u.email;
  });
  const uri = otpauthUri(secret, email);
  return { secret, otpauthUri: uri, qrCodeDataUrl: await qrCodeDataUrl(uri) };
}

function parseCode(code: string): string {
  const c = code.trim();
  if (c.length === 0) throw new InvalidInput("code", "is required");
  if (c.length > 32) throw new InvalidInput("code", "is longer than any code we issue");
  return c;
}

/** Enables the pending factor with a current code; returns fresh recovery codes (shown once). */
export async function confirmTotpEnrollment(
  deps: MfaDeps,
  actor: Actor,
  input: { code: string },
): Promise<string[]> {
  const { userId, orgId } = userOf(actor);
  const box = boxOf(deps);
  const code = parseCode(input.code);
  if (!isTotpCode(code))
    throw new InvalidInput("code", "must be the 6 digits your authenticator shows");
  const now = deps.now();
  const codes = newRecoveryCodes(deps.random);
  await deps.db.withOrg(orgId, async (tx) => {
    const [f] = await tx
      .select()
      .from(mfaFactors)
      .where(eq(mfaFactors.userId, userId))
      .for("update");
    if (!f) throw new PreconditionFailed("no TOTP enrolment to confirm: start one first");
    if (f.enabledAt) throw new PreconditionFailed("the second factor is already enabled");
    const step = totpStep(box.open(f.secret), code, now);
    if (step === null)
      throw new InvalidInput("code", "is wrong or expired: enter the current code");
    await tx
      .update(mfaFactors)
      .set({ enabledAt: now, lastUsedStep: step })
      .where(eq(mfaFactors.userId, userId));
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    await tx
      .insert(mfaRecoveryCodes)
      .values(codes.map((c) => ({ orgId, userId, codeHash: hashRecoveryCode(c) })));
    await record(tx, orgId, userId, "mfa_enabled", now);
  });
  return codes;
}

/** Whether the calling user has an enabled factor, and how many recovery codes are unused. */
export async function totpStatus(deps: MfaDeps, actor: Actor) {
  const { userId, orgId } = userOf(actor);
  return deps.db.withOrg(orgId, async (tx) => {
    const [f] = await tx
      .select({ enabledAt: mfaFactors.enabledAt })
      .from(mfaFactors)
      .where(eq(mfaFactors.userId, userId));
    const [left] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
    return { enabled: Boolean(f?.enabledAt), recoveryCodesLeft: f?.enabledAt ? (left?.n ?? 0) : 0 };
  });
}

export type SecondFactorCheck =
  | { ok: true; method: "totp" | "recovery_code" }
  | { ok: false; reason: "wrong code" | "replayed code" | "no second factor" };

/**
 * Checks a TOTP code (accepted once per step: the step is recorded with a conditional update, so
 * two concurrent uses of one code cannot both pass) or a recovery code (used up the same way),
 * inside the caller's transaction for the user's organisation.
 */
export async function checkSecondFactor(
  tx: Tx,
  box: SecretBox,
  userId: string,
  code: string,
  now: Date,
): Promise<SecondFactorCheck> {
  const [f] = await tx.select().from(mfaFactors).where(eq(mfaFactors.userId, userId));
  if (!f?.enabledAt) return { ok: false, reason: "no second factor" };
  if (isTotpCode(code)) {
    const step = totpStep(box.open(f.secret), code, now);
    if (step === null) return { ok: false, reason: "wrong code" };
    const claimed = await tx
      .update(mfaFactors)
      .set({ lastUsedStep: step })
      .where(
        and(
          eq(mfaFactors.userId, userId),
          sql`(${mfaFactors.lastUsedStep} IS NULL OR ${mfaFactors.lastUsedStep} < ${step})`,
        ),
      )
      .returning({ userId: mfaFactors.userId });
    return claimed.length ? { ok: true, method: "totp" } : { ok: false, reason: "replayed code" };
  }
  const used = await tx
    .update(mfaRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        eq(mfaRecoveryCodes.codeHash, hashRecoveryCode(code)),
        isNull(mfaRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return used.length ? { ok: true, method: "recovery_code" } : { ok: false, reason: "wrong code" };
}

/** Removes the calling user's factor and recovery codes, given a current or recovery code. */
export async function disableTotp(deps: MfaDeps, actor: Actor, input: { code: string }) {
  const { userId, orgId } = userOf(actor);
  const box = boxOf(deps);
  const code = parseCode(input.code);
  const now = deps.now();
  const result = await deps.db.withOrg(orgId, async (tx) => {
    const [f] = await tx
      .select()
      .from(mfaFactors)
      .where(eq(mfaFactors.userId, userId))
      .for("update");
    if (!f?.enabledAt) throw new PreconditionFailed("no second factor is enabled");
    // Wrong codes here count towards the same lock-out as logins, so a stolen session cannot
    // guess its way to removing the factor.
    const [u] = await tx
      .select({ lockedUntil: users.lockedUntil })
      .from(users)
      .where(eq(users.id, userId));
    if (u?.lockedUntil && u.lockedUntil > now) {
      const s = Math.ceil((u.lockedUntil.getTime() - now.getTime()) / 1000);
      throw new PreconditionFailed(`too many wrong codes: try again in ${s} s`);
    }
    const check = await checkSecondFactor(tx, box, userId, code, now);
    if (!check.ok) {
      await countFailure(tx, userId, now);
      await record(tx, orgId, userId, "mfa_disable_refused", now, check.reason);
      return check;
    }
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    await tx.delete(mfaFactors).where(eq(mfaFactors.userId, userId));
    await record(tx, orgId, userId, "mfa_disabled", now, check.method);
    return check;
  });
  // Thrown after the transaction, so the refusal stays in the access log.
  if (!result.ok) throw new InvalidInput("code", `is refused (${result.reason})`);
}

/** Has the user an enabled second factor? (Read within the user's organisation.) */
export async function hasSecondFactor(tx: Tx, userId: string): Promise<boolean> {
  const [f] = await tx
    .select({ enabledAt: mfaFactors.enabledAt })
    .from(mfaFactors)
    .where(eq(mfaFactors.userId, userId));
  return Boolean(f?.enabledAt);
}

/** A fresh token for a login's second step. */
export const newToken = (deps: { random?: (n: number) => Buffer }) =>
  (deps.random ?? randomBytes)(32).toString("base64url");

/**
 * Removes a user's second factor and recovery codes (they lost the authenticator): org admins for
 * their own organisation's users, super admins for anyone's. Admin-logged, and noted in the
 * user's access log.
 */
export async function resetUserTotp(
  deps: MfaDeps,
  actor: Actor,
  input: { userId: string },
): Promise<boolean> {
  const userId = parseUuid("user_id", input.userId);
  const now = deps.now();
  const orgId = isSuperAdmin(actor) ? await orgOfUser(deps.db, actor, userId) : actor.orgId;
  return deps.db.withOrg(orgId, async (tx) => {
    const [u] = await tx
      .select({ role: users.role })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.orgId, orgId)));
    if (!u) throw new NotFound(`user ${userId} not found`);
    if (u.role === "super_admin" && !isSuperAdmin(actor)) {
      throw new Forbidden("only a super admin may change a super admin");
    }
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    const removed = await tx
      .delete(mfaFactors)
      .where(eq(mfaFactors.userId, userId))
      .returning({ enabledAt: mfaFactors.enabledAt });
    if (removed.length === 0) return false;
    await logAdminChange(tx, actor, now, {
      orgId,
      action: "user.totp_reset",
      targetType: "user",
      targetId: userId,
      before: { totp: removed[0]?.enabledAt ? "enabled" : "pending" },
      after: { totp: "none" },
    });
    await record(tx, orgId, userId, "mfa_reset_by_admin", now, actor.subject);
    return true;
  });
}
