import type { Database, Tx, WorkQueue } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { SUBJECTS } from "@portal/sampler-service/contract";
import { sql } from "drizzle-orm";
import { dispatch, queuedTasks } from "./dispatch.js";
import { notFound, precondition } from "./errors.js";
import { addToOutbox } from "./outbox.js";
import { str } from "./sql-values.js";

const ACTIVE_RUN = ["pending", "running"];

/** The highest attempt of a run's tasks: a cancellation stops attempts up to it. */
export async function maxAttempt(tx: Tx, runId: string): Promise<number> {
  const r = rowsOf(
    await tx.execute(
      sql`SELECT max(attempt)::int AS a FROM runs.run_tasks WHERE run_id = ${runId}`,
    ),
  )[0];
  return Number(r?.a ?? 1);
}

/**
 * Cancels a pending or running run: its unfinished tasks are cancelled and the cancellation goes
 * out through the outbox, which tells workers to stop those tasks.
 */
export async function cancelRun(
  db: Database,
  orgId: string,
  runId: string,
  reason = "cancelled by a user",
): Promise<void> {
  await db.withOrg(orgId, async (tx) => {
    const run = rowsOf(
      await tx.execute(sql`SELECT status FROM runs.model_runs WHERE id = ${runId} FOR UPDATE`),
    )[0];
    if (!run) throw notFound(`run ${runId} not found`);
    const status = str(run.status);
    if (status === "cancelled") return;
    if (!ACTIVE_RUN.includes(status))
      throw precondition(
        `run ${runId} is ${status}; only a pending or running run can be cancelled`,
      );
    await tx.execute(sql`UPDATE runs.model_runs SET status = 'cancelled', error = ${reason},
        finished_at = now(), updated_at = now() WHERE id = ${runId}`);
    await tx.execute(sql`UPDATE runs.run_tasks SET status = 'cancelled', finished_at = now(), updated_at = now()
      WHERE run_id = ${runId} AND status IN ('queued', 'running')`);
    await addToOutbox(tx, orgId, `run-cancelled:${runId}`, SUBJECTS.runCancelled, {
      runId,
      orgId,
      reason,
      upToAttempt: await maxAttempt(tx, runId),
    });
  });
}

/** Re-queues the failed tasks of a failed run as new attempts; finished tasks keep their results. */
export async function retryRun(
  db: Database,
  queue: WorkQueue,
  orgId: string,
  runId: string,
): Promise<void> {
  const tasks = await db.withOrg(orgId, async (tx) => {
    const run = rowsOf(
      await tx.execute(sql`SELECT status FROM runs.model_runs WHERE id = ${runId} FOR UPDATE`),
    )[0];
    if (!run) throw notFound(`run ${runId} not found`);
    if (str(run.status) !== "failed")
      throw precondition(`run ${runId} is ${str(run.status)}; only a failed run can be retried`);
    const retried = rowsOf(
      await tx.execute(sql`UPDATE runs.run_tasks
        SET status = 'queued', attempt = attempt + 1, deliveries = 0, progress = 0, error = NULL,
            result = NULL, worker = NULL, started_at = NULL, finished_at = NULL,
            dispatched_at = now(), updated_at = now()
        WHERE run_id = ${runId} AND status IN ('failed', 'cancelled') RETURNING task_id`),
    ).map((r) => str(r.task_id));
    // The run gets its timeout again from now.
    await tx.execute(sql`UPDATE runs.model_runs SET status = 'running', error = NULL, finished_at = NULL,
        timeout_at = now() + (timeout_at - created_at), updated_at = now() WHERE id = ${runId}`);
    return queuedTasks(tx, runId, retried);
  });
  await dispatch(queue, tasks);
}
