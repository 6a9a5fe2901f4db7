import { availableParallelism } from "node:os";

export interface SamplerEnv {
  /** Tasks fitted at once; default the core count. */
  concurrency: number;
  /** Deliveries of a task before it fails for good. */
  maxDeliver: number;
  /** Silence (no in-progress ack) after which a task goes to another worker. */
  ackWaitMs: number;
}

function positiveInt(src: Record<string, string | undefined>, name: string, dflt: number): number {
  const raw = src[name];
  if (raw === undefined || raw === "") return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

/** The only place the sampler reads its own settings from the environment. */
export function loadSamplerEnv(src: Record<string, string | undefined>): SamplerEnv {
  return {
    concurrency: positiveInt(src, "SAMPLER_CONCURRENCY", availableParallelism()),
    maxDeliver: positiveInt(src, "SAMPLER_MAX_DELIVER", 3),
    ackWaitMs: positiveInt(src, "SAMPLER_ACK_WAIT_MS", 30_000),
  };
}
