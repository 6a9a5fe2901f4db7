/**
 * The transactional outbox: an event row is written in the same transaction as the change it
 * announces, and the relay publishes it afterwards with the row's id as the bus message id, so
 * a crash between publishing and marking it published only repeats a message consumers dedupe.
 */
import type { Database, EventBus, Tx } from "@portal/runtime";
import { CROSS_ORG_ROLE, rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { json, str } from "./sql-values.js";

/** Adds an event to the outbox inside the caller's transaction; an existing id is kept. */
export async function addToOutbox(
  tx: Tx,
  orgId: string,
  id: string,
  subject: string,
  payload: unknown,
): Promise<void> {
  await tx.execute(sql`INSERT INTO runs.outbox (id, org_id, subject, payload)
    VALUES (${id}, ${orgId}, ${subject}, ${JSON.stringify(payload)}::jsonb) ON CONFLICT (id) DO NOTHING`);
}

/** Publishes every unpublished outbox row once; returns how many it published. */
export async function relayOutbox(db: Database, bus: EventBus): Promise<number> {
  // Ids and organisations only, across organisations (runs migration 0001's narrow policy).
  const pending = await db.withRole(CROSS_ORG_ROLE, async (tx) =>
    rowsOf(
      await tx.execute(
        sql`SELECT id, org_id FROM runs.outbox WHERE published_at IS NULL LIMIT 200`,
      ),
    ),
  );
  let published = 0;
  for (const p of pending) {
    const id = str(p.id);
    const orgId = str(p.org_id);
    const row = await db.withOrg(
      orgId,
      async (tx) =>
        rowsOf(
          await tx.execute(sql`SELECT subject, payload FROM runs.outbox
          WHERE id = ${id} AND published_at IS NULL`),
        )[0],
    );
    if (!row) continue; // another relay published it meanwhile
    // Published outside any transaction: the embedded bus writes to the same database (one
    // PGlite connection), and a crash before the mark below only repeats a deduplicated message.
    await bus.publish(str(row.subject), id, json(row.payload));
    await db.withOrg(orgId, (tx) =>
      tx.execute(
        sql`UPDATE runs.outbox SET published_at = now() WHERE id = ${id} AND published_at IS NULL`,
      ),
    );
    published += 1;
  }
  return published;
}
