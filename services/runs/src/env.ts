import type { BackgroundOptions } from "./background.js";

function positiveInt(src: Record<string, string | undefined>, name: string): number | undefined {
  const raw = src[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

/** The only place the runs service reads its own settings from the environment. */
export function loadRunsEnv(src: Record<string, string | undefined>): Partial<BackgroundOptions> {
  const out: Partial<BackgroundOptions> = {};
  const reconcile = positiveInt(src, "RUNS_RECONCILE_EVERY_MS");
  const stale = positiveInt(src, "RUNS_STALE_TASK_MS");
  const relay = positiveInt(src, "RUNS_RELAY_EVERY_MS");
  if (reconcile) out.reconcileEveryMs = reconcile;
  if (stale) out.staleTaskMs = stale;
  if (relay) out.relayEveryMs = relay;
  return out;
}
