import type { Tx, WorkQueue } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { FitTask } from "@portal/sampler-service/contract";
import { TASK_QUEUE } from "@portal/sampler-service/contract";
import { sql } from "drizzle-orm";
import { json, str } from "./sql-values.js";

/** Tasks of a run that are queued, as the sampler receives them. */
export async function queuedTasks(tx: Tx, runId: string, only?: string[]): Promise<FitTask[]> {
  const rows = rowsOf(
    await tx.execute(sql`SELECT t.task_id, t.attempt, t.window_end, t.fund_identity_hash,
        f.data_hash, f.input_key, f.input_sha256, r.org_id, r.config, r.config_hash
      FROM runs.run_tasks t
      JOIN runs.run_funds f ON f.run_id = t.run_id AND f.fund_identity_hash = t.fund_identity_hash
      JOIN runs.model_runs r ON r.id = t.run_id
      WHERE t.run_id = ${runId} AND t.status = 'queued' ORDER BY t.task_id`),
  );
  return rows
    .filter((r) => !only || only.includes(str(r.task_id)))
    .map((r) => ({
      v: 1 as const,
      runId,
      orgId: str(r.org_id),
      taskId: str(r.task_id),
      attempt: Number(r.attempt),
      fundIdentityHash: str(r.fund_identity_hash),
      dataHash: str(r.data_hash),
      inputKey: str(r.input_key),
      inputSha256: str(r.input_sha256),
      window: str(r.window_end),
      config: json(r.config),
      configHash: str(r.config_hash),
    }));
}

/**
 * Puts tasks on the work queue. The queue id names the attempt, so enqueuing the same attempt
 * twice is one message; `redispatch` adds a suffix for the reconciler, which re-publishes tasks
 * a lost stream may have dropped (results are deduplicated per attempt, so a copy is harmless).
 */
export async function dispatch(
  queue: WorkQueue,
  tasks: FitTask[],
  redispatch?: string,
): Promise<void> {
  for (const t of tasks) {
    const id = `${t.runId}:${t.taskId}:${t.attempt}${redispatch ? `:${redispatch}` : ""}`;
    await queue.enqueue(TASK_QUEUE, id, t);
  }
}
