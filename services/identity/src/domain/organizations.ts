import type { Database } from "@portal/runtime";
import { asc, eq } from "drizzle-orm";
import type { Branding } from "../db/schema/index.js";
import { organizations } from "../db/schema/index.js";
import { Conflict, Forbidden, NotFound } from "./errors.js";
import type { Actor } from "./scope.js";
import { crossOrg, inOrgScope, isSuperAdmin, isUniqueViolation, logAdminChange } from "./scope.js";
import { parseColor, parseHttpsUrl, parseName, parseSlug, parseUuid } from "./validate.js";

export type OrganizationRow = typeof organizations.$inferSelect;

export interface BrandingInput {
  displayName: string;
  primaryColor: string;
  logoUrl: string;
}

/** Checks branding field by field; empty fields are left out. */
export function parseBranding(field: string, b: BrandingInput | undefined): Branding {
  const out: Branding = {};
  if (!b) return out;
  if (b.displayName) out.displayName = parseName(`${field}.display_name`, b.displayName);
  if (b.primaryColor) out.primaryColor = parseColor(`${field}.primary_color`, b.primaryColor);
  if (b.logoUrl) out.logoUrl = parseHttpsUrl(`${field}.logo_url`, b.logoUrl);
  return out;
}

export async function createOrganization(
  db: Database,
  actor: Actor,
  input: { slug: string; name: string; branding?: BrandingInput | undefined },
  now: Date,
): Promise<OrganizationRow> {
  const values = {
    slug: parseSlug("slug", input.slug),
    name: parseName("name", input.name),
    branding: parseBranding("branding", input.branding),
    createdAt: now,
    updatedAt: now,
  };
  try {
    return await crossOrg(db, actor, async (tx) => {
      const [row] = await tx.insert(organizations).values(values).returning();
      if (!row) throw new Error("insert returned no row");
      await logAdminChange(tx, actor, now, {
        orgId: row.id,
        action: "organization.create",
        targetType: "organization",
        targetId: row.id,
        before: null,
        after: row,
      });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`slug ${values.slug} is already taken`);
    throw err;
  }
}

export async function listOrganizations(
  db: Database,
  actor: Actor,
  page: { offset: number; limit: number },
): Promise<OrganizationRow[]> {
  return crossOrg(db, actor, async (tx) => {
    const rows = await tx
      .select()
      .from(organizations)
      .orderBy(asc(organizations.slug))
      .limit(page.limit)
      .offset(page.offset);
    return rows;
  });
}

export async function getOrganization(
  db: Database,
  actor: Actor,
  orgIdInput: string,
): Promise<OrganizationRow> {
  const orgId = parseUuid("org_id", orgIdInput);
  const row = await inOrgScope(db, actor, orgId, async (tx) => {
    const [r] = await tx.select().from(organizations).where(eq(organizations.id, orgId));
    return r;
  });
  if (!row) throw new NotFound(`organisation ${orgId} not found`);
  return row;
}

async function changeOrganization(
  db: Database,
  actor: Actor,
  orgIdInput: string,
  action: string,
  patch: Partial<Pick<OrganizationRow, "name" | "branding" | "status">>,
  now: Date,
): Promise<OrganizationRow> {
  const orgId = parseUuid("org_id", orgIdInput);
  return inOrgScope(db, actor, orgId, async (tx) => {
    const [before] = await tx
      .select()
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .for("update");
    if (!before) throw new NotFound(`organisation ${orgId} not found`);
    const [after] = await tx
      .update(organizations)
      .set({ ...patch, updatedAt: now })
      .where(eq(organizations.id, orgId))
      .returning();
    if (!after) throw new NotFound(`organisation ${orgId} not found`);
    await logAdminChange(tx, actor, now, {
      orgId,
      action,
      targetType: "organization",
      targetId: orgId,
      before,
      after,
    });
    return after;
  });
}

export async function updateOrganization(
  db: Database,
  actor: Actor,
  orgId: string,
  input: { name?: string | undefined; branding?: BrandingInput | undefined },
  now: Date,
): Promise<OrganizationRow> {
  const patch: Partial<Pick<OrganizationRow, "name" | "branding">> = {};
  if (input.name !== undefined) patch.name = parseName("name", input.name);
  if (input.branding !== undefined) patch.branding = parseBranding("branding", input.branding);
  return changeOrganization(db, actor, orgId, "organization.update", patch, now);
}

export async function deactivateOrganization(
  db: Database,
  actor: Actor,
  orgId: string,
  now: Date,
): Promise<OrganizationRow> {
  if (!isSuperAdmin(actor)) throw new Forbidden("requires role super_admin");
  return changeOrganization(
    db,
    actor,
    orgId,
    "organization.deactivate",
    { status: "deactivated" },
    now,
  );
}
