/**
 * The runs service's background work: applying what workers report (one durable subscriber on
 * `runs.task.>`), relaying the outbox, and reconciling on a timer.
 */
import { EventEmitter } from "node:events";
import type { BusEvent, ServiceContext } from "@portal/runtime";
import type {
  RunCancelled,
  TaskLog,
  TaskProgress,
  TaskResult,
  TaskStarted,
} from "@portal/sampler-service/contract";
import { SUBJECTS } from "@portal/sampler-service/contract";
import { finalizeRun } from "./domain/finalize.js";
import { relayOutbox } from "./domain/outbox.js";
import { reconcileOnce } from "./domain/reconcile.js";
import { applyLog, applyProgress, applyResult, applyStarted } from "./domain/task-events.js";

export interface BackgroundOptions {
  reconcileEveryMs: number;
  staleTaskMs: number;
  relayEveryMs: number;
}

export interface Background {
  kick(): void;
  stop(graceMs: number): Promise<void>;
}

/** Runs `step` every `ms` or when `wake` fires, one at a time, until stopped. */
function loop(
  step: () => Promise<unknown>,
  ms: number,
  wake: EventEmitter,
  onError: (e: unknown) => void,
) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let poke: (() => void) | undefined;
  const done = (async () => {
    while (!stopped) {
      await step().catch(onError);
      if (stopped) break;
      await new Promise<void>((resolve) => {
        poke = resolve;
        timer = setTimeout(resolve, ms);
        wake.once("kick", resolve);
      });
      clearTimeout(timer);
      if (poke) wake.off("kick", poke);
    }
  })();
  return async () => {
    stopped = true;
    poke?.();
    await done;
  };
}

export async function startBackground(
  ctx: ServiceContext,
  o: BackgroundOptions,
): Promise<Background> {
  const { db, bus, queue, storage } = ctx.platform;
  const log = ctx.log;
  const wake = new EventEmitter();
  wake.setMaxListeners(0);
  const kick = () => wake.emit("kick");

  const onEvent = async (e: BusEvent) => {
    switch (e.subject) {
      case SUBJECTS.taskStarted: {
        const s = e.data as TaskStarted;
        if ((await applyStarted(db, s)) === "cancelled") {
          // The worker missed the cancellation (it started after it): tell it again.
          const c: RunCancelled = {
            runId: s.runId,
            orgId: s.orgId,
            reason: "the run was cancelled",
            upToAttempt: s.attempt,
          };
          await bus.publish(SUBJECTS.runCancelled, `recancel:${e.id}`, c);
        }
        return;
      }
      case SUBJECTS.taskProgress:
        return applyProgress(db, e.data as TaskProgress);
      case SUBJECTS.taskLog:
        return applyLog(db, e.data as TaskLog);
      case SUBJECTS.taskResult: {
        const r = e.data as TaskResult;
        const { allFinished } = await applyResult(db, r);
        if (allFinished) {
          const out = await finalizeRun({ db, storage }, r.orgId, r.runId);
          if (out !== "unchanged") log.info({ runId: r.runId, outcome: out }, "run finished");
          kick();
        }
        return;
      }
    }
  };
  const sub = await bus.subscribe("runs-task-events", "runs.task.>", async (e) => {
    try {
      await onEvent(e);
    } catch (err) {
      log.error(
        { err, subject: e.subject, id: e.id },
        "task event not applied; it will be delivered again",
      );
      throw err;
    }
  });
  const stopRelay = loop(
    () => relayOutbox(db, bus),
    o.relayEveryMs,
    wake,
    (err) => log.error({ err }, "outbox relay failed; retrying"),
  );
  const never = new EventEmitter();
  const stopReconcile = loop(
    async () => {
      const r = await reconcileOnce({ db, queue, storage, staleMs: o.staleTaskMs });
      if (r.finalized.length + r.timedOut.length + r.redispatched + r.swept.length > 0) {
        log.info(r, "reconciler acted");
        kick();
      }
    },
    o.reconcileEveryMs,
    never,
    (err) => log.error({ err }, "reconciler failed; retrying"),
  );
  return {
    kick,
    async stop(graceMs) {
      await sub.stop(graceMs);
      await stopReconcile();
      await stopRelay();
    },
  };
}
