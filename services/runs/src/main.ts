import { runStandalone } from "@portal/runtime";
import { loadRunsEnv } from "./env.js";
import { createRunsService } from "./index.js";

await runStandalone(createRunsService(loadRunsEnv(process.env)), {}, process.env);
