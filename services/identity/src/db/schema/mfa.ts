import { bigint, char, integer, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { identitySchema } from "./identity-schema.js";

/** A user's TOTP second factor: pending until the first code verifies, then enabled. */
export const mfaFactors = identitySchema.table("mfa_factors", {
  userId: uuid("user_id").primaryKey(),
  orgId: uuid("org_id").notNull(), // RLS key
  /** the base32 TOTP secret, encrypted (AES-256-GCM, domain/secret-box.ts) */
  secret: text("secret").notNull(),
  /** the last 30-second step a code was accepted for: a code is good once (replay guard) */
  lastUsedStep: bigint("last_used_step", { mode: "number" }),
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

/**
 * A login waiting for its second factor: the password was right, the code is still due. Only the
 * token's SHA-256 is stored; single use, short-lived, a few attempts.
 */
export const mfaChallenges = identitySchema.table(
  "mfa_challenges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(), // RLS key
    userId: uuid("user_id").notNull(),
    tokenHash: char("token_hash", { length: 64 }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("mfa_challenges_token_hash_uq").on(t.tokenHash)],
);
