import { Role } from "@portal/api";
import type { Database, Principal, Tx } from "@portal/runtime";
import { CROSS_ORG_ROLE, roleName } from "@portal/runtime";
import { adminLogs } from "../db/schema/index.js";
import { Forbidden } from "./errors.js";

/** Who acts, as the verified principal says. */
export type Actor = Principal;

export const isSuperAdmin = (a: Actor) => a.role === Role.SUPER_ADMIN;

/**
 * Runs `fn` with database access to organisation `orgId`. Everyone but a super admin acts on
 * their own organisation only, through row-level security (`withOrg`); a super admin goes through
 * the cross-organisation role, and every change made that way is admin-logged by `fn`'s caller.
 * A forged organisation id in a request body is refused here, and RLS would refuse it anyway.
 */
export async function inOrgScope<T>(
  db: Database,
  actor: Actor,
  orgId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (isSuperAdmin(actor)) return crossOrg(db, actor, fn, orgId);
  if (orgId !== actor.orgId) throw new Forbidden(`organisation ${orgId} is not yours`);
  return db.withOrg(orgId, fn);
}

/**
 * Runs `fn` across organisations: super admins only. Every use, read or write, leaves an
 * admin-log row (`cross_org_access`, naming the organisation or "*") in the same transaction, so
 * cross-organisation reads are on record too; changes add their own before/after row.
 */
export async function crossOrg<T>(
  db: Database,
  actor: Actor,
  fn: (tx: Tx) => Promise<T>,
  orgId?: string,
): Promise<T> {
  if (!isSuperAdmin(actor)) throw new Forbidden("requires role super_admin");
  return db.withRole(CROSS_ORG_ROLE, async (tx) => {
    const result = await fn(tx);
    await logAdminChange(tx, actor, new Date(), {
      orgId: orgId ?? null,
      action: "cross_org_access",
      targetType: "organization",
      targetId: orgId ?? "*",
      before: null,
      after: null,
    });
    return result;
  });
}

export interface AdminChange {
  orgId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
}

/** Appends one admin-log row in the transaction that made the change. */
export async function logAdminChange(tx: Tx, actor: Actor, at: Date, c: AdminChange) {
  await tx.insert(adminLogs).values({
    orgId: c.orgId,
    actorSubject: actor.subject,
    actorOrgId: actor.orgId,
    actorRole: roleName(actor.role),
    action: c.action,
    targetType: c.targetType,
    targetId: c.targetId,
    before: c.before ?? null,
    after: c.after ?? null,
    at,
  });
}

/** True when a database error (possibly wrapped by drizzle) is a unique-constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
