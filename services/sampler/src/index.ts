import type { ServiceDefinition } from "@portal/runtime";
import type { SamplerEnv } from "./env.js";
import { loadSamplerEnv } from "./env.js";
import { samplerRoutes } from "./handlers/sampler-routes.js";
import type { Sampler } from "./worker.js";
import { startSampler } from "./worker.js";

/**
 * The sampler service: the stateless worker that pulls tasks and fits NAVcast with @portal/mcmc.
 * The same worker runs in its own process (distributed, a DaemonSet) and inside the embedded
 * process (database-backed queue); only the queue behind `ctx.platform` differs.
 */
export function createSamplerService(settings?: Partial<SamplerEnv>): ServiceDefinition {
  let sampler: Sampler | undefined;
  return {
    name: "sampler",
    routes: (ctx) => samplerRoutes(ctx, () => sampler),
    async start(ctx) {
      const s = { ...loadSamplerEnv({}), ...settings };
      sampler = await startSampler({
        queue: ctx.platform.queue,
        bus: ctx.platform.bus,
        storage: ctx.platform.storage,
        log: ctx.log,
        ...s,
      });
      const started = sampler;
      return (graceMs) => started.stop(graceMs);
    },
  };
}

/** The sampler with default settings (core count, 3 deliveries, 30 s ack wait). */
export const samplerService: ServiceDefinition = createSamplerService();

export * from "./contract.js";
export type { SamplerEnv } from "./env.js";
export { loadSamplerEnv } from "./env.js";
export type { Sampler, SamplerOptions } from "./worker.js";
export { startSampler } from "./worker.js";
