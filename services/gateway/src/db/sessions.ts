import { char, pgSchema, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** The gateway's Postgres schema: browser sessions. */
export const gatewaySchema = pgSchema("gateway");

/**
 * Server-side browser sessions. The cookie carries a random token; only its SHA-256 is stored, with
 * the SHA-256 of the session's CSRF token. Revoked sessions are kept (revoked_at) until they expire.
 */
export const sessions = gatewaySchema.table(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(), // RLS key
    userId: uuid("user_id").notNull(),
    role: text("role").notNull(),
    tokenHash: char("token_hash", { length: 64 }).notNull(),
    csrfHash: char("csrf_hash", { length: 64 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("sessions_token_hash_uq").on(t.tokenHash)],
);
