import { jsonb, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { identitySchema, lifecycleDates } from "./identity-schema.js";

/** Display settings an organisation may set for its users' portal. */
export interface Branding {
  displayName?: string;
  primaryColor?: string;
  logoUrl?: string;
}

/**
 * Organisations (tenants). RLS keys this table on `id` rather than `org_id`: an organisation sees
 * only its own row; super admins reach all rows through the audited cross-organisation role.
 */
export const organizations = identitySchema.table(
  "organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    branding: jsonb("branding").$type<Branding>().notNull().default({}),
    /** active | deactivated (organisations are never hard-deleted) */
    status: text("status").notNull().default("active"),
    ...lifecycleDates,
  },
  (t) => [uniqueIndex("organizations_slug_uq").on(t.slug)],
);
