import { char, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { identitySchema } from "./identity-schema.js";

/** Password reset tokens: single-use, expiring, stored as SHA-256. */
export const passwordResetTokens = identitySchema.table(
  "password_reset_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(), // RLS key
    userId: uuid("user_id").notNull(),
    tokenHash: char("token_hash", { length: 64 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("password_reset_tokens_hash_uq").on(t.tokenHash)],
);
