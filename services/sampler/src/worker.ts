import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { sha256Hex } from "@portal/hashing";
import type { EventBus, Logger, ObjectStore, Subscription, Task, WorkQueue } from "@portal/runtime";
import type {
  FitTask,
  RunCancelled,
  TaskLog,
  TaskProgress,
  TaskResult,
  TaskStarted,
  WindowArtefacts,
} from "./contract.js";
import { artefactKeys, parseFitTask, SUBJECTS, TASK_QUEUE } from "./contract.js";
import { fullStatsParquet, posteriorsParquet, windowSummary } from "./fit/artefacts.js";
import type { FitOutcome } from "./fit/fit-task.js";
import { FitAborted, runOnThread } from "./fit/run-on-thread.js";

export interface SamplerOptions {
  queue: WorkQueue;
  bus: EventBus;
  storage: ObjectStore;
  log: Logger;
  /** Tasks fitted at once (default: the core count). */
  concurrency: number;
  /** Deliveries of a task before it fails for good. */
  maxDeliver: number;
  /** A task whose worker stops acknowledging progress for this long goes to another worker. */
  ackWaitMs: number;
  /** Least time between progress events of one task. */
  progressEveryMs?: number;
  /** This worker's name in task records (default host:pid:random). */
  workerId?: string;
}

export interface ActiveTask {
  taskId: string;
  runId: string;
  delivery: number;
  startedAt: Date;
}

export interface Sampler {
  readonly workerId: string;
  readonly concurrency: number;
  active(): ActiveTask[];
  completed(): number;
  stop(graceMs?: number): Promise<void>;
}

/**
 * A sampler worker: pulls fit tasks from the work queue (a durable JetStream consumer, or the
 * database queue embedded), fits each on its own thread with @portal/navcast, writes the draws and
 * summaries to object storage and publishes the task's result. Keeps long tasks alive with
 * in-progress acks; stops a run's tasks when told the run was cancelled.
 */
