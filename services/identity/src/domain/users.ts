import { Role } from "@portal/api";
import type { Database } from "@portal/runtime";
import { and, asc, eq } from "drizzle-orm";
import { users } from "../db/schema/index.js";
import { Conflict, Forbidden, NotFound } from "./errors.js";
import type { PasswordParams } from "./passwords.js";
import { hashPassword } from "./passwords.js";
import type { UserRole } from "./roles.js";
import { parseUserRole, roleOf } from "./roles.js";
import type { Actor } from "./scope.js";
import { inOrgScope, isSuperAdmin, isUniqueViolation, logAdminChange } from "./scope.js";
import { parseEmail, parseName, parsePassword, parseUuid } from "./validate.js";

export type UserRow = typeof users.$inferSelect;

/** The user as logs and responses may show it: never the password hash. */
export function publicUser(u: UserRow) {
  const { passwordHash: _, ...rest } = u;
  return { ...rest, hasPassword: u.passwordHash !== null };
}

/** An org admin may grant roles up to org_admin; only a super admin grants super_admin. */
export function checkGrant(actor: Actor, role: UserRole) {
  if (role === "super_admin" && !isSuperAdmin(actor)) {
    throw new Forbidden("only a super admin may grant the super_admin role");
  }
}

export interface UserDeps {
  db: Database;
  now: () => Date;
  passwordParams: PasswordParams;
}

export async function createUser(
  deps: UserDeps,
  actor: Actor,
  input: {
    orgId: string;
    email: string;
    displayName: string;
    role: Role;
    initialPassword?: string | undefined;
  },
): Promise<UserRow> {
  const orgId = parseUuid("org_id", input.orgId);
  const email = parseEmail("email", input.email);
  const displayName = parseName("display_name", input.displayName);
  const role = parseUserRole("role", input.role);
  const password = input.initialPassword
    ? parsePassword("initial_password", input.initialPassword)
    : undefined;
  checkGrant(actor, role);
  const passwordHash = password ? await hashPassword(password, deps.passwordParams) : null;
  const now = deps.now();
  try {
    return await inOrgScope(deps.db, actor, orgId, async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({
          orgId,
          email,
          displayName,
          role,
          passwordHash,
          passwordChangedAt: passwordHash ? now : null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!row) throw new Error("insert returned no row");
      await logAdminChange(tx, actor, now, {
        orgId,
        action: "user.create",
        targetType: "user",
        targetId: row.id,
        before: null,
        after: publicUser(row),
      });
      return row;
    });
  } catch (err) {
    // Emails are unique across organisations, so this tells an org admin the address is in use
    // somewhere; it names no organisation.
    if (isUniqueViolation(err)) throw new Conflict(`email ${email} is already registered`);
    throw err;
  }
}

export async function listUsers(
  db: Database,
  actor: Actor,
  orgId: string,
  page: { offset: number; limit: number },
): Promise<UserRow[]> {
  const org = parseUuid("org_id", orgId);
  return inOrgScope(db, actor, org, (tx) =>
    tx
      .select()
      .from(users)
      .where(eq(users.orgId, org))
      .orderBy(asc(users.email))
      .limit(page.limit)
      .offset(page.offset),
  );
}

/**
 * Finds the user's organisation: the caller's own (RLS hides everyone else's), or for a super
 * admin any.
 */
async function changeUser(
  deps: UserDeps,
  actor: Actor,
  userId: string,
  action: string,
  patch: (before: UserRow) => Partial<UserRow>,
): Promise<UserRow> {
  const id = parseUuid("user_id", userId);
  const now = deps.now();
  const orgId = isSuperAdmin(actor) ? await orgOfUser(deps.db, actor, id) : actor.orgId;
  return inOrgScope(deps.db, actor, orgId, async (tx) => {
    const [before] = await tx
      .select()
      .from(users)
      .where(and(eq(users.id, id), eq(users.orgId, orgId)))
      .for("update");
    if (!before) throw new NotFound(`user ${id} not found`);
    if (before.role === "super_admin" && !isSuperAdmin(actor)) {
      throw new Forbidden("only a super admin may change a super admin");
    }
    const [after] = await tx
      .update(users)
      .set({ ...patch(before), updatedAt: now })
      .where(eq(users.id, id))
      .returning();
    if (!after) throw new NotFound(`user ${id} not found`);
    await logAdminChange(tx, actor, now, {
      orgId,
      action,
      targetType: "user",
      targetId: id,
      before: publicUser(before),
      after: publicUser(after),
    });
    return after;
  });
}

/** The organisation of a user a super admin names (an audited cross-organisation read). */
export async function orgOfUser(db: Database, actor: Actor, id: string): Promise<string> {
  const [row] = await inOrgScope(db, actor, actor.orgId, (tx) =>
    tx.select({ orgId: users.orgId }).from(users).where(eq(users.id, id)),
  );
  if (!row) throw new NotFound(`user ${id} not found`);
  return row.orgId;
}

export async function updateUser(
  deps: UserDeps,
  actor: Actor,
  input: { userId: string; displayName?: string | undefined; role: Role },
): Promise<UserRow> {
  const set: Partial<UserRow> = {};
  if (input.displayName !== undefined)
    set.displayName = parseName("display_name", input.displayName);
  if (input.role !== Role.UNSPECIFIED) {
    set.role = parseUserRole("role", input.role);
    checkGrant(actor, set.role as UserRole);
  }
  if (input.userId === actor.subject && set.role && roleOf(set.role) < actor.role) {
    // An admin demoting themselves could leave an organisation with no admin; another admin must.
    throw new Forbidden("you cannot lower your own role");
  }
  return changeUser(deps, actor, input.userId, "user.update", () => set);
}

export async function deactivateUser(
  deps: UserDeps,
  actor: Actor,
  userId: string,
): Promise<UserRow> {
  if (userId === actor.subject) throw new Forbidden("you cannot deactivate yourself");
  return changeUser(deps, actor, userId, "user.deactivate", () => ({ status: "deactivated" }));
}
