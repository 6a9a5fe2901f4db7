import { createHash, randomBytes } from "node:crypto";
import type { Role } from "@portal/api";
import type { Database } from "@portal/runtime";
import { LOGIN_ROLE } from "@portal/runtime";
import { and, desc, eq } from "drizzle-orm";
import { accessLogs, apiKeys, organizations } from "../db/schema/index.js";
import { CredentialRefused, Forbidden, InvalidInput, NotFound } from "./errors.js";
import type { UserRole } from "./roles.js";
import { parseUserRole, roleOf } from "./roles.js";
import type { Actor } from "./scope.js";
import { inOrgScope, isSuperAdmin, logAdminChange } from "./scope.js";
import { parseName, parseUuid } from "./validate.js";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

const KEY_PREFIX = "sk_live_";
/** 32 random bytes, base64url: 43 characters after the prefix. */
const KEY_FORMAT = /^sk_live_[A-Za-z0-9_-]{43}$/;
const MAX_EXPIRY_DAYS = 3650;

export const isApiKey = (s: string) => s.startsWith(KEY_PREFIX);
export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export interface ApiKeyDeps {
  db: Database;
  now: () => Date;
  /** Random bytes; tests may inject a seeded source. */
  random?: (n: number) => Buffer;
}

/** Issues a key. The key itself is returned once and only its SHA-256 is stored. */
export async function createApiKey(
  deps: ApiKeyDeps,
  actor: Actor,
  input: { orgId: string; name: string; role: Role; expiresInDays: number },
): Promise<{ key: string; row: ApiKeyRow }> {
  const orgId = parseUuid("org_id", input.orgId);
  const name = parseName("name", input.name);
  const role = parseUserRole("role", input.role);
  if (role === "super_admin") throw new InvalidInput("role", "API keys cannot be super_admin");
  if (!isSuperAdmin(actor) && roleOf(role) > actor.role) {
    throw new Forbidden("an API key cannot have a higher role than its creator");
  }
  if (input.expiresInDays < 0 || input.expiresInDays > MAX_EXPIRY_DAYS) {
    throw new InvalidInput("expires_in_days", `must be between 0 and ${MAX_EXPIRY_DAYS}`);
  }
  const now = deps.now();
  const key = KEY_PREFIX + (deps.random ?? randomBytes)(32).toString("base64url");
  const expiresAt = input.expiresInDays
    ? new Date(now.getTime() + input.expiresInDays * 86_400_000)
    : null;
  const row = await inOrgScope(deps.db, actor, orgId, async (tx) => {
    const [r] = await tx
      .insert(apiKeys)
      .values({
        orgId,
        name,
        keyHash: hashKey(key),
        prefix: key.slice(0, KEY_PREFIX.length + 4),
        role,
        createdBy: actor.subject,
        createdAt: now,
        expiresAt,
      })
      .returning();
    if (!r) throw new Error("insert returned no row");
    await logAdminChange(tx, actor, now, {
      orgId,
      action: "api_key.create",
      targetType: "api_key",
      targetId: r.id,
      before: null,
      after: { ...r, keyHash: undefined },
    });
    return r;
  });
  return { key, row };
}

export async function listApiKeys(db: Database, actor: Actor, orgId: string): Promise<ApiKeyRow[]> {
  const org = parseUuid("org_id", orgId);
  return inOrgScope(db, actor, org, (tx) =>
    tx.select().from(apiKeys).where(eq(apiKeys.orgId, org)).orderBy(desc(apiKeys.createdAt)),
  );
}

export async function revokeApiKey(
  deps: ApiKeyDeps,
  actor: Actor,
  keyId: string,
): Promise<ApiKeyRow> {
  const id = parseUuid("api_key_id", keyId);
  const now = deps.now();
  // Org admins see their own organisation's keys only (RLS); super admins any.
  return inOrgScope(deps.db, actor, actor.orgId, async (tx) => {
    const [before] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for("update");
    if (!before) throw new NotFound(`API key ${id} not found`);
    const [after] = await tx
      .update(apiKeys)
      .set({ revokedAt: before.revokedAt ?? now })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, before.orgId)))
      .returning();
    if (!after) throw new NotFound(`API key ${id} not found`);
    await logAdminChange(tx, actor, now, {
      orgId: before.orgId,
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: id,
      before: { ...before, keyHash: undefined },
      after: { ...after, keyHash: undefined },
    });
    return after;
  });
}

/**
 * Turns a presented key into the organisation and role it acts for. The lookup runs as
 * `portal_login` (the organisation is not known yet); use is then recorded for the organisation.
 */
export async function authenticateApiKey(
  deps: ApiKeyDeps,
  key: string,
): Promise<{ id: string; orgId: string; role: UserRole }> {
  const now = deps.now();
  if (!KEY_FORMAT.test(key)) throw new CredentialRefused("malformed API key");
  const [found] = await deps.db.withRole(LOGIN_ROLE, (tx) =>
    tx
      .select({
        id: apiKeys.id,
        orgId: apiKeys.orgId,
        role: apiKeys.role,
        expiresAt: apiKeys.expiresAt,
        revokedAt: apiKeys.revokedAt,
        orgStatus: organizations.status,
      })
      .from(apiKeys)
      .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
      .where(eq(apiKeys.keyHash, hashKey(key))),
  );
  if (!found) throw new CredentialRefused("unknown API key");
  const refusal =
    found.revokedAt !== null
      ? "API key revoked"
      : found.expiresAt !== null && found.expiresAt <= now
        ? "API key expired"
        : found.orgStatus !== "active"
          ? "organisation deactivated"
          : undefined;
  await deps.db.withOrg(found.orgId, async (tx) => {
    if (!refusal) {
      await tx.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, found.id));
    }
    await tx.insert(accessLogs).values({
      orgId: found.orgId,
      subject: `key:${found.id}`,
      event: refusal ? "key_refused" : "key_used",
      detail: refusal ?? null,
      at: now,
    });
  });
  if (refusal) throw new CredentialRefused(refusal);
  return { id: found.id, orgId: found.orgId, role: found.role as UserRole };
}
