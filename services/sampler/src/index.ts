import { SamplerService } from "@portal/api/sampler/v1/sampler";
import type { ServiceDefinition } from "@portal/runtime";
import { infoRoutes } from "@portal/runtime";

/** The sampler service: the stateless worker that pulls tasks and fits NAVcast with @portal/mcmc. */
export const samplerService: ServiceDefinition = {
  name: "sampler",
  routes: (ctx) => infoRoutes(SamplerService, ctx),
};
