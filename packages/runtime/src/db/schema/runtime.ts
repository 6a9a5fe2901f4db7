import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/** Tables the runtime itself owns: the embedded queue and event log, and the outbox. */
export const runtimeSchema = pgSchema("runtime");

/** Work-queue messages of the database-backed queue (embedded mode). */
export const queueMessages = runtimeSchema.table(
  "queue_messages",
  {
    queue: text("queue").notNull(),
    id: text("id").notNull(),
    payload: jsonb("payload").notNull(),
    /** ready | leased | done | dead */
    state: text("state").notNull().default("ready"),
    deliveries: integer("deliveries").notNull().default(0),
    availableAt: timestamp("available_at", { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.queue, t.id] }),
    index("queue_messages_claim_idx").on(t.queue, t.state, t.availableAt),
  ],
);

/** Events of the database-backed bus (embedded mode), in publication order. */
export const events = runtimeSchema.table(
  "events",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    subject: text("subject").notNull(),
    /** Publisher's id for deduplication: publishing the same id twice stores one event. */
    msgId: text("msg_id").notNull().unique(),
    data: jsonb("data").notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("events_subject_idx").on(t.subject, t.seq)],
);

/** How far each durable subscriber has read the event log. */
export const eventCursors = runtimeSchema.table("event_cursors", {
  durable: text("durable").primaryKey(),
  lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
});
