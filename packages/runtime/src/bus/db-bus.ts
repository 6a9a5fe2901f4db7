import { EventEmitter } from "node:events";
import { sql } from "drizzle-orm";
import type { Database } from "../db/database.js";
import { rowsOf } from "../db/rows.js";
import type { BusEvent, EventBus, Subscription, Task, TaskControl, WorkQueue } from "./bus.js";
import { assertSubject, errorText, retryDelayMs, settleWithin, subjectMatches } from "./bus.js";

/** How often an idle consumer looks again for leases that expired or retries that came due. */
const IDLE_POLL_MS = 250;

/**
 * Waits until `emitter` fires `event` or `ms` pass, whichever is first. Enqueues and publishes in
 * this process fire the event, so work starts at once; the timeout covers leases that expire.
 */
function wake(
  emitter: EventEmitter,
  event: string,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      emitter.off(event, done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    emitter.on(event, done);
    signal.addEventListener("abort", done);
  });
}

/**
 * The work queue and event bus of the embedded mode, kept in the database (runtime schema), so a
 * restart loses nothing. Claims use `FOR UPDATE SKIP LOCKED`, so the same code is correct with
 * several processes on one PostgreSQL.
 */
export function createDatabaseBus(database: Database): { queue: WorkQueue; bus: EventBus } {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const loops = new Set<Subscription>();

  const queue: WorkQueue = {
    kind: "database",
    async enqueue(q, id, payload) {
      assertSubject(q, false);
      await database.withApp((tx) =>
        tx.execute(sql`INSERT INTO runtime.queue_messages (queue, id, payload)
          VALUES (${q}, ${id}, ${JSON.stringify(payload)}::jsonb) ON CONFLICT (queue, id) DO NOTHING`),
      );
      emitter.emit(`queue:${q}`);
    },

    async consume(q, handler, opts) {
      assertSubject(q, false);
      const stop = new AbortController();
      const running = new Set<Promise<void>>();
      const retryDelay = opts.retryDelay ?? retryDelayMs;
      const ackWait = `${opts.ackWaitMs} milliseconds`;

      const settle = (
        task: Task,
        state: "done" | "ready" | "dead",
        error: string | null,
        delayMs = 0,
      ) =>
        database.withApp((tx) =>
          tx.execute(sql`UPDATE runtime.queue_messages
            SET state = ${state}, last_error = ${error}, lease_until = NULL,
                available_at = now() + ${`${delayMs} milliseconds`}::interval
            WHERE queue = ${q} AND id = ${task.id} AND deliveries = ${task.delivery} AND state = 'leased'
            RETURNING id`),
        );

      async function run(task: Task): Promise<void> {
        if (task.delivery > opts.maxDeliver) {
          // The previous delivery's worker was lost on the last allowed try.
          const error = `worker lost after ${opts.maxDeliver} deliveries`;
          if (rowsOf(await settle(task, "dead", error)).length > 0)
            await opts.onDeadLetter?.(task, error);
          return;
        }
        const control: TaskControl = {
          async progress() {
            await database.withApp((tx) =>
              tx.execute(sql`UPDATE runtime.queue_messages SET lease_until = now() + ${ackWait}::interval
                WHERE queue = ${q} AND id = ${task.id} AND deliveries = ${task.delivery} AND state = 'leased'`),
            );
          },
        };
        try {
          await handler(task, control);
          await settle(task, "done", null);
        } catch (err) {
          const error = errorText(err);
          if (task.delivery >= opts.maxDeliver) {
            if (rowsOf(await settle(task, "dead", error)).length > 0)
              await opts.onDeadLetter?.(task, error);
          } else {
            await settle(task, "ready", error, retryDelay(task.delivery));
          }
        }
      }

      async function claim(n: number): Promise<Task[]> {
        const rows = rowsOf(
          await database.withApp((tx) =>
            tx.execute(sql`UPDATE runtime.queue_messages m
              SET state = 'leased', deliveries = m.deliveries + 1, lease_until = now() + ${ackWait}::interval
              WHERE (m.queue, m.id) IN (
                SELECT queue, id FROM runtime.queue_messages
                WHERE queue = ${q} AND ((state = 'ready' AND available_at <= now())
                   OR (state = 'leased' AND lease_until < now()))
                ORDER BY created_at, id LIMIT ${n} FOR UPDATE SKIP LOCKED)
              RETURNING m.id, m.payload, m.deliveries`),
          ),
        );
        return rows.map((r) => ({
          queue: q,
          id: String(r.id),
          payload: typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload,
          delivery: Number(r.deliveries),
        }));
      }

      const loop = (async () => {
        while (!stop.signal.aborted) {
          const free = opts.concurrency - running.size;
          const tasks = free > 0 ? await claim(free) : [];
          for (const t of tasks) {
            const p = run(t).finally(() => {
              running.delete(p);
              emitter.emit(`slot:${q}`);
            });
            running.add(p);
          }
          if (tasks.length === 0 || running.size >= opts.concurrency) {
            const event = running.size >= opts.concurrency ? `slot:${q}` : `queue:${q}`;
            await wake(emitter, event, IDLE_POLL_MS, stop.signal);
          }
        }
      })();

      const sub: Subscription = {
        async stop(graceMs = Number.POSITIVE_INFINITY) {
          stop.abort();
          await loop;
          await settleWithin([...running], graceMs);
          loops.delete(sub);
        },
      };
      loops.add(sub);
      return sub;
    },
    async close(graceMs?: number) {
      await Promise.all([...loops].map((l) => l.stop(graceMs)));
    },
  };

  const bus: EventBus = {
    kind: "database",
    async publish(subject, id, data) {
      assertSubject(subject, false);
      await database.withApp((tx) =>
        tx.execute(sql`INSERT INTO runtime.events (subject, msg_id, data)
          VALUES (${subject}, ${id}, ${JSON.stringify(data)}::jsonb) ON CONFLICT (msg_id) DO NOTHING`),
      );
      emitter.emit("events");
    },

    async subscribe(durable, filter, handler, opts) {
      assertSubject(filter, true);
      const start =
        opts?.from === "new" ? sql`(SELECT coalesce(max(seq), 0) FROM runtime.events)` : sql`0`;
      await database.withApp((tx) =>
        tx.execute(sql`INSERT INTO runtime.event_cursors (durable, last_seq) VALUES (${durable}, ${start})
          ON CONFLICT (durable) DO NOTHING`),
      );
      const stop = new AbortController();
      const loop = (async () => {
        while (!stop.signal.aborted) {
          const rows = rowsOf(
            await database.withApp((tx) =>
              tx.execute(sql`SELECT e.seq, e.subject, e.msg_id, e.data FROM runtime.events e, runtime.event_cursors c
                WHERE c.durable = ${durable} AND e.seq > c.last_seq ORDER BY e.seq LIMIT 100`),
            ),
          );
          for (const r of rows) {
            if (stop.signal.aborted) break;
            const event: BusEvent = {
              subject: String(r.subject),
              id: String(r.msg_id),
              data: typeof r.data === "string" ? JSON.parse(r.data) : r.data,
            };
            if (subjectMatches(filter, event.subject)) {
              try {
                await handler(event);
              } catch {
                // Not acknowledged: delivered again on the next pass, after a pause.
                await wake(emitter, "never", 1000, stop.signal);
                break;
              }
            }
            await database.withApp((tx) =>
              tx.execute(
                sql`UPDATE runtime.event_cursors SET last_seq = ${Number(r.seq)} WHERE durable = ${durable}`,
              ),
            );
          }
          if (rows.length === 0) await wake(emitter, "events", IDLE_POLL_MS * 4, stop.signal);
        }
      })();
      const sub: Subscription = {
        async stop(graceMs = Number.POSITIVE_INFINITY) {
          stop.abort();
          await settleWithin([loop], graceMs);
          loops.delete(sub);
        },
      };
      loops.add(sub);
      return sub;
    },
    async close(graceMs?: number) {
      await Promise.all([...loops].map((l) => l.stop(graceMs)));
    },
  };

  return { queue, bus };
}
