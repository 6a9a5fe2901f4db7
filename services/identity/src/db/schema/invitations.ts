import { char, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { identitySchema } from "./identity-schema.js";

/**
 * Invitations: an org admin invites an email with a role; the user exists as `invited` until the
 * mailed token is used (password set) or an OIDC login with that email arrives. Only the token's
 * SHA-256 is stored; single use, expiring. A fresh invitation revokes the earlier ones.
 */
export const invitations = identitySchema.table(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(), // RLS key
    userId: uuid("user_id").notNull(),
    email: text("email").notNull(),
    role: text("role").notNull(),
    tokenHash: char("token_hash", { length: 64 }).notNull(),
    invitedBy: text("invited_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** set when accepted (password or OIDC) or superseded by a newer invitation */
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("invitations_token_hash_uq").on(t.tokenHash)],
);
