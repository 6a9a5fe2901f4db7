import type { Role } from "@portal/api";
import type { Database } from "@portal/runtime";
import { LOGIN_ROLE } from "@portal/runtime";
import { and, eq, isNull } from "drizzle-orm";
import { accessLogs, invitations, organizations, users } from "../db/schema/index.js";
import { Conflict, CredentialRefused } from "./errors.js";
import type { LoggedIn } from "./login.js";
import type { Mailer } from "./mailer.js";
import { newToken, sha256 } from "./mfa.js";
import type { PasswordParams } from "./passwords.js";
import { hashPassword } from "./passwords.js";
import type { UserRole } from "./roles.js";
import { parseUserRole } from "./roles.js";
import type { Actor } from "./scope.js";
import { inOrgScope, isUniqueViolation, logAdminChange } from "./scope.js";
import { checkGrant } from "./users.js";
import { parseEmail, parseName, parsePassword, parseUuid } from "./validate.js";

/** An invitation link works this long. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type InvitationRow = typeof invitations.$inferSelect;

export interface InvitationDeps {
  db: Database;
  now: () => Date;
  mailer: Mailer;
  passwordParams: PasswordParams;
  /** Where users reach the portal: the mailed link is `<base>/invite#token=…`. */
  publicBaseUrl: string;
  random?: (n: number) => Buffer;
}

/** The invitation as logs and responses may show it: never the token hash. */
const publicInvitation = ({ tokenHash: _, ...rest }: InvitationRow) => rest;

/**
 * Invites `email` into an organisation with a role: the user is created as `invited` (no password)
 * and a single-use link is mailed. Inviting an address that is still invited in the same
 * organisation sends a fresh link and retires the earlier ones; any other existing address is a
 * conflict. Org admins invite into their own organisation only.
 */
export async function createInvitation(
  deps: InvitationDeps,
  actor: Actor,
  input: { orgId: string; email: string; role: Role; displayName: string },
): Promise<InvitationRow> {
  const orgId = parseUuid("org_id", input.orgId);
  const email = parseEmail("email", input.email);
  const role = parseUserRole("role", input.role);
  const displayName =
    input.displayName.trim() === "" ? email : parseName("display_name", input.displayName);
  checkGrant(actor, role);
  const now = deps.now();
  const token = newToken(deps);
  let invitation: InvitationRow;
  try {
    invitation = await inOrgScope(deps.db, actor, orgId, async (tx) => {
      const [existing] = await tx
        .select()
        .from(users)
        .where(and(eq(users.email, email), eq(users.orgId, orgId)))
        .for("update");
      if (existing && existing.status !== "invited") {
        throw new Conflict(`email ${email} is already registered`);
      }
      let userId = existing?.id;
      if (existing) {
        await tx
          .update(users)
          .set({ role, displayName, updatedAt: now })
          .where(eq(users.id, existing.id));
        await tx
          .update(invitations)
          .set({ usedAt: now })
          .where(and(eq(invitations.userId, existing.id), isNull(invitations.usedAt)));
      } else {
        const [u] = await tx
          .insert(users)
          .values({
            orgId,
            email,
            displayName,
            role,
            status: "invited",
            createdAt: now,
            updatedAt: now,
          })
          .returning({ id: users.id });
        userId = u?.id;
      }
      if (!userId) throw new Error("insert returned no user");
      const [row] = await tx
        .insert(invitations)
        .values({
          orgId,
          userId,
          email,
          role,
          tokenHash: sha256(token),
          invitedBy: actor.subject,
          createdAt: now,
          expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        })
        .returning();
      if (!row) throw new Error("insert returned no invitation");
      await logAdminChange(tx, actor, now, {
        orgId,
        action: "invitation.create",
        targetType: "invitation",
        targetId: row.id,
        before: null,
        after: publicInvitation(row),
      });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`email ${email} is already registered`);
    throw err;
  }
  await deps.mailer.send({
    to: email,
    subject: "You are invited to the portal",
    text: `You have been invited to the portal as ${role}. Open this link within 7 days to set your password:\n\n${deps.publicBaseUrl.replace(/\/$/, "")}/invite#token=${token}\n\nYour organisation may also let you sign in with its single sign-on using this address.`,
  });
  return invitation;
}

/** Finds a live invitation by its token (before the organisation is known). */
async function findByToken(db: Database, token: string, now: Date) {
  if (!TOKEN.test(token)) throw new CredentialRefused("malformed invitation token");
  const [inv] = await db.withRole(LOGIN_ROLE, (tx) =>
    tx
      .select({
        id: invitations.id,
        orgId: invitations.orgId,
        userId: invitations.userId,
        role: invitations.role,
        expiresAt: invitations.expiresAt,
        usedAt: invitations.usedAt,
        orgStatus: organizations.status,
      })
      .from(invitations)
      .innerJoin(organizations, eq(organizations.id, invitations.orgId))
      .where(eq(invitations.tokenHash, sha256(token))),
  );
  if (!inv) throw new CredentialRefused("unknown invitation token");
  if (inv.usedAt) throw new CredentialRefused("invitation already used or replaced by a newer one");
  if (inv.expiresAt <= now) throw new CredentialRefused("invitation expired: ask for a new one");
  if (inv.orgStatus !== "active") throw new CredentialRefused("the organisation is deactivated");
  return inv;
}

/** Accepts an invitation: sets the password, activates the user and uses the token up. */
export async function acceptInvitation(
  deps: InvitationDeps,
  input: { token: string; password: string },
): Promise<LoggedIn> {
  const password = parsePassword("password", input.password);
  const now = deps.now();
  const inv = await findByToken(deps.db, input.token, now);
  const hash = await hashPassword(password, deps.passwordParams);
  await deps.db.withOrg(inv.orgId, async (tx) => {
    const claimed = await tx
      .update(invitations)
      .set({ usedAt: now })
      .where(and(eq(invitations.id, inv.id), isNull(invitations.usedAt)))
      .returning({ id: invitations.id });
    if (claimed.length === 0) throw new CredentialRefused("invitation already used");
    const activated = await tx
      .update(users)
      .set({ passwordHash: hash, passwordChangedAt: now, status: "active", updatedAt: now })
      .where(and(eq(users.id, inv.userId), eq(users.status, "invited")))
      .returning({ id: users.id });
    if (activated.length === 0) throw new CredentialRefused("the invited user was deactivated");
    await tx.insert(accessLogs).values({
      orgId: inv.orgId,
      subject: inv.userId,
      event: "invitation_accepted",
      detail: "password",
      at: now,
    });
  });
  return { userId: inv.userId, orgId: inv.orgId, role: inv.role as UserRole };
}
