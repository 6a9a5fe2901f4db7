/**
 * What workers report, applied to the run's tasks. Every handler is idempotent: events are
 * delivered at least once, and each update is guarded by the task's attempt and status, so a
 * repeat, or a report from a superseded delivery, changes nothing.
 */

import type { Database } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type {
  TaskLog,
  TaskProgress,
  TaskResult,
  TaskStarted,
} from "@portal/sampler-service/contract";
import { sql } from "drizzle-orm";
import { str } from "./sql-values.js";

const ACTIVE = sql`('queued', 'running')`;

/**
 * Marks a task running; returns the run's status (a worker on a cancelled run is told again). The
 * run's row is locked before the task's, in the order of `cancelRun` and `applyResult`: the other
 * order deadlocked with a cancellation that arrived while a second task started (PostgreSQL then
 * aborted the cancellation, which the user saw as an internal error).
 */
export async function applyStarted(db: Database, e: TaskStarted): Promise<string | undefined> {
  return db.withOrg(e.orgId, async (tx) => {
    const run = rowsOf(
      await tx.execute(sql`UPDATE runs.model_runs SET status = CASE WHEN status = 'pending' THEN 'running' ELSE status END,
          updated_at = now()
        WHERE id = ${e.runId} RETURNING status`),
    )[0];
    await tx.execute(sql`UPDATE runs.run_tasks
      SET status = 'running', worker = ${e.worker}, deliveries = greatest(deliveries, ${e.delivery}),
          progress = 0, started_at = coalesce(started_at, ${e.startedAt}::timestamptz), updated_at = now()
      WHERE run_id = ${e.runId} AND task_id = ${e.taskId} AND attempt = ${e.attempt} AND status IN ${ACTIVE}`);
    return run ? str(run.status) : undefined;
  });
}

export async function applyProgress(db: Database, e: TaskProgress): Promise<void> {
  await db.withOrg(e.orgId, (tx) =>
    tx.execute(sql`UPDATE runs.run_tasks SET progress = ${Math.min(1, Math.max(0, e.fraction))}, updated_at = now()
      WHERE run_id = ${e.runId} AND task_id = ${e.taskId} AND attempt = ${e.attempt}
        AND deliveries = ${e.delivery} AND status = 'running'`),
  );
}

export async function applyLog(db: Database, e: TaskLog): Promise<void> {
  await db.withOrg(e.orgId, (tx) =>
    tx.execute(sql`INSERT INTO runs.run_logs (org_id, run_id, task_id, attempt, delivery, line, level, message, logged_at)
      VALUES (${e.orgId}, ${e.runId}, ${e.taskId}, ${e.attempt}, ${e.delivery}, ${e.line}, ${e.level},
        ${e.message.slice(0, 4000)}, ${e.at}::timestamptz)
      ON CONFLICT (run_id, task_id, attempt, delivery, line) DO NOTHING`),
  );
}

/**
 * Records a task's outcome once per attempt. Returns whether it was recorded and whether every
 * task of the run has now finished (the caller then finalizes).
 */
export async function applyResult(
  db: Database,
  e: TaskResult,
): Promise<{ recorded: boolean; allFinished: boolean }> {
  return db.withOrg(e.orgId, async (tx) => {
    const run = rowsOf(
      await tx.execute(sql`SELECT status FROM runs.model_runs WHERE id = ${e.runId} FOR UPDATE`),
    )[0];
    if (!run) return { recorded: false, allFinished: false };
    // A worker that stopped a task of a run still running (a stale cancel) did not finish it.
    const status =
      e.status === "cancelled" && str(run.status) !== "cancelled" ? "failed" : e.status;
    const updated = rowsOf(
      await tx.execute(sql`UPDATE runs.run_tasks
        SET status = ${status}, worker = ${e.worker}, error = ${e.error ?? null},
            result = ${e.windows ? JSON.stringify(e.windows) : null}::jsonb,
            progress = CASE WHEN ${status} = 'succeeded' THEN 1 ELSE progress END,
            finished_at = now(), updated_at = now()
        WHERE run_id = ${e.runId} AND task_id = ${e.taskId} AND attempt = ${e.attempt} AND status IN ${ACTIVE}
        RETURNING task_id`),
    );
    const left = rowsOf(
      await tx.execute(sql`SELECT count(*)::int AS n FROM runs.run_tasks
        WHERE run_id = ${e.runId} AND status IN ${ACTIVE}`),
    )[0];
    return { recorded: updated.length > 0, allFinished: Number(left?.n) === 0 };
  });
}
