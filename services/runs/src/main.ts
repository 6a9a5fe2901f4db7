import { runStandalone } from "@portal/runtime";
import { runsService } from "./index.js";

await runStandalone(runsService, {}, process.env);
