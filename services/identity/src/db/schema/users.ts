import { integer, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { identitySchema, lifecycleDates } from "./identity-schema.js";

/**
 * Users: each belongs to one organisation with one role. Emails are stored lower-cased and are
 * unique across the platform, so a login by email finds exactly one user.
 */
export const users = identitySchema.table(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(), // RLS key
    email: text("email").notNull(),
    displayName: text("display_name").notNull(),
    /** viewer | member | org_admin | super_admin */
    role: text("role").notNull(),
    /** invited | active | deactivated */
    status: text("status").notNull().default("active"),
    /** argon2id PHC string; null until the user sets a password (OIDC-only users). */
    passwordHash: text("password_hash"),
    failedLogins: integer("failed_logins").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    ...lifecycleDates,
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email)],
);
