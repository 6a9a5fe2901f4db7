import { bigserial, index, jsonb, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { identitySchema } from "./identity-schema.js";

/**
 * Access log: logins, logouts, failures and API key use. Append-only: the application roles may
 * insert and read, never update or delete (migration 0001). `org_id` is null for a failure whose
 * email matched no user.
 */
export const accessLogs = identitySchema.table(
  "access_logs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: uuid("org_id"), // RLS key
    /** the user or API key, when known */
    subject: text("subject"),
    /** login | login_failed | logout | key_used | ... */
    event: text("event").notNull(),
    /** why a failure failed (never a secret) */
    detail: text("detail"),
    at: timestamp("at", { withTimezone: true }).notNull(),
  },
  (t) => [index("access_logs_org_at_idx").on(t.orgId, t.at)],
);

/** Admin log: every change an admin makes, with the row before and after. Append-only. */
export const adminLogs = identitySchema.table(
  "admin_logs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** the organisation whose data changed (RLS key) */
    orgId: uuid("org_id"),
    actorSubject: text("actor_subject").notNull(),
    actorOrgId: text("actor_org_id").notNull(),
    actorRole: text("actor_role").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    at: timestamp("at", { withTimezone: true }).notNull(),
  },
  (t) => [index("admin_logs_org_at_idx").on(t.orgId, t.at)],
);