export async function startSampler(o: SamplerOptions): Promise<Sampler> {
  const workerId = o.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = o.log.child({ worker: workerId });
  const running = new Map<string, { task: ActiveTask; attempt: number; abort: AbortController }>();
  /** Runs cancelled since this worker started, up to which attempt: such tasks are dropped. */
  const cancelledRuns = new Map<string, number>();
  const isCancelled = (t: FitTask) => t.attempt <= (cancelledRuns.get(t.runId) ?? 0);
  let completed = 0;

  const control = await o.bus.subscribe(
    `sampler-control-${randomUUID()}`,
    SUBJECTS.runCancelled,
    async (e) => {
      const c = e.data as RunCancelled;
      const upTo = Math.max(cancelledRuns.get(c.runId) ?? 0, c.upToAttempt);
      cancelledRuns.set(c.runId, upTo);
      for (const r of running.values())
        if (r.task.runId === c.runId && r.attempt <= upTo)
          r.abort.abort(`run cancelled: ${c.reason}`);
    },
    { from: "new", inactiveMs: 10 * 60_000 },
  );

  const publishResult = (t: FitTask, r: Pick<TaskResult, "status" | "windows" | "error">) => {
    const result: TaskResult = {
      runId: t.runId,
      orgId: t.orgId,
      taskId: t.taskId,
      attempt: t.attempt,
      worker: workerId,
      ...r,
    };
    // One result per attempt: a redelivered task that finishes again publishes the same id.
    return o.bus.publish(SUBJECTS.taskResult, `result:${t.runId}:${t.taskId}:${t.attempt}`, result);
  };

  async function handle(task: Task, keepAlive: () => Promise<void>): Promise<void> {
    const t = parseFitTask(task.payload);
    if (isCancelled(t)) {
      await publishResult(t, {
        status: "cancelled",
        error: "run cancelled before the task started",
      });
      return;
    }
    const ref = { runId: t.runId, orgId: t.orgId, taskId: t.taskId, attempt: t.attempt };
    const eventId = `${t.runId}:${t.taskId}:${t.attempt}:${task.delivery}`;
    const active: ActiveTask = {
      taskId: t.taskId,
      runId: t.runId,
      delivery: task.delivery,
      startedAt: new Date(),
    };
    const started: TaskStarted = {
      ...ref,
      delivery: task.delivery,
      worker: workerId,
      startedAt: active.startedAt.toISOString(),
    };
    await o.bus.publish(SUBJECTS.taskStarted, `started:${eventId}`, started);

    let line = 0;
    // Log and progress events are sent without waiting on them; the task waits for them at the end.
    const pending = new Set<Promise<unknown>>();
    const send = (subject: string, id: string, data: unknown) => {
      const p: Promise<unknown> = o.bus
        .publish(subject, id, data)
        .catch(() => {})
        .finally(() => pending.delete(p));
      pending.add(p);
    };
    const logLine = (level: TaskLog["level"], message: string) => {
      line += 1;
      const ev: TaskLog = {
        ...ref,
        delivery: task.delivery,
        line,
        level,
        message,
        at: new Date().toISOString(),
      };
      send(SUBJECTS.taskLog, `log:${eventId}:${line}`, ev);
    };
    let lastProgress = 0;
    const progressEvery = o.progressEveryMs ?? 1000;
    const onProgress = (fraction: number) => {
      const now = Date.now();
      if (now - lastProgress < progressEvery) return;
      lastProgress = now;
      const ev: TaskProgress = { ...ref, delivery: task.delivery, fraction };
      send(SUBJECTS.taskProgress, `progress:${eventId}:${now}`, ev);
    };

    const abort = new AbortController();
    running.set(eventId, { task: active, attempt: t.attempt, abort });
    // In-progress acks on a timer, not on sampler progress: a slow window must not look dead.
    const timer = setInterval(
      () => void keepAlive().catch(() => {}),
      Math.max(250, o.ackWaitMs / 3),
    );
    try {
      logLine("info", `task ${t.taskId} (delivery ${task.delivery}) started on ${workerId}`);
      const input = await o.storage.get(t.inputKey);
      if (sha256Hex(input) !== t.inputSha256) {
        const error = `the fund's model input ${t.inputKey} changed since the run was submitted`;
        logLine("error", error);
        await publishResult(t, { status: "failed", error });
        return;
      }
      let outcome: FitOutcome;
      try {
        outcome = await runOnThread(
          { fundJson: Buffer.from(input).toString("utf8"), config: t.config, window: t.window },
          { progress: onProgress, log: logLine },
          abort.signal,
        );
      } catch (e) {
        if (e instanceof FitAborted && isCancelled(t)) {
          logLine("warn", `task ${t.taskId} stopped: ${e.message}`);
          await publishResult(t, { status: "cancelled", error: e.message });
          return;
        }
        throw e;
      }
      if (!outcome.ok) {
        logLine("error", outcome.error);
        await publishResult(t, { status: "failed", error: outcome.error });
        return;
      }
      const windows: WindowArtefacts[] = [];
      for (const w of outcome.windows) {
        const keys = artefactKeys(t, w.window);
        const posteriors = posteriorsParquet(w);
        const stats = fullStatsParquet(w);
        // Keys are fixed per run, fund and window, and the draws depend only on the seed: a
        // redelivered task rewrites the same bytes, so nothing is left orphaned or duplicated.
        await o.storage.put(keys.posteriorsKey, posteriors);
        await o.storage.put(keys.fullStatsKey, stats);
        windows.push({
          window: w.window,
          ...keys,
          posteriorsSha256: sha256Hex(posteriors),
          fullStatsSha256: sha256Hex(stats),
          summary: windowSummary(w),
        });
      }
      logLine("info", `task ${t.taskId} wrote ${windows.length} window(s)`);
      await publishResult(t, { status: "succeeded", windows });
      completed += 1;
    } finally {
      clearInterval(timer);
      running.delete(eventId);
      await Promise.allSettled([...pending]);
    }
  }

  const sub: Subscription = await o.queue.consume(
    TASK_QUEUE,
    (task, ctl) => handle(task, () => ctl.progress()),
    {
      concurrency: o.concurrency,
      maxDeliver: o.maxDeliver,
      ackWaitMs: o.ackWaitMs,
      async onDeadLetter(task, error) {
        // The task failed on its last delivery (or its worker died on it): record it as failed.
        let t: FitTask;
        try {
          t = parseFitTask(task.payload);
        } catch {
          log.error({ taskId: task.id, error }, "dead task with an unreadable payload");
          return;
        }
        await publishResult(t, {
          status: "failed",
          error: `failed after ${Math.min(task.delivery, o.maxDeliver)} deliveries: ${error}`,
        });
      },
    },
  );
  log.info({ concurrency: o.concurrency, queue: o.queue.kind }, "sampler worker started");

  return {
    workerId,
    concurrency: o.concurrency,
    active: () => [...running.values()].map((r) => r.task),
    completed: () => completed,
    async stop(graceMs = 25_000) {
      // Release tasks in flight rather than finish them: a fit can take far longer than a
      // shutdown grace period. Their handlers throw, and the queue delivers them again.
      for (const r of running.values()) r.abort.abort("worker shutting down");
      await sub.stop(graceMs);
      await control.stop(1000);
    },
  };
}
