import { char, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { identitySchema } from "./identity-schema.js";

/** API keys (`sk_live_…`): only the SHA-256 of the key is kept; the key is shown once. */
export const apiKeys = identitySchema.table(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(), // RLS key
    name: text("name").notNull(),
    /** hex SHA-256 of the whole key */
    keyHash: char("key_hash", { length: 64 }).notNull(),
    /** the first characters of the key, to tell keys apart in lists */
    prefix: text("prefix").notNull(),
    role: text("role").notNull(),
    createdBy: uuid("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_key_hash_uq").on(t.keyHash)],
);
