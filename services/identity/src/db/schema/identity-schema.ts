import { pgSchema, timestamp } from "drizzle-orm/pg-core";

/** The identity service's Postgres schema: organisations, users, credentials and the audit logs. */
export const identitySchema = pgSchema("identity");

/** created_at / updated_at, set by the application from its injected clock. */
export const lifecycleDates = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};
