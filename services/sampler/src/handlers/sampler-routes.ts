import type { ConnectRouter } from "@connectrpc/connect";
import { SamplerService } from "@portal/api/sampler/v1/sampler";
import type { ServiceContext } from "@portal/runtime";
import { serviceInfo } from "@portal/runtime";
import type { Sampler } from "../worker.js";

/** GetServiceInfo and GetWorkerStatus: what this worker is doing now. */
export const samplerRoutes =
  (ctx: ServiceContext, sampler: () => Sampler | undefined) => (router: ConnectRouter) =>
    router.service(SamplerService, {
      getServiceInfo: async () => ({ info: await serviceInfo(ctx) }),
      async getWorkerStatus() {
        const s = sampler();
        return {
          worker: s?.workerId ?? "",
          concurrency: s?.concurrency ?? 0,
          completed: BigInt(s?.completed() ?? 0),
          active: (s?.active() ?? []).map((t) => ({
            taskId: t.taskId,
            runId: t.runId,
            delivery: t.delivery,
            startedAt: t.startedAt.toISOString(),
          })),
        };
      },
    });
