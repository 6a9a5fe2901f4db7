import { runStandalone } from "@portal/runtime";
import { loadSamplerEnv } from "./env.js";
import { createSamplerService } from "./index.js";

await runStandalone(createSamplerService(loadSamplerEnv(process.env)), {}, process.env);
