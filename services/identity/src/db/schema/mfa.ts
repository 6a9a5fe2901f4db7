import { char, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { identitySchema } from "./identity-schema.js";

/** A user's TOTP second factor: pending until the first code verifies, then enabled. */
export const mfaFactors = identitySchema.table("mfa_factors", {
  userId: uuid("user_id").primaryKey(),
  orgId: uuid("org_id").notNull(), // RLS key
  /** base32 TOTP secret */
  secret: text("secret").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  enabledAt: timestamp("enabled_at", { withTimezone: true }),
});

/** One-time recovery codes for a user's second factor, stored as SHA-256. */
export const mfaRecoveryCodes = identitySchema.table(
  "mfa_recovery_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(), // RLS key
    userId: uuid("user_id").notNull(),
    codeHash: char("code_hash", { length: 64 }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("mfa_recovery_codes_hash_uq").on(t.userId, t.codeHash)],
);
